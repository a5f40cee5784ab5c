"""Inline suppressions written as comments: `# policylint:ignore=SM001,SM002 reason` (also `//` in HCL).

A comment on a line of its own targets the next line that holds code (the first line of the block below
it); a comment after code targets its own line. Which findings a target line covers is decided in
`linter.filters`: those whose element, statement, document or resource block starts on that line.
How comments are written is the format's `CommentSyntax`. Comments that look like a directive but are
mistyped are returned too, with their problem, to be reported at their position. Only files that name
policylint are parsed; the others cost one search (see `pipeline.comment_suppressions`).
"""
from __future__ import annotations

import re

from linter.formats.api import CommentSyntax
from linter.model import Span, Suppression

MARKER = "policylint:ignore"
_DIRECTIVE = re.compile(
    r"^policylint:ignore(?:=(?P<ids>[A-Za-z0-9_]+(?:[ \t]*,[ \t]*[A-Za-z0-9_]+)*))?(?P<reason>.*)$"
)
# What a mistyped directive looks like: the tool's name, then a suppression verb, in any spelling.
_LOOKALIKE = re.compile(
    r"^(?P<written>policy[ _-]?lint\s*[:=_-]?\s*(?:ignore|disable|noqa|nolint|skip|suppress|allow)\w*)", re.IGNORECASE
)
_NAME = re.compile("policy[ _-]?lint", re.IGNORECASE)
_SPELLING = "write policylint:ignore=SM001 reason"


def comment_start(line: str, syntax: CommentSyntax) -> int | None:
    """Index where a comment starts on a line, outside quoted strings; None when there is none."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char == '"' or (char == "'" and syntax.single_quotes):
            quote = char
        elif char == "#" and "#" in syntax.markers and (
            not syntax.hash_after_space or index == 0 or line[index - 1] in " \t"
        ):
            return index
        elif char == "/" and "//" in syntax.markers and line.startswith("//", index):
            return index
        index += 1
    return None


def _is_code(line: str, syntax: CommentSyntax) -> bool:
    stripped = line.strip()
    return bool(stripped) and comment_start(stripped, syntax) != 0


def _target_line(lines: list[str], index: int, syntax: CommentSyntax) -> int:
    """1-based line of the first code line after `index` (stacked comments target the same block)."""
    for later in range(index + 1, len(lines)):
        if _is_code(lines[later], syntax):
            return later + 1
    return index + 2


def _reason(text: str) -> str:
    return text.strip().lstrip("-:—").strip()


def mentions_policylint(text: str) -> bool:
    """Could the text hold a directive, well written or not? One search, so other files cost nearly nothing."""
    return _NAME.search(text) is not None


def directive_problem(body: str) -> str | None:
    """Why a comment body that looks like a suppression is not a valid one, or None (valid, or not one at all).

    Caught: another spelling of the name or verb (`policylint: ignore`, `policylint:disable`,
    `policylint-ignore`, `PolicyLint:ignore`), a missing `=` before the ids, and spaces around the `=`.
    A directive naming no rule id at all is reported by the filters ("names no rule id").
    """
    if body.startswith(MARKER):
        rest = body[len(MARKER):]
        if re.match(r"\s+=|=\s", rest):
            return f"no space may stand around '=' ({_SPELLING})"
        if re.match(r"\s+[A-Za-z]+[0-9]+\b", rest):
            return f"missing '=' before the rule id ({_SPELLING})"
        return None
    lookalike = _LOOKALIKE.match(body)
    if lookalike is None:
        return None
    return f"'{lookalike.group('written').strip()}' is not a policylint directive ({_SPELLING})"


def parse_comments(path: str, text: str, syntax: CommentSyntax) -> list[Suppression]:
    """Every `policylint:ignore` comment of one file (one naming no rule id has empty `rule_ids`), and every
    comment that looks like one but is mistyped (with its `problem`)."""
    if not mentions_policylint(text):
        return []
    lines = text.split("\n")
    found = []
    for index, line in enumerate(lines):
        if _NAME.search(line) is None:
            continue
        start = comment_start(line, syntax)
        if start is None:
            continue
        body = line[start:].lstrip("#/").strip()
        declared = Span(index + 1, start + 1, index + 1, len(line.rstrip()) + 1)
        problem = directive_problem(body)
        if problem is not None:
            found.append(Suppression(path, -1, (), "", declared, problem))
            continue
        match = _DIRECTIVE.match(body)
        if match is None:
            continue
        own_line = not line[:start].strip()
        target = _target_line(lines, index, syntax) if own_line else index + 1
        ids = tuple(dict.fromkeys(i.strip().upper() for i in (match.group("ids") or "").split(",") if i.strip()))
        found.append(Suppression(path, target, ids, _reason(match.group("reason")), declared))
    return found
