"""Stage 4: evaluating YAML rules over policy documents and resources.

A rule's `match` is a tree of `all` / `any` / `not` over predicates from the registry below. Each predicate
answers for one subject (a statement, a document or a resource) and returns the elements that made it
true ("witnesses"), so a finding can point at the exact action string or resource value; `None` means
false. Predicates are the only Python a rule relies on; rules themselves are data.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from linter import iam
from linter.model import DocKind, Finding, Node, PolicyDocument, Resource, Span, Statement
from linter.rules import Rule

Witness = tuple[Node, dict]


@dataclass(slots=True)
class Subject:
    """What a predicate looks at: a statement of a document, a whole document, or a resource."""

    document: PolicyDocument | None = None
    statement: Statement | None = None
    resource: Resource | None = None


class Context:
    """Per-rule evaluation state: resolved options and expanded action sets (computed once per rule)."""

    def __init__(self, rule: Rule, options: dict[str, Any]) -> None:
        self.rule = rule
        self.options = options
        self._action_sets: dict[str, iam.ActionSet] = {}

    def arg(self, value: Any) -> Any:
        """An argument with `{option: name}` references replaced by the option's value."""
        if isinstance(value, dict) and set(value) == {"option"}:
            return self.options[value["option"]]
        return value

    def actions(self, spec: Any) -> iam.ActionSet:
        """The action set a rule names: a pattern, a list of them, or {include, exclude}."""
        spec = self.arg(spec)
        key = json.dumps(spec, sort_keys=True)
        if key not in self._action_sets:
            if isinstance(spec, dict):
                include, exclude = spec.get("include", []), spec.get("exclude", [])
            else:
                include, exclude = ([spec] if isinstance(spec, str) else spec), []
            self._action_sets[key] = iam.ActionSet(include, exclude)
        return self._action_sets[key]


Predicate = Callable[[Context, Subject, Any], "list[Witness] | None"]
PREDICATES: dict[str, tuple[str, Predicate]] = {}


def predicate(name: str, scope: str) -> Callable[[Predicate], Predicate]:
    """Register a predicate under the name rules use, for subjects of one scope."""

    def register(function: Predicate) -> Predicate:
        PREDICATES[name] = (scope, function)
        return function

    return register


def evaluate(expr: dict, subject: Subject, ctx: Context) -> list[Witness] | None:
    """Evaluate a match expression; witnesses of every true branch are kept, in order."""
    (name, arg), = expr.items()
    if name == "all":
        witnesses: list[Witness] = []
        for part in arg:
            result = evaluate(part, subject, ctx)
            if result is None:
                return None
            witnesses += result
        return witnesses
    if name == "any":
        found = [result for part in arg if (result := evaluate(part, subject, ctx)) is not None]
        return [w for result in found for w in result] if found else None
    if name == "not":
        return None if evaluate(arg, subject, ctx) is not None else []
    return PREDICATES[name][1](ctx, subject, arg)


def _truth(value: bool) -> list[Witness] | None:
    return [] if value else None


def _short(actions: Iterable[str]) -> list[str]:
    return [a.split(":", 1)[1] if a.lower().startswith("secretsmanager:") else a for a in actions]


_NOTABLE = ("GetSecretValue", "DeleteSecret", "PutResourcePolicy", "BatchGetSecretValue", "PutSecretValue")


def _grant_info(granted: list[str], label: str) -> dict:
    """Message details for a set of granted actions: how many, the most consequential, and via which element."""
    short = _short(granted)
    notable = [a for a in _NOTABLE if a in short] or short
    return {
        "count": len(granted),
        "actions": ", ".join(short),
        "including": " and ".join(notable[:2]),
        "plural": "" if len(granted) == 1 else "s",
        "label": label,
    }


# ---- statement predicates --------------------------------------------------------------------------------

@predicate("effect", "statement")
def _effect(ctx: Context, s: Subject, arg: str) -> list[Witness] | None:
    effect = s.statement.effect
    return _truth(effect is not None and effect.value == arg)


