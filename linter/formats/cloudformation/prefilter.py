"""Templates that cannot yield anything, told from the standard library's parse before positions are built
(issue 18, item 4).

A template yields documents and resources only through resources of the types the catalogue names (kinds
rules judge, where policy documents are, SAM policies, managed policy attachments), and suppressions only
through a `policylint` metadata key. A JSON template whose syntax the claim already checked, that names
none of those, gives exactly what extracting it would: one file scanned, nothing else. Anything unusual
(a resource that is not a map, a non-string type, deep nesting or `\\u` escapes, which the positioned
parser judges on its own) takes the full path, so every error is reported as before.
"""
from __future__ import annotations

from functools import cache

from linter.formats import catalogue

_DEPTH = 150  # nesting past which the positioned parser's own limit (200) might speak: full path


@cache
def policy_types() -> frozenset[str]:
    """Every CloudFormation type whose resources can yield a document or a resource, from the catalogue."""
    section = catalogue.section("cloudformation")
    return frozenset(section["resources"]) | frozenset(catalogue.documents("cloudformation")) | frozenset(
        section["sam_policies"]) | frozenset(catalogue.attachments("cloudformation"))


def yields_nothing(value: object, text: str) -> bool:
    """Whether a JSON template (`value`: its text as parsed by the standard library) certainly gives no
    document, resource, suppression or error, and counts as one file scanned."""
    if not isinstance(value, dict) or "policylint" in text or "\\u" in text:
        return False
    resources = value.get("Resources")
    if resources is None:
        declarations: list = []
    elif isinstance(resources, dict):
        declarations = list(resources.values())
    else:
        return False
    if not all(isinstance(d, dict) and isinstance(d.get("Type"), str) for d in declarations):
        return False
    types = [d["Type"] for d in declarations]
    is_template = "AWSTemplateFormatVersion" in value or any(t.startswith(("AWS::", "Custom::")) for t in types)
    return is_template and not policy_types().intersection(types) and not _deeper_than(value, _DEPTH)


def _deeper_than(value: object, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (walked without recursion)."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return False
