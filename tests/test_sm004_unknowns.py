"""SM004 judges only what it can see: a secret whose policy is known only at plan time is not reported."""
from __future__ import annotations

import pytest

SECRET = 'resource "aws_secretsmanager_secret" "db" {\n  name = "db"\n}\n'
POLICY = """
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = aws_secretsmanager_secret.db.arn
  policy     = %s
}
"""
DOCUMENT = """
data "aws_iam_policy_document" "db" {
  %s
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:VersionStage"
      values   = ["AWSCURRENT"]
    }
  }
}
"""
DYNAMIC = """
  dynamic "statement" {
    for_each = var.extra_statements
    content {
      effect  = statement.value.effect
      actions = statement.value.actions
    }
  }"""


def sm004(report):
    return [f.resource for f in report.findings if f.rule_id == "SM004"]


@pytest.mark.parametrize(
    ("policy", "extra", "reported"),
    [
        ("var.secret_policy", "", False),  # the whole policy is an input
        ("data.aws_iam_policy_document.db.json", "source_policy_documents = [var.base_policy]", False),
        ("data.aws_iam_policy_document.db.json", DYNAMIC, False),
        ("data.aws_iam_policy_document.db.json", "", True),  # fully known, and no guard in it
    ],
)
def test_plan_time_policies_are_not_judged(lint, policy, extra, reported):
    files = {"main.tf": SECRET + POLICY % policy + DOCUMENT % extra}
    assert sm004(lint(files)) == (["aws_secretsmanager_secret.db"] if reported else [])


def test_secret_without_any_policy_is_reported(lint):
    assert sm004(lint({"main.tf": SECRET})) == ["aws_secretsmanager_secret.db"]
