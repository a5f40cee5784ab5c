"""Users' own rules: written only in YAML, validated and example-tested by `policylint rules validate`,
and run by `policylint check --rules DIR` like the shipped ones."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import run_cli

MFA_RULE = """\
id: ACME001
title: Deleting secrets requires MFA
severity: high
scope: statement
documents: [identity]
rationale: Deleting a secret is irreversible once its recovery window ends.
remediation: Add a Bool aws:MultiFactorAuthPresent "true" condition to statements that allow DeleteSecret.
message: "{label} '{element}' allows DeleteSecret without requiring MFA"
where: {effect: Allow}
match:
  all:
    - grants: "secretsmanager:DeleteSecret"
    - not: {condition: {pins: {key: "aws:MultiFactorAuthPresent", value: "true", operators: [Bool]}}}
examples:
  - title: DeleteSecret without MFA
    format: json
    lines: [5]
    code: |
      {
        "Version": "2012-10-17",
        "Statement": [{
          "Effect": "Allow",
          "Action": "secretsmanager:DeleteSecret",
          "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"
        }]
      }
  - title: with MFA
    format: json
    code: |
      {
        "Version": "2012-10-17",
        "Statement": [{
          "Effect": "Allow",
          "Action": "secretsmanager:DeleteSecret",
          "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf",
          "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        }]
      }
"""

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret"],
     "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"},
    {"Effect": "Allow", "Action": "secretsmanager:DeleteSecret",
     "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}}}
  ]
}
"""


@pytest.fixture
def house(tmp_path: Path) -> Path:
    directory = tmp_path / "house-rules"
    directory.mkdir()
    (directory / "ACME001.yaml").write_text(MFA_RULE)
    return directory


def test_validate_passes(house, capsys):
    code, out, _ = run_cli(["rules", "validate", "house-rules"], house.parent, capsys)
    assert code == 0
    assert out.splitlines() == [
        "ACME001: house-rules/ACME001.yaml",
        "ok   ACME001 example 1, non-compliant, json (DeleteSecret without MFA)",
        "ok   ACME001 example 2, compliant, json (with MFA)",
        "1 rule, 2 examples, 0 failed",
    ]


def test_validate_dot_from_inside_the_rules_directory_checks_only_those_rules(house, capsys):
    # The shipped rules are shown as `rules/...`; they must not be taken for files under the current directory.
    code, out, _ = run_cli(["rules", "validate", "."], house, capsys)
    assert code == 0
    assert out.splitlines()[0] == "ACME001: ACME001.yaml"
    assert out.splitlines()[-1] == "1 rule, 2 examples, 0 failed"


def test_validate_reports_a_failing_example_with_exit_1(house, capsys):
    (house / "ACME001.yaml").write_text(MFA_RULE.replace("lines: [5]", "lines: [4]"))
    code, out, _ = run_cli(["rules", "validate", "house-rules"], house.parent, capsys)
    assert code == 1
    assert "FAIL ACME001 example 1, non-compliant, json (DeleteSecret without MFA)" in out
    assert "ACME001 should fire on line(s) 4, fired on 5" in out


def test_validate_reports_noise_on_a_compliant_example(house, capsys):
    noisy = MFA_RULE.replace('"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}', '"Condition": {}')
    (house / "ACME001.yaml").write_text(noisy)
    code, out, _ = run_cli(["rules", "validate", "house-rules"], house.parent, capsys)
    assert code == 1 and "ACME001 fires on line 5" in out


def test_validate_needs_both_kinds_of_example(house, capsys):
    text = MFA_RULE.replace("lines: [5]", "").replace("DeleteSecret without MFA", "x")
    (house / "ACME001.yaml").write_text(text)
    code, out, _ = run_cli(["rules", "validate", "house-rules"], house.parent, capsys)
    assert code == 1 and "FAIL ACME001 needs a non-compliant example" in out


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("severity: high", "severity: urgent", "house-rules/ACME001.yaml:3: severity:"),
        ("    - grants:", "    - grant:", "house-rules/ACME001.yaml:12: match.all.0:"),
        ("id: ACME001", "id: SM001", "house-rules/ACME001.yaml:1: id: rule id SM001 is already defined"),
        ("where: {effect: Allow}", "where: {effect: Allow", "house-rules/ACME001.yaml:"),
    ],
)
def test_validate_broken_rule_exits_2_naming_file_line_and_key(house, capsys, old, new, where):
    (house / "ACME001.yaml").write_text(MFA_RULE.replace(old, new))
    code, out, err = run_cli(["rules", "validate", "house-rules"], house.parent, capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"policylint: rule error: {where}")


