"""Serverless Framework: statements become the roles Serverless generates, resources are CloudFormation."""
from __future__ import annotations

import textwrap

from linter.model import Span

PROVIDER = """\
service: payments
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: 'secretsmanager:*'
          Resource: '*'
"""


def _found(report) -> list[tuple[str, str, Span]]:
    return [(f.rule_id, f.resource, f.span) for f in report.findings]


def test_provider_statements_give_sm001_at_the_action_and_sm002_at_the_resource(lint):
    report = lint({"serverless.yml": PROVIDER})
    found = _found(report)
    assert ("SM001", "IamRoleLambdaExecution", Span(8, 19, 8, 37)) in found
    assert ("SM002", "IamRoleLambdaExecution", Span(9, 21, 9, 24)) in found
    assert report.errors == [] and report.files_scanned == 1


def test_older_iam_role_statements_and_per_function_roles(lint):
    text = textwrap.dedent("""\
        service: payments
        provider:
          name: aws
          iamRoleStatements:
            - Effect: Allow
              Action: secretsmanager:*
              Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf
        functions:
          rotate-db:
            handler: h.rotate
            iamRoleStatements:
              - Effect: Allow
                NotAction: secretsmanager:DescribeSecret
                Resource: "*"
        """)
    found = _found(lint({"serverless.yaml": text}))
    assert ("SM001", "IamRoleLambdaExecution", Span(6, 15, 6, 31)) in found
    assert ("SM002", "RotateDashdbIamRoleLambdaExecution", Span(14, 19, 14, 22)) in found


def test_a_role_in_resources_gives_what_the_same_template_gives(lint, tmp_path):
    role = textwrap.dedent("""\
        AppRole:
          Type: AWS::IAM::Role
          Properties:
            AssumeRolePolicyDocument:
              Statement:
                - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
            Policies:
              - PolicyName: secrets
                PolicyDocument:
                  Statement:
                    - Effect: Allow
                      Action: [secretsmanager:GetSecretValue, secretsmanager:DeleteSecret]
                      Resource: !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*
        """)
    serverless = "service: app\nprovider: {name: aws}\nresources:\n  Resources:\n" + textwrap.indent(role, "    ")
    template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + textwrap.indent(role, "  ")
    report = lint({"sls/serverless.yml": serverless, "cfn/template.yaml": template})

    def relative(path: str, shift: tuple[int, int]) -> list[tuple]:
        return sorted((f.rule_id, f.resource, f.message, f.span.line - shift[0], f.span.column - shift[1])
                      for f in report.findings if f.path == path)

    expected = relative("cfn/template.yaml", (2, 2))
    assert expected and relative("sls/serverless.yml", (4, 4)) == expected


def test_variables_are_unknown_never_everything(lint, tmp_path):
    (tmp_path / "iam.yml").write_text("- {Effect: Allow, Action: 'secretsmanager:*', Resource: '*'}\n")
    text = textwrap.dedent("""\
        service: payments
        custom: {arn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:*'}
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: ${self:custom.action, 'secretsmanager:*'}
                  Resource: ${self:custom.arn}
                - Effect: Allow
                  Action: secretsmanager:GetSecretValue
                  Resource: arn:aws:secretsmanager:${aws:region}:${aws:accountId}:secret:${opt:stage}-*
                - ${file(./iam.yml)}
        """)
    report = lint({"serverless.yml": text})
    assert report.findings == [] and report.errors == []


def test_nested_variables_resolve_inside_out_to_unknown():
    from linter.formats.serverless.service import _without_variables
    from linter.model import UNKNOWN

    assert _without_variables("secret:${self:custom.${opt:stage}}-*") == f"secret:{UNKNOWN}-*"
    assert _without_variables("${AWS::Region}:${Db.Arn}") == "${AWS::Region}:${Db.Arn}"  # CloudFormation's own
    assert _without_variables("a${env:X}b${sls:stage}") == f"a{UNKNOWN}b{UNKNOWN}"


def test_a_serverless_yml_that_is_not_serverless_is_skipped(lint):
    report = lint({"serverless.yml": "plugins:\n  - a\nStatement: 1\n"})
    assert report.findings == [] and report.errors == [] and report.files_scanned == 0


def test_suppression_comments_and_syntax_errors(lint):
    suppressed = PROVIDER.replace("        - Effect: Allow\n", "        # policylint:ignore=SM001,SM011 reviewed\n        - Effect: Allow\n")
    report = lint({"serverless.yml": suppressed, "broken/serverless.yml": "service: x\nprovider: [\n"})
    assert {f.rule_id for f in report.findings} == {"SM002", "SM012"}
    assert sorted(s.finding.rule_id for s in report.suppressed) == ["SM001", "SM011"]
    (error,) = report.errors
    assert (error.path, error.line) == ("broken/serverless.yml", 3) and error.message.startswith("invalid YAML")


def test_secrets_in_resources_link_to_generated_role_statements_by_ref(lint):
    text = textwrap.dedent("""\
        service: payments
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: secretsmanager:GetSecretValue
                  Resource: !Ref DbSecret
        resources:
          Resources:
            DbSecret:
              Type: AWS::SecretsManager::Secret
              Properties:
                KmsKeyId: alias/app
        """)
    report = lint({"serverless.yml": text})
    assert "SM002" not in {f.rule_id for f in report.findings}  # one named secret, not every secret
    assert ("SM004", "DbSecret", Span(12, 5, 12, 13)) in _found(report)


def test_the_generated_role_policy_has_the_version_serverless_writes(lint):
    """Serverless writes `Version: "2012-10-17"` into the policy it generates, so a policy variable in a
    statement is expanded by IAM: no IAM006 "no Version" on a list the user could not give one to."""
    text = PROVIDER.replace("'secretsmanager:*'", "s3:GetObject").replace("Resource: '*'",
                                                                          "Resource: 'arn:aws:s3:::b/${*}/*'")
    report = lint({"serverless.yml": text})
    assert _found(report) == [] and report.errors == []
