"""What issue 18's speed work promises, asserted as behaviour (timings live in scripts/bench.py only)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
                '    resources = ["*"]\n  }\n}\n'
                'resource "aws_secretsmanager_secret" "db" {\n  name = "app/db"\n}\n'),
])
def test_a_json_or_terraform_run_imports_neither_pyyaml_nor_openssl_nor_shutil(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    code = ("import sys; from linter.cli import main; code = main(['check', '--no-config', sys.argv[1]]); "
            "print(sorted(m for m in ('yaml', '_hashlib', 'shutil', 'dataclasses', 'inspect', 'datetime') if m in sys.modules), code)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[] 1", result.stderr


def test_a_cloudformation_run_imports_no_dataclass_machinery(tmp_path):
    """Records (`linter.records`) stand in for `dataclasses`, whose import pulls `inspect`, `ast` and `dis`."""
    (tmp_path / "t.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  S:\n'
                                     '    Type: AWS::SecretsManager::Secret\n', encoding="utf-8")
    code = ("import sys; from linter.cli import main; code = main(['check', '--no-config', sys.argv[1]]); "
            "print(sorted(m for m in ('dataclasses', 'inspect', 'ast', 'dis') if m in sys.modules), code)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.yaml")], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[] 1", result.stderr  # a secret without its own key: a finding


@given(st.binary(max_size=300))
def test_the_builtin_sha256_gives_hashlibs_digests(data):
    import hashlib

    from linter.sha import sha256

    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("columns", ["", "0", "37", "120", "wide"])
def test_help_is_as_wide_as_shutil_would_make_it(monkeypatch, columns):
    import shutil

    from linter.helpformat import terminal_columns

    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_the_collector_is_tuned_inside_the_block_and_restored_after():
    import gc

    from linter.gctune import THRESHOLDS, tuned

    before = (gc.get_threshold(), gc.get_freeze_count())
    with tuned():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_command_leaves_the_collector_as_it_found_it(tmp_path):
    import gc

    from linter.cli import main

    policy = tmp_path / "p.json"
    policy.write_text('{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}')
    before = (gc.get_threshold(), gc.get_freeze_count())
    assert main(["check", "--no-config", str(policy)]) == 1
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def _shipped(tmp_path, monkeypatch, key_change: int = 0) -> dict:
    from linter import catalog

    index = {"secretsmanager": ["secretsmanager:OnlyFromTheWheel"]}
    key = catalog.shipped_key(catalog._data_file())
    key[0] += key_change
    shipped = tmp_path / "catalog-index.json"
    shipped.write_text(json.dumps({"key": key, "index": index}), encoding="utf-8")
    monkeypatch.setattr(catalog, "SHIPPED", shipped)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    catalog.catalog.cache_clear()
    return index


def test_the_index_shipped_in_the_wheel_is_used_and_no_cache_is_written(tmp_path, monkeypatch):
    from linter import catalog

    _shipped(tmp_path, monkeypatch)
    try:
        assert catalog.catalog() == {"secretsmanager": ("secretsmanager:OnlyFromTheWheel",)}
        assert not (tmp_path / "cache").exists()
    finally:
        catalog.catalog.cache_clear()


def test_an_index_shipped_for_other_data_is_ignored(tmp_path, monkeypatch):
    from linter import catalog

    _shipped(tmp_path, monkeypatch, key_change=1)
    try:
        assert "secretsmanager:GetSecretValue" in catalog.catalog()["secretsmanager"]
    finally:
        catalog.catalog.cache_clear()


def test_the_build_hook_ships_the_index_a_run_would_build(tmp_path):
    from hatch_build import CatalogIndexHook
    from linter import catalog

    hook = CatalogIndexHook(str(ROOT), {}, None, None, str(tmp_path), "wheel")
    build_data: dict = {"force_include": {}}
    hook.initialize("standard", build_data)
    [(source, target)] = build_data["force_include"].items()
    assert target == "linter/data/catalog-index.json"
    shipped = json.loads(Path(source).read_text(encoding="utf-8"))
    shutil.rmtree(Path(source).parent)
    data = catalog._data_file()
    assert shipped == {"key": catalog.shipped_key(data), "index": catalog._build(data.read_bytes())}


def test_the_command_freezes_what_it_made_before_the_process_ends(monkeypatch, capsys):
    """The interpreter's last collection would scan everything the run keeps alive; frozen, it is skipped."""
    import gc

    import pytest

    from linter.cli import entry

    monkeypatch.setattr("sys.argv", ["policylint", "rules"])
    before = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as ended:
            entry()
        assert ended.value.code == 0
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    capsys.readouterr()
