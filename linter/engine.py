"""Stage 4: evaluating YAML rules over policy documents and resources.

A rule picks its subjects (statements, documents or resources of the kinds it names), keeps those its
`where` accepts, and fires where its `match` holds (`linter.predicates` evaluates both); each matched
element becomes a finding at that element's exact position, with a line-independent fingerprint.
"""
from __future__ import annotations

import json
from typing import Iterable

from linter.collapse import one_of, ordered
from linter.messages import render
from linter.model import DocKind, Finding, Node, PolicyDocument, RawFinding, Resource, Span
from linter.predicates import GRANT_PLACEHOLDERS, Context, Subject, Witness, element_text, evaluate, grant_wording
from linter.rules import Rule, RuleError
from linter.sha import sha256


# ---- running rules -------------------------------------------------------------------------------------------

def _subjects(rule: Rule, documents: list[PolicyDocument], resources: list[Resource]) -> Iterable[Subject]:
    if rule.scope == "resource":
        yield from (Subject(resource=r) for r in resources if r.kind in rule.resources)
        return
    kinds = {DocKind(k) for k in rule.documents}
    for document in documents:
        if document.kind not in kinds:
            continue
        if rule.scope == "document":
            yield Subject(document)
        else:
            yield from (Subject(document, statement) for statement in document.statements)


def _subject_place(s: Subject) -> tuple[str, Span, str, object]:
    """Path, span, owner address and fingerprint element of a finding that points at the subject itself."""
    if s.resource is not None:
        r = s.resource
        return r.path, r.span, r.address, {"kind": r.kind, "address": r.address}
    if s.statement is not None:
        node = s.statement.node
        return node.path or s.document.path, node.span, s.document.owner, node.plain()
    d = s.document
    return d.node.path or d.path, d.where, d.owner, d.node.plain()


def _enclosing(s: Subject) -> tuple[Span, ...]:
    """Spans around a subject, innermost first, that an inline suppression may target."""
    if s.resource is not None:
        return tuple(x for x in (s.resource.span, s.resource.block_span) if x)
    d = s.document
    inner = (s.statement.node.span,) if s.statement is not None else ()
    return inner + tuple(x for x in (d.where, d.node.span, d.key_span, d.owner_span) if x)


class _Defaults(dict):
    """Message values: derived wording of granted actions on demand; unknown names stay as written."""

    def __missing__(self, key: str) -> str:
        if "_granted" in self and key in GRANT_PLACEHOLDERS:
            self.update(grant_wording(self["_granted"]))
            return self[key]
        return "{" + key + "}"


def _places(rule: Rule, subject: Subject, found: list[Witness]) -> list[tuple[str, Span, object, dict]]:
    """Where the findings of one matching subject go: each matched element, or the subject itself."""
    path, span, _, element = _subject_place(subject)
    if rule.report == "subject" or not found:
        return [(path, span, element, {k: v for _, info in found for k, v in info.items()})]
    places, seen = [], set()
    for node, info in found:
        if node is None:  # a witness that is the subject itself, with message details
            if "subject" not in seen:
                seen.add("subject")
                places.append((path, span, element, info))
        elif id(node) not in seen:
            seen.add(id(node))
            element = info.get("_element", node.plain())  # a witness may hide its value (a secret)
            shown = {**info, "element": element_text(node)} if "_element" not in info else info
            written, at = node.place(info.get("_about"))
            places.append((written or path, at, element, {**shown, "_written": (node.path or path, node.span), "_node": node}))
    return places


def run_rule(
    rule: Rule, options: dict, documents: list[PolicyDocument], resources: list[Resource], ctx: Context | None = None
) -> list[RawFinding]:
    """Raw findings of one rule.

    `where` selects subjects (its witnesses only feed the message); `match` decides and locates. `ctx` is
    the rule's state for these options when the caller keeps it for a run (`prepared`).
    """
    ctx = ctx or _checked_context(rule, options)
    raw = []
    twins: dict[int, set[tuple]] = {}
    for subject in _subjects(rule, documents, resources):
        context = evaluate(rule.where, subject, ctx) if rule.where else []
        if context is None:
            continue
        found = evaluate(rule.match, subject, ctx)
        if found is None:
            continue
        subject_path, subject_span, owner, _ = _subject_place(subject)
        enclosing = _enclosing(subject)
        base = {k: v for _, info in reversed(context) for k, v in info.items()}
        holder = subject.resource if subject.resource is not None else subject.document
        twin = holder.twin
        known = _twin_keys(rule, ctx, twin, twins) if twin is not None else set()
        for path, span, element, info in _places(rule, subject, found):
            if known and _place_key(subject, path, span) in known:
                continue  # the child module has this finding on its own: reported there, once
            path, span = _relocated(subject, path, span, info.get("_node"))
            values = _Defaults({**base, **info}, resource=owner or path, option=options)
            # An element written in another file than its statement (a caller's value a module composed
            # into its own string) is suppressed where it is written, or above the module call that passed
            # it; the statement's spans are elsewhere.
            context_spans = (span,) + tuple(x for x in enclosing if x != span) if path == subject_path else (
                (span,) + _call_in(subject, path))
            message = _attributed(subject, render(rule.message, values))
            written = (_call_of(subject), (subject_path, subject_span, _rank(subject)), info.get("_written", ("", _NOWHERE)))
            raw.append(RawFinding(rule.id, path, span, owner, element, message, context_spans, written))
    return raw


