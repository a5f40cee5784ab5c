"""Policy documents in Terraform: JSON held in strings, and `data "aws_iam_policy_document"` blocks.

Both end as an IAM-JSON-shaped `Node` tree (keys spelled as IAM spells them) whose leaves carry the spans of
what was written, ready for `build_document`.
"""
from __future__ import annotations

from linter.formats.terraform import expand
from linter.formats.terraform.evaluate import Evaluator
from linter.formats.terraform.values import parse_json_text, unknown
from linter.formats.terraform.syntax import Block, Body, Unit
from linter.model import UNKNOWN, FileError, Node, Span
from linter.records import replace

DEFAULT_VERSION = "2012-10-17"
_STATEMENT_ATTRIBUTES = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)
# Attributes whose `&{...}` the AWS provider renders as the policy variable `${...}` (Terraform would
# interpolate a literal `${`); principals' identifiers and condition values too, but not actions or sids.
_VARIABLE_ATTRIBUTES = ("resources", "not_resources")
_MERGED = ("source_json", "source_policy_documents", "override_policy_documents", "override_json")


class Documents:
    """Turns policy values into document roots: parses JSON text once per value, builds data sources once."""

    def __init__(self, evaluator: Evaluator, data: dict[str, Block]) -> None:
        self.evaluator = evaluator
        self.data = data
        self.roots: dict[str, Node] = {}  # data source address -> its document root
        self.source_ids: set[int] = set()  # roots merged into a data source as source/override documents
        self.partial_ids: set[int] = set()  # roots with statements that cannot be known offline
        self.errors: list[tuple[FileError, Unit]] = []  # invalid JSON text, with the file that used it
        self._parsed: dict[int, tuple[Node, Node | None]] = {}

    def data_document(self, name: str, key: str | int | None = None) -> Node | None:
        """The document of `data.aws_iam_policy_document.<name>` (of its instance `key` when it has
        count or for_each); None when it has no such instance (`count = 0`)."""
        block = self.data.get(name)
        if block is None:
            return None
        reads = self.evaluator.reads
        made, known = expand.instances(self.evaluator, block)
        fixed = self.evaluator.reads == reads  # the instances (and their names) do not depend on inputs
        if known and key is not None:
            made = [i for i in made if i.key is not None and i.key.value == key]
        if not made or (known and key is None and len(made) > 1):
            return None
        instance = made[0]
        address = block.address + instance.suffix
        root = self.evaluator.cached(
            "data." + name + instance.suffix, lambda: self._built(address, instance.block, fixed), block.header,
            block.unit.display)
        if root is not None and not root.is_unknown:
            self.roots[address] = root
        return root

    def root_of(self, value: Node, origin: Unit) -> Node | None:
        """The document a policy value holds: an object (jsonencode, a data source) or JSON text."""
        if isinstance(value.value, dict):
            return value
        if not isinstance(value.value, str):
            return None
        key = id(value)
        if key not in self._parsed:
            result = parse_json_text(value)
            if isinstance(result, FileError):
                self.errors.append((result, origin))
                result = None
            self._parsed[key] = (value, result if result is not None and isinstance(result.value, dict) else None)
        return self._parsed[key][1]

    # --- data "aws_iam_policy_document" --------------------------------------------------------------

    def _built(self, address: str, block: Block, fixed: bool) -> Node:
        """The data source's document, built once per run for its directory when it reads no input (nor do
        its instances, and it merges no other document: what those record here is not replayed); each
        evaluation gets its own copy, so documents stay distinct per evaluation, as values are."""
        if not fixed or any(block.body.attr(name) is not None for name in _MERGED):
            return self._build(block)

        def build() -> tuple[Node, bool]:
            built = self._build(block)
            return built, id(built) in self.partial_ids

        (root, partial), fresh = self.evaluator.independent(("data", address), build)
        if fresh:
            return root
        root = self.evaluator.own(root)
        if partial:
            self.partial_ids.add(id(root))
        return root

    def _build(self, block: Block) -> Node:
        """The merged document, as the AWS provider renders it: sources, then this block's statements
        (replacing same-Sid ones), then overrides (replacing or appending)."""
        body, path = block.body, block.unit.display
        values: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        version_attr = body.attr("version")
        values["Version"] = (
            self.evaluator.eval(version_attr.expr) if version_attr else Node(DEFAULT_VERSION, block.header, path)
        )
        key_spans["Version"] = version_attr.name_span if version_attr else block.header
        policy_id = body.attr("policy_id")
        if policy_id is not None:
            values["Id"] = self.evaluator.eval(policy_id.expr)
            key_spans["Id"] = policy_id.name_span
        own_blocks, known = expand.blocks(self.evaluator, body, "statement")
        own = [self._statement(b) for b in own_blocks]
        statements: list[Node] = []
        for source in self._documents(block, "source_json", "source_policy_documents"):
            statements = _merge(statements, _statements(source))
            values["Version"] = _newer(values["Version"], source.get("Version"))
        statements = _merge(statements, own)
        for override in self._documents(block, "override_policy_documents", "override_json"):
            statements = _merge(statements, _statements(override))
            values["Version"] = _newer(values["Version"], override.get("Version"))
        statement_span = block.span
        if own_blocks:
            statement_span = own_blocks[0].span.cover(own_blocks[-1].span)
        values["Statement"] = Node(statements, statement_span, path)
        key_spans["Statement"] = own_blocks[0].header if own_blocks else block.header
        root = Node(values, block.span, path, key_spans)
        if not known or self._partial(block):
            self.partial_ids.add(id(root))
        return root

    def _partial(self, block: Block) -> bool:
        """Does a data source take statements from somewhere unknown: an unresolved or partial
        source/override document? (A `dynamic` statement over an unknown collection is told by `expand`.)"""
        names = ("source_json", "source_policy_documents", "override_policy_documents", "override_json")
        return any(root is None or id(root) in self.partial_ids for root in self._named_roots(block, names))

    def _documents(self, block: Block, first: str, second: str) -> list[Node]:
        """Roots of the documents named by a block's source/override attributes, in merge order."""
        roots = [root for root in self._named_roots(block, (first, second)) if root is not None]
        self.source_ids.update(id(root) for root in roots)
        return roots

    def _named_roots(self, block: Block, names: tuple[str, ...]) -> list[Node | None]:
        """The document behind each item of the named attributes; None for an item that does not resolve."""
        roots = []
        for name in names:
            attr = block.body.attr(name)
            if attr is not None:
                value = self.evaluator.eval(attr.expr)
                items = value.value if isinstance(value.value, list) else [value]
                roots += [self.root_of(item, block.unit) for item in items]
        return roots

    def _statement(self, block: Block) -> Node:
        body, path = block.body, block.display
        values: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for attribute, key in _STATEMENT_ATTRIBUTES:
            attr = body.attr(attribute)
            if attr is None:
                continue
            value = self.evaluator.eval(attr.expr)
            if attribute in _VARIABLE_ATTRIBUTES:
                value = policy_variables(value)
            if value.value is not None:
                values[key] = value
                key_spans[key] = attr.name_span
        if "Effect" not in values:  # the data source's default
            values["Effect"] = Node("Allow", block.header, path)
            key_spans["Effect"] = block.header
        for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks, _ = expand.blocks(self.evaluator, body, block_type)
            if blocks:
                values[key] = self._principals(blocks, path)
                key_spans[key] = blocks[0].header
        conditions, _ = expand.blocks(self.evaluator, body, "condition")
        if conditions:
            values["Condition"] = self._conditions(conditions, path)
            key_spans["Condition"] = conditions[0].header
        return Node(values, block.span, path, key_spans)

    def _pair(self, body: Body, first: str, second: str, span: Span, path: str) -> tuple[Node, Node]:
        a, b = body.attr(first), body.attr(second)
        return (
            self.evaluator.eval(a.expr) if a else unknown(span, path),
            self.evaluator.eval(b.expr) if b else unknown(span, path),
        )

    def _principals(self, blocks: list[Block], path: str) -> Node:
        """`principals { type identifiers }` blocks -> `{"AWS": [...], "Service": [...]}`; type `*` -> `"*"`."""
        mapping: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        span = blocks[0].span.cover(blocks[-1].span)
        for block in blocks:
            kind, identifiers = self._pair(block.body, "type", "identifiers", block.header, path)
            identifiers = policy_variables(identifiers)
            if kind.value == "*":
                return Node("*", identifiers.span, identifiers.path)
            key = kind.value if isinstance(kind.value, str) else UNKNOWN
            mapping[key] = _join(mapping[key], identifiers) if key in mapping else identifiers
            key_spans.setdefault(key, kind.span)
        return Node(mapping, span, path, key_spans)

    def _conditions(self, blocks: list[Block], path: str) -> Node:
        """`condition { test variable values }` blocks -> `{"test": {"variable": values}}`."""
        tests: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for block in blocks:
            test, variable = self._pair(block.body, "test", "variable", block.header, path)
            values_attr = block.body.attr("values")
            values = self.evaluator.eval(values_attr.expr) if values_attr else unknown(block.header, path)
            values = policy_variables(values)
            test_key = test.value if isinstance(test.value, str) else UNKNOWN
            variable_key = variable.value if isinstance(variable.value, str) else UNKNOWN
            if test_key not in tests:
                tests[test_key] = Node({}, block.span, path, {})
                key_spans[test_key] = test.span
            inner = tests[test_key]
            inner.span = inner.span.cover(block.span)
            assert isinstance(inner.value, dict) and inner.key_spans is not None
            if variable_key in inner.value:
                inner.value[variable_key] = _join(inner.value[variable_key], values)
            else:
                inner.value[variable_key] = values
                inner.key_spans[variable_key] = variable.span
        return Node(tests, blocks[0].span.cover(blocks[-1].span), path, key_spans)


