"""Text edits on the mapping and sequence syntaxes the formats share: JSON, YAML (block and flow) and HCL
object expressions (`jsonencode({...})`).

A format's `edits` module picks the syntax of the element it edits and calls these; they look only at the
text around the element's spans, so everything else in the file stays byte-identical (comments,
indentation, key order). Values are rendered the way the syntax writes them: `"K": "v"` in JSON, `K: v` in
YAML, `K = "v"` in HCL.
"""
from __future__ import annotations

import json
import re

from linter.formats.api import TextEdit
from linter.loaders.positions import LineIndex
from linter.model import Node, Span, Statement

JSON, YAML, HCL = "json", "yaml", "hcl"

_PLAIN_YAML = re.compile(r"[A-Za-z_/][A-Za-z0-9_:./*@+-]*\Z")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
_HCL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


# ---- rendering ------------------------------------------------------------------------------------------------

def render(value: object, syntax: str) -> str:
    """A value written inline (flow style) in the syntax."""
    if isinstance(value, dict):
        members = ", ".join(member(k, v, syntax) for k, v in value.items())
        return f"{{ {members} }}" if syntax == HCL else "{" + members + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v, syntax) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if syntax == YAML and _PLAIN_YAML.match(text) and text.lower() not in _YAML_WORDS and ": " not in text:
        return text
    return json.dumps(text)


def _key(key: str, syntax: str) -> str:
    if syntax == HCL:
        return key if _HCL_NAME.match(key) else json.dumps(key)
    return render(key, syntax)


def member(key: str, value: object, syntax: str) -> str:
    """One mapping member: `"K": v`, `K: v` or `K = v`."""
    return f"{_key(key, syntax)} = {render(value, syntax)}" if syntax == HCL else f"{_key(key, syntax)}: {render(value, syntax)}"


# ---- reading the text around spans ------------------------------------------------------------------------------

class Text:
    """A file's text with its line index: character offsets of spans, and what surrounds them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.lines = text.split("\n")
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def at(self, line: int, column: int) -> int:
        return self.index.offset(line, column)

    def first_char(self, span: Span) -> str:
        offset = self.at(span.line, span.column)
        return self.text[offset : offset + 1]

    def source(self, span: Span) -> str:
        start, end = self.index.offsets(span)
        return self.text[start:end]

    def line_end(self, line: int) -> Span:
        """An empty span at the end of a 1-based line (before its CR, if any)."""
        text = self.lines[line - 1].rstrip("\r")
        return Span(line, len(text) + 1, line, len(text) + 1)

    def indent_of(self, span: Span) -> str:
        """White space that puts a new line's first character in the column where `span` starts: the
        line's own indentation when the span starts it, else spaces (YAML `- Key:`)."""
        before = self.lines[span.line - 1][: span.column - 1]
        return before if not before.strip() else " " * len(before)

    def rest_of_line(self, line: int, column: int) -> str:
        return self.lines[line - 1][column - 1 :].rstrip("\r")


def at(span: Span) -> Span:
    """The empty span at the end of `span` (where an insertion after it goes)."""
    return Span(span.end_line, span.end_column, span.end_line, span.end_column)


def is_flow(text: Text, node: Node) -> bool:
    return text.first_char(node.span) in "{["


def written_syntax(text: Text, node: Node, default: str) -> str | None:
    """The syntax an element is written in: JSON when its keys are quoted (JSON, or JSON-style flow YAML,
    which JSON rendering suits too), else `default`; None for JSON escaped inside a string (a policy
    written as a quoted string value), where unescaped text would break the string."""
    if isinstance(node.value, dict) and node.key_spans:
        key = text.source(next(iter(node.key_spans.values())))
    else:
        key = text.source(node.span)
    if "\\" in key:
        return None
    return JSON if isinstance(node.value, dict) and key.startswith('"') else default


