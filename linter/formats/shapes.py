"""One shape for every format: resource attributes as the catalogue types them.

Formats write the same value in different shapes: Terraform JSON and plan JSON write a nested block as a
one-item list, Terraform and CloudFormation accept `"0"` and `"true"` where a number or boolean is meant.
Rules see one shape: the block itself, the number, the boolean. Values that do not convert (an unknown,
`"thirty"`) are left as written, so a rule never mistakes them for a known value.
"""
from __future__ import annotations

from linter.formats import catalogue
from linter.model import Node, Resource
from linter.values import number


def normalise(resources: list[Resource]) -> None:
    """Retype the attributes of each resource in place, as the catalogue declares them."""
    for resource in resources:
        types = catalogue.types_of(resource.kind)
        for name in sorted(types, key=lambda n: n.count(".")):  # a block before the values inside it
            _retype(resource.attributes, name.split("."), types[name])


def _retype(attributes: dict[str, Node], parts: list[str], kind: str) -> None:
    node = attributes.get(parts[0])
    if node is None:
        return
    if len(parts) > 1:
        inner = node.value if isinstance(node.value, dict) else None
        if inner is not None:
            _retype(inner, parts[1:], kind)
        return
    attributes[parts[0]] = _typed(node, kind)


def _typed(node: Node, kind: str) -> Node:
    value = node.value
    if kind == "block":
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0].value, dict):
            return value[0]
        return node
    if not isinstance(value, str) or node.is_unknown:
        return node
    text = value.strip().lower()
    if kind == "bool" and text in ("true", "false"):
        converted: object = text == "true"
    elif kind == "number" and (parsed := number(text)) is not None:
        converted = parsed
    else:
        return node
    return Node(converted, node.span, node.path, node.key_spans, node.ref, node.not_arn)
