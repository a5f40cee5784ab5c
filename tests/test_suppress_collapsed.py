"""Suppressing a finding that stands for several raw findings collapsed at one range.

One element reached by several statements (a Terraform local, a YAML anchor) gives one raw finding per
statement at the element's range, reported once. A suppression is judged on each of those raw findings as
it would be on a lone one: the finding is suppressed only when all of them are covered, a suppression that
covers any of them is used, and what stays reported speaks for the statements that are not suppressed.
"""
from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from linter.collapse import one_of
from linter.config import Settings
from linter.filters import apply, covers
from linter.model import Finding, RawFinding, Span, Suppression
from tf_helpers import at, places, run_check, write

# ---- Terraform: a local read by two statements of one document ---------------------------------------------

SHARED_LOCAL = """\
locals {{
  everywhere = ["*"]{element}
}}

data "aws_iam_policy_document" "app" {{
{describe}  statement {{
    sid       = "Describe"
    actions   = ["secretsmanager:DescribeSecret"]
    resources = local.everywhere
  }}
{read}  statement {{
    sid       = "Read"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.everywhere
  }}
}}

resource "aws_iam_policy" "app" {{
  policy = data.aws_iam_policy_document.app.json
}}
"""
DOCUMENT = "data.aws_iam_policy_document.app"
DESCRIBE = "'*' covers every secret: the statement allows the Secrets Manager action DescribeSecret"
READ = "'*' covers every secret: the statement allows the Secrets Manager action GetSecretValue"


def shared_local(describe: str = "", read: str = "", element: str = "") -> str:
    return SHARED_LOCAL.format(describe=describe, read=read, element=element)


def comment(rule: str, reason: str) -> str:
    return f"  # policylint:ignore={rule} {reason}\n"


def found(report: dict) -> list[tuple]:
    """Each finding as its place plus its message."""
    return [(*p, f["message"]) for p, f in zip(places(report), report["findings"])]


def unused(report: dict) -> list[tuple]:
    return [(u["path"], u["line"], u["column"], tuple(u["rule_ids"]), u["problem"]) for u in report["unused_suppressions"]]


def suppressed(report: dict) -> list[tuple]:
    return [(s["rule_id"], s["path"], s["line"], s["column"], s["end_line"], s["end_column"], s["resource"],
             s["message"], s["reason"], (s["suppression"]["line"], s["suppression"]["column"])) for s in report["suppressed"]]


def star(text: str) -> tuple[int, int, int, int]:
    s = at(text, '"*"')
    return (s.line, s.column, s.end_line, s.end_column)


def test_a_suppression_above_the_second_statement_is_used_and_the_first_still_reports(tmp_path: Path) -> None:
    """The bug: the kept raw finding is Describe's, so the suppression above Read was reported unused."""
    text = shared_local(read=comment("SM002", "reads are reviewed (SEC-7)"))
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM002")
    assert code == 1
    assert found(report) == [("SM002", "main.tf", *star(text), DOCUMENT, DESCRIBE)]
    assert report["suppressed"] == [] and unused(report) == []


def test_a_suppression_above_the_first_statement_no_longer_hides_the_second(tmp_path: Path) -> None:
    """The reverse: suppressing the kept statement hid the GetSecretValue grant on every secret. Now the
    finding stays, told as the statement that is not suppressed, and the suppression counts as used."""
    text = shared_local(describe=comment("SM002", "describe is harmless"))
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM002")
    assert code == 1
    assert found(report) == [("SM002", "main.tf", *star(text), DOCUMENT, READ)]
    assert report["suppressed"] == [] and unused(report) == []


def test_the_finding_is_suppressed_once_every_statement_is(tmp_path: Path) -> None:
    """Listed once, with the suppression of the statement written first; both comments are used."""
    text = shared_local(describe=comment("SM002", "one"), read=comment("SM002", "two"))
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM002")
    assert code == 0 and report["findings"] == [] and unused(report) == []
    first = at(text, "# policylint:ignore=SM002 one")
    assert suppressed(report) == [("SM002", "main.tf", *star(text), DOCUMENT, DESCRIBE, "one", (first.line, first.column))]


