"""Loaders: text in, `Node` trees with exact spans out. One module per syntax."""
