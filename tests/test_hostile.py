"""The hostile-input regression corpus: one case per attack of issue 16, each run as a user would run it.

Every case runs `python -m linter` in a subprocess with a generous timeout (a hang fails the test instead of
stalling the suite; nothing is timed). Files that can be committed live in `tests/hostile/`; cases that
need a file system shape (links, pipes, odd names, deep trees) or a large input build it in `tmp_path`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import re

import pytest

from linter.report import FORMATS

CORPUS = Path(__file__).parent / "hostile"
REPO = Path(__file__).parent.parent
TIMEOUT = 60  # seconds per run: far above any honest run, far below "hangs"
# What must never reach a report raw: C0/C1 controls (but tab and line feed), DEL, line separators, bidi
# overrides, surrogates, and the non-characters XML cannot carry.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: bytes = b"") -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=TIMEOUT, env=environment)


def report(args: list[str], cwd: Path, **kwargs) -> tuple[int, dict, str]:
    """Exit code, parsed JSON report and standard error of `check ... --format json`; never a traceback."""
    result = run(["check", *args, "--format", "json"], cwd, **kwargs)
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 1, 2), result.stderr
    return result.returncode, json.loads(result.stdout.decode("utf-8")), result.stderr.decode("utf-8", "replace")


def errors(document: dict) -> dict[str, tuple[int, int, str]]:
    return {e["path"].rpartition("/")[2]: (e["line"], e["column"], e["message"]) for e in document["errors"]}


def assert_safe_output(data: bytes, fmt: str) -> str:
    """Valid UTF-8; no control character but line feeds (and tabs); no line that is a workflow command
    unless it is one of ours (github format)."""
    text = data.decode("utf-8")  # strict: raises on invalid UTF-8
    for line in text.split("\n"):
        assert not UNSAFE.search(line), repr(line)
        if fmt != "github":
            assert not line.lstrip().startswith(("::", "##[", "##vso[")), line
    return text


# ---- hangs and silent misses ----------------------------------------------------------------------------

def test_glob_bomb_action_is_linted_promptly(tmp_path):
    code, document, _ = report([str(CORPUS / "glob_bomb.json")], tmp_path)
    assert document["errors"] == [] and code == 1
    assert {f["rule_id"] for f in document["findings"]} == {"IAM006"}


def test_crafted_kms_key_id_against_sm005_pattern(tmp_path):
    key = "arn:" + ":kms:" * 2400 + "x"  # 12 KB, against arn:*:kms:*:*:alias/aws/secretsmanager
    (tmp_path / "main.tf").write_text(f'resource "aws_secretsmanager_secret" "s" {{\n  kms_key_id = "{key}"\n}}\n')
    code, document, _ = report(["main.tf"], tmp_path)
    assert document["errors"] == [] and code == 1
    assert "SM005" not in {f["rule_id"] for f in document["findings"]}  # not the AWS managed key


def test_yaml_alias_of_a_large_scalar_is_an_alias_bomb(tmp_path):
    aliases = ", ".join(["*big"] * 100)
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  P:\n    Default: &big "' + "A" * 200_000 + '"\n'
        "Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        f"        Statement:\n          - Effect: Allow\n            Action: [{aliases}]\n            Resource: '*'\n"
    )
    code, document, _ = report(["t.yaml"], tmp_path)
    assert code == 2 and errors(document)["t.yaml"][:2] == (4, 14)
    assert "alias bomb" in errors(document)["t.yaml"][2]


@pytest.mark.parametrize("option", ["--baseline", "--config"])
def test_config_or_baseline_naming_a_fifo_is_an_error_not_a_hang(tmp_path, option):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "p.json").write_text('{"Statement": []}')
    result = run(["check", "p.json", option, "pipe"], tmp_path)
    assert result.returncode == 2 and b"not a regular file" in result.stderr and b"Traceback" not in result.stderr


def test_baseline_naming_a_device_is_an_error_not_a_read(tmp_path):
    (tmp_path / ".policylint.yaml").write_text("baseline: /dev/zero\n")
    (tmp_path / "p.json").write_text('{"Statement": []}')
    result = run(["check", "p.json"], tmp_path)
    assert result.returncode == 2 and b"/dev/zero" in result.stderr and b"not a regular file" in result.stderr


# ---- crashes that lose the whole report -------------------------------------------------------------------

def _clean_policy(directory: Path) -> None:
    (directory / "other.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'
    )


@pytest.mark.parametrize("name, position", [
    ("surrogate.json", (3, 47)), ("nan.json", (3, 87)), ("infinity.json", (3, 87)), ("huge_integer.json", (3, 87)),
    ("surrogate.yaml", (8, 40)), ("yaml_control_char.yaml", (6, 26)),
])
def test_input_errors_are_reported_at_their_position(tmp_path, name, position):
    (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    _clean_policy(tmp_path)
    code, document, _ = report(["."], tmp_path)
    assert code == 2 and errors(document)[name][:2] == position
    assert "internal error" not in errors(document)[name][2]
    assert {f["path"] for f in document["findings"]} == {"other.json"}  # the other file is still reported


def test_deeply_nested_json_is_an_error_at_its_position(tmp_path):
    (tmp_path / "deep.json").write_text('{"Statement": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, document, _ = report(["deep.json"], tmp_path)
    assert code == 2 and errors(document)["deep.json"] == (1, 215, "JSON nested deeper than 200 levels")


@pytest.mark.parametrize("fmt", FORMATS)
def test_surrogates_and_odd_names_never_break_a_format(tmp_path, fmt):
    (tmp_path / "surrogate.tf").write_bytes((CORPUS / "surrogate.tf").read_bytes())
    odd = os.fsencode(tmp_path) + b"/bad\xff\xfe name.json"
    with open(odd, "wb") as handle:
        handle.write(b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    (tmp_path / "escape.tf").write_text((CORPUS / "surrogate.tf").read_text().replace("\\ud800", "\\udcff"))
    out = tmp_path / "report.out"
    result = run(["check", ".", "--format", fmt, "--output", str(out)], tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    printed = run(["check", ".", "--format", fmt], tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert printed.stdout == out.read_bytes()
    text = assert_safe_output(printed.stdout, fmt)
    assert "\ufffd" in text and "surrogate.tf" in text


def test_unsearchable_parent_and_unlistable_directory_are_input_errors(tmp_path, monkeypatch, capsys):
    """Run in-process: the suite may run as root, which no permission bit stops, so the refusal is simulated
    where the operating system would give it (listing `locked`, looking up anything inside it)."""
    from linter.cli import main

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "p.json").write_text('{"Statement": []}')
    _clean_policy(tmp_path)
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if Path(os.fsdecode(path)).parent.name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "locked/p.json", "--format", "json"]) == 2
    document = json.loads(capsys.readouterr().out)
    assert {(e["path"], e["message"]) for e in document["errors"]} == {
        ("locked", "cannot list directory: Permission denied"),
        ("locked/p.json", "cannot read file: Permission denied"),
    }
    assert [f["path"] for f in document["findings"] if f["rule_id"] == "SM001"] == ["other.json"]


@pytest.mark.parametrize("content, line", [
    ('{"version": 1, "findings": [' + "9" * 5000 + "]}", 1),
    ('{"version": 1,\n"findings": ' + "[" * 50_000 + "]" * 50_000 + "}", 2),
])
def test_hostile_baseline_is_a_baseline_error(tmp_path, content, line):
    (tmp_path / "b.json").write_text(content)
    (tmp_path / "p.json").write_text('{"Statement": []}')
    result = run(["check", "p.json", "--baseline", "b.json"], tmp_path)
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert f"b.json:{line}:".encode() in result.stderr


@pytest.mark.parametrize("table, line", [
    ('[tool.policylint]\nfail_on = "low"\nx = ' + "9" * 5000 + "\n", 3),
    ("[tool.policylint]\n\nselect = " + "[" * 5000 + "]" * 5000 + "\n", 3),
    ('[tool.policylint]\nfail_on = "\xe9"\n'.encode("latin-1"), 2),
])
def test_hostile_pyproject_is_a_config_error_at_its_line(tmp_path, table, line):
    (tmp_path / "pyproject.toml").write_bytes(table if isinstance(table, bytes) else table.encode())
    (tmp_path / "p.json").write_text('{"Statement": []}')
    result = run(["check", "p.json"], tmp_path)
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert f"pyproject.toml:{line}:".encode() in result.stderr


def test_a_tree_thousands_of_levels_deep_is_walked(tmp_path):
    directory = os.open(tmp_path, os.O_RDONLY)
    for _ in range(1500):  # one level at a time, relative to the last (no 3000-character path handling)
        os.mkdir("d", dir_fd=directory)
        inner = os.open("d", os.O_RDONLY, dir_fd=directory)
        os.close(directory)
        directory = inner
    policy = os.open("other.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=directory)
    os.write(policy, b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}')
    os.close(policy)
    os.close(directory)
    try:
        code, document, _ = report(["."], tmp_path)
        assert code == 1 and document["errors"] == []
        assert [f["path"].count("/") for f in document["findings"] if f["rule_id"] == "SM001"] == [1500]
    finally:  # bottom up: the test runner's recursive clean-up would hit the recursion limit
        os.remove(tmp_path.joinpath(*["d"] * 1500, "other.json"))
        for depth in range(1500, 0, -1):
            os.rmdir(tmp_path.joinpath(*["d"] * depth))


# ---- forged or leaked output ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_never_reach_the_report(tmp_path, fmt):
    (tmp_path / "control_chars.json").write_bytes((CORPUS / "control_chars.json").read_bytes())
    result = run(["check", ".", "--format", fmt, "--color", "never"], tmp_path)
    text = assert_safe_output(result.stdout, fmt)
    assert "x1b" in text and "pwned" in text and "x07" in text  # escaped visibly (markdown escapes more)


@pytest.mark.parametrize("fmt", ["text", "parseable", "github"])
def test_file_names_cannot_forge_records_or_workflow_commands(tmp_path, fmt):
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'
    names = ["a\nb.json", "c\rd.json", "e\x1b[31mf.json", "::error file=x::forged.json", "##vso[task]x.json"]
    for name in names:
        (tmp_path / name).write_text(policy)
    result = run(["check", ".", "--format", fmt, "--quiet"], tmp_path)
    lines = assert_safe_output(result.stdout, fmt).splitlines()
    findings = json.loads(run(["check", ".", "--format", "json"], tmp_path).stdout)["findings"]
    assert len(lines) == len(findings)  # one record per finding: no name started a new one
    if fmt == "github":
        commands = [line for line in lines if line.startswith("::")]
        assert commands and all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in commands)


def test_links_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"  # outside the project (the directory policylint runs in)
    outside.mkdir()
    (outside / "secret.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    tmp_path = tmp_path / "project"
    tree = tmp_path / "tree"
    tree.mkdir(parents=True)
    (tree / "passwd.json").symlink_to("/etc/passwd")
    (tree / "policy.json").symlink_to(outside / "secret.json")
    (tree / "root").symlink_to("/")
    _clean_policy(tree)
    result = run(["check", "tree", "--format", "text"], tmp_path)
    text = result.stdout.decode()
    assert result.returncode == 2 and "root:" not in text and "s3:*" not in text
    code, document, _ = report(["tree"], tmp_path)
    assert {e["path"]: e["message"][:36] for e in document["errors"]} == {
        "tree/passwd.json": "a symbolic link to a file outside th",
        "tree/policy.json": "a symbolic link to a file outside th",
    }
    assert {f["path"] for f in document["findings"]} == {"tree/other.json"}
    _, named, _ = report(["tree/policy.json"], tmp_path)  # named on the command line: the user's choice
    assert {f["rule_id"] for f in named["findings"]} >= {"IAM006"}


def test_a_linked_directory_argument_or_stdin_filename_directory_is_not_walked(tmp_path):
    (tmp_path / "root").symlink_to("/")
    code, document, _ = report(["root"], tmp_path)
    assert code == 2 and errors(document)["root"][2].startswith("a symbolic link to a directory")
    result = run(["check", "--stdin-filename", "/"], tmp_path, stdin=b"{}")
    assert result.returncode == 2 and b"not a directory" in result.stderr


# ---- quiet wrong answers ----------------------------------------------------------------------------------

def test_numbers_with_a_bare_exponent_are_valid_terraform(tmp_path):
    code, document, _ = report([str(CORPUS / "exponent.tf")], tmp_path)
    assert document["errors"] == []
    window = [f for f in document["findings"] if f["rule_id"] == "SM007"]
    assert [(f["line"], f["column"], f["end_column"]) for f in window] == [(3, 29, 32)]  # 0e5 is 0


def test_cr_only_line_ends_count_the_same_lines_in_json_and_yaml(tmp_path):
    _, document, _ = report([str(CORPUS / "cr_only.json"), str(CORPUS / "cr_only.yaml")], tmp_path)
    lines = {(f["path"].rpartition("/")[2], f["rule_id"]): (f["line"], f["column"]) for f in document["findings"]}
    assert lines[("cr_only.json", "SM001")] == (4, 35)
    assert lines[("cr_only.yaml", "SM001")] == (9, 21)
