"""Standalone IAM policy documents in JSON (`policy.json`, a secret's resource policy file)."""
from __future__ import annotations

import re

from linter.formats.api import ExampleFormat, Format, Source
from linter.model import Extraction

_STATEMENT_KEY = re.compile(r'"Statement"\s*:')


def _claims(source: Source) -> bool:
    value = source.json()
    if value is None:  # broken JSON: report it when it still reads like a policy (or is empty)
        return not source.text.strip() or _STATEMENT_KEY.search(source.text) is not None
    return isinstance(value, dict) and "Statement" in value


def _extract(sources: list[Source], context) -> Extraction:
    from linter.formats.json_policy.document import extract

    result = Extraction()
    for source in sources:
        result.extend(extract(source))
    return result


def _edits():
    from linter.formats.json_policy.edits import editing

    return editing()


JSON_POLICY = Format(
    name="json-policy",
    reads=lambda name: name.endswith(".json"),
    claims=_claims,
    extract=_extract,
    examples=(ExampleFormat("json", "policy.json", "json", "JSON policy"),),
    languages=(("json", ".json"),),
    edits=_edits,
)
