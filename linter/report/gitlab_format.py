"""`--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality`), which the merge
request widget and the diff view read.

A JSON array of issues with the fields GitLab requires (`description`, `check_name`, `fingerprint`,
`severity`, `location.path`, `location.lines.begin`) plus `type`, `categories`, `engine_name` and
`location.lines.end` from the Code Climate format GitLab's is based on. Severities in GitLab's words:
critical → `blocker`, high → `critical`, medium → `major`, low → `minor`. An input that could not be read
is a `blocker` issue of check `policylint/input-error`, so a broken file shows in the merge request too.
Paths are relative to the project root, which for GitLab must be the repository root (the default in a git
checkout). The `fingerprint` is the finding's line-independent one, so GitLab tracks an issue across edits.
"""
from __future__ import annotations

import hashlib
import json

SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}


def _issue(check: str, description: str, severity: str, fingerprint: str, path: str, begin: int, end: int) -> dict:
    return {
        "type": "issue",
        "engine_name": "policylint",
        "check_name": check,
        "description": description,
        "categories": ["Security"],
        "severity": severity,
        "fingerprint": fingerprint,
        "location": {"path": path, "lines": {"begin": begin, "end": end}},
    }


def _error_fingerprint(e) -> str:
    return hashlib.sha256(f"input-error\0{e.path}\0{e.line}\0{e.column}\0{e.message}".encode()).hexdigest()[:32]


def render(report, rules, **options) -> str:
    issues = [_issue("policylint/input-error", f"cannot read file: {e.message}", "blocker", _error_fingerprint(e),
                     e.path, e.line, e.line) for e in report.errors]
    issues += [_issue(f.rule_id, f"{f.rule_id} {f.title}: {f.message}", SEVERITIES.get(f.severity, "major"),
                      f.fingerprint, f.path, f.span.line, f.span.end_line) for f in report.findings]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
