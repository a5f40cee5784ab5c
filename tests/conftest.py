"""Shared helpers: lint a set of files written to a temporary directory, with the shipped rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter.config import Settings
from linter.pipeline import run
from linter.results import Report
from linter.rules import load_rules


@pytest.fixture(scope="session")
def shipped_rules():
    return load_rules(check_shipped=True)


def lint_files(root: Path, files: dict[str, str], rules, settings: Settings | None = None) -> Report:
    """Write `files` (relative name -> text) under root and lint root; paths in the report are relative."""
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return run(["."], rules, settings or Settings())
    finally:
        os.chdir(cwd)


@pytest.fixture
def lint(tmp_path, shipped_rules):
    def _lint(files: dict[str, str], settings: Settings | None = None, rules=None) -> Report:
        return lint_files(tmp_path, files, rules or shipped_rules, settings)

    return _lint


@pytest.fixture(scope="session")
def report_schema_validator():
    import json

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parent.parent / "linter" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(autouse=True)
def json_reports_match_their_schema(monkeypatch, report_schema_validator):
    """Every JSON report any test renders (CLI or direct) is checked against the shipped JSON Schema."""
    import json

    from linter.report import json_format

    render = json_format.render

    def checked(report, rules, **options) -> str:
        text = render(report, rules, **options)
        report_schema_validator.validate(json.loads(text))
        return text

    monkeypatch.setattr(json_format, "render", checked)


@pytest.fixture(scope="session")
def jenkins_junit_schema():
    import xmlschema

    return xmlschema.XMLSchema(str(Path(__file__).resolve().parent / "data" / "jenkins-junit-10.xsd"))


@pytest.fixture(autouse=True)
def junit_reports_match_jenkins_schema(monkeypatch, jenkins_junit_schema):
    """Every JUnit report a test renders is valid against Jenkins' strict junit-10.xsd, unless it asked for
    GitLab's `file` attribute (which that schema does not allow on test cases)."""
    from linter.report import junit_format

    render = junit_format.render

    def checked(report, rules, gitlab: bool = False, **options) -> str:
        text = render(report, rules, gitlab=gitlab, **options)
        if not gitlab:
            jenkins_junit_schema.validate(text)
        return text

    monkeypatch.setattr(junit_format, "render", checked)
