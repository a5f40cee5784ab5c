"""Comment suppressions in a `serverless.yml` cover what they are written above, as in a template.

The document Serverless makes of a `statements:` (`iamRoleStatements:`) list starts at that key, so a
comment above the key covers the whole list while one above (or at the end of) a statement's first line
covers that statement only, even the first; managed policy ARNs are covered from their own key. Each case
runs the CLI and checks the JSON report: the exact finding ranges, the `suppressed` entries and the
suppressions reported as unused.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from linter.model import Span
from tf_helpers import at, places, run_check, write

ACTIONS = ('"secretsmanager:*"', '"secretsmanager:Get*"', '"secretsmanager:Put*"', '"secretsmanager:Describe*"')
ARNS = tuple(f"arn:aws:secretsmanager:eu-west-1:111122223333:secret:{n}-AbCdEf" for n in "abcd")
FIRST, SECOND = ACTIONS[:2]
UNUSED = "suppression of SM001 matches no finding"

# Where each layout writes its statements: the lines before the key, the key, its indent, the role's id.
LAYOUTS = {
    "provider.iam.role": ("service: app\nprovider:\n  name: aws\n  iam:\n    role:\n", "statements", 6, "IamRoleLambdaExecution"),
    "provider.iamRoleStatements": ("service: app\nprovider:\n  name: aws\n", "iamRoleStatements", 2, "IamRoleLambdaExecution"),
    "functions.rotate": (
        "service: app\nprovider:\n  name: aws\nfunctions:\n  rotate:\n    handler: h.rotate\n",
        "iamRoleStatements", 4, "RotateIamRoleLambdaExecution",
    ),
}


def service(layout: str, key: str = "", above: dict[int, str] | None = None, end: dict[int, str] | None = None,
            count: int = 2) -> str:
    """`count` statements under the layout's key, each with an SM001 finding at its action (`ACTIONS`); the
    comments given (reasons) go above the key, above statement i (`above`) or at the end of its first line
    (`end`)."""
    head, name, indent, _ = LAYOUTS[layout]
    pad, item = " " * indent, " " * (indent + 2)
    above, end = above or {}, end or {}
    text = head + (f"{pad}# policylint:ignore=SM001 {key}\n" if key else "") + f"{pad}{name}:\n"
    for i, (action, arn) in enumerate(zip(ACTIONS[:count], ARNS)):
        text += f"{item}# policylint:ignore=SM001 {above[i]}\n" if i in above else ""
        text += f"{item}- Effect: Allow" + (f"  # policylint:ignore=SM001 {end[i]}" if i in end else "") + "\n"
        text += f"{item}  Action: {action}\n{item}  Resource: {arn}\n"
    return text


def finding(text: str, layout: str, element: str) -> tuple:
    s = at(text, element)
    return ("SM001", "serverless.yml", s.line, s.column, s.end_line, s.end_column, LAYOUTS[layout][3])


def suppressed(report: dict) -> list[tuple]:
    """Each suppressed finding as its place, reason and the position of the comment that suppressed it."""
    return [(s["rule_id"], s["path"], s["line"], s["column"], s["end_line"], s["end_column"], s["resource"], s["reason"],
             (s["suppression"]["line"], s["suppression"]["column"])) for s in report["suppressed"]]


def unused(report: dict) -> list[tuple]:
    return [(u["path"], u["line"], u["column"], tuple(u["rule_ids"]), u["problem"]) for u in report["unused_suppressions"]]


def comment_at(text: str, reason: str) -> tuple[int, int]:
    s = at(text, f"# policylint:ignore=SM001 {reason}")
    return s.line, s.column


def check(tmp_path: Path, text: str) -> tuple[int, dict]:
    write(tmp_path, {"serverless.yml": text})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    return code, report


@pytest.mark.parametrize("layout", LAYOUTS)
def test_without_comments_each_statement_has_its_finding(tmp_path: Path, layout: str) -> None:
    text = service(layout)
    code, report = check(tmp_path, text)
    assert code == 1 and places(report) == [finding(text, layout, FIRST), finding(text, layout, SECOND)]
    assert report["suppressed"] == [] and unused(report) == []


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("where", "covered", "kept"), [
    ({"above": {0: "reviewed"}}, FIRST, SECOND), ({"end": {0: "reviewed"}}, FIRST, SECOND), ({"above": {1: "reviewed"}}, SECOND, FIRST),
], ids=["above first", "end of first", "above second"])
def test_a_comment_at_a_statement_covers_that_statement_only(tmp_path: Path, layout: str, where: dict, covered: str, kept: str) -> None:
    """Above the first statement, at the end of its first line, or above a later one: the first statement's
    line is not where the document starts, so only that statement is covered."""
    text = service(layout, **where)
    code, report = check(tmp_path, text)
    assert code == 1 and places(report) == [finding(text, layout, kept)]
    assert suppressed(report) == [(*finding(text, layout, covered), "reviewed", comment_at(text, "reviewed"))]
    assert unused(report) == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_comment_above_the_statements_key_covers_the_whole_list(tmp_path: Path, layout: str) -> None:
    text = service(layout, key="whole list")
    code, report = check(tmp_path, text)
    assert code == 0 and report["findings"] == [] and unused(report) == []
    where = comment_at(text, "whole list")
    assert suppressed(report) == [(*finding(text, layout, FIRST), "whole list", where),
                                  (*finding(text, layout, SECOND), "whole list", where)]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_second_comment_for_a_statement_the_key_already_covers_is_unused(tmp_path: Path, layout: str) -> None:
    text = service(layout, key="whole list", above={0: "first reviewed"})
    code, report = check(tmp_path, text)
    assert code == 0 and report["findings"] == []
    # As everywhere, the comment written first (the outer one) is the one that covers a finding.
    assert [(s[2], s[7]) for s in suppressed(report)] == [(at(text, FIRST).line, "whole list"),
                                                          (at(text, SECOND).line, "whole list")]
    line, column = comment_at(text, "first reviewed")
    assert unused(report) == [("serverless.yml", line, column, ("SM001",), UNUSED)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(sorted(LAYOUTS)), key=st.booleans(),
       marks=st.lists(st.sampled_from(["none", "above", "end"]), min_size=1, max_size=len(ACTIONS)))
def test_any_choice_of_commented_statements(tmp_path: Path, layout: str, key: bool, marks: list[str]) -> None:
    """Over how many statements and which carry a comment (above or at the end of their first line), with or
    without one above the key: a statement's finding is suppressed iff the key or that statement is
    commented; the key's comment covers first, so a statement's own one is then unused, else used."""
    above = {i: f"s{i}" for i, m in enumerate(marks) if m == "above"}
    end = {i: f"s{i}" for i, m in enumerate(marks) if m == "end"}
    text = service(layout, key="key" if key else "", above=above, end=end, count=len(marks))
    code, report = check(tmp_path, text)
    covered = [i for i, m in enumerate(marks) if key or m != "none"]
    assert places(report) == [finding(text, layout, ACTIONS[i]) for i in range(len(marks)) if i not in covered]
    assert [(s[2], s[7]) for s in suppressed(report)] == [
        (at(text, ACTIONS[i]).line, "key" if key else f"s{i}") for i in covered
    ]
    idle = sorted(comment_at(text, f"s{i}") for i in {**above, **end}) if key else []
    assert unused(report) == [("serverless.yml", *where, ("SM001",), UNUSED) for where in idle]
    assert code == (1 if len(covered) < len(marks) else 0)


@pytest.mark.parametrize(("layout", "container"), [
    ("provider.iam.role", "    role:\n"), ("provider.iam.role", "  iam:\n"), ("provider.iamRoleStatements", "provider:\n"),
    ("functions.rotate", "  rotate:\n"),
])
def test_a_comment_above_the_keys_holding_the_list_covers_nothing_and_is_reported(tmp_path: Path, layout: str, container: str) -> None:
    """`iam:`, `role:`, `provider:` and a function hold more than these statements; a comment there is reported
    unused (and the findings stay), never taken for one above the list."""
    base = service(layout)
    indent = container[: len(container) - len(container.lstrip())]
    text = base.replace(container, f"{indent}# policylint:ignore=SM001 too wide\n{container}", 1)
    code, report = check(tmp_path, text)
    assert code == 1 and places(report) == [finding(text, layout, FIRST), finding(text, layout, SECOND)]
    line, column = comment_at(text, "too wide")
    assert report["suppressed"] == [] and unused(report) == [("serverless.yml", line, column, ("SM001",), UNUSED)]


def test_provider_and_function_lists_are_covered_apart(tmp_path: Path) -> None:
    """A comment above the provider's first statement covers nothing of a function's list, and one above the
    function's `iamRoleStatements:` nothing of the provider's."""
    provider = service("provider.iam.role", above={0: "provider first"})
    function = service("functions.rotate", key="rotate list").split("functions:\n", 1)[1]
    text = provider + "functions:\n" + function
    code, report = check(tmp_path, text)
    shared = at(text, SECOND)
    second_function = at(text, SECOND, 2)
    assert code == 1 and places(report) == [
        ("SM001", "serverless.yml", shared.line, shared.column, shared.end_line, shared.end_column, "IamRoleLambdaExecution"),
    ]
    assert [(s[2], s[6], s[7]) for s in suppressed(report)] == [
        (at(text, FIRST).line, "IamRoleLambdaExecution", "provider first"),
        (at(text, FIRST, 2).line, "RotateIamRoleLambdaExecution", "rotate list"),
        (second_function.line, "RotateIamRoleLambdaExecution", "rotate list"),
    ]
    assert unused(report) == []


MANAGED = """\
service: app
provider:
  name: aws
  iam:
    role:
{statements}      statements:
        - Effect: Allow
          Action: "secretsmanager:*"
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf
{managed}      managedPolicies:
        - arn:aws:iam::aws:policy/SecretsManagerReadWrite
