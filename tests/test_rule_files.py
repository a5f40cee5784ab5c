"""Rule files are validated, and a broken one is reported with its file, line and key."""
from __future__ import annotations

import pytest

from linter.predicates import PREDICATES
from linter.rules import RuleError, load_rules, schema

GOOD = """\
id: ACME001
title: No deleting secrets without MFA
severity: high
scope: statement
documents: [identity]
rationale: Deleting a secret is irreversible after its recovery window.
remediation: Require aws:MultiFactorAuthPresent for secretsmanager:DeleteSecret.
message: "{label} '{element}' allows DeleteSecret without MFA"
where: {effect: Allow}
match:
  all:
    - grants: "secretsmanager:DeleteSecret"
    - not: {condition: {has_key: "aws:MultiFactorAuthPresent"}}
examples:
  - format: json
    lines: [1]
    code: '{"Statement": {"Effect": "Allow", "Action": "secretsmanager:DeleteSecret", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"}}'
  - format: json
    code: '{"Statement": {"Effect": "Allow", "Action": "secretsmanager:DeleteSecret", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}'
"""


def write_rule(tmp_path, text, name="rule.yaml"):
    directory = tmp_path / "house-rules"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text)
    return str(directory)


def test_custom_rule_loads_and_runs(tmp_path, lint):
    rules = load_rules((write_rule(tmp_path, GOOD),))
    assert "ACME001" in [r.id for r in rules]
    report = lint(
        {"p.json": '{"Statement": {"Effect": "Allow", "Action": "secretsmanager:Delete*", "Resource": "arn:aws:secretsmanager:eu-west-1:1:secret:x"}, "Version": "2012-10-17"}'},
        rules=rules,
    )
    assert [f.rule_id for f in report.findings] == ["ACME001", "SM001"]


@pytest.mark.parametrize(
    ("old", "new", "line", "key"),
    [
        ("severity: high", "severity: urgent", 3, "severity"),
        ("    - grants: \"secretsmanager:DeleteSecret\"", "    - grant: \"secretsmanager:DeleteSecret\"", 12, "match.all.0"),
        ("documents: [identity]", "documents: [bucket]", 5, "documents.0"),
        ("title: No deleting secrets without MFA\n", "", 1, "(rule)"),
    ],
)
def test_invalid_rule_names_line_and_key(tmp_path, old, new, line, key):
    directory = write_rule(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RuleError) as caught:
        load_rules((directory,))
    assert (caught.value.line, caught.value.key) == (line, key)
    assert caught.value.path.endswith("rule.yaml")


def test_yaml_syntax_error_in_rule(tmp_path):
    with pytest.raises(RuleError) as caught:
        load_rules((write_rule(tmp_path, GOOD.replace("severity: high", "severity: [high")),))
    assert caught.value.line >= 3 and "invalid YAML" in caught.value.message


def test_rule_files_cannot_construct_python_objects(tmp_path):
    with pytest.raises(RuleError):
        load_rules((write_rule(tmp_path, "!!python/object/apply:os.system ['echo pwned']\n"),))


def test_id_colliding_with_shipped_rule_is_an_error(tmp_path):
    with pytest.raises(RuleError) as caught:
        load_rules((write_rule(tmp_path, GOOD.replace("ACME001", "SM001")),))
    assert "already defined" in caught.value.message


def test_undeclared_option_is_an_error(tmp_path):
    text = GOOD.replace('has_key: "aws:MultiFactorAuthPresent"', "only_exempts_named: {option: keys}")
    with pytest.raises(RuleError) as caught:
        load_rules((write_rule(tmp_path, text),))
    assert "option 'keys'" in caught.value.message


def test_schema_and_registry_name_the_same_predicates():
    declared = set(schema()["$defs"]["expr"]["properties"]) - {"all", "any", "not"}
    assert declared == set(PREDICATES)


def test_alias_bomb_in_rule_file_is_an_error(tmp_path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        bomb += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    with pytest.raises(RuleError) as caught:
        load_rules((write_rule(tmp_path, bomb),))
    assert "alias" in caught.value.message


def test_fast_path_for_shipped_rules_reads_the_same_rules():
    fast = {r.id: r for r in load_rules()}
    checked = {r.id: r for r in load_rules(check_shipped=True)}
    assert fast.keys() == checked.keys()
    for rule_id, rule in fast.items():
        other = checked[rule_id]
        assert (rule.match, rule.where, rule.examples, rule.options, rule.message) == (
            other.match, other.where, other.examples, other.options, other.message)
