"""`--format json`: the report as documented in CONVENTIONS.md, byte-identical across runs.

Beyond the documented keys: `suppressed` (findings covered by an inline suppression, with its reason and
where it is written), `unused_suppressions` (suppressions that cover nothing, so they can be cleaned up),
`baseline` (only when a baseline is used: its path, how many findings it accepted, and its `stale`
entries that match no finding any more), `baseline_commit` (only with `--baseline-commit`: the revision,
how many current findings it already had, and the findings it had that are `fixed` now), and
`summary.files_with_findings`. `linter/report.schema.json` is the JSON Schema of the whole document (the
tests validate every report they render against it).
"""
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


def suppressed_dict(item) -> dict:
    s = item.suppression
    return {
        **finding_dict(item.finding),
        "reason": s.reason,
        "suppression": {"path": s.path, "line": s.declared.line, "column": s.declared.column},
    }


def unused_dict(item) -> dict:
    s = item.suppression
    return {
        "path": s.path,
        "line": s.declared.line,
        "column": s.declared.column,
        "rule_ids": list(item.rule_ids),
        "reason": s.reason,
        "problem": item.problem,
    }


def _data_dates() -> dict[str, str]:
    """The dates of the shipped AWS data (managed policies, SAM templates), which findings depend on."""
    from linter.formats.managed import data_sources

    sources = data_sources()
    return {key: sources[key] for key in ("managed_policies", "sam_policy_templates")}


def render(report, rules, **options) -> str:
    document = {
        "tool": {"name": "policylint", "version": __version__, "data": _data_dates()},
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "line": e.line, "column": e.column, "message": e.message} for e in report.errors],
        "suppressed": [suppressed_dict(s) for s in report.suppressed],
        "unused_suppressions": [unused_dict(u) for u in report.unused_suppressions],
    }
    if report.baseline is not None:
        document["baseline"] = {
            "path": report.baseline,
            "matched": report.baseline_matched,
            "stale": [e.as_dict() for e in report.baseline_stale],
        }
    if report.baseline_commit is not None:
        c = report.baseline_commit
        document["baseline_commit"] = {"rev": c.rev, "commit": c.commit, "unchanged": c.unchanged,
                                       "fixed": [finding_dict(f) for f in c.fixed]}
    document["summary"] = {
        "files_scanned": report.files_scanned,
        "files_with_findings": len({f.path for f in report.findings}),
        "findings": len(report.findings),
        "errors": len(report.errors),
        "modules_not_followed": [module_call_dict(c) for c in report.modules_not_followed],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def module_call_dict(call) -> dict:
    """A registry or git module call that nothing installed resolves, at its `source` value."""
    s = call.span
    return {"path": call.path, "line": s.line, "column": s.column, "end_line": s.end_line,
            "end_column": s.end_column, "source": call.source}
