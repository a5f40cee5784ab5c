"""Values of Terraform expressions that other parts of the format share: unknowns, strings that remember
where each character was written, and JSON parsed from such strings with positions mapped back."""
from __future__ import annotations

from typing import Iterable

from linter.loaders import jsonpos
from linter.loaders.positions import Locator
from linter.model import UNKNOWN, FileError, Node, Span
from linter.records import dataclass


@dataclass(slots=True, eq=False)
class TextNode(Node):
    """A string that knows where each of its characters was written, so JSON parsed from it is located.

    `origin`: for a string a module composes from its own text and a value its caller passed in
    (`"${statement.value}:List*"` over the caller's list of services), the caller's element. A finding on
    the string points there: the caller's value is what the module on its own (its twin, inputs unknown)
    lacks, so it is the part the finding is about, and the caller's file is where the user can change it.
    The span and `locate` stay the template's, so JSON parsed from the text keeps its own positions; for
    that JSON, `pieces` says where each caller's value was interpolated ((line, column) of its `${`) and
    which element it is, so a JSON string holding one points at it too.
    """

    locate: Locator | None = None
    origin: Node | None = None
    pieces: tuple[tuple[tuple[int, int], Node], ...] = ()

    def place(self, about: str | None = None) -> tuple[str, Span]:
        """The caller's element, unless the finding is `about` a part of the text the caller did not write
        (`ec2:BatchGet*` matching no action is about `BatchGet*`, the module's text)."""
        if self.origin is None or (about is not None and not _within(self.origin.value, about)):
            return self.path, self.span
        return self.origin.place()


def _within(written: object, about: str) -> bool:
    return isinstance(written, str) and bool(written) and (written in about or about in written)


def leaf_places(values: Iterable[Node]) -> frozenset[tuple[str, Span]]:
    """Where each scalar inside these values was written: a value found here later (copied by a function,
    iterated by `for_each`) is known to come from them by its place, whatever node carries it. A string
    the caller composed itself counts as written where it points (`origin`), too."""
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
            places.add(node.place())
    return frozenset(places)


def caller_part(parts: Iterable[Node], written_by_caller: frozenset[tuple[str, Span]]) -> Node | None:
    """The first known string among the parts of a composed string that the module's caller wrote, or None."""
    return next((origin for part in parts if (origin := _caller_origin(part, written_by_caller)) is not None), None)


def caller_pieces(parts: Iterable[tuple[tuple[int, int], Node]], written_by_caller: frozenset[tuple[str, Span]]
                  ) -> tuple[tuple[tuple[int, int], Node], ...]:
    """The interpolated parts (where each starts, its value) that the module's caller wrote, as `pieces`."""
    found = ((at, _caller_origin(part, written_by_caller)) for at, part in parts)
    return tuple((at, origin) for at, origin in found if origin is not None)


def _caller_origin(part: Node, written_by_caller: frozenset[tuple[str, Span]]) -> Node | None:
    """A known string the module's caller wrote, as the node whose place a finding takes (a part the caller
    itself composed from its own caller's value points further up, to where the user wrote it)."""
    if not isinstance(part.value, str) or part.is_unknown:
        return None
    origin = part.origin if isinstance(part, TextNode) and part.origin is not None else part
    return origin if (part.path, part.span) in written_by_caller or origin.place() in written_by_caller else None


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
    span = value.span
    locate = value.locate if isinstance(value, TextNode) and value.locate is not None else _fixed(span)
    text, locate = quote_bare_unknowns(value.value, locate)
    try:
        parsed = jsonpos.parse(text, value.path, locate)
    except jsonpos.JSONSyntaxError as exc:
        if UNKNOWN in text:
            return None
        return FileError(value.path, exc.line, exc.column, f"policy: {exc.message}")
    return _point_at_callers(parsed, value.pieces) if isinstance(value, TextNode) and value.pieces else parsed


def _point_at_callers(root: Node, pieces: tuple[tuple[tuple[int, int], Node], ...]) -> Node:
    """JSON a module wrote with its caller's values interpolated: each string holding one (its `${` inside
    the string's span) points at the caller's element, as a composed string outside JSON does."""
    stack = [root]
    while stack:
        node = stack.pop()
        slots = node.value.items() if isinstance(node.value, dict) else enumerate(node.value) \
            if isinstance(node.value, list) else ()
        for key, item in list(slots):
            if isinstance(item.value, (dict, list)):
                stack.append(item)
                continue
            start, end = (item.span.line, item.span.column), (item.span.end_line, item.span.end_column)
            origin = next((o for at, o in pieces if start <= at < end and isinstance(item.value, str)), None)
            if origin is not None:
                node.value[key] = TextNode(item.value, item.span, item.path, origin=origin)
    return root


def _fixed(span: Span) -> Locator:
    return lambda offset: (span.line, span.column)


def quote_bare_unknowns(text: str, locate: Locator) -> tuple[str, Locator]:
    """Wrap unknowns that stand for a whole JSON value (`"Resource": ${var.arns}`) in quotes, so the
    document still parses and that value reads as one unknown string."""
    if UNKNOWN not in text:
        return text, locate
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
    return "".join(chars), lambda offset: locate(index[min(max(offset, 0), last)])
