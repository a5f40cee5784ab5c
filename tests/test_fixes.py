"""Fixes, per rule and per format: the exact text a fix writes, that the fixed file still parses and no
longer has the finding (and gains none), and that fixing again changes nothing."""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from linter import fixes
from linter.config import Settings
from linter.pipeline import run
from linter.rules import load_rules

RULES = load_rules()


def _lint(name: str, settings: Settings):
    report = run([name], RULES, settings)
    assert report.errors == [], report.errors
    return report


def fix(
    tmp_path, monkeypatch, name: str, text: str, options: dict | None = None, unsafe: bool = False, also_gone: tuple = ()
) -> str:
    """Fix a file; check that the fixed text lints without the fixed findings and that a second fix is a no-op.
    `also_gone`: rules whose findings the fix resolves too (a narrowed action list grants less); every other
    rule's findings stay as they were."""
    monkeypatch.chdir(tmp_path)
    text = textwrap.dedent(text)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings(rule_options=options or {})
    before = _lint(name, settings)
    result = fixes.fix_file(name, text, before.findings, RULES, settings, unsafe)
    assert result.problem is None
    assert result.applied, "nothing was fixed"
    (tmp_path / name).write_text(result.fixed, encoding="utf-8")
    after = _lint(name, settings)
    fixed_ids = {f.rule_id for f in result.applied}
    assert {f.rule_id for f in before.findings} >= set(also_gone)
    fixed_ids |= set(also_gone)
    for rule_id in fixed_ids:
        assert not [f for f in after.findings if f.rule_id == rule_id and f.path == name]
    was = sorted(f.rule_id for f in before.findings if f.rule_id not in fixed_ids)
    assert sorted(f.rule_id for f in after.findings if f.rule_id not in fixed_ids) == was
    again = fixes.fix_file(name, result.fixed, after.findings, RULES, settings, unsafe)
    assert again.fixed == result.fixed and not again.applied
    return result.fixed


def planned(tmp_path, monkeypatch, name: str, text: str, rule_id: str, options: dict | None = None) -> list:
    """The fixes planned (safe and unsafe) for a rule that must be reported in the file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings(rule_options=options or {})
    report = _lint(name, settings)
    assert rule_id in {f.rule_id for f in report.findings}
    return [f for f in fixes.plan(name, text, report.findings, RULES, settings) if f.rule_id == rule_id]


def _only(fixed: str, original: str, *expected_lines: str) -> None:
    """The fixed text is the original with exactly these lines added or changed (shown by a diff)."""
    import difflib

    changed = [l[1:] for l in difflib.ndiff(original.splitlines(), fixed.splitlines()) if l.startswith("+ ")]
    assert changed == list(expected_lines)


# ---- SM003: pin VersionStage -----------------------------------------------------------------------------------

JSON_SECRET_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "*"%s
    },
    {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
  ]
}
"""


def test_sm003_json_adds_a_condition(tmp_path, monkeypatch):
    original = JSON_SECRET_POLICY % ""
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", original)
    assert fixed == JSON_SECRET_POLICY % ',\n      "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}'
    json.loads(fixed)


def test_sm003_json_merges_with_an_existing_condition(tmp_path, monkeypatch):
    existing = ',\n      "Condition": {"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}'
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", JSON_SECRET_POLICY % existing)
    merged = ',\n      "Condition": {"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}, "StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}'
    assert fixed == JSON_SECRET_POLICY % merged


def test_sm003_json_adds_the_key_under_an_existing_operator(tmp_path, monkeypatch):
    existing = ',\n      "Condition": {"StringEquals": {\n        "aws:PrincipalOrgID": "o-abc"\n      }}'
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", JSON_SECRET_POLICY % existing)
    expected = ',\n      "Condition": {"StringEquals": {\n        "aws:PrincipalOrgID": "o-abc",\n        "secretsmanager:VersionStage": "AWSCURRENT"\n      }}'
    assert fixed == JSON_SECRET_POLICY % expected