"""


@pytest.mark.parametrize("commented", ["statements", "managed"])
def test_statements_and_managed_policies_are_covered_from_their_own_key(tmp_path: Path, commented: str) -> None:
    """The role Serverless generates holds both, but a comment above `statements:` covers the statements and
    one above `managedPolicies:` the attached policies, not the other's findings."""
    mark = "      # policylint:ignore=SM001 reviewed\n"
    text = MANAGED.format(**{"statements": "", "managed": "", commented: mark})
    code, report = check(tmp_path, text)
    inline, attached = at(text, '"secretsmanager:*"'), at(text, "arn:aws:iam::aws:policy/SecretsManagerReadWrite")
    kept, covered = (attached, inline) if commented == "statements" else (inline, attached)
    assert code == 1 and [(f[2], f[3], f[4], f[5]) for f in places(report)] == [(kept.line, kept.column, kept.end_line, kept.end_column)]
    assert [(s[2], s[3], s[4], s[5], s[7]) for s in suppressed(report)] == [
        (covered.line, covered.column, covered.end_line, covered.end_column, "reviewed"),
    ]
    assert unused(report) == []


ALIASED = """\
service: app
provider:
  name: aws
  iam:
    role:
{anchor}      statements: &shared
        - Effect: Allow
          Action: "secretsmanager:*"
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf
functions:
  rotate:
    handler: h.rotate
{alias}    iamRoleStatements: *shared
"""


