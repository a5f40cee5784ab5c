"""The glob matcher: same answers as a reference matcher, and a step count linear in the text.

The step count is the matcher's own tally (characters consumed, or literal pieces placed); nothing is timed.
"""
from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.globs import Glob, glob_match, path_glob_match
from linter.model import UNKNOWN

_PATTERN_CHARS = st.sampled_from(["a", "b", "A", ":", "*", "?", "/", "-", UNKNOWN, "\u0130", "\u212a"])
_TEXT_CHARS = st.sampled_from(["a", "b", "A", "B", ":", "/", "-", UNKNOWN, "\u0130", "k"])
_PATH_PATTERN_CHARS = st.sampled_from(["a", "b", "c", "z", "/", "*", "?", "[", "]", "!", "-", "^", "\\"])
_PATH_TEXT_CHARS = st.sampled_from(["a", "b", "c", "z", "/", "-", "]", "!", "^", "\\", "["])


def _reference(pattern: str, text: str, ignore_case: bool) -> bool:
    """The old backtracking translation to a regex (fine for short inputs), on text folded the same way."""
    if ignore_case:
        pattern, text = (_fold(s) for s in (pattern, text))
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, text, re.S) is not None


def _fold(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@settings(max_examples=600, deadline=None)
@given(st.text(_PATTERN_CHARS, max_size=9), st.text(_TEXT_CHARS, max_size=9), st.booleans())
def test_iam_glob_agrees_with_the_reference(pattern, text, ignore_case):
    assert glob_match(pattern, text, ignore_case) == _reference(pattern, text, ignore_case)


@settings(max_examples=600, deadline=None)
@given(st.text(_PATH_PATTERN_CHARS, max_size=10), st.text(_PATH_TEXT_CHARS, max_size=8))
def test_path_glob_agrees_with_fnmatch(pattern, text):
    assert path_glob_match(pattern, text) == fnmatch.fnmatchcase(text, pattern)


@pytest.mark.parametrize("pattern, text, expected", [
    ("secretsmanager:Get*", "SecretsManager:GetSecretValue", True),
    ("secretsmanager:*Secret*", "secretsmanager:ListSecrets", True),
    ("s3:?etObject", "s3:GetObject", True),
    ("s3:?etObject", "s3:etObject", False),
    ("*-??????", "db-AbCdEf", True),
    ("*-??????", "db-AbCdE", False),
    ("a*", f"a{UNKNOWN}", True),
    ("a", UNKNOWN, False),
])
def test_iam_globs(pattern, text, expected):
    assert glob_match(pattern, text, ignore_case=True) is expected


def _adversarial(size: int) -> list[tuple[str, str]]:
    """Patterns that make a backtracking matcher take exponential or polynomial time, with their texts."""
    return [
        ("*?" * size + "x", "a" * (4 * size)),  # the 117-byte Action of the audit, scaled
        ("a*" * size + "b", "a" * (4 * size)),
        ("*a" * size + "?b", "a" * (4 * size)),
        ("arn:*:kms:*:*:alias/aws/secretsmanager", "arn:" + ":kms:" * (4 * size)),  # SM005's own pattern
        ("*" + "a*" * size, "a" * (size - 1)),
        ("[a]*" * size + "b", "a" * (4 * size)),
    ]


@pytest.mark.parametrize("family", range(6))
def test_step_count_is_linear_in_the_text(family):
    steps = []
    for size in (8, 16, 32, 64, 128, 256):
        pattern, text = _adversarial(size)[family]
        glob = Glob(pattern, sets=pattern.startswith("["))
        matched, count = glob.trace(text)
        assert matched is False
        assert count <= len(text) + len(pattern) + 1
        steps.append(count)
    # Doubling the input at most doubles the steps (plus a constant): no quadratic or worse growth.
    assert all(b <= 2 * a + 2 for a, b in zip(steps, steps[1:]))


def test_case_insensitive_globs_have_no_sets():
    with pytest.raises(ValueError):
        Glob("[a]", ignore_case=True, sets=True)
