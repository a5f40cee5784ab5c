"""Positions inside string values (policies given as JSON strings) map back to the source characters."""
from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from linter.loaders import jsonpos
from linter.loaders.embedded import align, string_locator
from linter.loaders.yamlpos import load


def test_json_escapes():
    source = '"{\\"a\\": \\"x\\u00e9\\ud83d\\ude00\\ty\\"}"'
    value = json.loads(source)
    offsets = align(value, source, 0, len(source))
    assert [source[offsets[i]] for i, char in enumerate(value) if char in "{a}"] == ["{", "a", "}"]
    assert source[offsets[value.index("y")]] == "y"
    assert offsets[-1] == len(source) - 1  # the end lands on the closing quote


def test_yaml_block_folded_and_quoted_scalars():
    text = (
        "lit: |\n"
        "    {\"a\":\n"
        "      1}\n"
        "fold: >\n"
        "  {\"b\":\n"
        "  2}\n"
        "single: '{\"it''s\": 3}'\n"
    )
    root = load(text)
    for key, needle in (("lit", "1"), ("fold", "2"), ("single", "3")):
        node = root.get(key)
        start = _offset(text, node.span.line, node.span.column)
        end = _offset(text, node.span.end_line, node.span.end_column)
        offsets = align(node.value, text, start, end)
        assert text[offsets[node.value.index(needle)]] == needle, key
        assert text[offsets[node.value.index("{")]] == "{", key


def test_locator_feeds_jsonpos():
    text = 'P: |\n  {"Statement": [\n    {"Effect": "Allow"}]}\n'
    node = load(text).get("P")
    start = _offset(text, node.span.line, node.span.column)
    end = _offset(text, node.span.end_line, node.span.end_column)
    parsed = jsonpos.parse(node.value, "t", string_locator(node.value, text, start, end))
    effect = parsed.get("Statement").value[0].get("Effect")
    assert (effect.span.line, effect.span.column, effect.span.end_line, effect.span.end_column) == (3, 16, 3, 23)


@given(st.recursive(
    st.text(max_size=6) | st.integers() | st.booleans(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
))
def test_every_json_string_aligns_exactly(value):
    """A JSON document as a JSON string in a JSON file: each decoded character maps to its source."""
    document = json.dumps(value)
    for ensure_ascii in (True, False):
        source = json.dumps(document, ensure_ascii=ensure_ascii)
        offsets = align(document, source, 0, len(source))
        for char, offset in zip(document, offsets):
            piece = source[offset]
            assert piece == char or piece == "\\", (char, piece)


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_yaml_scalars_align(value):
    for style in ("'", '"', "|", None):
        text = yaml.safe_dump({"k": value}, default_style=style, allow_unicode=True, width=12)
        node = load(text).get("k")
        start = _offset(text, node.span.line, node.span.column)
        end = _offset(text, node.span.end_line, node.span.end_column)
        offsets = align(node.value, text, start, end)
        assert len(offsets) == len(node.value) + 1
        assert offsets == sorted(offsets)
        assert all(start <= offset <= max(end, start) for offset in offsets)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(part) + 1 for part in lines[: line - 1]) + column - 1
