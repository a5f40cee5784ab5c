"""SM001's unsafe narrowing to the rotation set in Terraform and plain CloudFormation: the rotation names
its function, the function its role, and the role's policies (inline, attached, or naming the role) get
the rotation set; with any link unknown, or a role that rotates some other secret, there is no fix."""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from linter.access.principals import principals_of
from test_fixes import fix, planned
from test_fixes_narrowing import GONE, ROTATED_SECRET

ROTATION = (
    '["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", '
    '"secretsmanager:UpdateSecretVersionStage"]'
)
READ = '["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]'

TF = """\
resource "aws_secretsmanager_secret" "db" {
  name = "app/db"
}

resource "aws_secretsmanager_secret" "other" {
  name = "app/other"
}

resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = %(function_arn)s
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_lambda_function" "rotate" {
  function_name = "rotate-db"
  role          = %(role_arn)s
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "rotate.zip"
}

resource "aws_iam_role" "rotate" {
  name               = "rotate-db"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
%(policy)s"""
LINKS = {"function_arn": "aws_lambda_function.rotate.arn", "role_arn": "aws_iam_role.rotate.arn"}
STATEMENT = """\
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = %s
      Resource = aws_secretsmanager_secret.%s.arn
    }]"""
INLINE = """
resource "aws_iam_role_policy" "rotate" {
  role = %s
  policy = jsonencode({
%s
  })
}
"""
MANAGED = """
resource "aws_iam_policy" "rotate" {
  name = "rotate-db"
  policy = jsonencode({
%s
  })
}

resource "aws_iam_role_policy_attachment" "rotate" {
  role       = aws_iam_role.rotate.name
  policy_arn = aws_iam_policy.rotate.arn
}
"""


def _tf(policy: str, **links: str) -> str:
    return TF % {**LINKS, **links, "policy": policy}


def _parses(text: str) -> None:
    from linter.formats.terraform import hcl

    parsed, errors = hcl.parse(text, "main.tf")  # tree-sitter's HCL grammar, as Terraform files are read
    assert errors == [] and hcl.syntax_errors(parsed) == []


@pytest.mark.parametrize("role", ["aws_iam_role.rotate.name", "aws_iam_role.rotate.id"])
def test_terraform_inline_policy_of_the_rotation_functions_role(tmp_path, monkeypatch, role):
    original = _tf(INLINE % (role, STATEMENT % ('"secretsmanager:*"', "db")))
    fixed = fix(tmp_path, monkeypatch, "main.tf", original, unsafe=True, also_gone=GONE)
    assert fixed == _tf(INLINE % (role, STATEMENT % (ROTATION, "db")))
    _parses(fixed)


def test_terraform_managed_policy_attached_to_the_rotation_functions_role(tmp_path, monkeypatch):
    original = _tf(MANAGED % (STATEMENT % ('["secretsmanager:*"]', "db")))
    fixed = fix(tmp_path, monkeypatch, "main.tf", original, unsafe=True, also_gone=GONE)
    assert fixed == _tf(MANAGED % (STATEMENT % (ROTATION, "db")))
    _parses(fixed)


@pytest.mark.parametrize(
    "links",
    [
        {"role_arn": "var.rotation_role_arn"},  # the function's role is unknown
        {"function_arn": "var.rotation_function_arn"},  # the rotation's function is unknown
        {"function_arn": '"arn:aws:lambda:eu-west-1:111122223333:function:rotate-db"'},  # not a reference
    ],
)
def test_terraform_unknown_link_no_rotation_set(tmp_path, monkeypatch, links):
    """Unknown stays unknown: without every link of rotation -> function -> role, the statement may be the
    rotation's or not, and neither set is written."""
    text = _tf(INLINE % ("aws_iam_role.rotate.name", STATEMENT % ('"secretsmanager:*"', "db")), **links)
    text = 'variable "rotation_role_arn" {}\nvariable "rotation_function_arn" {}\n' + text
    assert planned(tmp_path, monkeypatch, "main.tf", text, "SM001") == []


def test_terraform_a_role_that_rotates_another_secret_gets_no_fix(tmp_path, monkeypatch):
    """`other` does not rotate, but the role runs db's rotation: its statement on `other` may be part of
    that rotation (a master secret, a name this run does not resolve), so the reader set is not guessed."""
    text = _tf(INLINE % ("aws_iam_role.rotate.name", STATEMENT % ('"secretsmanager:*"', "other")))
    assert planned(tmp_path, monkeypatch, "main.tf", text, "SM001") == []
    # The same statement in a role that runs no rotation function is a reader's.
    app = text.replace('resource "aws_iam_role_policy" "rotate" {\n  role = aws_iam_role.rotate.name',
                       'resource "aws_iam_role" "app" {\n  name               = "app"\n  assume_role_policy = "{}"\n}\n\n'
                       'resource "aws_iam_role_policy" "app" {\n  role = aws_iam_role.app.name')
    fixed = fix(tmp_path, monkeypatch, "main.tf", app, unsafe=True, also_gone=GONE)
    assert fixed == app.replace('Action   = "secretsmanager:*"', f"Action   = {READ}")


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  RoleArn:
    Type: String
