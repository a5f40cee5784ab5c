"""The rule language as the predicates declare it: the rule schema's expression part and the tables of
`docs/rule-language.md`.

`python -m linter.docs` writes both into the checked-in files and its staleness test keeps them current. The
schema is generated at docs time rather than when rules load: it stays a plain JSON file for editors, and
loading it imports none of the predicates' code (building it costs about 0.2 ms, but importing the
predicates about 10 ms, which `policylint rules` and `explain` would otherwise pay for nothing).
"""
from __future__ import annotations

import json

from linter.messages import ENGINE_PLACEHOLDERS
from linter.predicates import ARGUMENT_TYPES, EXPR, PLACEHOLDERS, PREDICATES, Declaration

COMBINATORS: dict[str, dict] = {
    "all": {"type": "array", "minItems": 1, "items": EXPR, "description": "every expression matches"},
    "any": {"type": "array", "minItems": 1, "items": EXPR, "description": "at least one expression matches"},
    "not": {**EXPR, "description": "the expression does not match (its witnesses are dropped)"},
}
# Schema parts written one entry per line; everything deeper is written on one line.
_EXPANDED = {(), ("properties",), ("$defs",), ("$defs", "expr"), ("$defs", "expr", "properties")}
_TYPE_WORDS = {"#/$defs/expr": "EXPR", "#/$defs/actionSet": "SET", "#/$defs/stringList": "LIST",
               "#/$defs/number": "N", "#/$defs/option": "{option: NAME}"}


def expression_schema() -> dict:
    """The `expr` definition: one combinator or one declared predicate per mapping."""
    properties = dict(COMBINATORS)
    properties.update({name: {**d.args, "description": d.doc} for name, d in PREDICATES.items()})
    return {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": properties,
            "additionalProperties": False}


def message_description() -> str:
    names = [name for name in PLACEHOLDERS] + list(ENGINE_PLACEHOLDERS)
    return ("Format string; " + ", ".join("{" + n + "}" for n in names) + " are filled in where the rule's "
            "predicates provide them ('{{' and '}}' are braces). No other format syntax.")


def rule_schema(base: dict) -> dict:
    """`base` (the checked-in schema) with its generated parts replaced; every other part is kept."""
    schema = json.loads(json.dumps(base))
    schema["properties"]["message"]["description"] = message_description()
    schema["$defs"].update({**ARGUMENT_TYPES, "expr": expression_schema()})
    return schema


def schema_text(schema: dict) -> str:
    """The schema as the checked-in file writes it: top-level sections one entry per line, so a change to
    one predicate or property is a one-line diff."""

    def dump(value: object, path: tuple, indent: int) -> str:
        if path not in _EXPANDED or not isinstance(value, dict):
            return json.dumps(value, separators=(", ", ": "))
        pad = " " * (indent + 2)
        entries = [f"{pad}{json.dumps(k)}: {dump(v, path + (k,), indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(entries) + "\n" + " " * indent + "}"

    return dump(schema, (), 0) + "\n"


def usage(d: Declaration) -> str:
    """How a rule writes the predicate: `action: {wildcard, star, grants, unknown}`, `grants: SET`."""
    return f"`{d.name}: {' / '.join(_forms(d.args))}`"


def _forms(schema: dict) -> list[str]:
    if "anyOf" in schema:
        return [form for alternative in schema["anyOf"] for form in _forms(alternative)]
    if "$ref" in schema:
        return [_TYPE_WORDS[schema["$ref"]]]
    if "enum" in schema:
        return [str(value) for value in schema["enum"]]
    if schema.get("type") == "boolean":
        return ["true", "false"]
    return ["{" + ", ".join(schema.get("properties", {})) + "}"]


def predicate_table(scope: str) -> str:
    """The docs' table of the predicates that judge one subject part."""
    rows = ["| predicate | true when | witnesses |", "| --- | --- | --- |"]
    rows += [f"| {usage(d)} | {d.doc} | {d.witnesses} |" for d in PREDICATES.values() if scope in d.scopes]
    return "\n".join(rows)


def placeholder_table() -> str:
    """The docs' table of message placeholders and the predicates that fill each in."""
    rows = ["| placeholder | meaning | filled in by |", "| --- | --- | --- |"]
    for name, meaning in PLACEHOLDERS.items():
        by = ", ".join(f"`{d.name}`" for d in PREDICATES.values() if name in d.provides)
        rows.append(f"| `{{{name}}}` | {meaning} | {by} |")
    rows += [f"| `{{{name}}}` | {meaning} | every rule |" for name, meaning in ENGINE_PLACEHOLDERS.items()]
    return "\n".join(rows)


def sections() -> dict[str, str]:
    """The generated sections of `docs/rule-language.md`, by marker name."""
    tables = {f"{scope}-predicates": predicate_table(scope) for scope in ("statement", "document", "resource")}
    return {**tables, "placeholders": placeholder_table()}