def test_a_suppression_at_the_shared_element_covers_every_statement(tmp_path: Path) -> None:
    text = shared_local(element=" # policylint:ignore=SM002 the local is the reviewed part")
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM002")
    assert code == 0 and report["findings"] == [] and unused(report) == []
    assert suppressed(report) == [("SM002", "main.tf", *star(text), DOCUMENT, DESCRIBE, "the local is the reviewed part", (2, 22))]


def test_a_second_suppression_of_a_covered_statement_is_unused_as_for_a_lone_finding(tmp_path: Path) -> None:
    """Each raw finding is judged as a lone one: the suppression found first (the element's line comes
    before the statement's) covers it, and one that then covers nothing is reported."""
    text = shared_local(element=" # policylint:ignore=SM002 the local", read=comment("SM002", "redundant"))
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM002")
    declared = at(text, "# policylint:ignore=SM002 redundant")
    assert report["findings"] == []
    assert unused(report) == [("main.tf", declared.line, declared.column, ("SM002",), "suppression of SM002 matches no finding")]


def test_a_suppression_of_another_rule_covers_no_statement(tmp_path: Path) -> None:
    text = shared_local(read=comment("SM001", "wrong rule"))
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM002")
    assert found(report) == [("SM002", "main.tf", *star(text), DOCUMENT, DESCRIBE)]
    declared = at(text, "# policylint:ignore=SM001")
    assert unused(report) == [("main.tf", declared.line, declared.column, ("SM001",), "suppression of SM001 matches no finding")]


def test_the_fingerprint_does_not_change_when_one_statement_is_suppressed(tmp_path: Path) -> None:
    """A baseline written before the suppression still knows the finding that stays: adding a reviewed
    exception for one statement must not make the other statement's finding look new."""
    write(tmp_path, {"main.tf": shared_local()})
    _, before, _ = run_check(tmp_path, ".", select="SM002")
    write_baseline(tmp_path)
    write(tmp_path, {"main.tf": shared_local(describe=comment("SM002", "describe is harmless"))})
    _, after, _ = run_check(tmp_path, ".", select="SM002")
    assert [f["fingerprint"] for f in after["findings"]] == [f["fingerprint"] for f in before["findings"]]
    assert [f["message"] for f in after["findings"]] == [READ]
    code, baselined, _ = run_check(tmp_path, ".", "--baseline", "base.json", select="SM002")
    assert code == 0 and baselined["findings"] == []


def write_baseline(cwd: Path) -> None:
    from linter.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        assert main(["check", ".", "--no-config", "--select", "SM002", "--write-baseline", "base.json"]) == 0
    finally:
        os.chdir(old)


# ---- Terraform: a local read by several resources (suppressions at the owner block) ------------------------

def owners_tree(marks: list[str], element: bool = False) -> str:
    """`local.actions` read by one policy per mark. A mark says where that policy's suppression goes:
    `-` none, `r` above the resource, `s` above its statement, `x` above the resource for another rule."""
    head = 'locals {\n  actions = ["secretsmanager:*"]' + (" # policylint:ignore=SM001 all of them" if element else "") + "\n}\n"
    blocks = []
    for i, mark in enumerate(marks):
        above = {"r": "# policylint:ignore=SM001 owner\n", "x": "# policylint:ignore=SM005 other rule\n"}.get(mark, "")
        statement = "      # policylint:ignore=SM001 statement\n" if mark == "s" else ""
        blocks.append(
            f'\n{above}resource "aws_iam_policy" "p{i}" {{\n  policy = jsonencode({{\n    Statement = [\n{statement}'
            '      {\n        Effect   = "Allow"\n        Action   = local.actions\n'
            f'        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:p{i}-AbCdEf"\n'
            "      }\n    ]\n  })\n}\n"
        )
    return head + "".join(blocks)


WILDCARD = "Action 'secretsmanager:*' grants 23 Secrets Manager actions, including GetSecretValue and DeleteSecret"


def test_a_suppression_above_the_second_owner_block_is_used(tmp_path: Path) -> None:
    text = owners_tree(["-", "r"])
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    element = at(text, '"secretsmanager:*"')
    assert found(report) == [("SM001", "main.tf", element.line, element.column, element.end_line, element.end_column,
                              "aws_iam_policy.p0", WILDCARD)]
    assert unused(report) == [] and report["suppressed"] == []


