"""The access map of an extraction: for every secret, the cells of every principal that can act on it.

Callers are the principals of the tree, and the principals a secret's resource policy names that are not
in the tree: services, `*` (any principal of the secret's account) and others (accounts, ARNs of other
accounts, unknown values), whose own identity policies are not known.
"""
from __future__ import annotations

from linter.access.evaluate import Caller, Cell, cells
from linter.access.principals import Principal, principal_label, principals_of, same_deployment
from linter.model import Extraction, Resource
from linter.records import dataclass


@dataclass(frozen=True, slots=True)
class SecretAccess:
    secret: str
    path: str
    line: int
    cells: tuple[Cell, ...]
    # Who can become each role of the map (its trust policy's principals): text and Markdown show it.
    trust: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _named_callers(secret: Resource, tree: dict[str, Principal]) -> list[Caller]:
    """The principals a secret's resource policy names that are not principals of the tree."""
    found: dict[str, Caller] = {}
    for document in secret.documents:
        for statement in document.statements:
            element = statement.principal or statement.not_principal
            if element is None or (statement.effect is not None and statement.effect.value == "Deny"):
                continue
            blocks = {"AWS": element} if not isinstance(element.value, dict) else element.value
            for kind, block in blocks.items():
                for item in block.items_list():
                    caller = _caller(kind, item, tree)
                    if caller is not None:
                        found.setdefault(caller.id, caller)
    return list(found.values())


def _caller(kind: str, item, tree: dict[str, Principal]) -> Caller | None:
    if item.ref is not None and item.ref in tree:
        return None
    label = principal_label(item)
    if item.value == "*" and kind in ("AWS", "*"):
        return Caller("*", "everyone")
    if kind == "Service" and isinstance(item.value, str):
        return Caller(label, "service", value=item.value)
    if item.ref is not None:
        return None  # a resource of the tree that is no principal (a function's role is found by its owner)
    return Caller(label, "external", value=item.value if isinstance(item.value, str) else "")


def build(extraction: Extraction) -> list[SecretAccess]:
    """The access map, sorted by secret address (then path, for equal addresses in different files)."""
    principals = principals_of(extraction)
    secrets = sorted((r for r in extraction.resources if r.kind == "secret"), key=lambda r: (r.address, r.path, r.span))
    return [_secret_access(s, principals, extraction.resources) for s in secrets]


def _secret_access(secret: Resource, principals: list[Principal], resources: list[Resource]) -> SecretAccess:
    tree = {p.id: p for p in principals if same_deployment(secret, p.path)}
    callers = [Caller(p.id, "tree", p) for p in tree.values()] + _named_callers(secret, tree)
    found = tuple(cells(secret, callers, resources))
    holders = sorted({c.principal for c in found if c.principal in tree and tree[c.principal].trusted_by})
    trust = tuple((p, tuple(tree[p].trusted_by)) for p in holders)
    return SecretAccess(secret.address or secret.path, secret.path, secret.span.line, found, trust)
