"""A reference that is a resource's name or key id, not its ARN, names nothing in a policy's Resource.

IAM matches Resource against ARNs: `aws_secretsmanager_secret.db.name`, `aws_kms_key.k.id` or CloudFormation's
`!Ref AppRole` (a role's name) is a malformed Resource (IAM006), never "this secret" for SM004's delete
guard, and never a grant in `policylint access`. Links that accept a name (`role = aws_iam_role.app.name`)
still follow it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cfn_support import managed_policy_template
from linter.cli import main
from linter.formats import catalogue

SECRET = 'resource "aws_secretsmanager_secret" "db" {\n  name       = "db"\n  kms_key_id = aws_kms_key.k.arn\n}\n'
KEY = 'resource "aws_kms_key" "k" {}\n'


def guard(resource: str) -> str:
    return (
        'resource "aws_secretsmanager_secret_policy" "db" {\n'
        "  secret_arn          = aws_secretsmanager_secret.db.arn\n"
        "  block_public_policy = true\n"
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [{\n"
        '      Effect    = "Deny"\n'
        '      Principal = "*"\n'
        '      Action    = "secretsmanager:DeleteSecret"\n'
        f"      Resource  = {resource}\n"
        "    }]\n"
        "  })\n"
        "}\n"
    )


def places(report, *rules):
    return [(f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in report.findings
            if f.rule_id in rules]


@pytest.mark.parametrize("attribute", ["arn", "id"])
def test_a_guard_on_the_secrets_arn_or_id_covers_it(lint, attribute):
    report = lint({"main.tf": SECRET + KEY + guard(f"aws_secretsmanager_secret.db.{attribute}")})
    assert places(report, "SM004", "IAM006") == []


def test_a_guard_on_the_secrets_name_covers_nothing_and_is_reported_where_it_is_written(lint):
    report = lint({"main.tf": SECRET + KEY + guard("aws_secretsmanager_secret.db.name")})
    line = (SECRET + KEY).count("\n") + 10
    start = len("      Resource  = ") + 1
    assert places(report, "SM004", "IAM006") == [
        ("SM004", 1, 1, 1, 1 + len('resource "aws_secretsmanager_secret" "db"')),
        ("IAM006", line, start, line, start + len("aws_secretsmanager_secret.db.name")),
    ]
    (invalid,) = [f for f in report.findings if f.rule_id == "IAM006"]
    assert invalid.message == ("Invalid policy: Resource aws_secretsmanager_secret.db.name is a name or id, "
                               "not an ARN, so it matches no resource")


def test_a_key_id_in_an_identity_policy_is_not_an_arn(lint):
    policy = (
        'resource "aws_iam_policy" "reader" {\n'
        "  policy = jsonencode({\n"
        '    Version   = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = [aws_kms_key.k.id, aws_kms_key.k.arn] }]\n'
        "  })\n"
        "}\n"
    )
    report = lint({"main.tf": KEY + policy})
    start = policy.splitlines()[3].index("aws_kms_key.k.id") + 1
    assert places(report, "IAM006") == [("IAM006", 5, start, 5, start + len("aws_kms_key.k.id"))]


def test_a_name_reached_through_a_module_output_keeps_what_it_is(lint):
    child = 'resource "aws_secretsmanager_secret" "this" {\n  name = "db"\n}\noutput "name" {\n  value = aws_secretsmanager_secret.this.name\n}\n'
    caller = (
        'module "secret" {\n  source = "./secret"\n}\n'
        'resource "aws_iam_policy" "p" {\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
        'Action = "secretsmanager:GetSecretValue", Resource = module.secret.name}]})\n'
        "}\n"
    )
    report = lint({"main.tf": caller, "secret/main.tf": child})
    (invalid,) = [f for f in report.findings if f.rule_id == "IAM006"]
    assert (invalid.path, invalid.span.line) == ("main.tf", 5)
    assert "module.secret.aws_secretsmanager_secret.this.name is a name or id" in invalid.message


def test_cloudformation_ref_of_a_role_is_its_name(lint):
    template = managed_policy_template(
        "          - Effect: Allow\n"
        "            Action: iam:PassRole\n"
        "            Resource: [!Ref AppRole, !GetAtt AppRole.Arn, !GetAtt AppRole.RoleId]\n",
        resources="  AppRole:\n"
                  "    Type: AWS::IAM::Role\n"
                  "    Properties:\n"
                  "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n",
    )
    report = lint({"template.yaml": template})
    row = template.splitlines()[14]
    ref, role_id = row.index("!Ref AppRole") + 1, row.index("!GetAtt AppRole.RoleId") + 1
    assert places(report, "IAM006") == [("IAM006", 15, ref, 15, ref + len("!Ref AppRole")),
                                        ("IAM006", 15, role_id, 15, role_id + len("!GetAtt AppRole.RoleId"))]
    assert [f.message for f in report.findings if f.rule_id == "IAM006"] == [
        "Invalid policy: Resource !Ref AppRole is a name or id, not an ARN, so it matches no resource",
        "Invalid policy: Resource !GetAtt AppRole.RoleId is a name or id, not an ARN, so it matches no resource",
    ]


def test_cloudformation_ref_of_a_secret_is_its_arn(lint):
    template = managed_policy_template(
        "          - {Effect: Allow, Action: secretsmanager:DescribeSecret, Resource: [!Ref Db, !GetAtt Db.Id]}\n",
        resources="  Db:\n    Type: AWS::SecretsManager::Secret\n",
    )
    assert places(lint({"template.yaml": template}), "IAM006") == []


def _access(tmp_path: Path, resource: str, capsys) -> str:
    (tmp_path / "main.tf").write_text(
        SECRET.replace("  kms_key_id = aws_kms_key.k.arn\n", "") +
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role_policy" "app" {\n  role = aws_iam_role.app.name\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [\n'
        f'    {{Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = {resource}}},\n'
        "  ]})\n}\n",
        encoding="utf-8",
    )
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["access", "--format", "json"]) == 0
    finally:
        os.chdir(previous)
    (secret,) = json.loads(capsys.readouterr().out)["secrets"]
    return {c["capability"]: c["verdict"] for c in secret["access"] if c["principal"] == "aws_iam_role.app"}


def test_access_follows_an_arn_and_not_a_name(tmp_path, capsys):
    assert _access(tmp_path, "aws_secretsmanager_secret.db.arn", capsys) == {"read": "yes"}
    assert _access(tmp_path, "aws_secretsmanager_secret.db.name", capsys) == {}


@pytest.mark.parametrize(("fmt", "shape"), [("terraform", r"aws_[a-z0-9_]+|\*"), ("cloudformation", r"AWS::\w+::\w+")])
def test_the_catalogue_names_types_as_the_format_spells_them(fmt, shape):
    """A misspelt type in the `not_arn` table would silently do nothing."""
    import re

    assert all(re.fullmatch(shape, name) for name in catalogue.section(fmt)["not_arn"]), fmt
