"""Snapshot tests: every format on fixtures/demo, byte for byte.

When rules, fixtures or formats change on purpose, regenerate all snapshots with one command and review
the diff:  POLICYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_snapshots.py
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_cli import ROOT, run_cli

SNAPSHOTS = Path(__file__).with_name("snapshots")
CASES = {
    "text": ("demo.txt", []),
    "text-quiet": ("demo.quiet.txt", ["--quiet"]),
    "text-color": ("demo.color.txt", ["--color", "always"]),
    "json": ("demo.json", []),
    "sarif": ("demo.sarif", []),
    "github": ("demo.github.txt", []),
    "junit": ("demo.junit.xml", []),
    "parseable": ("demo.parseable.txt", []),
}


def demo_output(fmt: str, extra: list[str], capsys) -> str:
    base = fmt.split("-")[0]
    _, out, _ = run_cli(["check", "fixtures/demo", "--no-config", "--jobs", "1", "--format", base, *extra], ROOT, capsys)
    return out.replace(ROOT.as_uri() + "/", "file:///ROOT/")  # SARIF's originalUriBaseIds: where the checkout is


@pytest.mark.parametrize("fmt", CASES)
def test_snapshot(fmt, capsys):
    name, extra = CASES[fmt]
    out = demo_output(fmt, extra, capsys)
    target = SNAPSHOTS / name
    if os.environ.get("POLICYLINT_UPDATE_SNAPSHOTS") == "1":
        target.write_text(out, encoding="utf-8", newline="\n")
    assert target.exists(), f"missing snapshot {name}: run with POLICYLINT_UPDATE_SNAPSHOTS=1"
    assert out == target.read_text(encoding="utf-8"), (
        f"{name} differs from the output; if the change is intended, regenerate with "
        "POLICYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_snapshots.py"
    )
