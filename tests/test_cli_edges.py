"""Command-line edges a demanding user meets: --statistics, '-' for standard input, --output into a new
directory, --show-settings, "did you mean" for rule ids, config keys and rule options."""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, strategies as st

from linter.formats.stdin import stdin_name
from linter.suggest import closest
from test_cli import CLEAN, WILDCARD, run_cli

TWO_FILES = {"a.json": WILDCARD, "b.json": WILDCARD, "clean.json": CLEAN}


def _files(tmp_path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)


def test_statistics_counts_findings_per_rule(tmp_path, capsys):
    _files(tmp_path, TWO_FILES)
    code, out, _ = run_cli(["check", ".", "--select", "SM001,SM011", "--statistics"], tmp_path, capsys)
    assert code == 1
    assert out.splitlines() == [
        "2  SM001  high      Wildcard Secrets Manager action",
        "2  SM011  medium    Resource policies can be attached without BlockPublicPolicy",
        "4 findings in 2 files, 3 files scanned",
    ]
    code, out, _ = run_cli(["check", ".", "--select", "SM001,SM011", "--statistics", "--format", "json"], tmp_path, capsys)
    assert json.loads(out) == [
        {"rule_id": "SM001", "severity": "high", "title": "Wildcard Secrets Manager action", "count": 2},
        {"rule_id": "SM011", "severity": "medium", "title": "Resource policies can be attached without BlockPublicPolicy", "count": 2},
    ]


def test_statistics_orders_by_count_and_rejects_other_formats(tmp_path, capsys):
    _files(tmp_path, {**TWO_FILES, "c.json": WILDCARD.replace("app-AbCdEf", "*")})
    _, out, _ = run_cli(["check", ".", "--select", "SM001,SM002", "--statistics"], tmp_path, capsys)
    assert [line.split()[:2] for line in out.splitlines()[:-1]] == [["3", "SM001"], ["1", "SM002"]]
    code, out, err = run_cli(["check", ".", "--statistics", "--format", "sarif"], tmp_path, capsys)
    assert (code, out) == (2, "") and "--statistics prints text or JSON" in err


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_dash_reads_standard_input(tmp_path, capsys, monkeypatch):
    _stdin(monkeypatch, WILDCARD)
    code, out, _ = run_cli(["check", "-", "--select", "SM001", "--format", "parseable"], tmp_path, capsys)
    start = WILDCARD.index('"secretsmanager:*"') + 1
    assert code == 1 and out.startswith(f"stdin.json:1:{start}:1:{start + 18}:SM001:high:")
    _stdin(monkeypatch, WILDCARD)
    code, out, _ = run_cli(["check", "-", "--stdin-filename", "iam/ci.json", "--select", "SM001", "-q"], tmp_path, capsys)
    assert code == 1 and out.startswith(f"iam/ci.json:1:{start}: HIGH SM001")
    tf = 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })\n}\n'
    _stdin(monkeypatch, tf)
    code, out, _ = run_cli(["check", "-", "--select", "SM001", "-q"], tmp_path, capsys)
    column = tf.splitlines()[1].index('"secretsmanager:*"') + 1
    assert code == 1 and out.startswith(f"stdin.tf:2:{column}: HIGH SM001")


def test_dash_with_other_paths_is_a_usage_error(tmp_path, capsys, monkeypatch):
    _stdin(monkeypatch, WILDCARD)
    code, out, err = run_cli(["check", "-", "a.json"], tmp_path, capsys)
    assert (code, out) == (2, "") and "'-' (standard input) cannot be combined" in err


@pytest.mark.parametrize(
    ("text", "name"),
    [(WILDCARD, "stdin.json"), ("\ufeff [1]", "stdin.json"), ('# c\nresource "a" "b" {\n}\n', "stdin.tf"),
     ("locals {\n  x = 1\n}\n", "stdin.tf"), ("Resources:\n  A:\n    Type: AWS::IAM::Policy\n", "stdin.yaml"), ("", "stdin.yaml")],
)
def test_stdin_name_follows_the_content(text, name):
    assert stdin_name(text) == name


def test_output_creates_parent_directories(tmp_path, capsys):
    _files(tmp_path, {"a.json": WILDCARD})
    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--output", "out/reports/policylint.sarif"], tmp_path, capsys)
    assert code == 1 and out == ""
    assert json.loads((tmp_path / "out" / "reports" / "policylint.sarif").read_text())["version"] == "2.1.0"


