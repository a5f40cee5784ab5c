"""The positioned JSON loader: same values as json.loads, exact spans, clear errors."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter.loaders import jsonpos
from linter.model import Span

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES, st.sampled_from([None, 1, 2]))
def test_values_agree_with_json_loads(value, indent):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert jsonpos.parse(text).plain() == json.loads(text)


@given(st.dictionaries(st.text(min_size=1, max_size=6), st.text(max_size=6), min_size=1, max_size=5))
def test_every_value_span_covers_its_source_text(mapping):
    text = json.dumps(mapping, indent=2, ensure_ascii=False)
    lines = text.split("\n")
    node = jsonpos.parse(text)
    for key, child in node.value.items():
        span = child.span
        assert span.line == span.end_line
        assert json.loads(lines[span.line - 1][span.column - 1 : span.end_column - 1]) == mapping[key]


def test_spans_count_characters_not_bytes():
    node = jsonpos.parse('{"é€": "secretsmanager:*"}')
    assert node.key_spans["é€"] == Span(1, 2, 1, 6)
    assert node.get("é€").span == Span(1, 8, 1, 26)


def test_multiline_spans():
    node = jsonpos.parse('{\n  "Statement": [\n    {"Effect": "Allow"}\n  ]\n}\n')
    assert node.span == Span(1, 1, 5, 2)
    assert node.get("Statement").span == Span(2, 16, 4, 4)
    assert node.get("Statement").value[0].get("Effect").span == Span(3, 16, 3, 23)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{\n  "a": 1,\n  "b": [1, 2,]\n}', 3, (13, 14)),  # Python 3.13 points at the comma, older at the ]
        ("{\n  'single': 1\n}", 2, 3),
        ("", 1, 1),
        ('{"a": 1} trailing', 1, 10),
    ],
)
def test_syntax_errors_have_positions(text, line, column):
    with pytest.raises(jsonpos.JSONSyntaxError) as caught:
        jsonpos.parse(text)
    assert caught.value.line == line
    assert caught.value.column in (column if isinstance(column, tuple) else (column,))
    assert caught.value.message.startswith("invalid JSON")


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(jsonpos.JSONSyntaxError) as caught:
        jsonpos.parse("[" * 100_000 + "]" * 100_000)
    assert "nest" in caught.value.message


def test_repeated_key_keeps_last_value_and_its_position():
    node = jsonpos.parse('{"Effect": "Deny", "Effect": "Allow"}')
    assert node.get("Effect").value == "Allow"
    assert node.key_spans["Effect"] == Span(1, 20, 1, 28)
