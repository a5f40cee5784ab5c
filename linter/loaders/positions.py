"""Turning character offsets into 1-based line/column spans."""
from __future__ import annotations

from bisect import bisect_right
from typing import Callable

from linter.model import Span

# Maps an offset in the parsed text to (line, column) in the file; embedded documents (JSON inside a
# Terraform heredoc or a CloudFormation string) supply their own to land positions in the outer file.
Locator = Callable[[int], "tuple[int, int]"]


class LineIndex:
    """Offsets of line starts, so any character offset becomes a (line, column) in O(log n)."""

    __slots__ = ("starts", "size", "line_offset", "column_offset")

    def __init__(self, text: str, line_offset: int = 0, column_offset: int = 0) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts
        self.size = len(text)
        self.line_offset = line_offset
        self.column_offset = column_offset  # applies to the first line only (text that starts mid-line)

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        column = offset - self.starts[index] + 1
        if index == 0:
            column += self.column_offset
        return index + 1 + self.line_offset, column

    def span(self, start: int, end: int) -> Span:
        return span_of(self, start, end)

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and column of the text itself, clamped to its end."""
        if line - 1 >= len(self.starts):
            return self.size
        return min(self.starts[line - 1] + column - 1, self.size)

    def offsets(self, span: Span) -> tuple[int, int]:
        """Start and end offsets of a span of the text itself (to find the source text of a parsed value)."""
        return self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)


def span_of(locate: Locator, start: int, end: int) -> Span:
    line, column = locate(start)
    end_line, end_column = getattr(locate, "past", locate)(end)
    return Span(line, column, end_line, end_column)


class Located:
    """A locator whose ends differ from its starts: for text rendered from pieces written apart (a
    template's `%{ for }` body once per item), the text before an offset can end somewhere else than
    where the text after it begins. `past(offset)` is where the text before `offset` ends."""

    __slots__ = ("at", "past")

    def __init__(self, at: Locator, past: Locator) -> None:
        self.at, self.past = at, past

    def __call__(self, offset: int) -> tuple[int, int]:
        return self.at(offset)


def moved(locate: Locator, move: Callable[[int], int]) -> Locator:
    """`locate` of each offset moved by `move` first, keeping where text ends when `locate` knows."""
    past = getattr(locate, "past", None)
    if past is None:
        return lambda offset: locate(move(offset))
    return Located(lambda offset: locate(move(offset)), lambda offset: past(move(offset)))
