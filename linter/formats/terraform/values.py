"""Values of Terraform expressions that other parts of the format share: unknowns, strings that remember
where each character was written, and JSON parsed from such strings with positions mapped back."""
from __future__ import annotations

import json
from typing import Callable, Iterable

from linter.loaders import jsonpos
from linter.loaders.positions import Locator, moved, span_of
from linter.loaders.strmap import MappedText, decode_escapes
from linter.model import UNKNOWN, FileError, Node, Span
from linter.records import dataclass, field


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of a composed string that the module's caller wrote: characters [start, end) of the text,
    and where the caller wrote them (a finding about them points there). `locate` (when the caller's
    string knows where each of its characters is) and `origin` (where the stretch begins in that string)
    let a piece cut from the stretch (`split`) point at its own characters."""

    start: int
    end: int
    path: str
    span: Span
    locate: Locator | None = field(default=None, compare=False, repr=False)
    origin: int = field(default=0, compare=False, repr=False)

    def clipped(self, start: int, end: int) -> Part:
        """The stretch's characters inside [start, end) of the composed text, counted from `start`."""
        first, last = max(self.start, start), min(self.end, end)
        if (first, last) == (self.start, self.end) or self.locate is None:
            return Part(first - start, last - start, self.path, self.span, self.locate, self.origin)
        origin = self.origin + first - self.start
        return Part(first - start, last - start, self.path, span_of(self.locate, origin, origin + last - first),
                    self.locate, origin)


@dataclass(slots=True, eq=False)
class TextNode(Node):
    """A string that knows where each of its characters was written, so JSON parsed from it is located.

    `parts`: for a string a module composes from its own text and values its caller passed in
    (`"${statement.value}:List*"` over the caller's list of services, `format("%s:%s", var.service,
    var.verb)`), each stretch of the text the caller wrote, in text order. A finding on the string points
    at one of them: the caller's values are what the module on its own (its twin, inputs unknown) lacks, so
    they are what the finding is about, and the caller's file is where the user can change them. The span
    and `locate` stay the template's, so JSON parsed from the text keeps its own positions; each JSON string
    holding caller-written characters gets the parts that fall inside it (`parse_json_text`).

    `whole`: each string value interpolated into the text, over its characters, where that value was
    written (a local's literal, the item `each.value` is). Used by JSON parsed from the text only, and only
    for a JSON string that is that value and nothing else (`"Action": "${each.value}"` points at the item,
    as `jsonencode` would); in a string composed around it, the finding is about the template's text.
    """

    locate: Locator | None = None
    parts: tuple[Part, ...] = ()
    whole: tuple[Part, ...] = ()

    def place(self, about: tuple[int, int] | None = None) -> tuple[str, Span]:
        """The caller's part the finding is about.

        `about` (characters [start, end) a rule blames, an action's unknown service or its verb matching
        nothing): the first caller's part inside it, else the string itself, whose text the module wrote
        (`ec2:BatchGet*` matching no action is the fault of the module's `BatchGet*`). No `about` (the whole
        string: a wildcard that grants too much, a statement that fires): the caller's part holding the
        first wildcard (`"${var.service}:${var.verb}"` with the verb `*`), else the first caller's part.
        """
        if not self.parts:
            return self.path, self.span
        if about is not None:
            start, end = about
            part = next((p for p in self.parts if p.start < end and start < p.end), None)
            return (part.path, part.span) if part is not None else (self.path, self.span)
        wildcard = _first_wildcard(str(self.value))
        part = next((p for p in self.parts if p.start <= wildcard < p.end), self.parts[0])
        return part.path, part.span


def _first_wildcard(text: str) -> int:
    """Where the first `*` or `?` of the text is (-1 when it has none)."""
    found = [i for i in (text.find("*"), text.find("?")) if i >= 0]
    return min(found) if found else -1


