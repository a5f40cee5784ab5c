"""JSON with a span for every key and value.

The standard library parses and reports syntax errors (fast, in C); this module then walks the text once
more to attach positions. Duplicate keys keep the last value, as AWS does.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from linter.loaders.positions import LineIndex, Locator, span_of
from linter.model import Node

MAX_DEPTH = 200

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS = {"true": True, "false": False, "null": None}

Strings = Callable[[str, int, int], Node]


class JSONSyntaxError(ValueError):
    """Invalid JSON, with the 1-based line and column where parsing stopped."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _NotANumber(ValueError):
    """`NaN` or `Infinity`: Python's parser takes them, JSON (and AWS) does not."""


def _reject_constant(word: str) -> object:
    raise _NotANumber(word)


def check_syntax(text: str, locate: Locator | None = None) -> object:
    """Parse with the standard library; raise JSONSyntaxError with a position on failure.

    What the standard library accepts but JSON does not (`NaN`, `Infinity`) and what it cannot convert (an
    integer of thousands of digits) is located by walking the text, so the error points at the value.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        line, column = (locate or LineIndex(text))(exc.pos)
        raise JSONSyntaxError(f"invalid JSON: {exc.msg}", line, column) from None
    except (RecursionError, ValueError):
        _Parser(text, "", locate or LineIndex(text)).document()  # raises at the offending value
        raise JSONSyntaxError("invalid JSON: a value cannot be read", 1, 1) from None


def parse(text: str, path: str = "", locate: Locator | None = None, strings: Strings | None = None) -> Node:
    """Parse JSON text into a Node tree; `locate` maps offsets when the text is embedded in another file.
    `strings` makes the node of each string from its value and its offsets in `text` (quotes included),
    for text that knows more about its characters than their positions (who wrote them)."""
    check_syntax(text, locate)
    return build(text, path, locate, strings)


def build(text: str, path: str = "", locate: Locator | None = None, strings: Strings | None = None) -> Node:
    """The Node tree of text that `check_syntax` has already accepted (it is not checked again)."""
    return _Parser(text, path, locate or LineIndex(text), strings).document()


class _Parser:
    """Recursive descent over text already known to be valid JSON."""

    def __init__(self, text: str, path: str, locate: Locator, strings: Strings | None = None) -> None:
        self.text, self.path, self.locate = text, path, locate
        self.strings = strings or self.leaf

    def document(self) -> Node:
        start = _WS.match(self.text, 0).end()
        node, _ = self.value(start, 0)
        return node

    def value(self, pos: int, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            line, column = self.locate(pos)
            raise JSONSyntaxError(f"JSON nested deeper than {MAX_DEPTH} levels", line, column)
        char = self.text[pos]
        if char == "{":
            return self.mapping(pos, depth)
        if char == "[":
            return self.sequence(pos, depth)
        if char == '"':
            return self.string(pos)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, pos):
                return self.leaf(literal, pos, pos + len(word)), pos + len(word)
        return self.number(pos)

    def fail(self, pos: int, message: str) -> JSONSyntaxError:
        line, column = self.locate(pos)
        return JSONSyntaxError(f"invalid JSON: {message}", line, column)

    def string(self, pos: int) -> tuple[Node, int]:
        """A string; a lone surrogate escape (`\\ud800`) is not a character, so it is an error here."""
        end = _STRING.match(self.text, pos).end()
        value = json.loads(self.text[pos:end])
        if _SURROGATE.search(value):
            raise self.fail(pos, "a \\u escape is a lone surrogate, not a character")
        return self.strings(value, pos, end), end

    def number(self, pos: int) -> tuple[Node, int]:
        match = _NUMBER.match(self.text, pos)
        if match is None or not match.group():
            word = re.match(r"-?[A-Za-z]*", self.text[pos:pos + 10]).group() or self.text[pos]
            raise self.fail(pos, f"{word} is not a JSON number")
        try:
            value = json.loads(match.group())
        except ValueError:
            raise self.fail(pos, f"number too long to read ({len(match.group())} characters)") from None
        return self.leaf(value, pos, match.end()), match.end()

    def leaf(self, value: object, start: int, end: int) -> Node:
        return Node(value, span_of(self.locate, start, end), self.path)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def mapping(self, start: int, depth: int) -> tuple[Node, int]:
        items: dict[str, Node] = {}
        key_spans = {}
        pos = self.skip(start + 1)
        while self.text[pos] != "}":
            key_node, key_end = self.string(pos)
            key = key_node.value
            key_spans[key] = span_of(self.locate, pos, key_end)
            pos = self.skip(self.skip(key_end) + 1)  # past ':'
            items.pop(key, None)  # a repeated key moves to its last position, like json.loads
            items[key], pos = self.value(pos, depth + 1)
            pos = self.skip(pos)
            if self.text[pos] == ",":
                pos = self.skip(pos + 1)
        node = Node(items, span_of(self.locate, start, pos + 1), self.path, key_spans)
        return node, pos + 1

    def sequence(self, start: int, depth: int) -> tuple[Node, int]:
        items: list[Node] = []
        pos = self.skip(start + 1)
        while self.text[pos] != "]":
            item, pos = self.value(pos, depth + 1)
            items.append(item)
            pos = self.skip(pos)
            if self.text[pos] == ",":
                pos = self.skip(pos + 1)
        return Node(items, span_of(self.locate, start, pos + 1), self.path), pos + 1
