"""The positioned YAML loader: spans, CloudFormation short forms, safety limits, agreement with PyYAML."""
from __future__ import annotations

import math
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.formats.cloudformation.syntax import INTRINSIC_TAGS
from linter.loaders import yamlpos
from linter.loaders.yamlpos import YAMLSyntaxError, load, load_all
from linter.model import Span


def spans(node):
    s = node.span
    return (s.line, s.column, s.end_line, s.end_column)


def test_scalar_key_and_block_collection_spans():
    text = "Resources:\n  Secret:\n    Type: AWS::SecretsManager::Secret\n\n# trailing comment\nOutputs: {}\n"
    root = load(text, "t.yaml")
    resources = root.get("Resources")
    assert root.key_spans["Resources"] == Span(1, 1, 1, 10)
    assert resources.key_spans["Secret"] == Span(2, 3, 2, 9)
    kind = resources.get("Secret").get("Type")
    assert spans(kind) == (3, 11, 3, 38)
    # A block mapping ends with its last value, not at the next token after the comment.
    assert spans(resources) == (2, 3, 3, 38)
    assert spans(root.get("Outputs")) == (6, 10, 6, 12)
    assert all(node.path == "t.yaml" for node in (root, resources, kind))


def test_block_scalar_ends_after_last_character():
    text = "Doc: |\n  {\"a\": 1}\n  \n\n# comment\nNext: 1\n"
    doc = load(text).get("Doc")
    assert doc.value == '{"a": 1}\n'
    assert spans(doc) == (1, 6, 2, 11)


def test_columns_count_characters_not_bytes():
    root = load('a: "é😀"\nb: [x, "ü", y]\n')
    assert spans(root.get("a")) == (1, 4, 1, 8)
    assert [spans(item) for item in root.get("b").value] == [(2, 5, 2, 6), (2, 8, 2, 11), (2, 13, 2, 14)]


def test_yaml_11_scalars_but_dates_stay_strings():
    root = load("v: 2012-10-17\nt: 2001-12-14t21:59:43.10-05:00\nb: [yes, No, on, true]\n"
                "i: [0x1F, 0o17, 017, 1_000, 1:30]\nf: [1.5, .inf, 1e3]\nn: [~, null, ]\ns: ['1', \"true\"]\n")
    plain = root.plain()
    assert plain["v"] == "2012-10-17"
    assert plain["t"] == "2001-12-14t21:59:43.10-05:00"
    assert plain["b"] == [True, False, True, True]
    assert plain["i"] == [31, "0o17", 15, 1000, 90]  # 0o is YAML 1.2, a string in 1.1
    assert plain["f"] == [1.5, math.inf, "1e3"]  # YAML 1.1: a float needs a dot
    assert plain["n"] == [None, None]
    assert plain["s"] == ["1", "true"]


def test_short_forms_become_long_form_mappings():
    text = (
        "A: !Ref Bucket\n"
        "B: !GetAtt Role.Arn\n"
        "C: !GetAtt [Role, Arn]\n"
        "D: !Sub 'arn:${AWS::Partition}:s3:::x'\n"
        "E: !Join ['', [a, !Ref B]]\n"
        "F: !If [Cond, !Ref AWS::NoValue, x]\n"
        "G: !Condition IsProd\n"
        "H: !Transform {Name: AWS::Include}\n"
        "I: !GetAZs ''\n"
    )
    plain = load(text, tags=INTRINSIC_TAGS).plain()
    assert plain == {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Role", "Arn"]},
        "C": {"Fn::GetAtt": ["Role", "Arn"]},
        "D": {"Fn::Sub": "arn:${AWS::Partition}:s3:::x"},
        "E": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        "F": {"Fn::If": ["Cond", {"Ref": "AWS::NoValue"}, "x"]},
        "G": {"Condition": "IsProd"},
        "H": {"Fn::Transform": {"Name": "AWS::Include"}},
        "I": {"Fn::GetAZs": ""},
    }


@pytest.mark.parametrize("tag", sorted(INTRINSIC_TAGS.long_forms))
def test_every_short_form_tag(tag):
    node = load(f"X: {tag} value\n", tags=INTRINSIC_TAGS).get("X")
    assert node.plain() == {INTRINSIC_TAGS.long_forms[tag]: "value" if tag != "!GetAtt" else ["value", ""]}


