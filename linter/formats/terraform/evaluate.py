"""Offline evaluation of Terraform expressions into positioned `Node`s.

What can be known without running Terraform is computed (literals, `local.x`, `var.x` defaults, `jsonencode`,
`file()`, a few collection functions); everything else becomes a string holding `UNKNOWN`, keeping the literal
parts around it, and never `*`. A reference to a resource's `arn`/`id` also records the resource in `ref`, so
secrets can be linked to their policies, rotations and versions.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from linter.formats.terraform import hcl
from linter.formats.terraform.hcl import HclFile, TSNode
from linter.loaders.positions import LineIndex, Locator, span_of
from linter.loaders.strmap import MappedText, map_json_string
from linter.loaders.text import read_text
from linter.model import UNKNOWN, Node, Span
from linter.formats.terraform.syntax import Block, Expr, HclExpr, Unit
from linter.formats.terraform.values import TextNode, parse_json_text, unknown
from linter.values import number

MAX_DEPTH = 64
_STEPS = ("get_attr", "index", "splat")
_UNKNOWN_ROOTS = {"each", "count", "self", "module", "terraform", "ephemeral", "provider"}
_IDENTITY_FUNCTIONS = {"tolist", "toset", "tostring", "tonumber", "tobool", "tomap", "sensitive", "nonsensitive"}
_TEMPLATE_MARK = "__POLICYLINT_TEMPLATE__"


@dataclass(slots=True, eq=False)
class Scope:
    """What a module's expressions can refer to."""

    directory: Path  # the module directory (resolved)
    display_dir: str  # how it is reported ("" for the current directory)
    root: Path  # files outside this tree are never read
    locals: dict[str, Expr]
    variables: dict[str, Expr | None]
    data: dict[str, Block]  # "aws_iam_policy_document.x" -> block
    # A module instance's input variables, evaluated in the caller (their nodes keep the caller's positions).
    bound: dict[str, Node] = field(default_factory=dict)


class Lookups(Protocol):
    """What expressions refer to beyond the module's own values: the JSON of an `aws_iam_policy_document`
    data source, and `module.<call>.<output>` (the output's value in that module instance). Each is None
    when it cannot be known (not followed, not found)."""

    def data_document(self, name: str) -> Node | None: ...

    def module_output(self, call: str, output: str) -> Node | None: ...


class _NoLookups:
    def data_document(self, name: str) -> Node | None:
        return None

    def module_output(self, call: str, output: str) -> Node | None:
        return None


_NO_LOOKUPS = _NoLookups()


