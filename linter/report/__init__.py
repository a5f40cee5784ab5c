"""Stage 6: turning a Report into text for people, scripts and CI systems. One module per format."""
from __future__ import annotations

from importlib import import_module

FORMATS = ("text", "json", "sarif", "github", "junit", "parseable")


def render(fmt: str, report, rules, **options) -> str:
    """The report in the named format; each format module has `render(report, rules, **options) -> str`.

    Options (each format uses what applies): `color` and `quiet` (text).
    """
    return import_module(f"linter.report.{fmt}_format").render(report, rules, **options)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
