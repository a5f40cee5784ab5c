"""The resource catalogue (`catalogue.json`): which resources rules judge as a whole, and how each format
names them. Knowledge as data: adding a resource type is an entry there, not code in an extractor.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from linter.model import DocKind
from linter.records import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    """How a resource of some kind names the secret it belongs to: by `attribute`, as `relation` of the
    secret; `documents`: its policy documents become the secret's own."""

    attribute: str
    relation: str
    documents: bool = False


@cache
def _data() -> dict:
    return json.loads(Path(__file__).with_name("catalogue.json").read_text(encoding="utf-8"))


def kinds() -> tuple[str, ...]:
    """Every resource kind a rule may name in `resources:`."""
    return tuple(_data()["kinds"])


def relations() -> tuple[str, ...]:
    """Every relation a rule may follow (`linked: {rel: …}`)."""
    return tuple(dict.fromkeys(r for kind in _data()["kinds"].values() for r in kind.get("relations", ())))


def relations_of(kind: str) -> tuple[str, ...]:
    return tuple(_data()["kinds"][kind].get("relations", ()))


@cache
def link_of(kind: str) -> Link | None:
    link = _data()["kinds"].get(kind, {}).get("link")
    return Link(**link) if link else None


def section(fmt: str) -> dict:
    """A format's part of the catalogue (its type names, attribute names, where its documents are)."""
    return _data()[fmt]


@cache
def documents(fmt: str) -> dict[str, tuple[tuple[str, DocKind], ...]]:
    """Resource type -> (where a policy document is, what kind it is), for one format."""
    return {type_: tuple((where, DocKind(kind)) for where, kind in places)
            for type_, places in section(fmt)["documents"].items()}


@cache
def own_document_attributes(resource_type: str) -> tuple[str, ...]:
    """The attributes (Terraform names, which resources use whatever the format) of a resource type that
    hold its own policy documents, not in a nested block: a Terraform secret's deprecated inline `policy`."""
    return tuple(where for fmt in ("terraform", "cloudformation")
                 for where, _ in section(fmt)["documents"].get(resource_type, ()) if "." not in where)


def types_of(kind: str) -> dict[str, str]:
    """Attribute (dotted for nested blocks) -> `number`, `bool` or `block`, for one kind."""
    return _data()["kinds"].get(kind, {}).get("types", {})


@cache
def access_scope(resource_type: str) -> str:
    """`file` or `directory`: where the principals that share a resource's deployment are defined."""
    for fmt in ("cloudformation", "terraform"):
        if resource_type in section(fmt)["resources"]:
            return section(fmt)["access_scope"]
    return "directory"


def attachments(fmt: str) -> dict[str, str]:
    """Resource type -> the attribute (property) that attaches policies by ARN, for one format."""
    return section(fmt).get("attachments", {})


@cache
def not_arn(fmt: str, resource_type: str) -> frozenset[str]:
    """The references to a resource of `resource_type` that are not its ARN, in one format (`_not_arn`)."""
    table = section(fmt).get("not_arn", {})
    return frozenset(table.get("*", ())) | frozenset(table.get(resource_type, ()))
