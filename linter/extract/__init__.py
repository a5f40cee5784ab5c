"""Extractors: positioned trees in, policy documents and resources out. One module per input format."""
