"""How CloudFormation YAML is written: its intrinsic short-form tags, its comments, and the cheap test for
text that names a template. Shared by the format's registry entry, its reader and formats that embed
templates (Serverless)."""
from __future__ import annotations

import re

from linter.formats.api import CommentSyntax
from linter.loaders.yamlpos import ShortForms

_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][0-9+-]*\s*(?:#.*)?$")
# Cheap test before parsing: a template names one of these somewhere.
_TEMPLATE_HINT = re.compile(r"AWSTemplateFormatVersion|\b(?:AWS|Custom)::")
_FN_TAGS = (
    "Sub", "GetAtt", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64", "Cidr",
    "GetAZs", "Equals", "And", "Or", "Not", "Transform", "ToJsonString", "Length",
)
# The short-form intrinsic tags of YAML templates and the long forms JSON templates write.
INTRINSIC_TAGS = ShortForms(
    {"!Ref": "Ref", "!Condition": "Condition", **{f"!{name}": f"Fn::{name}" for name in _FN_TAGS}},
    dotted=frozenset({"Fn::GetAtt"}),
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def block_scalar_lines(lines: list[str]) -> set[int]:
    """0-based lines inside a YAML block scalar (`|`, `>`): a comment there would be part of the string."""
    inside: set[int] = set()
    opener = None  # indentation of the line that opened the scalar
    for index, line in enumerate(lines):
        if opener is not None:
            if not line.strip() or _indent(line) > opener:
                inside.add(index)
                continue
            opener = None
        if _BLOCK_SCALAR.search(line.rstrip()):
            opener = _indent(line)
    return inside


YAML_COMMENTS = CommentSyntax(("#",), single_quotes=True, hash_after_space=True, string_lines=block_scalar_lines)


def looks_like_template(text: str) -> bool:
    """Cheap test on raw text: a template names `AWSTemplateFormatVersion` or a resource type somewhere."""
    return _TEMPLATE_HINT.search(text) is not None
