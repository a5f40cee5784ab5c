"""`--format markdown`: a summary for a CI job page or a merge-request comment (GitHub's job summary).

A count line, then a table per rule (rules with the most severe findings first), each row with severity,
rule (linked to its documentation when the config's `rule_docs_url` says where it is online), location and message; input errors before them, and with
`--baseline-commit` the findings the change fixed after them. Everything is listed, within GitHub's 1 MiB
limit for a step's summary: past `BUDGET` bytes the remaining rows are counted instead of listed.
"""
from __future__ import annotations

import re

from linter.report.text_format import plural, summary
from linter.severity import ORDER

BUDGET = 1000 * 1024  # bytes: below GitHub's 1 MiB per step, leaving room for other steps' lines
_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def cell(text: str) -> str:
    """Text for one table cell: one line, Markdown and HTML characters shown as written."""
    flat = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", flat).replace("<", "&lt;").replace(">", "&gt;")


def _location(path: str, line: int, column: int) -> str:
    return cell(f"{path}:{line}:{column}")


def _rule_link(rule_id: str, docs_url: str | None) -> str:
    return f"[{cell(rule_id)}]({docs_url.replace('{id}', rule_id)})" if docs_url else cell(rule_id)


def _row(f, docs_url: str | None) -> str:
    return f"| {f.severity} | {_rule_link(f.rule_id, docs_url)} | {_location(f.path, f.span.line, f.span.column)} | {cell(f.message)} |"


def _sections(report, titles: dict[str, str], docs_url: str | None) -> list[tuple[str, list[str]]]:
    """(heading and preamble, table rows) in the order they are shown."""
    sections = []
    if report.errors:
        sections.append(("### Input errors (exit code 2)\n\n| Location | Problem |\n| --- | --- |",
                         [f"| {_location(e.path, e.line, e.column)} | {cell(e.message)} |" for e in report.errors]))
    rank = {severity: i for i, severity in enumerate(ORDER)}
    groups: dict[str, list] = {}
    for f in report.findings:
        groups.setdefault(f.rule_id, []).append(f)
    order = sorted(groups, key=lambda rule_id: (min(rank.get(f.severity, 9) for f in groups[rule_id]), rule_id))
    header = "| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |"
    for rule_id in order:
        findings = groups[rule_id]
        title = cell(titles.get(rule_id, findings[0].title))
        sections.append((f"### {cell(rule_id)}: {title} ({len(findings)})\n\n{header}", [_row(f, docs_url) for f in findings]))
    if report.baseline_commit is not None and report.baseline_commit.fixed:
        sections.append((f"### Fixed since {cell(report.baseline_commit.rev)}\n\n{header}",
                         [_row(f, docs_url) for f in report.baseline_commit.fixed]))
    return sections


def render(report, rules, docs_url: str | None = None, **options) -> str:
    titles = {rule.id: rule.title for rule in rules}
    out = ["## policylint", "", f"**{cell(summary(report))}**"]
    size = sum(len(line.encode()) + 1 for line in out)
    left_out = 0
    for heading, rows in _sections(report, titles, docs_url):
        if left_out or size + len(heading.encode()) > BUDGET:
            left_out += len(rows)
            continue
        out += ["", heading]
        size += len(heading.encode()) + 2
        for index, row in enumerate(rows):
            if size + len(row.encode()) + 1 > BUDGET:
                left_out += len(rows) - index
                break
            out.append(row)
            size += len(row.encode()) + 1
    if left_out:
        out += ["", f"{plural(left_out, 'more row')} not listed (GitHub's summary limit is 1 MiB): "
                    "the SARIF or JSON report has everything."]
    return "\n".join(out) + "\n"
