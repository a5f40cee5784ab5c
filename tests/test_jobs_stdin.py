"""`--jobs` gives byte-identical output to one process; `--stdin-filename` lints an unsaved buffer."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from linter.discover import SourceFile
from linter.formats.registry import units
from linter.parallel import job_count
from test_cli import CLEAN, ROOT, WILDCARD, run_core as run_cli



def _tree(root):
    for index in range(12):
        (root / f"team{index % 3}").mkdir(exist_ok=True)
        (root / f"team{index % 3}" / f"p{index}.json").write_text(WILDCARD if index % 2 else CLEAN)
    (root / "team0" / "broken.json").write_text('{"Statement": [')
    (root / "team1" / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
        "          - Effect: Allow\n            Action: secretsmanager:*  # policylint:ignore=SM001,SM002 ok\n"
        "            Resource: '*'\n"
    )


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "junit"])
def test_jobs_output_is_byte_identical(tmp_path, capsys, fmt):
    _tree(tmp_path)
    outputs = [run_cli(["check", ".", "--format", fmt, "--jobs", jobs], tmp_path, capsys)[:2] for jobs in ("1", "4")]
    assert outputs[0] == outputs[1]
    demo = [run_cli(["check", "fixtures/demo", "--no-config", "--format", fmt, "--jobs", j], ROOT, capsys)[:2] for j in ("1", "3")]
    assert demo[0] == demo[1]


def test_units_group_terraform_modules_and_auto_job_count(tmp_path):
    from pathlib import Path

    files = [SourceFile(Path(p), p) for p in ["a/main.tf", "a/vars.tf", "a/p.json", "b/main.tf"]]
    assert [(first, [f.display for f in unit]) for first, unit in units(files)] == [
        (True, ["a/main.tf", "a/vars.tf"]), (False, ["a/p.json"]), (True, ["b/main.tf"])]
    assert job_count(None, files) == 1 and job_count(3, files) == 3
    assert job_count(None, files * 100) >= 1


def test_stdin_filename_lints_the_buffer_under_its_path(tmp_path, capsys, monkeypatch):
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "p.json").write_text(CLEAN)  # on disk: clean; in the editor: a wildcard
    monkeypatch.setattr(sys, "stdin", io.StringIO(WILDCARD))
    code, out, _ = run_cli(["check", "--stdin-filename", "iam/p.json", "--format", "json"], tmp_path, capsys)
    report = json.loads(out)
    assert code == 1 and [(f["path"], f["rule_id"]) for f in report["findings"]] == [("iam/p.json", "SM001")]
    monkeypatch.setattr(sys, "stdin", io.StringIO(WILDCARD))
    code, out, _ = run_cli(["check", "--stdin-filename", "iam/p.json"], tmp_path, capsys)
    snippet = out.splitlines()[1]  # the snippet shows the buffer, not the file on disk (long lines are elided)
    assert snippet.startswith("    1 | ") and WILDCARD[30:110] in snippet
    monkeypatch.setattr(sys, "stdin", io.StringIO(WILDCARD))
    code, out, _ = run_cli(["check", "--stdin-filename", "new/unsaved.json"], tmp_path, capsys)
    assert code == 1 and out.startswith("new/unsaved.json:1:46: HIGH SM001")
    assert WILDCARD[30:110] in out.splitlines()[1]  # the snippet shows the buffer


def test_stdin_filename_yaml_with_suppression(tmp_path, capsys, monkeypatch):
    text = (
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
        "          - Effect: Allow\n            Action: secretsmanager:*  # policylint:ignore=SM001 buffer\n"
        "            Resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf\n"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run_cli(["check", "--stdin-filename", "stack.yaml", "--format", "json"], tmp_path, capsys)
    report = json.loads(out)
    assert code == 0 and report["findings"] == [] and report["suppressed"][0]["reason"] == "buffer"


def test_stdin_filename_with_paths_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_cli(["check", "x.json", "--stdin-filename", "y.json"], tmp_path, capsys)
    assert code == 2 and "--stdin-filename" in err


def test_stdin_through_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--stdin-filename", "p.json", "--format", "parseable"],
        input=WILDCARD, cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1 and result.stdout.startswith("p.json:1:46:1:64:SM001:high:")


def test_jobs_identical_when_terraform_reads_a_policy_file_of_another_directory(tmp_path, capsys):
    """file() may read anywhere under the run's Terraform root, and a policy file read that way is linted
    in its Terraform context only: neither may depend on how the run is split over workers."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "p.json").write_text(WILDCARD)
    (tmp_path / "shared" / "t.json").write_text('{"Statement": [{"Effect": "Allow", "Action": ${actions}}]}')
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("../shared/p.json")\n}\n'
        'resource "aws_iam_policy" "t" {\n  policy = templatefile("../shared/t.json", {actions = "[]"})\n}\n'
    )
    (tmp_path / "b" / "main.tf").write_text('resource "aws_iam_policy" "q" {\n  policy = "{}"\n}\n')
    outputs = [run_cli(["check", ".", "--format", "json", "--jobs", jobs], tmp_path, capsys)[:2] for jobs in ("1", "3")]
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0][1])
    assert report["errors"] == [] and {f["resource"] for f in report["findings"]} == {"aws_iam_policy.p"}
