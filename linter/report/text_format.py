"""`--format text`: compiler-style lines (`path:line:col: SEVERITY RULE message`) and a summary."""
from __future__ import annotations


def render(report, rules, **options) -> str:
    lines = [f"{e.path}:{e.line}:{e.column}: ERROR {e.message}" for e in report.errors]
    lines += [
        f"{f.path}:{f.span.line}:{f.span.column}: {f.severity.upper()} {f.rule_id} {f.message}"
        for f in report.findings
    ]
    count = len(report.findings)
    summary = f"{count} finding{'' if count == 1 else 's'} in {report.files_scanned} file{'' if report.files_scanned == 1 else 's'}"
    if report.errors:
        summary += f", {len(report.errors)} error{'' if len(report.errors) == 1 else 's'}"
    return "\n".join(lines + [summary]) + "\n"
