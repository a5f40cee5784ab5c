"""`replace(text, "/pattern/", replacement)`: Terraform's regular-expression replacement, for the patterns
Python's `re` reads exactly as Go's RE2 does.

Terraform compiles the pattern with Go's `regexp` (RE2 syntax, linear time) and replaces with
`ReplaceAllString` (`$1`, `${name}`, `$$` in the replacement; an empty match right after a match is not
replaced). Python's `re` agrees on a common subset only, and it backtracks; so a pattern is evaluated only
when it is inside that subset (no construct either engine reads differently or rejects, no quantified
group holding a quantifier or an alternative, at most `MAX_QUANTIFIERS` quantifiers) on ASCII text of at
most `MAX_TEXT` characters. Anything else is unknown, never a guess and never a long search.
"""
from __future__ import annotations

import re

MAX_TEXT = 256
MAX_QUANTIFIERS = 2
_GROUP_OPENER = re.compile(r"\(\?(?:P<[A-Za-z_][A-Za-z0-9_]*>|[ims-]*[:)])")
_REPEAT = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_COUNTS = re.compile(r"(?<=[{,])[0-9]+(?=[,}])")
_ESCAPES_APART = frozenset("pPQEzZCNuUgk")  # escapes one engine lacks or reads otherwise


def go_replace(text: str, pattern: str, replacement: str) -> str | None:
    """`text` with every match of `pattern` replaced as Go's `ReplaceAllString` does; None when the
    pattern or text is outside what is evaluated (see the module docstring)."""
    if len(text) > MAX_TEXT or not (text.isascii() and pattern.isascii()) or "\x0b" in text:
        return None  # (Go's \s has no vertical tab, Python's has)
    if not _supported(pattern, "\n" in text):
        return None
    try:
        compiled = re.compile(pattern, re.ASCII)
    except (re.error, RecursionError, OverflowError):
        return None
    return _replace_all(compiled, text, replacement)


def _supported(pattern: str, multiline: bool) -> bool:
    """Does Python's `re` read the pattern as RE2 does, within the backtracking bounds? `$` is left out
    on text holding a newline (Python's also matches before a final one)."""
    if any(int(count) > 1000 for count in _COUNTS.findall(pattern)):
        return False  # RE2 rejects a repeat count above 1000, Python takes it
    quantifiers, groups, i, size = 0, [], 0, len(pattern)  # groups: does each open group hold a quantifier or `|`
    while i < size:
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if not following or following.isdigit() or following in _ESCAPES_APART or pattern.startswith("x{", i + 1):
                return False
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
            if i < 0:
                return False
        elif char == "(":
            opener = _GROUP_OPENER.match(pattern, i) if pattern.startswith("(?", i) else None
            if pattern.startswith("(?", i) and opener is None:
                return False  # lookarounds, back references, comments, conditionals, Go-only flags
            i = opener.end() if opener is not None else i + 1
            if opener is None or not opener.group().endswith(")"):
                groups.append(False)
        elif char == ")":
            inner = groups.pop() if groups else False
            i += 1
            if inner and _quantifier(pattern, i):
                return False  # `(a+)+`, `(a|aa)*`: exponential backtracking
            if groups and inner:
                groups[-1] = True
        elif char == "|" or _quantifier(pattern, i):
            if char != "|":
                quantifiers += 1
                i += _quantifier(pattern, i)
                if pattern[i : i + 1] == "+":
                    return False  # possessive (Python 3.11 only)
                i += pattern[i : i + 1] == "?"  # lazy, in both
            else:
                i += 1
            if groups:
                groups[-1] = True
        elif (char == "$" and multiline) or pattern.startswith("{,", i):
            return False
        else:
            i += 1
    return quantifiers <= MAX_QUANTIFIERS


def _quantifier(pattern: str, i: int) -> int:
    """The length of the quantifier at `i` (`*`, `+`, `?`, `{2,5}`), 0 when there is none."""
    if pattern[i : i + 1] in ("*", "+", "?") and i < len(pattern):
        return 1
    repeat = _REPEAT.match(pattern, i)
    return repeat.end() - i if repeat else 0


def _class_end(pattern: str, start: int) -> int:
    """Where the character class opened at `start` ends (-1 when it is unclosed or uses a POSIX class
    `[:alpha:]`, which Python reads as characters)."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1  # a leading `]` is a character in both
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if not following or following.isdigit() or following in _ESCAPES_APART or following == "b":
                return -1  # (`[\b]` is a backspace to Python)
            i += 2
        elif char == "[" or pattern.startswith(("--", "&&", "~~", "||"), i):
            return -1  # a POSIX class `[:alpha:]` (characters to Python), or what Python may read as a set
        elif char == "]":
            return i + 1
        else:
            i += 1
    return -1


def _replace_all(compiled: re.Pattern, text: str, replacement: str) -> str:
    """Go's ReplaceAllString: each match replaced, except an empty match right after the previous match;
    the search moves on at least one character each time."""
    out, last, position = [], 0, 0
    while position <= len(text):
        match = compiled.search(text, position)
        if match is None:
            break
        start, stop = match.span()
        out.append(text[last:start])
        if stop > last or start == 0:
            out.append(_expand(replacement, match))
        last = stop
        position = position + 1 if position + 1 > stop else stop
    out.append(text[last:])
    return "".join(out)


def _expand(template: str, match: re.Match) -> str:
    """The replacement with `$$` as `$` and `$name`/`${name}` as that group's text (the longest name of
    letters, digits and `_`: `$1x` is the group named `1x`, none, so empty); a `$` starting no name stays."""
    out, i = [], 0
    while True:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:dollar])
        if template.startswith("$", dollar + 1):
            out.append("$")
            i = dollar + 2
            continue
        name, used = _name(template, dollar + 1)
        if name is None:
            out.append("$")
            i = dollar + 1
            continue
        i = dollar + 1 + used
        out.append(_group(match, name))


def _name(template: str, start: int) -> tuple[str | None, int]:
    """The group name after a `$` (braced or bare), and how many characters it takes."""
    if template.startswith("{", start):
        close = template.find("}", start)
        name = template[start + 1 : close] if close > start + 1 else ""
        if name and all(c.isalnum() or c == "_" for c in name):
            return name, close + 1 - start
        return None, 0
    end = start
    while end < len(template) and (template[end].isalnum() or template[end] == "_"):
        end += 1
    return (template[start:end], end - start) if end > start else (None, 0)


def _group(match: re.Match, name: str) -> str:
    """A group's text by number (no leading zero) or name; empty when there is none or it did not match."""
    if name.isdigit() and not (name[0] == "0" and len(name) > 1):
        number = int(name)
        return (match.group(number) or "") if number <= match.re.groups else ""
    return (match.group(name) or "") if name in match.re.groupindex else ""