def leaf_places(values: Iterable[Node]) -> frozenset[tuple[str, Span]]:
    """Where each scalar inside these values was written: a value found here later (copied by a function,
    iterated by `for_each`) is known to come from them by its place, whatever node carries it. A string
    the caller composed itself counts as written where each of its parts was, too."""
    places: set[tuple[str, Span]] = set()
    stack = list(values)
    while stack:
        node = stack.pop()
        if isinstance(node.value, dict):
            stack.extend(node.value.values())
        elif isinstance(node.value, list):
            stack.extend(node.value)
        else:
            places.add((node.path, node.span))
            if isinstance(node, TextNode):
                places.update((part.path, part.span) for part in node.parts)
    return frozenset(places)


def caller_parts(stretches: Iterable[tuple[int, Node]], written_by_caller: frozenset[tuple[str, Span]]
                 ) -> tuple[Part, ...]:
    """The parts of a composed string its module's caller wrote, from the values it is made of (each at the
    offset where its text begins). A value the caller itself composed from its own callers' values brings
    their parts, and the caller's own text between them, so a chain of modules points where the user wrote
    each character."""
    return tuple(part for offset, node in stretches for part in _written_by_caller(offset, node, written_by_caller))


def _written_by_caller(offset: int, node: Node, written_by_caller: frozenset[tuple[str, Span]]) -> list[Part]:
    if not isinstance(node.value, str) or node.is_unknown:
        return []
    own = (node.path, node.span) in written_by_caller
    inner = node.parts if isinstance(node, TextNode) else ()
    locate = node.locate if isinstance(node, TextNode) else None
    parts, at = [], 0
    for part in inner:
        if own and at < part.start:
            parts.append(Part(offset + at, offset + part.start, node.path, node.span, locate, at))
        if own or (part.path, part.span) in written_by_caller:
            parts.append(Part(offset + part.start, offset + part.end, part.path, part.span, part.locate, part.origin))
        at = part.end
    if own and at < len(node.value):
        parts.append(Part(offset + at, offset + len(node.value), node.path, node.span, locate, at))
    return parts


def transformed_parts(text: str, sources: Iterable[Node], written_by_caller: frozenset[tuple[str, Span]]
                      ) -> tuple[Part, ...]:
    """The parts of a string a function made from its first argument the caller wrote (`lower`,
    `replace`): that argument's parts where they were when the length did not change, else one part over
    the whole text, where the first of them was written."""
    for source in sources:
        parts = caller_parts([(0, source)], written_by_caller)
        if parts:
            if len(text) == len(str(source.value)):
                return parts
            return (Part(0, len(text), parts[0].path, parts[0].span),)
    return ()


def unknown(span: Span, path: str, ref: str | None = None, not_arn: str | None = None) -> Node:
    return Node(UNKNOWN, span, path, ref=ref, not_arn=not_arn)


def parse_json_text(value: Node) -> Node | FileError | None:
    """JSON written in a string, parsed with every position mapped to where it was written.

    None when the value is not a string or is unknown; a FileError when fully known text is not JSON (AWS
    would reject it too). Text with unknown parts that does not parse is skipped silently: the unknown part,
    not the user, is the likely cause.
    """
    if not isinstance(value.value, str) or not value.value.strip() or value.value == UNKNOWN:
        return None
    locate = value.locate if isinstance(value, TextNode) and value.locate is not None else _fixed(value.span)
    text, back = quote_bare_unknowns(value.value)
    located = locate if back is _unchanged else moved(locate, back)
    parts = value.parts if isinstance(value, TextNode) else ()
    whole = value.whole if isinstance(value, TextNode) else ()
    strings = _strings_with_parts(text, back, parts, whole, located, value.path) if parts or whole else None
    try:
        return jsonpos.parse(text, value.path, located, strings)
    except jsonpos.JSONSyntaxError as exc:
        if UNKNOWN in text:
            return None
        return FileError(value.path, exc.line, exc.column, f"policy: {exc.message}")