@pytest.mark.parametrize(("commented", "speaker"), [("anchor", "RotateIamRoleLambdaExecution"), ("alias", "IamRoleLambdaExecution")])
def test_a_list_shared_by_an_alias_is_covered_per_key(tmp_path: Path, commented: str, speaker: str) -> None:
    """Both roles read the anchored statements, so the one finding stands for both: a comment above one of
    the keys covers that key's role only, and the finding stays, told as the other role's."""
    indent = "      " if commented == "anchor" else "    "
    text = ALIASED.format(**{"anchor": "", "alias": "", commented: f"{indent}# policylint:ignore=SM001 one role\n"})
    code, report = check(tmp_path, text)
    element = at(text, '"secretsmanager:*"')
    assert code == 1 and places(report) == [
        ("SM001", "serverless.yml", element.line, element.column, element.end_line, element.end_column, speaker),
    ]
    assert report["suppressed"] == [] and unused(report) == []


def test_the_document_starts_at_its_key() -> None:
    """What a document-level finding is reported at: from the `statements:` key to the end of the list (it
    used to start on the first statement's line, which made a comment there cover the whole document)."""
    from linter.formats.api import Source
    from linter.formats.serverless.service import extract
    from linter.discover import SourceFile

    text = service("provider.iam.role")
    (document,) = extract(Source(SourceFile(Path("serverless.yml"), "serverless.yml"), text)).documents
    key, last = at(text, "statements:"), at(text, f"Resource: {ARNS[1]}")
    assert document.where == Span(key.line, key.column, last.end_line, last.end_column)
    assert document.owner_span == document.where
    assert [s.node.span.line for s in document.statements] == [at(text, "- Effect").line, at(text, "- Effect", 2).line]


