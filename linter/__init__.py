"""policylint: an offline linter for AWS IAM and Secrets Manager policies in infrastructure as code."""

__version__ = "0.1.0"