@predicate("action", "statement")
def _action(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """Action elements meeting every constraint: `wildcard` (has * or ?), `grants` (covers one of a set)."""
    witnesses = []
    for element in iam.strings(s.statement.action):
        if "wildcard" in arg and iam.has_wildcard(element.value) != arg["wildcard"]:
            continue
        info: dict = {}
        if "grants" in arg:
            covered = iam.actions_covered(element.value, ctx.actions(arg["grants"]))
            if not covered:
                continue
            info = _grant_info(covered, "Action")
        witnesses.append((element, info))
    return witnesses or None


@predicate("not_action", "statement")
def _not_action(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """A NotAction element; with `leaves`, only if it leaves some of those actions granted."""
    element = s.statement.not_action
    if element is None:
        return None
    if "leaves" not in arg:
        return [(element, {})]
    left = iam.not_action_leaves(element, ctx.actions(arg["leaves"]))
    return [(element, _grant_info(left, "NotAction"))] if left else None


@predicate("grants", "statement")
def _grants(ctx: Context, s: Subject, arg: Any) -> list[Witness] | None:
    """The statement's Action or NotAction covers at least one action of the set."""
    targets = ctx.actions(arg)
    st = s.statement
    if st.not_action is not None:
        left = iam.not_action_leaves(st.not_action, targets)
        return [(st.not_action, _grant_info(left, "NotAction"))] if left else None
    granted = iam.granted(st.action, None, targets)
    if not granted:
        return None
    info = _grant_info(granted, "Action")  # the whole statement's grant, whichever element is reported
    return [(e, info) for e in iam.strings(st.action) if iam.actions_covered(e.value, targets)]


@predicate("resource", "statement")
def _resource(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """Resource elements that are `*` (`star`) or cover every secret of an account (`all_secrets`)."""
    witnesses = []
    for element in iam.strings(s.statement.resource):
        if arg.get("star") and element.value != "*":
            continue
        if arg.get("all_secrets") and not iam.covers_all_secrets(element.value):
            continue
        witnesses.append((element, {}))
    return witnesses or None


@predicate("not_resource", "statement")
def _not_resource(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """A NotResource element; with `leaves_secrets`, only if it does not exclude every secret."""
    element = s.statement.not_resource
    if element is None:
        return None
    if arg.get("leaves_secrets"):
        items = iam.strings(element)
        if any(i.is_unknown or iam.covers_all_secrets(i.value) for i in items):
            return None
    return [(element, {})]


@predicate("principal", "statement")
def _principal(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """The Principal element, when it is everyone (`everyone: true`) or simply present."""
    principal = s.statement.principal
    if principal is None or (arg.get("everyone") and not iam.principal_is_everyone(principal)):
        return None
    return [(principal, {})]


@predicate("not_principal", "statement")
def _not_principal(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    element = s.statement.not_principal
    return None if element is None else [(element, {})]


@predicate("condition", "statement")
def _condition(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    """Facts about the Condition block: `pins` a key to one value, `only_exempts_named` principals, `absent`."""
    condition = s.statement.condition
    if "absent" in arg and (condition is None) != arg["absent"]:
        return None
    if "pins" in arg and not iam.pins(condition, arg["pins"]["key"], arg["pins"]["value"]):
        return None
    if "only_exempts_named" in arg and not iam.only_exempts_named(condition, ctx.arg(arg["only_exempts_named"])):
        return None
    if "has_key" in arg:
        keys = {key.lower() for _, key, _ in iam.condition_entries(condition)}
        if arg["has_key"].lower() not in keys:
            return None
    return []


# ---- document and resource predicates ----------------------------------------------------------------------

def _statements(ctx: Context, document: PolicyDocument, expr: dict) -> Iterable[list[Witness] | None]:
    for statement in document.statements:
        yield evaluate(expr, Subject(document, statement), ctx)


@predicate("some_statement", "document")
def _some_statement(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    return next((r for r in _statements(ctx, s.document, expr) if r is not None), None)


@predicate("no_statement", "document")
def _no_statement(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    return _truth(all(r is None for r in _statements(ctx, s.document, expr)))


@predicate("documents_known", "resource")
def _documents_known(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    """Every policy that applies to the resource could be read in full offline.

    A linked policy whose document is a variable, or a document with statements that exist only at plan
    time, might hold anything: rules that look for a missing statement use this to stay quiet.
    """
    r = s.resource
    unread = any(not linked.documents for linked in r.links.get("policies", []))
    known = not unread and all(d.complete and _statements_known(d) for d in r.documents)
    return _truth(known == arg)


def _statements_known(document: PolicyDocument) -> bool:
    statement = document.node.get("Statement")
    if statement is None or not isinstance(statement.value, (list, dict)):
        return False
    return all(
        st.effect is not None and not st.effect.is_unknown
        and not any(e.is_unknown for e in iam.strings(st.action) + iam.strings(st.not_action))
        for st in document.statements
    )


@predicate("some_document", "resource")
def _some_document(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    """One of the policy documents that apply to the resource (a secret's resource policies) matches."""
    for document in s.resource.documents:
        result = evaluate(expr, Subject(document=document, resource=s.resource), ctx)
        if result is not None:
            return result
    return None


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
    return inner + tuple(x for x in (d.where, d.node.span, d.owner_span) if x)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _element_text(node: Node) -> str:
    value = node.plain()
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))
    text = text.replace(iam.UNKNOWN, "…")
    return text if len(text) <= 80 else text[:77] + "..."


def _places(rule: Rule, subject: Subject, found: list[Witness]) -> list[tuple[str, Span, object, dict]]:
    """Where the findings of one matching subject go: each matched element, or the subject itself."""
    path, span, _, element = _subject_place(subject)
    if rule.report == "subject" or not found:
        return [(path, span, element, {})]
    places, seen = [], set()
    for node, info in found:
        if id(node) not in seen:
            seen.add(id(node))
            places.append((node.path or path, node.span, node.plain(), {**info, "element": _element_text(node)}))
    return places


def run_rule(rule: Rule, options: dict, documents: list[PolicyDocument], resources: list[Resource]) -> list[tuple]:
    """Raw findings of one rule: (rule, path, span, owner, element, message, enclosing spans).

    `where` selects subjects (its witnesses only feed the message); `match` decides and locates.
    """
    ctx = Context(rule, options)
    raw = []
    for subject in _subjects(rule, documents, resources):
        context = evaluate(rule.where, subject, ctx) if rule.where else []
        if context is None:
            continue
        found = evaluate(rule.match, subject, ctx)
        if found is None:
            continue
        owner = _subject_place(subject)[2]
        enclosing = _enclosing(subject)
        base = {k: v for _, info in reversed(context) for k, v in info.items()}
        for path, span, element, info in _places(rule, subject, found):
            values = _Defaults({**base, **info}, resource=owner or path, option=options)
            context_spans = (span,) + tuple(x for x in enclosing if x != span)
            raw.append((rule, path, span, owner, element, rule.message.format_map(values), context_spans))
    return raw


def fingerprints(raw: list[tuple]) -> list[Finding]:
    """Findings with line-independent fingerprints (rule, path, owner, element), numbered when repeated."""
    counts: dict[str, int] = {}
    findings = []
    seen: set[tuple] = set()
    for rule, path, span, owner, element, message, context in sorted(raw, key=lambda r: (r[1], r[2], r[0].id, r[5], r[3])):
        if (rule.id, path, span, message) in seen:
            continue  # one element reached twice (a policy document merged into another and used itself)
        seen.add((rule.id, path, span, message))
        key = json.dumps([rule.id, path, owner, element], sort_keys=True)
        counts[key] = counts.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}#{counts[key]}".encode()).hexdigest()[:32]
        findings.append(Finding(rule.id, rule.severity, rule.title, message, path, span, owner, digest, context))
    return findings


def evaluate_rules(
    rules: list[Rule], options: dict[str, dict], documents: list[PolicyDocument], resources: list[Resource]
) -> list[Finding]:
    """Every rule over everything extracted, as sorted findings."""
    raw = []
    for rule in rules:
        raw += run_rule(rule, {**rule.option_defaults(), **options.get(rule.id, {})}, documents, resources)
    return fingerprints(raw)