def escaped_json(text: Text, node: Node) -> bool:
    """Is the element JSON written inside a double-quoted string, one level deep (`\\"Statement\\": ...`):
    a Terraform string, a JSON string value, a YAML double-quoted scalar?"""
    if isinstance(node.value, dict) and node.key_spans:
        written = text.source(next(iter(node.key_spans.values())))
    elif isinstance(node.value, (dict, list)):
        return False
    else:
        written = text.source(node.span)
    return written.startswith('\\"') and written.endswith('\\"') and "\\\\" not in written and "\n" not in written


def in_string(text: Text, node: Node, syntax: str | None, make, template: bool = False) -> list[TextEdit] | None:
    """The edits `make(syntax)` writes; for JSON escaped inside a string (no syntax, see `escaped_json`),
    the JSON edits escaped as the string needs: quotes and backslashes (and, in a Terraform string,
    `${`/`%{`, which would start a template). An edit that needs a line break is refused: the string is one
    line, and the shared edits only break lines in layouts that span several."""
    if syntax is not None:
        return make(syntax)
    if not escaped_json(text, node):
        return None
    edits = make(JSON)
    if not edits or any("\n" in e.text for e in edits):
        return None
    escaped = [TextEdit(e.span, json.dumps(e.text, ensure_ascii=False)[1:-1]) for e in edits]
    if template:
        escaped = [TextEdit(e.span, e.text.replace("${", "$${").replace("%{", "%%{")) for e in escaped]
    return escaped


def editable(node: Node | None, path: str) -> bool:
    """A node the fix may edit: written in this file, and not a value policylint could not read."""
    return node is not None and (node.path or path) == path and not node.is_unknown


# ---- mappings -----------------------------------------------------------------------------------------------------

def add_member(text: Text, node: Node, key: str, value: object, syntax: str) -> list[TextEdit] | None:
    """Add `key: value` as the last member of a mapping node (flow or block)."""
    if not isinstance(node.value, dict):
        return None
    written = member(key, value, syntax)
    items = list(node.value.items())
    if not items:
        if not is_flow(text, node):
            return None
        return [TextEdit(node.span, f"{{ {written} }}" if syntax == HCL else "{" + written + "}")]
    last_key, last = items[-1]
    key_span = (node.key_spans or {}).get(last_key)
    if key_span is None:
        return None
    if not is_flow(text, node):  # YAML block mapping: a new line at the keys' indentation
        return [TextEdit(text.line_end(last.span.end_line), text.newline + text.indent_of(key_span) + written)]
    if node.span.end_line == last.span.end_line:  # one line: `{a: 1}` -> `{a: 1, key: value}`
        return [TextEdit(at(last.span), ", " + written)]
    if syntax == HCL:  # newline-separated members; a trailing comma or comment stays on its line
        rest = text.rest_of_line(last.span.end_line, last.span.end_column).strip()
        if rest in ("", ",") or rest.lstrip(", ").startswith(("#", "//")):
            return [TextEdit(text.line_end(last.span.end_line), text.newline + text.indent_of(key_span) + written)]
        return [TextEdit(at(last.span), ", " + written)]
    return [TextEdit(at(last.span), "," + text.newline + text.indent_of(key_span) + written)]


def find_key(node: Node, key: str) -> str | None:
    """The key of a mapping as written, matched without regard to case (operators, condition keys)."""
    if not isinstance(node.value, dict):
        return None
    return next((k for k in node.value if k.lower() == key.lower()), None)


def written_as_is(text: Text, node: Node) -> bool:
    """Is a string value written literally (`"s3:GetObjekt"`), not computed from a template
    (`"${statement.value}:Get*"`, which a `dynamic` block or `for_each` fills in differently each time)?"""
    if not isinstance(node.value, str):
        return True
    written = text.source(node.span)
    for quote in ('\\"', '"', "'"):
        if len(written) >= 2 * len(quote) and written.startswith(quote) and written.endswith(quote):
            return written[len(quote) : -len(quote)] == node.value
    return written == node.value


