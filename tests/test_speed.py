"""What issue 18's speed work promises, asserted as behaviour (timings live in scripts/bench.py only)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linter import prebuilt
from linter.rules import load_rule_file, load_rules, rule_files, shipped_rules_dir

ROOT = Path(__file__).resolve().parent.parent


def test_the_prebuilt_rules_are_the_yaml_rules():
    directory = shipped_rules_dir()
    checked_in = prebuilt.PREBUILT.read_text(encoding="utf-8")
    assert checked_in == prebuilt.render(prebuilt.build(directory, rule_files(directory))), (
        "linter/data/rules.json is stale: run python scripts/build_rules.py")


def test_rules_from_the_prebuilt_file_equal_rules_from_yaml():
    directory = shipped_rules_dir()
    fields = lambda rule: {name: getattr(rule, name) for name in rule.__slots__}  # noqa: E731
    from_yaml = [load_rule_file(p, f"rules/{p.relative_to(directory).as_posix()}", check=False) for p in rule_files(directory)]
    assert [fields(r) for r in load_rules()] == sorted((fields(r) for r in from_yaml), key=lambda f: f["id"])
    assert all(r.source.startswith("rules/") for r in load_rules())


def test_an_edited_rule_file_is_read_from_its_yaml(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), copy)
    files = rule_files(copy)
    assert prebuilt.load(copy, files) is not None
    edited = copy / "kms" / "KMS001.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("severity: ", "severity:  ", 1), encoding="utf-8")
    assert prebuilt.load(copy, files) is None
    assert prebuilt.load(copy, files[1:]) is None  # a rule file added or removed


@pytest.mark.parametrize("name, text", [
    ("p.json", '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'),
    ("main.tf", 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["secretsmanager:*"]\n'
                '    resources = ["*"]\n  }\n}\n'),
])
def test_a_json_or_terraform_run_never_imports_pyyaml(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    code = ("import sys; from linter.cli import main; code = main(['check', '--no-config', sys.argv[1]]); "
            "print('YAML' if 'yaml' in sys.modules else 'NO YAML', code)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "NO YAML 1", result.stderr