Resources:
""" + ROTATED_SECRET + """\
  RotateFn:
    Type: %(function_type)s
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Role: %(role)s
  RotateRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
%(policies)s"""
DOCUMENT = """\
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: %s
      Resource: !Ref DbSecret
"""
ROLE_POLICIES = "      Policies:\n        - PolicyName: rotate\n" + textwrap.indent(DOCUMENT, " " * 10)
POLICY_ROLES = (
    "  RotatePolicy:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: rotate\n"
    "      Roles: [!Ref RotateRole]\n" + textwrap.indent(DOCUMENT, " " * 6)
)
ROTATION_FLOW = "[secretsmanager:DescribeSecret, secretsmanager:GetSecretValue, secretsmanager:PutSecretValue, secretsmanager:UpdateSecretVersionStage]"


def _cfn(policies: str, function_type: str = "AWS::Lambda::Function", role: str = "!GetAtt RotateRole.Arn") -> str:
    return CFN % {"function_type": function_type, "role": role, "policies": policies}


def _loads(text: str) -> dict:
    return yaml.safe_load(text.replace("!Ref ", "").replace("!GetAtt ", ""))


@pytest.mark.parametrize("policies", [ROLE_POLICIES, POLICY_ROLES])
@pytest.mark.parametrize("function_type", ["AWS::Lambda::Function", "AWS::Serverless::Function"])
def test_cloudformation_role_policies_of_the_rotation_function(tmp_path, monkeypatch, policies, function_type):
    """The role's own `Policies` and an `AWS::IAM::Policy` naming it in `Roles`; a SAM function with `Role`
    runs as that role just as a plain function does."""
    original = _cfn(policies % "secretsmanager:*", function_type)
    if function_type.startswith("AWS::Serverless"):
        original = original.replace('AWSTemplateFormatVersion: "2010-09-09"\n', 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n')
    fixed = fix(tmp_path, monkeypatch, "template.yaml", original, unsafe=True, also_gone=GONE)
    assert fixed == original.replace("Action: secretsmanager:*", f"Action: {ROTATION_FLOW}")
    assert _loads(fixed)["Resources"]["RotateRole"]["Type"] == "AWS::IAM::Role"


def test_cloudformation_json_role_policies(tmp_path, monkeypatch):
    template = _loads(_cfn(ROLE_POLICIES % "secretsmanager:*"))
    template["Resources"]["DbRotation"]["Properties"]["SecretId"] = {"Ref": "DbSecret"}
    template["Resources"]["DbRotation"]["Properties"]["RotationLambdaARN"] = {"Fn::GetAtt": ["RotateFn", "Arn"]}
    template["Resources"]["RotateFn"]["Properties"]["Role"] = {"Fn::GetAtt": ["RotateRole", "Arn"]}
    statement = template["Resources"]["RotateRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = {"Ref": "DbSecret"}
    original = json.dumps(template, indent=2) + "\n"
    fixed = fix(tmp_path, monkeypatch, "template.json", original, unsafe=True, also_gone=GONE)
    assert fixed == original.replace('"Action": "secretsmanager:*"', f'"Action": {ROTATION}')
    json.loads(fixed)


def test_cloudformation_function_role_from_a_parameter_has_no_fix(tmp_path, monkeypatch):
    text = _cfn(ROLE_POLICIES % "secretsmanager:*", role="!Ref RoleArn")
    assert planned(tmp_path, monkeypatch, "template.yaml", text, "SM001") == []


def test_principals_know_the_functions_that_run_as_them(tmp_path, monkeypatch):
    """The link narrowing reads is `policylint access`'s knowledge of principals: the role runs RotateFn, a
    SAM function without `Role` is a principal of its own that runs itself."""
    from linter.discover import SourceFile
    from linter.pipeline import extract_all

    monkeypatch.chdir(tmp_path)
    sam = textwrap.dedent("""\
          ReaderFn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Policies:
                - Statement:
                    - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref DbSecret}
        """)
    (tmp_path / "template.yaml").write_text(_cfn(ROLE_POLICIES % "secretsmanager:*") + textwrap.indent(sam, "  "))
    extraction = extract_all([SourceFile(tmp_path / "template.yaml", "template.yaml")])
    runs = {p.id: [(f.address, certain) for f, certain in p.functions] for p in principals_of(extraction)}
    assert runs == {"RotateRole": [("RotateFn", True)], "ReaderFn": [("ReaderFn", True)]}
