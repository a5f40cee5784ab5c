"""`--format parseable`: `path:line:col:end_line:end_col:RULE:severity:message`, one per line.

For editors (errorformat, nvim-lint, efm) and scripts. Input errors use `ERROR` as the rule and `error` as
the severity. Messages are kept on one line.
"""
from __future__ import annotations


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render(report, rules, **options) -> str:
    lines = [f"{e.path}:{e.line}:{e.column}:{e.line}:{e.column}:ERROR:error:{_one_line(e.message)}" for e in report.errors]
    for f in report.findings:
        s = f.span
        lines.append(f"{f.path}:{s.line}:{s.column}:{s.end_line}:{s.end_column}:{f.rule_id}:{f.severity}:{_one_line(f.message)}")
    return "".join(line + "\n" for line in lines)