def test_short_form_spans():
    root = load("Resource: !Sub 'arn:${AWS::Partition}:x'\nArn: !GetAtt Role.Arn\nJ: !Join\n  - ''\n  - [a]\n", tags=INTRINSIC_TAGS)
    sub = root.get("Resource")
    assert spans(sub) == (1, 11, 1, 41)  # from the tag to the closing quote
    assert sub.key_spans["Fn::Sub"] == Span(1, 11, 1, 15)  # the tag
    assert spans(sub.get("Fn::Sub")) == (1, 16, 1, 41)  # the string itself
    getatt = root.get("Arn").get("Fn::GetAtt")
    assert [spans(part) for part in getatt.value] == [(2, 14, 2, 18), (2, 19, 2, 22)]
    join = root.get("J")
    assert spans(join) == (3, 4, 5, 8)
    assert spans(join.get("Fn::Join")) == (4, 3, 5, 8)


def test_duplicate_key_is_an_error_with_position():
    with pytest.raises(YAMLSyntaxError) as info:
        load("Resources:\n  A: 1\n  B: 2\n  A: 3\n")
    assert (info.value.line, info.value.column) == (4, 3)
    assert "duplicate key 'A'" in info.value.message


def test_syntax_error_has_line_and_column():
    with pytest.raises(YAMLSyntaxError) as info:
        load("a:\n  b: [1, 2\n  c: 3\n")
    assert (info.value.line, info.value.column) == (3, 4)
    assert info.value.message.startswith("invalid YAML:")
    error = info.value.file_error("x.yaml")
    assert (error.path, error.line, error.column) == ("x.yaml", 3, 4)


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(YAMLSyntaxError) as info:
        load("\n".join(lines))
    assert "alias" in info.value.message
    assert time.perf_counter() - started < 5


def test_small_aliases_expand_with_the_anchor_spans():
    root = load("base: &b {x: 1}\nuse: *b\n")
    assert root.plain() == {"base": {"x": 1}, "use": {"x": 1}}
    assert spans(root.get("use")) == spans(root.get("base")) == (1, 7, 1, 16)
    assert root.get("use") is not root.get("base")


def test_recursive_alias_is_an_error():
    with pytest.raises(YAMLSyntaxError, match="recursive alias"):
        load("a: &a [*a]\n")


def test_merge_keys_as_pyyaml():
    text = "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n"
    assert load(text).plain() == yaml.safe_load(text)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(YAMLSyntaxError):
        load("[" * 5000 + "]" * 5000)
    with pytest.raises(YAMLSyntaxError, match="nested deeper"):
        load("[" * (yamlpos.MAX_DEPTH + 5) + "]" * (yamlpos.MAX_DEPTH + 5))


def test_documents_and_plain_values():
    assert load("") is None
    assert load("# only a comment\n") is None
    with pytest.raises(YAMLSyntaxError) as info:
        load("a: 1\n---\nb: 2\n")
    assert info.value.line == 3
    assert [doc.plain() for doc in load_all("a: 1\n---\nb: 2\n")] == [{"a": 1}, {"b": 2}]
    assert load("rules:\n  - id: SM001\n    severity: high\n").plain() == {"rules": [{"id": "SM001", "severity": "high"}]}


def test_no_python_objects_are_constructed():
    plain = load("a: !!python/object/apply:os.system ['echo hi']\nb: !!binary aGk=\n").plain()
    assert plain == {"a": ["echo hi"], "b": "aGk="}


# -- agreement with yaml.safe_load --------------------------------------------------------------------

_KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
    | st.sampled_from(["yes", "no", "2012-10-17", "0x1F", "1:30", "~", "null", "!Ref x", "*a", "&b", "- x", "a: b"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_VALUES, flow=st.sampled_from([None, False, True]), width=st.sampled_from([20, 80]))
def test_agrees_with_safe_load(value, flow, width):
    text = yaml.safe_dump(value, default_flow_style=flow, width=width, allow_unicode=True, sort_keys=False)
    node = load(text, "gen.yaml")
    expected = yaml.safe_load(text)
    assert (None if node is None else node.plain()) == expected