def policy_variables(node: Node) -> Node:
    """A data source value as the provider renders it: `&{aws:username}` becomes `${aws:username}`.

    The replacement keeps the length, so every character keeps its position; nodes are copied, not changed
    (an evaluated local may be shared with places where `&{` is literal text).
    """
    if isinstance(node.value, str):
        return replace(node, value=node.value.replace("&{", "${")) if "&{" in node.value else node
    if isinstance(node.value, list):
        items = [policy_variables(item) for item in node.value]
        if any(new is not old for new, old in zip(items, node.value)):
            return replace(node, value=items)
    return node


def _join(first: Node, second: Node) -> Node:
    """Two values of the same principal type or condition key: one list, spanning both."""
    return Node(first.items_list() + second.items_list(), first.span.cover(second.span), first.path)


def _statements(root: Node) -> list[Node]:
    statement = root.get("Statement")
    return [item for item in statement.items_list() if isinstance(item.value, dict)] if statement else []


def _sid(statement: Node) -> str | None:
    sid = statement.get("Sid")
    if sid is None or not isinstance(sid.value, str) or not sid.value or sid.is_unknown:
        return None
    return sid.value


def _merge(existing: list[Node], new: list[Node]) -> list[Node]:
    """The provider's merge: a statement replaces the one with the same Sid in place, else is appended."""
    result = list(existing)
    for statement in new:
        sid = _sid(statement)
        position = next((i for i, old in enumerate(result) if sid is not None and _sid(old) == sid), None)
        if position is None:
            result.append(statement)
        else:
            result[position] = statement
    return result


def _newer(current: Node, other: Node | None) -> Node:
    if other is not None and isinstance(other.value, str) and isinstance(current.value, str):
        if other.value > current.value:
            return other
    return current
