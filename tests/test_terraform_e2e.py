"""End to end: the shipped rules on Terraform, with the exact position of every finding."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import lint_files
from tf_helpers import FIXTURES, at

from linter.cli import main
from linter.rules import load_rules

CORE = ("SM001", "SM002", "SM003", "SM004")  # the catalog rules have their own examples and tests

DEMO = Path(__file__).parent.parent / "fixtures" / "demo" / "terraform"


@pytest.fixture
def shipped_rules():
    return [rule for rule in load_rules() if rule.id in CORE]


def places(report) -> list[tuple]:
    return [(f.rule_id, f.path, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.resource)
            for f in report.findings]


def check(args: list[str], cwd: Path, capsys) -> tuple[int, dict]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(["check", *args, "--format", "json", "--select", ",".join(CORE)])
    finally:
        os.chdir(old)
    return code, json.loads(capsys.readouterr().out)


def test_demo_module(capsys) -> None:
    code, report = check([".", "--project-root", "."], DEMO, capsys)  # paths as reached from the demo directory
    assert code == 1 and report["errors"] == []
    assert [(f["rule_id"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"], f["resource"])
            for f in report["findings"]] == [
        # secretsmanager:* in a jsonencode() policy: the action string.
        ("SM001", "iam.tf", 30, 20, 30, 38, "aws_iam_policy.orders_ops"),
        # GetSecretValue on "*" in a policy document data source: the resource value.
        ("SM002", "iam.tf", 42, 18, 42, 21, "data.aws_iam_policy_document.reporting"),
        # A secret whose resource policy has no delete guard: the resource header.
        ("SM004", "secrets.tf", 68, 1, 68, 52, "aws_secretsmanager_secret.payments_api"),
        # Unpinned GetSecretValue in a <<- heredoc: the statement, in the .tf file's own columns.
        ("SM003", "secrets.tf", 79, 9, 85, 10, "aws_secretsmanager_secret_policy.payments_api"),
    ]
    # The trust policy read by file() is linted once, in its Terraform context; network.tf calls a registry
    # module that is not installed.
    assert report["summary"]["files_scanned"] == 5


SHAPES = {
    "jsonencode.tf": """\
resource "aws_iam_policy" "jsonencode" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = aws_secretsmanager_secret.s.arn }]
  })
}
""",
    "heredoc.tf": """\
resource "aws_iam_policy" "heredoc" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "${aws_secretsmanager_secret.s.arn}"}]}
EOF
}
""",
    "flush.tf": """\
resource "aws_iam_policy" "flush" {
  policy = <<-EOF
    {
      "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*Secret*", "Resource": "${var.arn}"}]
    }
  EOF
}
""",
    "quoted.tf": """\
resource "aws_iam_policy" "quoted" {
  policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"secretsmanager:GetSecretValue\\", \\"Resource\\": \\"*\\"}]}"
}
""",
    "locals.tf": """\
locals {
  everything = "arn:aws:secretsmanager:*:${var.account}:secret:*"
}

resource "aws_iam_policy" "locals" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = local.everything }]
  })
}
""",
    "variables.tf": """\
variable "actions" {
  default = ["secretsmanager:*"]
}

resource "aws_iam_policy" "variables" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = var.arn }] })
}
""",
    "file.tf": """\
resource "aws_iam_policy" "file" {
  policy = file("${path.module}/policy.json.txt")
}
""",
    "policy.json.txt": '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}\n',
}


def test_every_policy_shape_points_at_the_element(tmp_path, shipped_rules) -> None:
    report = lint_files(tmp_path, SHAPES, shipped_rules)
    assert report.errors == []

    def place(rule: str, name: str, needle: str, resource: str, nth: int = 1) -> tuple:
        span = at(SHAPES[name], needle, nth)
        return (rule, name, span.line, span.column, span.end_line, span.end_column, resource)

    assert sorted(places(report)) == sorted([
        place("SM001", "jsonencode.tf", '"secretsmanager:*"', "aws_iam_policy.jsonencode"),
        place("SM001", "heredoc.tf", '"secretsmanager:Get*"', "aws_iam_policy.heredoc"),
        place("SM001", "flush.tf", '"secretsmanager:*Secret*"', "aws_iam_policy.flush"),
        place("SM002", "quoted.tf", '\\"*\\"', "aws_iam_policy.quoted"),
        place("SM002", "locals.tf", '"arn:aws:secretsmanager:*:${var.account}:secret:*"', "aws_iam_policy.locals"),
        place("SM001", "variables.tf", '"secretsmanager:*"', "aws_iam_policy.variables"),
        place("SM002", "policy.json.txt", '"*"', "aws_iam_policy.file"),
    ])


MERGED = """\
resource "aws_secretsmanager_secret" "db" {
  name = "db"
}

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = aws_secretsmanager_secret.db.arn
  policy     = data.aws_iam_policy_document.db.json
}

