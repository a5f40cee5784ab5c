"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

Severity mapping (`linter.severity`): critical and high → `error`, medium → `warning`, low → `notice`. Input errors are
`error`; unused suppressions `warning`; stale baseline entries `notice`. Escaping follows the runner:
in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; property values also escape `:` and `,`.
"""
from __future__ import annotations

from linter.severity import SEVERITIES


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One workflow command; properties with None values are left out."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{level} {props}::{escape_data(message)}" if props else f"::{level}::{escape_data(message)}"


def render(report, rules, **options) -> str:
    lines = [
        command("error", e.message, file=e.path, line=e.line, col=e.column, title="policylint: cannot read file")
        for e in report.errors
    ]
    for f in report.findings:
        s = f.span
        lines.append(command(
            SEVERITIES[f.severity].github, f.message,
            file=f.path, line=s.line, endLine=s.end_line, col=s.column, endColumn=s.end_column,
            title=f"{f.rule_id} {f.title} ({f.severity})",
        ))
    for u in report.unused_suppressions:
        d = u.suppression.declared
        lines.append(command("warning", f"unused suppression: {u.problem}", file=u.suppression.path, line=d.line,
                             col=d.column, title="policylint: unused suppression"))
    for entry in report.baseline_stale:
        lines.append(command("notice", f"baseline entry {entry.rule_id} {entry.resource or entry.path} no longer matches a finding; "
                             "update the baseline", file=entry.path, title="policylint: stale baseline entry"))
    return "".join(line + "\n" for line in lines)
