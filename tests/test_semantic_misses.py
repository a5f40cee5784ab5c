"""Regression tests for the semantic misses of issue 12, each in the format where it was found."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from cfn_support import managed_policy_template
from linter import iam


def places(report, *rule_ids):
    return sorted((f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column)
                  for f in report.findings if not rule_ids or f.rule_id in rule_ids)


def policy(*statements) -> dict[str, str]:
    """A standalone identity policy, one statement per line from line 4 on."""
    lines = ",\n".join("  " + json.dumps(s) for s in statements)
    return {"policy.json": '{\n"Version": "2012-10-17",\n"Statement": [\n' + lines + "\n]}\n"}


def column_of(text: str, needle: str) -> int:
    return text.index(needle) + 1


def test_not_resource_naming_one_secret_by_ref_leaves_the_others_readable(lint):
    template = managed_policy_template(
        "          - Effect: Allow\n"
        "            Action: secretsmanager:GetSecretValue\n"
        "            NotResource: !Ref Secret\n",
        resources="  Secret:\n    Type: AWS::SecretsManager::Secret\n",
    )
    report = lint({"template.yaml": template})
    assert places(report, "SM002") == [("SM002", 13, 26, 13, 37)]
    (finding,) = [f for f in report.findings if f.rule_id == "SM002"]
    assert "leaves every other secret in reach" in finding.message


@pytest.mark.parametrize("resource", ["arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:role/*", "arn:aws:iam::*:*",
                                      "arn:aws:iam::*:role*", "*"])
def test_pass_role_on_every_role(lint, resource):
    report = lint(policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}))
    start = len('  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ') + 1
    assert places(report, "IAM004") == [("IAM004", 4, start, 4, start + len(json.dumps(resource)))]


@pytest.mark.parametrize("resource", ["arn:aws:iam::123456789012:role/app-*", "arn:aws:iam::*:role/service-role/*",
                                      "arn:aws:iam::123456789012:user/*"])
def test_pass_role_on_some_roles_is_not_every_role(lint, resource):
    report = lint(policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}))
    assert places(report, "IAM004") == []


@pytest.mark.parametrize("resource", ["arn:*", "arn:aws:*:*:*:*", "arn:aws:*", "*"])
def test_every_action_on_every_arn_is_administrator_access(lint, resource):
    report = lint(policy({"Effect": "Allow", "Action": "*", "Resource": resource}))
    start = len('  {"Effect": "Allow", "Action": ') + 1
    assert places(report, "IAM001") == [("IAM001", 4, start, 4, start + 3)]


@pytest.mark.parametrize("resource", ["arn:aws:s3:::*", "arn:aws:*:*:123456789012:*/app"])
def test_every_action_on_some_resources_is_not_administrator_access(lint, resource):
    report = lint(policy({"Effect": "Allow", "Action": "*", "Resource": resource}))
    assert places(report, "IAM001") == []


def test_organization_path_restricts_the_caller(lint):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}}
    guard = {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}
    assert places(lint(policy(statement, guard)), "SM008") == []
    key = {**statement, "Action": "kms:Decrypt"}
    assert places(lint({"key.json": json.dumps({"Version": "2012-10-17", "Statement": [key]})}), "KMS001") == []


@pytest.mark.parametrize("path, restricts", [
    ("o-a1b2c3d4e5/*", True), ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", True), ("o-*/r-ab12/*", False),
    ("*", False), ("${aws:PrincipalTag/org}/*", False),
])
def test_which_organization_paths_restrict(path, restricts):
    assert iam.is_one_organization_path(path) is restricts


def test_everyone_with_a_wildcard_organization_path_is_still_open(lint):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/*"}}}
    assert [p[0] for p in places(lint(policy(statement)), "SM008")] == ["SM008"]


def test_a_resource_that_is_not_an_arn_is_invalid_and_grants_nothing(lint):
    report = lint(policy({"Effect": "Allow", "Action": "*", "Resource": "abc*"}))
    start = len('  {"Effect": "Allow", "Action": "*", "Resource": ') + 1
    assert places(report) == [("IAM006", 4, start, 4, start + len('"abc*"'))]
    (finding,) = report.findings
    assert finding.message == "Invalid policy: Resource 'abc*' is neither '*' nor an ARN"


def test_sub_json_in_a_role_policy_is_reported_inside_the_string(lint):
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "      Policies:\n"
        "        - PolicyName: read\n"
        "          PolicyDocument: !Sub |\n"
        "            {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n"
        "              \"Action\": \"secretsmanager:*\",\n"
        "              \"Resource\": \"arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf\"}]}\n"
    )
    report = lint({"template.yaml": template})
    assert places(report, "SM001") == [("SM001", 11, 25, 11, 43)]


def test_kms_key_set_under_a_condition_only(lint):
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Conditions:\n"
        "  UseKey: !Equals [!Ref AWS::Region, eu-west-1]\n"
        "Resources:\n"
        "  Key:\n"
        "    Type: AWS::KMS::Key\n"
        "  Secret:\n"
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties:\n"
        "      KmsKeyId: !If [UseKey, !Ref Key, !Ref AWS::NoValue]\n"
        "  Other:\n"
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties:\n"
        "      KmsKeyId: !If [UseKey, !Ref AWS::NoValue, !Ref Key]\n"
    )
    report = lint({"template.yaml": template})
    assert places(report, "SM005") == [("SM005", 10, 7, 10, 15), ("SM005", 14, 7, 14, 15)]
    first, second = sorted((f for f in report.findings if f.rule_id == "SM005"), key=lambda f: f.span.line)
    assert first.message == ("Secret Secret is encrypted with the AWS managed key aws/secretsmanager "
                             "(KmsKeyId is set only when condition UseKey holds); use a customer managed key")
    assert "(KmsKeyId is set only when condition UseKey does not hold)" in second.message

_NAME = st.text(st.sampled_from("abcXYZ019+=,.@_-/"), min_size=1, max_size=30).filter(lambda n: not n.startswith("/"))
_ACCOUNT = st.from_regex(r"[0-9]{12}", fullmatch=True)


@given(_NAME, _ACCOUNT)
def test_every_role_patterns_cover_any_role(name, account):
    arn = f"arn:aws:iam::{account}:role/{name}"
    for pattern in ("*", f"arn:aws:iam::{account}:role/*", "arn:aws:iam::*:role/*", "arn:aws:iam::*:*", "arn:*"):
        assert iam.glob_match(pattern, arn)
        assert iam.covers_all_roles(pattern)


@given(_NAME, _ACCOUNT)
def test_a_role_pattern_with_a_literal_name_part_does_not_cover_every_role(name, account):
    assert not iam.covers_all_roles(f"arn:aws:iam::{account}:role/{name}")
    assert not iam.covers_all_roles(f"arn:aws:iam::{account}:role/{name}*")


@given(st.sampled_from(["s3", "iam", "secretsmanager", "ec2", "kms"]), _NAME)
def test_a_pattern_naming_one_service_is_not_everything(service, name):
    assert not iam.covers_everything(f"arn:aws:{service}:*:*:*")
    assert not iam.covers_everything(f"arn:aws:*:*:*:{name}")


@given(st.text(min_size=1, max_size=20).filter(lambda v: v != "*" and not v.lower().startswith("arn:")))
def test_a_resource_that_is_neither_star_nor_an_arn_is_invalid_and_names_no_secret(value):
    if iam.UNKNOWN in value:
        return
    assert not iam.is_arn_or_star(value)
    assert not iam.may_name_a_secret(value)
