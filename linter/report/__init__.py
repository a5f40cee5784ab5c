"""Stage 6: turning a Report into text for people, scripts and CI systems. One module per format.

Each format module has `render(report, rules, **options) -> str` (the `Formatter` protocol) and is named in
`FORMATS`; modules are imported only when their format is asked for.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from linter.results import Report
    from linter.rules import Rule

# Format name -> the module that renders it.
FORMATS: dict[str, str] = {
    "text": "linter.report.text_format",
    "json": "linter.report.json_format",
    "sarif": "linter.report.sarif_format",
    "github": "linter.report.github_format",
    "junit": "linter.report.junit_format",
    "parseable": "linter.report.parseable_format",
    "markdown": "linter.report.markdown_format",
    "gitlab": "linter.report.gitlab_format",
}


class Formatter(Protocol):
    def __call__(self, report: Report, rules: list[Rule], **options: object) -> str: ...


def formatter(fmt: str) -> Formatter:
    return import_module(FORMATS[fmt]).render


def render(fmt: str, report: Report, rules: list[Rule], **options: object) -> str:
    """The report in the named format. Options (each format uses what applies): `color` and `quiet` (text).

    Every string of the report is cleaned first (`linter.sanitise`), so no format can print a control
    character or an unencodable code point from a file's content or name.
    """
    from linter.sanitise import clean_fields

    return formatter(fmt)(clean_fields(report), rules, **options)
