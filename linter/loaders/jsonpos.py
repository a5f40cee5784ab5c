"""JSON with a span for every key and value.

The standard library parses and reports syntax errors (fast, in C); this module then walks the text once
more to attach positions. Duplicate keys keep the last value, as AWS does.
"""
from __future__ import annotations

import json
import re

from linter.loaders.positions import LineIndex, Locator, span_of
from linter.model import Node

MAX_DEPTH = 200

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class JSONSyntaxError(ValueError):
    """Invalid JSON, with the 1-based line and column where parsing stopped."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def check_syntax(text: str, locate: Locator | None = None) -> object:
    """Parse with the standard library; raise JSONSyntaxError with a position on failure."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line, column = (locate or LineIndex(text))(exc.pos)
        raise JSONSyntaxError(f"invalid JSON: {exc.msg}", line, column) from None
    except RecursionError:
        raise JSONSyntaxError("invalid JSON: nesting too deep", 1, 1) from None


def parse(text: str, path: str = "", locate: Locator | None = None) -> Node:
    """Parse JSON text into a Node tree; `locate` maps offsets when the text is embedded in another file."""
    check_syntax(text, locate)
    return _Parser(text, path, locate or LineIndex(text)).document()


class _Parser:
    """Recursive descent over text already known to be valid JSON."""

    def __init__(self, text: str, path: str, locate: Locator) -> None:
        self.text, self.path, self.locate = text, path, locate

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
            end = _STRING.match(self.text, pos).end()
            return self.leaf(json.loads(self.text[pos:end]), pos, end), end
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, pos):
                return self.leaf(literal, pos, pos + len(word)), pos + len(word)
        end = _NUMBER.match(self.text, pos).end()
        return self.leaf(json.loads(self.text[pos:end]), pos, end), end

    def leaf(self, value: object, start: int, end: int) -> Node:
        return Node(value, span_of(self.locate, start, end), self.path)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def mapping(self, start: int, depth: int) -> tuple[Node, int]:
        items: dict[str, Node] = {}
        key_spans = {}
        pos = self.skip(start + 1)
        while self.text[pos] != "}":
            key_end = _STRING.match(self.text, pos).end()
            key = json.loads(self.text[pos:key_end])
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
