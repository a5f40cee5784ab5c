"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Rules are described in `tool.driver.rules` (sorted by id) with help generated from the rule file; results
carry repo-relative URIs (`%SRCROOT%`), full regions (columns in Unicode code points, as declared by
`columnKind`), and the line-independent fingerprint under `partialFingerprints["policylint/v1"]` (the
`primaryLocationLineHash` key is left to GitHub, which computes it). `originalUriBaseIds` says where
%SRCROOT% is (the project root) when it is known. Findings covered by an inline suppression are left out of
the results, because GitHub code scanning shows a result with `suppressions` as an open alert: they are
tool execution notifications (level `note`, descriptor `policylint/suppressed-finding`) instead;
`include_suppressed` (`--sarif-include-suppressed`) keeps them as results with `suppressions` (kind
`inSource`, the reason as justification) for viewers that honour it. Input errors are tool execution
notifications, and so are registry and git module calls that nothing installed resolves (level `note`,
descriptor `policylint/module-not-followed`, at the call's `source`); unused suppressions and stale baseline entries are configuration notifications. No
timestamps: the same input gives the same bytes.
"""
from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

from linter import __version__
from linter.formats.registry import example_formats
from linter.severity import SEVERITIES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "policylint/v1"
TAGS = {"SM": "secrets-manager", "IAM": "iam", "KMS": "kms"}


def artifact_location(path: str) -> dict:
    """A URI relative to %SRCROOT% (the project root, which reported paths are already relative to; without
    one, the current directory); absolute paths outside it become file URIs."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative.startswith(".."):
            return {"uri": "file://" + quote(path.replace(os.sep, "/"), safe="/")}
        path = relative
    return {"uri": quote(path.replace(os.sep, "/"), safe="/"), "uriBaseId": "%SRCROOT%"}


def _name(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _help_markdown(rule) -> str:
    parts = [f"**{rule.title}** (severity: {rule.severity})", "", rule.rationale, "", "### How to fix", "", rule.remediation]
    for example in (next((e for e in rule.examples if not e.compliant), None), next((e for e in rule.examples if e.compliant), None)):
        if example is None:
            continue
        verdict = "Non-compliant" if not example.compliant else "Compliant"
        title = f": {example.title}" if example.title else ""
        written = example_formats().get(example.format)
        language = written.fence if written else ""
        parts += ["", f"### {verdict} example ({example.format}){title}", "", f"```{language}", example.code.rstrip(), "```"]
    if rule.references:
        parts += ["", "### References", ""] + [f"- {ref}" for ref in rule.references]
    return "\n".join(parts) + "\n"


def rule_descriptor(rule, docs_url: str | None = None) -> dict:
    """One rule for `tool.driver.rules`; `helpUri` only when the config names where the docs are online
    (`rule_docs_url`): the help text itself is complete, and `policylint explain ID` shows it offline."""
    group = next((tag for prefix, tag in TAGS.items() if rule.id.startswith(prefix)), None)
    descriptor = {
        "id": rule.id,
        "name": _name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\n\nHow to fix: {rule.remediation}\n", "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": SEVERITIES[rule.severity].sarif_level},
        "properties": {
            "tags": ["security"] + ([group] if group else []),
            "security-severity": SEVERITIES[rule.severity].score,
        },
    }
    if docs_url:
        descriptor["helpUri"] = docs_url.replace("{id}", rule.id)
    return descriptor


def _region(span) -> dict:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _location(path: str, span=None) -> dict:
    physical: dict = {"artifactLocation": artifact_location(path)}
    if span is not None:
        physical["region"] = _region(span)
    return {"physicalLocation": physical}


def _result(finding, index: dict[str, int], suppression=None) -> dict:
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": SEVERITIES[finding.severity].sarif_level,
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.span)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": finding.severity, **({"resource": finding.resource} if finding.resource else {})},
    }
    if suppression is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": suppression.reason or "(no reason given)"}]
    return result


def _notification(descriptor: str, level: str, text: str, path: str, span=None) -> dict:
    return {"descriptor": {"id": descriptor}, "level": level, "message": {"text": text}, "locations": [_location(path, span)]}


def _suppressed_notification(item) -> dict:
    f, reason = item.finding, item.suppression.reason or "(no reason given)"
    return _notification("policylint/suppressed-finding", "note",
                         f"{f.rule_id} suppressed in source ({reason}): {f.message}", f.path, f.span)


def _root_uri(root) -> dict:
    """`originalUriBaseIds`: %SRCROOT% as an absolute directory URI (SARIF wants the trailing slash)."""
    from pathlib import Path

    uri = Path(root).absolute().as_uri()
    return {"%SRCROOT%": {"uri": uri if uri.endswith("/") else uri + "/"}}


def render(report, rules, root=None, include_suppressed: bool = False, docs_url: str | None = None, **options) -> str:
    from linter.model import Span

    ran = set(report.rules_run) | {f.rule_id for f in report.findings} | {s.finding.rule_id for s in report.suppressed}
    descriptors = sorted((r for r in rules if r.id in ran), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(descriptors)}
    results = [(f.sort_key(), _result(f, index)) for f in report.findings]
    if include_suppressed:
        results += [(s.finding.sort_key(), _result(s.finding, index, s.suppression)) for s in report.suppressed]
    errors = [
        _notification("policylint/input-error", "error", e.message, e.path, Span(e.line, e.column, e.line, e.column + 1))
        for e in report.errors
    ]
    if not include_suppressed:
        errors += [_suppressed_notification(s) for s in report.suppressed]
    errors += [
        _notification("policylint/module-not-followed", "note",
                      f"module source '{c.source}' not followed: no installed copy" + (f" ({c.remedy})" if c.remedy else ""),
                      c.path, c.span)
        for c in report.modules_not_followed
    ]
    config = [
        _notification("policylint/unused-suppression", "warning", f"unused suppression: {u.problem}", u.suppression.path, u.suppression.declared)
        for u in report.unused_suppressions
    ]
    config += [
        _notification("policylint/stale-baseline-entry", "note",
                      f"baseline entry {e.rule_id} {e.resource or e.path} ({e.fingerprint}) no longer matches a finding", e.path)
        for e in report.baseline_stale
    ]
    invocation: dict = {"executionSuccessful": not report.errors}
    if errors:
        invocation["toolExecutionNotifications"] = errors
    if config:
        invocation["toolConfigurationNotifications"] = config
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "policylint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule, docs_url) for rule in descriptors],
            }},
            "invocations": [invocation],
            **({"originalUriBaseIds": _root_uri(root)} if root is not None else {}),
            "columnKind": "unicodeCodePoints",
            "results": [result for _, result in sorted(results, key=lambda pair: pair[0])],
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
