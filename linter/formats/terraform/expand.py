"""Blocks as Terraform expands them: `count`/`for_each` instances and `dynamic` blocks.

An instance is the same block with names bound in every expression of its body (`count.index`,
`each.key`/`each.value`, a dynamic block's iterator): `bind` wraps the body, nothing is copied or
re-parsed. When the collection is known, there is one instance per element (none for `count = 0`,
`for_each = {}` or a false condition); when it cannot be known offline, the block is kept once with the
names unbound (so they evaluate to unknown) and marked so, never guessed.
"""
from __future__ import annotations

import re

from linter.formats.terraform.evaluate import Evaluator, ResourceNode, iterate
from linter.formats.terraform.functions import Uncounted, as_text
from linter.formats.terraform.syntax import Attr, Block, Body
from linter.model import Node, Span
from linter.records import dataclass, replace

MAX_INSTANCES = 256  # instances of one block; more are evaluated once, as unknown


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance of a block: the address suffix (`[0]`, `["k"]`, "" for the only one) and its names."""

    suffix: str
    block: Block
    key: Node | None = None  # each.key / count.index


class BoundBody(Body):
    """A body whose expressions see `names` (merged with the names of the body it wraps)."""

    __slots__ = ("inner",)

    def __init__(self, inner: Body, names: dict[str, Node]) -> None:
        super().__init__()
        self.inner = inner
        self.names = {**(inner.names or {}), **names}

    def _load(self) -> None:
        for name, attr in self.inner.attrs().items():
            self._attrs[name] = Attr(attr.name, attr.name_span, replace(attr.expr, names=self.names))
        self._blocks = [bind(block, {}, self.names) for block in self.inner.blocks()]


def bind(block: Block, names: dict[str, Node], outer: dict[str, Node] | None = None, **changes) -> Block:
    """The block with `names` (and the enclosing `outer` names) bound in its body."""
    merged = {**(outer or {}), **names}
    return replace(block, body=BoundBody(block.body, merged) if merged else block.body, **changes)


def instances(evaluator: Evaluator, block: Block) -> tuple[list[Instance], bool]:
    """The instances of a resource, data source or module call, and whether they are known.

    Unknown `count`/`for_each` (or more than MAX_INSTANCES): the block once, names unbound, known False.
    """
    body = block.body
    count, for_each = body.attr("count"), body.attr("for_each")
    if count is None and for_each is None:
        return [Instance("", block)], True
    expr = (count or for_each).expr
    value = evaluator.eval(expr)
    if value.value is None:
        _rejected(evaluator, "count" if count is not None else "for_each", expr.span, block)
        return [Instance("", block)], False
    if count is not None:
        number = value.value
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= MAX_INSTANCES:
            return [Instance("", block)], False
        total = int(number)
        made = []
        for i in range(total):
            index = Node(i, value.span, value.path)
            suffix = "" if total == 1 else f"[{i}]"  # a toggle (`count = var.x ? 1 : 0`) keeps the plain address
            made.append(Instance(suffix, bind(block, {"count": Node({"index": index}, value.span, value.path)}), index))
        return made, True
    pairs = _each(value)
    if pairs is None or len(pairs) > MAX_INSTANCES:
        return [Instance("", block)], False
    made = []
    for key, item in pairs:
        each = Node({"key": key, "value": item}, item.span, item.path)
        made.append(Instance(key_suffix(as_text(key)), bind(block, {"each": each}), key))
    return made, True


_QUOTED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNQUOTED = {quoted: char for char, quoted in _QUOTED.items()}


def key_suffix(key: str) -> str:
    """The address suffix of a `for_each` key, quoted as Terraform quotes it (`["a\\"b"]`), so that the
    address a finding names is the one `terraform state list` shows."""
    quoted = "".join(_QUOTED.get(c, c) for c in key).replace("${", "$${").replace("%{", "%%{")
    return f'["{quoted}"]'


def key_of(suffix: str) -> str:
    """The key a `key_suffix` quoted (its inverse)."""
    inner = suffix[2:-2].replace("$${", "${").replace("%%{", "%{")
    return re.sub(r"\\.", lambda m: _UNQUOTED.get(m.group(0), m.group(0)), inner)


def _each(value: Node) -> list[tuple[Node, Node]] | None:
    """`for_each` pairs: a map by sorted key, a set of strings (key = value); None when unknown."""
    if isinstance(value.value, dict):
        return None if isinstance(value, ResourceNode) else iterate(value)  # one resource is no collection
    if isinstance(value.value, list):
        if not all(isinstance(item.value, str) and not item.is_unknown for item in value.value):
            return None
        unique = {item.value: item for item in value.value}
        return [(Node(k, unique[k].span, unique[k].path), unique[k]) for k in sorted(unique)]
    return None


def blocks(evaluator: Evaluator, body: Body, type_: str) -> tuple[list[Block], bool]:
    """Nested blocks of a type, with `dynamic "type"` blocks expanded; False when a dynamic block's
    collection is unknown (its content is then kept once, its iterator unknown)."""
    result: list[Block] = []
    complete = True
    for block in body.blocks():
        if block.type == type_:
            result.append(block)
        elif block.type == "dynamic" and block.labels[:1] == [type_]:
            made, known = _dynamic(evaluator, block, type_)
            result += made
            complete = complete and known
    return result, complete


def _dynamic(evaluator: Evaluator, block: Block, type_: str) -> tuple[list[Block], bool]:
    contents = block.body.blocks("content")
    iterator = block.body.attr("iterator")
    name = _identifier(iterator) if iterator is not None else type_
    for_each = block.body.attr("for_each")
    value = evaluator.eval(for_each.expr) if for_each is not None else None
    if value is not None and value.value is None:
        _rejected(evaluator, "for_each", for_each.expr.span, block)
        value = None
    pairs = _dynamic_pairs(value) if value is not None else None
    if pairs is not None and not evaluator.spend(len(pairs) * max(len(contents), 1), block.header, block.unit.display):
        pairs = None
    if pairs is None or name is None:
        return [Block(type_, [], block.span, block.header, c.body, block.unit) for c in contents], False
    made = []
    for key, item in pairs:
        names = {name: Node({"key": key, "value": item}, item.span, item.path)}
        # An object element is reported where it was written (a caller's value), not at the template; an
        # empty one (`for_each = cond ? [{}] : []`) only switches the block on and holds nothing of it.
        if isinstance(item.value, dict) and item.value:
            span, header = item.span, key.span if isinstance(key.value, str) else item.span
            origin = item.path if item.path != block.unit.display else None
        else:
            span, header, origin = block.span, block.header, None
        for content in contents:
            made.append(bind(Block(type_, [], span, header, content.body, block.unit, origin), names,
                             block.body.names))
    return made, not isinstance(value, Uncounted)  # some of those blocks may not be there


def _dynamic_pairs(value: Node) -> list[tuple[Node, Node]] | None:
    """A dynamic block's collection: a list by index, a map by sorted key; None when unknown."""
    if isinstance(value.value, list) or (isinstance(value.value, dict) and not isinstance(value, ResourceNode)):
        return iterate(value)
    return None


def _rejected(evaluator: Evaluator, name: str, span: Span, block: Block) -> None:
    """A null `count` or `for_each`, which Terraform rejects: reported at the value. The block is then kept
    once with its names unknown, as for a collection not known offline: what it holds is still linted."""
    evaluator.report(span, block.unit.display, f"{name} is null: Terraform rejects a null {name}; "
                                                "the block is read once, its instances unknown")


def _identifier(attr: Attr) -> str | None:
    """`iterator = name`: a bare name, read as written (it is not an expression)."""
    expr = attr.expr
    text = expr.file.source(expr.node).strip() if hasattr(expr, "file") else expr.node.value
    return text if isinstance(text, str) and text.isidentifier() else None
