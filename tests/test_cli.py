"""The command as users and scripts meet it: exit codes, formats, determinism, bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli import main

ROOT = Path(__file__).resolve().parent.parent
WILDCARD = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"}], "Version": "2012-10-17"}'
CLEAN = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}], "Version": "2012-10-17"}'


CORE = ("SM001", "SM002", "SM003", "SM004")


def run_core(args, cwd, capsys):
    """`run_cli` with the core rules only, for tests about outputs, baselines or suppressions rather than
    about which rules the catalog has (their expected findings must not change when a rule is added)."""
    extra = ["--select", ",".join(CORE)] if args[:1] == ["check"] and "--select" not in args else []
    return run_cli([*args, *extra], cwd, capsys)


def run_cli(args, cwd, capsys):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(args)
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_codes(tmp_path, capsys):
    (tmp_path / "clean.json").write_text(CLEAN)
    assert run_cli(["check", "clean.json"], tmp_path, capsys)[0] == 0
    (tmp_path / "bad.json").write_text(WILDCARD)
    assert run_cli(["check", "."], tmp_path, capsys)[0] == 1
    assert run_cli(["check", ".", "--fail-on", "critical"], tmp_path, capsys)[0] == 0
    assert run_cli(["check", ".", "--ignore", "SM"], tmp_path, capsys)[0] == 0
    assert run_cli(["check", ".", "--select", "SM002"], tmp_path, capsys)[0] == 0


def test_broken_file_gives_exit_2_and_others_still_linted(tmp_path, capsys):
    (tmp_path / "a-broken.json").write_text('{"Statement": [\n  {"Effect": "Allow",,}\n]}')
    (tmp_path / "b.json").write_text(WILDCARD)
    (tmp_path / "c.json").write_bytes(b"\x00\x01binary")
    (tmp_path / "d.json").write_text("")
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path, capsys)
    report = json.loads(out)
    assert code == 2
    assert {(f["path"], f["rule_id"]) for f in report["findings"]} == {("b.json", "SM001"), ("b.json", "SM011")}
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [
        ("a-broken.json", 2, 22),
        ("c.json", 1, 1),
        ("d.json", 1, 1),
    ]
    assert report["summary"] == {"files_scanned": 4, "files_with_findings": 1, "findings": 2, "errors": 3,
                                 "modules_not_followed": []}


def test_missing_path_is_an_error(tmp_path, capsys):
    code, out, _ = run_cli(["check", "nope.json"], tmp_path, capsys)
    assert code == 2 and "nope.json:1:1: ERROR no such file" in out


def test_non_policy_json_is_skipped_silently(tmp_path, capsys):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "list.json").write_text("[1, 2]")
    code, out, _ = run_cli(["check", "."], tmp_path, capsys)
    assert code == 0 and out == "0 findings, 0 files scanned\n"


def test_invalid_json_that_is_not_a_policy_is_skipped_silently(tmp_path, capsys):
    # JSON with comments (tsconfig.json, VS Code settings, devcontainer.json) is not IaC: like YAML that is
    # not a template, it must not fail the run (pre-commit passes every staged .json file).
    (tmp_path / "tsconfig.json").write_text('{\n  // comment\n  "compilerOptions": {"strict": true,},\n}\n')
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{\n  /* editor */ "editor.tabSize": 2,\n}\n')
    code, out, _ = run_cli(["check", "."], tmp_path, capsys)
    assert code == 0 and out == "0 findings, 0 files scanned\n"
    # Broken JSON that looks like a policy or a template is still an error.
    (tmp_path / "p.json").write_text('{\n  // half typed\n  "Statement": [\n')
    (tmp_path / "t.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09",,}')
    code, out, _ = run_cli(["check", ".", "-q"], tmp_path, capsys)
    assert code == 2
    assert [line.split(":")[0] for line in out.splitlines()] == ["p.json", "t.json"]


def test_json_report_shape_and_paths(tmp_path, capsys):
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "p.json").write_text(WILDCARD)
    code, out, _ = run_cli(["check", "iam", "--format", "json"], tmp_path, capsys)
    finding = json.loads(out)["findings"][0]
    assert set(finding) == {
        "rule_id", "severity", "title", "message", "path", "line", "column", "end_line", "end_column", "resource", "fingerprint",
    }
    assert finding["path"] == "iam/p.json"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 46, 1, 64)


def test_output_is_byte_identical_across_runs(tmp_path, capsys):
    out_file = tmp_path / "report.json"
    outputs = []
    for _ in range(2):
        run_cli(["check", str(ROOT / "fixtures" / "demo"), "--format", "json", "--output", str(out_file)], tmp_path, capsys)
        outputs.append(out_file.read_bytes())
    assert outputs[0] == outputs[1]
    findings = json.loads(outputs[0])["findings"]
    keys = [(f["path"], f["line"], f["column"], f["rule_id"]) for f in findings]
    assert keys == sorted(keys) and findings


def test_fingerprint_ignores_line_shifts(tmp_path, capsys):
    (tmp_path / "p.json").write_text(WILDCARD)
    before = json.loads(run_cli(["check", ".", "--format", "json"], tmp_path, capsys)[1])["findings"][0]
    (tmp_path / "p.json").write_text("\n\n\n" + WILDCARD)
    after = json.loads(run_cli(["check", ".", "--format", "json"], tmp_path, capsys)[1])["findings"][0]
    assert before["line"] + 3 == after["line"]
    assert before["fingerprint"] == after["fingerprint"]


def test_rules_and_explain(tmp_path, capsys):
    code, out, _ = run_cli(["rules"], tmp_path, capsys)
    ids = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and {"SM001", "SM002", "SM003", "SM004", "IAM001", "KMS001"} <= set(ids) and ids == sorted(ids)
    code, out, _ = run_cli(["explain", "sm003"], tmp_path, capsys)
    assert code == 0 and "VersionStage=AWSCURRENT" in out and "IfExists" in out
    code, _, err = run_cli(["explain", "XX999"], tmp_path, capsys)
    assert code == 2 and "unknown rule id" in err


def test_usage_error_exit_code(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["check", "--format", "nope"])
    assert caught.value.code == 2


def test_python_dash_m_works_like_the_command(tmp_path):
    (tmp_path / "p.json").write_text(WILDCARD)
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "p.json"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stdout.startswith("p.json:1:46: HIGH SM001 ")
    assert result.stderr == ""


def test_excludes_apply_to_files_named_on_the_command_line(tmp_path, capsys):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "p.json").write_text(WILDCARD)
    assert run_cli(["check", "vendor/p.json", "--exclude", "vendor"], tmp_path, capsys)[0] == 0
    assert run_cli(["check", "vendor/p.json"], tmp_path, capsys)[0] == 1


def test_unwritable_output_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "p.json").write_text(CLEAN)
    # A missing directory is created (tests/test_cli_edges.py); a file in the way of one is an error.
    code, _, err = run_cli(["check", "p.json", "--output", "p.json/report.json"], tmp_path, capsys)
    assert code == 2 and err in ("policylint: p.json: File exists\n", "policylint: p.json/report.json: Not a directory\n")
