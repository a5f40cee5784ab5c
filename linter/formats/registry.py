"""Every input format policylint reads, in the order that decides which one reads a file both could claim.

Adding a format is a package under `linter/formats/` and one line here.
"""
from __future__ import annotations

from functools import cache

from linter.discover import SourceFile
from linter.formats.api import ExampleFormat, Format, Source


@cache
def formats() -> tuple[Format, ...]:
    """The registered formats, most specific first (imported on first use: each package is light)."""
    from linter.formats import cloudformation, json_policy, serverless, terraform

    return (
        terraform.TERRAFORM,
        serverless.SERVERLESS,
        cloudformation.CLOUDFORMATION,
        terraform.PLAN,
        json_policy.JSON_POLICY,
    )


def by_name(name: str) -> Format:
    return next(f for f in formats() if f.name == name)


def reads(name: str) -> bool:
    """Whether any format may read a file of this name (directory walks skip the rest)."""
    lower = name.lower()
    return any(f.reads(lower) for f in formats())


def skips_directory(name: str, parent: str) -> bool:
    """Whether a directory walk skips this directory: some format says it holds no source of its own."""
    return any(f.skips_directory(name, parent) for f in formats())


def keyed_by(file: SourceFile) -> Format | None:
    """The format that decides how this file groups with others: the first that may read it by name."""
    lower = file.path.name.lower()
    return next((f for f in formats() if f.reads(lower)), None)


def claim(source: Source) -> Format | None:
    """The format that reads this file, judged by name and content; None: not policylint's to read."""
    return next((f for f in formats() if f.reads(source.name) and f.claims(source)), None)


def units(files: list[SourceFile]) -> list[tuple[bool, list[SourceFile]]]:
    """Files that must be read together, in a stable order, each with whether it runs first."""
    groups: dict[tuple[str, str], list[SourceFile]] = {}
    first: dict[tuple[str, str], bool] = {}
    for file in files:
        fmt = keyed_by(file)
        key = (fmt.name, fmt.group(file)) if fmt else ("", file.display)
        groups.setdefault(key, []).append(file)
        first[key] = bool(fmt and fmt.first)
    return [(first[key], groups[key]) for key in sorted(groups, key=lambda k: k[1])]


def contexts(files: list[SourceFile]) -> dict[str, object]:
    """Each format's run-wide context, computed from every file of the run that it may read."""
    mine: dict[str, list[SourceFile]] = {fmt.name: [] for fmt in formats()}
    for file in files:
        if (fmt := keyed_by(file)) is not None:
            mine[fmt.name].append(file)
    return {fmt.name: fmt.prepare(mine[fmt.name]) if mine[fmt.name] else None for fmt in formats()}


def example_formats() -> dict[str, ExampleFormat]:
    """Every way a rule example may be written, by name, in registry order."""
    return {e.name: e for f in formats() for e in f.examples}


def untitled_suffix(language_id: str) -> str | None:
    """The file suffix an unsaved editor buffer of this language is read as."""
    return next((suffix for f in formats() for lang, suffix in f.languages if lang == language_id), None)
