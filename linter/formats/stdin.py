"""`policylint check -`: standard input without `--stdin-filename` still needs a name, since a file's
name decides which format reads it (Terraform, CloudFormation YAML, or JSON). Here with the formats, the
only place that may know their file names."""
from __future__ import annotations

import re

# Top-level HCL blocks a Terraform file starts with (after comments).
_HCL_BLOCK = re.compile(r'^\s*(?:resource|data|module|variable|locals|output|provider|terraform)\b\s*(?:"[^"]*"\s*)*\{', re.MULTILINE)


def stdin_name(text: str) -> str:
    """`stdin.json`, `stdin.tf` or `stdin.yaml`, judged by the content: JSON starts with `{` or `[`, Terraform
    has a top-level block (`resource "..." "..." {`); anything else is read as YAML (a template)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return "stdin.json"
    if _HCL_BLOCK.search(text):
        return "stdin.tf"
    return "stdin.yaml"
