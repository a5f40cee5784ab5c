"""Shared helpers for the Terraform tests: write a module, extract it, find expected spans by plain search."""
from __future__ import annotations

from pathlib import Path

from linter.discover import discover
from linter.formats.registry import reads
from linter.formats.terraform.modules import extract_modules
from linter.model import Extraction, PolicyDocument, Resource, Span

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"


def at(text: str, needle: str, occurrence: int = 1) -> Span:
    """The span of the n-th occurrence of `needle` in `text`, counted in characters (the oracle for tests)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    before = text[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    inside = needle.split("\n")
    end_line = line + len(inside) - 1
    end_column = (column + len(needle)) if len(inside) == 1 else len(inside[-1]) + 1
    return Span(line, column, end_line, end_column)


def write(directory: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory


def extract(*paths: Path | str) -> Extraction:
    files = [f for f in discover([str(p) for p in paths], reads) if f.path.name.endswith((".tf", ".tf.json"))]
    return extract_modules(files)


def document(result: Extraction, owner: str) -> PolicyDocument:
    matches = [d for d in result.documents if d.owner == owner]
    assert len(matches) == 1, [d.owner for d in result.documents]
    return matches[0]


def resource(result: Extraction, address: str) -> Resource:
    matches = [r for r in result.resources if r.address == address]
    assert len(matches) == 1, [r.address for r in result.resources]
    return matches[0]
