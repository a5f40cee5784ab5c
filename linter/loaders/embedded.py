"""Positions inside a string value, mapped back to the file it was written in.

A policy given as a JSON string (`"PolicyDocument": "{\\"Statement\\": ...}"` in JSON, a `|` block in
YAML) is parsed from the decoded string; its spans must land on the source characters. `string_locator`
aligns each decoded character with the source character it came from, undoing quoting, escapes, block
indentation and line folding, and returns a `Locator` for `jsonpos.parse(..., locate=...)`.
"""
from __future__ import annotations

from linter.loaders.positions import LineIndex, Locator

_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def string_locator(value: str, text: str, start: int, end: int, index: LineIndex | None = None) -> Locator:
    """Locator for offsets in `value`, the decoded form of the scalar written at text[start:end]."""
    offsets = align(value, text, start, end)
    index = index or LineIndex(text)

    def locate(offset: int) -> tuple[int, int]:
        return index(offsets[max(0, min(offset, len(offsets) - 1))])

    return locate


def align(value: str, text: str, start: int, end: int) -> list[int]:
    """Source offset of every character of `value`, plus one for the end of the string.

    Alignment is greedy; if the source stops matching (a construct this does not model), the remaining
    characters are placed where matching stopped, so positions degrade instead of failing.
    """
    opener = text[start] if start < end else ""
    quote = opener if opener in "\"'" else ""
    block = opener in ("|", ">")
    pos = start + 1 if quote else start
    indent = 0
    if block:
        pos = text.find("\n", start, end)
        pos = end if pos < 0 else pos + 1
        indent = _block_indent(text, pos, end)
        pos = min(pos + indent, end)
    offsets: list[int] = []
    for char in value:
        found = _match(char, text, pos, end, quote)
        if found is None:
            offsets += [pos] * (len(value) - len(offsets))
            break
        pos = found
        offsets.append(pos)
        pos = _consume(char, text, pos, quote)
        if block and text[pos - 1] == "\n":
            pos = _skip_indent(text, pos, end, indent)
    offsets.append(min(pos, max(end, start)))
    return offsets


def _match(char: str, text: str, pos: int, end: int, quote: str) -> int | None:
    """Offset of the source character that produces `char`, skipping indentation and folded breaks."""
    while pos < end:
        source = text[pos]
        if quote == '"' and source == "\\":
            if text[pos + 1:pos + 2] == "\n":  # an escaped line break produces nothing
                pos += 2
                continue
            return pos
        if source == char:
            return pos
        if source in " \t\r\n":
            if source == "\n" and char in " \n":
                return pos  # line folding turns a break into a space
            pos += 1
            continue
        return None
    return None


def _consume(char: str, text: str, pos: int, quote: str) -> int:
    """Offset after the source text that produced `char` at `pos`."""
    if quote == '"' and text[pos] == "\\":
        letter = text[pos + 1:pos + 2]
        length = _ESCAPE_LENGTH.get(letter, 2)
        if letter == "u" and ord(char) > 0xFFFF:
            length = 12  # a surrogate pair written as two escapes
        return pos + length
    if quote == "'" and char == "'" and text[pos:pos + 2] == "''":
        return pos + 2
    return pos + 1


def _block_indent(text: str, pos: int, end: int) -> int:
    """Indentation of a block scalar's content: that of its first non-blank line."""
    while pos < end:
        line_end = text.find("\n", pos, end)
        line_end = end if line_end < 0 else line_end
        stripped = text[pos:line_end].lstrip(" ")
        if stripped:
            return line_end - pos - len(stripped)
        pos = line_end + 1
    return 0


def _skip_indent(text: str, pos: int, end: int, indent: int) -> int:
    stop = min(pos + indent, end)
    while pos < stop and text[pos] == " ":
        pos += 1
    return pos