def test_validate_empty_directory_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(["rules", "validate", "empty"], tmp_path, capsys)
    assert code == 2 and "no rule files" in err


def test_custom_rule_end_to_end_in_json_output(house, capsys):
    (house.parent / "iam").mkdir()
    (house.parent / "iam" / "ops.json").write_text(POLICY)
    code, out, _ = run_cli(["check", "iam", "--rules", "house-rules", "--format", "json"], house.parent, capsys)
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [(f["rule_id"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in findings] == [
        ("ACME001", 4, 69, 4, 98),
    ]
    assert findings[0]["message"] == "Action 'secretsmanager:DeleteSecret' allows DeleteSecret without requiring MFA"
    assert findings[0]["severity"] == "high" and findings[0]["title"] == "Deleting secrets requires MFA"
    code, out, _ = run_cli(["explain", "acme001", "--rules", "house-rules"], house.parent, capsys)
    assert code == 0 and out.startswith("ACME001: Deleting secrets requires MFA (high)")


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      KmsKeyId: alias/app-secrets
  DbSecretRotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref DbSecret
      RotationRules: {ScheduleExpression: rate(180 days)}
"""


def test_rule_options_come_from_settings(tmp_path):
    from linter.config import Settings
    from linter.pipeline import run
    from linter.rules import load_rules

    (tmp_path / "template.yaml").write_text(TEMPLATE)
    rules = [r for r in load_rules() if r.id == "SM006"]
    default = run([str(tmp_path)], rules, Settings()).findings
    assert [(f.span.line, f.message.split(": ")[0]) for f in default] == [
        (11, "Secret DbSecret is not rotated at least every 90 days"),
    ]
    assert run([str(tmp_path)], rules, Settings(rule_options={"SM006": {"max_days": 180}})).findings == []


def test_custom_rule_in_sarif_output(house, capsys):
    (house.parent / "iam").mkdir()
    (house.parent / "iam" / "ops.json").write_text(POLICY)
    code, out, _ = run_cli(["check", "iam", "--rules", "house-rules", "--format", "sarif"], house.parent, capsys)
    run = json.loads(out)["runs"][0]
    described = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert code == 1 and "ACME001" in described and "SM001" in described
    (result,) = run["results"]
    assert result["ruleId"] == "ACME001" and run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ACME001"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (4, 69, 4, 98)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "iam/ops.json"


def test_rules_dirs_and_rule_options_from_config(house, capsys):
    (house.parent / "template.yaml").write_text(TEMPLATE)
    (house.parent / "iam.json").write_text(POLICY)
    (house.parent / ".policylint.yaml").write_text(
        "rules_dirs: [house-rules]\nrule_options:\n  SM006: {max_days: 180}\nselect: [ACME, SM006]\n"
    )
    code, out, _ = run_cli(["check", ".", "--format", "json"], house.parent, capsys)
    assert [(f["rule_id"], f["path"]) for f in json.loads(out)["findings"]] == [("ACME001", "iam.json")]
    (house.parent / ".policylint.yaml").write_text("rule_options:\n  SM006: {max_days: 30}\nselect: [SM006]\n")
    code, out, _ = run_cli(["check", ".", "--format", "json"], house.parent, capsys)
    assert [f["message"].split(":")[0] for f in json.loads(out)["findings"]] == [
        "Secret DbSecret is not rotated at least every 30 days",
    ]


@pytest.mark.parametrize(
    ("options", "fits"),
    [({"max_days": 30}, True), ({"max_days": 45.5}, True), ({"max_days": "30"}, False), ({"max_days": True}, False)],
)
def test_rule_option_values_must_fit_their_default(tmp_path, options, fits):
    from linter.config import Settings
    from linter.pipeline import run
    from linter.rules import RuleError, load_rules

    (tmp_path / "template.yaml").write_text(TEMPLATE)
    rules = [r for r in load_rules() if r.id in ("SM006", "SM010")]
    assert rules[1].option_problem("key_patterns", ["*pin*"]) is None
    assert rules[1].option_problem("key_patterns", "*pin*") is not None
    settings = Settings(rule_options={"SM006": options})
    if fits:
        run([str(tmp_path)], rules, settings)
    else:
        with pytest.raises(RuleError) as caught:
            run([str(tmp_path)], rules, settings)
        assert caught.value.key == "rule_options.SM006.max_days" and "must be like its default 90" in caught.value.message


def test_rule_errors_survive_worker_processes():
    import pickle

    from linter.rules import RuleError

    error = pickle.loads(pickle.dumps(RuleError("r.yaml", 3, "severity", "bad")))
    assert (error.path, error.line, error.key, error.message, str(error)) == ("r.yaml", 3, "severity", "bad", "r.yaml:3: severity: bad")
