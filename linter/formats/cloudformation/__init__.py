"""CloudFormation and SAM templates, in YAML or JSON (CDK output included).

This module only describes the format to the registry; the work lives in `template` (with `intrinsics`
and `sam`), imported when a template is first read.
"""
from __future__ import annotations

import re

from linter.formats.api import CommentSyntax, ExampleFormat, Format, Source, each_file, imported
from linter.formats.cloudformation.syntax import YAML_COMMENTS, looks_like_template

_SUFFIXES = (".yaml", ".yml", ".template", ".json")
_TEMPLATE_KEYS = re.compile(r'"(?:AWSTemplateFormatVersion|Resources)"\s*:')


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


def _comments(source: Source) -> CommentSyntax | None:
    """YAML templates have comments; JSON ones (whatever the suffix) do not."""
    if source.name.endswith(".json") or source.text.lstrip().startswith("{"):
        return None
    return YAML_COMMENTS



CLOUDFORMATION = Format(
    name="cloudformation",
    reads=lambda name: name.endswith(_SUFFIXES),
    claims=_claims,
    extract=each_file("linter.formats.cloudformation.template"),
    comments=_comments,
    examples=(
        ExampleFormat("cloudformation", "template.yaml", "yaml", "CloudFormation"),
        ExampleFormat("cloudformation-json", "template.json", "json", "CloudFormation JSON"),
    ),
    languages=(("yaml", ".yaml"), ("cloudformation", ".yaml")),
    # CDK's bundled assets: code and copies of templates, not the synthesized stack itself.
    skips_directory=lambda name, parent: name.startswith("asset.") and parent == "cdk.out",
    edits=imported("linter.formats.cloudformation.edits", "editing"),
)
