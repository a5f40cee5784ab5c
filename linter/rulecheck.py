"""What `rules validate` checks beyond the JSON schema, from the predicates' declarations.

The schema says a rule is well formed; these checks say it can work: every resource kind and relation it
names exists, every predicate can see its subject where it is used (a statement predicate directly in a
resource rule would crash the run), and every message placeholder is one the rule's predicates fill in. A
schema error that is an unknown key is reported as that, with the closest known key, rather than as the
required property that jsonschema's ranking happens to prefer; an expression that names several
predicates, or none, is told so in the rule language's words rather than as a Python dict.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Iterator

from linter import messages
from linter.formats import catalogue
from linter.predicates import PLACEHOLDERS, PREDICATES
from linter.records import dataclass

# The subject parts a rule's expressions see, by the rule's scope.
_SCOPE_PARTS = {"statement": frozenset({"statement", "document"}), "document": frozenset({"document"}),
                "resource": frozenset({"resource"})}


def known_kinds() -> frozenset[str]:
    """Resource kinds a rule may name in `resources:`: the resource catalogue's."""
    return frozenset(catalogue.kinds())


def known_relations() -> frozenset[str]:
    """Relations `linked` may follow: the resource catalogue's."""
    return frozenset(catalogue.relations())


def relations_of(kinds: frozenset[str]) -> frozenset[str]:
    """Relations that resources of these kinds have."""
    return frozenset(relation for kind in kinds for relation in catalogue.relations_of(kind))


def kinds_linked_by(relation: str) -> frozenset[str]:
    """The kinds of resource a relation reaches (`rotation`: `secret_rotation`)."""
    return frozenset(k for k in catalogue.kinds() if (link := catalogue.link_of(k)) and link.relation == relation)


VOCABULARIES = {"relation": known_relations}


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason a rule cannot work: at `path` in the rule file (at the key `key` of that mapping, if set)."""

    path: tuple
    message: str
    key: str | None = None


def suggestion(word: str, known: Iterable[str], quote: str = "'{}'") -> str:
    """` (did you mean 'scope'?)` when a known word is close, else nothing."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {quote.format(close[0])}?)" if close else ""


# ---- schema errors ----------------------------------------------------------------------------------------

def schema_problem(errors: Iterable[Any]) -> Problem | None:
    """The schema error to report in words of the rule language, if any: the first unknown key (looking
    into `anyOf` alternatives, shallowest first), else an expression that is not one predicate."""
    errors = sorted(_with_context(errors), key=lambda e: len(e.absolute_path))
    for error in errors:
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in allowed] if isinstance(error.instance, dict) else []
        if error.validator == "additionalProperties" and extra:
            what = "predicate" if "all" in allowed else "key"
            return Problem(tuple(error.absolute_path), f"unknown {what} '{extra[0]}'{suggestion(extra[0], allowed)}",
                           extra[0])
    for error in errors:
        is_expression = isinstance(error.schema, dict) and "all" in error.schema.get("properties", {})
        if is_expression and error.validator in ("minProperties", "maxProperties"):
            names = ", ".join(error.instance)
            this = f"names {names}: list them under all: [...]" if names else "is empty"
            return Problem(tuple(error.absolute_path),
                           f"an expression names exactly one predicate (or all, any, not), but this one {this}")
    return None


def _with_context(errors: Iterable[Any]) -> Iterator[Any]:
    for error in errors:
        yield error
        yield from _with_context(error.context or ())


# ---- a well-formed rule that cannot work ------------------------------------------------------------------

def problems(data: dict) -> Iterator[Problem]:
    """Everything wrong with a schema-valid rule: its kinds, then `where`, `match` and the message."""
    kinds = known_kinds()
    for index, kind in enumerate(data.get("resources", ())):
        if kind not in kinds:
            yield Problem(("resources", index), f"unknown resource kind '{kind}'{suggestion(kind, kinds)}; "
                                                f"known kinds: {', '.join(sorted(kinds))}")
    parts = _SCOPE_PARTS[data["scope"]]
    subject_kinds = frozenset(data.get("resources", ())) & kinds if data["scope"] == "resource" else frozenset()
    provided: set[str] = {"resource"}
    for section in ("where", "match"):
        found: set[str] = set()
        if section in data:
            yield from _expression(data[section], (section,), parts, subject_kinds, found)
        if section == "where" or data.get("report") == "subject":
            found.discard("element")  # only `match` quotes the element it matched, and not with report: subject
        provided |= found
    yield from _message(data["message"], provided, set(data.get("options", {})))