class Evaluator:
    """Evaluates expressions of one module; results of locals, variables and files are cached by identity,
    so a document reached through several references is the same object (and is reported once)."""

    def __init__(self, scope: Scope, lookups: Lookups | None = None) -> None:
        self.scope = scope
        self.lookups = lookups or _NO_LOOKUPS
        self._cache: dict[str, Node] = {}
        self._active: set[str] = set()
        self._files: dict[Path, Node | None] = {}
        self._template_vars: list[dict[str, Node]] = []
        self._depth = 0

    # --- entry points ---------------------------------------------------------------------------------

    def eval(self, expr: Expr) -> Node:
        if self._depth > MAX_DEPTH:
            return unknown(expr.span, _display(expr))
        self._depth += 1
        try:
            if isinstance(expr, HclExpr):
                return self._hcl(expr.file, expr.node)
            return self._json(expr.unit, expr.node)
        except RecursionError:
            return unknown(expr.span, _display(expr))
        finally:
            self._depth -= 1

    def cached(self, key: str, compute: Callable[[], Node | None], span: Span, path: str) -> Node | None:
        """Evaluate once per key; a reference cycle (a local using itself) is unknown rather than endless."""
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return unknown(span, path)
        self._active.add(key)
        try:
            value = compute()
        finally:
            self._active.discard(key)
        self._cache[key] = value
        return value

    # --- HCL ------------------------------------------------------------------------------------------

    def _hcl(self, file: HclFile, node: TSNode) -> Node:
        kind = node.type
        if kind == "expression":
            return self._expression(file, node)
        if kind in ("literal_value", "template_expr", "collection_value"):
            return self._hcl(file, node.children[0]) if node.children else unknown(file.span(node), file.display)
        if kind == "numeric_lit":
            return Node(number(file.source(node)) or 0, file.span(node), file.display)
        if kind == "bool_lit":
            return Node(file.source(node) == "true", file.span(node), file.display)
        if kind == "null_lit":
            return Node(None, file.span(node), file.display)
        if kind in ("string_lit", "quoted_template", "heredoc_template"):
            return self.template(file, node)
        if kind == "tuple":
            return self._tuple(file, node)
        if kind == "object":
            return self._object(file, node)
        if kind == "function_call":
            return self._call(file, node)
        if kind == "variable_expr":
            return self._traversal(file, node, node, [])
        if kind == "conditional":
            return self._conditional(file, node)
        return unknown(file.span(node), file.display)  # for expressions, operations, recovered errors

    def _expression(self, file: HclFile, node: TSNode) -> Node:
        children = [c for c in node.children if c.type != "comment"]
        if not children:
            return unknown(file.span(node), file.display)
        first = children[0]
        if first.type == "(":
            inner = next((c for c in children if c.type == "expression"), None)
            value = self._hcl(file, inner) if inner is not None else unknown(file.span(node), file.display)
            steps = [c for c in children if c.type in _STEPS]
            return self._walk(file, value, steps, file.span(node)) if steps else value
        steps = [c for c in children[1:] if c.type in _STEPS]
        if first.type == "variable_expr":
            return self._traversal(file, node, first, steps)
        value = self._hcl(file, first)
        return self._walk(file, value, steps, file.span(node)) if steps else value

    def _tuple(self, file: HclFile, node: TSNode) -> Node:
        items = [self._hcl(file, c) for c in node.children if c.type == "expression"]
        return Node(items, file.span(node), file.display)

    def _object(self, file: HclFile, node: TSNode) -> Node:
        values: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for element in node.children:
            if element.type != "object_elem":
                continue
            key_node = element.child_by_field_name("key")
            value_node = element.child_by_field_name("val")
            if key_node is None or value_node is None:
                continue
            key = self._object_key(file, key_node)
            if key is None:
                continue
            values.pop(key, None)
            values[key] = self._hcl(file, value_node)
            key_spans[key] = file.span(key_node)
        return Node(values, file.span(node), file.display, key_spans)

    def _object_key(self, file: HclFile, node: TSNode) -> str | None:
        """A bare identifier is a literal key in HCL; anything else is evaluated (None when unknown)."""
        children = [c for c in node.children if c.type != "comment"]
        if len(children) == 1 and children[0].type == "variable_expr":
            return file.source(children[0])
        value = self._hcl(file, node)
        return value.value if isinstance(value.value, str) and not value.is_unknown else None

    def _conditional(self, file: HclFile, node: TSNode) -> Node:
        parts = [c for c in node.children if c.type == "expression"]
        if len(parts) == 3:
            condition = self._hcl(file, parts[0])
            if isinstance(condition.value, bool):
                return self._hcl(file, parts[1] if condition.value else parts[2])
        return unknown(file.span(node), file.display)

    # --- references -----------------------------------------------------------------------------------

    def _traversal(self, file: HclFile, node: TSNode, root: TSNode, steps: list[TSNode]) -> Node:
        span = file.span(node)
        name = file.source(root)
        names = [self._step_name(file, s) for s in steps]
        if self._template_vars and name in self._template_vars[-1]:
            return self._walk(file, self._template_vars[-1][name], steps, span)
        if name in ("var", "local") and names and isinstance(names[0], str):
            value = self._variable(names[0], span, file.display) if name == "var" else self._local(names[0], span, file.display)
            return self._walk(file, value, steps[1:], span)
        if name == "path" and names[:1] in (["module"], ["root"]):
            return Node(".", span, file.display)
        attributes = [n for step, n in zip(steps, names) if step.type == "get_attr" and isinstance(n, str)]
        if name == "data":
            return self._data_reference(attributes, span, file.display)
        if name == "module" and len(attributes) >= 2:
            return self._module_reference(attributes[0], attributes[1], span, file.display)
        if name in _UNKNOWN_ROOTS or name in ("path", "var", "local"):
            return unknown(span, file.display)
        return _resource_reference(name, attributes, span, file.display)

    def _step_name(self, file: HclFile, step: TSNode) -> str | int | None:
        """An attribute name, a literal index, or None (a splat, a computed index)."""
        if step.type == "get_attr":
            ident = next((c for c in step.children if c.type == "identifier"), None)
            return file.source(ident) if ident is not None else None
        if step.type == "index" and step.children:
            inner = step.children[0]
            if inner.type == "legacy_index":
                digits = file.source(inner).lstrip(".")
                return int(digits) if digits.isdigit() else None
            expression = next((c for c in inner.children if c.type == "expression"), None)
            if expression is not None:
                value = self._hcl(file, expression)
                if isinstance(value.value, (str, int)) and not isinstance(value.value, bool) and not value.is_unknown:
                    return value.value
        return None

    def _walk(self, file: HclFile, value: Node, steps: list[TSNode], span: Span) -> Node:
        """Apply `.attr` / `[index]` steps to a known value; anything not found is unknown."""
        for step in steps:
            key = self._step_name(file, step)
            if value.is_unknown or key is None or step.type == "splat":
                return unknown(span, file.display)
            if isinstance(value.value, dict) and isinstance(key, str) and key in value.value:
                value = value.value[key]
            elif isinstance(value.value, list) and isinstance(key, int) and 0 <= key < len(value.value):
                value = value.value[key]
            else:
                return unknown(span, file.display)
        return value

    def _module_reference(self, call: str, output: str, span: Span, path: str) -> Node:
        """`module.x.out`: only what links resources is followed, an output that is a resource's ARN or id
        (`aws_secretsmanager_secret.this.arn` in the child is `module.x.aws_secretsmanager_secret.this` here);
        other values of outputs stay unknown."""
        key = f"module.{call}.{output}"
        value = self.cached(key, lambda: self.lookups.module_output(call, output), span, path)
        if value is not None and value.is_unknown and value.ref:
            return unknown(span, path, ref=f"module.{call}.{value.ref}")
        return unknown(span, path)

    def _variable(self, name: str, span: Span, path: str) -> Node:
        if name in self.scope.bound:
            value = self.scope.bound[name]
            return value if value.value is not None else unknown(span, path)
        expr = self.scope.variables.get(name)
        if expr is None:
            return unknown(span, path)
        value = self.cached("var." + name, lambda: self.eval(expr), span, path)
        return value if value is not None and value.value is not None else unknown(span, path)

    def _local(self, name: str, span: Span, path: str) -> Node:
        expr = self.scope.locals.get(name)
        if expr is None:
            return unknown(span, path)
        value = self.cached("local." + name, lambda: self.eval(expr), span, path)
        return value if value is not None else unknown(span, path)

    def _data_reference(self, parts: list[str], span: Span, path: str) -> Node:
        """`data.aws_iam_policy_document.x.json` (or `[0].json`, `.minified_json`) is the document itself."""
        if len(parts) == 3 and parts[0] == "aws_iam_policy_document" and parts[2] in ("json", "minified_json"):
            document = self.lookups.data_document(f"{parts[0]}.{parts[1]}")
            if document is not None:
                return document
        return unknown(span, path)

    # --- templates ------------------------------------------------------------------------------------

    def template(self, file: HclFile, node: TSNode, strip_newline: bool = False) -> Node:
        """A quoted string or heredoc: literal parts decoded, interpolations evaluated.

        A template that is one interpolation and nothing else yields that value (as Terraform does), so
        `"${aws_secretsmanager_secret.x.arn}"` keeps its `ref`.
        """
        parsed = hcl.template(file, node)
        parts = parsed.parts
        span = file.span(node)
        if strip_newline and parts and isinstance(parts[-1], MappedText) and parts[-1].chars[-1:] == ["\n"]:
            last = MappedText()
            last.chars, last.offsets = parts[-1].chars[:-1], parts[-1].offsets[:-1]
            parts = parts[:-1] + ([last] if last.chars else [])
        if len(parts) == 1 and not isinstance(parts[0], MappedText) and (strip_newline or not parsed.heredoc):
            if parts[0].type == "template_interpolation":
                value = self._interpolation(file, parts[0])
                if isinstance(value.value, (dict, list)) or isinstance(value, TextNode):
                    return value  # keeps its identity (a shared document) and where its text was written
                return Node(value.value, span, file.display, ref=value.ref)
        out = MappedText()
        for part in parts:
            if isinstance(part, MappedText):
                out.extend(part)
            elif part.type == "template_interpolation":
                out.add(_as_text(self._interpolation(file, part)), file.start(part))
            else:
                out.add(UNKNOWN, file.start(part))  # %{ if } / %{ for } directives are not evaluated
        out.end = parsed.end
        return TextNode(out.text, span, file.display, locate=out.locator(file.locate))

    def _interpolation(self, file: HclFile, node: TSNode) -> Node:
        inner = next((c for c in node.children if c.type == "expression"), None)
        return self._hcl(file, inner) if inner is not None else unknown(file.span(node), file.display)

    def render_template(self, text: str, display: str, locate: Locator, variables: dict[str, Node]) -> Node:
        """Evaluate `text` as an HCL template (a `.tf.json` string, a `templatefile()` file).

        The text is wrapped in a heredoc (whose escapes are exactly a template's) and parsed; offsets in the
        synthetic source are mapped back through `locate`.
        """
        prefix = f"x = <<{_TEMPLATE_MARK}\n"
        source = f"{prefix}{text}\n{_TEMPLATE_MARK}\n"
        start = len(prefix)

        def synthetic(offset: int) -> tuple[int, int]:
            return locate(min(max(offset - start, 0), len(text)))

        file = HclFile(display, source, synthetic)
        items = hcl.items(hcl.body_of(file.root))
        expression = hcl.attribute_parts(items[0])[1] if items and items[0].type == "attribute" else None
        heredoc = _find(expression, "heredoc_template") if expression is not None else None
        if heredoc is None or file.root.has_error:
            return unknown(span_of(locate, 0, len(text)), display)
        self._template_vars.append(variables)
        try:
            return self.template(file, heredoc, strip_newline=True)
        finally:
            self._template_vars.pop()

    # --- functions ------------------------------------------------------------------------------------

    def _call(self, file: HclFile, node: TSNode) -> Node:
        name = file.source(node.children[0])
        arguments = next((c for c in node.children if c.type == "function_arguments"), None)
        args = [c for c in arguments.children if c.type == "expression"] if arguments is not None else []
        expands = arguments is not None and any(c.type == "ellipsis" for c in arguments.children)
        span = file.span(node)
        if expands:
            return unknown(span, file.display)
        values = [self._hcl(file, a) for a in args]
        if name == "jsonencode" and len(values) == 1:
            return values[0]
        if name in _IDENTITY_FUNCTIONS and len(values) == 1:
            return values[0]
        if name == "jsondecode" and len(values) == 1:
            return self.decode_json(values[0]) or unknown(span, file.display)
        if name in ("file", "templatefile") and values:
            return self._file(name, values, span, file.display)
        if name in ("concat", "flatten", "distinct", "compact", "merge", "coalesce", "try"):
            return _collection_function(name, values, span, file.display)
        return unknown(span, file.display)

    def decode_json(self, value: Node) -> Node | None:
        """A string holding JSON, parsed with positions (None when unknown or invalid)."""
        result = parse_json_text(value)
        return result if isinstance(result, Node) else None

    def _file(self, name: str, values: list[Node], span: Span, path: str) -> Node:
        """`file()` / `templatefile()`: read relative to the module directory, never outside the scan root."""
        target = values[0]
        if not isinstance(target.value, str) or target.is_unknown:
            return unknown(span, path)
        resolved = self._resolve(target.value)
        if resolved is None:
            return unknown(span, path)
        loaded = self._files.get(resolved) if resolved in self._files else self._read(resolved, target.value)
        self._files[resolved] = loaded
        if loaded is None:
            return unknown(span, path)
        if name == "file":
            return loaded
        variables = values[1] if len(values) > 1 else Node({}, span, path)
        if not isinstance(variables.value, dict) or not isinstance(loaded, TextNode) or loaded.locate is None:
            return unknown(span, path)
        return self.render_template(str(loaded.value), loaded.path, loaded.locate, variables.value)

    def _resolve(self, relative: str) -> Path | None:
        candidate = Path(relative)
        if not candidate.is_absolute():
            candidate = self.scope.directory / candidate
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if not (resolved.is_relative_to(self.scope.root) and resolved.is_file()):
            return None
        return resolved

    def _read(self, resolved: Path, written: str) -> Node | None:
        text = read_text(resolved, written)
        if not isinstance(text, str):
            return None
        relative = os.path.relpath(resolved, self.scope.directory).replace(os.sep, "/")
        display = os.path.normpath(os.path.join(self.scope.display_dir, relative)).replace(os.sep, "/")
        index = LineIndex(text)
        return TextNode(text, span_of(index, 0, len(text)), display, locate=index)

    # --- .tf.json -------------------------------------------------------------------------------------

    def _json(self, unit: Unit, node: Node) -> Node:
        value = node.value
        if isinstance(value, str):
            mapped = map_json_string(unit.text, *unit.index.offsets(node.span))
            if "${" in value or "%{" in value:
                return self.render_template(mapped.text, unit.display, mapped.locator(unit.index), {})
            return TextNode(value, node.span, unit.display, locate=mapped.locator(unit.index))
        if isinstance(value, list):
            return Node([self._json(unit, item) for item in value], node.span, unit.display)
        if isinstance(value, dict):
            items = {key: self._json(unit, item) for key, item in value.items()}
            return Node(items, node.span, unit.display, dict(node.key_spans or {}))
        return node