def _checked_context(rule: Rule, options: dict) -> Context:
    """A fresh evaluation state for the rule, once its users' option values are known to fit."""
    for name, value in options.items():  # a user's value of the wrong type would fail deep in a predicate
        problem = rule.option_problem(name, value)
        if problem:
            raise RuleError(rule.source, 1, f"rule_options.{rule.id}.{name}", problem)
    return Context(options)


# The last run's rules and options (the very objects), each rule with its options and evaluation state.
_PREPARED: tuple[list[Rule], dict, list[tuple[Rule, dict, Context]]] | None = None


def prepared(rules: list[Rule], options: dict[str, dict]) -> list[tuple[Rule, dict, Context]]:
    """Each rule with its options and evaluation state (expanded action sets, what each Action element
    covers), built once for a run: every unit of a run, in one process or in a worker, passes the same
    rules and options objects, so the state built for the first unit serves them all."""
    global _PREPARED
    last = _PREPARED
    if last is not None and last[0] is rules and last[1] is options:
        return last[2]
    compiled = []
    for rule in rules:
        merged = {**rule.option_defaults(), **options.get(rule.id, {})}
        compiled.append((rule, merged, _checked_context(rule, merged)))
    _PREPARED = (rules, options, compiled)
    return compiled


_NOWHERE = Span(0, 0, 0, 0)  # a finding on its subject itself has no element of its own


def _call_of(subject: Subject) -> tuple[str, Span]:
    """Where the module call that made the subject's document is written (nowhere for a document of its own)."""
    at = subject.document.instance_at if subject.resource is None and subject.document is not None else None
    return at or ("", _NOWHERE)


def _relocated(subject: Subject, path: str, span: Span, node: Node | None) -> tuple[str, Span]:
    """Where a finding is reported: when it would land in the installed module the document's code comes
    from (`PolicyDocument.vendored`), at the one part of the element that the module call's file wrote
    (the `["*"]` a caller passed into the module's own principals block), else at the call itself; where
    it is otherwise."""
    document = subject.document if subject.resource is None else None
    if document is not None and document.vendored and document.instance_at and path.startswith(document.vendored):
        caller = document.instance_at[0]
        written = _written_in(node, caller) if node is not None else []
        return (caller, written[0].span) if len(written) == 1 else document.instance_at
    return path, span


def _written_in(node: Node, path: str) -> list[Node]:
    """The outermost parts of `node` written in `path`, found breadth-first (none of them inside another)."""
    found, level = [], [node]
    while level:
        found += [n for n in level if n.path == path]
        level = [child for n in level if n.path != path
                 for child in (n.value.values() if isinstance(n.value, dict) else n.value if isinstance(n.value, list) else ())]
    return found


def _call_in(subject: Subject, path: str) -> tuple[Span, ...]:
    """The module call that made the subject's document, when it is written in `path`: a value the call
    passes into its child's document is suppressed above the call, as the resources the call makes are."""
    where, at = _call_of(subject)
    return (at,) if where == path else ()


def _rank(subject: Subject) -> int:
    """A statement's place in its document: the statements one dynamic block makes share their span."""
    if subject.statement is None:
        return 0
    return next(i for i, s in enumerate(subject.document.statements) if s is subject.statement)


def _attributed(subject: Subject, message: str) -> str:
    """A message about a document the user attached rather than wrote says which one, and which statement."""
    document = subject.document
    if document is None or not document.origin or subject.resource is not None:
        return message
    sid = subject.statement.sid if subject.statement is not None else None
    if sid is not None and isinstance(sid.value, str) and sid.value:
        return f"{document.origin}, statement {sid.value}: {message}"
    return f"{document.origin}: {message}"


