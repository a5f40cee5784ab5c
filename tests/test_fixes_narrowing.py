"""SM001's unsafe fix: a Secrets Manager wildcard narrowed to the explicit actions the statement's purpose
implies (reader or rotation function), in every format, and left alone when that set cannot be told."""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from linter import fixes
from linter.config import Settings
from test_fixes import RULES, _lint, fix, planned

ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"
READ = '"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"'
# `secretsmanager:*` grants PutResourcePolicy (SM011); the narrowed list does not.
GONE = ("SM011",)

JSON_IDENTITY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": %s,
      "Resource": "%s"
    }
  ]
}
"""


def test_scalar_wildcard_becomes_the_read_set(tmp_path, monkeypatch):
    original = JSON_IDENTITY % ('"secretsmanager:*"', ARN)
    fixed = fix(tmp_path, monkeypatch, "policy.json", original, unsafe=True, also_gone=GONE)
    assert fixed == JSON_IDENTITY % (f"[{READ}]", ARN)
    json.loads(fixed)


def test_only_with_unsafe_fixes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = JSON_IDENTITY % ('"secretsmanager:*"', ARN)
    (tmp_path / "policy.json").write_text(text)
    report = _lint("policy.json", Settings())
    assert "SM001" in {f.rule_id for f in report.findings}
    result = fixes.fix_file("policy.json", text, report.findings, RULES, Settings(), unsafe=False)
    assert result.fixed == text and not result.applied
    (planned,) = [f for f in fixes.plan("policy.json", text, report.findings, RULES, Settings()) if f.rule_id == "SM001"]
    assert not planned.safe
    assert planned.title == "Narrow the wildcard to explicit actions: secretsmanager:GetSecretValue, secretsmanager:DescribeSecret"


def test_a_partial_wildcard_keeps_only_what_it_granted_and_explicit_actions_stay(tmp_path, monkeypatch):
    """`Get*` never granted DescribeSecret: narrowing must not add it; listed actions are kept, not repeated."""
    original = JSON_IDENTITY % ('["secretsmanager:ListSecretVersionIds", "secretsmanager:Get*", "secretsmanager:getsecretvalue"]', ARN)
    # Get* is left with nothing new (GetSecretValue is listed): it is removed with its separator.
    fixed = fix(tmp_path, monkeypatch, "policy.json", original, unsafe=True)
    assert fixed == JSON_IDENTITY % ('["secretsmanager:ListSecretVersionIds", "secretsmanager:getsecretvalue"]', ARN)


def test_two_wildcards_of_one_statement_share_the_set_without_duplicates(tmp_path, monkeypatch):
    original = JSON_IDENTITY % ('[\n        "secretsmanager:*",\n        "SecretsManager:Get*Value"\n      ]', ARN)
    fixed = fix(tmp_path, monkeypatch, "policy.json", original, unsafe=True, also_gone=GONE)
    assert fixed == JSON_IDENTITY % ('[\n        "secretsmanager:GetSecretValue",\n        "secretsmanager:DescribeSecret"\n      ]', ARN)


@pytest.mark.parametrize(
    "action, resource",
    [
        ('"secretsmanager:*"', "*"),  # every resource
        ('"secretsmanager:*"', "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"),  # every secret
        ('"*"', ARN),  # a wildcard across services: which service's actions it needs is not ours to say
        ('"secretsmanager:List*"', ARN),  # the only action: removing it would leave an empty Action
    ],
)
def test_no_fix_when_the_set_is_not_determinable(tmp_path, monkeypatch, action, resource):
    assert planned(tmp_path, monkeypatch, "policy.json", JSON_IDENTITY % (action, resource), "SM001") == []


def test_no_fix_on_not_action(tmp_path, monkeypatch):
    text = JSON_IDENTITY.replace('"Action"', '"NotAction"') % ('"secretsmanager:DeleteSecret"', ARN)
    assert planned(tmp_path, monkeypatch, "policy.json", text, "SM001") == []


TF = """\
resource "aws_secretsmanager_secret" "db" {
  name = "app/db"
}
%s
resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = %s
      Resource = %s
    }]
  })
}
"""
ROTATION_TF = """
resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = aws_lambda_function.rotate.arn
  rotation_rules {
    automatically_after_days = 30
  }
}
"""


def test_terraform_jsonencode_on_a_referenced_secret(tmp_path, monkeypatch):
    original = TF % ("", '["secretsmanager:*"]', "aws_secretsmanager_secret.db.arn")
    fixed = fix(tmp_path, monkeypatch, "main.tf", original, unsafe=True, also_gone=GONE)
    assert fixed == TF % ("", f"[{READ}]", "aws_secretsmanager_secret.db.arn")


@pytest.mark.parametrize("resource", ["aws_secretsmanager_secret.db.arn", "var.secret_arn"])
def test_terraform_no_fix_for_a_rotated_secret_or_an_unknown_resource(tmp_path, monkeypatch, resource):
    """The rotation's function is not in the tree (so whose role runs it is unknown), and a variable may be
    any secret: no fix rather than a guess that breaks rotation."""
    text = TF % (ROTATION_TF if "secret.db" in resource else "", '"secretsmanager:*"', resource)
    assert planned(tmp_path, monkeypatch, "main.tf", text, "SM001") == []


def test_terraform_policy_document_actions(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        data "aws_iam_policy_document" "reader" {
          statement {
            actions   = ["secretsmanager:Describe*", "secretsmanager:GetSecretValue"]
            resources = ["%s"]
          }
        }
        """) % ARN
    fixed = fix(tmp_path, monkeypatch, "main.tf", original, unsafe=True)
    assert fixed == original.replace('"secretsmanager:Describe*"', '"secretsmanager:DescribeSecret"')


