"""Reading a policy document (the IAM JSON grammar) from a Node tree, whatever format it was written in."""
from __future__ import annotations

from linter.model import DocKind, Node, PolicyDocument, Statement

_ELEMENTS = {
    "Effect": "effect",
    "Sid": "sid",
    "Action": "action",
    "NotAction": "not_action",
    "Resource": "resource",
    "NotResource": "not_resource",
    "Principal": "principal",
    "NotPrincipal": "not_principal",
    "Condition": "condition",
}


def looks_like_policy(node: Node) -> bool:
    """A mapping with a `Statement` that is a statement object or a list of them."""
    statement = node.get("Statement")
    if statement is None:
        return False
    items = statement.items_list()
    return bool(items) and all(isinstance(item.value, dict) for item in items)


def statements_of(node: Node) -> list[Statement]:
    """Statements of a document node; `Statement` may be one object or a list, non-objects are skipped."""
    statement = node.get("Statement")
    if statement is None:
        return []
    result = []
    for item in statement.items_list():
        if isinstance(item.value, dict):
            fields = {attr: item.value.get(key) for key, attr in _ELEMENTS.items()}
            result.append(Statement(item, **fields))
    return result


def _actions_plain(statements: list[Statement]) -> list[str]:
    names = []
    for statement in statements:
        for element in (statement.action, statement.not_action):
            if element is not None:
                names += [item.value for item in element.items_list() if isinstance(item.value, str)]
    return names


def classify(statements: list[Statement]) -> DocKind:
    """Tell a standalone document's kind from its content.

    A `Principal`/`NotPrincipal` makes a resource policy; one whose actions all belong to Secrets Manager is
    a secret's resource policy. `sts:AssumeRole*` actions make a trust policy.
    """
    if not any(s.principal is not None or s.not_principal is not None for s in statements):
        return DocKind.IDENTITY
    actions = [name.lower() for name in _actions_plain(statements)]
    if actions and all(name.startswith("secretsmanager:") for name in actions):
        return DocKind.SECRET_RESOURCE
    if actions and all(name.startswith("sts:assumerole") or name == "sts:tagsession" for name in actions):
        return DocKind.TRUST
    if actions and all(name.startswith("kms:") for name in actions):
        return DocKind.KEY
    return DocKind.RESOURCE


def build_document(node: Node, path: str, kind: DocKind | None = None, owner: str = "") -> PolicyDocument:
    """A PolicyDocument from its node; `kind` is known from context in IaC, guessed for standalone files."""
    statements = statements_of(node)
    return PolicyDocument(
        kind=kind or classify(statements),
        node=node,
        path=path,
        statements=statements,
        version=node.get("Version"),
        owner=owner,
    )
