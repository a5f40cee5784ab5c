"""Terraform's built-in functions that real modules use to build policies, on positioned `Node`s.

Every function keeps the nodes it was given wherever Terraform would pass a value through unchanged
(`concat`, `lookup`, `merge`, `element`, ...), so a string that flows through them is reported where the
user wrote it. A result that depends on an unknown is unknown (never a guess), and a call Terraform would
reject (`one` of three items, a missing key without default) is `Missing`, which `try` and `can` see.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from linter.formats.terraform.regex import go_replace
from linter.formats.terraform.values import TextNode, unknown
from linter.loaders.positions import moved, span_of
from linter.model import UNKNOWN, Node, Span
from linter.records import replace
from linter.values import number


class Missing(Node):
    """A value that does not exist (a missing attribute or key, an index past the end, a rejected call):
    unknown to every rule, but an error that `try` skips and `can` reports as false."""

    __slots__ = ()


def missing(span: Span, path: str) -> Node:
    return Missing(UNKNOWN, span, path)


class Uncounted(Node):
    """A set (or `distinct` list) with unknown items: every value it holds is among its items, so a policy
    built from it grants what it grants, but an unknown may equal another item, so how many items it has,
    and which index holds which, are unknown (`length(toset([var.x, "a"]))` is 1 or 2)."""

    __slots__ = ()


class Set(Node):
    """A set (`toset`, a variable of a `set(...)` type): iterated by `for` expressions, `dynamic` blocks and
    template directives with its key the item itself, as Terraform iterates a set (an index is a list's)."""

    __slots__ = ()


class UncountedSet(Uncounted, Set):
    """A set with unknown items: its items as a set's, its length and order unknown."""

    __slots__ = ()


def _counted(items: list[Node], span: Span, path: str, inputs: list[Node], as_set: bool = False) -> Node:
    """A list (a set with `as_set`) made from `inputs`: its length is unknown when one of theirs is."""
    uncounted = any(isinstance(value, Uncounted) for value in inputs)
    kind = (UncountedSet if uncounted else Set) if as_set else (Uncounted if uncounted else Node)
    return kind(items, span, path)


MAX_VALUE_SIZE = 1_000_000  # items and characters of one value (a local, a `for`, a string a function makes)
MAX_MAGNITUDE = 1e300  # numbers computed with here; Terraform's have any size (beyond: unknown, see `numeric`)
EXACT_FLOAT = 2.0**53  # past it a float no longer holds every integer (1e17 + 1 is 1e17)


def numeric(value: int | float | None, span: Span, path: str) -> Node:
    """A number as a value: unknown when it cannot be held here as Terraform holds it (an infinity, a
    number past MAX_MAGNITUDE, too long to compute with or to write as text, a float too large to hold the
    integers next to it), never a crash or a wrong number. (Integers are exact at any size.)"""
    if value is None or isinstance(value, bool) or not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        return unknown(span, path)
    if isinstance(value, float) and not -EXACT_FLOAT < value < EXACT_FLOAT:
        return unknown(span, path)
    return Node(value, span, path)


def known(value: Node) -> bool:
    """Known all the way down (no unknown string anywhere in it)."""
    if isinstance(value.value, dict):
        return all(known(v) for v in value.value.values())
    if isinstance(value.value, list):
        return all(known(v) for v in value.value)
    return not value.is_unknown


def as_text(value: Node) -> str:
    """How a value reads inside a string (objects as JSON, as `jsonencode` makes them)."""
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


def _text(value: Node) -> str | None:
    """A known scalar as Terraform converts it to a string; None when unknown or not a scalar."""
    if value.is_unknown or isinstance(value.value, (dict, list)) or value.value is None:
        return None
    return as_text(value)


def _items(value: Node) -> list[Node] | None:
    """A list's items, or a map's values in key order (sets and tuples are lists here); None otherwise."""
    if isinstance(value.value, list):
        return value.value
    if isinstance(value.value, dict):
        return [value.value[k] for k in sorted(value.value)]
    return None


Function = Callable[[list[Node], Span, str], Node]


def _coalesce(values: list[Node], span: Span, path: str) -> Node:
    for value in values:
        if value.is_unknown:
            return unknown(span, path, ref=value.ref, not_arn=value.not_arn)
        if value.value is not None and value.value != "":
            return value
    return missing(span, path)


def _coalescelist(values: list[Node], span: Span, path: str) -> Node:
    for value in values:
        if not isinstance(value.value, list):
            return unknown(span, path)
        if value.value:
            return value
    return missing(span, path)


def _try(values: list[Node], span: Span, path: str) -> Node:
    """The first argument that is not an error (an unknown is not an error: it is what Terraform returns)."""
    for value in values:
        if not isinstance(value, Missing):
            return value
    return missing(span, path)


def _can(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 1:
        return unknown(span, path)
    value = values[0]
    if isinstance(value, Missing):
        return Node(False, span, path)
    return Node(True, span, path) if not value.is_unknown else unknown(span, path)


def _merge(values: list[Node], span: Span, path: str) -> Node:
    merged: dict[str, Node] = {}
    key_spans: dict[str, Span] = {}
    for value in values:
        if value.value is None:
            continue
        if not isinstance(value.value, dict):
            return unknown(span, path)
        for key, item in value.value.items():
            merged.pop(key, None)
            merged[key] = item
        key_spans.update(value.key_spans or {})
    return Node(merged, span, path, key_spans)


def _concat(values: list[Node], span: Span, path: str) -> Node:
    items: list[Node] = []
    for value in values:
        if not isinstance(value.value, list):
            return unknown(span, path)
        items += value.value
    return _counted(items, span, path, values)


def _uncounted_within(value: Node) -> bool:
    """Is this list, or a list nested in it (what `flatten` takes apart), of unknown length?"""
    return isinstance(value, Uncounted) or isinstance(value.value, list) and any(
        _uncounted_within(item) for item in value.value)


def _flatten_items(items: list[Node]) -> tuple[list[Node], bool]:
    """The items of nested lists, in order, and whether one is an unknown: it might be a list of any length
    (its items are unknown, as it is, so it is kept as one, and the count is unknown)."""
    result: list[Node] = []
    stack = list(reversed(items))
    uncounted = False
    while stack:
        item = stack.pop()
        if isinstance(item.value, list):
            stack.extend(reversed(item.value))
            continue
        uncounted = uncounted or item.value == UNKNOWN
        result.append(item)
    return result, uncounted


def _list_function(name: str) -> Function:
    """flatten, compact, distinct, toset, tolist: one list in, one list out, items kept."""

    def apply(values: list[Node], span: Span, path: str) -> Node:
        if len(values) != 1 or not isinstance(values[0].value, list):
            return unknown(span, path)
        items = values[0].value
        if name == "flatten":
            flat, uncounted = _flatten_items(items)
            if uncounted or _uncounted_within(values[0]):
                return Uncounted(flat, span, path)
            items = flat
        elif name == "compact":
            kept = [i for i in items if i.value not in ("", None)]
            if any(i.is_unknown for i in kept):  # an unknown may be "": the others are kept, their count not
                return Uncounted(kept, span, path)
            items = kept
        elif name in ("distinct", "toset"):
            if not all(known(i) for i in items):
                kind = (UncountedSet if name == "toset" else Uncounted) if len(items) > 1 else (
                    Set if name == "toset" else Node)
                return kind(list(items), span, path)
            if name == "toset":
                items = _unified(items)
            seen: set[str] = set()
            unique = []
            for item in items:
                key = json.dumps(item.plain(), sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    unique.append(item)
            items = sorted(unique, key=_set_order) if name == "toset" else unique
        return _counted(list(items), span, path, values, as_set=name == "toset")

    return apply


def _unified(items: list[Node]) -> list[Node]:
    """A set's items of one type, as Terraform makes them: numbers and bools among strings become
    strings (`toset(["b", 1])` holds "1" and "b")."""
    scalars = [i.value for i in items if not isinstance(i.value, (dict, list)) and i.value is not None]
    if not any(isinstance(v, str) for v in scalars) or all(isinstance(v, str) for v in scalars):
        return items
    return [Node(as_text(i), i.span, i.path) if isinstance(i.value, (int, float)) else i for i in items]


def _set_order(item: Node) -> tuple:
    """Where an item goes in a set: false before true, numbers by value, strings lexically."""
    raw = item.value
    if isinstance(raw, bool):
        return (0, raw)
    if isinstance(raw, (int, float)):
        return (1, raw)
    if isinstance(raw, str):
        return (2, raw)
    return (3, json.dumps(item.plain(), sort_keys=True))


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _tostring(values: list[Node], span: Span, path: str) -> Node:
    """A number or a bool as its text (`tostring(1)` is "1", so `== "1"` holds); a string, null or an
    unknown as it is; a list or an object cannot be one (an error)."""
    if len(values) != 1:
        return unknown(span, path)
    value = values[0]
    if value.value is None or isinstance(value.value, str):
        return value
    if isinstance(value.value, (dict, list)):
        return missing(span, path)
    return Node(as_text(value), value.span, value.path)


def _tonumber(values: list[Node], span: Span, path: str) -> Node:
    """A number as it is, a string holding one (Terraform's syntax: no spaces, no `_`) as that number;
    a bool or any other string is an error."""
    if len(values) != 1:
        return unknown(span, path)
    value, raw = values[0], values[0].value
    if raw is None or value.is_unknown or (isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        return value
    if isinstance(raw, str) and _NUMBER.fullmatch(raw):
        return numeric(number(raw), value.span, value.path)
    return missing(span, path)


def _tobool(values: list[Node], span: Span, path: str) -> Node:
    """A bool as it is, `"true"`/`"false"` as that bool; anything else is an error."""
    if len(values) != 1:
        return unknown(span, path)
    value, raw = values[0], values[0].value
    if raw is None or value.is_unknown or isinstance(raw, bool):
        return value
    if raw in ("true", "false"):
        return Node(raw == "true", value.span, value.path)
    return missing(span, path)


def equal(a: object, b: object) -> bool:
    """Terraform's `==` on two known plain values: values of different types differ (`true == 1` is
    false, as `"1" == 1` is), numbers compare by value, collections item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return a == b


def _identity(values: list[Node], span: Span, path: str) -> Node:
    return values[0] if len(values) == 1 else unknown(span, path)


def _tolist(values: list[Node], span: Span, path: str) -> Node:
    """A list as it is; a set as the list of its items in its order (iterated by index from then on)."""
    if len(values) != 1 or not isinstance(values[0], Set):
        return _identity(values, span, path)
    value = values[0]
    return (Uncounted if isinstance(value, Uncounted) else Node)(value.value, value.span, value.path)


def _lookup(values: list[Node], span: Span, path: str) -> Node:
    if len(values) not in (2, 3):
        return unknown(span, path)
    mapping, key = values[0], _text(values[1])
    if not isinstance(mapping.value, dict) or key is None:
        return unknown(span, path)
    if key in mapping.value:
        return mapping.value[key]
    return values[2] if len(values) == 3 else missing(span, path)


def _keys(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 1 or not isinstance(values[0].value, dict):
        return unknown(span, path)
    mapping = values[0]
    spans = mapping.key_spans or {}
    return Node([Node(k, spans.get(k, mapping.span), mapping.path) for k in sorted(mapping.value)], span, path)


def _values(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 1 or not isinstance(values[0].value, dict):
        return unknown(span, path)
    return Node(_items(values[0]) or [], span, path)


def _zipmap(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 2 or not all(isinstance(v.value, list) and not isinstance(v, Uncounted) for v in values):
        return unknown(span, path)  # (which key goes with which value is unknown when a length is)
    keys = [_text(k) for k in values[0].value]
    if None in keys or len(keys) != len(values[1].value):
        return unknown(span, path)
    return Node(dict(zip(keys, values[1].value)), span, path, {k: n.span for k, n in zip(keys, values[0].value)})


def _tomap(values: list[Node], span: Span, path: str) -> Node:
    return values[0] if len(values) == 1 and isinstance(values[0].value, dict) else unknown(span, path)


def _contains(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 2 or not isinstance(values[0].value, list) or not known(values[1]):
        return unknown(span, path)
    wanted = values[1].plain()
    if any(equal(item.plain(), wanted) for item in values[0].value):
        return Node(True, span, path)
    if not all(known(item) for item in values[0].value):
        return unknown(span, path)
    return Node(False, span, path)


def _length(values: list[Node], span: Span, path: str) -> Node:
    if len(values) != 1:
        return unknown(span, path)
    value = values[0].value
    if isinstance(values[0], Uncounted):
        return unknown(span, path)
    if isinstance(value, (list, dict)):
        return Node(len(value), span, path)
    text = _text(values[0])
    return Node(len(text), span, path) if text is not None and isinstance(value, str) else unknown(span, path)


RANGE_LIMIT = 1024  # Terraform's own: a range that would hold more is an error


def _range(values: list[Node], span: Span, path: str) -> Node:
    """`range(max)`, `range(start, limit)`, `range(start, limit, step)`: from start, adding step while short
    of limit (the step's sign: 1 or -1 towards limit by default). Terraform rejects a step of zero or of
    the wrong sign that never ends, and more than 1,024 numbers: an error, never a long list."""
    raw = [value.value for value in values]
    if not 1 <= len(raw) <= 3 or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in raw):
        return unknown(span, path)
    start, limit = (0, raw[0]) if len(raw) == 1 else (raw[0], raw[1])
    step = raw[2] if len(raw) == 3 else (1 if limit >= start else -1)
    if step == 0 or (limit - start) / step > RANGE_LIMIT:
        return missing(span, path)
    numbers: list[Node] = []
    number = start
    while (number < limit) if step > 0 else (number > limit):
        if number + step == number or len(numbers) > RANGE_LIMIT:  # past a float's precision: uncountable here
            return unknown(span, path)
        numbers.append(Node(number, span, path))
        number += step
    return Node(numbers, span, path)


def _element(values: list[Node], span: Span, path: str) -> Node:
    """The item at the index taken modulo the length (so -1 is the last, as current Terraform has it; 1.7
    and older reject a negative index); an empty list or a fractional index is an error."""
    if len(values) != 2 or not isinstance(values[0].value, list) or isinstance(values[0], Uncounted):
        return unknown(span, path)
    index = values[1].value
    if isinstance(index, bool) or not isinstance(index, (int, float)):
        return unknown(span, path)
    if not values[0].value or index != int(index):
        return missing(span, path)
    return values[0].value[int(index) % len(values[0].value)]


def _one(values: list[Node], span: Span, path: str) -> Node:
    """The only item of a list (null for an empty one); a value that is not a list (an unknown, a resource
    whose count is unknown) passes through, so a reference keeps naming its resource."""
    if len(values) != 1:
        return unknown(span, path)
    value = values[0]
    if not isinstance(value.value, list):
        return value if value.is_unknown else unknown(span, path)
    if isinstance(value, Uncounted):  # one item, or an error
        return unknown(span, path)
    if not value.value:
        return Node(None, span, path)
    return value.value[0] if len(value.value) == 1 else missing(span, path)


def _join(values: list[Node], span: Span, path: str) -> Node:
    joined = _joined(values)
    return Node(joined[0], span, path) if joined is not None else unknown(span, path)


def _joined(values: list[Node]) -> tuple[str, list[tuple[int, Node]]] | None:
    """The text `join` makes, and where each item's text begins in it; None when unknown."""
    if len(values) != 2 or not isinstance(values[1].value, list) or isinstance(values[1], Uncounted):
        return None  # (how many times an item is written is unknown)
    separator = _text(values[0])
    parts = [_text(item) for item in values[1].value]
    if separator is None or None in parts:
        return None
    if sum(map(len, parts)) + len(separator) * len(parts) > MAX_VALUE_SIZE:
        return None  # (too long to hold: unknown)
    starts, at = [], 0
    for part in parts:
        starts.append(at)
        at += len(part) + len(separator)
    return separator.join(parts), list(zip(starts, values[1].value))


def _split(values: list[Node], span: Span, path: str) -> Node:
    """Each piece of the string points where it was written: its own characters of a string that knows
    where each was (a literal, the caller's argument), else the whole string."""
    separator, text = (_text(v) for v in values) if len(values) == 2 else (None, None)
    if not separator or text is None:
        return unknown(span, path)
    source, pieces, at = values[1], [], 0
    for piece in text.split(separator):
        pieces.append(_piece(source, piece, at))
        at += len(piece) + len(separator)
    return Node(pieces, span, path)


def _piece(source: Node, text: str, start: int) -> Node:
    """Characters [start, start + len(text)) of a string: located, and with the caller's parts inside them,
    when the string knows where its characters were written; all of it is the string itself."""
    if isinstance(source.value, str) and len(text) == len(source.value):
        return source  # no separator in it: the string itself
    if not isinstance(source, TextNode):
        return Node(text, source.span, source.path)
    end, locate = start + len(text), source.locate
    parts = tuple(part.clipped(start, end) for part in source.parts if part.start < end and start < part.end)
    if locate is None:
        return TextNode(text, source.span, source.path, parts=parts)
    return TextNode(text, span_of(locate, start, end), source.path, locate=moved(locate, lambda offset: start + offset),
                    parts=parts)


def _string_function(transform: Callable[[str], str]) -> Function:
    def apply(values: list[Node], span: Span, path: str) -> Node:
        text = _text(values[0]) if len(values) == 1 else None
        return Node(transform(text), span, path) if text is not None else unknown(span, path)

    return apply


def _replace(values: list[Node], span: Span, path: str) -> Node:
    """Every occurrence replaced (an empty search string matches between every two characters, as Go's
    does); a search string of two or more characters between slashes is a regular expression (`regex`:
    unknown when outside what is evaluated)."""
    texts = [_text(v) for v in values] if len(values) == 3 else [None]
    if None in texts:
        return unknown(span, path)
    if len(texts[0]) + texts[0].count(texts[1]) * (len(texts[2]) - len(texts[1])) > MAX_VALUE_SIZE:
        return unknown(span, path)  # too long to hold (an empty search string inserts between every two)
    if len(texts[1]) > 1 and texts[1].startswith("/") and texts[1].endswith("/"):
        replaced = go_replace(texts[0], texts[1][1:-1], texts[2])
        return Node(replaced, span, path) if replaced is not None else unknown(span, path)
    return Node(texts[0].replace(texts[1], texts[2]), span, path)


def _jsonencode(values: list[Node], span: Span, path: str) -> Node:
    """An object or a list stays itself: a policy document is read as the structure it encodes, and it
    reads as its JSON wherever it meets text (`as_text`). A scalar becomes its JSON text, so a string
    interpolated into JSON a module writes (`"Resource": ${jsonencode(var.arn)}`) is a JSON string, in
    quotes, and null is `null`. A whole unknown (which may be a list) stays as it is."""
    if len(values) != 1:
        return unknown(span, path)
    value = values[0]
    raw = value.value
    if isinstance(raw, (dict, list)) or raw == UNKNOWN or isinstance(value, Missing):
        return value
    if not isinstance(raw, str):
        return Node("null" if raw is None else as_text(value), value.span, value.path)
    text = json_string(raw)
    if not isinstance(value, TextNode) or len(text) != len(raw) + 2:
        return Node(text, value.span, value.path)
    # Each character keeps its place, one further on past the opening quote.
    locate = value.locate
    shifted = moved(locate, lambda offset: min(max(offset - 1, 0), len(raw))) if locate is not None else None
    parts = tuple(replace(part, start=part.start + 1, end=part.end + 1) for part in value.parts)
    return TextNode(text, value.span, value.path, locate=shifted, parts=parts)


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_string(text: str) -> str:
    """A string as Terraform's `jsonencode` writes it: JSON, non-ASCII kept, with Go's escapes of `<`, `>`,
    `&` and the two line separators."""
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escape in _GO_ESCAPES.items():
        encoded = encoded.replace(char, escape)
    return encoded


def _format(values: list[Node], span: Span, path: str) -> Node:
    """`%s`/`%d`/`%v`, `%q` (a JSON string) and `%%` only; anything else (a width, a flag), or an unknown
    argument, keeps the text unknown."""
    formatted = _formatted(values)
    return Node(formatted[0], span, path) if formatted is not None else unknown(span, path)


def _formatted(values: list[Node]) -> tuple[str, list[tuple[int, Node]]] | None:
    """The text `format` makes, and where each argument's text begins in it; None when unknown."""
    spec = _text(values[0]) if values else None
    if spec is None:
        return None
    out, placed, arguments, i, size = [], [], iter(values[1:]), 0, 0
    while i < len(spec):
        char = spec[i]
        if char != "%":
            out.append(char)
            i, size = i + 1, size + 1
            continue
        verb = spec[i + 1 : i + 2]
        i += 2
        if verb == "%":
            out.append("%")
            size += 1
            continue
        argument = next(arguments, None)
        if verb not in ("s", "d", "v", "q") or argument is None or argument.value is None:
            return None  # (Terraform cannot format a null)
        text = as_text(argument) if not isinstance(argument.value, (dict, list)) else UNKNOWN
        if verb == "q":  # a JSON string: the text quoted (escapes changing it say nothing of where it went)
            if text == UNKNOWN:
                return None
            quoted = json_string(text)
            if len(quoted) == len(text) + 2:
                placed.append((size + 1, argument))
            out.append(quoted)
            size += len(quoted)
            continue
        placed.append((size, argument))
        out.append(text)
        size += len(text)
        if size > MAX_VALUE_SIZE:
            return None  # too long to hold: unknown
    return "".join(out), placed


def _formatlist(values: list[Node], span: Span, path: str) -> Node:
    rows = formatlist_rows(values)
    if rows is None:
        return unknown(span, path)
    return _counted([_format(row, span, path) for row in rows], span, path, values)


def formatlist_rows(values: list[Node]) -> list[list[Node]] | None:
    """The arguments `formatlist` gives `format` for each item it makes; None when it makes no list."""
    lists = [v.value for v in values[1:] if isinstance(v.value, list)]
    if not values or not lists or len({len(item) for item in lists}) != 1:
        return None
    return [[values[0], *(v.value[index] if isinstance(v.value, list) else v for v in values[1:])]
            for index in range(len(lists[0]))]


# The functions that make a new string of their arguments' text, each with what makes that text and tells
# where each argument's text begins in it (None: made from the first argument, not saying where each
# character went).
COMPOSING: dict[str, Callable[[list[Node]], tuple[str, list[tuple[int, Node]]] | None] | None] = {
    "format": _formatted,
    "join": _joined,
    "lower": None,
    "upper": None,
    "trimspace": None,
    "replace": None,
}

FUNCTIONS: dict[str, Function] = {
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "try": _try,
    "can": _can,
    "merge": _merge,
    "concat": _concat,
    "flatten": _list_function("flatten"),
    "compact": _list_function("compact"),
    "distinct": _list_function("distinct"),
    "toset": _list_function("toset"),
    "tolist": _tolist,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "sensitive": _identity,
    "nonsensitive": _identity,
    "tomap": _tomap,
    "lookup": _lookup,
    "keys": _keys,
    "values": _values,
    "zipmap": _zipmap,
    "contains": _contains,
    "length": _length,
    "element": _element,
    "one": _one,
    "range": _range,
    "join": _join,
    "split": _split,
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "trimspace": _string_function(str.strip),
    "replace": _replace,
    "format": _format,
    "formatlist": _formatlist,
    "jsonencode": _jsonencode,
}