def test_show_settings_names_the_origin_of_each_value(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("select: [SM]\nfail_on: high\nexclude: [legacy]\n")
    (tmp_path / "sub").mkdir()
    code, out, _ = run_cli(["check", "--show-settings", "--ignore", "SM004", "--exclude", "x"], tmp_path / "sub", capsys)
    assert code == 0
    lines = {line.split(" = ")[0]: line for line in out.splitlines()[1:]}
    config = (tmp_path / ".policylint.yaml").as_posix()
    assert out.splitlines()[0] == f"# config file: {config} (found from the current directory upwards)"
    assert lines["select"].split("  # ") == ['select = ["SM"]'.ljust(len(lines["select"].split("  # ")[0])), f"{config}:1"]
    assert lines["ignore"].endswith("# command line (--ignore)") and '["SM004"]' in lines["ignore"]
    assert lines["fail_on"].endswith(f"# {config}:2") and '"high"' in lines["fail_on"]
    assert lines["exclude"].endswith(f"# {config}:3 + command line (--exclude)") and '"x"]' in lines["exclude"]
    assert lines["baseline"].endswith("# default") and "null" in lines["baseline"]
    assert list(lines) == ["select", "ignore", "fail_on", "exclude", "per_file_ignores", "severity_overrides",
                           "rules_dirs", "rule_options", "baseline", "rule_docs_url", "include_vendored_modules"]
    assert lines["include_vendored_modules"].endswith("# default") and "false" in lines["include_vendored_modules"]
    code, out, _ = run_cli(["check", "--show-settings", "--no-config", "--fail-on", "medium"], tmp_path, capsys)
    assert out.splitlines()[0] == "# config file: none (--no-config)"
    assert "# command line (--fail-on)" in out and "# default" in out
    _, out, _ = run_cli(["check", "--show-settings", "--no-config", "--include-vendored-modules"], tmp_path, capsys)
    assert "include_vendored_modules = true  # command line (--include-vendored-modules)" in out


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        ("fail-on: high\n", [], ".policylint.yaml:1: fail-on: unknown key; did you mean 'fail_on'? (known keys:"),
        ("selct: [SM001]\n", [], ".policylint.yaml:1: selct: unknown key; did you mean 'select'?"),
        ("select: [SM0001]\n", [], ".policylint.yaml:1: select: 'SM0001' matches no rule; did you mean 'SM001'?"),
        ("", ["--ignore", "SN001"], "command line: --ignore: 'SN001' matches no rule; did you mean 'SM001'?"),
        ("rule_options:\n  SM06: {max_days: 3}\n", [], "rule_options.SM06: no such rule; did you mean 'SM006'?"),
        ("rule_options:\n  SM006: {max_day: 3}\n", [], "rule_options.SM006.max_day: unknown option; did you mean 'max_days'?"),
    ],
)
def test_did_you_mean_for_config_keys_rule_ids_and_options(tmp_path, capsys, config, args, expected):
    (tmp_path / ".policylint.yaml").write_text(config)
    code, out, err = run_cli(["check", ".", *args], tmp_path, capsys)
    assert (code, out) == (2, "") and expected in err


def test_did_you_mean_for_explain_and_suppressions(tmp_path, capsys):
    code, _, err = run_cli(["explain", "sm0003"], tmp_path, capsys)
    assert code == 2 and "unknown rule id 'sm0003'; did you mean 'SM003'?" in err
    code, _, err = run_cli(["explain", "XYZ"], tmp_path, capsys)
    assert code == 2 and "did you mean" not in err
    (tmp_path / "main.tf").write_text('# policylint:ignore=SM0001 typo\nresource "aws_iam_policy" "p" {}\n')
    _, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path, capsys)
    (unused,) = json.loads(out)["unused_suppressions"]
    assert unused["problem"] == "unknown rule id SM0001; did you mean 'SM001'?"


@given(st.text(max_size=12), st.lists(st.text(min_size=1, max_size=8), max_size=6))
def test_closest_is_a_known_name_or_none(name, known):
    match = closest(name, known)
    assert match is None or match in known


def test_dash_through_a_real_process(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "-", "--select", "SM001", "--format", "parseable"],
        input=WILDCARD, cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    start = WILDCARD.index('"secretsmanager:*"') + 1
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith(f"stdin.json:1:{start}:1:{start + 18}:SM001:high:") and result.stdout.count("\n") == 1
