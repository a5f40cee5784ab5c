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


TF_JSON = """\
{
  "resource": {
    "aws_secretsmanager_secret": {
      "db": {
        "name": "app/db",
        "kms_key_id": "alias/app-secrets"%s
      }
    }%s
  }
}
"""
GUARD = json.loads(
    '{"Sid": "DenyDeleteExceptAdmins", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", '
    '"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/secrets-admin"}}}'
)
POLICY_STRING = json.dumps({"Version": "2012-10-17", "Statement": [GUARD]})


def _templates_parse(policy: dict) -> None:
    """Terraform reads a `.tf.json` string as a template: each written value is one HCL parses."""
    from linter.formats.terraform import hcl

    text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in policy.items() if isinstance(value, str))
    parsed, errors = hcl.parse(text, "main.tf")
    assert errors == [] and hcl.syntax_errors(parsed) == []


def test_tf_json_secret_gets_a_policy_resource(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", TF_JSON % ("", ""), options=ADMINS)
    added = (
        ',\n    "aws_secretsmanager_secret_policy": {\n      "db": {\n'
        '        "secret_arn": "${aws_secretsmanager_secret.db.arn}",\n'
        '        "block_public_policy": true,\n'
        f'        "policy": {json.dumps(POLICY_STRING)}\n      }}\n    }}'
    )
    assert fixed == TF_JSON % ("", added)
    policy = json.loads(fixed)["resource"]["aws_secretsmanager_secret_policy"]["db"]
    assert json.loads(policy["policy"]) == {"Version": "2012-10-17", "Statement": [GUARD]}
    _templates_parse(policy)


def test_tf_json_policy_joins_the_policies_of_other_secrets(tmp_path, monkeypatch):
    """The file has `aws_secretsmanager_secret_policy` already (another secret's): the new one is its member;
    the file's own step (a tab) is kept, and a `${` of an admin ARN is written `$${` (a literal in a template)."""
    other = (
        ',\n\t\t"aws_secretsmanager_secret_policy": {\n\t\t\t"other": {\n'
        '\t\t\t\t"secret_arn": "${var.other_arn}",\n\t\t\t\t"block_public_policy": true,\n'
        f'\t\t\t\t"policy": {json.dumps(POLICY_STRING)}\n\t\t\t}}'
    )
    original = (TF_JSON % ("", other + "\n\t\t}")).replace("  ", "\t")
    admin = "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}-admin"
    options = {"SM004": {"admin_principals": [admin]}}
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", original, options=options)
    document = {"Version": "2012-10-17", "Statement": [{**GUARD, "Condition": {"StringNotEquals": {"aws:PrincipalArn": admin}}}]}
    written = json.dumps(document).replace("${", "$${")
    added = (
        ',\n\t\t\t"db": {\n\t\t\t\t"secret_arn": "${aws_secretsmanager_secret.db.arn}",\n'
        f'\t\t\t\t"block_public_policy": true,\n\t\t\t\t"policy": {json.dumps(written)}\n\t\t\t}}'
    )
    assert fixed == original.replace("\t\t\t}\n\t\t}\n", "\t\t\t}" + added + "\n\t\t}\n", 1)
    policy = json.loads(fixed)["resource"]["aws_secretsmanager_secret_policy"]["db"]
    assert json.loads(policy["policy"].replace("$${", "${")) == document
    _templates_parse(policy)


def test_tf_json_one_line_resource_object(tmp_path, monkeypatch):
    original = '{"resource": {"aws_secretsmanager_secret": {"db": {"name": "app/db", "kms_key_id": "alias/app-secrets"}}}}\n'
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", original, options=ADMINS)
    policy = {"secret_arn": "${aws_secretsmanager_secret.db.arn}", "block_public_policy": True, "policy": POLICY_STRING}
    assert fixed == original[:-3] + ', "aws_secretsmanager_secret_policy": ' + json.dumps({"db": policy}) + "}}\n"
    assert json.loads(fixed)["resource"]["aws_secretsmanager_secret_policy"]["db"] == policy


def test_tf_json_no_fix_when_the_name_is_taken_or_the_secret_is_counted(tmp_path, monkeypatch):
    """A policy named `db` for another secret: a second `db` would be a duplicate resource. A secret with
    `count`: which instance would the policy protect?"""
    taken = ',\n    "aws_secretsmanager_secret_policy": {\n      "db": {"secret_arn": "${var.other_arn}", "policy": "{}"}\n    }'
    counted = ',\n        "count": 2'
    for text in (TF_JSON % ("", taken), TF_JSON % (counted, "")):
        assert planned(tmp_path, monkeypatch, "main.tf.json", text, "SM004", ADMINS) == []
