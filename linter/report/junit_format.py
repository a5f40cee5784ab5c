"""`--format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps).

One failing test case per rule × resource (× file: the same logical id can appear in two templates), or
per rule × file when a finding has no resource; its failure lists every location and message. Findings
covered by an inline suppression are skipped test cases (the reason as the message), each rule that ran
without findings is one passing test case, and each unreadable file is a test case with an `<error>`.
Test case names are unique within the suite. The document is valid against Jenkins' strict
`junit-10.xsd`, which has no `file` attribute on test cases; `gitlab=True` (`--junit-gitlab`) adds it,
for GitLab's test report, which shows it with each case.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (control characters from odd input)."""
    return _NOT_XML.sub("\ufffd", text)


def _location(f) -> str:
    s = f.span
    return f"{f.path}:{s.line}:{s.column}-{s.end_line}:{s.end_column}"


def _case_name(rule_id: str, path: str, resource: str) -> str:
    return f"{rule_id} {resource} ({path})" if resource else f"{rule_id} {path}"


def _file(path: str, gitlab: bool) -> dict[str, str]:
    return {"file": path} if gitlab else {}


def _failure_case(suite: ET.Element, rule_id: str, path: str, resource: str, findings: list, gitlab: bool) -> None:
    name = _case_name(rule_id, path, resource)
    case = ET.SubElement(suite, "testcase", name=name, classname=f"policylint.{rule_id}", **_file(path, gitlab))
    first = findings[0]
    message = first.message if len(findings) == 1 else f"{first.message} (and {len(findings) - 1} more)"
    body = "\n".join(f"{_location(f)}: {f.severity.upper()} {f.rule_id} {f.message}" for f in findings)
    failure = ET.SubElement(case, "failure", message=message, type=f"{first.rule_id}:{first.severity}")
    failure.text = body + "\n"


def _skipped_case(suite: ET.Element, rule_id: str, path: str, resource: str, items: list, gitlab: bool) -> None:
    """Suppressed findings of one rule × resource: visible in the report as skipped, with the reason."""
    name = _case_name(rule_id, path, resource) + " suppressed"
    case = ET.SubElement(suite, "testcase", name=name, classname=f"policylint.{rule_id}", **_file(path, gitlab))
    reason = items[0].suppression.reason or "(no reason given)"
    skipped = ET.SubElement(case, "skipped", message=f"suppressed: {reason}", type="suppressed")
    skipped.text = "".join(f"{_location(i.finding)}: {i.finding.rule_id} {i.finding.message} "
                           f"(suppressed at {i.suppression.path}:{i.suppression.declared.line}: "
                           f"{i.suppression.reason or '(no reason given)'})\n" for i in items)


def render(report, rules, gitlab: bool = False, **options) -> str:
    groups: dict[tuple[str, str, str], list] = {}
    for f in report.findings:
        groups.setdefault((f.rule_id, f.path, f.resource), []).append(f)
    suppressed: dict[tuple[str, str, str], list] = {}
    for item in report.suppressed:
        suppressed.setdefault((item.finding.rule_id, item.finding.path, item.finding.resource), []).append(item)
    titles = {rule.id: rule.title for rule in rules}
    failing_rules = {key[0] for key in groups}
    passing = [rule_id for rule_id in report.rules_run if rule_id not in failing_rules]
    error_files = len({e.path for e in report.errors})
    tests = len(groups) + len(passing) + error_files + len(suppressed)
    counts = {"tests": str(tests), "failures": str(len(groups)), "errors": str(error_files)}
    root = ET.Element("testsuites", name="policylint", **counts)
    suite = ET.SubElement(root, "testsuite", name="policylint", **counts, skipped=str(len(suppressed)))
    by_file: dict[str, list] = {}
    for error in report.errors:
        by_file.setdefault(error.path, []).append(error)
    for path, errors in by_file.items():
        case = ET.SubElement(suite, "testcase", name=f"read {path}", classname="policylint.input", **_file(path, gitlab))
        ET.SubElement(case, "error", message=errors[0].message, type="input-error").text = "".join(
            f"{e.path}:{e.line}:{e.column}: {e.message}\n" for e in errors
        )
    for (rule_id, path, resource), findings in sorted(groups.items()):
        _failure_case(suite, rule_id, path, resource, findings, gitlab)
    for (rule_id, path, resource), items in sorted(suppressed.items()):
        _skipped_case(suite, rule_id, path, resource, items, gitlab)
    for rule_id in sorted(passing):
        ET.SubElement(suite, "testcase", name=f"{rule_id} {titles.get(rule_id, '')}".strip(), classname=f"policylint.{rule_id}")
    for element in root.iter():
        element.attrib = {key: _clean(value) for key, value in element.attrib.items()}
        if element.text:
            element.text = _clean(element.text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