def test_with_the_first_owner_suppressed_the_finding_names_the_second(tmp_path: Path) -> None:
    text = owners_tree(["r", "-", "s"])
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert [(f["line"], f["column"], f["resource"]) for f in report["findings"]] == [(2, 14, "aws_iam_policy.p1")]
    assert unused(report) == []


def expected_owners(marks: list[str], element: bool) -> tuple[list[str], list[tuple[int, str]]]:
    """The oracle: resources still reported (the first speaks) and the (line, reason) of the suppression a
    fully suppressed finding is listed with (the first policy's, the element's comment winning as the
    earliest line)."""
    open_ = [f"aws_iam_policy.p{i}" for i, m in enumerate(marks) if m not in "rs" and not element]
    if open_:
        return open_[:1], []
    if element:
        return [], [(2, "all of them")]
    return [], [(-1, "owner" if marks[0] == "r" else "statement")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marks=st.lists(st.sampled_from("-rsx"), min_size=1, max_size=4), element=st.booleans())
def test_any_choice_of_suppressed_statements(tmp_path: Path, marks: list[str], element: bool) -> None:
    """Over which policies carry a suppression (and of which rule): reported iff some policy's raw finding
    is not covered, as that policy; every SM001 suppression is used; the other rule's ones are not."""
    text = owners_tree(marks, element)
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM005")
    reported, listed = expected_owners(marks, element)
    assert [f["resource"] for f in report["findings"] if f["rule_id"] == "SM001"] == reported
    shown = [(s["suppression"]["line"], s["reason"]) for s in report["suppressed"]]
    if listed and listed[0][0] == -1:  # the first policy's own comment: its line is found in the text
        declared = at(text, f"# policylint:ignore=SM001 {listed[0][1]}")
        listed = [(declared.line, listed[0][1])]
    assert shown == listed
    # Each raw finding takes the suppression found first: with the element's comment, the owners' and
    # statements' comments cover nothing left; the other rule's never do.
    idle = ("ignore=SM005", "ignore=SM001 owner", "ignore=SM001 statement") if element else ("ignore=SM005",)
    expected = [(n, (line.split("ignore=")[1][:5],)) for n, line in enumerate(text.split("\n"), 1) if any(m in line for m in idle)]
    assert [(u["line"], tuple(u["rule_ids"])) for u in report["unused_suppressions"]] == expected


# ---- Terraform: a caller's value fed to two statements of a child module ---------------------------------

CHILD = """\
variable "actions" {
  type = list(string)
}

data "aws_iam_policy_document" "this" {
  statement {
    actions   = var.actions
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"]
  }
  # policylint:ignore=SM001 the child cannot vouch for its caller's value
  statement {
    actions   = var.actions
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-AbCdEf"]
  }
}

resource "aws_iam_policy" "this" {
  policy = data.aws_iam_policy_document.this.json
}
"""
CALLER = """\
module "pol" {{
  source  = "./modules/pol"
  actions = ["secretsmanager:*"]{mark}
}}
"""


def test_a_callers_value_is_suppressed_where_the_caller_wrote_it(tmp_path: Path) -> None:
    """Both statements' raw findings lie at the caller's element, in the caller's file: only a suppression
    there covers them (as for a lone one), and then both; the child's comment covers neither."""
    caller = CALLER.format(mark="")
    write(tmp_path, {"main.tf": caller, "modules/pol/main.tf": CHILD})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    element = at(caller, '"secretsmanager:*"')
    assert found(report) == [("SM001", "main.tf", element.line, element.column, element.end_line, element.end_column,
                              "module.pol.data.aws_iam_policy_document.this", WILDCARD)]
    declared = at(CHILD, "# policylint:ignore=SM001")
    stale = ("modules/pol/main.tf", declared.line, declared.column, ("SM001",), "suppression of SM001 matches no finding")
    assert unused(report) == [stale]
    write(tmp_path, {"main.tf": CALLER.format(mark=" # policylint:ignore=SM001 reviewed")})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert code == 0 and report["findings"] == [] and unused(report) == [stale]
    assert [(s["line"], s["column"], s["reason"]) for s in report["suppressed"]] == [(3, 14, "reviewed")]


# ---- YAML anchors: CloudFormation and Serverless ----------------------------------------------------------