def test_sm003_json_replaces_a_stage_that_does_not_pin(tmp_path, monkeypatch):
    existing = ',\n      "Condition": {"stringequals": {"SecretsManager:VersionStage": ["AWSCURRENT", "AWSPREVIOUS"]}}'
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", JSON_SECRET_POLICY % existing)
    assert fixed == JSON_SECRET_POLICY % ',\n      "Condition": {"stringequals": {"SecretsManager:VersionStage": "AWSCURRENT"}}'


TF_POLICY = """\
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = var.secret_arn
  block_public_policy = true
  policy = %s
}
"""

TF_JSONENCODE = """jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"%s
      },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "secretsmanager:DeleteSecret"
        Resource  = "*"
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/admin" } }
      },
    ]
  })"""


def test_sm003_terraform_jsonencode(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_POLICY % (TF_JSONENCODE % ""))
    pin = '\n        Condition = { StringEquals = { "secretsmanager:VersionStage" = "AWSCURRENT" } }'
    assert fixed == TF_POLICY % (TF_JSONENCODE % pin)


def test_sm003_terraform_jsonencode_merges_into_the_condition_object(tmp_path, monkeypatch):
    existing = '\n        Condition = {\n          StringEquals = { "aws:PrincipalOrgID" = "o-abc" }\n        }'
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_POLICY % (TF_JSONENCODE % existing))
    merged = '\n        Condition = {\n          StringEquals = { "aws:PrincipalOrgID" = "o-abc", "secretsmanager:VersionStage" = "AWSCURRENT" }\n        }'
    assert fixed == TF_POLICY % (TF_JSONENCODE % merged)


TF_HEREDOC = """<<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
     "Action": "secretsmanager:GetSecretValue", "Resource": "*"%s},
    {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
  ]
}
EOT"""


def test_sm003_terraform_heredoc_json(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_POLICY % (TF_HEREDOC % ""))
    pin = ', "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}'
    assert fixed == TF_POLICY % (TF_HEREDOC % pin)


TF_DATA = """\
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = var.secret_arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.db.json
}

data "aws_iam_policy_document" "db" {
  statement {
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
%s  }
  statement {
    effect    = "Deny"
    actions   = ["secretsmanager:DeleteSecret"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::111122223333:role/admin"]
    }
  }
}
"""


def test_sm003_terraform_policy_document_gets_a_condition_block(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_DATA % "")
    block = (
        "    condition {\n"
        '      test     = "StringEquals"\n'
        '      variable = "secretsmanager:VersionStage"\n'
        '      values   = ["AWSCURRENT"]\n'
        "    }\n"
    )
    assert fixed == TF_DATA % block


def test_sm003_terraform_policy_document_pins_an_existing_block(tmp_path, monkeypatch):
    existing = (
        "    condition {\n"
        '      test     = "StringEquals"\n'
        '      variable = "secretsmanager:VersionStage"\n'
        '      values   = ["AWSCURRENT", "AWSPREVIOUS"]\n'
        "    }\n"
    )
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_DATA % existing)
    assert fixed == TF_DATA % existing.replace('["AWSCURRENT", "AWSPREVIOUS"]', '["AWSCURRENT"]')


CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DbSecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf
      BlockPublicPolicy: true
      ResourcePolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: arn:aws:iam::111122223333:role/app}
            Action: secretsmanager:GetSecretValue  # readers
            Resource: "*"%s
          - {Effect: Allow, Principal: {AWS: arn:aws:iam::111122223333:role/ci}, Action: secretsmanager:GetSecretValue, Resource: "*"%s}
          - Effect: Deny
            Principal: "*"
            Action: secretsmanager:DeleteSecret
            Resource: "*"
            Condition: {ArnNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/admin}}