def replace(text: Text, node: Node, value: object, syntax: str) -> list[TextEdit] | None:
    """Write `value` over a node, keeping a quoted scalar's quote style; None when the node's text is not
    its value as is (see `written_as_is`): rewriting a template would change what it makes elsewhere."""
    if not written_as_is(text, node):
        return None
    quote = text.first_char(node.span)
    if isinstance(value, str) and quote in "\"'" and isinstance(node.value, str):
        inner = json.dumps(value)[1:-1] if quote == '"' else value.replace("'", "''")
        return [TextEdit(node.span, quote + inner + quote)]
    return [TextEdit(node.span, render(value, syntax))]


def add_condition(
    text: Text, statement: Statement, operator: str, key: str, value: str, syntax: str, path: str
) -> list[TextEdit] | None:
    """Require `operator` `key` = `value`: a new Condition, a new operator in it, a new key under the
    operator, or the key's value replaced (one condition block per operator, as IAM reads it)."""
    condition = statement.condition
    if condition is None:
        return add_member(text, statement.node, "Condition", {operator: {key: value}}, syntax)
    if not editable(condition, path) or not isinstance(condition.value, dict) or _intrinsic(condition):
        return None
    written_op = find_key(condition, operator)
    if written_op is None:
        return add_member(text, condition, operator, {key: value}, syntax)
    block = condition.value[written_op]
    if not editable(block, path) or not isinstance(block.value, dict) or _intrinsic(block):
        return None
    written_key = find_key(block, key)
    if written_key is None:
        return add_member(text, block, key, value, syntax)
    target = block.value[written_key]
    return replace(text, target, value, syntax) if (target.path or path) == path else None


def _intrinsic(node: Node) -> bool:
    """A CloudFormation function (`Fn::If`, `Ref`) in place of a mapping: its shape is not ours to edit."""
    return any(k.startswith("Fn::") or k == "Ref" for k in node.value)


# ---- sequences ----------------------------------------------------------------------------------------------------

def append_item(text: Text, node: Node, value: object, syntax: str) -> list[TextEdit] | None:
    """Append `value` to a sequence node (flow `[...]` or a YAML block sequence)."""
    if not isinstance(node.value, list) or not node.value:
        return None
    last = node.value[-1]
    written = render(value, syntax)
    if not is_flow(text, node):  # YAML block sequence: `- item` at the dashes' indentation
        before = text.lines[last.span.line - 1][: last.span.column - 1].rstrip()
        if not before.endswith("-"):
            return None
        dash = Span(last.span.line, len(before), last.span.line, len(before) + 1)
        return [TextEdit(text.line_end(last.span.end_line), text.newline + text.indent_of(dash) + "- " + written)]
    if node.span.end_line == last.span.end_line:
        return [TextEdit(at(last.span), ", " + written)]
    indent = text.indent_of(node.value[0].span)
    rest = text.rest_of_line(last.span.end_line, last.span.end_column)
    if syntax == HCL and rest.strip().startswith(","):  # HCL's trailing comma: keep it, and add ours
        column = last.span.end_column + rest.index(",") + 1
        return [TextEdit(Span(last.span.end_line, column, last.span.end_line, column), text.newline + indent + written + ",")]
    return [TextEdit(at(last.span), "," + text.newline + indent + written)]