def _expression(
    expr: dict, path: tuple, parts: frozenset[str], kinds: frozenset[str], provided: set[str] | None
) -> Iterator[Problem]:
    """Problems of one expression whose subjects have `parts` (and are, or belong to, a resource of one of
    `kinds`, when known); collects the placeholders its witnesses fill in into `provided` (None: its
    witnesses are dropped, as under `not`)."""
    (name, arg), = expr.items()
    if name in ("all", "any"):
        for index, part in enumerate(arg):
            yield from _expression(part, path + (name, index), parts, kinds, provided)
        return
    if name == "not":
        yield from _expression(arg, path + (name,), parts, kinds, None)
        return
    declaration = PREDICATES[name]
    if not parts & set(declaration.scopes):
        yield Problem(path, _out_of_scope(name, declaration.scopes, parts), name)
        return
    if provided is not None:
        provided.update(declaration.provides)
    relation = None
    for key, vocabulary in declaration.names.items():
        value = arg.get(key) if isinstance(arg, dict) else None
        problem = _name_problem(vocabulary, value, kinds) if isinstance(value, str) else None
        if problem:
            yield Problem(path + (name, key), problem)
        relation = value if vocabulary == "relation" else relation
    if declaration.nested is not None:
        inner = arg if declaration.nested == "" else arg.get(declaration.nested)
        if inner is not None:
            where = path + (name,) + ((declaration.nested,) if declaration.nested else ())
            keep = provided if declaration.keeps else None
            # Resources reached by a relation are of the kinds that link to their owner by it.
            inner_kinds = kinds_linked_by(relation) if declaration.inner == "resource" and relation else kinds
            yield from _expression(inner, where, _inner_parts(parts, declaration.inner), inner_kinds, keep)


def _name_problem(vocabulary: str, value: str, kinds: frozenset[str]) -> str | None:
    """Why a catalogue name in an argument cannot work: unknown, or a relation these kinds never have."""
    known = VOCABULARIES[vocabulary]()
    if value not in known:
        return f"unknown {vocabulary} '{value}'{suggestion(value, known)}; known {vocabulary}s: {', '.join(sorted(known))}"
    if vocabulary == "relation" and kinds and value not in relations_of(kinds):
        theirs = ", ".join(sorted(relations_of(kinds))) or "none"
        return f"a {' or '.join(sorted(kinds))} has no relation '{value}' (its relations: {theirs})"
    return None


def _inner_parts(parts: frozenset[str], inner: str) -> frozenset[str]:
    """What a nested expression's subjects have: a statement keeps its document (and the secret whose
    policy it is), a document keeps its resource, a linked resource is a subject of its own."""
    if inner == "statement":
        return frozenset({"statement", "document"}) | (parts & {"resource"})
    if inner == "document":
        return frozenset({"document"}) | (parts & {"resource"})
    return frozenset({inner})


def _out_of_scope(name: str, scopes: tuple[str, ...], parts: frozenset[str]) -> str:
    """Why a predicate cannot judge the subject here, and which predicates lead to what it needs."""
    wanted = " or ".join(f"a {scope}" for scope in scopes)
    route = _route(parts, set(scopes))
    inside = "..."
    for step in reversed(route):
        inside = f"{{{step}: {inside}}}"
    hint = f"; use it inside {inside}" if route else ""
    here = " in a ".join(part for part in ("statement", "document", "resource") if part in parts)
    return f"'{name}' judges {wanted}, but the subject here is a {here}{hint}"


def _route(parts: frozenset[str], wanted: set[str]) -> list[str]:
    """The shortest chain of nesting predicates from subjects with `parts` to subjects with a wanted part."""
    queue, seen = [(parts, [])], {parts}
    while queue:
        here, chain = queue.pop(0)
        for d in PREDICATES.values():
            if d.nested is None or not d.keeps or not here & set(d.scopes):
                continue
            there = _inner_parts(here, d.inner)
            step = chain + [d.name + (f".{d.nested}" if d.nested else "")]
            if there & wanted:
                return step
            if there not in seen:
                seen.add(there)
                queue.append((there, step))
    return []


def _message(template: str, provided: set[str], options: set[str]) -> Iterator[Problem]:
    """Format syntax a message may not use, and placeholders this rule never fills in."""
    for part in messages.parse(template):
        if part.problem:
            yield Problem(("message",), part.problem)
        elif part.name == "option" and part.key is not None:
            if part.key not in options:
                declared = ", ".join(sorted(options)) or "none"
                yield Problem(("message",), f"placeholder '{part.text}' names no declared option (declared: {declared})")
        elif part.name == "option":
            yield Problem(("message",), "placeholder '{option}' must name the option: {option[NAME]}")
        elif part.name is not None and part.name not in provided:
            yield Problem(("message",), _placeholder_problem(part.text, part.name, provided))


def _placeholder_problem(written: str, name: str, provided: set[str]) -> str:
    available = ", ".join("{" + n + "}" for n in sorted(provided))
    if name in PLACEHOLDERS:
        return f"placeholder '{written}' is never filled in by this rule's predicates; they fill in {available}"
    hint = suggestion(name, provided | set(PLACEHOLDERS), quote="'{{{}}}'")
    return f"unknown placeholder '{written}'{hint}; this rule's predicates fill in {available}"
