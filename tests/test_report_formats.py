"""Formats beyond the snapshots: SARIF schema and content, annotation escaping, JUnit structure, text."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, strategies as st

from linter.model import FileError, Finding, Span
from linter.results import Report
from linter.report import render
from linter.report.github_format import command, escape_data, escape_property
from linter.report.text_format import snippet, _Style
from linter.rules import load_rules
from test_cli import ROOT, WILDCARD, run_core as run_cli


SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
RULES = load_rules()


def demo(fmt: str, capsys, *extra: str) -> tuple[int, str]:
    code, out, _ = run_cli(["check", "fixtures/demo", "--no-config", "--format", fmt, *extra], ROOT, capsys)
    return code, out


def finding(rule="SM001", path="a.json", line=1, message="m", resource="", severity="high") -> Finding:
    return Finding(rule, severity, "Title", message, path, Span(line, 2, line, 5), resource, f"fp{rule}{path}{line}{resource}")


# ---- SARIF -----------------------------------------------------------------------------------------------

def test_sarif_validates_and_describes_rules(capsys):
    _, out = demo("sarif", capsys)
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for rule in rules:
        assert rule["properties"]["tags"][0] == "security"
        assert rule["properties"]["security-severity"] in ("9.5", "8.0", "5.5", "3.0")
        assert "helpUri" not in rule  # no docs site configured: nothing points at a site that may not exist
        assert rule["help"]["text"] and "### How to fix" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("fixtures/demo/")
        assert set(location["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert "primaryLocationLineHash" not in result["partialFingerprints"]
        assert len(result["partialFingerprints"]["policylint/v1"]) == 32
    # The demo's registry module call, not installed: a note at its `source`, not a failure.
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": [{
        "descriptor": {"id": "policylint/module-not-followed"}, "level": "note",
        "message": {"text": "module source 'terraform-aws-modules/vpc/aws' not followed: no installed copy "
                            "(run terraform init)"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "fixtures/demo/terraform/network.tf", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 4, "startColumn": 13, "endLine": 4, "endColumn": 44}}}],
    }]}]
    assert "timestamp" not in out.lower()


def test_sarif_help_uri_comes_from_rule_docs_url(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("rule_docs_url: https://docs.corp.test/policylint/{id}.html\n")
    (tmp_path / "p.json").write_text(WILDCARD)
    _, out, _ = run_cli(["check", ".", "--format", "sarif"], tmp_path, capsys)
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["helpUri"] for r in rules if r["id"] == "SM001"] == ["https://docs.corp.test/policylint/SM001.html"]
    assert all(r["helpUri"] == f"https://docs.corp.test/policylint/{r['id']}.html" for r in rules)


@pytest.mark.parametrize("value", ["docs.corp.test/{id}", "https://", "[1]", "ftp://x/{id}", "https://a b/{id}"])
def test_rule_docs_url_must_be_an_http_url(tmp_path, capsys, value):
    (tmp_path / ".policylint.yaml").write_text(f"fail_on: low\nrule_docs_url: '{value}'\n")
    code, out, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and out == ""
    assert err.startswith("policylint: config error: ") and err.count("\n") == 1
    assert ".policylint.yaml:2: rule_docs_url: expected an http(s) URL" in err


@pytest.mark.parametrize(
    ("value", "template"),
    [("https://git.corp.test/sec/policylint/-/blob/main/docs/rules/", "https://git.corp.test/sec/policylint/-/blob/main/docs/rules/{id}.md"),
     ("https://docs.corp.test/rules", "https://docs.corp.test/rules/{id}.md"), ("http://h/r/{id}.html", "http://h/r/{id}.html")],
)
def test_rule_docs_url_is_a_base_url_or_a_template(tmp_path, value, template):
    from linter.config import load_config

    (tmp_path / ".policylint.yaml").write_text(f"rule_docs_url: {value}\n")
    assert load_config(tmp_path / ".policylint.yaml").rule_docs_url == template


def test_sarif_matches_json_findings(capsys):
    findings = json.loads(demo("json", capsys)[1])["findings"]
    results = json.loads(demo("sarif", capsys)[1])["runs"][0]["results"]
    assert [(f["rule_id"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in findings] == [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         *(r["locations"][0]["physicalLocation"]["region"][k] for k in ("startLine", "startColumn", "endLine", "endColumn")))
        for r in results
    ]


def test_sarif_errors_suppressions_and_uri_escaping(tmp_path, capsys):
    (tmp_path / "bad file.json").write_text('{"Statement": [')
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
        "          - Effect: Allow\n            Action: secretsmanager:*  # policylint:ignore=SM001 reviewed\n"
        "            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf\n"
        "# policylint:ignore=SM003\n"
    )
    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--sarif-include-suppressed"], tmp_path, capsys)
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    invocation = run["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    (error,) = invocation["toolExecutionNotifications"]
    assert error["level"] == "error"
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%20file.json"
    (unused,) = invocation["toolConfigurationNotifications"]
    assert unused["descriptor"]["id"] == "policylint/unused-suppression"
    (result,) = run["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "reviewed"}]


# ---- GitHub annotations --------------------------------------------------------------------------------------

def test_github_escaping():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    line = command("error", "50% of\nall", file="dir,1/a:b.tf", line=3, title="SM001 x, y: z")
    assert line == "::error file=dir%2C1/a%3Ab.tf,line=3,title=SM001 x%2C y%3A z::50%25 of%0Aall"


@given(st.text())
def test_github_escaping_round_trips(text):
    unescape = lambda s: s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    escaped = escape_property(text)
    assert "\n" not in escaped and "\r" not in escaped and "," not in escaped and ":" not in escaped
    assert unescape(escaped) == text


def test_github_levels_and_locations(capsys):
    _, out = demo("github", capsys)
    lines = out.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines)
    assert any("::warning " in line and "SM003" in line for line in lines)  # medium -> warning
    first = lines[0]
    assert ",line=" in first and ",endLine=" in first and ",col=" in first and ",endColumn=" in first and ",title=" in first


# ---- JUnit ------------------------------------------------------------------------------------------------

def test_junit_is_well_formed_with_unique_names_and_counts(capsys):
    _, out = demo("junit", capsys)
    root = ET.fromstring(out.encode())
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names))
    failures = [c for c in cases if c.find("failure") is not None]
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failures))
    assert all(":" in c.find("failure").text and c.find("failure").get("message") for c in failures)


def test_junit_groups_by_rule_and_resource_and_lists_passing_rules():
    report = Report(
        findings=[finding(path="a.yaml", resource="A", line=1), finding(path="a.yaml", resource="A", line=5),
                  finding(path="b.yaml", resource="A"), finding(rule="SM002", path="c.json")],
        errors=[FileError("bad.json", 1, 2, "invalid \x01 JSON"), FileError("bad.json", 3, 1, "again")],
        rules_run=("SM001", "SM002", "SM003"),
    )
    root = ET.fromstring(render("junit", report, RULES).encode())
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"read bad.json", "SM001 A (a.yaml)", "SM001 A (b.yaml)", "SM002 c.json",
                          "SM003 Secret readable at any version"}
    assert cases["SM001 A (a.yaml)"].find("failure").text.count("\n") == 2
    assert cases["read bad.json"].find("error").get("message") == "invalid \\x01 JSON"  # the shared sanitiser escapes it visibly
    assert root.get("tests") == "5" and root.get("failures") == "3" and root.get("errors") == "1"


def test_junit_suppressed_findings_are_skipped_cases_and_gitlab_file_is_opt_in(tmp_path, capsys, jenkins_junit_schema):
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "a" {\n'
        '  # policylint:ignore=SM001 reviewed (SEC-7)\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })\n}\n'
    )
    code, out, _ = run_cli(["check", ".", "--format", "junit", "--select", "SM001,SM002"], tmp_path, capsys)
    assert code == 1
    jenkins_junit_schema.validate(out)
    root = ET.fromstring(out.encode())
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    skipped = cases["SM001 aws_iam_policy.a (main.tf) suppressed"].find("skipped")
    assert skipped.get("message") == "suppressed: reviewed (SEC-7)" and skipped.get("type") == "suppressed"
    assert skipped.text.startswith("main.tf:3:") and "(suppressed at main.tf:2: reviewed (SEC-7))" in skipped.text
    assert cases["SM002 aws_iam_policy.a (main.tf)"].find("failure") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (str(len(cases)), "1", "1")
    assert all(c.get("file") is None for c in cases.values())
    _, gitlab, _ = run_cli(["check", ".", "--format", "junit", "--select", "SM001,SM002", "--junit-gitlab"], tmp_path, capsys)
    files = {c.get("name"): c.get("file") for c in ET.fromstring(gitlab.encode()).iter("testcase")}
    assert files["SM002 aws_iam_policy.a (main.tf)"] == "main.tf" == files["SM001 aws_iam_policy.a (main.tf) suppressed"]
    assert not jenkins_junit_schema.is_valid(gitlab)  # the schema does have teeth


def test_gitlab_recipe_asks_for_the_file_attribute():
    import yaml

    job = yaml.safe_load((ROOT / "examples" / "gitlab-ci" / ".gitlab-ci.yml").read_text())["policylint"]
    assert any("junit" in line and "--junit-gitlab" in line for line in job["script"])


# ---- parseable -------------------------------------------------------------------------------------------

def test_parseable_lines(capsys):
    _, out = demo("parseable", capsys)
    findings = json.loads(demo("json", capsys)[1])["findings"]
    assert out.splitlines() == [
        f"{f['path']}:{f['line']}:{f['column']}:{f['end_line']}:{f['end_column']}:{f['rule_id']}:{f['severity']}:{f['message']}"
        for f in findings
    ]
    report = Report(findings=[finding(message="two\nlines")], errors=[FileError("x.json", 2, 3, "bad")])
    assert render("parseable", report, RULES) == "x.json:2:3:2:3:ERROR:error:bad\na.json:1:2:1:5:SM001:high:two\\x0alines\n"


# ---- text --------------------------------------------------------------------------------------------------

def test_text_first_line_is_compiler_style_with_marker(tmp_path, capsys):
    policy = '{"Statement": {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:eu-west-1:1:secret:a"}}'
    (tmp_path / "p.json").write_text(policy)
    code, out, _ = run_cli(["check", "p.json"], tmp_path, capsys)
    lines = out.splitlines()
    assert lines[0].startswith("p.json:1:45: HIGH SM001 Action 'secretsmanager:*'")
    assert lines[1] == "    1 | " + policy
    assert lines[2] == "      | " + " " * 44 + "^" + "~" * 17
    assert lines[-1] == "1 finding (1 high) in 1 file, 1 file scanned"


def test_text_quiet_has_only_finding_lines(capsys):
    _, out = demo("text", capsys, "--quiet")
    assert all(":" in line and (" HIGH " in line or " MEDIUM " in line) for line in out.splitlines())
    assert out.count("\n") == len(json.loads(demo("json", capsys)[1])["findings"])


def test_colour_only_when_asked_and_no_color_respected(tmp_path, capsys, monkeypatch):
    from linter.cli import _use_color

    (tmp_path / "p.json").write_text(WILDCARD)
    assert "\033[" not in run_cli(["check", "p.json"], tmp_path, capsys)[1]  # captured output is not a TTY
    assert "\033[1;31mHIGH" in run_cli(["check", "p.json", "--color", "always"], tmp_path, capsys)[1]
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color("auto", None) is True and _use_color("auto", "out.txt") is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color("auto", None) is False and _use_color("always", None) is True


def test_snippet_windows_long_lines_and_expands_tabs():
    style = _Style(False)
    long_line = '{"Statement":[' + '"x",' * 200 + '"secretsmanager:*"]}'
    start = long_line.index('"secretsmanager:*"') + 1
    source, marker = snippet(long_line, 1, start, start + 18, style, "high")
    assert len(source) < 180 and "…" in source
    caret = marker.index("^")
    assert source[caret:caret + 18] == '"secretsmanager:*"' and marker.endswith("^" + "~" * 17)
    source, marker = snippet('\t"a": "b"', 4, 2, 5, style, "high")
    assert source == '    4 |     "a": "b"' and marker.index("^") == source.index('"a"')


def test_text_groups_errors_and_findings_by_file(tmp_path, capsys):
    (tmp_path / "a.json").write_text(WILDCARD)
    (tmp_path / "b.json").write_text('{"Statement": [\n  {"Effect": "Allow",,}\n]}')
    code, out, _ = run_cli(["check", "."], tmp_path, capsys)
    blocks = out.rstrip("\n").split("\n\n")
    assert blocks[0].startswith("a.json:1:46:") and blocks[1].startswith("b.json:2:22: ERROR")
    assert blocks[-1] == "1 finding (1 high) in 1 file, 2 files scanned, 1 error"


def test_text_report_masks_the_secret_of_a_sensitive_rule(tmp_path, capsys):
    (tmp_path / "main.tf").write_text(
        'resource "aws_secretsmanager_secret_version" "db" {\n'
        '  secret_id     = "app/db"\n'
        '  secret_string = "hunter2-literal"\n'
        "}\n"
    )
    code, out, _ = run_cli(["check", "main.tf", "--select", "SM010"], tmp_path, capsys)
    assert code == 1 and "hunter2" not in out
    assert '  secret_string = *****************\n' in out
