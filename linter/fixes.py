"""Fixes: the remedies rules declare as data (`fix:` in a rule's YAML), turned into exact text edits.

A reported finding is fixable when its rule declares a fix and the file's format can write it there
(`Format.edits`; each format knows its own syntax). This module is format-neutral: it finds the subject a
finding points into (by re-extracting the file), asks the format for the edits, applies the ones that do
not overlap, and repeats on the new text until nothing is left to fix (a fix may make another possible).
A fixed text is accepted only when it still parses and re-lints without the fixed findings and with no
new one; otherwise the file is left as it was and the reason is given.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from linter.config import Settings
from linter.formats.api import Editing, TextEdit
from linter.model import Extraction, Finding, Node, Span
from linter.predicates import Subject, Witness
from linter.records import dataclass, field
from linter.rules import Rule

MAX_ROUNDS = 5  # fixes that enable others (a new Condition, then a key under it) settle well before this


@dataclass(frozen=True, slots=True)
class Fix:
    """The remedy of one finding: the finding's rule and place, the rule's fix title, and the edits."""

    rule_id: str
    path: str
    span: Span
    title: str
    safe: bool
    edits: tuple[TextEdit, ...]


@dataclass(slots=True)
class FileFix:
    """What fixing one file gave: its text before and after, the fixes applied, and why it was left
    alone if it was (`problem`; then `fixed` is the original text)."""

    path: str
    original: str
    fixed: str
    applied: list[Fix] = field(default_factory=list)
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True), self.fixed.splitlines(keepends=True), f"a/{self.path.lstrip('/')}", f"b/{self.path.lstrip('/')}"
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


# ---- planning ------------------------------------------------------------------------------------------------------

def _option(value: object, options: dict) -> object:
    return options.get(value["option"]) if isinstance(value, dict) and set(value) == {"option"} else value


def _witness(found: list[Witness], span: Span) -> Node | None:
    return next((node for node, _ in found if node is not None and node.span == span), None)


def _replacement(kind: str, node: Node) -> object | None:
    """The value a `replace_element` fix writes, or None when there is not exactly one."""
    from linter.iam import close_action

    return close_action(node.value) if kind == "close_action" and isinstance(node.value, str) else None


def _fill(template: object, exempt: list[str]) -> object:
    """The statement of an `add_statement` fix with `{exempt}` replaced by the exempted principals."""
    if template == "{exempt}":
        return exempt if len(exempt) > 1 else exempt[0]
    if isinstance(template, dict):
        return {k: _fill(v, exempt) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, exempt) for v in template]
    return template


def _edits(
    rule: Rule, editing: Editing, text: str, path: str, subject: Subject, found: list[Witness], span: Span, options: dict,
    extraction: Extraction,
) -> list[TextEdit] | None:
    """The edits of a rule's fix for one finding, or None when the format cannot write it there (or, for a
    narrowing, when the actions are not determinable); `extraction` is the file's (with its module)."""
    fix = rule.fix or {}
    if "set_attribute" in fix and subject.resource is not None and subject.resource.path == path:
        spec = fix["set_attribute"]
        value = _option(spec["value"], options)
        return editing.set_attribute(text, subject.resource, spec["name"], value) if value is not None else None
    if "add_condition" in fix and subject.statement is not None and subject.statement.node.path == path:
        spec = fix["add_condition"]
        return editing.add_condition(text, subject.statement, spec["operator"], spec["key"], spec["value"])
    if "replace_element" in fix:
        node = _witness(found, span)
        if node is None or node.path != path:
            return None
        if fix["replace_element"]["with"] == "narrowed_actions":
            from linter.narrowing import narrowed

            if subject.statement is None or subject.document is None:
                return None
            actions = narrowed(fix["replace_element"], subject.document, subject.statement, node, extraction)
            return editing.replace_action(text, subject.statement, node, actions) if actions is not None else None
        value = _replacement(fix["replace_element"]["with"], node)
        return editing.replace(text, node, value) if value is not None else None
    if "add_statement" in fix and subject.resource is not None:
        exempt = _option(fix["add_statement"]["exempt"], options) or []
        # The policy written first in this file (a secret has one policy; several attached is another finding).
        documents = sorted(
            (d for d in subject.resource.documents if (d.node.path or d.path) == path and d.complete),
            key=lambda d: d.node.span,
        )
        if not exempt:
            return None
        statement = _fill(fix["add_statement"]["statement"], list(exempt))
        if _without_policy(subject.resource, path):  # a secret with no resource policy at all gets one
            return editing.add_policy(text, subject.resource, {"Version": "2012-10-17", "Statement": [statement]})
        return editing.add_statement(text, documents[0], statement) if documents else None
    return None


