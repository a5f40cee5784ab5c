"""CI outputs: SARIF that code scanning closes, GitHub's annotation limits, the Markdown job summary, GitLab
Code Quality, several reports from one run, and `--exit-zero`."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from linter.model import FileError, Finding, Span
from linter.results import Report
from linter.report import render
from linter.report import markdown_format
from linter.rules import load_rules
from test_cli import ROOT, WILDCARD, run_cli
from test_report_formats import SARIF_SCHEMA

RULES = load_rules()
SUPPRESSED = (
    "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
    "          - Effect: Allow\n            Action: secretsmanager:*  # policylint:ignore=SM001 reviewed\n"
    "            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf\n"
)
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "corpus" / "realworld").is_dir()), None)


def finding(severity: str, n: int, message: str = "m") -> Finding:
    return Finding(f"SM00{n % 9 + 1}", severity, "Title", message, f"f{n:02}.json", Span(n + 1, 2, n + 1, 5), "", f"fp{n}")


# ---- SARIF ----------------------------------------------------------------------------------------------

def test_sarif_leaves_suppressed_findings_out_unless_asked(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(SUPPRESSED)
    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--select", "SM001"], tmp_path, capsys)
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    assert code == 0 and run["results"] == []
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note == {
        "descriptor": {"id": "policylint/suppressed-finding"}, "level": "note",
        "message": {"text": "SM001 suppressed in source (reviewed): Action 'secretsmanager:*' grants 23 Secrets Manager "
                            "actions, including GetSecretValue and DeleteSecret"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "t.yaml", "uriBaseId": "%SRCROOT%"},
                                            "region": {"startLine": 8, "startColumn": 21, "endLine": 8, "endColumn": 37}}}],
    }
    assert run["invocations"][0]["executionSuccessful"] is True

    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--select", "SM001", "--sarif-include-suppressed"], tmp_path, capsys)
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "reviewed"}]
    assert "toolExecutionNotifications" not in sarif["runs"][0]["invocations"][0]


def test_sarif_fingerprints_are_stable_across_runs_and_directories(tmp_path, capsys):
    (tmp_path / ".git").mkdir()  # the work tree root, found by looking
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "a.json").write_text(WILDCARD)
    prints = set()
    for cwd, path in ((tmp_path, "."), (tmp_path, "infra"), (tmp_path / "infra", "."), (tmp_path / "infra", "a.json")):
        _, out, _ = run_cli(["check", path, "--format", "sarif", "--select", "SM001"], cwd, capsys)
        (result,) = json.loads(out)["runs"][0]["results"]
        prints.add((result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    result["partialFingerprints"]["policylint/v1"]))
    assert len(prints) == 1 and next(iter(prints))[0] == "infra/a.json"


# ---- GitHub annotations -----------------------------------------------------------------------------------

def test_github_annotations_most_severe_first_within_the_per_level_limit():
    findings = [finding("high", n) for n in range(12)] + [finding("critical", 20 + n) for n in range(3)]
    findings += [finding("medium", 30 + n) for n in range(11)] + [finding("low", 50 + n) for n in range(2)]
    report = Report(findings=sorted(findings, key=Finding.sort_key), errors=[FileError("bad.json", 3, 4, "invalid JSON")])
    lines = render("github", report, RULES).splitlines()
    assert len(lines) == 1 + 3 + 12 + 11 + 2
    assert lines[0] == "::error file=bad.json,line=3,col=4,title=policylint%3A cannot read file::invalid JSON"
    assert [line.split("title=")[1].split(" ")[-1].split(")")[0] for line in lines[1:4]] == ["(critical"] * 3
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10 and lines[:10] == errors  # the input error, 3 critical, 6 high
    assert errors[-1].endswith(
        "::m (6 more error annotations not shown: GitHub shows 10 per level; the job summary and this step's log "
        "list every finding)")
    hidden = lines[10:16]
    assert hidden[0] == "policylint error: f06.json:7:2: SM007 Title (high): m"
    assert all(line.startswith("policylint error: ") for line in hidden)
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(warnings) == 10 and warnings[-1].endswith("(1 more warning annotation not shown: GitHub shows 10 per "
                                                         "level; the job summary and this step's log list every finding)")
    assert lines[26] == "policylint warning: f40.json:41:2: SM005 Title (medium): m"
    assert [line.startswith("::notice ") and "annotation" not in line for line in lines[27:]] == [True, True]


def test_github_under_the_limit_adds_no_note():
    report = Report(findings=[finding("high", n) for n in range(10)])
    lines = render("github", report, RULES).splitlines()
    assert len(lines) == 10 and all(line.startswith("::error ") and line.endswith("::m") for line in lines)


@pytest.mark.skipif(SHARED is None, reason="the shared real-world corpus (shared/corpus/realworld) is not beside this checkout")
def test_realworld_corpus_severity_order_and_full_markdown(capsys):
    corpus = SHARED / "corpus" / "realworld"
    code, out, _ = run_cli(["check", ".", "--no-config", "--format", "json"], corpus, capsys)
    findings = json.loads(out)["findings"]
    assert code == 1 and len(findings) > 30
    _, out, _ = run_cli(["check", ".", "--no-config", "--format", "github"], corpus, capsys)
    titles = [line.split("title=", 1)[1].split("::", 1)[0] for line in out.splitlines() if line.startswith("::")]
    severities = [title.rsplit("(", 1)[1].rstrip(")") for title in titles if not title.startswith("policylint")]
    first_medium = severities.index("medium")
    assert all(s in ("critical", "high") for s in severities[:first_medium])
    assert not {"critical", "high"} & set(severities[first_medium:])
    assert len(out.splitlines()) == len(findings)  # shown or not, every finding is in the log
    _, out, _ = run_cli(["check", ".", "--no-config", "--format", "markdown"], corpus, capsys)
    rows = [line for line in out.splitlines() if line.startswith(("| critical |", "| high |", "| medium |", "| low |"))]
    assert len(rows) == len(findings)
    assert f"\n**{len(findings)} findings (" in out


# ---- Markdown -----------------------------------------------------------------------------------------------

def test_markdown_groups_by_rule_most_severe_first_and_escapes(tmp_path):
    report = Report(
        findings=[finding("low", 1, "a | b"), finding("critical", 2, "<script> *x* `y`"), finding("low", 10, "z")],
        errors=[FileError("b|ad.json", 1, 2, "invalid JSON: expected ','")], files_scanned=4,
    )
    out = render("markdown", report, RULES)
    sm2_title = next(r.title for r in RULES if r.id == "SM002")
    assert out == (
        "## policylint\n\n"
        "**3 findings (1 critical, 2 low) in 3 files, 4 files scanned, 1 error**\n\n"
        "### Input errors (exit code 2)\n\n| Location | Problem |\n| --- | --- |\n"
        "| b\\|ad.json:1:2 | invalid JSON: expected ',' |\n\n"
        f"### SM003: {markdown_format.cell(next(r.title for r in RULES if r.id == 'SM003'))} (1)\n\n"
        "| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |\n"
        "| critical | SM003 | f02.json:3:2 | "
        "&lt;script&gt; \\*x\\* \\`y\\` |\n\n"
        f"### SM002: {markdown_format.cell(sm2_title)} (2)\n\n"
        "| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |\n"
        "| low | SM002 | f01.json:2:2 | a \\| b |\n"
        "| low | SM002 | f10.json:11:2 | z |\n"
    )


def test_markdown_links_rules_only_to_the_configured_docs_site():
    report = Report(findings=[finding("low", 1, "m")], files_scanned=1)
    out = render("markdown", report, RULES, docs_url="https://docs.corp.test/rules/{id}.md")
    assert "| low | [SM002](https://docs.corp.test/rules/SM002.md) | f01.json:2:2 | m |" in out
    assert "](" not in render("markdown", report, RULES)


def test_markdown_stays_under_githubs_summary_limit():
    report = Report(findings=[finding("high", n, "x" * 700) for n in range(2000)])
    out = render("markdown", report, RULES)
    rows = [line for line in out.splitlines() if line.startswith("| high |")]
    assert len(out.encode()) <= markdown_format.BUDGET + 200 < 1024 * 1024
    assert 1000 < len(rows) < 2000
    assert out.endswith(f"\n\n{2000 - len(rows)} more rows not listed (GitHub's summary limit is 1 MiB): "
                        "the SARIF or JSON report has everything.\n")


def test_github_format_appends_the_job_summary(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.json").write_text(WILDCARD)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run_cli(["check", "a.json", "--format", "github", "--select", "SM001"], tmp_path, capsys)
    assert code == 1 and out.startswith("::error file=a.json,")
    _, markdown, _ = run_cli(["check", "a.json", "--format", "markdown", "--select", "SM001"], tmp_path, capsys)
    assert summary.read_text() == "earlier step\n" + markdown
    run_cli(["check", "a.json", "--format", "json", "--select", "SM001"], tmp_path, capsys)
    assert summary.read_text() == "earlier step\n" + markdown  # only the github format writes it


# ---- GitLab Code Quality ----------------------------------------------------------------------------------

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def check_code_quality(report: list) -> None:
    """GitLab's documented required fields, with their types."""
    assert isinstance(report, list)
    for issue in report:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str) and not issue["location"]["path"].startswith(("/", "./"))
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and begin >= 1
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab shows only the first issue of a fingerprint


