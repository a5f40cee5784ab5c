"""Fixes in Terraform configuration: resource arguments, `data "aws_iam_policy_document"` blocks, and the
policies written inside HCL as `jsonencode({...})` objects or as JSON (heredocs, `.tf.json`).

The syntax of a policy element is read off the text: a key followed by `=` is an HCL object, by `:` JSON;
a key written with backslashes is JSON inside a quoted HCL string, edited as JSON and then escaped for the
string (`editing.in_string`).
"""
from __future__ import annotations

import json

from linter.formats.api import Editing, TextEdit
from linter.formats.editing import (
    HCL, JSON, Text, add_condition, add_member, at, editable, find_key, in_string, member, policy_editing, render,
    replace,
)
from linter.model import Node, PolicyDocument, Resource, Span, Statement

_STEP = "  "


def _syntax(text: Text, node: Node) -> str | None:
    """HCL, JSON, or None (a quoted JSON string, or nothing to tell by)."""
    if not isinstance(node.value, dict):  # a scalar is written alike in both, unless escaped in a string
        return JSON if not isinstance(node.value, list) and "\\" not in text.source(node.span) else None
    if not node.key_spans:
        return None
    key_span = next(iter(node.key_spans.values()))
    key = text.source(key_span)
    if "\\" in key:
        return None
    after = text.rest_of_line(key_span.end_line, key_span.end_column).lstrip()
    return HCL if after.startswith("=") else JSON if after.startswith(":") else None


def _is_block(text: Text, node: Node) -> bool:
    """A `statement { ... }` block of a policy document data source (not an object expression)."""
    return text.source(node.span).startswith("statement")


def _block_end(text: Text, span: Span) -> tuple[Span, str] | None:
    """Where new lines go inside a block (before its closing brace on a line of its own) and their indent."""
    closing = text.lines[span.end_line - 1]
    if closing[: span.end_column - 2].strip():  # `}` shares its line with content: not our layout
        return None
    return Span(span.end_line, 1, span.end_line, 1), closing[: span.end_column - 2] + _STEP


def _hcl_block(name: str, arguments: list[tuple[str, object]], indent: str, newline: str) -> str:
    width = max(len(k) for k, _ in arguments)
    body = "".join(f"{indent}{_STEP}{k.ljust(width)} = {render(v, HCL)}{newline}" for k, v in arguments)
    return f"{indent}{name} {{{newline}{body}{indent}}}{newline}"


def _condition_block(text: Text, statement: Statement, operator: str, key: str, value: str) -> list[TextEdit] | None:
    condition = statement.condition
    if condition is not None and (written := find_key(condition, operator)) is not None:
        block = condition.value[written]
        existing = find_key(block, key) if isinstance(block.value, dict) else None
        if existing is not None:  # blocks with one test and variable are merged: pin the values list
            target = block.value[existing]
            return replace(text, target, [value], HCL) if editable(target, statement.node.path) else None
    where = _block_end(text, statement.node.span)
    if where is None:
        return None
    span, indent = where
    arguments = [("test", operator), ("variable", key), ("values", [value])]
    return [TextEdit(span, _hcl_block("condition", arguments, indent, text.newline))]


def _add_condition(source: str, statement: Statement, operator: str, key: str, value: str) -> list[TextEdit] | None:
    text = Text(source)
    if _is_block(text, statement.node):
        return _condition_block(text, statement, operator, key, value)
    return in_string(
        text, statement.node, _syntax(text, statement.node),
        lambda syntax: add_condition(text, statement, operator, key, value, syntax, statement.node.path), template=True,
    )


