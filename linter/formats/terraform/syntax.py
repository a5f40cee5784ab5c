"""One view of Terraform's two syntaxes: `.tf` (HCL, via tree-sitter) and `.tf.json` (JSON, via jsonpos).

Extraction reads blocks, attributes and expressions through `Block`, `Body` and `Expr`, so the evaluator and
the resource logic never care which syntax a file was written in.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

from linter.formats.terraform import hcl
from linter.formats.terraform.hcl import HclFile, TSNode
from linter.loaders.positions import LineIndex
from linter.model import Node, Span
from linter.records import dataclass

# In `.tf.json` an object value is a nested block only where the schema says so; these are the block types
# policylint reads (everything else is an attribute, whose strings are HCL templates).
JSON_BLOCK_TYPES = frozenset(
    {"statement", "principals", "not_principals", "condition", "inline_policy", "replica", "rotation_rules",
     "content", "lifecycle", "timeouts"}
)


@dataclass(slots=True, eq=False)
class Unit:
    """One file of a module; `passed` files are reported, the others are only read for resolution. Its
    blocks point at it, so it holds none of them (`Parsed` keeps both): a unit that held its blocks would be
    a reference cycle, which only the cyclic collector frees, with everything hanging off it."""

    path: Path
    display: str
    passed: bool
    text: str
    index: LineIndex
    hcl: HclFile | None = None
    json: Node | None = None


Parsed = list[tuple[Unit, list["Block"]]]  # a module's files, each with its top-level blocks


@dataclass(frozen=True, slots=True, eq=False)
class HclExpr:
    """An HCL expression; `names` are the values its block gives it (`each`, `count`, a dynamic block's
    iterator), bound when the block was expanded."""

    file: HclFile
    node: TSNode
    names: dict | None = None

    @property
    def span(self) -> Span:
        return self.file.span(self.node)


@dataclass(frozen=True, slots=True, eq=False)
class JsonExpr:
    unit: Unit
    node: Node
    names: dict | None = None

    @property
    def span(self) -> Span:
        return self.node.span


Expr = Union[HclExpr, JsonExpr]


@dataclass(slots=True, eq=False)
class Attr:
    name: str
    name_span: Span
    expr: Expr


@dataclass(slots=True, eq=False)
class Block:
    """A block: `type` is `resource`, `data`, `statement`, `dynamic`, ...; `header` is its first-line span."""

    type: str
    labels: list[str]
    span: Span
    header: Span
    body: Body
    unit: Unit
    # Where a block made by expansion is reported when its value was written in another file (a dynamic
    # block's iterator value passed by a module's caller); None: its own file.
    origin: str | None = None

    @property
    def display(self) -> str:
        return self.origin or self.unit.display

    @property
    def address(self) -> str:
        """`aws_iam_policy.app` for a resource, `data.aws_iam_policy_document.x` for a data source."""
        name = ".".join(self.labels[:2])
        return f"data.{name}" if self.type == "data" else name


class Body:
    """Attributes and nested blocks of a block, read on first use. `names` are the values bound in it
    (`each`, `count`, dynamic iterators) when it is an expanded instance (see `expand`)."""

    __slots__ = ("_attrs", "_blocks", "names")

    def __init__(self) -> None:
        self._attrs: dict[str, Attr] | None = None
        self._blocks: list[Block] = []
        self.names: dict | None = None

    def _load(self) -> None:
        raise NotImplementedError

    def attrs(self) -> dict[str, Attr]:
        if self._attrs is None:
            self._attrs = {}
            self._load()
        return self._attrs

    def attr(self, name: str) -> Attr | None:
        return self.attrs().get(name)

    def blocks(self, type_: str | None = None) -> list[Block]:
        self.attrs()
        return [b for b in self._blocks if type_ is None or b.type == type_]


class HclBody(Body):
    __slots__ = ("unit", "file", "node")

    def __init__(self, unit: Unit, file: HclFile, node: TSNode | None) -> None:
        super().__init__()
        self.unit, self.file, self.node = unit, file, node

    def _load(self) -> None:
        file = self.file
        for item in hcl.items(self.node):
            if item.type == "attribute":
                name, expression = hcl.attribute_parts(item)
                if expression is not None:
                    self._attrs[file.source(name)] = Attr(file.source(name), file.span(name), HclExpr(file, expression))
            else:
                self._blocks.append(hcl_block(self.unit, file, item))


def hcl_block(unit: Unit, file: HclFile, node: TSNode) -> Block:
    labels = [label for label, _ in hcl.block_labels(file, node)]
    body = HclBody(unit, file, hcl.body_of(node))
    return Block(file.source(node.children[0]), labels, file.span(node), hcl.block_header(file, node), body, unit)


class JsonBody(Body):
    """A `.tf.json` block body: keys in `block_types` are nested blocks (an object or a list of objects)."""

    __slots__ = ("unit", "node", "block_types")

    def __init__(self, unit: Unit, node: Node, block_types: frozenset[str] = JSON_BLOCK_TYPES) -> None:
        super().__init__()
        self.unit, self.node, self.block_types = unit, node, block_types

    def _load(self) -> None:
        if not isinstance(self.node.value, dict):
            return
        key_spans = self.node.key_spans or {}
        for key, value in self.node.value.items():
            key_span = key_spans.get(key, value.span)
            if key == "//":
                continue  # Terraform's JSON comment key
            if key == "dynamic" and self.block_types and isinstance(value.value, dict):
                for label, inner in value.value.items():
                    header = (value.key_spans or {}).get(label, inner.span)
                    for obj in objects(inner):
                        self._blocks.append(Block("dynamic", [label], obj.span, header, JsonBody(self.unit, obj), self.unit))
            elif key in self.block_types:
                for obj in objects(value):
                    self._blocks.append(Block(key, [], obj.span, key_span, JsonBody(self.unit, obj), self.unit))
            else:
                self._attrs[key] = Attr(key, key_span, JsonExpr(self.unit, value))


def objects(node: Node) -> list[Node]:
    """A JSON-syntax block value: one object, or a list of objects (Terraform allows both)."""
    if isinstance(node.value, dict):
        return [node]
    if isinstance(node.value, list):
        return [item for item in node.value if isinstance(item.value, dict)]
    return []


def top_blocks(unit: Unit) -> list[Block]:
    """The top-level blocks of a file, whichever syntax it is written in."""
    if unit.hcl is not None:
        file = unit.hcl
        body = hcl.body_of(file.root)
        return [hcl_block(unit, file, item) for item in hcl.items(body) if item.type == "block"]
    if unit.json is None or not isinstance(unit.json.value, dict):
        return []
    blocks = []
    for root in objects(unit.json):
        for key, value in root.value.items():
            key_span = (root.key_spans or {}).get(key, value.span)
            if key in ("resource", "data"):
                blocks += _json_labelled(unit, key, value, 2)
            elif key in ("variable", "module", "output"):
                blocks += _json_labelled(unit, key, value, 1)
            elif key == "locals":
                for obj in objects(value):
                    blocks.append(Block("locals", [], obj.span, key_span, JsonBody(unit, obj, frozenset()), unit))
    return blocks


def _json_labelled(unit: Unit, type_: str, node: Node, depth: int, labels: tuple[str, ...] = ()) -> list[Block]:
    """`{"aws_x": {"name": {...}}}` -> blocks labelled (aws_x, name); the header is the last label's key."""
    blocks = []
    for obj in objects(node):
        for label, inner in obj.value.items():
            header = (obj.key_spans or {}).get(label, inner.span)
            if depth > 1:
                blocks += _json_labelled(unit, type_, inner, depth - 1, labels + (label,))
                continue
            block_types = JSON_BLOCK_TYPES if type_ in ("resource", "data") else frozenset()
            for body in objects(inner):
                blocks.append(Block(type_, [*labels, label], body.span, header, JsonBody(unit, body, block_types), unit))
    return blocks