def test_gitlab_code_quality_of_the_demo(capsys):
    code, out, _ = run_cli(["check", "fixtures/demo", "--no-config", "--format", "gitlab"], ROOT, capsys)
    issues = json.loads(out)
    check_code_quality(issues)
    _, out, _ = run_cli(["check", "fixtures/demo", "--no-config", "--format", "json"], ROOT, capsys)
    findings = json.loads(out)["findings"]
    assert code == 1 and len(issues) == len(findings)
    mapping = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"], i["severity"], i["fingerprint"]) for i in issues] == [
        (f["rule_id"], f["path"], {"begin": f["line"], "end": f["end_line"]}, mapping[f["severity"]], f["fingerprint"])
        for f in findings
    ]
    assert issues[0]["description"] == f"{findings[0]['rule_id']} {findings[0]['title']}: {findings[0]['message']}"


def test_gitlab_reports_unreadable_files_as_blockers(tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"Statement": [')
    code, out, _ = run_cli(["check", ".", "--format", "gitlab"], tmp_path, capsys)
    (issue,) = json.loads(out)
    check_code_quality([issue])
    assert code == 2 and issue["check_name"] == "policylint/input-error" and issue["severity"] == "blocker"
    assert issue["location"] == {"path": "bad.json", "lines": {"begin": 1, "end": 1}}


# ---- several outputs, --exit-zero -------------------------------------------------------------------------

def test_several_formats_in_one_run_match_separate_runs(tmp_path, capsys):
    demo = ["check", "fixtures/demo", "--no-config", "--jobs", "1"]
    extra = []
    for fmt in ("sarif", "markdown", "json", "text", "gitlab"):
        extra += ["--output-format", f"{fmt}:{tmp_path / ('all.' + fmt)}"]
    code, out, _ = run_cli([*demo, "--format", "github", *extra], ROOT, capsys)
    assert code == 1
    _, alone, _ = run_cli([*demo, "--format", "github"], ROOT, capsys)
    assert out == alone
    for fmt in ("sarif", "markdown", "json", "text", "gitlab"):
        separate = tmp_path / f"one.{fmt}"
        assert run_cli([*demo, "--format", fmt, "--output", str(separate)], ROOT, capsys)[0] == 1
        assert (tmp_path / f"all.{fmt}").read_bytes() == separate.read_bytes(), fmt


@pytest.mark.parametrize("value", ["sarif", "nope:x.txt", "sarif:"])
def test_output_format_usage_errors(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["check", ".", "--output-format", value], tmp_path, capsys)
    assert exit_info.value.code == 2
    assert "--output-format" in capsys.readouterr().err


def test_exit_zero_keeps_input_errors(tmp_path, capsys):
    (tmp_path / "a.json").write_text(WILDCARD)
    assert run_cli(["check", ".", "--exit-zero"], tmp_path, capsys)[0] == 0
    assert run_cli(["check", "."], tmp_path, capsys)[0] == 1
    (tmp_path / "bad.json").write_text('{"Statement": [')
    assert run_cli(["check", ".", "--exit-zero"], tmp_path, capsys)[0] == 2
    assert run_cli(["check", "missing.json", "--exit-zero"], tmp_path, capsys)[0] == 2


# ---- properties -------------------------------------------------------------------------------------------

from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402


@given(st.text())
def test_markdown_cell_is_one_line_and_never_opens_markup(text):
    out = markdown_format.cell(text)
    assert "\n" not in out and "\r" not in out and "<" not in out and ">" not in out
    unescaped = out.replace("\\\\", "")
    for special in "|`*_[]":
        assert all(unescaped[i - 1] == "\\" for i, c in enumerate(unescaped) if c == special and i > 0)
        assert not unescaped.startswith(special)


@hypothesis_settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["critical", "high", "medium", "low"]), max_size=40), st.integers(0, 3))
def test_github_each_level_within_the_limit_and_nothing_lost(severities, errors):
    findings = [finding(severity, n) for n, severity in enumerate(severities)]
    report = Report(findings=sorted(findings, key=Finding.sort_key),
                    errors=[FileError(f"e{n}.json", 1, 1, "bad") for n in range(errors)])
    lines = render("github", report, RULES).splitlines()
    assert len(lines) == len(findings) + errors
    totals = {"error": errors + sum(s in ("critical", "high") for s in severities),
              "warning": severities.count("medium"), "notice": severities.count("low")}
    for level, total in totals.items():
        shown = [line for line in lines if line.startswith(f"::{level} ")]
        assert len(shown) == min(total, 10)
        assert len([line for line in lines if line.startswith(f"policylint {level}: ")]) == max(0, total - 10)
        assert ("not shown" in shown[-1]) == (total > 10) if shown else total == 0
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    titles = [line.split("title=", 1)[1].split("::", 1)[0] for line in lines if "title=SM" in line]
    ranks = [order[title.rsplit("(", 1)[1].rstrip(")")] for title in titles]
    assert ranks == sorted(ranks)
