"""Every rule's inline examples are tests: add a rule file, get its tests for free.

A non-compliant example must make its rule fire on exactly the listed lines; a compliant one must make no
rule fire at all, so no rule is noisy on another rule's good code. The checking itself is
`linter.ruletest`, which `policylint rules validate` uses for users' rules.
"""
from __future__ import annotations

import pytest

from linter.rules import load_rules
from linter.ruletest import check_example, coverage_problems

RULES = load_rules(check_shipped=True)
CASES = [
    pytest.param(rule, index, id=f"{rule.id}-{index}-{'ok' if example.compliant else 'fires'}-{example.format}")
    for rule in RULES
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "index"), CASES)
def test_example(rule, index):
    result = check_example(rule, index, RULES)
    assert result.problems == ()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_both_kinds_of_example(rule):
    assert coverage_problems(rule) == []
