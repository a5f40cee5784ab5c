"""Pull requests: `--baseline-commit` against real git repositories, `--project-root` from any directory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from test_cli import run_core
from test_report_formats import SARIF_SCHEMA

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}
WILDCARD = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
            '      "Action": "secretsmanager:*",\n'
            '      "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"\n    }\n  ]\n}\n')
EVERY_SECRET = WILDCARD.replace('"secretsmanager:*"', '"secretsmanager:GetSecretValue"').replace(
    '"arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"', '"*"')
CLEAN = WILDCARD.replace('"secretsmanager:*"', '"secretsmanager:GetSecretValue"')
ROLE_TF = '''resource "aws_iam_role_policy" "app" {
  name = "app"
  role = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = "*"
    }]
  })
}
'''


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True)
    return result.stdout


def commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    """Write (or, for None, delete) the files and commit everything."""
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def check_json(args: list[str], cwd: Path, capsys) -> tuple[int, dict, str]:
    code, out, err = run_core(["check", *args, "--format", "json"], cwd, capsys)
    return code, json.loads(out), err


def places(findings: list[dict]) -> list[tuple]:
    return [(f["rule_id"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in findings]


def test_only_what_the_second_commit_adds_and_what_it_fixes(repo, capsys):
    commit(repo, {"infra/app.json": CLEAN, "infra/old.json": EVERY_SECRET, "infra/kept.json": EVERY_SECRET}, "one")
    commit(repo, {"infra/app.json": WILDCARD, "infra/old.json": CLEAN}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 1
    assert places(report["findings"]) == [("SM001", "infra/app.json", 6, 17, 6, 35)]
    base = report["baseline_commit"]
    assert base["rev"] == "HEAD~1" and base["commit"] == git(repo, "rev-parse", "HEAD~1").strip()
    assert base["unchanged"] == 1  # kept.json's SM002, not listed
    assert places(base["fixed"]) == [("SM002", "infra/old.json", 7, 19, 7, 22)]

    code, out, _ = run_core(["check", "--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 1
    assert out.splitlines()[0] == ("infra/app.json:6:17: HIGH SM001 Action 'secretsmanager:*' grants 23 Secrets Manager "
                                   "actions, including GetSecretValue and DeleteSecret")
    assert "fixed since HEAD~1:\n  infra/old.json:7:19: HIGH SM002 " in out
    assert out.rstrip().endswith("1 finding (1 high) in 1 file, 3 files scanned, 1 unchanged since HEAD~1, 1 fixed")

    code, out, _ = run_core(["check", "--baseline-commit", "HEAD~1", "--format", "markdown"], repo, capsys)
    assert "**1 finding (1 high) in 1 file, 3 files scanned, 1 unchanged since HEAD\\~1, 1 fixed**" in out  # (~ is escaped: GitHub reads ~x~ as strikethrough)
    fixed = out.split("### Fixed since HEAD\\~1")[1]
    assert "| high | SM002 |" in fixed and "| infra/old.json:7:19 |" in fixed


def test_unchanged_revision_reports_nothing_and_exits_zero(repo, capsys):
    commit(repo, {"a.json": WILDCARD}, "one")
    code, report, _ = check_json(["--baseline-commit", "HEAD"], repo, capsys)
    assert code == 0 and report["findings"] == []
    assert report["baseline_commit"]["unchanged"] == 1 and report["baseline_commit"]["fixed"] == []


def test_moving_a_policy_down_is_neither_new_nor_fixed(repo, capsys):
    commit(repo, {"iam.tf": ROLE_TF, "p.json": EVERY_SECRET}, "one")
    commit(repo, {"iam.tf": "# moved\n" * 20 + ROLE_TF, "p.json": "\n" * 20 + EVERY_SECRET}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 0 and report["findings"] == []
    assert report["baseline_commit"]["unchanged"] == 2 and report["baseline_commit"]["fixed"] == []


def test_uncommitted_changes_count_as_the_change(repo, capsys):
    commit(repo, {"a.json": CLEAN}, "one")
    (repo / "a.json").write_text(WILDCARD)
    (repo / "untracked.json").write_text(EVERY_SECRET)
    code, report, _ = check_json(["--baseline-commit", "HEAD"], repo, capsys)
    assert code == 1
    assert places(report["findings"]) == [("SM001", "a.json", 6, 17, 6, 35), ("SM002", "untracked.json", 7, 19, 7, 22)]


def test_a_renamed_file_reports_its_findings_at_the_new_path(repo, capsys):
    commit(repo, {"old/p.json": WILDCARD}, "one")
    git(repo, "mv", "old", "new")
    git(repo, "commit", "-q", "-m", "rename")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 1
    assert places(report["findings"]) == [("SM001", "new/p.json", 6, 17, 6, 35)]
    assert places(report["baseline_commit"]["fixed"]) == [("SM001", "old/p.json", 6, 17, 6, 35)]


def test_terraform_module_at_the_revision_is_read_from_git(repo, capsys):
    """The revision's module directory is listed and read from git objects: a file that only the work tree
    has is not part of it, a module the caller calls is the revision's, and file() reads the revision's file."""
    caller = 'module "app" {\n  source = "../modules/app"\n}\n'
    module = ('resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = file("${path.module}/policy.json")\n}\n')
    commit(repo, {"live/main.tf": caller, "modules/app/main.tf": module, "modules/app/policy.json": CLEAN}, "one")
    commit(repo, {"modules/app/policy.json": WILDCARD, "modules/app/extra.tf": ROLE_TF}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 1
    assert places(report["findings"]) == [
        ("SM002", "modules/app/extra.tf", 9, 18, 9, 21),
        ("SM001", "modules/app/policy.json", 6, 17, 6, 35),
    ]
    assert report["baseline_commit"] == {"rev": "HEAD~1", "commit": git(repo, "rev-parse", "HEAD~1").strip(),
                                         "unchanged": 0, "fixed": []}


def test_the_work_tree_and_repository_are_not_touched(repo, capsys):
    commit(repo, {"a.json": CLEAN, "b.tf": ROLE_TF}, "one")
    commit(repo, {"a.json": WILDCARD, "b.tf": None}, "two")
    (repo / "dirty.json").write_text(WILDCARD)

    def state() -> list:
        return sorted((str(p.relative_to(repo)), p.stat().st_mtime_ns, p.stat().st_size) for p in repo.rglob("*"))

    status = git(repo, "status", "--porcelain")  # (git status itself refreshes the index)
    before = state()
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 1 and [f["path"] for f in report["findings"]] == ["a.json", "dirty.json"]
    assert places(report["baseline_commit"]["fixed"]) == [("SM002", "b.tf", 9, 18, 9, 21)]
    assert state() == before  # nothing written, not even in .git
    assert git(repo, "status", "--porcelain") == status


def test_unknown_revision_is_exit_2_with_the_cause(repo, capsys):
    commit(repo, {"a.json": WILDCARD}, "one")
    code, out, err = run_core(["check", "--baseline-commit", "no-such-branch"], repo, capsys)
    assert code == 2 and out == ""
    assert err == ("policylint: --baseline-commit no-such-branch: no such commit in this repository "
                   "(check the name, or fetch it first)\n")


def test_shallow_clone_names_fetch_depth(repo, tmp_path, capsys):
    commit(repo, {"a.json": CLEAN}, "one")
    commit(repo, {"a.json": WILDCARD}, "two")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    code, _, err = run_core(["check", "--baseline-commit", "HEAD~1"], clone, capsys)
    assert code == 2
    assert "no such commit in this repository (this is a shallow clone: fetch the history" in err
    assert "fetch-depth: 0" in err


def test_outside_a_git_repository_is_exit_2(tmp_path, capsys):
    (tmp_path / "a.json").write_text(WILDCARD)
    code, _, err = run_core(["check", "--baseline-commit", "HEAD"], tmp_path, capsys)
    assert code == 2 and err == f"policylint: --baseline-commit HEAD: {tmp_path} is not inside a git work tree\n"


def test_suppressed_now_is_neither_new_nor_fixed(repo, capsys):
    policy = ROLE_TF.replace('      Resource = "*"', '      Resource = "*" # policylint:ignore=SM002 reviewed')
    commit(repo, {"iam.tf": ROLE_TF}, "one")
    commit(repo, {"iam.tf": policy}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 0 and report["findings"] == []
    assert report["baseline_commit"]["fixed"] == [] and len(report["suppressed"]) == 1


# ---- --project-root ---------------------------------------------------------------------------------------

def _sarif_uris(out: str) -> list[str]:
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]


def test_same_paths_from_a_subdirectory_and_the_root(repo, capsys):
    commit(repo, {"infra/app.json": CLEAN, "infra/iam.tf": ROLE_TF}, "one")
    commit(repo, {"infra/app.json": WILDCARD}, "two")
    outputs = {}
    for cwd, path in ((repo, "infra"), (repo / "infra", ".")):
        runs = {}
        for fmt in ("json", "sarif", "github", "gitlab"):
            code, out, _ = run_core(["check", path, "--format", fmt], cwd, capsys)
            assert code == 1
            runs[fmt] = out
        code, out, _ = run_core(["check", path, "--format", "json", "--baseline-commit", "HEAD~1"], cwd, capsys)
        runs["baseline-commit"] = out
        outputs[cwd] = runs
    assert outputs[repo] == outputs[repo / "infra"]
    runs = outputs[repo]
    assert _sarif_uris(runs["sarif"]) == ["infra/app.json", "infra/iam.tf"]
    sarif_run = json.loads(runs["sarif"])["runs"][0]
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in sarif_run["results"]} == {"%SRCROOT%"}
    assert [line.split(",")[0] for line in runs["github"].splitlines()] == ["::error file=infra/app.json", "::error file=infra/iam.tf"]
    assert places(json.loads(runs["baseline-commit"])["findings"]) == [("SM001", "infra/app.json", 6, 17, 6, 35)]


def test_a_baseline_written_at_the_root_matches_from_a_subdirectory(repo, capsys):
    commit(repo, {"infra/app.json": WILDCARD, "infra/iam.tf": ROLE_TF}, "one")
    code, _, _ = run_core(["check", "--write-baseline", "baseline.json"], repo, capsys)
    assert code == 0
    code, report, _ = check_json(["--baseline", "../baseline.json"], repo / "infra", capsys)
    assert code == 0 and report["findings"] == [] and report["baseline"]["matched"] == 2
    fingerprints = {e["fingerprint"] for e in json.loads((repo / "baseline.json").read_text())["findings"]}
    code, report, _ = check_json(["."], repo / "infra", capsys)
    assert {f["fingerprint"] for f in report["findings"]} == fingerprints


def test_the_config_files_directory_is_the_default_root(tmp_path, capsys):
    (tmp_path / "project" / "infra").mkdir(parents=True)
    (tmp_path / "project" / ".policylint.yaml").write_text("select: [SM001]\n")
    (tmp_path / "project" / "infra" / "a.json").write_text(WILDCARD)
    code, report, _ = check_json(["."], tmp_path / "project" / "infra", capsys)
    assert code == 1 and [f["path"] for f in report["findings"]] == ["infra/a.json"]


def test_explicit_project_root_and_paths_outside_it(tmp_path, capsys):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "p.json").write_text(WILDCARD)
    (tmp_path / "other.json").write_text(WILDCARD)
    code, report, _ = check_json(["b", "../other.json", "--project-root", "."], tmp_path / "a", capsys)
    assert code == 1
    assert [f["path"] for f in report["findings"]] == [(tmp_path / "other.json").as_posix(), "b/p.json"]
    code, report, _ = check_json(["b", "--project-root", ".."], tmp_path / "a", capsys)
    assert [f["path"] for f in report["findings"]] == ["a/b/p.json"]
    _, out, _ = run_core(["check", "b", "--project-root", "..", "--format", "sarif"], tmp_path / "a", capsys)
    assert json.loads(out)["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    code, _, err = run_core(["check", "b", "--project-root", "missing"], tmp_path / "a", capsys)
    assert code == 2 and err == "policylint: --project-root missing: not a directory\n"


def test_text_snippets_come_from_the_project_root(repo, capsys):
    commit(repo, {"infra/app.json": WILDCARD}, "one")
    code, out, _ = run_core(["check", "."], repo / "infra", capsys)
    assert out.splitlines()[:3] == [
        "infra/app.json:6:17: HIGH SM001 Action 'secretsmanager:*' grants 23 Secrets Manager actions, including "
        "GetSecretValue and DeleteSecret",
        '    6 |       "Action": "secretsmanager:*",',
        "      |                 ^~~~~~~~~~~~~~~~~~",
    ]


def test_templatefile_of_the_revision_is_read_from_git(repo, capsys):
    """A template is not a file policylint lints by name: it is fetched from git when Terraform reads it."""
    tf = 'resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = templatefile("${path.module}/p.tpl", {})\n}\n'
    commit(repo, {"main.tf": tf, "p.tpl": WILDCARD}, "one")
    commit(repo, {"p.tpl": CLEAN}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 0 and report["findings"] == []
    assert places(report["baseline_commit"]["fixed"]) == [("SM001", "p.tpl", 6, 17, 6, 35)]


def test_blobs_git_cannot_give_are_left_out(repo):
    from linter.gitrev import _read_blobs

    commit(repo, {"a.json": CLEAN, "b.json": WILDCARD}, "one")
    a, b = (git(repo, "rev-parse", f"HEAD:{name}").strip() for name in ("a.json", "b.json"))
    assert _read_blobs(repo, [a, "0" * 40, b]) == {a: CLEAN.encode(), b: WILDCARD.encode()}


def test_write_baseline_ignores_the_revision(repo, capsys):
    commit(repo, {"a.json": WILDCARD}, "one")
    code, _, err = run_core(["check", "--baseline-commit", "no-such-rev", "--write-baseline", "b.json"], repo, capsys)
    assert code == 0 and err == "policylint: recorded 1 finding in b.json\n"


def test_without_git_is_exit_2(repo, capsys, monkeypatch):
    commit(repo, {"a.json": WILDCARD}, "one")
    monkeypatch.setenv("PATH", str(repo / "no-bin"))
    code, _, err = run_core(["check", "--baseline-commit", "HEAD"], repo, capsys)
    assert code == 2 and err == "policylint: --baseline-commit needs git, which is not installed\n"


def test_symlinked_files_are_the_same_file_at_the_revision(repo, capsys):
    """A policy linked into another directory is linted at both paths, at the revision too: unchanged."""
    commit(repo, {"shared/p.json": WILDCARD}, "one")
    (repo / "stack").mkdir()
    (repo / "stack" / "p.json").symlink_to("../shared/p.json")
    (repo / "stack" / "loop.json").symlink_to("loop.json")
    (repo / "stack" / "out.json").symlink_to("../../elsewhere.json")
    commit(repo, {}, "links")
    commit(repo, {"README.md": "docs\n"}, "unrelated")
    code, report, _ = check_json(["shared", "stack/p.json", "--baseline-commit", "HEAD~1"], repo, capsys)
    assert code == 0 and report["findings"] == []
    assert report["baseline_commit"]["unchanged"] == 2 and report["baseline_commit"]["fixed"] == []
    code, report, _ = check_json(["shared", "stack/p.json", "--baseline-commit", "HEAD~2"], repo, capsys)
    assert code == 1 and places(report["findings"]) == [("SM001", "stack/p.json", 6, 17, 6, 35)]


def test_submodules_are_read_as_checked_out(repo, tmp_path, capsys):
    inner = tmp_path / "inner"
    inner.mkdir()
    git(inner, "init", "-q", "-b", "main")
    commit(inner, {"p.json": WILDCARD}, "inner")
    commit(repo, {"a.json": CLEAN}, "one")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "-q", "add", inner.as_uri(), "vendor")
    git(repo, "commit", "-q", "-m", "submodule")
    commit(repo, {"a.json": WILDCARD}, "two")
    code, report, _ = check_json(["--baseline-commit", "HEAD~1"], repo, capsys)
    # The submodule is read as checked out on both sides: its finding is unchanged, not new in every change.
    assert code == 1 and places(report["findings"]) == [("SM001", "a.json", 6, 17, 6, 35)]
    assert report["baseline_commit"]["unchanged"] == 1


def _many_units(repo: Path) -> None:
    """Two revisions of several units (JSON files and Terraform modules), each changed differently."""
    first = {f"p{n}.json": CLEAN if n % 2 else EVERY_SECRET for n in range(6)}
    first.update({f"mod{n}/main.tf": ROLE_TF for n in range(3)})
    commit(repo, first, "one")
    second = {f"p{n}.json": WILDCARD if n % 3 == 0 else CLEAN for n in range(6)}
    second.update({"mod1/main.tf": ROLE_TF.replace('"*"', '"arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"')})
    commit(repo, second, "two")


def test_the_revision_is_linted_with_workers_as_in_one_process(repo, capsys):
    _many_units(repo)
    outputs = [run_core(["check", "--baseline-commit", "HEAD~1", "--format", "json", "--jobs", jobs], repo, capsys)
               for jobs in ("1", "2")]
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0][1])
    assert places(report["findings"]) == [("SM001", "p0.json", 6, 17, 6, 35), ("SM001", "p3.json", 6, 17, 6, 35)]
    assert [f["path"] for f in report["baseline_commit"]["fixed"]] == ["mod1/main.tf", "p0.json", "p2.json", "p4.json"]
    assert report["baseline_commit"]["unchanged"] == 2


def test_workers_started_fresh_read_the_revision_from_git(repo):
    """Under the `spawn` start method a worker shares no memory: it gets the revision as data."""
    _many_units(repo)
    script = ("import multiprocessing, sys\nmultiprocessing.set_start_method('spawn', force=True)\n"
              "from linter.cli import main\n"
              "sys.exit(main(['check', '--baseline-commit', 'HEAD~1', '--format', 'json', '--jobs', '2',"
              " '--select', 'SM001,SM002,SM003,SM004']))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert places(report["findings"]) == [("SM001", "p0.json", 6, 17, 6, 35), ("SM001", "p3.json", 6, 17, 6, 35)]
    assert [f["path"] for f in report["baseline_commit"]["fixed"]] == ["mod1/main.tf", "p0.json", "p2.json", "p4.json"]
