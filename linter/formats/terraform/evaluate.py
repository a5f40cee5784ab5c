"""Offline evaluation of Terraform expressions into positioned `Node`s.

What can be known without running Terraform is computed (literals, `local.x`, `var.x` defaults and the
caller's arguments, operators, conditionals, `for` expressions, `each`/`count`, dynamic-block iterators,
`file()`, the functions of `functions`); everything else becomes a string holding `UNKNOWN`, keeping the
literal parts around it, and never `*`. `null` is a value (a `Node` whose value is None: "not set"), not an
unknown. A reference to a resource's `arn`/`id` also records the resource in `ref`, so secrets can be linked
to their policies, rotations and versions.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Callable, Protocol

from linter.formats import catalogue
from linter.formats.terraform import hcl
from linter.formats.terraform.functions import (COMPOSING, FUNCTIONS, Missing, Set, Uncounted, as_text,
                                                formatlist_rows, missing, numeric, MAX_VALUE_SIZE)
from linter.formats.terraform.hcl import HclFile, TSNode
from linter.loaders.positions import LineIndex, Locator, span_of
from linter.loaders.strmap import MappedText, map_json_string
from linter.loaders.text import is_file, read_text
from linter.model import UNKNOWN, FileError, Node, Span
from linter.formats.terraform.syntax import Block, Expr, HclExpr, Unit
from linter.formats.terraform.values import (Part, TextNode, caller_parts, json_leaf_parts, leaf_places, parse_json_text,
                                             transformed_parts, unknown)
from linter.records import dataclass, field
from linter.values import number

MAX_DEPTH = 64  # references followed inside one another (a local using a local ...)
MAX_NESTING = 96  # syntactic nesting of one expression; deeper is an input error at its position
MAX_EXPANSION = 20_000  # items made by `for` expressions and dynamic blocks in one module instance
_STEPS = ("get_attr", "index", "splat")
_UNKNOWN_ROOTS = {"each", "count", "self", "module", "terraform", "ephemeral", "provider"}
_TEMPLATE_MARK = "__POLICYLINT_TEMPLATE__"
_SIZE_MESSAGE = (f"not evaluated: the value is larger than {MAX_VALUE_SIZE} items and characters (a value "
                 "used twice in each of a chain of locals doubles it at every step)")
_EXPANSION_MESSAGE = (f"not evaluated: for expressions and dynamic blocks of this module expand to more than "
                      f"{MAX_EXPANSION} values")
_COMPARE = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
_OPERATORS = frozenset({"&&", "||", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%"})
_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


class _TooDeep(Exception):
    """Raised past MAX_NESTING; the expression being evaluated is reported and becomes unknown."""


class _TooMuch(Exception):
    """Raised past MAX_EXPANSION (nested `for` expressions over long lists); reported like _TooDeep."""


class _TooLarge(Exception):
    """Raised when a template's text grows past MAX_VALUE_SIZE; reported like _TooDeep."""


class _Recursive(Exception):
    """Raised when a template renders itself through `templatefile` (which would never end); the
    expression that started it is reported, naming the template."""


class ResourceNode(Node):
    """A resource instance as an object: `arn`, `id` and `name` are unknowns naming it (`ref`: IAM
    attachments name their role, user or group by `.name`); any other attribute is unknown. `every` marks a resource whose instances are unknown (a count or for_each that cannot be
    evaluated offline): any index or splat of it is that same instance."""

    __slots__ = ("every",)

    def __init__(self, resource_type: str, address: str, span: Span, path: str, every: bool = False) -> None:
        named = {key: unknown(span, path, ref=address, not_arn=_not_arn(resource_type, address, key))
                 for key in ("arn", "id", "name")}
        super().__init__(named, span, path)
        self.every = every


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
    types: dict[str, Expr] = field(default_factory=dict)  # declared variable types (optional attributes)
    nullable: dict[str, Expr] = field(default_factory=dict)  # declared `nullable` (false: null means the default)
    # A module that callers use (a child linted on its own): a variable no call binds is an input that
    # could be anything, not its default.
    inputs_unknown: bool = False


class Lookups(Protocol):
    """What expressions refer to beyond the module's own values. Each is None when it cannot be known (not
    followed, not found): the JSON of an `aws_iam_policy_document` data source (of its instance `key`);
    `module.<call>.<output>` (the output's value in that module instance, or in its instance `key`: `[0]`,
    `["k"]`; a reference it holds named as the caller names it), the index of each of the call's instances
    and the names of its outputs; `type.name`, a resource as a value (its instances); `data.type.name`, what
    is known of another data source (the AWS managed key looked up by alias)."""

    def data_document(self, name: str, key: str | int | None = None) -> Node | None: ...

    def module_output(self, call: str, output: str, key: str | int | None = None) -> Node | None: ...

    def module_keys(self, call: str) -> list[str | int | None] | None: ...

    def module_outputs(self, call: str) -> list[str] | None: ...

    def resource_value(self, type_: str, name: str) -> Node | None: ...

    def data_value(self, type_: str, name: str) -> Node | None: ...


class _NoLookups:
    def data_document(self, name: str, key: str | int | None = None) -> Node | None:
        return None

    def module_output(self, call: str, output: str, key: str | int | None = None) -> Node | None:
        return None

    def module_keys(self, call: str) -> list[str | int | None] | None:
        return None

    def module_outputs(self, call: str) -> list[str] | None:
        return None

    def resource_value(self, type_: str, name: str) -> Node | None:
        return None

    def data_value(self, type_: str, name: str) -> Node | None:
        return None


_NO_LOOKUPS = _NoLookups()


