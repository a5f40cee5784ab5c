"""One output sanitiser for every report format, so text from linted files cannot forge what a reader sees.

File content and file names reach reports (messages quote policy values, paths name files). Without care a
policy could retitle the reviewer's terminal with an escape sequence, a file name with a line feed could
forge a `parseable` record or start a GitHub `::error` workflow command, and a lone surrogate (`\\ud800` in
JSON, an undecodable byte in a file name) would crash the encoder. So every string of a report passes
through `clean`: control characters, line and paragraph separators and bidirectional overrides are shown
as visible escapes (`\\x1b`, `\\u2028`), code points that cannot be encoded become U+FFFD, and a field that
starts with `::`, `##[` or `##vso[` (how CI workflow commands begin) has that first character escaped.
"""
from __future__ import annotations

import re
from typing import TypeVar

from linter.records import Field, fields, is_dataclass, replace

# C0 controls but tab, DEL, C1 controls (NEL among them), line/paragraph separators, bidi controls, surrogates,
# and the two non-characters XML cannot carry.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_COMMAND_START = re.compile(r"[ \t]*(::|##(?:vso)?\[)")
_T = TypeVar("_T")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, line_start: bool = True) -> str:
    """`text` safe to print anywhere; `line_start`: it may begin a line (so it must not look like a command)."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if line_start and (command := _COMMAND_START.match(text)):
        head = command.start(1)
        text = f"{text[:head]}\\x{ord(text[head]):02x}{text[head + 1:]}"
    return text


def clean_fields(value: _T) -> _T:
    """A copy of a report (or any value built from dataclasses, lists, tuples and dicts) with every string
    cleaned; numbers and other values are kept as they are."""
    if isinstance(value, str):
        return clean(value)  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        return type(value)(clean_fields(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean_fields(k): clean_fields(v) for k, v in value.items()}  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _clean_field(f, getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value


def _clean_field(spec: Field, value: object) -> object:
    """A field marked `metadata={"sanitise": "keys"}` (source texts by path) keeps its values: the text
    report cleans excerpts itself, piece by piece, so its markers stay under the element. One marked
    `"skip"` is never printed (the raw findings behind a collapsed finding), so it is kept as it is."""
    if spec.metadata.get("sanitise") == "skip":
        return value
    if spec.metadata.get("sanitise") == "keys" and isinstance(value, dict):
        return {clean_fields(k): v for k, v in value.items()}
    return clean_fields(value)
