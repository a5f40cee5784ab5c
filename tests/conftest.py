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