def _without_policy(resource, path: str) -> bool:
    """A secret written in this file that no resource policy applies to (none inline, none attached)."""
    return resource.path == path and not resource.documents and not resource.links.get("policies")


def _title(rule: Rule, edits: list[TextEdit]) -> str:
    """The fix's title; a replacement names what it writes ("…: s3:GetObject")."""
    title = rule.fix["title"]
    if "replace_element" not in rule.fix:
        return title
    written = re.findall(r"[\w-]+:[\w*?-]+", edits[0].text)
    return f"{title}: {', '.join(written)}" if written else f"{title}: remove it, the statement lists what it covers"


def plan(
    path: str, text: str, findings: list[Finding], rules: list[Rule], settings: Settings, file: Path | None = None
) -> list[Fix]:
    """The fixes of the findings reported in one file, safe and unsafe, by position: `path` as reported,
    `file` where it is (default: `path`, from the current directory). None for a finding that is `held`
    (its element is also read by a statement whose finding is suppressed)."""
    from linter.discover import SourceFile
    from linter.engine import matched_places
    from linter.formats import registry
    from linter.formats.api import Source
    from linter.loaders.text import overlay, reading
    from linter.pipeline import extract_all

    wanted = {(f.rule_id, f.span) for f in findings if f.path == path and not f.held}
    fixable = [r for r in rules if r.fix and any(rule_id == r.id for rule_id, _ in wanted)]
    file = SourceFile(file or Path(path), path)
    fmt = registry.claim(Source(file, text)) if fixable else None
    if fmt is None or fmt.edits is None:
        return []
    editing = fmt.edits()
    with overlay({file.path: text}), reading():
        extraction = extract_all([file])
    fixes: dict[tuple[str, Span], Fix] = {}
    for rule in fixable:
        options = {**rule.option_defaults(), **settings.rule_options.get(rule.id, {})}
        for subject, found, places in matched_places(rule, options, extraction.documents, extraction.resources):
            for where, span, _, _ in places:
                if where != path or (rule.id, span) not in wanted or (rule.id, span) in fixes:
                    continue
                edits = _edits(rule, editing, text, path, subject, found, span, options, extraction)
                if edits:
                    safe = rule.fix["safety"] == "safe"
                    fixes[(rule.id, span)] = Fix(rule.id, path, span, _title(rule, edits), safe, tuple(edits))
    return sorted(fixes.values(), key=lambda f: (f.span, f.rule_id))


# ---- applying ------------------------------------------------------------------------------------------------------

