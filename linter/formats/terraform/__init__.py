"""Terraform: HCL and JSON configuration read a module (directory) at a time, and plan JSON.

This module only describes the format to the registry; the work lives in `modules` (configuration) and
`plan`, imported when a Terraform file is first read.
"""
from __future__ import annotations

import re

from linter.discover import SourceFile
from linter.formats.api import CommentSyntax, ExampleFormat, Format, Source, each_file, imported
from linter.model import Extraction

_HEREDOC = re.compile(r"<<-?\s*\"?([A-Za-z_][\w-]*)\"?\s*$")
_PLAN_KEYS = re.compile(r'"(?:planned_values|terraform_version)"\s*:')


def _configuration(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _directory(file: SourceFile) -> str:
    return f"{file.path.parent.as_posix()}/"


def _prepare(files: list[SourceFile]):
    from linter.formats.terraform.modules import prepare

    return prepare(files)


def _extract_modules(sources: list[Source], tree) -> Extraction:
    from linter.formats.terraform.modules import extract_modules

    return extract_modules([s.file for s in sources], tree)


def heredoc_lines(lines: list[str]) -> set[int]:
    """0-based lines inside a heredoc (its closing line included): a comment there is text."""
    inside: set[int] = set()
    marker = None
    for index, line in enumerate(lines):
        if marker is not None:
            inside.add(index)
            if line.strip() == marker:
                marker = None
        elif match := _HEREDOC.search(line):
            marker = match.group(1)
    return inside


HCL_COMMENTS = CommentSyntax(("#", "//"), single_quotes=False, hash_after_space=False, string_lines=heredoc_lines)



TERRAFORM = Format(
    name="terraform",
    reads=_configuration,
    claims=lambda source: True,
    extract=_extract_modules,
    group=_directory,
    prepare=_prepare,
    first=True,
    comments=lambda source: HCL_COMMENTS if source.name.endswith(".tf") else None,
    examples=(
        ExampleFormat("terraform", "main.tf", "hcl", "Terraform"),
        ExampleFormat("terraform-json", "main.tf.json", "json", "Terraform JSON"),
    ),
    languages=(("terraform", ".tf"),),
    skips_directory=lambda name, parent: name == ".terraform",  # providers and downloaded module copies
    edits=imported("linter.formats.terraform.edits", "editing"),
)


def _is_plan(source: Source) -> bool:
    value = source.json()
    if value is None:  # broken JSON: report it when it still reads like a plan
        return _PLAN_KEYS.search(source.text) is not None
    return isinstance(value, dict) and (
        "planned_values" in value or ("terraform_version" in value and "format_version" in value)
    )


PLAN = Format(name="terraform-plan", reads=lambda name: name.endswith(".json"), claims=_is_plan, extract=each_file("linter.formats.terraform.plan", "extract_plan"))
