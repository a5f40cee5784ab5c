"""Annotated fixtures, semgrep style: `# ruleid: X` above a line where rule X must fire, `# ok: X` above
one where it must not. For every rule a fixture names, its findings must be exactly the annotated lines."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import lint_files

FIXTURES = sorted((Path(__file__).parent / "rule_fixtures").iterdir())
_ANNOTATION = re.compile(r"^\s*#\s*(ruleid|ok):\s*([A-Z0-9, ]+)\s*$")


def annotations(text: str) -> tuple[dict[str, set[int]], set[str]]:
    """Expected finding lines per rule id, and every rule id the file mentions."""
    expected: dict[str, set[int]] = {}
    mentioned: set[str] = set()
    pending: list[tuple[str, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ANNOTATION.match(line)
        if match:
            pending.append((match.group(1), [i.strip() for i in match.group(2).split(",") if i.strip()]))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for kind, ids in pending:
            mentioned.update(ids)
            if kind == "ruleid":
                for rule_id in ids:
                    expected.setdefault(rule_id, set()).add(number)
        pending = []
    return expected, mentioned


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_annotated_fixture(fixture, tmp_path, shipped_rules):
    text = fixture.read_text(encoding="utf-8")
    expected, mentioned = annotations(text)
    report = lint_files(tmp_path, {fixture.name: text}, shipped_rules)
    assert report.errors == []
    found = {rule_id: {f.span.line for f in report.findings if f.rule_id == rule_id} for rule_id in mentioned}
    assert found == {rule_id: expected.get(rule_id, set()) for rule_id in mentioned}


def test_annotations_are_read_as_documented():
    text = "# ruleid: SM001, SM002\n\n# a comment\nx = 1\n# ok: SM003\ny = 2\n"
    assert annotations(text) == ({"SM001": {4}, "SM002": {4}}, {"SM001", "SM002", "SM003"})
