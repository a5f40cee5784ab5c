"""The pre-commit hook as users meet it: the real `pre-commit try-repo` against this checkout, in a throwaway
git repository, on a clean commit and on a commit with a wildcard.

try-repo installs the hook's environment with `pip install .` from a clone of this checkout (committed state
plus uncommitted changes to tracked files); that takes a few seconds, so each run checks several things.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"
WILDCARD = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "%s"}], "Version": "2012-10-17"}\n' % ARN
FIXED = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "%s"}], "Version": "2012-10-17"}\n' % ARN
K8S = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  Statement: not a policy\n"
LOCALS_TF = 'locals {\n  reader_actions = ["secretsmanager:GetSecretValue"]\n}\n'
MAIN_TF = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = local.reader_actions
      Resource = "%s"
    }]
  })
}
""" % ARN
# A CloudFormation template named `.template`: pre-commit gives it no file type, the manifest's `files` does.
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "secretsmanager:*"
            Resource: "%s"
""" % ARN
PRECOMMIT_CONFIG = "repos:\n  - repo: local\n    hooks: []\n"


def test_hook_manifest():
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "policylint"
    assert hook["entry"] == "policylint check"
    assert hook["language"] == "python"
    assert hook["types"] == ["file"]
    files = re.compile(hook["files"])
    read = ["stack/app.template", "APP.TEMPLATE", "main.tf", "x.tf.json", "p.json", "t.yaml", "serverless.yml"]
    assert all(files.search(name) for name in read)
    assert not any(files.search(name) for name in ["app.template.bak", "prod.tfvars", "README.md", "tf"])
    assert hook["require_serial"] is True
    assert hook["pass_filenames"] is True
    raw = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert raw[0]["name"] and raw[0]["description"]


def _env(tmp_path: Path) -> dict[str, str]:
    """A CI-like environment: no colour, no prompts, no user or outer-hook git settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[safe]\n\tdirectory = *\n[init]\n\tdefaultBranch = main\n")
    env.update(
        CI="true",
        PRE_COMMIT_COLOR="never",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)


def _write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)


def _try_repo(repo: Path, env: dict[str, str], *args: str) -> tuple[int, str, float]:
    """`pre-commit try-repo <this checkout> policylint` on the staged files (what a commit would check)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "policylint", *args],
        cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600,
    )
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def test_try_repo_passes_a_clean_commit_and_fails_a_wildcard(tmp_path):
    env = _env(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, env, "init", "-q")
    _git(repo, env, "config", "user.name", "Test User")
    _git(repo, env, "config", "user.email", "test@example.com")
    _git(repo, env, "config", "commit.gpgsign", "false")
    # Already in the repository before the hook: a bad legacy policy and files that are not IaC.
    _write(repo, {"legacy.json": WILDCARD, "package.json": '{"name": "app"}\n'})
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "legacy")

    # A clean change: a fixed policy, and files pre-commit passes by type that are not policylint's (YAML
    # that is no template, JSON that is no policy, Terraform variables). Only these staged files are
    # checked, so the legacy wildcard does not fail this commit.
    _write(repo, {
        "iam/app.json": FIXED,
        "infra/locals.tf": LOCALS_TF,
        "infra/main.tf": MAIN_TF,
        "k8s/config.yaml": K8S,
        ".pre-commit-config.yaml": PRECOMMIT_CONFIG,
        "package.json": '{"name": "app", "private": true}\n',
        "prod.tfvars": 'region = "eu-west-1"\n',
    })
    _git(repo, env, "add", "-A")
    code, output, seconds = _try_repo(repo, env)
    assert code == 0, output
    assert "policylint" in output and "Passed" in output
    assert "legacy.json" not in output
    _git(repo, env, "commit", "-q", "-m", "clean", "--no-verify")

    # Wildcards are introduced in a new policy file and in a Terraform file: the commit fails, pointing at
    # the staged files only (the Terraform module's other file is read, not reported).
    _write(repo, {
        "iam/ci.json": WILDCARD,
        "infra/main.tf": MAIN_TF.replace("local.reader_actions", '"secretsmanager:*"'),
        "stack/app.template": TEMPLATE,
    })
    _git(repo, env, "add", "-A")
    code, output, seconds = _try_repo(repo, env)
    assert code == 1, output
    assert "Failed" in output
    assert "iam/ci.json:1:46: HIGH SM001" in output
    assert "infra/main.tf:5:18: HIGH SM001" in output
    assert "stack/app.template:9:21: HIGH SM001" in output
    assert "legacy.json" not in output and "iam/app.json" not in output and "locals.tf" not in output
    assert seconds < 300
