"""The rule language's vocabulary: `all` / `any` / `not` and the registry of predicates.

Each predicate answers for one subject (a statement, a document or a resource) and returns the elements
that made it true ("witnesses"), so a finding can point at the exact action string or resource value;
`None` means false. Predicates are the only Python a rule relies on; rules themselves are data. Each
predicate declares itself where it is registered (argument schema, one-line doc, the subject it judges, the
message placeholders it fills in): the rule schema's expression part, the tables of `docs/rule-language.md`
and `rules validate` are all derived from those declarations.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from linter import iam
from linter.formats import catalogue
from linter.model import Node, PolicyDocument, Resource, Statement
from linter.records import dataclass

Witness = tuple["Node | None", dict]  # None: the subject itself (a missing attribute), with message details


@dataclass(slots=True)
class Subject:
    """What a predicate looks at: a statement of a document, a whole document, or a resource."""

    document: PolicyDocument | None = None
    statement: Statement | None = None
    resource: Resource | None = None


class Context:
    """Per-rule evaluation state: resolved options and expanded action sets (computed once per rule)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self._action_sets: dict[str, iam.ActionSet] = {}
        self._by_identity: dict[int, tuple[Any, iam.ActionSet]] = {}  # a rule's own spec objects, fast

    def arg(self, value: Any) -> Any:
        """An argument with `{option: name}` references replaced by the option's value."""
        if isinstance(value, dict) and set(value) == {"option"}:
            return self.options[value["option"]]
        return value

    def actions(self, spec: Any) -> iam.ActionSet:
        """The action set a rule names: a pattern, a list of them, or {include, exclude}."""
        known = self._by_identity.get(id(spec))
        if known is not None and known[0] is spec:
            return known[1]
        found = self._action_set(spec)
        self._by_identity[id(spec)] = (spec, found)  # the spec is kept alive, so its id is never reused
        return found

    def _action_set(self, spec: Any) -> iam.ActionSet:
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