def _statement_block(text: Text, document: PolicyDocument, statement: dict) -> list[TextEdit] | None:
    """A new `statement {}` in a policy document data source, before the data block's closing brace."""
    where = _block_end(text, document.node.span)
    if where is None:
        return None
    span, indent = where
    arguments = [("sid", statement["Sid"])] if "Sid" in statement else []
    arguments += [("effect", statement["Effect"]), ("actions", _listed(statement["Action"])), ("resources", _listed(statement["Resource"]))]
    nested = ""
    for kind, ids in (statement.get("Principal") or {}).items() if isinstance(statement.get("Principal"), dict) else []:
        nested += _hcl_block("principals", [("type", kind), ("identifiers", _listed(ids))], indent + _STEP, text.newline)
    if statement.get("Principal") == "*":
        nested += _hcl_block("principals", [("type", "*"), ("identifiers", ["*"])], indent + _STEP, text.newline)
    for operator, pairs in (statement.get("Condition") or {}).items():
        for key, values in pairs.items():
            rows = [("test", operator), ("variable", key), ("values", _listed(values))]
            nested += _hcl_block("condition", rows, indent + _STEP, text.newline)
    block = _hcl_block("statement", arguments, indent, text.newline)
    closing = block.rindex(indent + "}")
    return [TextEdit(span, block[:closing] + nested + block[closing:])]


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _add_statement(source: str, document: PolicyDocument, statement: dict) -> list[TextEdit] | None:
    text = Text(source)
    if text.source(document.node.span).startswith("data"):
        return _statement_block(text, document, statement)
    from linter.formats.editing import add_statement

    path = document.node.path or document.path
    return in_string(
        text, document.node, _syntax(text, document.node),
        lambda syntax: add_statement(text, document.node, statement, syntax, path), template=True,
    )


def _set_attribute(source: str, resource: Resource, name: str, value: object) -> list[TextEdit] | None:
    """Replace an argument's value, or add the argument: as the block's first line, or in `.tf.json` as the
    last member of the resource's object."""
    text = Text(source)
    json_file = resource.path.endswith(".json")
    existing = resource.attributes.get(name)
    if existing is not None:
        return replace(text, existing, value, JSON if json_file else HCL) if editable(existing, resource.path) else None
    if json_file:
        body = _json_body(text, resource)
        return add_member(text, body, name, value, JSON) if body is not None else None
    header = resource.span.end_line
    if resource.block_span is None or not text.lines[header - 1].rstrip().endswith("{"):
        return None
    following = text.lines[header] if header < len(text.lines) else ""
    indent = following[: len(following) - len(following.lstrip())] if following.strip() not in ("", "}") else None
    if indent is None:
        indent = text.indent_of(resource.span) + _STEP
    return [TextEdit(text.line_end(header), f"{text.newline}{indent}{name} = {render(value, HCL)}")]


def _json_body(text: Text, resource: Resource) -> Node | None:
    """The object of a `.tf.json` resource's arguments (its block span), found in the file parsed again with
    positions: the extracted resource knows its arguments, not the object they are written in."""
    from linter.loaders import jsonpos

    try:
        root = jsonpos.parse(text.text, resource.path)
    except jsonpos.JSONSyntaxError:
        return None
    pending = [root]
    while pending:
        node = pending.pop()
        if node.span == resource.block_span and isinstance(node.value, dict):
            return node
        pending += node.value.values() if isinstance(node.value, dict) else node.value if isinstance(node.value, list) else []
    return None


def _add_policy(source: str, resource: Resource, document: dict) -> list[TextEdit] | None:
    """A new `aws_secretsmanager_secret_policy` after the secret's block (in `.tf.json`, in the `resource`
    object), named like the secret and referring to it by address, with public policies blocked (SM009).
    Not for a secret of a module instance, one with `count`/`for_each` (which instance?), or when the name
    is taken."""
    text = Text(source)
    kind, _, name = resource.address.partition(".")
    if resource.block_span is None or "." in name or "[" in name or any(k in resource.attributes for k in ("count", "for_each")):
        return None
    if resource.path.endswith(".json"):
        return _add_json_policy(text, resource, name, document)
    if _defined(text, "aws_secretsmanager_secret_policy", name):
        return None
    if text.lines[resource.block_span.end_line - 1].strip() != "}":
        return None
    statements = "".join(f"{_STEP * 3}{render(s, HCL)},{text.newline}" for s in document["Statement"])
    rows = [("secret_arn", f"{kind}.{name}.arn"), ("block_public_policy", "true")]
    nl = text.newline
    block = (
        f"{nl}{nl}resource \"aws_secretsmanager_secret_policy\" \"{name}\" {{{nl}"
        + "".join(f"{_STEP}{k.ljust(19)} = {v}{nl}" for k, v in rows)
        + f"{_STEP}policy = jsonencode({{{nl}{_STEP * 2}Version = {render(document['Version'], HCL)}{nl}"
        + f"{_STEP * 2}Statement = [{nl}{statements}{_STEP * 2}]{nl}{_STEP}}}){nl}}}"
    )
    return [TextEdit(text.line_end(resource.block_span.end_line), block)]