def _strings_with_parts(text: str, back: Callable[[int], int], parts: tuple[Part, ...], whole: tuple[Part, ...],
                        locate: Locator, path: str) -> Callable[[str, int, int], Node]:
    """How JSON a module wrote around its caller's values (a heredoc policy) makes each string: one holding
    characters the caller wrote gets those parts, counted in its own decoded characters, so it points at
    the caller's value as a composed string outside JSON does; one that is exactly an interpolated value
    (`whole`, written as is: no escapes) points where that value was written. `back` maps offsets of
    `text` to the composed string's."""

    def string(value: str, start: int, end: int) -> Node:
        span = span_of(locate, start, end)
        first, last = back(start), back(end)
        if not any(p.start < last and first < p.end for p in parts):
            inside = (back(start + 1), back(end - 1))
            same = next((p for p in whole if (p.start, p.end) == inside and p.end - p.start == len(value)), None)
            if same is not None and end - start - 2 == len(value):
                return TextNode(value, span, path, parts=(Part(0, len(value), same.path, same.span),))
            return Node(value, span, path)
        decoded = MappedText()
        decode_escapes(text, start + 1, end - 1, decoded, hcl=False)
        owners = [next((p for p in parts if p.start <= back(offset) < p.end), None) for offset in decoded.offsets]
        return TextNode(value, span, path, parts=_runs(owners))

    return string


def _runs(owners: list[Part | None]) -> tuple[Part, ...]:
    """Consecutive characters of one caller's part, as one part of the string they are in."""
    runs, start = [], 0
    for i in range(1, len(owners) + 1):
        if i == len(owners) or owners[i] is not owners[start]:
            owner = owners[start]
            if owner is not None:
                runs.append(Part(start, i, owner.path, owner.span))
            start = i
    return tuple(runs)


def _fixed(span: Span) -> Locator:
    return lambda offset: (span.line, span.column)


def _unchanged(offset: int) -> int:
    return offset


def quote_bare_unknowns(text: str) -> tuple[str, Callable[[int], int]]:
    """Wrap unknowns that stand for a whole JSON value (`"Resource": ${var.arns}`) in quotes, so the
    document still parses and that value reads as one unknown string; with where each offset of the new
    text was in the old."""
    if UNKNOWN not in text:
        return text, _unchanged
    chars: list[str] = []
    index: list[int] = []
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == UNKNOWN:
            chars += ['"', UNKNOWN, '"']
            index += [i, i, i]
            continue
        chars.append(char)
        index.append(i)
    index.append(len(text))
    last = len(index) - 1
    return "".join(chars), lambda offset: index[min(max(offset, 0), last)]


def json_leaf_parts(stretches: Iterable[tuple[int, Node]]) -> tuple[Part, ...]:
    """Where each string inside a list or object interpolated into a string was written: a template lays
    such a value out as JSON (as `jsonencode` writes it), and each string in it gets a part over its
    characters there, so a finding on JSON parsed from the text (a `templatefile()` policy writing
    `${jsonencode(actions)}`) points at the string as written, not at the interpolation."""
    parts: list[Part] = []
    for offset, node in stretches:
        if isinstance(node.value, (dict, list)):
            found: list[Part] = []
            if _json_layout(node, offset, found) == offset + len(json.dumps(node.plain(), separators=(",", ":"), ensure_ascii=False)):
                parts += found  # laid out as the text was (else no part: the finding stays at the interpolation)
    return tuple(parts)


def _json_layout(node: Node, offset: int, parts: list[Part]) -> int:
    """Add a part for each known string of `node`, laid out from `offset` as compact JSON; returns where
    its JSON ends."""
    raw = node.value
    if isinstance(raw, (dict, list)):
        at = offset + 1
        items = raw.items() if isinstance(raw, dict) else ((None, item) for item in raw)
        for index, (key, item) in enumerate(items):
            at += (1 if index else 0) + (len(json.dumps(key, ensure_ascii=False)) + 1 if key is not None else 0)
            at = _json_layout(item, at, parts)
        return at + 1
    text = json.dumps(node.plain(), ensure_ascii=False)
    if isinstance(raw, str) and not node.is_unknown:
        parts.append(Part(offset + 1, offset + len(text) - 1, node.path, node.span))
    return offset + len(text)
