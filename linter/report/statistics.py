"""`policylint check --statistics`: how many findings each rule has, most frequent first (ruff's view of
a codebase being adopted: which rules to look at, or to ignore for now)."""
from __future__ import annotations

import json

from linter.report.text_format import plural


def counts(report, rules) -> list[dict]:
    """One entry per rule with findings: id, severity, title and count; by count (descending), then id."""
    titles = {rule.id: rule.title for rule in rules}
    tally: dict[tuple[str, str], int] = {}
    for f in report.findings:
        tally[(f.rule_id, f.severity)] = tally.get((f.rule_id, f.severity), 0) + 1
    rows = [{"rule_id": rule_id, "severity": severity, "title": titles.get(rule_id, ""), "count": count}
            for (rule_id, severity), count in tally.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["rule_id"], row["severity"]))


def statistics(report, rules, fmt: str = "text") -> str:
    """Text: `count  RULE  severity  title` lines, then a total; JSON: the list of `counts`."""
    rows = counts(report, rules)
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    width = max((len(str(row["count"])) for row in rows), default=1)
    id_width = max((len(row["rule_id"]) for row in rows), default=0)
    lines = [f"{row['count']:>{width}}  {row['rule_id']:<{id_width}}  {row['severity']:<8}  {row['title']}".rstrip()
             for row in rows]
    files = len({f.path for f in report.findings})
    total = f"{plural(len(report.findings), 'finding')} in {plural(files, 'file')}, {plural(report.files_scanned, 'file')} scanned"
    if report.errors:
        total += f", {plural(len(report.errors), 'error')}"
    return "\n".join(lines + [total]) + "\n"