def _place_key(subject: Subject, path: str, span: Span) -> tuple:
    """What makes a finding of a module instance the same as one of the child module on its own: the
    element's place, or the resource itself (an instance's resource is placed at the module call)."""
    if subject.resource is not None and (path, span) == (subject.resource.path, subject.resource.span):
        return ("resource",)
    return (path, span)


def _twin_keys(rule: Rule, ctx: Context, twin: PolicyDocument | Resource, cache: dict[int, set[tuple]]) -> set[tuple]:
    """The places where `rule` fires on a module instance's twin (the child module evaluated on its own)."""
    if id(twin) in cache:
        return cache[id(twin)]
    if isinstance(twin, Resource):
        subjects = list(_subjects(rule, [], [twin]))
    else:
        subjects = list(_subjects(rule, [twin], []))
    keys: set[tuple] = set()
    for subject in subjects:
        if rule.where and evaluate(rule.where, subject, ctx) is None:
            continue
        found = evaluate(rule.match, subject, ctx)
        if found is not None:
            keys.update(_place_key(subject, path, span) for path, span, _, _ in _places(rule, subject, found))
    cache[id(twin)] = keys
    return keys


def fingerprints(raw: list[RawFinding], rules: dict[str, Rule]) -> list[Finding]:
    """Findings with line-independent fingerprints (rule, path, owner, element), numbered when repeated.

    One finding per rule and range: an element reached several times (a document merged into another and
    used itself, one value fed into several dynamic statements, module instances or resources) is
    reported once, as the statement and resource written first that fire on it (`RawFinding.first`). The
    finding keeps the raw findings it stands for (`parts`): suppressions are judged on each of them, and
    the fingerprint is the collapsed one's whichever are suppressed, so a baseline survives a suppression."""
    at_range: dict[tuple, list[RawFinding]] = {}
    for r in raw:
        at_range.setdefault((r.rule_id, r.path, r.span), []).append(r)
    counts: dict[str, int] = {}
    findings = []
    collapsed = [(one_of(parts), parts) for parts in map(ordered, at_range.values())]
    for r, parts in sorted(collapsed, key=lambda c: c[0].sort_key()):
        key = json.dumps([r.rule_id, r.path, r.owner, r.element], sort_keys=True)
        counts[key] = counts.get(key, 0) + 1
        digest = sha256(f"{key}#{counts[key]}".encode()).hexdigest()[:32]
        rule = rules[r.rule_id]
        findings.append(Finding(r.rule_id, rule.severity, rule.title, r.message, r.path, r.span, r.owner, digest, r.context, parts))
    return findings


def _mirrors(a: Node, b: Node) -> bool:
    """Do two trees hold the same values, written at the same places?"""
    if a is b:
        return True
    if a.span != b.span or a.path != b.path or type(a.value) is not type(b.value):
        return False
    if isinstance(a.value, dict):
        return a.value.keys() == b.value.keys() and all(_mirrors(a.value[k], b.value[k]) for k in a.value)
    if isinstance(a.value, list):
        return len(a.value) == len(b.value) and all(map(_mirrors, a.value, b.value))
    return a.value == b.value


def run_rules(
    rules: list[Rule], options: dict[str, dict], documents: list[PolicyDocument], resources: list[Resource]
) -> list[RawFinding]:
    """Raw findings of every rule over everything extracted; `options` are users' values by rule id."""
    # A module instance's document that no caller value reached is its twin again: every finding it could
    # give would be dropped as the twin's, so it is not evaluated at all.
    documents = [d for d in documents if d.twin is None or not _mirrors(d.node, d.twin.node)]
    raw = []
    for rule, rule_options, ctx in prepared(rules, options):
        raw += run_rule(rule, rule_options, documents, resources, ctx)
    return raw


def matched_places(
    rule: Rule, options: dict, documents: list[PolicyDocument], resources: list[Resource]
) -> Iterable[tuple[Subject, list[Witness], list[tuple[str, Span, object, dict]]]]:
    """Each subject the rule fires on, with its witnesses and the places of its findings: what a fix
    needs to edit the subject that a finding points into."""
    ctx = Context({**rule.option_defaults(), **options})
    for subject in _subjects(rule, documents, resources):
        if rule.where and evaluate(rule.where, subject, ctx) is None:
            continue
        found = evaluate(rule.match, subject, ctx)
        if found is not None:
            yield subject, found, _places(rule, subject, found)
