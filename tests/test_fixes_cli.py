"""`policylint check --fix / --diff / --show-fixes / --unsafe-fixes` as users and scripts meet them, and
a property over every rule example: fixes (safe, and unsafe ones when asked) never break a file or add a finding."""
from __future__ import annotations

import io
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter import fixes
from linter.cli import main
from linter.config import Settings
from linter.rules import load_rules

POLICY = (
    '{\r\n  "Version": "2012-10-17",\r\n  "Statement": [\r\n    {\r\n      "Effect": "Allow",\r\n'
    '      "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},\r\n'
    '      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecrett"],\r\n      "Resource": "*"\r\n    }\r\n  ]\r\n}\r\n'
)
FIXED = POLICY.replace("DescribeSecrett", "DescribeSecret").replace(
    '"Resource": "*"\r\n', '"Resource": "*",\r\n      "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}\r\n'
)


def cli(args, cwd, capsys, monkeypatch, stdin: str | None = None):
    monkeypatch.chdir(cwd)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["check", "--no-config", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_diff_prints_and_writes_nothing(tmp_path, capsys, monkeypatch):
    (tmp_path / "secret-policy.json").write_bytes(POLICY.encode())
    code, out, err = cli(["--diff", "--select", "SM003,IAM006", "secret-policy.json"], tmp_path, capsys, monkeypatch)
    assert code == 1
    assert out.startswith("--- a/secret-policy.json\n+++ b/secret-policy.json\n")
    assert '+      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],\n' in out
    assert err == "policylint: 2 fixes available in 1 file\n"
    assert (tmp_path / "secret-policy.json").read_bytes() == POLICY.encode()


def test_diff_exits_0_when_nothing_to_fix(tmp_path, capsys, monkeypatch):
    (tmp_path / "secret-policy.json").write_bytes(FIXED.encode())
    code, out, _ = cli(["--diff", "--select", "SM003,IAM006", "secret-policy.json"], tmp_path, capsys, monkeypatch)
    assert (code, out) == (0, "")


def test_fix_keeps_crlf_and_bom_and_reports_what_remains(tmp_path, capsys, monkeypatch):
    (tmp_path / "secret-policy.json").write_bytes(("\ufeff" + POLICY).encode())
    code, out, err = cli(["--fix", "--show-fixes", "secret-policy.json"], tmp_path, capsys, monkeypatch)
    assert (tmp_path / "secret-policy.json").read_bytes() == ("\ufeff" + FIXED).encode()
    assert code == 1  # SM004 remains: no admin principals configured
    assert err == "policylint: fixed 2 findings in 1 file, 1 remaining\n"
    assert "secret-policy.json:1:1: MEDIUM SM004" in out
    assert "Fixed:\n  secret-policy.json:4:5: SM003 Pin VersionStage to AWSCURRENT\n" in out
    assert "SM004 has no fix until rule_options.SM004.admin_principals names the admin principals" in out


def test_show_fixes_lists_without_writing(tmp_path, capsys, monkeypatch):
    (tmp_path / "secret-policy.json").write_bytes(POLICY.encode())
    code, out, _ = cli(["--show-fixes", "--select", "SM003,IAM006", "secret-policy.json"], tmp_path, capsys, monkeypatch)
    assert code == 1
    assert out.endswith(
        "Applicable fixes (apply with --fix):\n"
        "  secret-policy.json:4:5: SM003 Pin VersionStage to AWSCURRENT\n"
        "  secret-policy.json:7:51: IAM006 Use the action name it is close to: secretsmanager:DescribeSecret\n"
    )
    assert (tmp_path / "secret-policy.json").read_bytes() == POLICY.encode()


def test_fix_on_standard_input_prints_the_fixed_text(tmp_path, capsys, monkeypatch):
    text = POLICY.replace("\r\n", "\n")
    code, out, _ = cli(["--fix", "--select", "SM003,IAM006", "--stdin-filename", "p.json"], tmp_path, capsys, monkeypatch, text)
    assert (code, out) == (0, FIXED.replace("\r\n", "\n"))


def test_a_clean_fix_run_exits_0(tmp_path, capsys, monkeypatch):
    (tmp_path / "secret-policy.json").write_bytes(POLICY.encode())
    code, _, err = cli(["--fix", "--select", "SM003,IAM006", "secret-policy.json"], tmp_path, capsys, monkeypatch)
    assert code == 0 and err == "policylint: fixed 2 findings in 1 file, 0 remaining\n"


# ---- property: safe fixes over every rule example --------------------------------------------------------------

RULES = load_rules()
NON_COMPLIANT = [(rule, example) for rule in RULES for example in rule.examples if not example.compliant]
ADMINS = {"SM004": {"admin_principals": ["arn:aws:iam::111122223333:role/secrets-admin"]}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=st.sampled_from(NON_COMPLIANT), options=st.sampled_from([{}, ADMINS]), unsafe=st.booleans())
def test_safe_fixes_on_rule_examples_never_break_or_add(tmp_path_factory, case, options, unsafe):
    """Every safe fix (and, with `unsafe`, every unsafe one too) of every finding (all rules running) on a
    non-compliant example: the result parses, and no rule fires more often than before (fix_file refuses
    anything else, so refusal is the failure)."""
    import os

    from linter.formats.registry import example_formats
    from linter.pipeline import run

    rule, example = case
    directory = tmp_path_factory.mktemp("fix")
    name = example_formats()[example.format].filename
    (directory / name).write_text(example.code, encoding="utf-8")
    settings_ = Settings(rule_options=options)
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        before = run([name], RULES, settings_)
        result = fixes.fix_file(name, example.code, before.findings, RULES, settings_, unsafe=unsafe)
        assert result.problem is None
        after = run([name], RULES, settings_, sources={name: result.fixed})
    finally:
        os.chdir(cwd)
    assert after.errors == []
    for rule_id in {f.rule_id for f in before.findings + after.findings}:
        assert sum(f.rule_id == rule_id for f in after.findings) <= sum(f.rule_id == rule_id for f in before.findings)
    assert unsafe or all(f.safe for f in result.applied)


def test_fix_under_a_project_root(tmp_path, capsys, monkeypatch):
    """Reported paths are relative to the project root (here the config's directory), not to where the
    command runs: the fix still rewrites the file that was linted."""
    (tmp_path / ".policylint.yaml").write_text("select: [SM003, IAM006]\n")
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "secret-policy.json").write_bytes(POLICY.encode())
    monkeypatch.chdir(infra)
    code = main(["check", "--fix", "--show-fixes", "secret-policy.json"])
    out = capsys.readouterr().out
    assert code == 0
    assert "  infra/secret-policy.json:4:5: SM003 Pin VersionStage to AWSCURRENT\n" in out
    assert (infra / "secret-policy.json").read_bytes() == FIXED.encode()
