"""YAML with a span for every key and value, loaded safely.

PyYAML composes the node tree (in C when `CSafeLoader` is available, which is ~6x faster) and never
constructs Python objects from tags; this module turns the node tree into `Node`s itself. That is what
makes it safe and exact:

- scalars are resolved here: YAML 1.1 booleans, integers, floats and null as PyYAML does, but dates and
  timestamps stay strings (`Version: 2012-10-17` is the string IAM expects), and so does every other tag;
- a format's local tags (`ShortForms`: CloudFormation's `!Ref X`, `!Sub ...`, `!GetAtt A.B`) become the
  long form mappings (`{"Ref": X}`, `{"Fn::Sub": ...}`, `{"Fn::GetAtt": ["A", "B"]}`) its JSON uses;
- a duplicate key is an error (CloudFormation rejects it, and a silently dropped statement is a missed
  finding);
- aliases share one composed node; expanding them is budgeted, so an alias bomb is an error, not an
  out-of-memory kill.

Spans are 1-based and count characters (PyYAML marks are 0-based characters). Block collections end at the
end of their last item, not at the next token, and block scalars end after their last non-blank character.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

from linter.loaders.positions import LineIndex
from linter.model import FileError, Node, Span
from linter.records import dataclass, field

MAX_DEPTH = 200
ALIAS_BUDGET = 100_000  # nodes that alias expansion may add, over all aliases of a document
ALIAS_TEXT_BUDGET = 4_000_000  # characters of scalars that alias expansion may add (one alias of a huge
# scalar is one node, but every copy is linted, quoted in messages and joined by Fn::Join / Fn::Sub)
_SURROGATE = re.compile("[\ud800-\udfff]")



@dataclass(frozen=True, slots=True)
class ShortForms:
    """Local tags that stand for a one-key mapping: `long_forms` maps a tag (`!Ref`) to its key (`Ref`);
    the scalar of a long form in `dotted` is split at its first dot into two items (`!GetAtt A.B`)."""

    long_forms: Mapping[str, str] = field(default_factory=dict)
    dotted: frozenset[str] = frozenset()


NO_SHORT_FORMS = ShortForms()

_CORE = "tag:yaml.org,2002:"


class YAMLSyntaxError(ValueError):
    """YAML that cannot be loaded, with the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def file_error(self, path: str) -> FileError:
        return FileError(path, self.line, self.column, self.message)


def load(text: str, path: str = "", tags: ShortForms = NO_SHORT_FORMS) -> Node | None:
    """The single document of `text` as a Node tree; None for an empty document."""
    documents = load_all(text, path, tags)
    if len(documents) > 1:
        second = documents[1]
        raise YAMLSyntaxError("expected a single YAML document, found another", second.span.line, 1)
    return documents[0] if documents else None


