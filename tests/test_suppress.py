"""Inline suppressions: comments in HCL and YAML, CloudFormation Metadata, reasons, unused ones reported."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from linter.config import Settings
from linter.filters import apply, covers
from linter.model import Finding, Span, Suppression
from linter.rules import load_rules
from linter.formats.cloudformation.syntax import YAML_COMMENTS
from linter.formats.terraform import HCL_COMMENTS
from linter.suppress import comment_start, parse_comments


@pytest.fixture(scope="module")
def shipped_rules():
    """The core rules only: these tests are about suppressions, not about which rules the catalog has."""
    return [rule for rule in load_rules() if rule.id in ("SM001", "SM002", "SM003", "SM004")]

WILDCARD_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
{comment}          - Effect: Allow
            Action: secretsmanager:*{eol}
            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf
"""


def template(comment: str = "", eol: str = "") -> str:
    return WILDCARD_TEMPLATE.format(comment=comment, eol=eol)


def test_comment_above_and_at_end_of_line():
    text = 'resource "a" "b" {\n  # policylint:ignore=SM001,sm002 reviewed: CI needs it\n\n  policy = 1 # policylint:ignore=SM003\n}\n'
    above, end = parse_comments("main.tf", text, HCL_COMMENTS)
    assert (above.target_line, above.rule_ids, above.reason) == (4, ("SM001", "SM002"), "reviewed: CI needs it")
    assert above.declared == Span(2, 3, 2, 56)
    assert (end.target_line, end.rule_ids, end.reason) == (4, ("SM003",), "")


def test_stacked_comments_target_the_same_block_and_hcl_slash_comments():
    text = '// policylint:ignore=SM001 one\n# policylint:ignore=SM004 two\nresource "x" "y" {}\n'
    assert [(s.target_line, s.rule_ids) for s in parse_comments("a.tf", text, HCL_COMMENTS)] == [(3, ("SM001",)), (3, ("SM004",))]


def test_markers_inside_strings_are_not_comments():
    assert comment_start('x = "# policylint:ignore=SM001"', HCL_COMMENTS) is None
    assert comment_start("url: http://example.com/#policylint:ignore=SM001", YAML_COMMENTS) is None
    assert comment_start("Action: 'a#b' # note", YAML_COMMENTS) == 14
    assert parse_comments("t.yaml", 'Description: "policylint:ignore=SM001"\n', YAML_COMMENTS) == []


def test_comment_without_rule_id_names_none():
    (s,) = parse_comments("t.yaml", "# policylint:ignore because\nResources: {}\n", YAML_COMMENTS)
    assert s.rule_ids == () and s.reason == "because"


def _finding(rule: str, line: int, context_lines: tuple[int, ...]) -> Finding:
    spans = tuple(Span(n, 1, n, 5) for n in (line, *context_lines))
    return Finding(rule, "high", "t", "m", "main.tf", spans[0], "r", f"fp-{rule}-{line}", spans)


def test_coverage_by_target_line_rule_and_path():
    s = Suppression("main.tf", 3, ("SM001",), "ok", Span(2, 1, 2, 20))
    assert covers(s, _finding("SM001", 7, (5, 3)))  # the resource block starts on line 3
    assert not covers(s, _finding("SM002", 7, (5, 3)))
    assert not covers(s, _finding("SM001", 9, (8,)))
    assert covers(Suppression("main.tf", 0, ("SM001",), "", Span(1, 1, 1, 2)), _finding("SM001", 9, ()))


def test_filter_reports_unused_unknown_and_idless():
    used = Suppression("main.tf", 3, ("SM001", "SM002"), "", Span(2, 1, 2, 30))
    unknown = Suppression("main.tf", 10, ("XX999",), "", Span(9, 1, 9, 30))
    idless = Suppression("main.tf", 12, (), "", Span(11, 1, 11, 30))
    result = apply([_finding("SM001", 3, ())], [used, unknown, idless], Settings(), {"SM001", "SM002"}, {"SM001", "SM002"})
    assert result.findings == [] and [s.suppression for s in result.suppressed] == [used]
    problems = [(u.suppression.declared.line, u.rule_ids, u.problem) for u in result.unused]
    assert problems == [
        (2, ("SM002",), "suppression of SM002 matches no finding"),
        (9, ("XX999",), "unknown rule id XX999"),
        (11, (), "names no rule id (write policylint:ignore=SM001 reason)"),
    ]


def test_unused_only_for_rules_that_ran():
    s = Suppression("main.tf", 3, ("SM002",), "", Span(2, 1, 2, 30))
    assert apply([], [s], Settings(), {"SM001"}, {"SM001", "SM002"}).unused == []


def test_yaml_comment_above_statement(lint):
    report = lint({"t.yaml": template(comment="          # policylint:ignore=SM001 reviewed by security, ticket SEC-1\n")})
    assert report.findings == []
    (item,) = report.suppressed
    assert (item.finding.rule_id, item.finding.span.line, item.suppression.reason) == ("SM001", 11, "reviewed by security, ticket SEC-1")
    assert report.unused_suppressions == []


