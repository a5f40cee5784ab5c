"""Fixes in JSON that Terraform and CloudFormation hold in other ways: `.tf.json` resources, and policy
documents written as escaped JSON strings (edited inside the string, escaped as the string needs)."""
from __future__ import annotations

import json

import yaml

from test_fixes import fix

TF_JSON = """\
{
  "resource": {
    "aws_secretsmanager_secret_policy": {
      "db": {
        "secret_arn": "${var.secret_arn}",
        "policy": "${jsonencode({Statement = [{Effect = \\"Deny\\", Principal = \\"*\\", Action = \\"secretsmanager:DeleteSecret\\", Resource = \\"*\\", Condition = {ArnNotEquals = {\\"aws:PrincipalArn\\" = \\"arn:aws:iam::111122223333:role/admin\\"}}}]})}"%s
      }
    }
  }
}
"""


def test_sm009_tf_json_adds_the_member(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", TF_JSON % "")
    assert fixed == TF_JSON % ',\n        "block_public_policy": true'
    assert json.loads(fixed)["resource"]["aws_secretsmanager_secret_policy"]["db"]["block_public_policy"] is True


def test_sm009_tf_json_turns_false_into_true(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", TF_JSON % ',\n        "block_public_policy": false')
    assert fixed == TF_JSON % ',\n        "block_public_policy": true'


# ---- policies written as escaped JSON strings --------------------------------------------------------------

def escaped(document: dict) -> str:
    """A document as JSON inside a double-quoted string: what `jsonencode` users write by hand."""
    return json.dumps(json.dumps(document))


READER = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
          "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecrett"], "Resource": "*"}
GUARD = {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*",
         "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
PINNED = {**READER, "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}}
TF_STRING = """\
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = var.secret_arn
  block_public_policy = true
  policy              = %s # written by hand
}
"""


def test_terraform_string_policy_sm003_and_iam006(tmp_path, monkeypatch):
    original = TF_STRING % escaped({"Version": "2012-10-17", "Statement": [READER, GUARD]})
    fixed = fix(tmp_path, monkeypatch, "main.tf", original)
    assert fixed == TF_STRING % escaped({"Version": "2012-10-17", "Statement": [PINNED, GUARD]})


def test_terraform_string_escapes_template_sequences():
    """Text written into a Terraform string doubles `${`, which would otherwise start an interpolation."""
    from linter.formats.api import TextEdit
    from linter.formats.editing import Text, in_string
    from linter.model import Node, Span

    line = 'policy = "{\\"Resource\\": \\"*\\"}"'
    text = Text(line + "\n")

    def span(part: str) -> Span:  # where `part` is written on the line (1-based columns, end exclusive)
        start = line.index(part) + 1
        return Span(1, start, 1, start + len(part))

    value = span('\\"*\\"')
    node = Node({"Resource": Node("*", value)}, span('{\\"Resource\\": \\"*\\"}'), key_spans={"Resource": span('\\"Resource\\"')})
    after = Span(1, value.end_column, 1, value.end_column)
    (edit,) = in_string(text, node, None, lambda syntax: [TextEdit(after, ', "P": "${aws:username}"')], template=True)
    assert edit.text == ', \\"P\\": \\"$${aws:username}\\"'
    (edit,) = in_string(text, node, None, lambda syntax: [TextEdit(after, ', "P": "${x}"')])
    assert edit.text == ', \\"P\\": \\"${x}\\"'
    assert in_string(text, node, None, lambda syntax: [TextEdit(after, ',\n "P": 1')]) is None


CFN_STRING = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DbSecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf
      BlockPublicPolicy: true
      ResourcePolicy: %s
  ReportsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "arn:aws:s3:::reports/*"}]}'
"""


def test_cloudformation_yaml_double_and_single_quoted_policy_strings(tmp_path, monkeypatch):
    original = CFN_STRING % (escaped({"Version": "2012-10-17", "Statement": [READER, GUARD]}), "s3:GetObjekt")
    fixed = fix(tmp_path, monkeypatch, "template.yaml", original)
    assert fixed == CFN_STRING % (escaped({"Version": "2012-10-17", "Statement": [PINNED, GUARD]}), "s3:GetObject")
    policy = yaml.safe_load(fixed)["Resources"]["DbSecretPolicy"]["Properties"]["ResourcePolicy"]
    assert json.loads(policy)["Statement"][0] == PINNED