def replace_items(text: Text, container: Node, item: Node, values: list[str], syntax: str) -> list[TextEdit] | None:
    """Write several scalars in place of one: an item of a list becomes as many items (laid out like the
    list: on one line, one per line, or as YAML `- ` lines), a lone value becomes a list. Each keeps the
    quote style of the value it replaces. No values: the item is removed with its separator."""
    if not written_as_is(text, item):
        return None
    written = [replace(text, item, value, syntax)[0].text for value in values]
    if not written:
        return _remove_item(text, container, item)
    if container is item or not isinstance(container.value, list):
        return [TextEdit(item.span, written[0] if len(written) == 1 else "[" + ", ".join(written) + "]")]
    before = text.lines[item.span.line - 1][: item.span.column - 1]
    if not is_flow(text, container):  # YAML block sequence: a `- ` line per value, at the dash's column
        if not before.rstrip().endswith("-"):
            return None
        dash = Span(item.span.line, len(before.rstrip()), item.span.line, len(before.rstrip()) + 1)
        return [TextEdit(item.span, (text.newline + text.indent_of(dash) + "- ").join(written))]
    if container.span.line != container.span.end_line and not before.strip():  # one item per line
        return [TextEdit(item.span, ("," + text.newline + before).join(written))]
    return [TextEdit(item.span, ", ".join(written))]


def _remove_item(text: Text, container: Node, item: Node) -> list[TextEdit] | None:
    """Remove an item of a list with the separator before it (after it, for the first item); a YAML block
    sequence loses the item's lines. The only item stays: an empty list would be another policy."""
    items = container.value if isinstance(container.value, list) else []
    index = next((i for i, other in enumerate(items) if other.span == item.span), None)
    if index is None or len(items) < 2:
        return None
    if index == 0:
        following = items[1].span
        return [TextEdit(Span(item.span.line, item.span.column, following.line, following.column), "")]
    previous = items[index - 1].span
    if not is_flow(text, container):
        start, end = text.line_end(previous.end_line), text.line_end(item.span.end_line)
        return [TextEdit(Span(start.line, start.column, end.line, end.column), "")]
    return [TextEdit(Span(previous.end_line, previous.end_column, item.span.end_line, item.span.end_column), "")]


# ---- policy documents -------------------------------------------------------------------------------------------

def add_statement(text: Text, document: Node, statement: dict, syntax: str, path: str) -> list[TextEdit] | None:
    """Append a statement to a document's `Statement` list (a lone statement mapping is left alone)."""
    statements = document.get("Statement")
    if not editable(statements, path) or not isinstance(statements.value, list):
        return None
    return append_item(text, statements, statement, syntax)


def policy_editing(syntax_of, set_attribute=None, add_policy=None, template: bool = False):
    """The `Editing` of a format whose policies are mappings in one syntax per file or element:
    `syntax_of(text, node)` names it (None: JSON escaped in a string, or not editable), `set_attribute` and
    `add_policy` edit resources (default: not at all); `template`: its strings are templates (Terraform)."""
    from linter.formats.api import Editing

    def _condition(source: str, statement: Statement, operator: str, key: str, value: str):
        text = Text(source)
        if not editable(statement.node, statement.node.path):
            return None
        return in_string(
            text, statement.node, syntax_of(text, statement.node),
            lambda syntax: add_condition(text, statement, operator, key, value, syntax, statement.node.path), template,
        )

    def _replace(source: str, node: Node, value: object):
        text = Text(source)
        return in_string(text, node, syntax_of(text, node), lambda syntax: replace(text, node, value, syntax), template)

    def _statement(source: str, document, statement: dict):
        text = Text(source)
        path = document.node.path or document.path
        return in_string(
            text, document.node, syntax_of(text, document.node),
            lambda syntax: add_statement(text, document.node, statement, syntax, path), template,
        )

    def _replace_action(source: str, statement: Statement, item: Node, values: list[str]):
        text = Text(source)
        container = statement.action
        if container is None or not editable(item, statement.node.path):
            return None
        return in_string(
            text, item, syntax_of(text, item), lambda syntax: replace_items(text, container, item, values, syntax), template
        )

    return Editing(
        set_attribute=set_attribute or (lambda source, resource, name, value: None),
        add_condition=_condition,
        replace=_replace,
        add_statement=_statement,
        replace_action=_replace_action,
        add_policy=add_policy or (lambda source, resource, document: None),
    )