def test_yaml_comment_at_end_of_element_line(lint):
    report = lint({"t.yaml": template(eol="  # policylint:ignore=SM001 legacy")})
    assert report.findings == [] and len(report.suppressed) == 1


def test_yaml_comment_above_resource_covers_its_block(lint):
    text = template().replace("  AppPolicy:\n", "  # policylint:ignore=SM001 whole policy\n  AppPolicy:\n")
    report = lint({"t.yaml": text})
    assert report.findings == [] and report.suppressed[0].suppression.reason == "whole policy"


def test_yaml_comment_above_the_policy_document_key_covers_that_document(lint):
    text = template().replace("      PolicyDocument:\n", "      # policylint:ignore=SM001 reviewed\n      PolicyDocument:\n")
    report = lint({"t.yaml": text})
    assert report.findings == [] and report.unused_suppressions == []
    assert [(i.finding.rule_id, i.finding.span.line) for i in report.suppressed] == [("SM001", 11)]


ROLE_POLICIES = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: first
{first}          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:*
                Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf
        - PolicyName: second
{second}          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:*
                Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf
"""


def test_yaml_comment_above_one_of_a_roles_policy_documents_covers_that_one_only(lint):
    comment = "          # policylint:ignore=SM001 the rotation's own\n"
    report = lint({"t.yaml": ROLE_POLICIES.format(first="", second=comment)})
    assert [(f.rule_id, f.span.line) for f in report.findings] == [("SM001", 16)]
    assert [(i.finding.rule_id, i.finding.span.line) for i in report.suppressed] == [("SM001", 23)]
    report = lint({"t.yaml": ROLE_POLICIES.format(first=comment, second="")})
    assert [(f.rule_id, f.span.line) for f in report.findings] == [("SM001", 23)]


def test_comment_for_another_rule_leaves_the_finding_and_is_reported(lint):
    report = lint({"t.yaml": template(eol="  # policylint:ignore=SM002")})
    assert [f.rule_id for f in report.findings] == ["SM001"]
    (unused,) = report.unused_suppressions
    assert (unused.suppression.declared.line, unused.rule_ids) == (10, ("SM002",))


def test_cloudformation_metadata_on_resource_yaml(lint):
    text = template().replace(
        "    Type: AWS::IAM::ManagedPolicy\n",
        "    Type: AWS::IAM::ManagedPolicy\n    Metadata:\n      policylint:\n        ignore:\n          - id: SM001\n            reason: break-glass role\n",
    )
    report = lint({"t.yaml": text})
    assert report.findings == []
    assert report.suppressed[0].suppression.reason == "break-glass role"


def test_cloudformation_metadata_in_json_template_and_root(lint):
    resource = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Metadata": {"policylint": {"ignore": [{"id": "SM001", "reason": "json template"}]}},
        "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"}]}},
    }
    other = json.loads(json.dumps(resource))
    del other["Metadata"]
    data = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": resource, "B": other}}
    report = lint({"t.json": json.dumps(data, indent=2)})
    assert [(f.rule_id, f.resource) for f in report.findings] == [("SM001", "B")]
    assert [s.finding.resource for s in report.suppressed] == ["A"]
    data["Metadata"] = {"policylint": {"ignore": [{"id": "SM001", "reason": "whole template"}]}}
    report = lint({"t.json": json.dumps(data, indent=2)})
    assert report.findings == [] and len(report.suppressed) == 2


def test_cloudformation_metadata_unused_is_reported(lint):
    text = template().replace(
        "    Type: AWS::IAM::ManagedPolicy\n",
        "    Type: AWS::IAM::ManagedPolicy\n    Metadata:\n      policylint:\n        ignore:\n          - id: SM003\n            reason: stale\n",
    )
    report = lint({"t.yaml": text})
    assert [f.rule_id for f in report.findings] == ["SM001"]
    assert [(u.rule_ids, u.suppression.reason) for u in report.unused_suppressions] == [(("SM003",), "stale")]


def test_json_report_lists_suppressed_and_unused(tmp_path, capsys):
    from test_cli import run_core as run_cli

    text = template(eol="  # policylint:ignore=SM001 reviewed") + "# policylint:ignore=SM004 nothing here\n"
    (tmp_path / "t.yaml").write_text(text)
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path, capsys)
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    (item,) = report["suppressed"]
    assert (item["rule_id"], item["line"], item["reason"], item["suppression"]) == ("SM001", 10, "reviewed", {"path": "t.yaml", "line": 10, "column": 39})
    assert report["unused_suppressions"] == [{
        "path": "t.yaml", "line": 12, "column": 1, "rule_ids": ["SM004"], "reason": "nothing here",
        "problem": "suppression of SM004 matches no finding",
    }]
    code, out, _ = run_cli(["check", "."], tmp_path, capsys)
    assert "t.yaml:12:1: WARNING unused suppression: suppression of SM004 matches no finding" in out
    assert out.rstrip().endswith("1 suppressed, 1 unused suppression")


TERRAFORM = '''\
# policylint:ignore=SM001 deploy role (SEC-1)
resource "aws_iam_policy" "deployer" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "secretsmanager:*"
      Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"
    }]
  })
}

resource "aws_iam_policy" "other" {
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = "secretsmanager:*" // policylint:ignore=SM001 element
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"
      },
      # policylint:ignore=SM001 statement
      {
        Effect   = "Allow"
        Action   = "secretsmanager:Get*"
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"
      },
      {
        Effect   = "Allow"
        Action   = "secretsmanager:Put*"  # policylint:ignore=SM002 wrong rule
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"
      }
    ]
  })
}
'''


def test_terraform_comments_on_resource_statement_and_element(lint):
    report = lint({"main.tf": TERRAFORM})
    assert [(f.rule_id, f.span.line) for f in report.findings] == [("SM001", 28)]
    assert [(s.finding.span.line, s.suppression.reason) for s in report.suppressed] == [
        (6, "deploy role (SEC-1)"), (17, "element"), (23, "statement"),
    ]
    assert [(u.suppression.declared.line, u.rule_ids) for u in report.unused_suppressions] == [(28, ("SM002",))]


def test_terraform_comment_covers_only_its_block(lint):
    text = TERRAFORM.replace("# policylint:ignore=SM001 deploy role (SEC-1)\n", "").replace(
        'resource "aws_iam_policy" "other" {', '# policylint:ignore=SM001 all of other\nresource "aws_iam_policy" "other" {'
    )
    report = lint({"main.tf": text})
    assert [(f.rule_id, f.resource) for f in report.findings] == [("SM001", "aws_iam_policy.deployer")]
    assert {s.finding.resource for s in report.suppressed} == {"aws_iam_policy.other"}


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# policylint: ignore=SM001 reviewed", "'policylint: ignore' is not a policylint directive"),
        ("# policylint:disable=SM001", "'policylint:disable' is not a policylint directive"),
        ("# policylint-ignore=SM001", "'policylint-ignore' is not a policylint directive"),
        ("# PolicyLint:Ignore=SM001", "'PolicyLint:Ignore' is not a policylint directive"),
        ("# policy-lint:ignore=SM001", "'policy-lint:ignore' is not a policylint directive"),
        ("# policylint noqa SM001", "'policylint noqa' is not a policylint directive"),
        ("# policylint:ignore SM001 reviewed", "missing '=' before the rule id"),
        ("# policylint:ignore= SM001", "no space may stand around '='"),
        ("# policylint:ignore =SM001", "no space may stand around '='"),
    ],
)
def test_mistyped_directives_are_reported_where_written(lint, comment, problem):
    text = template(comment=f"          {comment}\n")
    report = lint({"t.yaml": text})
    assert [f.rule_id for f in report.findings] == ["SM001"]  # the typo suppresses nothing
    (unused,) = report.unused_suppressions
    line = text.splitlines().index(f"          {comment}") + 1
    assert (unused.suppression.path, unused.suppression.declared) == ("t.yaml", Span(line, 11, line, 11 + len(comment)))
    assert unused.problem.startswith(problem) and unused.problem.endswith("(write policylint:ignore=SM001 reason)")
    assert unused.rule_ids == ()


def test_mistyped_directive_at_end_of_hcl_line_and_in_text_json_reports(tmp_path, capsys):
    from test_cli import run_core

    line = ('  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })'
            '  // policylint:disable=SM001,SM002')
    (tmp_path / "main.tf").write_text(f'resource "aws_iam_policy" "p" {{\n{line}\n}}\n')
    column = line.index("//") + 1
    code, out, _ = run_core(["check", ".", "--format", "json"], tmp_path, capsys)
    assert code == 1
    (unused,) = json.loads(out)["unused_suppressions"]
    assert (unused["path"], unused["line"], unused["column"], unused["rule_ids"]) == ("main.tf", 2, column, [])
    assert unused["problem"].startswith("'policylint:disable' is not a policylint directive")
    _, text, _ = run_core(["check", "."], tmp_path, capsys)
    assert f"main.tf:2:{column}: WARNING unused suppression: 'policylint:disable' is not a policylint directive" in text


@pytest.mark.parametrize(
    "comment",
    ["# policylint checks this file in CI", "# see policylint docs", "# policylint:ignore=SM001 fine", "# ignore=SM001"],
)
def test_comments_that_only_mention_policylint_are_not_typos(comment):
    from linter.suppress import directive_problem

    assert directive_problem(comment.lstrip("# ")) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40))
def test_any_comment_text_parses_without_error(body):
    for s in parse_comments("a.tf", f"# {body}\nresource \"x\" \"y\" {{}}\n", HCL_COMMENTS):
        assert s.declared.line == 1 and (s.problem == "" or s.rule_ids == ())