ANCHORED = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  APolicy:
    Type: AWS::IAM::ManagedPolicy{a_meta}
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: &wild secretsmanager:*
            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf
  BPolicy:
    Type: AWS::IAM::ManagedPolicy{b_meta}
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
{b_comment}          - Effect: Allow
            Action: *wild
            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-AbCdEf
{root}"""
METADATA = "\n    Metadata:\n      policylint:\n        ignore:\n          - id: SM001\n            reason: {}"


def anchored(a_meta: str = "", b_meta: str = "", b_comment: str = "", root: str = "") -> str:
    return ANCHORED.format(a_meta=METADATA.format(a_meta) if a_meta else "", b_meta=METADATA.format(b_meta) if b_meta else "",
                           b_comment=b_comment, root=root)


def anchor_place(text: str, owner: str) -> tuple:
    s = at(text, "&wild secretsmanager:*")
    return ("SM001", "template.yaml", s.line, s.column, s.end_line, s.end_column, owner, WILDCARD)


def test_cloudformation_metadata_on_the_alias_owner_is_used(tmp_path: Path) -> None:
    text = anchored(b_meta="b is reviewed")
    write(tmp_path, {"template.yaml": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert found(report) == [anchor_place(text, "APolicy")]
    assert unused(report) == [] and report["suppressed"] == []


def test_cloudformation_metadata_on_the_anchor_owner_reports_the_alias_owner(tmp_path: Path) -> None:
    text = anchored(a_meta="a is reviewed")
    write(tmp_path, {"template.yaml": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert found(report) == [anchor_place(text, "BPolicy")]
    assert unused(report) == []


def test_cloudformation_comment_above_the_alias_statement_and_metadata_suppress_together(tmp_path: Path) -> None:
    text = anchored(a_meta="a is reviewed", b_comment="          # policylint:ignore=SM001 b is reviewed\n")
    write(tmp_path, {"template.yaml": text})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert code == 0 and report["findings"] == [] and unused(report) == []
    assert [(s["resource"], s["reason"]) for s in report["suppressed"]] == [("APolicy", "a is reviewed")]


def test_cloudformation_root_metadata_covers_every_owner(tmp_path: Path) -> None:
    text = anchored(root="Metadata:\n  policylint:\n    ignore:\n      - id: SM001\n        reason: whole template\n")
    write(tmp_path, {"template.yaml": text})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert code == 0 and report["findings"] == [] and unused(report) == []
    assert [s["reason"] for s in report["suppressed"]] == ["whole template"]


SERVERLESS = """\
service: app
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::app/*
{a}        - Effect: Allow
          Action: &wild "secretsmanager:*"
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf
{b}        - Effect: Allow
          Action: *wild
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-AbCdEf
"""


def test_serverless_statements_sharing_an_anchor(tmp_path: Path) -> None:
    mark = "        # policylint:ignore=SM001 {}\n"
    write(tmp_path, {"serverless.yml": SERVERLESS.format(a="", b=mark.format("b"))})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    element = at(SERVERLESS, '&wild "secretsmanager:*"')
    assert places(report) == [("SM001", "serverless.yml", element.line, element.column, element.end_line,
                               element.end_column, "IamRoleLambdaExecution")]
    assert unused(report) == []
    write(tmp_path, {"serverless.yml": SERVERLESS.format(a=mark.format("a"), b=mark.format("b"))})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert code == 0 and report["findings"] == [] and unused(report) == [] and len(report["suppressed"]) == 1


def test_jobs_give_the_same_bytes(tmp_path: Path) -> None:
    write(tmp_path, {
        "tf/a.tf": shared_local(describe=comment("SM002", "one")),
        "tf/b/main.tf": owners_tree(["r", "-", "s", "x"]),
        "cfn/template.yaml": anchored(a_meta="a is reviewed"),
        "sls/serverless.yml": SERVERLESS.format(a="", b="        # policylint:ignore=SM001 b\n"),
    })
    _, _, one = run_check(tmp_path, ".", "--jobs", "1")
    _, _, two = run_check(tmp_path, ".", "--jobs", "2")
    assert one == two


# ---- the filter itself, over raw findings with different elements and messages ----------------------------

def raw(n: int, element: str, message: str) -> RawFinding:
    """The n-th statement's raw finding at the shared element on line 1, its statement on line 10 * (n + 1)."""
    statement = Span(10 * (n + 1), 1, 10 * (n + 1) + 5, 2)
    return RawFinding("SM001", "main.tf", Span(1, 1, 1, 9), f"r{n}", element, message, (Span(1, 1, 1, 9), statement, Span(9, 1, 99, 2)),
                      (("", Span(0, 0, 0, 0)), ("main.tf", statement, n)))


def collapsed(parts: list[RawFinding]) -> Finding:
    kept = one_of(parts)
    return Finding("SM001", "high", "t", kept.message, "main.tf", kept.span, kept.owner, "fp", kept.context, tuple(parts))


PARTS = [raw(0, "a:List*", "List"), raw(1, "a:Get*", "Get"), raw(2, "a:Describe*", "Describe"), raw(3, "a:Put*", "Put")]


def above(n: int, rule: str = "SM001") -> Suppression:
    return Suppression("main.tf", 10 * (n + 1), (rule,), f"s{n}", Span(10 * (n + 1) - 1, 1, 10 * (n + 1) - 1, 30))


def test_here_too_names_only_the_elements_not_suppressed() -> None:
    result = apply([collapsed(PARTS)], [above(0), above(2)], Settings(), {"SM001"}, {"SM001"})
    (finding,) = result.findings
    assert (finding.message, finding.resource, finding.context) == ("Get (here too: 'a:Put*')", "r1", PARTS[1].context)
    assert finding.fingerprint == "fp" and result.unused == [] and result.suppressed == []


@given(covered=st.lists(st.sampled_from(["none", "own", "other rule", "file"]), min_size=1, max_size=4))
def test_any_choice_of_covered_raw_findings(covered: list[str]) -> None:
    """Each raw finding covered or not, judged one by one by brute force (`covers` on each suppression)."""
    parts = PARTS[:len(covered)]
    marks = {"own": lambda n: above(n), "other rule": lambda n: above(n, "SM002"),
             "file": lambda n: Suppression("main.tf", 0, ("SM001",), f"f{n}", Span(1, 1, 1, 30))}
    suppressions = [marks[c](n) for n, c in enumerate(covered) if c in marks]
    result = apply([collapsed(parts)], suppressions, Settings(), {"SM001", "SM002"}, {"SM001", "SM002"})
    def first_cover(part: RawFinding) -> Suppression | None:  # a file-level one, else by target line
        return next(iter(sorted((s for s in suppressions if covers(s, part)), key=lambda s: s.target_line)), None)

    rest = [p for p in parts if first_cover(p) is None]
    if rest:
        assert [(f.message, f.resource) for f in result.findings] == [(one_of(rest).message, rest[0].owner)]
        assert result.suppressed == []
    else:
        assert result.findings == [] and [s.suppression for s in result.suppressed] == [first_cover(parts[0])]
    used = {first_cover(p) for p in parts} - {None}
    assert {u.suppression for u in result.unused} == set(suppressions) - used


SHARED_WINDOW = ('locals {\n  window = 0\n}\n\n'
                 'resource "aws_secretsmanager_secret" "a" {\n  name                    = "a"\n'
                 '  recovery_window_in_days = local.window\n}\n\n'
                 '{comment}resource "aws_secretsmanager_secret" "b" {\n  name                    = "b"\n'
                 '  recovery_window_in_days = local.window\n}\n')


def test_a_fix_is_not_offered_where_the_element_is_also_read_by_a_suppressed_statement(tmp_path, monkeypatch) -> None:
    """Two secrets read one local window of 0; the user suppressed SM007 on `b` on purpose. A's finding
    stays reported at the local, but fixing it would change `b` too: `--fix` leaves the file as it is.
    Without the suppression the same fix is applied."""
    from linter.cli import main

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "main.tf"
    for comment, code, window in (("# policylint:ignore=SM007 a test secret, deleted at once\n", 1, "0"), ("", 0, "30")):
        text = SHARED_WINDOW.replace("{comment}", comment)
        path.write_text(text, encoding="utf-8")
        assert main(["check", "--no-config", "--select", "SM007", "--fix", "."]) == code
        assert path.read_text(encoding="utf-8") == text.replace("window = 0", f"window = {window}")
