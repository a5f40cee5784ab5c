"""CloudFormation and SAM templates, in YAML or JSON (CDK output included).

This module only describes the format to the registry; the work lives in `template` (with `intrinsics`
and `sam`), imported when a template is first read.
"""
from __future__ import annotations

import re

from linter.formats.api import CommentSyntax, ExampleFormat, Format, Source
from linter.model import Extraction

_SUFFIXES = (".yaml", ".yml", ".template", ".json")
_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][0-9+-]*\s*(?:#.*)?$")
# Cheap tests before parsing: a template names one of these somewhere.
_TEMPLATE_HINT = re.compile(r"AWSTemplateFormatVersion|\b(?:AWS|Custom)::")
_TEMPLATE_KEYS = re.compile(r'"(?:AWSTemplateFormatVersion|Resources)"\s*:')


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


def _is_json_template(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    resources = value.get("Resources")
    return "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(
            isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
            for r in resources.values()
        )
    )


def _claims(source: Source) -> bool:
    if not source.name.endswith(".json"):
        return looks_like_template(source.text)
    value = source.json()
    if value is None:  # broken JSON: report it when it still reads like a template
        return _TEMPLATE_KEYS.search(source.text) is not None
    return _is_json_template(value)


def _extract(sources: list[Source], context) -> Extraction:
    from linter.formats.cloudformation.template import extract

    result = Extraction()
    for source in sources:
        result.extend(extract(source))
    return result


def _comments(source: Source) -> CommentSyntax | None:
    """YAML templates have comments; JSON ones (whatever the suffix) do not."""
    if source.name.endswith(".json") or source.text.lstrip().startswith("{"):
        return None
    return YAML_COMMENTS


CLOUDFORMATION = Format(
    name="cloudformation",
    reads=lambda name: name.endswith(_SUFFIXES),
    claims=_claims,
    extract=_extract,
    comments=_comments,
    examples=(
        ExampleFormat("cloudformation", "template.yaml", "yaml", "CloudFormation"),
        ExampleFormat("cloudformation-json", "template.json", "json", "CloudFormation JSON"),
    ),
    languages=(("yaml", ".yaml"), ("cloudformation", ".yaml")),
)