FUNCTION = """\
  %s:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
%s"""
ROTATED_SECRET = """\
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/db
  DbRotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref DbSecret
      RotationLambdaARN: !GetAtt RotateFn.Arn
      RotationRules: {AutomaticallyAfterDays: 30}
"""
SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
""" + ROTATED_SECRET + FUNCTION % ("RotateFn", """\
            - Effect: Allow
              Action:
                - secretsmanager:*
                - kms:Decrypt
              Resource: !Ref DbSecret
""") + "%s"
READER_FN = FUNCTION % ("ReaderFn", '            - {Effect: Allow, Action: "secretsmanager:*", Resource: !Ref DbSecret}\n')


def test_sam_rotation_function_gets_the_rotation_set(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", SAM % "", unsafe=True, also_gone=GONE)
    rotation = (
        "                - secretsmanager:DescribeSecret\n"
        "                - secretsmanager:GetSecretValue\n"
        "                - secretsmanager:PutSecretValue\n"
        "                - secretsmanager:UpdateSecretVersionStage\n"
    )
    assert fixed == SAM.replace("                - secretsmanager:*\n", rotation) % ""
    yaml.safe_load(fixed.replace("!Ref ", "").replace("!GetAtt ", ""))


def test_another_function_on_a_rotated_secret_has_no_fix(tmp_path, monkeypatch):
    """ReaderFn is not DbSecret's rotation function, but a function's role could still be shared: only the
    rotation function's own statement is narrowed."""
    fixes_ = planned(tmp_path, monkeypatch, "template.yaml", SAM % READER_FN, "SM001")
    assert [f.span.line for f in fixes_] == [24]
    assert sum(f.rule_id == "SM001" for f in _lint("template.yaml", Settings()).findings) == 2


CFN_JSON = """\
{
  "Resources": {
    "AppPolicy": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": %s, "Resource": "%s"}]
        }
      }
    }
  }
}
"""


def test_cloudformation_json(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.json", CFN_JSON % ('["secretsmanager:*"]', ARN), unsafe=True, also_gone=GONE)
    assert fixed == CFN_JSON % (f"[{READ}]", ARN)
    json.loads(fixed)


def test_serverless_yaml_scalar(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        service: payments
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: 'secretsmanager:*'
                  Resource: arn:aws:secretsmanager:${aws:region}:${aws:accountId}:secret:payments/*
        """)
    fixed = fix(tmp_path, monkeypatch, "serverless.yml", original, unsafe=True, also_gone=GONE)
    assert fixed == original.replace("'secretsmanager:*'", "['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']")


def test_no_fix_for_an_action_made_by_a_template(tmp_path, monkeypatch):
    """`"${statement.value}:Get*"` makes another action for each service of the `for_each`: writing one
    literal over it would change them all, so neither SM001 nor IAM006 edits a template."""
    template = textwrap.dedent("""\
        data "aws_iam_policy_document" "ro" {
          dynamic "statement" {
            for_each = toset(["secretsmanager"])
            content {
              actions   = ["${statement.value}:%s", "${statement.value}:DescribeSecret"]
              resources = ["%s"]
            }
          }
        }
        """)
    assert planned(tmp_path, monkeypatch, "main.tf", template % ("Get*", ARN), "SM001") == []
    assert planned(tmp_path, monkeypatch, "main.tf", template % ("GetSecretValu", ARN), "IAM006") == []


CFN_BLOCK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
%s            Resource: %s
"""


@pytest.mark.parametrize(
    "before, after",
    [
        (["secretsmanager:GetSecretValue", "secretsmanager:Get*"], ["secretsmanager:GetSecretValue"]),  # last item goes
        (["secretsmanager:Get*", "secretsmanager:GetSecretValue"], ["secretsmanager:GetSecretValue"]),  # first item goes
        (["secretsmanager:Describe*", "kms:Decrypt"], ["secretsmanager:DescribeSecret", "kms:Decrypt"]),
    ],
)
def test_cloudformation_yaml_block_sequence_items(tmp_path, monkeypatch, before, after):
    lines = lambda actions: "".join(f"              - {a}\n" for a in actions)  # noqa: E731
    fixed = fix(tmp_path, monkeypatch, "template.yaml", CFN_BLOCK % (lines(before), ARN), unsafe=True)
    assert fixed == CFN_BLOCK % (lines(after), ARN)


def test_cli_fix_needs_unsafe_fixes(tmp_path, capsys, monkeypatch):
    from linter.cli import main

    monkeypatch.chdir(tmp_path)
    text = JSON_IDENTITY % ('"secretsmanager:*"', ARN)
    (tmp_path / "policy.json").write_text(text)
    assert main(["check", "--no-config", "--select", "SM001", "--show-fixes", "policy.json"]) == 1
    assert "SM001 Narrow the wildcard to explicit actions: secretsmanager:GetSecretValue, secretsmanager:DescribeSecret (unsafe: needs --unsafe-fixes)" in capsys.readouterr().out
    assert main(["check", "--no-config", "--select", "SM001", "--fix", "policy.json"]) == 1
    assert (tmp_path / "policy.json").read_text() == text
    assert main(["check", "--no-config", "--select", "SM001", "--fix", "--unsafe-fixes", "policy.json"]) == 0
    assert (tmp_path / "policy.json").read_text() == JSON_IDENTITY % (f"[{READ}]", ARN)