"""


def test_sm003_cloudformation_yaml_block_and_flow(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", CFN_YAML % ("", ""))
    block = "\n            Condition: {StringEquals: {secretsmanager:VersionStage: AWSCURRENT}}"
    flow = ", Condition: {StringEquals: {secretsmanager:VersionStage: AWSCURRENT}}"
    assert fixed == CFN_YAML % (block, flow)
    yaml.safe_load(fixed)


CFN_JSON = """\
{
  "Resources": {
    "DbSecretPolicy": {
      "Type": "AWS::SecretsManager::ResourcePolicy",
      "Properties": {
        "SecretId": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf",
        "BlockPublicPolicy": true,
        "ResourcePolicy": {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"%s},
            {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
          ]
        }
      }
    }
  }
}
"""


def test_sm003_cloudformation_json(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.json", CFN_JSON % "")
    assert fixed == CFN_JSON % ', "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}'
    json.loads(fixed)


# ---- SM009: block public policies ------------------------------------------------------------------------------

TF_SECRET_POLICY = """\
resource "aws_secretsmanager_secret_policy" "db" {%s
  secret_arn = var.secret_arn
  policy     = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*", Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/admin" } } }]
  })
}
"""


def test_sm009_terraform_adds_the_argument(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_SECRET_POLICY % "")
    assert fixed == TF_SECRET_POLICY % "\n  block_public_policy = true"


def test_sm009_terraform_turns_false_into_true(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_SECRET_POLICY % "\n  block_public_policy = false # for now")
    assert fixed == TF_SECRET_POLICY % "\n  block_public_policy = true # for now"


CFN_POLICY = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DbSecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf%s
      ResourcePolicy:
        Statement:
          - {Effect: Deny, Principal: "*", Action: secretsmanager:DeleteSecret, Resource: "*", Condition: {ArnNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/admin}}}
%s"""


