"""Config files: discovery from the current directory upwards, strict validation, flags win."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.config import ConfigError, Settings, find_config, load_config
from test_cli import CLEAN, WILDCARD, run_cli


def test_discovery_walks_upwards_and_skips_pyproject_without_table(tmp_path):
    (tmp_path / ".policylint.yaml").write_text("fail_on: high\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(sub) == tmp_path / ".policylint.yaml"
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.policylint]\nfail_on = 'medium'\n")
    assert find_config(sub) == tmp_path / "a" / "pyproject.toml"
    assert load_config(find_config(sub)).fail_on == "medium"


def test_all_keys_from_pyproject(tmp_path):
    (tmp_path / "house-rules").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.policylint]\n"
        "select = ['SM', 'iam00']\n"
        "ignore = ['SM004']\n"
        "fail_on = 'high'\n"
        "exclude = ['legacy', 'infra/old/*']\n"
        "rules_dirs = ['house-rules']\n"
        "baseline = '.policylint-baseline.json'\n"
        "[tool.policylint.per_file_ignores]\n"
        "'policies/*.json' = ['SM002']\n"
        "[tool.policylint.severity_overrides]\n"
        "SM003 = 'low'\n"
        "[tool.policylint.rule_options.SM006]\n"
        "max_days = 30\n"
    )
    s = load_config(tmp_path / "pyproject.toml")
    root = tmp_path.absolute().as_posix()
    assert s.select == ("SM", "IAM00") and s.ignore == ("SM004",) and s.fail_on == "high"
    assert s.exclude == ("legacy", f"{root}/infra/old/*")
    assert s.rules_dirs == (f"{root}/house-rules",) and s.baseline == f"{root}/.policylint-baseline.json"
    assert s.per_file_ignores == ((f"{root}/policies/*.json", ("SM002",)),)
    assert s.severity_overrides == {"SM003": "low"} and s.rule_options == {"SM006": {"max_days": 30}}
    assert s.config_lines["rule_options.SM006.max_days"] == 13


@pytest.mark.parametrize(
    ("name", "text", "line", "key"),
    [
        (".policylint.yaml", "select: [SM001]\nfail-on: high\n", 2, "fail-on"),
        (".policylint.yaml", "select: SM001\nfail_on: severe\n", 2, "fail_on"),
        (".policylint.yaml", "per_file_ignores:\n  '*.json': [SM001, 'not an id']\n", 2, "per_file_ignores.*.json.1"),
        (".policylint.yaml", "severity_overrides:\n  SM001: urgent\n", 2, "severity_overrides.SM001"),
        (".policylint.yaml", "rule_options:\n  SM006: 30\n", 2, "rule_options.SM006"),
        ("pyproject.toml", "[tool.policylint]\nselect = ['SM']\n\n[tool.policylint.severity_overrides]\nSM001 = 3\n", 5, "severity_overrides.SM001"),
        ("pyproject.toml", "[tool.policylint]\nbaseline = 1\nunknown_key = true\n", 2, "baseline"),
        ("pyproject.toml", "[tool.policylint]\nexclude = ['a']\nunknown_key = true\n", 3, "unknown_key"),
    ],
)
def test_validation_errors_name_file_line_and_key(tmp_path, name, text, line, key):
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / name)
    assert (caught.value.line, caught.value.key) == (line, key)
    assert str(caught.value).startswith(f"{(tmp_path / name).as_posix()}:{line}: {key}: ")


def test_config_error_is_exit_2_with_location(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("select: [SM]\nbogus: 1\n")
    code, out, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and out == ""
    assert ".policylint.yaml:2: bogus: unknown key" in err


def test_invalid_yaml_and_toml_are_config_errors(tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [SM\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path / ".policylint.yaml")
    (tmp_path / "pyproject.toml").write_text("[tool.policylint]\nselect = [\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "pyproject.toml")
    assert "invalid TOML" in str(caught.value)


def test_rule_options_must_name_declared_options(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("rule_options:\n  SM001:\n    nope: 1\n")
    code, _, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:3: rule_options.SM001.nope: unknown option" in err
    (tmp_path / ".policylint.yaml").write_text("rule_options:\n  XX999: {}\n")
    code, _, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:2: rule_options.XX999: no such rule" in err


def test_config_applies_and_flags_win(tmp_path, capsys):
    (tmp_path / "p.json").write_text(WILDCARD)
    (tmp_path / ".policylint.yaml").write_text("fail_on: critical\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "p.json").write_text(WILDCARD)
    assert run_cli(["check", "."], tmp_path, capsys)[0] == 0
    assert run_cli(["check", "."], sub, capsys)[0] == 0  # found from a subdirectory
    assert run_cli(["check", ".", "--fail-on", "high"], tmp_path, capsys)[0] == 1
    assert run_cli(["check", ".", "--no-config"], tmp_path, capsys)[0] == 1
    (tmp_path / "other.yaml").write_text("ignore: [SM]\n")
    (tmp_path / ".policylint.yaml").write_text("ignore: [SM]\n")
    assert run_cli(["check", "."], tmp_path, capsys)[0] == 0
    assert run_cli(["check", ".", "--select", "SM001", "--ignore", "IAM"], tmp_path, capsys)[0] == 1


def test_explicit_config_file(tmp_path, capsys):
    (tmp_path / "p.json").write_text(WILDCARD)
    (tmp_path / "ci.yaml").write_text("select: [SM002]\n")
    assert run_cli(["check", ".", "--config", "ci.yaml"], tmp_path, capsys)[0] == 0


def test_severity_overrides_change_severity_and_exit(tmp_path, capsys):
    (tmp_path / "p.json").write_text(WILDCARD)
    (tmp_path / ".policylint.yaml").write_text("fail_on: medium\nseverity_overrides:\n  SM: low\n")
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path, capsys)
    assert code == 0 and [f["severity"] for f in json.loads(out)["findings"]] == ["low", "low"]  # SM001, SM011


def test_per_file_ignores_relative_to_config(tmp_path, capsys):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "p.json").write_text(WILDCARD)
    (tmp_path / "new.json").write_text(WILDCARD)
    (tmp_path / ".policylint.yaml").write_text("per_file_ignores:\n  legacy/*.json: [SM001, SM011]\n")
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path, capsys)
    assert sorted({f["path"] for f in json.loads(out)["findings"]}) == ["new.json"]
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path / "legacy", capsys)
    assert json.loads(out)["findings"] == []


def test_exclude_from_config_is_anchored_at_config_dir(tmp_path, capsys):
    (tmp_path / "infra" / "old").mkdir(parents=True)
    (tmp_path / "infra" / "old" / "p.json").write_text(WILDCARD)
    (tmp_path / "infra" / "ok.json").write_text(CLEAN)
    (tmp_path / ".policylint.yaml").write_text("exclude: [infra/old]\n")
    assert run_cli(["check", "."], tmp_path, capsys)[0] == 0
    assert run_cli(["check", "."], tmp_path / "infra", capsys)[0] == 0


def test_settings_wants_prefixes():
    s = Settings(select=("SM", "IAM00"), ignore=("SM004",))
    assert s.wants("SM001") and s.wants("IAM001") and not s.wants("IAM010") and not s.wants("SM004")
    assert Settings(severity_overrides={"SM": "low", "SM001": "critical"}).severity_for("SM001", "high") == "critical"


def test_empty_config_file_is_fine(tmp_path):
    (tmp_path / ".policylint.yaml").write_text("# nothing yet\n")
    assert load_config(Path(tmp_path / ".policylint.yaml")).select == ()


def test_rule_option_of_the_wrong_type_names_its_config_line(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("fail_on: high\nrule_options:\n  SM006:\n    max_days: ninety\n")
    (tmp_path / "p.json").write_text(CLEAN)
    code, _, err = run_cli(["check", "p.json"], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:4: rule_options.SM006.max_days: option 'max_days' of SM006 must be like its default" in err


def test_rule_refs_that_match_no_rule_are_errors(tmp_path, capsys):
    # A typo in `select` would otherwise run no rule at all and exit 0.
    (tmp_path / "p.json").write_text(WILDCARD)
    code, out, err = run_cli(["check", ".", "--select", "SM0O1"], tmp_path, capsys)
    assert code == 2 and out == ""
    assert "--select: 'SM0O1' matches no rule" in err
    code, _, err = run_cli(["check", ".", "--ignore", "SM001,XX"], tmp_path, capsys)
    assert code == 2 and "--ignore: 'XX' matches no rule" in err
    (tmp_path / ".policylint.yaml").write_text("fail_on: low\nselect: [SM, XYZ]\n")
    code, _, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:2: select: 'XYZ' matches no rule" in err
    (tmp_path / ".policylint.yaml").write_text("severity_overrides:\n  SM0: high\n  QQ1: low\n")
    code, _, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:3: severity_overrides.QQ1: 'QQ1' matches no rule" in err
    (tmp_path / ".policylint.yaml").write_text("per_file_ignores:\n  '*.json': [SM001, ZZ]\n")
    code, _, err = run_cli(["check", "."], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:2: per_file_ignores.*.json: 'ZZ' matches no rule" in err
    # Prefixes and ids of loaded rules are fine; the flag replaces the config's value.
    (tmp_path / ".policylint.yaml").write_text("select: [NOPE]\n")
    assert run_cli(["check", ".", "--select", "sm00,IAM", "--ignore", "SM011"], tmp_path, capsys)[0] == 1


def test_missing_rules_dir_names_its_config_line(tmp_path, capsys):
    (tmp_path / ".policylint.yaml").write_text("fail_on: high\nrules_dirs:\n  - house-rules\n")
    (tmp_path / "p.json").write_text(CLEAN)
    code, _, err = run_cli(["check", "p.json"], tmp_path, capsys)
    assert code == 2 and ".policylint.yaml:3: rules_dirs.0: rules directory not found: house-rules" in err
