"""Every rule's inline examples are tests: add a rule file, get its tests for free.

A non-compliant example must make its rule fire on exactly the listed lines; a compliant one must make no
rule fire at all, so no rule is noisy on another rule's good code.
"""
from __future__ import annotations

import pytest

from conftest import EXAMPLE_FILENAMES, lint_files
from linter.rules import load_rules

RULES = load_rules(check_shipped=True)
CASES = [
    pytest.param(rule, example, id=f"{rule.id}-{index}-{'ok' if example.compliant else 'fires'}-{example.format}")
    for rule in RULES
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example(rule, example, tmp_path):
    report = lint_files(tmp_path, {EXAMPLE_FILENAMES[example.format]: example.code}, RULES)
    assert report.errors == []
    if example.compliant:
        assert [(f.rule_id, f.span.line, f.message) for f in report.findings] == []
    else:
        lines = sorted(f.span.line for f in report.findings if f.rule_id == rule.id)
        assert lines == sorted(example.lines)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_both_kinds_of_example(rule):
    assert any(e.compliant for e in rule.examples), "needs a compliant example"
    assert any(not e.compliant for e in rule.examples), "needs a non-compliant example"
