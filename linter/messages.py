"""Rule messages: text with `{name}` placeholders, filled in from what a rule's predicates found.

Only this much of Python's format syntax exists here: `{name}`, `{option[NAME]}`, and `{{` / `}}` for a
brace. No positions, attribute or index access, conversions or format specs, so a message can neither reach
into Python objects (`{resource.__class__}`) nor pad a report to 300 MB (`{element:>300000000}`).
`rules validate` rejects anything else with the rule file's line; at run time anything else is printed as
written, so even a rule that was never validated cannot print internals or crash a run.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Mapping

from linter.records import dataclass

# Placeholders the engine fills in for every finding, whatever its predicates found.
ENGINE_PLACEHOLDERS: dict[str, str] = {
    "resource": "the address or logical id of the resource the finding belongs to, or the file",
    "option[NAME]": "the value of the rule's option NAME (its default, or the user's `rule_options` value)",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_OPTION = re.compile(r"option\[([^\[\]{}]+)\]\Z")
_BRACE_HINT = "write '{{' or '}}' for a literal brace"


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a message: literal text, a placeholder (`name`, with `key` for `option[key]`), or a piece
    that is neither (`problem` says why), which is printed as written."""

    text: str  # literal text unescaped; a placeholder or a bad piece exactly as written
    name: str | None = None
    key: str | None = None
    problem: str | None = None


@lru_cache(maxsize=512)
def parse(template: str) -> tuple[Part, ...]:
    """The parts of a message, in order; never raises (a rule is parsed once, its findings reuse it)."""
    parts: list[Part] = []
    literal: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char in "{}" and template[i + 1:i + 2] == char:
            literal.append(char)
            i += 2
            continue
        if char not in "{}":
            literal.append(char)
            i += 1
            continue
        if literal:
            parts.append(Part("".join(literal)))
            literal = []
        close, reopen = template.find("}", i + 1), template.find("{", i + 1)
        if char == "}":
            parts.append(Part("}", problem=f"a single '}}' that closes no placeholder ({_BRACE_HINT})"))
            i += 1
        elif close < 0 or 0 <= reopen < close:
            parts.append(Part("{", problem=f"a '{{' that is never closed ({_BRACE_HINT})"))
            i += 1
        else:
            parts.append(_field(template[i:close + 1]))
            i = close + 1
    if literal:
        parts.append(Part("".join(literal)))
    return tuple(parts)


def _field(written: str) -> Part:
    """A `{...}` piece: a placeholder, or why it is not one."""
    content = written[1:-1]
    if _NAME.match(content):
        return Part(written, name=content)
    option = _OPTION.match(content)
    if option:
        return Part(written, name="option", key=option.group(1))
    if "!" in content:
        problem = "conversions (!r, !s, !a) are not supported"
    elif ":" in content:
        problem = "format specs are not supported"
    elif content == "" or content.split(".")[0].split("[")[0].isdigit():
        problem = "placeholders are named, not numbered (for example {element})"
    elif "." in content or "[" in content:
        problem = "attribute and index access are not supported (only {option[NAME]})"
    else:
        problem = "it is not a placeholder name (letters, digits and _)"
    return Part(written, problem=f"'{written}': {problem}")


def render(template: str, values: Mapping[str, Any]) -> str:
    """The message with its placeholders filled in; a placeholder without a value stays as written."""
    out = []
    for part in parse(template):
        value = _value(part, values) if part.name is not None else None
        out.append(part.text if value is None else value)
    return "".join(out)


def _value(part: Part, values: Mapping[str, Any]) -> str | None:
    if part.name.startswith("_") or (part.name == "option") != (part.key is not None):
        return None  # internal details of a witness (`_granted`) or all options at once: never shown
    try:
        value = values[part.name]
        if part.key is not None:
            value = value[part.key] if isinstance(value, dict) else None
    except KeyError:
        return None
    return None if value is None else shown(value)


def shown(value: Any) -> str:
    """A value as a message prints it: text as is, anything else as JSON (never a Python repr)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return "…"
