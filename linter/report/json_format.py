"""`--format json`: the report as documented in CONVENTIONS.md, byte-identical across runs."""
from __future__ import annotations

import json

from linter import __version__


def finding_dict(f) -> dict:
    return {
        "rule_id": f.rule_id,
        "severity": f.severity,
        "title": f.title,
        "message": f.message,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "resource": f.resource,
        "fingerprint": f.fingerprint,
    }


def render(report, rules, **options) -> str:
    document = {
        "tool": {"name": "policylint", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "line": e.line, "column": e.column, "message": e.message} for e in report.errors],
        "summary": {
            "files_scanned": report.files_scanned,
            "findings": len(report.findings),
            "errors": len(report.errors),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
