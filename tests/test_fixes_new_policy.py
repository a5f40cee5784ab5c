"""SM004's fix for a secret with no resource policy at all: a new resource policy holding the delete guard,
written after the secret and referring to it (Terraform by address, CloudFormation with `Ref`)."""
from __future__ import annotations

import json
import textwrap

import yaml

from test_fixes import ADMINS, fix, planned

GUARD_HCL = (
    '{ Sid = "DenyDeleteExceptAdmins", Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", '
    'Resource = "*", Condition = { StringNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } } }'
)
TF_SECRET = """\
resource "aws_secretsmanager_secret" "db" {
  name       = "app/db" # the app's database
  kms_key_id = "alias/app-secrets"
}%s

output "secret_arn" {
  value = aws_secretsmanager_secret.db.arn
}
"""
TF_POLICY = """

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = aws_secretsmanager_secret.db.arn
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      %s,
    ]
  })
}""" % GUARD_HCL


def test_terraform_secret_gets_a_policy_resource(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_SECRET % "", options=ADMINS)
    assert fixed == TF_SECRET % TF_POLICY
    from linter.formats.terraform import hcl

    parsed, errors = hcl.parse(fixed, "main.tf")  # tree-sitter's HCL grammar, as Terraform files are read
    assert errors == [] and hcl.syntax_errors(parsed) == []


def test_terraform_no_fix_without_admins_or_for_counted_secrets(tmp_path, monkeypatch):
    counted = (TF_SECRET % "").replace('  name       = "app/db"', '  count      = 2\n  name       = "app/db"')
    for text, options in ((TF_SECRET % "", {}), (counted, ADMINS)):
        assert planned(tmp_path, monkeypatch, "main.tf", text, "SM004", options) == []


CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/db  # the app's database
      KmsKeyId: alias/app-secrets
%s  Topic:
    Type: AWS::SNS::Topic
"""
CFN_POLICY = """\
  DbSecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref DbSecret
      BlockPublicPolicy: true
      ResourcePolicy:
        Version: "2012-10-17"
        Statement:
          - {Sid: DenyDeleteExceptAdmins, Effect: Deny, Principal: "*", Action: secretsmanager:DeleteSecret, Resource: "*", Condition: {StringNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/secrets-admin}}}
"""


def test_cloudformation_yaml_secret_gets_a_resource_policy(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", CFN_YAML % "", options=ADMINS)
    assert fixed == CFN_YAML % CFN_POLICY
    from linter.formats.cloudformation.syntax import INTRINSIC_TAGS
    from linter.loaders import yamlpos

    assert yamlpos.load(fixed, "template.yaml", INTRINSIC_TAGS).get("Resources").get("DbSecretPolicy") is not None


def test_cloudformation_yaml_no_fix_when_the_name_is_taken_or_the_secret_is_conditional(tmp_path, monkeypatch):
    """`DbSecretPolicy` exists but is something else: a second resource of that name would not parse. A
    secret under a Condition: the new policy would refer to a secret some deployments lack."""
    taken = "  DbSecretPolicy:\n    Type: AWS::SNS::Topic\n"
    assert planned(tmp_path, monkeypatch, "template.yaml", CFN_YAML % taken, "SM004", ADMINS) == []
    conditional = (CFN_YAML % "").replace("Resources:\n", "Conditions:\n  Prod: !Equals [!Ref AWS::Region, eu-west-1]\nResources:\n")
    conditional = conditional.replace("    Type: AWS::SecretsManager::Secret\n", "    Type: AWS::SecretsManager::Secret\n    Condition: Prod\n")
    assert planned(tmp_path, monkeypatch, "template.yaml", conditional, "SM004", ADMINS) == []


CFN_JSON = """\
{
  "Resources": {
    "DbSecret": {
      "Type": "AWS::SecretsManager::Secret",
      "Properties": {"Name": "app/db", "KmsKeyId": "alias/app-secrets"}
    }%s
  }
}
"""


def test_cloudformation_json_secret_gets_a_resource_policy(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.json", CFN_JSON % "", options=ADMINS)
    guard = json.loads(
        '{"Sid": "DenyDeleteExceptAdmins", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", '
        '"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/secrets-admin"}}}'
    )
    policy = {
        "Type": "AWS::SecretsManager::ResourcePolicy",
        "Properties": {"SecretId": {"Ref": "DbSecret"}, "BlockPublicPolicy": True,
                       "ResourcePolicy": {"Version": "2012-10-17", "Statement": [guard]}},
    }
    assert fixed == CFN_JSON % (',\n    "DbSecretPolicy": ' + json.dumps(policy))
    assert json.loads(fixed)["Resources"]["DbSecretPolicy"] == policy


def test_serverless_resource_secret_gets_a_resource_policy(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        service: payments
        provider:
          name: aws
        resources:
          Resources:
            DbSecret:
              Type: AWS::SecretsManager::Secret
              Properties:
                KmsKeyId: alias/app-secrets
        """)
    fixed = fix(tmp_path, monkeypatch, "serverless.yml", original, options=ADMINS)
    assert fixed == original + textwrap.indent(CFN_POLICY, "  ")
    yaml.safe_load(fixed.replace("!Ref ", ""))
