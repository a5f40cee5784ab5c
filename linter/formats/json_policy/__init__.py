"""Standalone IAM policy documents in JSON (`policy.json`, a secret's resource policy file)."""
from __future__ import annotations

import re

from linter.formats.api import ExampleFormat, Format, Source, each_file, imported

_STATEMENT_KEY = re.compile(r'"Statement"\s*:')


def _claims(source: Source) -> bool:
    value = source.json()
    if value is None:  # broken JSON: report it when it still reads like a policy (or is empty)
        return not source.text.strip() or _STATEMENT_KEY.search(source.text) is not None
    return isinstance(value, dict) and "Statement" in value


JSON_POLICY = Format(
    name="json-policy",
    reads=lambda name: name.endswith(".json"),
    claims=_claims,
    extract=each_file("linter.formats.json_policy.document"),
    examples=(ExampleFormat("json", "policy.json", "json", "JSON policy"),),
    languages=(("json", ".json"),),
    edits=imported("linter.formats.json_policy.edits", "editing"),
)