def test_sm009_cloudformation_yaml_adds_the_property(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", CFN_POLICY % ("", "  # end\n"))
    assert fixed == CFN_POLICY % ("", "      BlockPublicPolicy: true\n  # end\n")


def test_sm009_cloudformation_yaml_replaces_false(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", CFN_POLICY % ("\n      BlockPublicPolicy: 'false'", ""))
    assert fixed == CFN_POLICY % ("\n      BlockPublicPolicy: true", "")


def test_sm009_cloudformation_json_adds_the_property(tmp_path, monkeypatch):
    original = CFN_JSON.replace('\n        "BlockPublicPolicy": true,', "") % ""
    fixed = fix(tmp_path, monkeypatch, "template.json", original.replace('"GetSecretValue"', '"DescribeSecret"'))
    assert json.loads(fixed)["Resources"]["DbSecretPolicy"]["Properties"]["BlockPublicPolicy"] is True
    assert fixed.endswith('}}}\n          ]\n        },\n        "BlockPublicPolicy": true\n      }\n    }\n  }\n}\n')


SERVERLESS = """\
service: payments
provider:
  name: aws
resources:
  Resources:
    DbSecretPolicy:
      Type: AWS::SecretsManager::ResourcePolicy
      Properties:
        SecretId: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf
        ResourcePolicy:
          Statement:
            - {Effect: Deny, Principal: "*", Action: secretsmanager:DeleteSecret, Resource: "*", Condition: {ArnNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/admin}}}
"""


def test_sm009_serverless_resource(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "serverless.yml", SERVERLESS)
    assert fixed == SERVERLESS + "        BlockPublicPolicy: true\n"


# ---- SM007: keep a recovery window -----------------------------------------------------------------------------

TF_SECRET = """\
resource "aws_secretsmanager_secret" "db" {
  name                    = "app/db"
  recovery_window_in_days = %s
}
"""


@pytest.mark.parametrize("zero", ["0", '"0"'])
def test_sm007_terraform_default_window(tmp_path, monkeypatch, zero):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_SECRET % zero)
    assert fixed == TF_SECRET % "30"  # written as the number it stands for


def test_sm007_uses_the_configured_window(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_SECRET % "0", options={"SM007": {"recovery_window_days": 7}})
    assert fixed == TF_SECRET % "7"


# ---- IAM006: the one close action name -------------------------------------------------------------------------

def test_iam006_json_typo(tmp_path, monkeypatch):
    original = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": "arn:aws:s3:::b/*"}]}\n'
    fixed = fix(tmp_path, monkeypatch, "policy.json", original)
    assert fixed == original.replace("GetObjekt", "GetObject")


def test_iam006_terraform_typo(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        data "aws_iam_policy_document" "read" {
          statement {
            actions   = ["secretsmanager:DescribeSecrett"]
            resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"]
          }
        }
        """)
    fixed = fix(tmp_path, monkeypatch, "main.tf", original)
    assert fixed == original.replace("DescribeSecrett", "DescribeSecret")


SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: ['kms:Decryp', "s3:GetObjekt"]
              Resource: arn:aws:s3:::reports/*
"""


def test_iam006_sam_typos_keep_their_quotes(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "template.yaml", SAM)
    assert fixed == SAM.replace("'kms:Decryp'", "'kms:Decrypt'").replace('"s3:GetObjekt"', '"s3:GetObject"')


def test_iam006_serverless_typo(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        service: reports
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: s3:GetObjekt
                  Resource: arn:aws:s3:::reports/*
        """)
    fixed = fix(tmp_path, monkeypatch, "serverless.yml", original)
    assert fixed == original.replace("GetObjekt", "GetObject")


def test_iam006_no_fix_without_a_single_close_match(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get", "Resource": "*"}]}\n'
    (tmp_path / "policy.json").write_text(text)
    report = _lint("policy.json", Settings())
    assert [f.rule_id for f in report.findings] == ["IAM006"]
    assert fixes.plan("policy.json", text, report.findings, RULES, Settings()) == []


# ---- the engine ------------------------------------------------------------------------------------------------

def test_only_reported_findings_are_fixed(tmp_path, monkeypatch):
    """A suppressed finding is a reviewed decision: the fix leaves it alone."""
    original = TF_SECRET % "0  # policylint:ignore=SM007 test stack, recreated under the same name"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(original)
    report = _lint("main.tf", Settings())
    assert not [f for f in report.findings if f.rule_id == "SM007"]
    assert fixes.fix_file("main.tf", original, report.findings, RULES, Settings(), False).applied == []


def test_a_fix_that_leaves_its_finding_is_refused():
    from linter.model import Finding, Span

    finding = Finding("SM003", "medium", "t", "m", "p.json", Span(1, 1, 1, 2), "", "f")
    fix_ = fixes.Fix("SM003", "p.json", Span(1, 1, 1, 2), "t", True, ())
    assert fixes._verdict([finding], [finding], [fix_], []) == "after the fix, a SM003 finding is still reported"
    assert fixes._verdict([finding], [], [fix_], ["bad"]) == "the fixed text does not parse (bad)"
    other = Finding("SM001", "high", "t", "m", "p.json", Span(1, 1, 1, 2), "", "g")
    assert fixes._verdict([finding], [other], [fix_], []) == "after the fix, a SM001 finding would be new"
    assert fixes._verdict([finding], [], [fix_], []) is None


def test_overlapping_fixes_wait_for_the_next_round():
    from linter.formats.api import TextEdit
    from linter.model import Span

    a = fixes.Fix("A", "p", Span(1, 1, 1, 2), "a", True, (TextEdit(Span(1, 2, 1, 2), "X"),))
    b = fixes.Fix("B", "p", Span(1, 1, 1, 2), "b", True, (TextEdit(Span(1, 2, 1, 3), "Y"),))
    c = fixes.Fix("C", "p", Span(1, 4, 1, 5), "c", True, (TextEdit(Span(1, 4, 1, 5), "Z"),))
    assert fixes.apply("abcd", [a, b, c]) == ("aXbcZ", [a, c])


# ---- SM004: the delete guard, exempting the configured admins ---------------------------------------------------

ADMINS = {"SM004": {"admin_principals": ["arn:aws:iam::111122223333:role/secrets-admin"]}}
GUARD_JSON = '{"Sid": "DenyDeleteExceptAdmins", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/secrets-admin"}}}'
PINNED = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "secretsmanager:GetSecretValue",
     "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}}%s
  ]
}
"""


def test_sm004_json_appends_the_guard(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", PINNED % "", options=ADMINS)
    assert fixed == PINNED % (",\n    " + GUARD_JSON)


def test_sm004_two_admins_are_listed(tmp_path, monkeypatch):
    admins = {"SM004": {"admin_principals": ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"]}}
    fixed = fix(tmp_path, monkeypatch, "secret-policy.json", PINNED % "", options=admins)
    assert '"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"]' in fixed


def test_sm004_no_fix_without_admins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = PINNED % ""
    (tmp_path / "secret-policy.json").write_text(text)
    report = _lint("secret-policy.json", Settings())
    assert [f.rule_id for f in report.findings] == ["SM004"]
    assert fixes.plan("secret-policy.json", text, report.findings, RULES, Settings()) == []


TF_GUARDED = """\
resource "aws_secretsmanager_secret" "db" {
  name = "app/db"
}

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = aws_secretsmanager_secret.db.arn
  block_public_policy = true
  policy              = %s
}
"""


def test_sm004_terraform_jsonencode(tmp_path, monkeypatch):
    original = 'jsonencode({\n    Version = "2012-10-17"\n    Statement = [\n      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:role/app" }, Action = "secretsmanager:DescribeSecret", Resource = "*" },\n    ]\n  })'
    fixed = fix(tmp_path, monkeypatch, "main.tf", TF_GUARDED % original, options=ADMINS)
    guard = '      { Sid = "DenyDeleteExceptAdmins", Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*", Condition = { StringNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } } },\n'
    assert fixed == TF_GUARDED % original.replace("\n    ]", "\n" + guard.rstrip("\n") + "\n    ]")


def test_sm004_terraform_policy_document_gets_a_statement_block(tmp_path, monkeypatch):
    document = textwrap.dedent("""\

        data "aws_iam_policy_document" "db" {
          statement {
            effect    = "Allow"
            actions   = ["secretsmanager:DescribeSecret"]
            resources = ["*"]
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:role/app"]
            }
          }
        %s}
        """)
    original = TF_GUARDED % "data.aws_iam_policy_document.db.json" + document
    block = textwrap.indent(textwrap.dedent("""\
        statement {
          sid       = "DenyDeleteExceptAdmins"
          effect    = "Deny"
          actions   = ["secretsmanager:DeleteSecret"]
          resources = ["*"]
          principals {
            type        = "*"
            identifiers = ["*"]
          }
          condition {
            test     = "StringNotEquals"
            variable = "aws:PrincipalArn"
            values   = ["arn:aws:iam::111122223333:role/secrets-admin"]
          }
        }
        """), "  ")
    fixed = fix(tmp_path, monkeypatch, "main.tf", original.replace("%s", ""), options=ADMINS)
    assert fixed == original.replace("%s", block)


def test_sm004_cloudformation_yaml_block_sequence(tmp_path, monkeypatch):
    original = textwrap.dedent("""\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          DbSecret:
            Type: AWS::SecretsManager::Secret
            Properties:
              Name: app/db
          DbSecretPolicy:
            Type: AWS::SecretsManager::ResourcePolicy
            Properties:
              SecretId: !Ref DbSecret
              BlockPublicPolicy: true
              ResourcePolicy:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: arn:aws:iam::111122223333:role/app}
                    Action: secretsmanager:DescribeSecret
                    Resource: "*"
        """)
    fixed = fix(tmp_path, monkeypatch, "template.yaml", original, options=ADMINS)
    guard = "          - {Sid: DenyDeleteExceptAdmins, Effect: Deny, Principal: \"*\", Action: secretsmanager:DeleteSecret, Resource: \"*\", Condition: {StringNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/secrets-admin}}}\n"
    assert fixed == original + guard


def test_a_users_rule_declares_its_fix_and_its_options(tmp_path):
    """A fix is rule data checked like the rest: its option must be declared, its shape is the schema's."""
    from pathlib import Path

    from linter.rules import RuleError

    shipped = (Path(__file__).resolve().parent.parent / "rules" / "secretsmanager" / "SM007.yaml").read_text()
    rule = shipped.replace("SM007", "ACME007")
    (tmp_path / "ACME007.yaml").write_text(rule.replace("{option: recovery_window_days}", "{option: window}"))
    with pytest.raises(RuleError) as caught:
        load_rules((str(tmp_path),))
    assert (caught.value.key, caught.value.message) == ("fix", "option 'window' is not declared")
    (tmp_path / "ACME007.yaml").write_text(rule.replace("safety: safe", "safety: maybe"))
    with pytest.raises(RuleError) as caught:
        load_rules((str(tmp_path),))
    assert caught.value.key.startswith("fix")
    (tmp_path / "ACME007.yaml").write_text(rule)
    (mine,) = [r for r in load_rules((str(tmp_path),)) if r.id == "ACME007"]
    assert mine.fix == {"title": "Keep a recovery window", "safety": "safe",
                        "set_attribute": {"name": "recovery_window_in_days", "value": {"option": "recovery_window_days"}}}


def test_a_failing_edit_costs_the_file_its_fixes_not_the_run(tmp_path, monkeypatch):
    from linter.formats.json_policy import edits

    def broken(*args):
        raise IndexError("list index out of range")

    monkeypatch.setattr(edits, "editing", lambda: fixes.Editing(*[broken] * 6))
    monkeypatch.chdir(tmp_path)
    text = JSON_SECRET_POLICY % ""
    (tmp_path / "secret-policy.json").write_text(text)
    report = _lint("secret-policy.json", Settings())
    result = fixes.fix_file("secret-policy.json", text, report.findings, RULES, Settings(), False)
    assert result.fixed == text and not result.changed
    assert result.problem == "internal error while fixing (IndexError: list index out of range); please report it"


def test_a_policy_escaped_in_a_string_is_fixed_inside_the_string(tmp_path, monkeypatch):
    original = textwrap.dedent('''\
        {
          "Resources": {
            "TokenPolicy": {
              "Type": "AWS::SecretsManager::ResourcePolicy",
              "Properties": {
                "SecretId": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:service/token-AbC123",
                "ResourcePolicy": "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"AWS\\": \\"arn:aws:iam::111122223333:role/app\\"}, \\"Action\\": \\"secretsmanager:GetSecretValue\\", \\"Resource\\": \\"*\\"}]}"
              }
            }
          }
        }
        ''')
    monkeypatch.chdir(tmp_path)
    (tmp_path / "template.json").write_text(original)
    report = _lint("template.json", Settings())
    assert {"SM003", "SM009"} <= {f.rule_id for f in report.findings}
    result = fixes.fix_file("template.json", original, report.findings, RULES, Settings(), False)
    assert sorted(f.rule_id for f in result.applied) == ["SM003", "SM009"]
    pin = ', \\"Condition\\": {\\"StringEquals\\": {\\"secretsmanager:VersionStage\\": \\"AWSCURRENT\\"}}'
    assert result.fixed == original.replace('"}]}"\n', '"%s}]}",\n        "BlockPublicPolicy": true\n' % pin)
    document = json.loads(json.loads(result.fixed)["Resources"]["TokenPolicy"]["Properties"]["ResourcePolicy"])
    assert document["Statement"][0]["Condition"] == {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}
