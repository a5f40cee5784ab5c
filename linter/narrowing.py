"""SM001's unsafe fix: the explicit Secrets Manager actions a wildcard (`secretsmanager:*`,
`secretsmanager:Get*`) is narrowed to, when the statement shows what it is for.

Only a wildcard written in the `secretsmanager` service is narrowed; `*` or `s*:*` span services, and
which of their actions the statement needs cannot be told. A statement is narrowed only when it is an
`Allow` with `Action` on named secrets (no `*`, no unknown value, no NotResource). It gets one of two sets
declared in the rule (`fix.replace_element`): the rotation set when its policy certainly reaches the
principal that runs the function rotating a secret it names (the rotation's `rotation_lambda_arn` refers to
a function of the tree; the function's `role`, or a SAM function's own `Policies`, as
`linter.access.principals` ties them), the reader set when none of the secrets it names is known to rotate
and its policy reaches no principal that may run a rotation function of the tree. Otherwise (a secret
rotated by another function or by one whose principal is unknown, a role that may rotate some other
secret) the statement might be a rotation's and there is no fix.
A wildcard keeps only the actions of its set it granted, without those the statement lists already or an
earlier wildcard of the statement is narrowed to (no duplicates, never a grant the statement lacked); one
left with none is removed (unless it is the statement's only action).
"""
from __future__ import annotations

from linter import iam
from linter.model import Extraction, Node, PolicyDocument, Resource, Statement

SERVICE = "secretsmanager"


def narrowable(item: Node) -> bool:
    """A wildcard in the Secrets Manager service itself (`secretsmanager:Get*`, any case)."""
    value = item.value
    return (
        isinstance(value, str) and iam.UNKNOWN not in value and iam.has_wildcard(value)
        and value.partition(":")[0].lower() == SERVICE
    )


def _named_secrets(statement: Statement, resources: list[Resource]) -> list[Resource] | None:
    """The secrets of this run the statement's Resource may name, or None when it names secrets too
    broadly to narrow (`*`, every secret, an unknown value, NotResource)."""
    from linter.predicates import _may_be

    if statement.resource is None or statement.not_resource is not None:
        return None
    secrets = [r for r in resources if r.kind == "secret"]
    named: list[Resource] = []
    for item in statement.resource.items_list():
        if not isinstance(item.value, str) or iam.covers_all_secrets(item.value):
            return None
        if item.ref is not None:
            target = [s for s in secrets if _may_be(item, s, None)]
            if not target:
                return None  # a reference to something this run does not know as a secret
            named += target
        elif iam.UNKNOWN in item.value.partition(":secret:")[2] or (iam.UNKNOWN in item.value and ":secret:" not in item.value):
            return None  # the secret's name (or the whole value) is only known at deploy time
        else:
            named += [s for s in secrets if _may_be(item, s, _name(s))]
    return named


def _name(secret: Resource) -> str | None:
    node = secret.attributes.get("name")
    return node.value if node is not None and isinstance(node.value, str) and iam.UNKNOWN not in node.value else None


def _purpose(document: PolicyDocument, secrets: list[Resource], extraction: Extraction) -> str | None:
    """`rotation` when the document is a policy of the function that rotates one of the secrets,
    `reader` when none of them is known to rotate and the document is no rotation function's, None when
    that cannot be told."""
    rotations = [r for r in extraction.resources if r.kind == "secret_rotation"]
    if not rotations:
        return "reader"
    runs = _runs(document, extraction)
    own = [r for s in secrets for r in s.links.get("rotation", [])]
    if own:
        return "rotation" if any(_rotated_by(r, runs, extraction.resources, certainly=True) for r in own) else None
    return None if any(_rotated_by(r, runs, extraction.resources, certainly=False) for r in rotations) else "reader"


def _runs(document: PolicyDocument, extraction: Extraction) -> dict[int, bool]:
    """The functions (by id) the principals the document reaches run as, and whether certainly."""
    from linter.access.principals import principals_of

    runs: dict[int, bool] = {}
    for principal in principals_of(extraction):
        for applied in (a for a in principal.documents if a.document is document):
            for function, certain in principal.functions:
                runs[id(function)] = runs.get(id(function), False) or (certain and applied.certain)
    return runs


def _rotated_by(rotation: Resource, runs: dict[int, bool], resources: list[Resource], certainly: bool) -> bool:
    """Is the rotation's function one the document's principals run (`certainly`: for sure; else may be)?
    A rotation without `rotation_lambda_arn` (a hosted one) or naming a function outside the tree is not."""
    from linter.access.principals import named

    arn = rotation.attributes.get("rotation_lambda_arn")
    functions, known = named(resources, arn, "lambda_function", rotation) if arn is not None else ([], True)
    if certainly:
        return known and any(runs.get(id(f), False) for f in functions)
    return any(id(f) in runs for f in functions)


def narrowed(
    spec: dict, document: PolicyDocument, statement: Statement, item: Node, extraction: Extraction
) -> list[str] | None:
    """The explicit actions to write in place of the wildcard `item` of the statement (none: remove it), or
    None when they are not determinable (see the module doc). `spec` is the rule's `replace_element`, with the `reader` and `rotation` sets."""
    effect = statement.effect
    if effect is None or effect.value != "Allow" or statement.action is None or not narrowable(item):
        return None
    secrets = _named_secrets(statement, extraction.resources)
    purpose = _purpose(document, secrets, extraction) if secrets is not None else None
    if purpose is None:
        return None
    items = [i for i in statement.action.items_list() if isinstance(i.value, str)]
    if any(iam.UNKNOWN in i.value for i in items):
        return None  # an action only known at deploy time may be anything: the set is not determinable
    taken = {i.value.lower() for i in items if not iam.has_wildcard(i.value)}
    for other in items:
        chosen = [a for a in spec[purpose] if iam.action_matches(other.value, a) and a.lower() not in taken]
        if other.span == item.span:
            return chosen if chosen or len(items) > 1 else None
        if narrowable(other):
            taken |= {a.lower() for a in chosen}
    return None