# Argument types several predicates share, as JSON-schema definitions (`$ref: "#/$defs/<name>"`); the rule
# schema's `$defs` are generated from these and from the declarations below (`python -m linter.docs`).
EXPR = {"$ref": "#/$defs/expr"}
OPTION = {"$ref": "#/$defs/option"}
ARGUMENT_TYPES: dict[str, dict] = {
    "option": {"type": "object", "additionalProperties": False, "required": ["option"],
               "properties": {"option": {"type": "string"}}},
    "actionSet": {"anyOf": [
        {"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1},
        {"type": "object", "additionalProperties": False, "required": ["include"], "properties": {
            "include": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "exclude": {"type": "array", "items": {"type": "string"}}}},
        OPTION]},
    "stringList": {"anyOf": [{"type": "array", "items": {"type": "string"}}, OPTION]},
    "number": {"anyOf": [{"type": "number"}, OPTION]},
    "scalarList": {"anyOf": [{"type": "array", "items": {"type": ["string", "number", "boolean"]}}, OPTION]},
}
ACTION_SET, STRING_LIST, NUMBER = ({"$ref": f"#/$defs/{name}"} for name in ("actionSet", "stringList", "number"))
TRUE = {"const": True}
BOOLEAN = {"type": "boolean"}

# Placeholders that predicates' witnesses fill in, with what they say (the docs' table and `rules validate`).
PLACEHOLDERS: dict[str, str] = {
    "element": "the matched element's text (a one-item list reads like its item; cut at 80 characters); not "
               "with `report: subject`",
    "label": "the matched element's name: `Action`, `NotAction`, `Principal`, `NotPrincipal`",
    "granted": "the granted actions in words: `23 Secrets Manager actions, including GetSecretValue and DeleteSecret`",
    "count": "how many actions are granted",
    "actions": "the granted actions, comma-separated",
    "including": "the two most consequential granted actions",
    "plural": "`s` when more than one action is granted, else nothing",
    "problem": "what makes the element invalid, as a sentence",
    "reach": "what a Resource or NotResource reaches, quoting it",
    "found": "what was found, as a phrase (`KmsKeyId is not set`, `its rotation runs every 365 days`)",
    "attribute": "the attribute's name, as the source format writes it",
    "value": "the attribute's value",
    "field": "` (field 'password')`: the JSON field holding a literal secret, or nothing",
    "days": "the rotation interval in days",
}
GRANT_PLACEHOLDERS = ("count", "actions", "including", "plural", "granted")  # derived from the granted actions
_GRANTS = ("label", *GRANT_PLACEHOLDERS)


@dataclass(frozen=True, slots=True)
class Declaration:
    """A predicate as the rest of the tool sees it: the rule schema, the rule-language docs and
    `rules validate` read these declarations, so the vocabulary is written down once, beside the code."""

    name: str
    function: Predicate
    scopes: tuple[str, ...]  # the subject part it reads (any of these): statement, document, resource
    args: dict  # JSON schema of its argument
    doc: str  # one line: when it is true
    witnesses: str  # what a finding points at when it matched
    provides: tuple[str, ...]  # message placeholders its witnesses may fill in
    nested: str | None  # where its argument holds an expression: "" the whole argument, else that key
    inner: str  # the subject part that nested expression looks at
    keeps: bool  # the nested expression's witnesses become its own
    names: dict[str, str]  # argument keys whose values name a catalogue entry ("rel": "relation")


PREDICATES: dict[str, Declaration] = {}


def predicate(
    name: str,
    scope: str | tuple[str, ...],
    *,
    args: dict,
    doc: str,
    witnesses: str = "none",
    provides: tuple[str, ...] = (),
    nested: str | None = None,
    inner: str = "",
    keeps: bool = True,
    names: dict[str, str] | None = None,
) -> Callable[[Predicate], Predicate]:
    """Register a predicate under the name rules use, with its declaration (see `Declaration`)."""

    def register(function: Predicate) -> Predicate:
        scopes = (scope,) if isinstance(scope, str) else scope
        PREDICATES[name] = Declaration(name, function, scopes, args, doc, witnesses, provides, nested, inner,
                                       keeps, names or {})
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
        return _joined(evaluate(part, subject, ctx) for part in arg)
    if name == "not":
        return None if evaluate(arg, subject, ctx) is not None else []
    return PREDICATES[name].function(ctx, subject, arg)


def _truth(value: bool) -> list[Witness] | None:
    return [] if value else None


def _joined(results: Iterable[list[Witness] | None]) -> list[Witness] | None:
    """The witnesses of every true result, in order; None when none is true ("some ... matches")."""
    found = [result for result in results if result is not None]
    return [w for result in found for w in result] if found else None


_SERVICE_NAMES = {"secretsmanager": "Secrets Manager", "kms": "KMS", "iam": "IAM", "sts": "STS"}
_NOTABLE = ("GetSecretValue", "DeleteSecret", "PutResourcePolicy", "BatchGetSecretValue", "PutSecretValue")


def _grant_info(granted: list[str], label: str) -> dict:
    """Message details for a set of granted actions; the wording is derived only if a finding is reported."""
    return {"_granted": tuple(granted), "label": label}


def grant_wording(granted: tuple[str, ...]) -> dict:
    """How messages name granted actions: the catalog's spelling, without the prefix when all share one
    named service, the most consequential first (`23 Secrets Manager actions, including GetSecretValue
    and DeleteSecret`; `the Secrets Manager action GetSecretValue`)."""
    from linter.catalog import canonical

    names = sorted({canonical(a) for a in granted}, key=str.lower)
    prefixes = {a.split(":", 1)[0].lower() for a in names}
    service = _SERVICE_NAMES.get(next(iter(prefixes)), "") if len(prefixes) == 1 else ""
    short = [a.split(":", 1)[1] if service and ":" in a else a for a in names]
    notable = [a for a in _NOTABLE if a in short] + [a for a in short if a not in _NOTABLE]
    including = " and ".join(notable[:2])
    kind = f"{service} action" if service else "action"
    phrase = f"the {kind} {short[0]}" if len(short) == 1 else f"{len(short)} {kind}s, including {including}"
    return {
        "count": len(short),
        "actions": ", ".join(short),
        "including": including,
        "plural": "" if len(short) == 1 else "s",
        "granted": phrase,
    }


# ---- statement predicates --------------------------------------------------------------------------------

@predicate(
    "effect", "statement",
    args={"anyOf": [{"enum": ["Allow", "Deny"]}, {"type": "object", "additionalProperties": False, "required": ["invalid"],
                                                  "properties": {"invalid": TRUE}}]},
    doc="`Allow` / `Deny`: the Effect is exactly that; `{invalid: true}`: it is missing or neither `Allow` nor "
        "`Deny` (case matters)",
    witnesses="for `invalid`, the Effect (the statement when it has none)",
    provides=("element", "problem"),
)
def _effect(ctx: Context, s: Subject, arg: str | dict) -> list[Witness] | None:
    effect = s.statement.effect
    if isinstance(arg, str):
        return _truth(effect is not None and effect.value == arg)
    if effect is None:
        return [(s.statement.node, {"problem": "the statement has no Effect"})]
    value = effect.value
    if isinstance(value, str) and (value in iam.EFFECTS or iam.UNKNOWN in value):
        return None
    shown = value if isinstance(value, str) else json.dumps(effect.plain())
    return [(effect, {"problem": f"Effect '{shown}' is neither Allow nor Deny (case matters)"})]


@predicate(
    "action", "statement",
    args={"type": "object", "additionalProperties": False,
          "properties": {"wildcard": BOOLEAN, "grants": ACTION_SET, "star": TRUE, "unknown": TRUE}},
    doc="some Action item meets every given constraint: has a wildcard `*` or `?` (`wildcard: true`; `false`: "
        "has none), is `*` or `*:*` (`star`), covers some action of a set (`grants: SET`), names no catalogued "
        "action or service (`unknown`)",
    witnesses="those items",
    provides=("element", *_GRANTS, "problem"),
)
def _action(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    witnesses = []
    for element in iam.strings(s.statement.action):
        if "wildcard" in arg and iam.has_wildcard(element.value) != arg["wildcard"]:
            continue
        if arg.get("star") and element.value not in ("*", "*:*"):
            continue
        problem = iam.action_problem(element.value) if arg.get("unknown") else None
        if arg.get("unknown") and problem is None:
            continue
        info: dict = {}
        if "grants" in arg:
            covered = iam.actions_covered(element.value, ctx.actions(arg["grants"]))
            if not covered:
                continue
            info = _grant_info(covered, "Action")
        if problem:
            info = {**info, "problem": problem, "_about": iam.action_problem_part(element.value)}
        witnesses.append((element, info))
    return witnesses or None



@predicate(
    "not_action", "statement",
    args={"type": "object", "additionalProperties": False, "properties": {"leaves": ACTION_SET, "unknown": TRUE}},
    doc="there is a NotAction (`{}`); with `leaves: SET`, it leaves some actions of SET granted; with "
        "`unknown: true`, some of its items name no catalogued action",
    witnesses="the NotAction (with `unknown`, those items)",
    provides=("element", *_GRANTS, "problem"),
)
def _not_action(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    element = s.statement.not_action
    if element is None:
        return None
    if arg.get("unknown"):
        found = [(item, {"problem": problem, "_about": iam.action_problem_part(item.value)})
                 for item in iam.strings(element) if (problem := iam.action_problem(item.value))]
        return found or None
    if "leaves" not in arg:
        return [(element, {})]
    left = iam.not_action_leaves(element, ctx.actions(arg["leaves"]))
    return [(element, _grant_info(left, "NotAction"))] if left else None


@predicate(
    "grants", "statement",
    args=ACTION_SET,
    doc="the statement's Action or NotAction covers some action of the set",
    witnesses="the covering Action items, or the NotAction",
    provides=("element", *_GRANTS),
)
def _grants(ctx: Context, s: Subject, arg: Any) -> list[Witness] | None:
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


def _not_an_arn(label: str, element: Node) -> str:
    if element.not_arn:
        return f"{label} {element.not_arn} is a name or id, not an ARN, so it matches no resource"
    return f"{label} '{element.value}' is neither '*' nor an ARN"


_RESOURCE_TESTS: dict[str, Callable[[str], bool]] = {
    "star": lambda value: value == "*",
    "all_secrets": iam.covers_all_secrets,
    "all_roles": iam.covers_all_roles,
    "everything": iam.covers_everything,
}


@predicate(
    "resource", "statement",
    args={"type": "object", "additionalProperties": False, "properties": {
        "star": TRUE, "all_secrets": TRUE, "all_roles": TRUE, "everything": TRUE, "invalid": TRUE}},
    doc="some Resource item is `*` (`star`) / covers every secret of an account, region or partition "
        "(`all_secrets`) / every role of an account (`all_roles`: `arn:aws:iam::*:role/*`) / every resource of a "
        "partition (`everything`: `arn:*`); or some Resource or NotResource item is neither `*` nor an ARN, "
        "which IAM rejects (`invalid`)",
    witnesses="those items",
    provides=("element", "reach", "problem"),
)
def _resource(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    if arg.get("invalid"):
        labelled = [("Resource", e) for e in iam.strings(s.statement.resource)]
        labelled += [("NotResource", e) for e in iam.strings(s.statement.not_resource)]
        return [(e, {"problem": _not_an_arn(label, e)})
                for label, e in labelled if e.not_arn or not iam.is_arn_or_star(e.value)] or None
    covered = "every secret" if arg.get("all_secrets") else "every role" if arg.get("all_roles") else "everything"
    witnesses = []
    for element in iam.strings(s.statement.resource):
        if not all(test(element.value) for name, test in _RESOURCE_TESTS.items() if arg.get(name)):
            continue
        witnesses.append((element, {"reach": f"'{element_text(element)}' covers {covered}"}))
    return witnesses or None


@predicate(
    "reaches_secrets", "statement",
    args=BOOLEAN,
    doc="the statement's resources can include a secret: a Resource value that may name one (`*`, an unknown "
        "value, a `secretsmanager` ARN), a NotResource, or no resource element (`false`: they cannot)",
)
def _reaches_secrets(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    """A grant on S3 objects gives no Secrets Manager access: only resources that may name a secret count."""
    st = s.statement
    reaches = st.not_resource is not None or st.resource is None or any(
        not isinstance(item.value, str) or iam.may_name_a_secret(item.value) for item in st.resource.items_list()
    )
    return _truth(reaches == arg)


@predicate(
    "not_resource", "statement",
    args={"type": "object", "additionalProperties": False, "properties": {"leaves_secrets": TRUE}},
    doc="there is a NotResource (`{}`) / it does not exclude every secret (`leaves_secrets`)",
    witnesses="the NotResource",
    provides=("element", "reach"),
)
def _not_resource(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    element = s.statement.not_resource
    if element is None:
        return None
    if arg.get("leaves_secrets"):
        items = iam.strings(element)
        # An unknown value is one resource (`!Ref Secret`): it excludes that one, not every secret.
        if any(iam.covers_all_secrets(i.value) for i in items):
            return None
    return [(element, {"reach": f"NotResource '{element_text(element)}' leaves every other secret in reach"})]


@predicate(
    "principal", "statement",
    args={"type": "object", "additionalProperties": False, "properties": {"everyone": TRUE}},
    doc="there is a Principal (`{}`) / it is everyone: `*` or `{\"AWS\": \"*\"}` (`everyone`)",
    witnesses="the Principal",
    provides=("element", "label"),
)
def _principal(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    principal = s.statement.principal
    if principal is None or (arg.get("everyone") and not iam.principal_is_everyone(principal)):
        return None
    return [(principal, {"label": "Principal"})]


@predicate(
    "not_principal", "statement",
    args={"type": "object", "additionalProperties": False},
    doc="there is a NotPrincipal: with Allow, everyone except the principals it lists",
    witnesses="the NotPrincipal",
    provides=("element", "label"),
)
def _not_principal(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    element = s.statement.not_principal
    return None if element is None else [(element, {"label": "NotPrincipal"})]


def _restricted(condition: Node | None, arg: Any, ctx: Context) -> list[Node]:
    """`restricted_by: KEYS`, or `{keys: KEYS, caller_variables: true}` to accept attribute-based access."""
    if isinstance(arg, dict):
        return iam.restricted_by(condition, ctx.arg(arg["keys"]), arg.get("caller_variables", False))
    return iam.restricted_by(condition, arg)


@predicate(
    "condition", "statement",
    args={"type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
        "absent": BOOLEAN,
        "has_key": {"type": "string"},
        "pins": {"type": "object", "additionalProperties": False, "required": ["key", "value"], "properties": {
            "key": {"type": "string"}, "value": {"type": "string"},
            "operators": {"type": "array", "minItems": 1, "items": {"type": "string"}}}},
        "only_exempts_named": STRING_LIST,
        "restricted_by": {
            "description": "Fixed values (no wildcard, no policy variable) of one of these keys under a positive "
                           "operator, not IfExists; with caller_variables, the caller's own tag, user name or id "
                           "counts too.",
            "anyOf": [STRING_LIST, {"type": "object", "additionalProperties": False, "required": ["keys"],
                                    "properties": {"keys": STRING_LIST, "caller_variables": BOOLEAN}}]},
        "unknown_operator": TRUE, "unknown_key": TRUE}},
    doc="every given fact about the Condition block holds: `absent` (or `false`: present), `has_key: KEY`, `pins: "
        "{key, value, operators}` (exactly one value under a positive operator; default the StringEquals family; "
        "IfExists never pins), `only_exempts_named: KEYS` (no condition, or only negated matches of these keys "
        "against named principals), `restricted_by: KEYS` (fixed values, no wildcard or policy variable, of one "
        "of these keys, globs allowed, under a positive operator, not IfExists or ForAllValues; `{keys: KEYS, "
        "caller_variables: true}` also accepts the caller's own tag, user name or id, as in attribute-based "
        "access: `${aws:PrincipalTag/team}`), `unknown_operator: true` (an operator IAM does not know), "
        "`unknown_key: true` (a service's condition key that service does not define; `aws:` keys are not judged)",
    witnesses="with `unknown_operator` or `unknown_key`, those operators or keys; else none",
    provides=("element", "problem"),
)
def _condition(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    condition = s.statement.condition
    if "absent" in arg and (condition is None) != arg["absent"]:
        return None
    if "pins" in arg:
        pin = arg["pins"]
        operators = pin.get("operators") or iam.PINNING_OPERATORS
        if not iam.pins(condition, pin["key"], pin["value"], operators):
            return None
    if "restricted_by" in arg and not _restricted(condition, ctx.arg(arg["restricted_by"]), ctx):
        return None
    if "only_exempts_named" in arg and not iam.only_exempts_named(condition, ctx.arg(arg["only_exempts_named"])):
        return None
    if "has_key" in arg:
        keys = {key.lower() for _, key, _ in iam.condition_entries(condition)}
        if arg["has_key"].lower() not in keys:
            return None
    if arg.get("unknown_operator"):
        return _unknown_operators(condition) or None
    if arg.get("unknown_key"):
        return _unknown_keys(condition) or None
    return []


def _unknown_keys(condition: Node | None) -> list[Witness]:
    """Service condition keys of a Condition block that the service does not define, as positioned witnesses."""
    found = []
    for block in condition.value.values() if condition is not None and isinstance(condition.value, dict) else ():
        if not isinstance(block.value, dict):
            continue
        spans = block.key_spans or {}
        for key, values in block.value.items():
            problem = iam.condition_key_problem(key)
            if problem:
                found.append((Node(key, spans.get(key, values.span), block.path or condition.path), {"problem": problem}))
    return found


def _unknown_operators(condition: Node | None) -> list[Witness]:
    """Operator keys of a Condition block that IAM does not know, as positioned witnesses."""
    if condition is None or not isinstance(condition.value, dict):
        return []
    spans = condition.key_spans or {}
    found = []
    for operator, block in condition.value.items():
        if iam.UNKNOWN in operator or iam.is_condition_operator(operator):
            continue
        node = Node(operator, spans.get(operator, block.span), block.path or condition.path)
        found.append((node, {"problem": f"'{operator}' is not an IAM condition operator"}))
    return found


# ---- document and resource predicates ----------------------------------------------------------------------

def _statements(ctx: Context, s: Subject, expr: dict) -> Iterable[list[Witness] | None]:
    """Each statement of the subject's document, keeping the resource it applies to (a secret's policy)."""
    for statement in s.document.statements:
        yield evaluate(expr, Subject(s.document, statement, s.resource), ctx)


@predicate(
    "some_statement", "document",
    args=EXPR, nested="", inner="statement",
    doc="some statement of the document matches EXPR",
    witnesses="those of every matching statement",
)
def _some_statement(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    return _joined(_statements(ctx, s, expr))


@predicate(
    "no_statement", "document",
    args=EXPR, nested="", inner="statement", keeps=False,
    doc="no statement of the document matches EXPR",
)
def _no_statement(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    return _truth(all(r is None for r in _statements(ctx, s, expr)))


@predicate(
    "version", "document",
    args={"type": "object", "additionalProperties": False, "minProperties": 1,
          "properties": {"missing": TRUE, "outdated": TRUE, "invalid": TRUE}},
    doc="the document's Version is absent (`missing`) / `2008-10-17` (`outdated`) / anything else but "
        "`2012-10-17` (`invalid`)",
    witnesses="the Version (the document when it has none)",
    provides=("element", "problem"),
)
def _version(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    version = s.document.version
    if version is None:
        if arg.get("missing"):
            return [(s.document.node, {"problem": "the policy has no Version, so IAM reads it as 2008-10-17 "
                                                  "and leaves policy variables unexpanded"})]
        return None
    text = str(version.value)
    if iam.UNKNOWN in text or text == iam.VERSION_CURRENT:
        return None
    if text == iam.VERSION_OUTDATED:
        if arg.get("outdated"):
            return [(version, {"problem": f"Version {text} is outdated: policy variables are not expanded; use {iam.VERSION_CURRENT}"})]
        return None
    if arg.get("invalid"):
        return [(version, {"problem": f"Version '{text}' is not a policy language version; use {iam.VERSION_CURRENT}"})]
    return None


@predicate(
    "unreadable", "document",
    args=BOOLEAN,
    doc="the document is a reference that cannot be read: an AWS managed policy name the dataset lacks "
        "(`false`: a readable document)",
    witnesses="the reference",
    provides=("element", "problem"),
)
def _unreadable(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    problem = s.document.problem
    if not arg:
        return _truth(not problem)
    return [(s.document.node, {"problem": problem})] if problem else None


@predicate(
    "attached", "document",
    args=BOOLEAN,
    doc="the document is an AWS managed policy attached by name or ARN (`false`: a document written in the file)",
)
def _attached(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    return _truth(bool(s.document.origin) == arg)


@predicate(
    "standalone", ("document", "resource"),
    args=BOOLEAN,
    doc="a standalone policy file, or the secret it stands for (`false`: a document or resource written in IaC)",
)
def _standalone(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    alone = s.resource.standalone if s.resource is not None else not s.document.owner
    return _truth(alone == arg)


@predicate(
    "policy_variables", "document",
    args=BOOLEAN,
    doc="the document uses policy variables such as `${aws:username}` (`false`: none)",
)
def _policy_variables(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    return _truth(iam.has_policy_variable(s.document.node) == arg)


@predicate(
    "documents_known", "resource",
    args=BOOLEAN,
    doc="every policy that applies to the resource could be read in full offline (rules that look for a "
        "*missing* statement use it to stay quiet)",
)
def _documents_known(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    """A linked policy whose document is a variable, or a document with statements that exist only at plan
    time, might hold anything: rules that look for a missing statement use this to stay quiet.
    """
    r = s.resource
    unread = any(not linked.documents for linked in r.links.get("policies", [])) or _own_policy_unknown(r)
    known = not unread and all(d.complete and _statements_known(d) for d in r.documents)
    return _truth(known == arg)


def _own_policy_unknown(resource: Resource) -> bool:
    """The resource's own policy attribute (a secret's inline `policy = var.policy`) holds a value known
    only at plan time: like a linked policy resource whose document is a variable, it may hold anything."""
    return any(node is not None and node.is_unknown
               for node in map(resource.attributes.get, catalogue.own_document_attributes(resource.type)))


def _statements_known(document: PolicyDocument) -> bool:
    statement = document.node.get("Statement")
    if statement is None or not isinstance(statement.value, (list, dict)):
        return False
    return all(
        st.effect is not None and not st.effect.is_unknown
        and not any(e.is_unknown for e in iam.strings(st.action) + iam.strings(st.not_action))
        for st in document.statements
    )


@predicate(
    "covers_this_secret", "statement",
    args=BOOLEAN,
    doc="inside a secret's resource policy (`some_document`): the statement's Resource can include that secret "
        "(`*`, its name, a reference to it, an unknown value), not only other secrets; true outside a secret "
        "and with NotResource",
)
def _covers_this_secret(ctx: Context, s: Subject, arg: bool) -> list[Witness] | None:
    secret, statement = s.resource, s.statement
    if secret is None or statement.resource is None or statement.not_resource is not None:
        return _truth(arg)
    name_node = secret.attributes.get("name")
    name = name_node.value if name_node is not None and isinstance(name_node.value, str) else None
    if name is not None and iam.UNKNOWN in name:
        name = None
    covers = any(_may_be(item, secret, name) for item in statement.resource.items_list())
    return _truth(covers == arg)


def _may_be(item: Node, secret: Resource, name: str | None) -> bool:
    if not isinstance(item.value, str):
        return True
    if item.ref is not None:  # a reference: to this secret (also from inside a module instance) or another
        if item.not_arn:  # the secret's name: IAM compares ARNs, so it names nothing
            return False
        return item.ref == secret.address or secret.address.endswith("." + item.ref)
    return iam.may_name_secret(item.value, name)


@predicate(
    "some_document", "resource",
    args=EXPR, nested="", inner="document",
    doc="one of the policy documents that apply to the resource (a secret's resource policies, wherever they "
        "were written) matches EXPR",
    witnesses="its witnesses",
)
def _some_document(ctx: Context, s: Subject, expr: dict) -> list[Witness] | None:
    for document in s.resource.documents:
        result = evaluate(expr, Subject(document=document, resource=s.resource), ctx)
        if result is not None:
            return result
    return None


def _attribute(resource: Resource, name: str) -> Node | None:
    """An attribute by dotted name (`rotation_rules.schedule_expression`), in the one shape every format's
    attributes have (`linter.formats.shapes`). Null values count as missing."""
    parts = name.split(".")
    node = resource.attributes.get(parts[0])
    for part in parts[1:]:
        node = node.get(part) if node is not None else None
    return None if node is None or node.value is None else node


def _same(a: object, b: object) -> bool:
    """Equality where a boolean never equals a number (`True == 1` in Python, not in a rule)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


@predicate(
    "attribute", "resource",
    args={"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
        "name": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$",
                 "description": "Attribute name, as the resource catalogue names it; dotted for nested blocks."},
        "missing": TRUE, "equals": {}, "in": {"$ref": "#/$defs/scalarList"}, "matches": STRING_LIST,
        "literal": TRUE, "above": NUMBER,
        "literal_secrets": {**STRING_LIST, "description": "Globs of JSON field names whose literal values are secrets."}}},
    doc="the attribute `name` (the catalogue's name, dotted for nested blocks: `rotation_rules.schedule_expression`) "
        "is absent or null (`missing`); or present and meets every other constraint: `equals` a value, is `in` a "
        "list, `matches` globs, is `literal` (known offline), is numerically `above` N, holds `literal_secrets` "
        "(fields whose names match globs)",
    witnesses="the value (for a literal secret its position, never its text); the resource when it is missing",
    provides=("element", "attribute", "found", "value", "field"),
)
def _attribute_predicate(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    name = arg["name"]
    node = _attribute(s.resource, name)
    written = s.resource.written_names.get(name, name)  # as the user's format spells it, for messages
    info = {"attribute": written}
    if arg.get("missing"):
        if node is not None:
            return None
        when = s.resource.conditional.get(name)
        if when is not None:  # set in some deployments only: reported at the attribute, saying when
            return [(when, {**info, "found": f"{written} is set only {when.value}"})]
        return [(None, {**info, "found": f"{written} is not set"})]
    if node is None:
        return None
    value = node.value
    if "equals" in arg and not _same(value, ctx.arg(arg["equals"])):
        return None
    if "in" in arg and not any(_same(value, v) for v in ctx.arg(arg["in"])):
        return None
    if "matches" in arg and not (isinstance(node.value, str) and any(
            iam.glob_match(p, node.value) for p in ctx.arg(arg["matches"]))):
        return None
    if arg.get("literal") and (isinstance(node.value, (dict, list)) or node.is_unknown):
        return None
    if "above" in arg:
        limit = ctx.arg(arg["above"])
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > limit:
            return None
    if "literal_secrets" in arg:
        from linter import secrets

        found = secrets.literal_secrets(node, tuple(ctx.arg(arg["literal_secrets"])))
        return [
            (element, {**info, "field": f" (field '{key}')" if key else "",
                       "_element": {"attribute": name, "field": key}})
            for element, key in found
        ] or None
    shown = element_text(node)
    found = f"{written} is '{shown}'" if isinstance(node.value, str) else f"{written} is {shown}"
    return [(node, {**info, "value": shown, "found": found})]


@predicate(
    "linked", "resource",
    args={"type": "object", "additionalProperties": False, "required": ["rel"], "minProperties": 2,
          "properties": {"rel": {"type": "string"}, "none": TRUE, "some": EXPR}},
    nested="some", inner="resource", names={"rel": "relation"},
    doc="no resource is linked to it by relation `rel` (`none: true`) / one that is matches EXPR (`some: EXPR`)",
    witnesses="the resource for `none`; else the matching linked resources' witnesses",
    provides=("found",),
)
def _linked(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    linked = s.resource.links.get(arg["rel"], [])
    if arg.get("none"):
        return [(None, {"found": f"it has no {arg['rel']}"})] if not linked else None
    if "some" in arg:
        return _joined(evaluate(arg["some"], Subject(resource=other), ctx) for other in linked)
    return _truth(bool(linked))


@predicate(
    "rotation_interval", "resource",
    args={"type": "object", "additionalProperties": False, "required": ["above_days"],
          "properties": {"above_days": NUMBER}},
    doc="`rotation_rules` rotate less often than every `above_days` days (`automatically_after_days`, "
        "`rate(N days)`, `rate(N hours)`, `cron(...)`, read conservatively; a schedule unreadable offline never "
        "matches)",
    witnesses="the schedule value",
    provides=("element", "found", "days"),
)
def _rotation_interval(ctx: Context, s: Subject, arg: dict) -> list[Witness] | None:
    from linter import secrets

    rules = _attribute(s.resource, "rotation_rules")
    if rules is None:
        return None
    after = _attribute(s.resource, "rotation_rules.automatically_after_days")
    schedule = _attribute(s.resource, "rotation_rules.schedule_expression")
    days = secrets.rotation_days(after.value if after else None, schedule.value if schedule else None)
    limit = ctx.arg(arg["above_days"])
    if days is None or days <= limit:
        return None
    element = after or schedule
    if after:
        found = f"its rotation runs every {days:g} days"
    else:
        found = f"its schedule '{schedule.value}' runs about every {days:g} days"
    return [(element, {"found": found, "days": f"{days:g}"})]


# ---- message text ----------------------------------------------------------------------------------------

def _one_item_lists_as_items(value: Any) -> Any:
    """A value with every one-string list replaced by its string, at any depth (`{"AWS": ["*"]}` from a
    Terraform `principals` block reads like JSON's `{"AWS": "*"}`)."""
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], str):
            return value[0]
        return [_one_item_lists_as_items(v) for v in value]
    if isinstance(value, dict):
        return {k: _one_item_lists_as_items(v) for k, v in value.items()}
    return value


def element_text(node: Node) -> str:
    """An element as messages quote it: a one-item list reads like its item, whatever the source format."""
    value = _one_item_lists_as_items(node.plain())
    # ensure_ascii=False: unknown parts (a private-use character) must reach the replacement below unescaped.
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    text = text.replace(iam.UNKNOWN, "…")
    return text if len(text) <= 80 else text[:77] + "..."