def load_all(text: str, path: str = "", tags: ShortForms = NO_SHORT_FORMS) -> list[Node]:
    """Every document of a (possibly multi-document) YAML stream."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        composed = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YAMLSyntaxError(f"invalid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, but its offset
        line, column = LineIndex(text)(max(0, min(exc.position, len(text))))
        raise YAMLSyntaxError(f"invalid YAML: {exc.reason} (U+{exc.character:04X})", line, column) from None
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(f"invalid YAML: {exc}", 1, 1) from None
    except RecursionError:
        raise YAMLSyntaxError("invalid YAML: nesting too deep", 1, 1) from None
    builder = _Builder(text, path, tags)
    return [builder.build(node) for node in composed if node is not None]


class _Builder:
    """Walks a composed PyYAML node graph once, building Nodes with exact spans."""

    def __init__(self, text: str, path: str, tags: ShortForms) -> None:
        self.text = text
        self.path = path
        self.tags = tags
        self.index = LineIndex(text)
        self.budget = ALIAS_BUDGET
        self.text_budget = ALIAS_TEXT_BUDGET
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self._construct: Callable | None = None

    def build(self, node: object) -> Node:
        self.seen.clear()
        return self.node(node, 0, False)

    # -- dispatch -----------------------------------------------------------------------------------

    def node(self, yaml_node: object, depth: int, in_alias: bool) -> Node:
        key = id(yaml_node)
        mark = yaml_node.start_mark
        if key in self.active:
            raise YAMLSyntaxError("invalid YAML: recursive alias", mark.line + 1, mark.column + 1)
        if depth > MAX_DEPTH:
            raise YAMLSyntaxError(f"YAML nested deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1)
        if key in self.seen:
            in_alias = True  # the same composed node again: an alias being expanded
        self.seen.add(key)
        if in_alias:
            self.budget -= 1
            if isinstance(yaml_node.value, str):
                self.text_budget -= len(yaml_node.value)
            if self.budget < 0 or self.text_budget < 0:
                raise YAMLSyntaxError(
                    "YAML aliases expand to too many nodes or too much text (possible alias bomb)", mark.line + 1, mark.column + 1
                )
        self.active.add(key)
        try:
            built = self.untagged(yaml_node, depth, in_alias)
        finally:
            self.active.discard(key)
        long_form = self.tags.long_forms.get(yaml_node.tag)
        if long_form is None:
            return built
        return self.wrap(long_form, built, yaml_node)

    def untagged(self, yaml_node: object, depth: int, in_alias: bool) -> Node:
        kind = type(yaml_node).__name__
        if kind == "MappingNode":
            return self.mapping(yaml_node, depth, in_alias)
        if kind == "SequenceNode":
            items = [self.node(item, depth + 1, in_alias) for item in yaml_node.value]
            return Node(items, self.collection_span(yaml_node, items), self.path)
        return Node(self.scalar(yaml_node), self.scalar_span(yaml_node), self.path)

    # -- scalars ------------------------------------------------------------------------------------

    def scalar(self, yaml_node: object) -> object:
        """Resolve like YAML 1.1 SafeLoader for bool/int/float/null; everything else is the string."""
        tag = yaml_node.tag
        if yaml_node.style == '"' and _SURROGATE.search(yaml_node.value):
            mark = yaml_node.start_mark
            raise YAMLSyntaxError("invalid YAML: a \\u escape is a lone surrogate, not a character",
                                  mark.line + 1, mark.column + 1)
        if yaml_node.style or not tag.startswith(_CORE):
            return yaml_node.value
        name = tag[len(_CORE):]
        if name not in ("bool", "int", "float", "null"):
            return yaml_node.value
        try:
            return self.constructor(name)(yaml_node)
        except (ValueError, TypeError, KeyError):
            return yaml_node.value  # `!!int abc`: keep the text rather than fail the file

    def constructor(self, name: str) -> Callable:
        if self._construct is None:
            import yaml

            self._construct = yaml.constructor.SafeConstructor()
        return getattr(self._construct, f"construct_yaml_{name}")

    def scalar_span(self, yaml_node: object) -> Span:
        start, end = yaml_node.start_mark, yaml_node.end_mark
        if yaml_node.style in ("|", ">"):
            return self.trimmed(start, end)
        return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def trimmed(self, start: object, end: object) -> Span:
        """A block scalar's end mark is the next token; end after its last non-blank character instead."""
        stop = self.index.offset(end.line + 1, end.column + 1)
        begin = self.index.offset(start.line + 1, start.column + 1)
        while stop > begin and self.text[stop - 1] in " \t\n\r":
            stop -= 1
        line, column = self.index(stop)
        return Span(start.line + 1, start.column + 1, line, column)

    # -- collections --------------------------------------------------------------------------------

    def mapping(self, yaml_node: object, depth: int, in_alias: bool) -> Node:
        items: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        merges: list[Node] = []
        for key_node, value_node in yaml_node.value:
            if key_node.tag == _CORE + "merge" and not key_node.style:
                merges.append(self.node(value_node, depth + 1, in_alias))
                continue
            key = self.key(key_node)
            if key in items:
                mark = key_node.start_mark
                raise YAMLSyntaxError(f"duplicate key '{key}'", mark.line + 1, mark.column + 1)
            key_spans[key] = self.scalar_span(key_node)
            items[key] = self.node(value_node, depth + 1, in_alias)
        for merged in merges:
            self.merge(items, key_spans, merged, yaml_node)
        span = self.collection_span(yaml_node, list(items.values()), list(key_spans.values()))
        return Node(items, span, self.path, key_spans)

    def key(self, key_node: object) -> str:
        if type(key_node).__name__ != "ScalarNode":
            mark = key_node.start_mark
            raise YAMLSyntaxError("mapping keys must be scalars", mark.line + 1, mark.column + 1)
        return key_node.value  # the key as written: CloudFormation keys are strings

    def merge(self, items: dict[str, Node], key_spans: dict[str, Span], merged: Node, yaml_node: object) -> None:
        """YAML merge keys (`<<: *base`): keys written in the mapping itself win, as in PyYAML."""
        sources = merged.value if isinstance(merged.value, list) else [merged]
        for source in sources:
            if not isinstance(source.value, dict):
                mark = yaml_node.start_mark
                raise YAMLSyntaxError("merge key value must be a mapping", mark.line + 1, mark.column + 1)
            for key, value in source.value.items():
                if key not in items:
                    items[key] = value
                    key_spans[key] = source.key_spans[key]

    def collection_span(self, yaml_node: object, children: list[Node], keys: list[Span] = ()) -> Span:
        start, end = yaml_node.start_mark, yaml_node.end_mark
        if yaml_node.flow_style or not (children or keys):
            return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        last = max([child.span for child in children] + list(keys), key=lambda s: (s.end_line, s.end_column))
        return Span(start.line + 1, start.column + 1, last.end_line, last.end_column)

    # -- short forms --------------------------------------------------------------------------------

    def wrap(self, long_form: str, inner: Node, yaml_node: object) -> Node:
        """`!Sub x` -> {"Fn::Sub": x}: the mapping spans tag and value, the key spans the tag."""
        whole = inner.span
        text = self.text
        start = self.index.offset(yaml_node.start_mark.line + 1, yaml_node.start_mark.column + 1)
        stop = self.index.offset(yaml_node.end_mark.line + 1, yaml_node.end_mark.column + 1)
        tag_start = text.find("!", start, max(stop, start + 1))  # an anchor may come first: `&a !Ref X`
        tag_start = start if tag_start < 0 else tag_start
        tag_end = self.skip(tag_start, lambda c: not c.isspace() and c not in "[{")
        value_start = self.skip(tag_end, str.isspace)
        if value_start < stop:
            line, column = self.index(value_start)
            inner.span = Span(line, column, whole.end_line, whole.end_column)
        tag_span = self.index.span(tag_start, tag_end)
        if long_form in self.tags.dotted and isinstance(inner.value, str):
            inner = self.split_dotted(inner)
        return Node({long_form: inner}, whole, self.path, {long_form: tag_span})

    def skip(self, pos: int, predicate: Callable[[str], bool]) -> int:
        while pos < len(self.text) and predicate(self.text[pos]):
            pos += 1
        return pos

    def split_dotted(self, inner: Node) -> Node:
        """`!GetAtt Res.Attr` -> ["Res", "Attr"] (split at the first dot, as CloudFormation does)."""
        name, _, attribute = inner.value.partition(".")
        span = inner.span
        plain = span.line == span.end_line and span.end_column - span.column == len(inner.value)
        if plain and attribute:
            cut = span.column + len(name)
            parts = [
                Node(name, Span(span.line, span.column, span.line, cut), self.path),
                Node(attribute, Span(span.line, cut + 1, span.line, span.end_column), self.path),
            ]
        else:
            parts = [Node(name, span, self.path), Node(attribute, span, self.path)]
        return Node(parts, span, self.path)
