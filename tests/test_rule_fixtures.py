"""Per-rule annotated fixtures (semgrep style) with a findings snapshot beside each (cfn-lint style).

`tests/rule_fixtures/README.md` documents the layout and the annotation grammar. For every fixture, the
findings of its rule (and of any other rule its annotations name) must be exactly the annotated spans, and
must equal the snapshot `<fixture>.findings.json`. After a deliberate change, regenerate the snapshots with
POLICYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_rule_fixtures.py  and review the diff.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rule_fixture_support as rf
from conftest import lint_files
from linter.model import Span

FIXTURES = rf.discover()
UPDATE = os.environ.get("POLICYLINT_UPDATE_SNAPSHOTS") == "1"


def fixture_format(path: Path) -> str:
    """The example format a fixture exercises, from its name: the part before the first '-' or '.', with
    `-json` for a JSON file (`cloudformation.json`, `terraform.tf.json`); `policy*.json` is `json`.

    So a new format's fixtures need no change here: `serverless.yml` exercises the format `serverless`.
    """
    stem = path.name.split(".")[0].split("-")[0]
    if stem == "policy":
        return "json"
    return f"{stem}-json" if path.is_file() and path.suffix == ".json" else stem


def required_formats(rule) -> set[str]:
    """The formats a shipped rule applies to: those of its examples, CloudFormation in both its syntaxes."""
    formats = {example.format for example in rule.examples}
    if "cloudformation" in formats:
        formats.add("cloudformation-json")
    return formats


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fixture(fixture, tmp_path, shipped_rules):
    assert rf.annotation_problems(fixture) == []
    report = lint_files(tmp_path, fixture.files, shipped_rules)
    assert report.errors == []
    assert rf.mismatches(fixture, report.findings) == []
    records = [rf.finding_record(f, fixture.path.is_file()) for f in report.findings if f.rule_id in fixture.checked_rules]
    text = rf.snapshot_text(records)
    if UPDATE:
        fixture.snapshot.write_text(text, encoding="utf-8", newline="\n")
    assert fixture.snapshot.is_file(), f"missing {fixture.snapshot.name}: run with POLICYLINT_UPDATE_SNAPSHOTS=1"
    assert fixture.snapshot.read_text(encoding="utf-8") == text, (
        f"{fixture.snapshot.name} is stale; if the change is intended, regenerate with "
        "POLICYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_rule_fixtures.py")


def test_every_shipped_rule_has_fixtures_for_each_format_it_applies_to(shipped_rules):
    covered: dict[str, set[str]] = {}
    for fixture in FIXTURES:
        covered.setdefault(fixture.rule_id, set()).add(fixture_format(fixture.path))
    missing = {rule.id: sorted(required_formats(rule) - covered.get(rule.id, set())) for rule in shipped_rules}
    assert {rule_id: formats for rule_id, formats in missing.items() if formats} == {}


def test_fixture_folders_are_named_after_shipped_rules(shipped_rules):
    assert {f.rule_id for f in FIXTURES} <= {rule.id for rule in shipped_rules}


def test_every_snapshot_and_sidecar_belongs_to_a_fixture():
    parts = {f.path for f in FIXTURES} | {f.path / name for f in FIXTURES if f.path.is_dir() for name in f.files}
    leftovers = [p for p in rf.ROOT.rglob("*") if p.name.endswith((rf.SNAPSHOT, rf.SIDECAR))
                 and Path(str(p).removesuffix(rf.SNAPSHOT).removesuffix(rf.SIDECAR)) not in parts]
    assert leftovers == []


def test_every_todo_annotation_is_a_known_gap_listed_in_the_rule(shipped_rules):
    gaps = {rule.id: set(rule.known_gaps) for rule in shipped_rules}
    used: dict[str, set[str]] = {}
    unlisted = []
    for fixture in FIXTURES:
        for e in fixture.expectations:
            if e.kind.startswith("todo"):
                used.setdefault(e.rule_id, set()).add(e.gap)
                if e.gap not in gaps.get(e.rule_id, set()):
                    unlisted.append(f"{fixture.name}: {e.path}:{e.written_at}: {e.rule_id} gap={e.gap}")
    assert unlisted == []
    # A gap the fixtures no longer show (fixed, or its fixture removed) must leave the rule's doc too.
    assert {r: sorted(g - used.get(r, set())) for r, g in gaps.items() if g - used.get(r, set())} == {}


def test_known_gaps_are_in_the_generated_rule_docs_and_in_explain(shipped_rules):
    from linter.docs import rule_markdown
    from linter.report.rules_format import explain

    for rule in shipped_rules:
        page, explained = rule_markdown(rule), explain(rule)
        assert ("## Known gaps" in page) == ("\nKnown gaps\n" in explained) == bool(rule.known_gaps)
        for slug, text in rule.known_gaps.items():
            assert f"- {text.strip()} (`{slug}`)" in page and f"  {text.strip()}\n" in explained


def test_a_rule_lists_known_gaps_by_slug(tmp_path):
    from linter.rules import RuleError, load_rules
    from test_rule_files import GOOD, write_rule

    gaps = "known_gaps:\n  via-notaction: An Allow with NotAction that leaves DeleteSecret is not reported.\n"
    (rule,) = [r for r in load_rules((write_rule(tmp_path, GOOD + gaps),)) if r.id == "ACME001"]
    assert rule.known_gaps == {"via-notaction": "An Allow with NotAction that leaves DeleteSecret is not reported."}
    with pytest.raises(RuleError) as caught:
        load_rules((write_rule(tmp_path, GOOD + gaps.replace("via-notaction", "Via NotAction")),))
    assert (caught.value.key, caught.value.line) == ("known_gaps", 21)  # the line of `known_gaps:`


# The harness itself: the grammar, and that it fails when findings and annotations disagree.

def _finding(path: str, rule_id: str, *span: int, message: str = "m") -> SimpleNamespace:
    """A stand-in with the attributes of a finding that the harness reads."""
    return SimpleNamespace(path=path, rule_id=rule_id, span=Span(*span), resource="r", message=message)


def _fixture(text: str, name: str = "t.tf", rule_id: str = "SM001") -> rf.Fixture:
    return rf.Fixture(rule_id, Path(name), {name: text}, rf.comment_annotations(text, name))


def test_comment_annotations_apply_to_the_next_code_line():
    text = "# ruleid: SM001 @3-9, SM011 @3-9 @12-20\n\n# a remark\nx = 1\n# ok: SM003\n  y = 2\n"
    got = rf.comment_annotations(text, "t.tf")
    assert [(e.kind, e.rule_id, e.line, e.spans) for e in got] == [
        ("ruleid", "SM001", 4, ((4, 3, 4, 9),)),
        ("ruleid", "SM011", 4, ((4, 3, 4, 9), (4, 12, 4, 20))),
        ("ok", "SM003", 6, ()),
    ]


def test_multi_line_spans_and_gaps():
    text = "# todook: SM003 @5-+6:8 gap=ifexists-pins\nstatement {\n"
    (e,) = rf.comment_annotations(text, "t.tf")
    assert (e.kind, e.spans, e.gap, e.written_at) == ("todook", ((2, 5, 8, 8),), "ifexists-pins", 1)


def test_sidecar_annotations_name_their_line():
    text = "# remarks are allowed\n9: ruleid: SM001 @9-27\n\n14: todoruleid: SM002 gap=x-y\n"
    got = rf.sidecar_annotations(text, "p.json")
    assert [(e.line, e.kind, e.rule_id, e.spans, e.gap) for e in got] == [
        (9, "ruleid", "SM001", ((9, 9, 9, 27),), ""), (14, "todoruleid", "SM002", (), "x-y")]


@pytest.mark.parametrize("text", ["# ruleid: sm001\nx\n", "# ruleid: SM001 @3\nx\n", "# ok: SM001 gap=a gap=b\nx\n",
                                  "x\n# ruleid: SM001 @1-2\n"])
def test_unreadable_annotations_are_errors_with_their_line(text):
    with pytest.raises(rf.AnnotationError, match=r"^t\.tf:\d+: "):
        rf.comment_annotations(text, "t.tf")


def test_an_unreadable_annotation_fails_its_fixture_only(tmp_path):
    (tmp_path / "SM001").mkdir()
    (tmp_path / "SM001" / "bad.tf").write_text("# ruleid: SM001 @x\nx = 1\n", encoding="utf-8")
    (fixture,) = rf.discover(tmp_path)
    assert rf.annotation_problems(fixture) == ["bad.tf:1: cannot read '@x' in 'SM001 @x'"]


def test_annotations_that_say_too_little_are_reported():
    fixture = _fixture("# ruleid: SM001\nx\n# todoruleid: SM001\ny\n# ok: SM001 @1-2\nz\n")
    assert len(rf.annotation_problems(fixture)) == 3
    assert rf.annotation_problems(_fixture("x = 1\n")) == ["SM001/t.tf: no annotations"]


def test_mismatches_catch_a_wrong_column_a_missing_and_an_unannotated_finding():
    fixture = _fixture("# ruleid: SM001 @3-9\nx\n# ruleid: SM001 @1-4\ny\n# ok: SM001\nz\n")
    findings = [_finding("t.tf", "SM001", 2, 3, 2, 10), _finding("t.tf", "SM001", 6, 1, 6, 2),
                _finding("t.tf", "SM001", 7, 1, 7, 2), _finding("t.tf", "IAM001", 7, 1, 7, 2)]
    assert rf.mismatches(fixture, findings) == [
        "t.tf:2: 'ruleid: SM001' expects @3-9, found @3-10",
        "t.tf:4: 'ruleid: SM001' expects @1-4, found nothing",
        "t.tf:6: 'ok: SM001' expects no finding, found @1-2",
        "t.tf:7: unannotated SM001 finding @1-2",
    ]


def test_todo_annotations_hold_today_and_flip_when_the_gap_closes():
    missed = _fixture("# todoruleid: SM001 gap=g\nx\n# todook: SM001 @1-2 gap=h\ny\n")
    assert rf.mismatches(missed, [_finding("t.tf", "SM001", 4, 1, 4, 2)]) == []
    assert rf.mismatches(missed, [_finding("t.tf", "SM001", 2, 1, 2, 2)]) == [
        "t.tf:2: 'todoruleid: SM001' expects no finding, found @1-2",
        "t.tf:4: 'todook: SM001' expects @1-2, found nothing"]


@given(st.lists(st.tuples(st.integers(1, 200), st.integers(0, 5), st.integers(1, 200)), min_size=1, max_size=4))
def test_spans_print_in_the_annotation_grammar(spans):
    full = tuple(sorted((2, c, 2 + n, e) for c, n, e in spans))
    (e,) = rf.comment_annotations(f"# ruleid: SM001 {rf.format_spans(full)}\nx\n", "t.tf")
    assert e.spans == full


def test_a_new_format_is_picked_up_by_file_name(tmp_path):
    rule_dir = tmp_path / "SM001"
    rule_dir.mkdir()
    (rule_dir / "serverless.yml").write_text("service: s\n# ruleid: SM001 @5-9\nprovider: {}\n", encoding="utf-8")
    (rule_dir / "serverless.yml.findings.json").write_text("[]\n", encoding="utf-8")
    (rule_dir / "other.json").write_text("{}\n", encoding="utf-8")
    (rule_dir / "other.json.annotations").write_text("1: ok: SM001\n", encoding="utf-8")
    got = rf.discover(tmp_path)
    assert [(f.name, [(e.path, e.line, e.kind) for e in f.expectations]) for f in got] == [
        ("SM001/other.json", [("other.json", 1, "ok")]), ("SM001/serverless.yml", [("serverless.yml", 3, "ruleid")])]
    assert fixture_format(rule_dir / "serverless.yml") == "serverless"


def test_snapshot_records_are_plain_json():
    record = rf.finding_record(_finding("a/b.tf", "SM001", 1, 2, 3, 4), single_file=False)
    assert json.loads(rf.snapshot_text([record])) == [
        {"rule_id": "SM001", "path": "a/b.tf", "line": 1, "column": 2, "end_line": 3, "end_column": 4,
         "resource": "r", "message": "m"}]
