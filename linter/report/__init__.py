"""Stage 6: turning a Report into text for people, scripts and CI systems. One module per format."""
from __future__ import annotations

from importlib import import_module

FORMATS = ("text", "json")


def render(fmt: str, report, rules, **options) -> str:
    """The report in the named format; each format module has `render(report, rules, **options) -> str`."""
    return import_module(f"linter.report.{fmt}_format").render(report, rules, **options)