def _display(expr: Expr) -> str:
    return expr.file.display if isinstance(expr, HclExpr) else expr.unit.display


def _find(node: TSNode, type_: str) -> TSNode | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == type_:
            return current
        stack.extend(current.children)
    return None


def _resource_reference(type_: str, attributes: list[str], span: Span, path: str) -> Node:
    """`aws_x.name.arn` / `.id` / `.name` (with any index) is unknown but known to be that resource's ARN, id or
    name (IAM attachments name their role, user or group by `.name`)."""
    if len(attributes) == 2 and attributes[1] in ("arn", "id", "name"):
        return unknown(span, path, ref=f"{type_}.{attributes[0]}")
    return unknown(span, path)


def _as_text(value: Node) -> str:
    """How an interpolated value reads inside a string (objects as JSON, as `jsonencode` makes them)."""
    raw = value.value
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if raw is None:
        return ""
    if isinstance(raw, (dict, list)):
        return json.dumps(value.plain(), separators=(",", ":"), ensure_ascii=False)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _collection_function(name: str, values: list[Node], span: Span, path: str) -> Node:
    if name in ("coalesce", "try"):
        for value in values:
            if not value.is_unknown and value.value is not None and value.value != "":
                return value
        return unknown(span, path)
    if name == "merge":
        merged: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for value in values:
            if not isinstance(value.value, dict):
                return unknown(span, path)
            merged.update(value.value)
            key_spans.update(value.key_spans or {})
        return Node(merged, span, path, key_spans)
    items: list[Node] = []
    for value in values if name == "concat" else values[:1]:
        if isinstance(value.value, list):
            items += value.value
        else:
            items.append(value if value.is_unknown else unknown(value.span, path))
    if name == "flatten":
        items = _flatten(items)
    elif name == "compact":
        items = [i for i in items if i.value not in ("", None)]
    elif name == "distinct":
        seen: set[str] = set()
        unique = []
        for item in items:
            key = json.dumps(item.plain(), sort_keys=True)
            if key not in seen:
                seen.add(key)
                unique.append(item)
        items = unique
    return Node(items, span, path)


def _flatten(items: list[Node]) -> list[Node]:
    result: list[Node] = []
    for item in items:
        result += _flatten(item.value) if isinstance(item.value, list) else [item]
    return result
