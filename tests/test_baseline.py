"""Baselines: accept today's findings, block new ones, survive unrelated edits, report stale entries."""
from __future__ import annotations

import json

import pytest

from linter.baseline import BaselineError, load
from test_cli import run_core as run_cli


POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Reader",
      "Effect": "Allow",
      "Action": "secretsmanager:*",
      "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"
    }%s
  ]
}
"""
SECOND = """,
    {
      "Sid": "Writer",
      "Effect": "Allow",
      "Action": "secretsmanager:Put*",
      "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"
    }"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "app.json").write_text(POLICY % "")
    (tmp_path / "iam" / "other.json").write_text(POLICY % "")
    return tmp_path


def test_write_baseline_is_sorted_json_without_timestamps(repo, capsys):
    code, out, err = run_cli(["check", ".", "--write-baseline", "baseline.json"], repo, capsys)
    assert code == 0 and out == "" and "recorded 2 findings in baseline.json" in err
    text = (repo / "baseline.json").read_text()
    data = json.loads(text)
    assert data["version"] == 1 and set(data) == {"version", "findings"}
    assert [(e["path"], e["rule_id"]) for e in data["findings"]] == [("iam/app.json", "SM001"), ("iam/other.json", "SM001")]
    assert all(set(e) == {"fingerprint", "rule_id", "path", "resource"} for e in data["findings"])
    assert json.dumps(data, indent=2, sort_keys=True) + "\n" == text
    run_cli(["check", ".", "--write-baseline", "baseline.json"], repo, capsys)
    assert (repo / "baseline.json").read_text() == text


def test_unrelated_edit_gives_no_new_findings_and_new_wildcard_does(repo, capsys):
    run_cli(["check", ".", "--write-baseline", "baseline.json"], repo, capsys)
    assert run_cli(["check", ".", "--baseline", "baseline.json"], repo, capsys)[0] == 0
    # An unrelated edit that shifts every line.
    (repo / "iam" / "app.json").write_text("\n\n\n" + POLICY.replace('"Sid": "Reader"', '"Sid": "ReaderV2"') % "")
    code, out, _ = run_cli(["check", ".", "--baseline", "baseline.json", "--format", "json"], repo, capsys)
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    assert report["baseline"] == {"path": "baseline.json", "matched": 2, "stale": []}
    # A new wildcard is reported, and only it.
    (repo / "iam" / "app.json").write_text(POLICY % SECOND)
    code, out, _ = run_cli(["check", ".", "--baseline", "baseline.json", "--format", "json"], repo, capsys)
    findings = json.loads(out)["findings"]
    assert code == 1 and [(f["path"], f["line"], f["rule_id"]) for f in findings] == [("iam/app.json", 13, "SM001")]


def test_fixed_findings_are_listed_as_stale(repo, capsys):
    run_cli(["check", ".", "--write-baseline", "baseline.json"], repo, capsys)
    (repo / "iam" / "other.json").write_text(POLICY.replace("secretsmanager:*", "secretsmanager:GetSecretValue") % "")
    code, out, _ = run_cli(["check", ".", "--baseline", "baseline.json", "--format", "json"], repo, capsys)
    stale = json.loads(out)["baseline"]["stale"]
    assert code == 0 and [(e["path"], e["rule_id"]) for e in stale] == [("iam/other.json", "SM001")]
    code, out, _ = run_cli(["check", ".", "--baseline", "baseline.json"], repo, capsys)
    assert "baseline baseline.json: 1 entry no longer match" in out and "iam/other.json: SM001" in out
    # Entries of files that were not linted this time are not stale.
    code, out, _ = run_cli(["check", "iam/app.json", "--baseline", "baseline.json", "--format", "json"], repo, capsys)
    assert json.loads(out)["baseline"]["stale"] == []


def test_baseline_from_config_is_relative_to_config(repo, capsys):
    run_cli(["check", ".", "--write-baseline", "policylint-baseline.json"], repo, capsys)
    (repo / ".policylint.yaml").write_text("baseline: policylint-baseline.json\n")
    (repo / "iam" / "app.json").write_text(POLICY % SECOND)
    code, out, _ = run_cli(["check", ".", "--format", "parseable"], repo, capsys)
    assert code == 1 and out.count("\n") == 1 and ":SM001:" in out


def test_bad_baseline_is_exit_2(repo, capsys):
    code, _, err = run_cli(["check", ".", "--baseline", "missing.json"], repo, capsys)
    assert code == 2 and "baseline file not found" in err
    (repo / "b.json").write_text('{"version": 9}')
    with pytest.raises(BaselineError):
        load(str(repo / "b.json"))
