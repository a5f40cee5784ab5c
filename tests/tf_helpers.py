"""Shared helpers for the Terraform tests: write a module, extract it, find expected spans by plain search."""
from __future__ import annotations

import json
import os
from contextlib import redirect_stdout
from io import StringIO
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


def run_check(cwd: Path, *args: str, select: str | None = None) -> tuple[int, dict, str]:
    """`policylint check ARGS --format json` run from `cwd`: exit code, report, raw output."""
    from linter.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        out = StringIO()
        with redirect_stdout(out):
            code = main(["check", *args, "--no-config", "--format", "json", *(["--select", select] if select else [])])
    finally:
        os.chdir(old)
    return code, json.loads(out.getvalue()), out.getvalue()


def places(report: dict) -> list[tuple]:
    """Each finding as (rule, path, line, column, end line, end column, resource)."""
    return [(f["rule_id"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"], f["resource"])
            for f in report["findings"]]


def span(rule: str, path: str, text: str, needle: str, resource: str, occurrence: int = 1) -> tuple:
    """The expected finding at the n-th occurrence of `needle` in `text`."""
    s = at(text, needle, occurrence)
    return (rule, path, s.line, s.column, s.end_line, s.end_column, resource)
