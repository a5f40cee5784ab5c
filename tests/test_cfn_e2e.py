"""End to end: the shipped rules on CloudFormation and SAM templates, through the command line."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from cfn_support import DEMO, FIXTURES

from linter.cli import main
from linter.config import Settings
from linter.pipeline import run


def check(args: list[str], cwd: Path, capsys) -> tuple[int, dict]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        # The core rules only: the catalog rules have their own examples and tests.
        code = main(["check", *args, "--format", "json", "--select", "SM001,SM002,SM003,SM004"])
    finally:
        os.chdir(old)
    return code, json.loads(capsys.readouterr().out)


def positions(report: dict) -> list[tuple]:
    return [
        (f["rule_id"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"], f["resource"])
        for f in report["findings"]
    ]


def test_demo_templates(capsys):
    code, report = check([".", "--project-root", "."], DEMO, capsys)  # paths as reached from the demo directory
    assert code == 1
    assert report["errors"] == []
    assert positions(report) == [
        # !Sub ARN of every secret in the account.
        ("SM002", "managed-policy.yaml", 17, 23, 17, 108, "ReportingSecretsPolicy"),
        # A secret without any resource policy: pointed at its logical id.
        ("SM004", "managed-policy.yaml", 23, 3, 23, 18, "ReportingApiKey"),
        ("SM004", "sam-function.yaml", 6, 3, 6, 17, "ApiCredentials"),
        # The secret's resource policy allows GetSecretValue without a VersionStage pin: the statement.
        ("SM003", "sam-function.yaml", 20, 13, 24, 26, "ApiCredentialsPolicy"),
        # Inline statement of a SAM function.
        ("SM001", "sam-function.yaml", 38, 23, 38, 42, "ApiFunction"),
        # SAM's rotation policy template is on every secret, but scoped by AllowRotationLambdaArn: no SM002.
        # secretsmanager:* in a role's inline policy; the guarded, pinned secret has no finding.
        ("SM001", "secrets.yaml", 107, 25, 107, 41, "OpsRole"),
    ]
    assert report["summary"]["files_scanned"] == 3


def test_json_template_string_policy_and_intrinsics(tmp_path, capsys):
    for name in ("template.json", "intrinsics.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    code, report = check(["."], tmp_path, capsys)
    assert code == 1
    assert report["errors"] == []
    assert positions(report) == [
        # The secret with no resource policy: its logical id.
        ("SM004", "intrinsics.yaml", 18, 3, 18, 12, "AppSecret"),
        # !If inside Action and Resource: both branches are linted, each finding on its branch's value.
        # (The !Join ARN with a !FindInMap prefix and the parameter without default are not findings.)
        ("SM001", "intrinsics.yaml", 53, 83, 53, 101, "AppPolicy"),
        ("SM002", "intrinsics.yaml", 54, 58, 54, 61, "AppPolicy"),
        # The secret linked by the ARN in SecretId: its JSON-string policy has no delete guard.
        ("SM004", "template.json", 4, 5, 4, 18, "TokenSecret"),
        # Inside the JSON-string resource policy of the JSON template (escaped quotes included).
        ("SM003", "template.json", 12, 74, 12, 214, "TokenPolicy"),
        ("SM001", "template.json", 12, 172, 12, 192, "TokenPolicy"),
        # Fn::Join of "arn:", AWS::Partition and a wildcard ARN: every secret.
        ("SM002", "template.json", 30, 31, 30, 118, "ServiceRole"),
    ]


def test_string_policies_in_yaml(tmp_path, capsys):
    shutil.copy(FIXTURES / "string-policy.yaml", tmp_path / "string-policy.yaml")
    code, report = check(["."], tmp_path, capsys)
    assert code == 2  # the broken policy string
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [
        ("string-policy.yaml", 24, 39), ("string-policy.yaml", 28, 43)]
    found = {(f["rule_id"], f["line"], f["column"], f["end_column"], f["resource"]) for f in report["findings"]}
    assert ("SM001", 9, 55, 73, "LiteralPolicy") in found
    assert ("SM002", 9, 87, 90, "LiteralPolicy") in found
    assert ("SM002", 16, 23, 103, "SubPolicy") in found
    assert ("SM001", 20, 68, 89, "QuotedPolicy") in found


def test_syntax_error_exit_2_and_other_files_still_linted(tmp_path, capsys):
    shutil.copy(FIXTURES / "syntax-error.yaml", tmp_path / "broken.yaml")
    shutil.copy(DEMO / "secrets.yaml", tmp_path / "secrets.yaml")
    code, report = check(["."], tmp_path, capsys)
    assert code == 2
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [("broken.yaml", 7, 18)]
    assert [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]] == [("SM001", "secrets.yaml", 107)]


def test_non_iac_yaml_and_json_produce_no_output(tmp_path, capsys):
    shutil.copytree(FIXTURES / "other", tmp_path / "repo")
    workflows = tmp_path / "repo" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.move(tmp_path / "repo" / "deploy.yml", workflows / "deploy.yml")
    code, report = check(["repo"], tmp_path, capsys)
    assert code == 0
    assert report["findings"] == [] and report["errors"] == []
    assert report["summary"]["files_scanned"] == 0
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["check", "repo"]) == 0
    finally:
        os.chdir(old)
    text = capsys.readouterr().out
    assert not any(name in text for name in ("yaml", "yml", "json", "repo/"))  # at most the summary line


def test_cdk_output_and_suppression_context(tmp_path, shipped_rules):
    target = tmp_path / "cdk.out"
    shutil.copytree(FIXTURES / "cdk.out", target)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = run(["."], shipped_rules, Settings())
    finally:
        os.chdir(old)
    (finding,) = [f for f in report.findings if f.rule_id == "SM004"]  # SM005/SM006 fire too
    assert (finding.rule_id, finding.path, finding.resource) == ("SM004", "cdk.out/AppStack.template.json",
                                                                 "DbSecret685A0FA5")
    assert (finding.span.line, finding.span.column, finding.span.end_line, finding.span.end_column) == (26, 3, 26, 21)
    # The whole resource block encloses the finding, for suppressions written next to it.
    block = finding.context[-1]
    assert (block.line, block.column, block.end_line, block.end_column) == (26, 3, 34, 4)


def test_resource_messages_use_cloudformation_property_names(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Resources:\n"
        "  Secret:\n"
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {Name: app/db}\n"
    )
    from test_cli import run_cli

    _, out, _ = run_cli(["check", "t.yaml", "--select", "SM005", "--format", "json"], tmp_path, capsys)
    [finding] = json.loads(out)["findings"]
    assert "(KmsKeyId is not set)" in finding["message"]
