"""Structure-aware fuzzing: valid syntax in every input format, carrying hostile values.

Byte-level garbage is covered by `test_robustness`; the defects that matter sit behind valid syntax. Each
example builds one IAM policy from hostile pieces (surrogates, control characters, NaN, 10^5000,
100k-character strings, adversarial globs, deep lists) and writes it as a JSON policy, a Terraform
`jsonencode`, a CloudFormation YAML template and a CloudFormation JSON template, next to a control file
with a known finding. `policylint check` runs in a subprocess with a generous time budget (a hang fails the
example; nothing is timed) and must: exit 0, 1 or 2; print no traceback; write a valid UTF-8 JSON report;
still report the control file.

The default run is small enough for CI (well under a minute); `pytest -m long` runs many more examples.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).parent.parent
FILE_BUDGET = 15  # seconds per input file, far above an honest run
CONTROL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'


@dataclass(frozen=True)
class Raw:
    """A token written as is in every format: numbers Python would not print (10^5000), deep nesting."""

    text: str


# ---- hostile values ------------------------------------------------------------------------------------

_GLOBS = st.sampled_from([
    "*?" * 12 + "x", "secretsmanager:" + "*a" * 40 + "b", "arn:*:kms:*:*:alias/aws/secretsmanager",
    "*" * 500, "?" * 300, "secretsmanager:*", "secretsmanager:Get*", "*",
])
_ODD_CHARS = st.sampled_from(["\x1b]0;pwned\x07", "\x00", "\ud800", "\udcff", "\u202e", "\u2028", "\r", "\n",
                              "\x85", "\ufeff", "\uffff", "%0A", "::error::", "${", "%{", "\\"])
_TEXT = st.one_of(
    st.text(max_size=20),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(["secretsmanager:", "arn:aws:secretsmanager:", ""]),
              _ODD_CHARS, st.text(max_size=5)),
    _GLOBS,
    st.just("A" * 100_000),
)
_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 0.0]),
    st.just(Raw("1" + "0" * 5000)), st.just(Raw("1e5")), st.just(Raw("-0")),
)
_DEEP = st.integers(50, 400).map(lambda depth: Raw("[" * depth + '"x"' + "]" * depth))
_SCALARS = st.one_of(_TEXT, _NUMBERS, st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS | _DEEP, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=12)
_STRING_OR_LIST = st.one_of(_TEXT, st.lists(_TEXT, max_size=4), _VALUES)

_STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]) | _TEXT},
    optional={
        "Action": _STRING_OR_LIST, "NotAction": _STRING_OR_LIST, "Resource": _STRING_OR_LIST,
        "NotResource": _STRING_OR_LIST, "Principal": st.sampled_from(["*", {"AWS": "*"}]) | _VALUES,
        "Condition": st.dictionaries(_TEXT, st.dictionaries(_TEXT, _STRING_OR_LIST, max_size=2), max_size=2),
        "Sid": _SCALARS,
    },
)
POLICIES = st.fixed_dictionaries(
    {"Statement": st.lists(_STATEMENT, min_size=1, max_size=3) | _VALUES},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"]) | _SCALARS},
)


# ---- writing one policy in every format --------------------------------------------------------------------

def _json_string(text: str) -> str:
    """A JSON string literal; lone surrogates become `\\udXXX` escapes (what an attacker would write)."""
    return json.dumps(text, ensure_ascii=True)


def to_json(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_json_string(k)}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    if isinstance(value, str):
        return _json_string(value)
    return json.dumps(value)  # numbers (NaN and Infinity as Python writes them), booleans, null


def _hcl_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("${", "$${").replace("%{", "%%{")
    return '"' + "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else f"\\u{ord(c):04x}"
                         for c in escaped) + '"'


def to_hcl(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_hcl_string(k)} = {to_hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_hcl(v) for v in value) + "]"
    if isinstance(value, str):
        return _hcl_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if math.isfinite(value) else '"nan"'


def write_all(directory: Path, policy: dict) -> None:
    document = to_json(policy)
    (directory / "policy.json").write_text(document)
    (directory / "main.tf").write_text(
        f'resource "aws_iam_policy" "p" {{\n  policy = jsonencode({to_hcl(policy)})\n}}\n'
        f'resource "aws_secretsmanager_secret" "s" {{\n  kms_key_id = {to_hcl(policy.get("Version"))}\n}}\n'
    )
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": Raw(document)}}}}
    (directory / "template.json").write_text(to_json(template))
    (directory / "template.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n'
        f"    Properties:\n      PolicyDocument: {document}\n"
    )
    (directory / "control.json").write_text(CONTROL)


def check_directory(directory: Path) -> None:
    files = len(list(directory.iterdir()))
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", ".", "--format", "json"], cwd=directory, capture_output=True,
        timeout=FILE_BUDGET * files, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode in (0, 1, 2), result.stderr
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    report = json.loads(result.stdout.decode("utf-8"))  # strict UTF-8, valid JSON
    assert any(f["path"] == "control.json" and f["rule_id"] == "SM001" for f in report["findings"])
    assert all("internal error" not in e["message"] for e in report["errors"]), report["errors"]


_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.function_scoped_fixture])


@settings(max_examples=12, **_COMMON)
@given(POLICIES)
def test_hostile_values_in_every_format(tmp_path_factory, policy):
    directory = tmp_path_factory.mktemp("fuzz")
    write_all(directory, policy)
    check_directory(directory)


@pytest.mark.long
@settings(max_examples=400, **_COMMON)
@given(POLICIES)
def test_hostile_values_in_every_format_long(tmp_path_factory, policy):
    directory = tmp_path_factory.mktemp("fuzz")
    write_all(directory, policy)
    check_directory(directory)
