"""Glob matching in time linear in the text, for every glob policylint evaluates.

Patterns come from the files being linted (an `Action` of `*?*?*?…x`), from rules and from config files, so
a backtracking matcher would let a 100-byte policy hang the run. Two algorithms, neither of which backtracks:

- a pattern whose only wildcard is `*` is a list of literal pieces: the first must start the text, the last
  must end it, and each piece in between is found at its leftmost place after the previous one (the
  leftmost place is always the best one, so no choice is ever undone);
- any other pattern (with `?` or a `[...]` set) runs as a set of states, one per pattern position, kept as
  the bits of one integer and advanced once per character of the text.

`Glob.trace` reports how many steps a match took, so a test can check the bound without timing anything.
"""
from __future__ import annotations

from functools import lru_cache

from linter.records import dataclass

_STAR = "*"
_ANY = "?"
_CHAR_CACHE_LIMIT = 4096  # distinct characters remembered per pattern (bounds memory over a long session)


@dataclass(frozen=True, slots=True)
class _Set:
    """A `[...]` set of a path glob: single characters and inclusive ranges, maybe negated."""

    negated: bool
    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]

    def __contains__(self, char: str) -> bool:
        inside = char in self.chars or any(low <= char <= high for low, high in self.ranges)
        return inside != self.negated


def _fold(text: str) -> str:
    """Lower case, one character for one, so positions stay where they were (a character whose lower case
    is longer, like U+0130, is kept as it is)."""
    if text.isascii():  # the common case, at C speed
        return text.lower()
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _parse_set(pattern: str, start: int) -> tuple[_Set, int] | None:
    """The set opening at `pattern[start] == '['` and the index after its `]`, or None when it never closes
    (the `[` is then a literal). As in shell globs: `!` first negates, a `]` first is a member, `a-z` is a
    range (an inverted one is empty), a `-` that cannot form a range is a member."""
    index = start + 1
    negated = index < len(pattern) and pattern[index] == "!"
    index += negated
    first = index
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    close = pattern.find("]", index)
    if close < 0:
        return None
    body = pattern[first:close]
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    at = 0
    while at < len(body):
        if at + 2 < len(body) and body[at + 1] == "-":
            if body[at] <= body[at + 2]:
                ranges.append((body[at], body[at + 2]))
            at += 3
        else:
            chars.add(body[at])
            at += 1
    return _Set(negated, frozenset(chars), tuple(ranges)), close + 1


def _tokens(pattern: str, sets: bool) -> list[object]:
    """The pattern as a list of literal characters, `_STAR`, `_ANY` and `_Set`s; runs of `*` become one."""
    tokens: list[object] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        parsed = _parse_set(pattern, index) if sets and char == "[" else None
        if parsed is not None:
            tokens.append(parsed[0])
            index = parsed[1]
            continue
        if not (char == _STAR and tokens and tokens[-1] == _STAR):
            tokens.append(char)
        index += 1
    return tokens


class Glob:
    """A compiled glob: `*` any run of characters (none included), `?` exactly one, `[...]` (path globs only)
    one character of a set. Matches the whole text; `ignore_case` folds both sides to lower case."""

    __slots__ = ("pattern", "ignore_case", "_pieces", "_tokens", "_any", "_literal", "_sets", "_stars",
                 "_epsilon", "_accept", "_start", "_masks")

    def __init__(self, pattern: str, ignore_case: bool = False, sets: bool = False) -> None:
        if ignore_case and sets:
            raise ValueError("case-insensitive globs have no [...] sets")
        self.pattern, self.ignore_case = pattern, ignore_case
        tokens = _tokens(_fold(pattern) if ignore_case else pattern, sets)
        self._pieces: list[str] | None = None
        if all(t == _STAR or (isinstance(t, str) and t != _ANY) for t in tokens):
            self._pieces = "".join(tokens).split(_STAR)  # literal pieces between the stars
        else:
            self._compile(tokens)

    def _compile(self, tokens: list[object]) -> None:
        """State i means "the first i tokens matched"; bit i of an integer holds state i."""
        self._any, self._literal, self._sets = 0, {}, []
        self._stars = self._epsilon = 0
        for index, token in enumerate(tokens):
            bit = 1 << (index + 1)
            if token == _STAR:
                self._epsilon |= 1 << index  # state index may skip the star (it matches nothing)
                self._stars |= bit  # the state after a star stays on any character
            elif token == _ANY:
                self._any |= bit
            elif isinstance(token, _Set):
                self._sets.append((token, bit))
            else:
                self._literal[token] = self._literal.get(token, 0) | bit
        self._accept = 1 << len(tokens)
        self._start = self._close(1)
        self._masks: dict[str, int] = {}

    def _close(self, states: int) -> int:
        """Add the states reached by letting a star match nothing (stars never follow each other)."""
        return states | ((states & self._epsilon) << 1)

    def _mask(self, char: str) -> int:
        """States that `char` lets advance, as bits one above the state they advance from."""
        mask = self._masks.get(char)
        if mask is None:
            mask = self._any | self._literal.get(char, 0)
            for members, bit in self._sets:
                if char in members:
                    mask |= bit
            if len(self._masks) >= _CHAR_CACHE_LIMIT:
                self._masks.clear()
            self._masks[char] = mask
        return mask

    def trace(self, text: str) -> tuple[bool, int]:
        """Whether the glob matches, and the number of steps taken (pieces placed or characters consumed)."""
        if self.ignore_case:
            text = _fold(text)
        if self._pieces is not None:
            return self._place_pieces(text)
        states, steps = self._start, 0
        for char in text:
            steps += 1
            states = self._close(((states << 1) & self._mask(char)) | (states & self._stars))
            if not states:
                return False, steps
        return bool(states & self._accept), steps

    def _place_pieces(self, text: str) -> tuple[bool, int]:
        pieces = self._pieces
        if len(pieces) == 1:
            return text == pieces[0], 1
        first, last = pieces[0], pieces[-1]
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False, 1
        position, end = len(first), len(text) - len(last)
        for steps, piece in enumerate(pieces[1:-1], 2):
            found = text.find(piece, position, end)
            if found < 0:
                return False, steps
            position = found + len(piece)
        return True, len(pieces)

    def match(self, text: str) -> bool:
        return self.trace(text)[0]


@lru_cache(maxsize=8192)
def compiled(pattern: str, ignore_case: bool = False, sets: bool = False) -> Glob:
    """The compiled glob for a pattern (patterns repeat: one rule's globs meet every statement)."""
    return Glob(pattern, ignore_case, sets)


def glob_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """IAM-style glob: `*` any run of characters (colons included), `?` exactly one."""
    return compiled(pattern, ignore_case).match(text)


def path_glob_match(pattern: str, text: str) -> bool:
    """Shell-style path glob (`*`, `?`, `[...]`; `*` crosses `/`), case-sensitive, like `fnmatch.fnmatchcase`."""
    return compiled(pattern, False, True).match(text)