# ---- the editor's "ignore" quick fix ------------------------------------------------------------------

FIRST_LINE_ELEMENTS = """\
service: app
provider:
  name: aws
  iam:
    role:
      statements:
        - Action: "secretsmanager:*"
          Effect: Allow
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf
        - {Effect: Allow, Action: "secretsmanager:Get*", Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-AbCdEf"}
        - Effect: Allow
          Action: "secretsmanager:Put*"
          Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:c-AbCdEf
"""


@pytest.mark.parametrize("element", ['"secretsmanager:*"', '"secretsmanager:Get*"'])
def test_the_ignore_quick_fix_covers_only_its_statement(tmp_path: Path, element: str) -> None:
    """The element is on its statement's first line (block or flow style), so the quick fix's comment goes
    above that statement: once applied, that finding is suppressed and the other statements' stay."""
    from lsprotocol.types import Position
    from pygls.workspace.position_codec import PositionCodec

    from linter import lsp

    text = FIRST_LINE_ELEMENTS
    write(tmp_path, {"serverless.yml": text})
    uri = (tmp_path / "serverless.yml").as_uri()
    diagnostics = [d for d in lsp.lint_buffer(text, "serverless.yml", lsp.folder_context(tmp_path), PositionCodec())
                   if d.code == "SM001"]
    target = at(text, element)
    (diagnostic,) = [d for d in diagnostics if (d.range.start.line, d.range.start.character) == (target.line - 1, target.column - 1)]
    (action,) = lsp.ignore_actions(uri, "serverless.yml", text, [diagnostic])
    (edit,) = action.edit.changes[uri]
    assert edit.range.start == edit.range.end == Position(target.line - 1, 0)
    assert edit.new_text == f"        # policylint:ignore=SM001 {lsp.IGNORE_REASON}\n"
    lines = text.split("\n")
    fixed = "\n".join(lines[: target.line - 1] + [edit.new_text.rstrip("\n")] + lines[target.line - 1 :])
    code, report = check(tmp_path, fixed)
    others = [e for e in ('"secretsmanager:*"', '"secretsmanager:Get*"', '"secretsmanager:Put*"') if e != element]
    assert code == 1 and [(f[2], f[3]) for f in places(report)] == [(at(fixed, e).line, at(fixed, e).column) for e in others]
    assert [(s[2], s[3], s[7]) for s in suppressed(report)] == [(target.line + 1, target.column, lsp.IGNORE_REASON)]
    assert unused(report) == []
