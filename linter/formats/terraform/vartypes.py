"""Variable type constraints, applied as Terraform applies them to a value: `optional()` attributes and
primitive conversions.

An object attribute declared `optional(T)` that the value leaves out is null ("not set"), or the
declared default (`optional(string, "Allow")`); a primitive converts to the declared `string`, `number` or
`bool` (`"2"` is 2); nested `map(...)`, `list(...)`, `set(...)` and `object(...)` constraints are followed.
Nothing else of the type is checked: a value that does not fit is kept as it is.
"""
from __future__ import annotations

from typing import Callable

from linter.formats.terraform.functions import FUNCTIONS, Missing, Uncounted
from linter.formats.terraform.hcl import TSNode
from linter.formats.terraform.syntax import Expr, HclExpr
from linter.model import Node

Evaluate = Callable[[Expr], Node]  # the module's evaluator, for `optional()` defaults

_COLLECTIONS = ("map", "list", "set")
_CONVERSIONS = {name: FUNCTIONS["to" + name] for name in ("string", "number", "bool")}
MAX_TYPE_DEPTH = 16


def conform(evaluate: Evaluate, type_expr: HclExpr, value: Node) -> Node:
    """`value` with the optional attributes its declared type leaves out filled in, and its primitives
    converted to the declared `string`/`number`/`bool` (`"2"` for a `number` is 2)."""
    return _conform(evaluate, type_expr, type_expr.node, value, 0)


def _primitive(expr: HclExpr, node: TSNode | None, value: Node) -> Node:
    """The value converted to the primitive type `node` names, as Terraform converts an argument; one
    that does not convert (Terraform rejects it) is kept as it is."""
    while node is not None and node.type == "expression" and node.named_child_count == 1:
        node = node.named_children[0]
    convert = _CONVERSIONS.get(expr.file.source(node)) if node is not None and node.type == "variable_expr" else None
    if convert is None:
        return value
    converted = convert([value], value.span, value.path)
    return value if isinstance(converted, Missing) else converted


def _call_of(node: TSNode | None) -> TSNode | None:
    """The function_call node of a type expression (`map(object({...}))`), unwrapping `expression` nodes."""
    while node is not None and node.type == "expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node if node is not None and node.type == "function_call" else None


def _arguments(call: TSNode) -> list[TSNode]:
    arguments = next((c for c in call.children if c.type == "function_arguments"), None)
    return [c for c in arguments.children if c.type == "expression"] if arguments is not None else []


def _conform(evaluate: Evaluate, expr: HclExpr, node: TSNode | None, value: Node, depth: int) -> Node:
    if depth > MAX_TYPE_DEPTH or value.value is None or value.is_unknown:
        return value
    call = _call_of(node)
    if call is None:
        return _primitive(expr, node, value)
    name = expr.file.source(call.children[0])
    arguments = _arguments(call)
    if name in _COLLECTIONS and arguments:
        inner = arguments[0]
        if isinstance(value.value, list):
            items = [_conform(evaluate, expr, inner, item, depth + 1) for item in value.value]
            kind = Uncounted if isinstance(value, Uncounted) else Node  # a length unknown stays unknown
            converted = kind(items, value.span, value.path, value.key_spans, value.ref, value.not_arn)
            # A `set(...)` holds each value once, in a set's order, as Terraform converts the argument.
            return FUNCTIONS["toset"]([converted], value.span, value.path) if name == "set" else converted
        if isinstance(value.value, dict) and name == "map":
            mapping = {k: _conform(evaluate, expr, inner, v, depth + 1) for k, v in value.value.items()}
            return Node(mapping, value.span, value.path, value.key_spans, value.ref, value.not_arn)
        return value
    if name == "object" and arguments and isinstance(value.value, dict):
        return _object(evaluate, expr, arguments[0], value, depth)
    return value


def _object(evaluate: Evaluate, expr: HclExpr, declaration: TSNode, value: Node, depth: int) -> Node:
    file = expr.file
    obj = declaration
    while obj is not None and obj.type != "object":
        obj = obj.named_children[0] if obj.named_child_count else None
    if obj is None:
        return value
    mapping = dict(value.value)
    key_spans = dict(value.key_spans or {})
    for element in obj.children:
        if element.type != "object_elem":
            continue
        key_node, type_node = element.child_by_field_name("key"), element.child_by_field_name("val")
        if key_node is None or type_node is None:
            continue
        key = file.source(key_node).strip('"')
        declared = type_node
        call = _call_of(type_node)
        if call is not None and file.source(call.children[0]) == "optional":
            arguments = _arguments(call)
            if key not in mapping or mapping[key].value is None:
                default = arguments[1] if len(arguments) > 1 else None
                filled = evaluate(HclExpr(file, default)) if default is not None else None
                mapping[key] = filled if filled is not None else Node(None, file.span(element), file.display)
                key_spans.setdefault(key, file.span(key_node))
            declared = arguments[0] if arguments else None
        if key in mapping:
            mapping[key] = _conform(evaluate, expr, declared, mapping[key], depth + 1)
    return Node(mapping, value.span, value.path, key_spans, value.ref, value.not_arn)