class Evaluator:
    """Evaluates expressions of one module; results of locals, variables and files are cached by identity,
    so a document reached through several references is the same object (and is reported once)."""

    def __init__(self, scope: Scope, lookups: Lookups | None = None) -> None:
        self.scope = scope
        self.lookups = lookups or _NO_LOOKUPS
        self.errors: list[FileError] = []  # expressions too deeply nested to evaluate
        self._cache: dict[str, Node] = {}
        self._active: set[str] = set()
        self._files: dict[Path, Node | FileError] = {}
        self._rendering: list[Path] = []  # the template files being rendered, outermost first
        # Names bound around the expression being evaluated: template variables, `for` iterators, and the
        # `each`/`count`/iterator values of an expanded block (innermost last; each scope is complete).
        self._names: list[dict[str, Node]] = []
        self._depth = 0
        self._nesting = 0
        self._expanded = 0
        # Results that read no module input are the same in every evaluation of the module's directory:
        # `independent` shares them through `shared` (None: nothing is shared). `reads` counts input reads
        # (variables, module outputs), `_cuts` the bounds hit; the peaks say how deep a result went.
        self.shared: dict | None = None
        self.reads = 0
        self._cuts = 0
        self._tainted: set[str] = set()  # cached keys whose values read an input
        self._depth_peak = 0
        self._nesting_peak = 0
        self._touched: list[str] = []  # cached keys used inside the `independent` computations under way
        self._copies: dict[int, Node] = {}  # shared value -> this evaluation's copy (`own`)
        self._echoes: bool | None = None
        self._windows = 0
        self._caller_places: tuple[dict, frozenset] | None = None  # (the bound arguments, their leaves' places)

    # --- entry points ---------------------------------------------------------------------------------

    def eval(self, expr: Expr) -> Node:
        if self._depth > self._depth_peak:
            self._depth_peak = self._depth
        if self._depth > MAX_DEPTH:
            self._cuts += 1
            return unknown(expr.span, _display(expr))
        self._depth += 1
        if expr.names is not None:
            self._names.append(expr.names)
        try:
            if isinstance(expr, HclExpr):
                return self._hcl(expr.file, expr.node)
            return self._json(expr.unit, expr.node)
        except (_TooDeep, RecursionError):
            return self._too_deep(expr.span, _display(expr))
        except _TooMuch:
            return self.report(expr.span, _display(expr), _EXPANSION_MESSAGE)
        except _TooLarge:
            return self.report(expr.span, _display(expr), _SIZE_MESSAGE)
        except _Recursive as exc:
            return self.report(expr.span, _display(expr),
                               f"templatefile: {exc} renders itself (Terraform rejects templatefile in a template)")
        finally:
            self._depth -= 1
            if expr.names is not None:
                self._names.pop()

    def _too_deep(self, span: Span, path: str) -> Node:
        """An expression nested deeper than policylint evaluates: reported where it starts, never dropped
        (it is unknown then)."""
        return self.report(span, path, f"expression nested too deeply to evaluate (more than {MAX_NESTING} levels)")

    def report(self, span: Span, path: str, message: str) -> Node:
        """An input error at `span` (once), and the unknown the value becomes."""
        self._cuts += 1
        error = FileError(path, span.line, span.column, message)
        if error not in self.errors:
            self.errors.append(error)
        return unknown(span, path)

    def spend(self, count: int, span: Span, path: str) -> bool:
        """Count `count` items made by expansion; False (reported at `span`) once the module's budget is
        spent, so nested `for`s and dynamic blocks over long lists cannot explode."""
        self._expanded += count
        if self._expanded <= MAX_EXPANSION:
            return True
        self.report(span, path, _EXPANSION_MESSAGE)
        return False

    def cached(self, key: str, compute: Callable[[], Node | None], span: Span, path: str,
               share: bool = False) -> Node | None:
        """Evaluate once per key (and, with `share`, once per run for the directory when it reads no
        input); a reference cycle (a local using itself) is unknown rather than endless."""
        if self._windows:
            self._touched.append(key)
        if key in self._cache:
            if key in self._tainted:
                self.reads += 1  # what uses it reads that input too
            return self._cache[key]
        if key in self._active:
            # A local or data source that depends on itself is a cycle Terraform rejects, unless the way
            # back goes through a module call (whose arguments are evaluated with the call here, where
            # Terraform follows each output alone).
            if key.startswith(("local.", "data.")) and not any(k.startswith("module.") for k in self._active):
                return self.report(span, path, f"reference cycle: {key} depends on itself, which Terraform rejects")
            self._cuts += 1  # its value depends on where the cycle was entered
            return unknown(span, path)
        self._active.add(key)
        self._names.append({})  # a local or variable never sees the names bound where it is used
        reads = self.reads
        try:
            if share:
                value, fresh = self.independent(("cached", key), compute)
                value = value if fresh or value is None else self.own(value)
            else:
                value = compute()
        finally:
            self._names.pop()
            self._active.discard(key)
        if self.reads != reads:
            self._tainted.add(key)
        if value is not None and too_large(value):  # what a reference copies, copied again, may double
            value = self.report(span, path, _SIZE_MESSAGE)
        self._cache[key] = value
        return value

    def independent(self, key: tuple, compute: Callable[[], object]) -> tuple[object, bool]:
        """`compute()`, and whether it was computed here (False: shared). A result that read no module
        input and hit no bound is stored in `shared` under `key` and reused by every evaluation of the same
        directory whose budgets it fits, as if computed there."""
        shared = self.shared if not self._echoed() else None
        entry = shared.get(key) if shared is not None else None
        if entry is not None and self._fits(entry):
            value, spent, depth, nesting, touched = entry
            if self._windows:
                self._touched += touched
            self._expanded += spent
            self._depth_peak = max(self._depth_peak, self._depth + depth)
            self._nesting_peak = max(self._nesting_peak, self._nesting + nesting)
            return value, False
        reads, cuts, spent = self.reads, self._cuts, self._expanded
        depth_peak, nesting_peak = self._depth_peak, self._nesting_peak
        self._depth_peak, self._nesting_peak = self._depth, self._nesting
        start = len(self._touched)
        self._windows += 1
        try:
            value = compute()
        finally:
            self._windows -= 1
            touched = tuple(dict.fromkeys(self._touched[start:]))
            if not self._windows:
                self._touched.clear()
            depth, nesting = self._depth_peak - self._depth, self._nesting_peak - self._nesting
            self._depth_peak, self._nesting_peak = max(depth_peak, self._depth_peak), max(nesting_peak, self._nesting_peak)
        if shared is not None and self.reads == reads and self._cuts == cuts:
            shared[key] = (value, self._expanded - spent, depth, nesting, touched)
        return value, True

    def _echoed(self) -> bool:
        """Does an argument of this instance hold a value written in this module's own files (an output of
        another instance passed back in)? Then a template of this module could point at it as the caller's
        (`caller_places`), whatever it reads: nothing is shared."""
        if self._echoes is None:
            own = self.scope.display_dir
            self._echoes = bool(self.scope.bound) and any(
                path.rpartition("/")[0] == own or (own and path.startswith(own + "/")) for path, _ in self.caller_places())
        return self._echoes

    def _fits(self, entry: tuple) -> bool:
        """Would computing the shared result here give the same: within the bounds, and using no value
        being computed here (a reference cycle)?"""
        _, spent, depth, nesting, touched = entry
        return (self._expanded + spent <= MAX_EXPANSION and self._depth + depth <= MAX_DEPTH
                and self._nesting + nesting <= MAX_NESTING * 3 and self._active.isdisjoint(touched))

    def read_input(self) -> None:
        """A module input (a variable, another module's output) was read: what is being computed differs
        between the module's evaluations."""
        self.reads += 1

    def share(self, store: dict) -> None:
        """Share input-independent results with every evaluation of this directory."""
        self.shared = store

    def own(self, value: Node) -> Node:
        """This evaluation's copy of a shared value: its mappings and lists copied (once each, so what is
        one object in the shared value is one here too), its scalars and key spans shared (never changed
        once evaluated). Values stay distinct between evaluations, as if each had computed them: a document
        is one per evaluation."""
        inner = value.value
        if not isinstance(inner, (dict, list)):
            return value
        copy = self._copies.get(id(value))
        if copy is not None:
            return copy
        own = self.own
        items = {key: own(item) for key, item in inner.items()} if isinstance(inner, dict) else [own(item) for item in inner]
        copy = object.__new__(type(value))
        for name in slots_of(type(value)):
            setattr(copy, name, getattr(value, name))
        copy.value = items
        self._copies[id(value)] = copy
        return copy

    # --- HCL ------------------------------------------------------------------------------------------

    def _hcl(self, file: HclFile, node: TSNode) -> Node:
        if self._nesting > self._nesting_peak:
            self._nesting_peak = self._nesting
        if self._nesting > MAX_NESTING * 3:  # about three syntax nodes per level of nesting
            raise _TooDeep
        self._nesting += 1
        try:
            return self._hcl_node(file, node)
        finally:
            self._nesting -= 1

    def _hcl_node(self, file: HclFile, node: TSNode) -> Node:
        kind = node.type
        if kind == "expression":
            return self._expression(file, node)
        if kind in ("literal_value", "template_expr", "collection_value"):
            return self._hcl(file, node.children[0]) if node.children else unknown(file.span(node), file.display)
        if kind == "numeric_lit":
            return numeric(number(file.source(node)), file.span(node), file.display)
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
        if kind in ("operation", "for_expr") and node.children:
            return self._hcl(file, node.children[0])
        if kind == "binary_operation":
            return self._binary(file, node)
        if kind == "unary_operation":
            return self._unary(file, node)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for(file, node)
        return unknown(file.span(node), file.display)  # recovered errors and anything not evaluated

    def _expression(self, file: HclFile, node: TSNode) -> Node:
        """An expression term and its traversal steps. Parentheses are unwrapped in a loop, not by
        recursion, so any number of them evaluates (valid Terraform, however odd)."""
        layers: list[tuple[list[TSNode], Span]] = []
        children = [c for c in node.children if c.type != "comment"]
        while children and children[0].type == "(":
            inner = next((c for c in children if c.type == "expression"), None)
            layers.append(([c for c in children if c.type in _STEPS], file.span(node)))
            if inner is None:
                children = []
                break
            node, children = inner, [c for c in inner.children if c.type != "comment"]
        value = self._term(file, children) if children else unknown(file.span(node), file.display)
        for steps, span in reversed(layers):
            value = self._walk(file, value, steps, span) if steps else value
        return value

    def _term(self, file: HclFile, nodes: list[TSNode]) -> Node:
        """A term (`var.x`, a literal, a call, a parenthesised expression) followed by its steps."""
        first, steps = nodes[0], [c for c in nodes[1:] if c.type in _STEPS]
        span = file.span_range(file.start(first), file.end(nodes[-1]))
        if first.type == "(":  # an operand in parentheses: `!(a || b)`
            inner = next((c for c in nodes if c.type == "expression"), None)
            value = self._hcl(file, inner) if inner is not None else unknown(span, file.display)
            return self._walk(file, value, steps, span) if steps else value
        if first.type == "variable_expr":
            return self._traversal(file, span, first, steps)
        value = self._hcl(file, first)
        return self._walk(file, value, steps, span) if steps else value

    def _binary(self, file: HclFile, node: TSNode) -> Node:
        children = [c for c in node.children if c.type != "comment"]
        at = next((i for i, c in enumerate(children) if i and c.type in _OPERATORS), None)
        span = file.span(node)
        if at is None or at + 1 >= len(children):
            return unknown(span, file.display)
        operator = file.source(children[at])
        left = self._term(file, children[:at])
        if operator in ("&&", "||") and isinstance(left.value, bool) and left.value == (operator == "||"):
            return Node(left.value, span, file.display)  # decided by the left side, whatever the right is
        right = self._term(file, children[at + 1 :])
        if isinstance(left, Missing) or isinstance(right, Missing):
            return missing(span, file.display)
        return _operate(operator, left, right, span, file.display)

    def _unary(self, file: HclFile, node: TSNode) -> Node:
        children = [c for c in node.children if c.type != "comment"]
        span = file.span(node)
        if len(children) < 2:
            return unknown(span, file.display)
        value = self._term(file, children[1:])
        if isinstance(value, Missing):
            return missing(span, file.display)
        operator = file.source(children[0])
        if operator == "!" and isinstance(value.value, bool):
            return Node(not value.value, span, file.display)
        if operator == "-" and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            return Node(-value.value, span, file.display)
        return unknown(span, file.display)

    def _for(self, file: HclFile, node: TSNode) -> Node:
        """`[for k, v in coll : expr if cond]` and `{for k, v in coll : key => value... if cond}` over a
        known collection; the items keep their nodes (and so where they were written)."""
        span = file.span(node)
        intro = next((c for c in node.children if c.type == "for_intro"), None)
        if intro is None:
            return unknown(span, file.display)
        names = [file.source(c) for c in intro.children if c.type == "identifier"]
        collection_node = next((c for c in intro.children if c.type == "expression"), None)
        collection = self._hcl(file, collection_node) if collection_node is not None else None
        if collection is None or not isinstance(collection.value, (list, dict)) or not names:
            return unknown(span, file.display)
        condition = next((c for c in node.children if c.type == "for_cond"), None)
        condition_expr = next((c for c in condition.children if c.type == "expression"), None) if condition else None
        bodies = [c for c in node.children if c.type == "expression"]
        grouped = any(c.type == "ellipsis" for c in node.children)
        is_object = node.type == "for_object_expr"
        items: list[Node] = []
        mapping: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        pairs = iterate(collection)
        uncounted = isinstance(collection, Uncounted)  # so is what is made of it: some items may be one
        self._expanded += len(pairs)
        if self._expanded > MAX_EXPANSION:
            raise _TooMuch
        for key, value in pairs:
            self._names.append(self._iteration(names, key, value))
            try:
                if condition_expr is not None:
                    keep = self._hcl(file, condition_expr)
                    if not isinstance(keep.value, bool) and not is_object and keep.is_unknown:
                        # Maybe kept: an unknown item there, so what is known is kept, its count not.
                        uncounted = True
                        items.append(unknown(file.span(bodies[0]), file.display))
                        continue
                    if not isinstance(keep.value, bool):
                        return unknown(span, file.display)
                    if not keep.value:
                        continue
                if not is_object:
                    items.append(self._hcl(file, bodies[0]))
                    continue
                result_key = self._hcl(file, bodies[0])
                if not isinstance(result_key.value, (str, int, float)) or result_key.is_unknown:
                    return unknown(span, file.display)
                text = as_text(result_key)
                item = self._hcl(file, bodies[1])
                if grouped:
                    group = mapping.setdefault(text, (Uncounted if uncounted else Node)([], item.span, item.path))
                    group.value.append(item)
                elif text in mapping:  # a duplicate key, which Terraform rejects (unless two items are one)
                    return unknown(span, file.display) if uncounted else missing(span, file.display)
                else:
                    mapping[text] = item
                key_spans.setdefault(text, result_key.span)
            finally:
                self._names.pop()
        result = Node(mapping, span, file.display, key_spans) if is_object else (
            Uncounted if uncounted else Node)(items, span, file.display)
        if too_large(result):  # each item may be a large value
            raise _TooLarge
        return result

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
            if isinstance(condition, Missing):
                return missing(file.span(node), file.display)
            if condition.value is None:
                self.report(file.span(parts[0]), file.display, "condition is null: Terraform rejects a null condition")
                return unknown(file.span(node), file.display)
            if condition.value in ("true", "false"):  # a condition converts to a bool, as Terraform's does
                condition = Node(condition.value == "true", condition.span, condition.path)
            if isinstance(condition.value, bool):
                return self._hcl(file, parts[1] if condition.value else parts[2])
            if condition.is_unknown:
                # Both branches the same known value (`x != null ? x : x`) is that value; else unknown.
                yes, no = self._hcl(file, parts[1]), self._hcl(file, parts[2])
                if yes.value is None and no.value is None:
                    return yes
        return unknown(file.span(node), file.display)

    # --- references -----------------------------------------------------------------------------------

    def _traversal(self, file: HclFile, span: Span, root: TSNode, steps: list[TSNode]) -> Node:
        name = file.source(root)
        if self._names and name in self._names[-1]:
            value = self._walk(file, self._names[-1][name], steps, span)
            if name == "count" and isinstance(value.value, int):  # an index Terraform makes: written where read
                return Node(value.value, span, file.display)
            return value
        names = [self._step_name(file, s) for s in steps]
        if name in ("var", "local") and names and isinstance(names[0], str):
            value = self._variable(names[0], span, file.display) if name == "var" else self._local(names[0], span, file.display)
            return self._walk(file, value, steps[1:], span)
        if name == "path" and names[:1] in (["module"], ["root"]):
            return Node(".", span, file.display)
        attributes = [n for step, n in zip(steps, names) if step.type == "get_attr" and isinstance(n, str)]
        if name == "data":
            value = self.lookups.data_value(names[0], names[1]) if len(names) > 1 and all(
                isinstance(n, str) for n in names[:2]) else None
            if value is not None:  # a value derived from the lookup, reported where it is used
                found = self._walk(file, value, steps[2:], span)
                return Node(found.value, span, file.display) if isinstance(found.value, str) else found
            index = names[2] if len(steps) > 2 and steps[2].type == "index" else None
            return self._data_reference(attributes, span, file.display, index)
        if name == "module" and names and isinstance(names[0], str):
            return self._module_steps(file, names[0], steps[1:], span)
        if name in _UNKNOWN_ROOTS or name in ("path", "var", "local"):
            return unknown(span, file.display)
        if steps and steps[0].type == "get_attr" and isinstance(names[0], str):
            resource = self.lookups.resource_value(name, names[0])
            if resource is not None:
                return self._walk(file, resource, steps[1:], span)
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
        """Apply `.attr` / `[index]` / splat steps to a value. An unknown stays unknown (keeping the resource
        it names); what a known value does not have is `Missing` (an error `try` skips)."""
        for at, step in enumerate(steps):
            if isinstance(value, Missing):
                return missing(span, file.display)  # an error stays one through what is read of it
            if isinstance(value, ResourceNode) and value.every and step.type != "get_attr":
                continue  # any instance of a resource whose instances are unknown: that same one
            if step.type == "splat":
                return self._splat(file, value, step, steps[at + 1 :], span)
            key = self._step_name(file, step)
            if value.is_unknown:
                if _keeps_ref(step):
                    return unknown(span, file.display, ref=value.ref, not_arn=value.not_arn)
                return unknown(span, file.display)
            if key is None:
                return unknown(span, file.display)
            if isinstance(value.value, dict) and isinstance(key, (str, int)) and not isinstance(key, bool):
                key = as_text(Node(key, span))
                if key in value.value:
                    value = value.value[key]
                    continue
                return unknown(span, file.display) if isinstance(value, ResourceNode) else missing(span, file.display)
            if isinstance(value.value, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
                if isinstance(value, Uncounted):  # which item an index holds is unknown
                    return unknown(span, file.display)
                if 0 <= int(key) < len(value.value):
                    value = value.value[int(key)]
                    continue
            return missing(span, file.display)
        if value.is_unknown and value.ref:  # `aws_x.y.arn` is where it is written, not at the resource
            return unknown(span, file.display, ref=value.ref, not_arn=value.not_arn)
        return value

    def _splat(self, file: HclFile, value: Node, step: TSNode, rest: list[TSNode], span: Span) -> Node:
        """`x[*].a.b` applies the steps inside the splat (and after it) to every item; a single value is a
        one-item list, null an empty one."""
        inner = [c for c in step.children[0].children if c.type in ("get_attr", "index")] if step.children else []
        if isinstance(value, ResourceNode) and value.every:
            return self._walk(file, value, inner + rest, span)
        if value.is_unknown:
            return unknown(span, file.display)
        items = value.value if isinstance(value.value, list) else [] if value.value is None else [value]
        kind = Uncounted if isinstance(value, Uncounted) else Node
        return kind([self._walk(file, item, inner + rest, span) for item in items], span, file.display)

    def _module_steps(self, file: HclFile, call: str, steps: list[TSNode], span: Span) -> Node:
        """`module.x.out` and `module.x[0].out` / `module.x["k"].out` read that output of that instance,
        then apply the steps after it (`module.x.config.actions`); anything else (`module.x[*].out`,
        `for_each = module.x`, `values(module.x)`) walks the call's instances as a value (`_module_value`).
        A computed index is unknown."""
        key: str | int | None = None
        rest = steps
        if rest and rest[0].type == "index":
            key = self._step_name(file, rest[0])
            if key is None:
                return unknown(span, file.display)
            rest = rest[1:]
        output = self._step_name(file, rest[0]) if rest and rest[0].type == "get_attr" else None
        if isinstance(output, str):
            return self._walk(file, self._module_reference(call, output, key, span, file.display), rest[1:], span)
        return self._walk(file, self._module_value(call, span, file.display), steps, span)

    def _module_value(self, call: str, span: Span, path: str) -> Node:
        """`module.x` as Terraform sees it: an object of the instance's outputs, a list of them (`count`) or
        a map of them by key (`for_each`); unknown when the call is not followed or its instances are not
        known."""
        self.read_input()  # whether the call is followed depends on where this module is called from (a cycle)
        names, keys = self.lookups.module_outputs(call), self.lookups.module_keys(call)
        if names is None or keys is None:
            return unknown(span, path)

        def outputs(key: str | int | None) -> Node:
            return Node({name: self._module_reference(call, name, key, span, path) for name in names}, span, path)

        if keys == [None]:
            return outputs(None)
        if all(isinstance(key, int) for key in keys):
            return Node([outputs(key) for key in keys], span, path)
        return Node({key: outputs(key) for key in keys}, span, path)

    def _module_reference(self, call: str, output: str, index: str | int | None, span: Span, path: str) -> Node:
        """`module.x.out`: the output's value when the child module is followed. An output that is a
        resource's ARN or id (`aws_secretsmanager_secret.this.arn` in the child) names it as
        `module.x.aws_secretsmanager_secret.this` here (`module.x[0]....` for an instance); a known value
        without references comes back as it is (with the positions where it was written); anything else
        stays unknown."""
        key = f"module.{call}{'' if index is None else [index]}.{output}"
        self.read_input()
        value = self.cached(key, lambda: self.lookups.module_output(call, output, index), span, path)
        if value is not None and value.is_unknown and value.ref:
            return unknown(span, path, ref=value.ref, not_arn=value.not_arn)
        if value is not None and not _has_refs(value) and not isinstance(value, Missing):
            from linter.formats.terraform.functions import known

            if known(value):
                return value
        return unknown(span, path)

    def _variable(self, name: str, span: Span, path: str) -> Node:
        """The caller's argument, else the default (unless callers set the inputs), conformed to the
        declared type (an optional attribute left out is null). No default and no argument: unknown. A null
        argument is null, except for a `nullable = false` variable, which takes its default (as Terraform
        does; without one Terraform rejects the call: unknown)."""
        self.read_input()
        if name in self.scope.bound and not self._null_for_default(name):
            given: Callable[[], Node | None] = lambda: self.scope.bound[name]
        elif name in self.scope.variables and self.scope.variables[name] is not None and not self.scope.inputs_unknown:
            given = lambda: self.eval(self.scope.variables[name])
        else:
            return unknown(span, path)
        type_expr = self.scope.types.get(name)

        def compute() -> Node | None:
            value = given()
            if value is None or type_expr is None or not isinstance(type_expr, HclExpr):
                return value
            from linter.formats.terraform.vartypes import conform

            return conform(self.eval, type_expr, value)

        value = self.cached("var." + name, compute, span, path)
        return value if value is not None else unknown(span, path)

    def _null_for_default(self, name: str) -> bool:
        """Is the argument of `name` a null that its `nullable = false` declaration turns into the default?"""
        nullable = self.scope.nullable.get(name)
        return (nullable is not None and self.scope.bound[name].value is None
                and self.eval(nullable).value is False)

    def _local(self, name: str, span: Span, path: str) -> Node:
        expr = self.scope.locals.get(name)
        if expr is None:
            return unknown(span, path)
        value = self.cached("local." + name, lambda: self.eval(expr), span, path, share=True)
        return value if value is not None else unknown(span, path)

    def _data_reference(self, parts: list[str], span: Span, path: str, index: str | int | None) -> Node:
        """`data.aws_iam_policy_document.x.json` (or `[0].json`, `["k"].json`, `.minified_json`) is the
        document itself (of that instance)."""
        if len(parts) == 3 and parts[0] == "aws_iam_policy_document" and parts[2] in ("json", "minified_json"):
            document = self.lookups.data_document(f"{parts[0]}.{parts[1]}", index)
            if document is not None:
                return document
        return unknown(span, path)

    # --- templates ------------------------------------------------------------------------------------

    def template(self, file: HclFile, node: TSNode, strip_newline: bool = False) -> Node:
        """A quoted string or heredoc: literal parts decoded, interpolations evaluated.

        A template that is one interpolation and nothing else yields that value (as Terraform does), so
        `"${aws_secretsmanager_secret.x.arn}"` keeps its `ref`, and a value written elsewhere (a caller's
        argument, a variable's default) keeps the place where it was written.
        """
        parsed = hcl.template(file, node)
        parts = parsed.parts
        span = file.span(node)
        if strip_newline and parts and isinstance(parts[-1], MappedText) and parts[-1].chars[-1:] == ["\n"]:
            last = MappedText()
            last.chars, last.offsets, last.end = parts[-1].chars[:-1], parts[-1].offsets[:-1], parts[-1].offsets[-1]
            parts = parts[:-1] + ([last] if last.chars else [])
        if len(parts) == 1 and not isinstance(parts[0], (MappedText, hcl.Directive)) and (strip_newline or not parsed.heredoc):
            if parts[0].type == "template_interpolation":
                value = self._interpolation(file, parts[0])
                if isinstance(value.value, (dict, list)) or isinstance(value, TextNode) or not _inside(value, file, span):
                    return value  # keeps its identity (a shared document) and where its text was written
                return Node(value.value, span, file.display, ref=value.ref, not_arn=value.not_arn)
        out = MappedText()
        interpolated: list[tuple[int, Node]] = []
        self._render(file, parts, out, interpolated, any(isinstance(p, hcl.Directive) for p in parts))
        out.end = parsed.end
        parts = caller_parts(interpolated, self.caller_places()) if interpolated and self.scope.bound else ()
        parts = tuple(sorted(parts + json_leaf_parts(interpolated), key=lambda part: part.start))
        whole = tuple(Part(offset, offset + len(value.value), *value.place()) for offset, value in interpolated
                      if isinstance(value.value, str) and not value.is_unknown)
        return TextNode(out.text, span, file.display, locate=out.locator(file.locate), parts=parts, whole=whole)

    def _render(self, file: HclFile, parts: list[hcl.Part], out: MappedText,
                interpolated: list[tuple[int, Node]], marks: bool) -> None:
        """Append a template's parts to `out`, each interpolated value with where its text begins. With
        `marks` (a template with directives, whose rendered pieces are written apart), where each part
        ends is recorded, so a string ending before a directive's text ends where it was written."""
        for part in parts:
            if isinstance(part, MappedText):
                out.extend(part)
                end = part.end
            elif isinstance(part, hcl.Directive):
                self._directive(file, part, out, interpolated)
                continue
            else:
                value = self._interpolation(file, part)
                if value.value is None:  # a string cannot hold a null: Terraform fails, the part is unknown
                    value = self.report(file.span(part), file.display, "null in a string template: Terraform rejects it")
                interpolated.append((len(out.chars), value))
                if too_large(value, MAX_VALUE_SIZE - len(out.chars)):
                    raise _TooLarge
                out.add(as_text(value), file.start(part))
                end = file.end(part)
            if marks:
                out.mark_end(end)

    def _directive(self, file: HclFile, directive: hcl.Directive, out: MappedText,
                   interpolated: list[tuple[int, Node]]) -> None:
        """`%{ if }` renders the branch its condition picks, `%{ for }` its body once per item of its
        collection (names bound as a `for` expression binds them); a condition or a collection not known
        offline is one unknown where the directive is, never a guess."""
        value = self._hcl(file, directive.expression) if directive.expression is not None else None
        if directive.names is None:
            if value is not None and isinstance(value.value, bool):
                self._render(file, directive.branches[0 if value.value else 1], out, interpolated, True)
                return
        elif value is not None and isinstance(value.value, (list, dict)) and directive.names:
            pairs = iterate(value)
            self._expanded += len(pairs)
            if self._expanded > MAX_EXPANSION:
                raise _TooMuch
            for key, item in pairs:
                self._names.append(self._iteration(directive.names, key, item))
                try:
                    self._render(file, directive.branches[0], out, interpolated, True)
                finally:
                    self._names.pop()
            return
        out.add(UNKNOWN, directive.start)

    def _iteration(self, names: list[str], key: Node, value: Node) -> dict[str, Node]:
        """The names in scope for one item of a `for`: the enclosing ones, and the key and value (or the
        value alone)."""
        scope = dict(self._names[-1]) if self._names else {}
        if len(names) == 2:
            scope[names[0]], scope[names[1]] = key, value
        else:
            scope[names[0]] = value
        return scope

    def caller_places(self) -> frozenset[tuple[str, Span]]:
        """Where the scalars of this module instance's arguments were written (in its callers' files)."""
        if self._caller_places is None or self._caller_places[0] is not self.scope.bound:
            self._caller_places = (self.scope.bound, leaf_places(self.scope.bound.values()))
        return self._caller_places[1]

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
        self._names.append(variables)
        try:
            return self.template(file, heredoc, strip_newline=True)
        finally:
            self._names.pop()

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
        if name not in ("try", "can") and any(isinstance(v, Missing) for v in values):
            return missing(span, file.display)  # an error in an argument is the call's, which `try` skips
        if name == "jsondecode" and len(values) == 1:
            if isinstance(values[0].value, (dict, list)):
                return values[0]  # what `jsonencode` kept as the structure it encodes
            return self.decode_json(values[0]) or unknown(span, file.display)
        if name in ("file", "templatefile") and values:
            return self._file(name, values, span, file.display)
        function = FUNCTIONS.get(name)
        if function is not None and values:
            result = function(values, span, file.display)
            if name == "formatlist":
                return self._composed_items(result, values)
            return self._composed(name, result, values) if name in COMPOSING else result
        return unknown(span, file.display)

    def _composed_items(self, result: Node, arguments: list[Node]) -> Node:
        """`formatlist`: each item it makes is a string `format` composed, pointing as that one does."""
        rows = formatlist_rows(arguments) if self.scope.bound and isinstance(result.value, list) else None
        if rows is not None:
            result.value = [self._composed("format", item, row) for item, row in zip(result.value, rows)]
        return result

    def _composed(self, name: str, result: Node, arguments: list[Node]) -> Node:
        """A new string a function made from the caller's values (`format("%s:%s", var.service, var.verb)`)
        points where the caller wrote each part, as a template's does."""
        if not self.scope.bound or not isinstance(result.value, str) or result.is_unknown:
            return result
        made = COMPOSING[name]
        composed = made(arguments) if made is not None else None
        if composed is None:  # lower(), replace(): made from its first argument, not saying where each went
            sources = [item for argument in arguments for item in argument.items_list()]
            parts = transformed_parts(result.value, sources, self.caller_places())
        else:
            parts = caller_parts(composed[1], self.caller_places())
        return TextNode(result.value, result.span, result.path, ref=result.ref, parts=parts) if parts else result

    def decode_json(self, value: Node) -> Node | None:
        """A string holding JSON, parsed with positions (None when unknown or invalid)."""
        result = parse_json_text(value)
        return result if isinstance(result, Node) else None

    def _file(self, name: str, values: list[Node], span: Span, path: str) -> Node:
        """`file()` / `templatefile()`: read relative to the module directory, never outside the scan root."""
        target = values[0]
        if not isinstance(target.value, str) or target.is_unknown:
            return unknown(span, path)
        resolved, inside = self._resolve(target.value)
        if resolved is None:  # Terraform fails on a missing file; one outside the project is never read
            return self.report(span, path, f"{name}: no file {target.value} in the project") if inside else unknown(span, path)
        loaded = self._files.get(resolved) if resolved in self._files else self._read(resolved, target.value)
        self._files[resolved] = loaded
        if isinstance(loaded, FileError):
            return self.report(span, path, f"{name}: {loaded.path}: {loaded.message}")
        if name == "file":
            return loaded
        variables = values[1] if len(values) > 1 else Node({}, span, path)
        if not isinstance(variables.value, dict) or not isinstance(loaded, TextNode) or loaded.locate is None:
            return unknown(span, path)
        if resolved in self._rendering:
            raise _Recursive(loaded.path)
        self._rendering.append(resolved)
        try:
            return self.render_template(str(loaded.value), loaded.path, loaded.locate, variables.value)
        finally:
            self._rendering.pop()

    def _resolve(self, relative: str) -> tuple[Path | None, bool]:
        """The file a path names (None when there is none), and whether the path is inside the project
        root (outside it nothing is read)."""
        candidate = Path(relative)
        if not candidate.is_absolute():
            candidate = self.scope.directory / candidate
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None, False
        if not resolved.is_relative_to(self.scope.root):
            return None, False
        return (resolved if is_file(resolved) else None), True

    def _read(self, resolved: Path, written: str) -> Node | FileError:
        text = read_text(resolved, written)
        if not isinstance(text, str):
            return text
        relative = os.path.relpath(resolved, self.scope.directory).replace(os.sep, "/")
        display = os.path.normpath(os.path.join(self.scope.display_dir, relative)).replace(os.sep, "/")
        index = LineIndex(text)
        return TextNode(text, span_of(index, 0, len(text)), display, locate=index)

    # --- .tf.json -------------------------------------------------------------------------------------

    def _json(self, unit: Unit, node: Node) -> Node:
        value = node.value
        if isinstance(value, str):
            mapped = map_json_string(unit.text, *unit.index.offsets(node.span))
            if "${" in value or "%{" in value:  # an HCL template, seeing the names bound here (`each`)
                names = self._names[-1] if self._names else {}
                return self.render_template(mapped.text, unit.display, mapped.locator(unit.index), names)
            return TextNode(value, node.span, unit.display, locate=mapped.locator(unit.index))
        if isinstance(value, list):
            return Node([self._json(unit, item) for item in value], node.span, unit.display)
        if isinstance(value, dict):
            items = {key: self._json(unit, item) for key, item in value.items()}
            return Node(items, node.span, unit.display, dict(node.key_spans or {}))
        return node


def too_large(value: Node, budget: int = MAX_VALUE_SIZE) -> bool:
    """Has the value, as Terraform holds it (a list holding one local twice holds its items twice), more
    than `budget` items and characters? Counted up to the budget only, so asking costs little."""
    stack = [value]
    while stack:
        node = stack.pop()
        inner = node.value
        budget -= len(inner) if isinstance(inner, str) else 1
        if budget < 0:
            return True
        if isinstance(inner, dict):
            stack.extend(inner.values())
        elif isinstance(inner, list):
            stack.extend(inner)
    return False


def slots_of(kind: type) -> tuple[str, ...]:
    """Every slot of a class (its own and its bases'), to copy an object field by field."""
    if kind not in _SLOTS:
        _SLOTS[kind] = tuple(name for klass in kind.__mro__ for name in getattr(klass, "__slots__", ()))
    return _SLOTS[kind]


_SLOTS: dict[type, tuple[str, ...]] = {}


def _inside(value: Node, file: HclFile, span: Span) -> bool:
    """`value` was written within `span` of `file` (a literal or a reference in the template), not in
    another place the template's expression reads (a caller's argument, a variable's default)."""
    start, end = (value.span.line, value.span.column), (value.span.end_line, value.span.end_column)
    return value.path == file.display and (span.line, span.column) <= start and end <= (span.end_line, span.end_column)


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
        address = f"{type_}.{attributes[0]}"
        return unknown(span, path, ref=address, not_arn=_not_arn(type_, address, attributes[1]))
    return unknown(span, path)


def _not_arn(resource_type: str, address: str, attribute: str) -> str | None:
    """How `address.attribute` is written when that attribute is not the resource's ARN (per the catalogue)."""
    return f"{address}.{attribute}" if attribute in catalogue.not_arn("terraform", resource_type) else None


def _keeps_ref(step: TSNode) -> bool:
    """An index into an unknown resource reference (`x.arn[0]` is odd, `x[0]` is not) keeps what it names."""
    return step.type == "index"


def _has_refs(value: Node) -> bool:
    if value.ref:
        return True
    if isinstance(value.value, dict):
        return any(_has_refs(v) for v in value.value.values())
    if isinstance(value.value, list):
        return any(_has_refs(v) for v in value.value)
    return False


def iterate(collection: Node) -> list[tuple[Node, Node]]:
    """(key, value) pairs of a collection as Terraform iterates it: lists by index, sets by item (the key is
    the item itself), maps by sorted key."""
    if isinstance(collection, Set):
        return [(item, item) for item in collection.value]
    if isinstance(collection.value, list):
        return [(Node(i, item.span, item.path), item) for i, item in enumerate(collection.value)]
    spans = collection.key_spans or {}
    return [(Node(k, spans.get(k, collection.span), collection.path), collection.value[k])
            for k in sorted(collection.value)]


def _null(value: Node) -> bool | None:
    """Is the value null: True, False, or None when it is an unknown that might be."""
    if value.value is None:
        return True
    return None if value.value == UNKNOWN or isinstance(value, Missing) else False


def _operate(operator: str, left: Node, right: Node, span: Span, path: str) -> Node:
    """A binary operator on two values; unknown whenever an operand it needs is unknown."""
    a, b = left.value, right.value
    if operator in ("&&", "||"):
        if isinstance(a, bool) and isinstance(b, bool):
            return Node(a and b if operator == "&&" else a or b, span, path)
        if operator == "&&" and b is False or operator == "||" and b is True:
            return Node(b, span, path)
        return unknown(span, path)
    if operator in ("==", "!="):
        from linter.formats.terraform.functions import equal, known

        nulls = (_null(left), _null(right))
        if True in nulls and None not in nulls:  # `x != null`: known once x is known to be (not) null
            return Node((nulls[0] == nulls[1]) == (operator == "=="), span, path)
        if not (known(left) and known(right)):
            return unknown(span, path)
        return Node(equal(left.plain(), right.plain()) == (operator == "=="), span, path)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    if not numbers:
        return unknown(span, path)
    if operator in _COMPARE:
        return Node(_COMPARE[operator](a, b), span, path)
    if operator in _ARITHMETIC:
        return numeric(_ARITHMETIC[operator](a, b), span, path)
    if operator in ("/", "%") and b:
        return numeric(a / b if operator == "/" else _remainder(a, b), span, path)
    return unknown(span, path)


def _remainder(a: int | float, b: int | float) -> int | float:
    """Terraform's `%`: what is left after the quotient truncated toward zero, so it has the dividend's
    sign (`-5 % 3` is -2, where Python's `%` gives 1)."""
    if isinstance(a, int) and isinstance(b, int):
        left = abs(a) % abs(b)
        return left if a >= 0 else -left
    return math.fmod(a, b)