def apply(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """The text with every fix applied that does not touch another's text (those wait for the next round),
    and the fixes applied. Offsets are counted on the original text, edits applied from the end."""
    from linter.loaders.positions import LineIndex

    index = LineIndex(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str]] = []
    applied = []
    for fix in fixes:
        ranges = [(*index.offsets(e.span), e.text) for e in fix.edits]
        if any(start <= t_end and t_start <= end for start, end, _ in ranges for t_start, t_end in taken):
            continue
        taken += [(start, end) for start, end, _ in ranges]
        chosen += ranges
        applied.append(fix)
    for start, end, new in sorted(chosen, key=lambda r: (r[0], r[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text, applied


def _lint(path: str, file: Path, text: str, rules: list[Rule], settings: Settings, baseline, root: Path | None):
    """Findings and input errors of one file with this text (the rest of its module read from disk)."""
    from linter.pipeline import run

    report = run([str(file)], rules, settings, jobs=1, sources={str(file): text}, baseline=baseline, root=root)
    return [f for f in report.findings if f.path == path], [e.message for e in report.errors if e.path == path]


def _verdict(before: list[Finding], after: list[Finding], applied: list[Fix], errors: list[str]) -> str | None:
    """Why a fixed text is refused: it no longer parses, a fixed finding is still there, or a new one came."""
    if errors:
        return f"the fixed text does not parse ({errors[0]})"
    fixed: dict[str, int] = {}
    for fix in applied:
        fixed[fix.rule_id] = fixed.get(fix.rule_id, 0) + 1
    for rule_id in sorted({f.rule_id for f in before + after}):
        was = sum(1 for f in before if f.rule_id == rule_id)
        now = sum(1 for f in after if f.rule_id == rule_id)
        if now > was - fixed.get(rule_id, 0):
            what = "is still reported" if rule_id in fixed else "would be new"
            return f"after the fix, a {rule_id} finding {what}"
    return None


def _rounds(path: str, file: Path, text: str, findings, rules, settings, unsafe: bool, baseline, root) -> tuple[str, list[Fix]]:
    """Plan, apply and re-lint until nothing is left to fix (or the text stops parsing): the text and the
    fixes applied."""
    current, applied, reported = text, [], [f for f in findings if f.path == path]
    for _ in range(MAX_ROUNDS):
        fixes = [f for f in plan(path, current, reported, rules, settings, file) if f.safe or unsafe]
        if not fixes:
            break
        current, done = apply(current, fixes)
        applied += done
        reported, errors = _lint(path, file, current, rules, settings, baseline, root)
        if errors:
            break
    return current, applied


def fix_file(
    path: str,
    text: str,
    findings: list[Finding],
    rules: list[Rule],
    settings: Settings,
    unsafe: bool,
    baseline=None,
    file: Path | None = None,
    root: Path | None = None,
) -> FileFix:
    """Fix one file in rounds until nothing fixable is left, and check the result (see the module doc).
    `path` is the file as reported, `file` where it is (default: `path`), `root` the run's project root."""
    file = file or Path(path)
    try:
        current, applied = _rounds(path, file, text, findings, rules, settings, unsafe, baseline, root)
    except Exception as exc:  # noqa: BLE001 - odd input costs this file its fixes, never the run
        return FileFix(path, text, text, [], f"internal error while fixing ({type(exc).__name__}: {exc}); please report it")
    if not applied:
        return FileFix(path, text, text)
    after, errors = _lint(path, file, current, rules, settings, baseline, root)
    problem = _verdict([f for f in findings if f.path == path], after, applied, errors)
    if problem:
        return FileFix(path, text, text, [], problem)
    return FileFix(path, text, current, applied)


def example_fix(rule: Rule, example, rules: list[Rule], options: dict | None = None) -> FileFix:
    """A rule's fix applied to one of its examples (written to a temporary directory, as `ruletest` does)
    with only that rule running: what its documentation shows. `options` are the rule's own
    (`{"admin_principals": [...]}` for SM004)."""
    import os
    import tempfile

    from linter.formats.registry import example_formats
    from linter.pipeline import run

    settings = Settings(select=(rule.id,), rule_options={rule.id: options} if options else {})
    name = example_formats()[example.format].filename
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="policylint-fix-") as tmp:
        Path(tmp, name).write_text(example.code, encoding="utf-8")
        os.chdir(tmp)
        try:
            report = run([name], rules, settings)
            return fix_file(name, example.code, report.findings, rules, settings, unsafe=True)
        finally:
            os.chdir(cwd)
