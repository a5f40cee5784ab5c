"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

Severity mapping (`linter.severity`): critical and high → `error`, medium → `warning`, low → `notice`. Input errors are
`error`; unused suppressions `warning`; stale baseline entries `notice`. Escaping follows the runner:
in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; property values also escape `:` and `,`.

GitHub shows at most 10 annotations of each level per step and drops the rest, so the order matters:
input errors first, then findings by severity (critical first), then the rest. Beyond 10 of a level, the
10th says how many were not shown and where the full list is (the job summary that `--format github`
appends to $GITHUB_STEP_SUMMARY, or `--format markdown`); the others are plain log lines, so the step's
log still lists everything.
"""
from __future__ import annotations

from linter.severity import ORDER, SEVERITIES

SHOWN_PER_LEVEL = 10  # GitHub's limit per step for each of error, warning and notice


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One workflow command; properties with None values are left out."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{level} {props}::{escape_data(message)}" if props else f"::{level}::{escape_data(message)}"


def _annotations(report) -> list[tuple[str, str, dict]]:
    """(level, message, properties) of every annotation, most important first."""
    items = [("error", e.message, {"file": e.path, "line": e.line, "col": e.column, "title": "policylint: cannot read file"})
             for e in report.errors]
    rank = {severity: i for i, severity in enumerate(ORDER)}
    for f in sorted(report.findings, key=lambda f: (rank.get(f.severity, len(rank)), f.sort_key())):
        s = f.span
        items.append((SEVERITIES[f.severity].github, f.message, {
            "file": f.path, "line": s.line, "endLine": s.end_line, "col": s.column, "endColumn": s.end_column,
            "title": f"{f.rule_id} {f.title} ({f.severity})"}))
    for u in report.unused_suppressions:
        d = u.suppression.declared
        items.append(("warning", f"unused suppression: {u.problem}",
                      {"file": u.suppression.path, "line": d.line, "col": d.column, "title": "policylint: unused suppression"}))
    for entry in report.baseline_stale:
        items.append(("notice", f"baseline entry {entry.rule_id} {entry.resource or entry.path} no longer matches a finding; "
                      "update the baseline", {"file": entry.path, "title": "policylint: stale baseline entry"}))
    return items


def _log_line(level: str, message: str, properties: dict) -> str:
    """An annotation GitHub would not show, as a plain log line."""
    where = ":".join(str(properties[key]) for key in ("file", "line", "col") if properties.get(key) is not None)
    return f"policylint {level}: {where}: {properties['title']}: {' '.join(message.split())}"


def render(report, rules, **options) -> str:
    items = _annotations(report)
    totals: dict[str, int] = {}
    for level, _, _ in items:
        totals[level] = totals.get(level, 0) + 1
    shown: dict[str, int] = {}
    lines = []
    for level, message, properties in items:
        shown[level] = shown.get(level, 0) + 1
        if shown[level] > SHOWN_PER_LEVEL:
            lines.append(_log_line(level, message, properties))
            continue
        if shown[level] == SHOWN_PER_LEVEL and totals[level] > SHOWN_PER_LEVEL:
            hidden = totals[level] - SHOWN_PER_LEVEL
            message += (f" ({hidden} more {level} annotation{'' if hidden == 1 else 's'} not shown: GitHub shows "
                        f"{SHOWN_PER_LEVEL} per level; the job summary and this step's log list every finding)")
        lines.append(command(level, message, **properties))
    return "".join(line + "\n" for line in lines)
