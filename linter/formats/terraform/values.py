"""Values of Terraform expressions that other parts of the format share: unknowns, strings that remember
where each character was written, and JSON parsed from such strings with positions mapped back."""
from __future__ import annotations

from dataclasses import dataclass

from linter.loaders import jsonpos
from linter.loaders.positions import Locator
from linter.model import UNKNOWN, FileError, Node, Span


@dataclass(slots=True, eq=False)
class TextNode(Node):
    """A string that knows where each of its characters was written, so JSON parsed from it is located."""

    locate: Locator | None = None


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
        return jsonpos.parse(text, value.path, locate)
    except jsonpos.JSONSyntaxError as exc:
        if UNKNOWN in text:
            return None
        return FileError(value.path, exc.line, exc.column, f"policy: {exc.message}")


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
