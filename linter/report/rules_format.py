"""Rule listings and explanations for the terminal (`policylint rules`, `policylint explain`)."""
from __future__ import annotations

import json


def rule_list(rules, fmt: str = "text") -> str:
    if fmt == "json":
        data = [{"id": r.id, "severity": r.severity, "title": r.title, "source": r.source} for r in rules]
        return json.dumps(data, indent=2) + "\n"
    width = max((len(r.id) for r in rules), default=4)
    return "".join(f"{r.id:<{width}}  {r.severity:<8}  {r.title}\n" for r in rules)


def scope_text(rule) -> str:
    """One sentence on what a rule looks at and where its findings point."""
    if rule.scope == "resource":
        subject = "each " + " and ".join(f"`{kind}`" for kind in rule.resources) + " resource"
    else:
        kinds = ", ".join(f"`{kind}`" for kind in rule.documents)
        subject = ("each statement" if rule.scope == "statement" else "each policy document") + f" of {kinds} policies"
    pointer = f"the {rule.scope}" if rule.report == "subject" else f"the offending element (or the {rule.scope})"
    return f"Looks at {subject} and points at {pointer}."


def fired_lines(lines) -> str:
    return f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"


def explain(rule) -> str:
    parts = [f"{rule.id}: {rule.title} ({rule.severity})", "", "What it checks", scope_text(rule),
             "", "Why it matters", rule.rationale, "", "How to fix it", rule.remediation]
    if rule.options:
        parts += ["", "Options (set them in the configuration under rule_options)"]
        parts += [f"  {name} (default {json.dumps(spec['default'])}): {spec['description']}" for name, spec in rule.options.items()]
    for example in rule.examples:
        verdict = f"non-compliant (fires on {fired_lines(example.lines)})" if example.lines else "compliant"
        parts += ["", f"Example, {verdict}, {example.format}: {example.title}".rstrip(": "), _indent(example.code)]
    if rule.known_gaps:
        parts += ["", "Known gaps"] + [f"  {text.strip()}" for text in rule.known_gaps.values()]
    if rule.references:
        parts += ["", "References"] + [f"  {ref}" for ref in rule.references]
    from linter.formats.managed import data_sources

    sources = data_sources()
    parts += ["", "AWS data", f"  AWS managed policies of {sources['managed_policies']}, SAM policy templates "
              f"of {sources['sam_policy_templates']}, actions from {sources['action_catalog']}"]
    return "\n".join(parts).rstrip() + "\n"


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.rstrip().splitlines())


def validation_report(rules, results, coverage: list[str]) -> str:
    """`policylint rules validate`: one line per example, problems indented, and a summary."""
    lines = [f"{rule.id}: {rule.source}" for rule in rules]
    for result in results:
        lines.append(f"{'ok  ' if result.passed else 'FAIL'} {result.name}")
        lines += [f"       {problem}" for problem in result.problems]
    lines += [f"FAIL {problem}" for problem in coverage]
    failed = sum(not r.passed for r in results) + len(coverage)
    rule_word = "rule" if len(rules) == 1 else "rules"
    lines.append(f"{len(rules)} {rule_word}, {len(results)} examples, {failed} failed")
    return "\n".join(lines) + "\n"
