"""Decoded strings that remember where each character came from.

A policy is often a string inside another file: JSON in a Terraform heredoc, a quoted HCL string with
escapes, a JSON string inside plan JSON. Parsing the decoded text gives offsets into the *decoded* string;
`MappedText` turns them back into offsets in the outer file, so findings land on the exact source characters.
"""
from __future__ import annotations

from linter.loaders.positions import Located, Locator

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f"}


class MappedText:
    """Decoded characters, each with the source offset of its first raw character; `end` maps the end."""

    __slots__ = ("chars", "offsets", "end", "ends")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.end = 0
        self.ends: dict[int, int] | None = None  # where the text before an offset ends, when not at the next character

    def mark_end(self, source: int) -> None:
        """The text so far ends at source offset `source`: what follows may be written elsewhere."""
        if self.ends is None:
            self.ends = {}
        self.ends[len(self.chars)] = source

    def add(self, text: str, offset: int) -> None:
        """Append text that all maps to one source offset (an interpolation's value, an escape)."""
        self.chars.extend(text)
        self.offsets.extend([offset] * len(text))

    def extend(self, other: MappedText) -> None:
        self.chars.extend(other.chars)
        self.offsets.extend(other.offsets)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def locator(self, outer: Locator) -> Locator:
        """Offsets in the decoded text -> (line, column) in the source that `outer` locates."""
        offsets, end, size, ends = self.offsets, self.end, len(self.offsets), self.ends

        def at(offset: int) -> tuple[int, int]:
            return outer(offsets[max(offset, 0)] if offset < size else end)

        if not ends:
            return at
        return Located(at, lambda offset: outer(ends[offset]) if offset in ends else at(offset))


def decode_escapes(text: str, start: int, end: int, out: MappedText, hcl: bool = True) -> None:
    """Decode `text[start:end]` (the inside of a quoted string) into `out`.

    HCL quoted strings use `\\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN` plus `$${`/`%%{` for literal `${`/`%{`;
    `hcl=False` decodes JSON's escapes instead (with surrogate pairs).
    """
    i = start
    while i < end:
        char = text[i]
        if char == "\\" and i + 1 < end:
            value, width = _escape(text, i, end, hcl)
            out.add(value, i)
            i += width
            continue
        if hcl and char in "$%" and text.startswith(char + char + "{", i):
            out.add(char, i)
            i += 2  # the '{' that follows is copied as an ordinary character
            continue
        out.chars.append(char)
        out.offsets.append(i)
        i += 1


def decode_heredoc(text: str, start: int, end: int, out: MappedText, dropped: frozenset[int]) -> None:
    """Heredoc literal text: no backslash escapes, only `$${` and `%%{`."""
    i = start
    while i < end:
        if i in dropped:
            i += 1
            continue
        char = text[i]
        if char in "$%" and text.startswith(char + char + "{", i):
            out.add(char, i)
            i += 2
            continue
        out.chars.append(char)
        out.offsets.append(i)
        i += 1


def _escape(text: str, i: int, end: int, hcl: bool) -> tuple[str, int]:
    """The character a backslash escape at `i` stands for, and how many raw characters it spans."""
    kind = text[i + 1]
    if kind in _SIMPLE_ESCAPES and (hcl is False or kind not in "/bf"):
        return _SIMPLE_ESCAPES[kind], 2
    digits = 4 if kind == "u" else 8 if (kind == "U" and hcl) else 0
    if digits and i + 2 + digits <= end:
        try:
            code = int(text[i + 2 : i + 2 + digits], 16)
        except ValueError:
            return "\\", 1
        width = 2 + digits
        if not hcl and 0xD800 <= code < 0xDC00 and text.startswith("\\u", i + width):
            try:
                low = int(text[i + width + 2 : i + width + 6], 16)
            except ValueError:
                low = 0
            if 0xDC00 <= low < 0xE000:
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), width + 6
        if 0xD800 <= code < 0xE000 or code > 0x10FFFF:
            return "\ufffd", width  # not a character: replaced, as Terraform's decoder does
        return chr(code), width
    return "\\", 1


def map_json_string(text: str, start: int, end: int) -> MappedText:
    """A JSON string literal `text[start:end]` (with its quotes) decoded, each character mapped to `text`."""
    out = MappedText()
    decode_escapes(text, start + 1, end - 1, out, hcl=False)
    out.end = end - 1
    return out