data "aws_iam_policy_document" "guard" {
  statement {
    sid       = "DenyDelete"
    effect    = "Deny"
    actions   = ["secretsmanager:DeleteSecret"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
  statement {
    sid       = "Read"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/app"]
    }
  }
}

data "aws_iam_policy_document" "db" {
  source_policy_documents = [data.aws_iam_policy_document.guard.json]

  statement {
    sid       = "Describe"
    actions   = ["secretsmanager:DescribeSecret"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/app"]
    }
  }
}
"""


def test_merged_policy_document_guards_the_secret_and_reports_the_source_statement(tmp_path, shipped_rules) -> None:
    report = lint_files(tmp_path, {"main.tf": MERGED}, shipped_rules)
    assert report.errors == []
    # SM003 on the source's unpinned statement (lines 21-29), reported once, through the merged document;
    # no SM004: the merged source's Deny guards the secret.
    assert places(report) == [("SM003", "main.tf", 21, 3, 29, 4, "data.aws_iam_policy_document.db")]


def test_delete_guard_in_another_file_of_the_module(tmp_path, shipped_rules) -> None:
    guard = MERGED.split('data "aws_iam_policy_document" "db"')[0].replace(
        'data.aws_iam_policy_document.db.json', 'data.aws_iam_policy_document.guard.json')
    secret, rest = guard.split('resource "aws_secretsmanager_secret_policy"')
    files = {"secret.tf": secret, "policy.tf": 'resource "aws_secretsmanager_secret_policy"' + rest}
    report = lint_files(tmp_path, files, shipped_rules)
    assert [f.rule_id for f in report.findings] == ["SM003"]
    # Only the secret's file passed (pre-commit): the guard is still found in its sibling.
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        from linter.config import Settings
        from linter.pipeline import run

        only_secret = run(["secret.tf"], shipped_rules, Settings())
        (tmp_path / "policy.tf").write_text(files["policy.tf"].replace('"Deny"', '"Allow"'))
        unguarded = run(["secret.tf"], shipped_rules, Settings())
    finally:
        os.chdir(old)
    assert places(only_secret) == []
    assert places(unguarded) == [("SM004", "secret.tf", 1, 1, 1, 42, "aws_secretsmanager_secret.db")]


def test_half_typed_file_reports_error_and_findings_of_intact_blocks(tmp_path, capsys) -> None:
    shutil.copy(FIXTURES / "broken" / "half.tf", tmp_path / "half.tf")
    code, report = check(["."], tmp_path, capsys)
    assert code == 2
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (8, 22, "syntax error: '(' is not closed"),
        (17, 1, "syntax error: missing '}' to close the block opened at line 7"),
    ]
    # The blocks before and after the broken one are linted.
    assert [(f["rule_id"], f["line"], f["resource"]) for f in report["findings"]] == [
        ("SM001", 3, "aws_iam_policy.before"),
        ("SM002", 3, "aws_iam_policy.before"),
        ("SM002", 14, "aws_iam_policy.after"),
    ]


def test_plan_json(tmp_path, capsys) -> None:
    shutil.copy(FIXTURES / "plan" / "plan.json", tmp_path / "plan.json")
    code, report = check(["plan.json"], tmp_path, capsys)
    text = (FIXTURES / "plan" / "plan.json").read_text()
    action = at(text, '\\"secretsmanager:*\\"')
    resource = at(text, '\\"*\\"')
    assert code == 1 and report["errors"] == []
    assert [(f["rule_id"], f["line"], f["column"], f["end_column"], f["resource"]) for f in report["findings"]] == [
        ("SM001", action.line, action.column, action.end_column, "aws_iam_policy.app"),
        ("SM002", resource.line, resource.column, resource.end_column, "aws_iam_policy.app"),
    ]
