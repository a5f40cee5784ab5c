"""The CI recipes under examples/ are copied by users as they are: check their structure, that every
policylint command in them is a valid invocation, and that the GitHub workflow keeps the exit code."""
from __future__ import annotations

import os
import re
import shlex
import stat
import sys
import subprocess
from pathlib import Path

import pytest
import yaml

from linter.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "examples" / "github-actions" / "policylint.yml"
GITLAB = ROOT / "examples" / "gitlab-ci" / ".gitlab-ci.yml"


def policylint_commands(script: str) -> list[list[str]]:
    """The `policylint ...` invocations in a shell script, as argv lists (shell operators cut off)."""
    commands = []
    for line in script.splitlines():
        match = re.search(r"(?:^|[\s;&|(])(policylint\s.*)$", line)
        if match and "pip install" not in line:
            command = re.split(r"\s(?:\|\||&&|;|\|)\s", match.group(1))[0]
            commands.append(shlex.split(command))
    return commands


def parse(argv: list[str]):
    assert argv[0] == "policylint"
    return build_parser().parse_args(argv[1:])


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(GITHUB.read_text())


def _steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_github_workflow_triggers_and_permissions(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    assert job["permissions"]["contents"] == "read"


def test_github_workflow_uploads_the_whole_repository_scan(workflow):
    steps = _steps(workflow)
    commands = [(step, argv) for step in steps if "run" in step for argv in policylint_commands(step["run"])]
    assert commands, "no policylint command found"
    for _, argv in commands:
        args = parse(argv)
        assert args.command == "check" and args.paths == ["."]  # the whole repository, never a diff
    (lint_step, sarif), = [(s, parse(a)) for s, a in commands if parse(a).format == "sarif"]
    assert [parse(a).format for _, a in commands].count("github") == 1

    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["category"] == "policylint"
    assert upload["with"]["sarif_file"] == sarif.output
    assert "always()" in upload["if"]
    assert steps.index(lint_step) < steps.index(upload)

    # The verdict comes after the upload, from the exit code the lint step recorded.
    final = steps[-1]
    assert "always()" in final["if"] and f"steps.{lint_step['id']}.outputs.status != '0'" in final["if"]
    assert final["run"].strip().endswith("exit 1")


@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_github_lint_step_keeps_the_exit_code(workflow, tmp_path, exit_code):
    """Run the step's script as Actions does (`bash -e`), with a stand-in policylint exiting `exit_code`."""
    (lint_step,) = [s for s in _steps(workflow) if s.get("id") == "lint"]
    fake = tmp_path / "bin" / "policylint"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'args'}\nexit {exit_code}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    output = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output)}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", lint_step["run"]], env=env, cwd=tmp_path)
    assert result.returncode == 0  # the upload step still runs
    assert output.read_text() == f"status={exit_code}\n"
    assert (tmp_path / "args").read_text().split() == ["check", ".", "--format", "sarif", "--output", "policylint.sarif"]


def test_gitlab_job_reports_junit():
    pipeline = yaml.safe_load(GITLAB.read_text())
    job = pipeline["policylint"]
    assert job["stage"] in pipeline["stages"]
    commands = [argv for line in job["script"] for argv in policylint_commands(line)]
    (args,) = [parse(argv) for argv in commands]
    assert args.command == "check" and args.paths == ["."] and args.format == "junit"
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == args.output
    assert any("pip install" in line and "policylint" in line for line in job["script"])


def test_command_extraction():
    assert policylint_commands("status=0\npolicylint check . --format sarif --output x.sarif || status=$?") == [
        ["policylint", "check", ".", "--format", "sarif", "--output", "x.sarif"]
    ]
    assert policylint_commands("python -m pip install policylint\necho hi") == []


def test_readme_shows_the_tested_recipes():
    readme = (ROOT / "README.md").read_text()
    assert GITHUB.read_text() in readme
    assert GITLAB.read_text() in readme
    assert "- id: policylint" in readme


def _readme_blocks(language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", readme, flags=re.S)


def test_readme_editor_snippets_parse():
    import json

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the backport policylint depends on there
        import tomli as tomllib

    (vscode,) = [json.loads(b) for b in _readme_blocks("json") if "glspc" in b]
    assert vscode["glspc.server.command"] == "policylint" and vscode["glspc.server.commandArguments"] == ["lsp"]
    (helix,) = [tomllib.loads(b) for b in _readme_blocks("toml") if "language-server.policylint" in b]
    assert helix["language-server"]["policylint"] == {"command": "policylint", "args": ["lsp"]}
    assert all("policylint" in lang["language-servers"] for lang in helix["language"])
    (efm,) = [yaml.safe_load(b) for b in _readme_blocks("yaml") if "lint-formats" in b]
    command = shlex.split(efm["tools"]["policylint"]["lint-command"].replace("${INPUT}", "main.tf"))
    assert parse(command).stdin_filename == "main.tf" and parse(command).format == "parseable"
    (hook,) = [yaml.safe_load(b) for b in _readme_blocks("yaml") if "- id: policylint" in b]
    assert hook["repos"][0]["hooks"][0]["id"] == "policylint" and hook["repos"][0]["rev"]


def test_nvim_lint_pattern_reads_parseable_output(tmp_path):
    """The README's nvim-lint Lua pattern, translated to a regex, on real `--stdin-filename` output."""
    (lua,) = [b for b in _readme_blocks("lua") if "from_pattern" in b]
    pattern = re.search(r"'(\^.*\$)'", lua).group(1)
    regex = pattern.replace("%d", r"\d").replace("%w", "[A-Za-z0-9]").replace("%a", "[A-Za-z]")
    name = str(tmp_path / "buffer.json")
    wildcard = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"}], "Version": "2012-10-17"}'
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--format", "parseable", "--stdin-filename", name],
        input=wildcard, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    matches = [re.match(regex, line) for line in result.stdout.splitlines()]
    assert matches and all(matches)
    (sm001,) = [m for m in matches if m.group(6) == "SM001"]
    assert sm001.groups()[:7] == (name, "1", "46", "1", "64", "SM001", "high")
    assert sm001.group(8).startswith("Action 'secretsmanager:*'")
