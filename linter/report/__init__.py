"""Stage 6: turning a Report into text for people, scripts and CI systems. One module per format."""
from __future__ import annotations

from importlib import import_module

FORMATS = ("text", "json", "sarif", "github", "junit", "parseable")


def render(fmt: str, report, rules, **options) -> str:
    """The report in the named format; each format module has `render(report, rules, **options) -> str`.

    Options (each format uses what applies): `color` and `quiet` (text), `sources` (path -> text for files
    read from standard input, so snippets show what was linted). Every string of the report is cleaned
    first (`linter.sanitise`), so no format can print a control character or an unencodable code point.
    """
    from linter.sanitise import clean_fields

    return import_module(f"linter.report.{fmt}_format").render(clean_fields(report), rules, **options)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