def _add_json_policy(text: Text, resource: Resource, name: str, document: dict) -> list[TextEdit] | None:
    """`.tf.json`: the new policy as a member of the `resource` object (or of its
    `aws_secretsmanager_secret_policy` object), the secret by a `${...}` interpolation and the policy as a
    JSON string: Terraform reads JSON strings as templates (so `${` in the policy is doubled) and the
    policy stays JSON, which later fixes edit as any escaped JSON policy."""
    from linter.loaders import jsonpos

    try:
        root = jsonpos.parse(text.text, resource.path)
    except jsonpos.JSONSyntaxError:
        return None
    blocks = root.get("resource")
    secrets = blocks.get(resource.type) if blocks is not None else None
    secret = secrets.get(name) if secrets is not None else None
    if secret is None or secret.span != resource.block_span:
        return None  # the `resource` object is written some other way (a list of objects, nested)
    policy = {
        "secret_arn": f"${{{resource.type}.{name}.arn}}",
        "block_public_policy": True,
        "policy": json.dumps(document).replace("${", "$${").replace("%{", "%%{"),
    }
    policies = blocks.get("aws_secretsmanager_secret_policy")
    if policies is None:
        return _json_member(text, root, blocks, "aws_secretsmanager_secret_policy", {name: policy})
    if not isinstance(policies.value, dict) or name in policies.value:
        return None
    return _json_member(text, root, policies, name, policy)


def _json_member(text: Text, root: Node, node: Node, key: str, value: dict) -> list[TextEdit] | None:
    """`"key": value` after the last member of a JSON object: on its line if the object is one line, else
    on new lines at the members' indentation, indented inside by the file's step (the root's keys'
    indentation; 2 spaces if none shows)."""
    items = list(node.value.items()) if isinstance(node.value, dict) else []
    key_span = (node.key_spans or {}).get(items[-1][0]) if items else None
    if key_span is None:
        return None
    if node.span.line == node.span.end_line:
        return [TextEdit(at(items[-1][1].span), ", " + member(key, value, JSON))]
    indent = text.indent_of(key_span)
    top = next(iter((root.key_spans or {}).values()), None)  # a key of the root object: one step in
    step = text.lines[top.line - 1][: top.column - 1] if top is not None else ""
    step = step if step and not step.strip() else _STEP
    nested = json.dumps(value, indent=step, ensure_ascii=False)
    written = json.dumps(key) + ": " + nested.replace("\n", text.newline + indent)
    return [TextEdit(at(items[-1][1].span), "," + text.newline + indent + written)]


def _defined(text: Text, kind: str, name: str) -> bool:
    """Is a resource of this type and name declared in the file already (linked to the secret or not)?"""
    import re

    return re.search(rf'^\s*resource\s+"{kind}"\s+"{re.escape(name)}"', text.text, re.MULTILINE) is not None


def editing() -> Editing:
    base = policy_editing(_syntax, template=True)
    return Editing(
        set_attribute=_set_attribute, add_condition=_add_condition, replace=base.replace, add_statement=_add_statement,
        replace_action=base.replace_action, add_policy=_add_policy,
    )
