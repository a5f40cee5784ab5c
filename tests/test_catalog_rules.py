"""Catalog rules on hand-built resources and documents: semantics that examples alone do not pin down."""
from __future__ import annotations

import json

import pytest

from linter.engine import fingerprints, run_rules
from linter.formats.shapes import normalise
from linter.loaders.jsonpos import parse
from linter.model import Node, Resource, Span
from linter.rules import load_rules

RULES = {rule.id: rule for rule in load_rules()}
BLOCK = Span(1, 1, 20, 2)


def at(line: int, value, path: str = "main.tf") -> Node:
    if isinstance(value, dict):
        return Node({k: at(line, v, path) for k, v in value.items()}, Span(line, 1, line, 9), path)
    if isinstance(value, list):
        return Node([at(line, v, path) for v in value], Span(line, 1, line, 9), path)
    return Node(value, Span(line, 5, line, 5 + len(str(value))), path)


def resource(kind: str, address: str, attributes: dict | None = None, **links) -> Resource:
    return Resource(kind, "aws_" + kind, address, "main.tf", Span(1, 1, 1, 9),
                    attributes={k: at(i + 2, v) for i, (k, v) in enumerate((attributes or {}).items())},
                    links=links, block_span=BLOCK)


def run(rule_id: str, resources: list[Resource], options: dict | None = None):
    normalise(resources)  # as extraction hands them to the engine: one shape whatever the format
    return fingerprints(run_rules([RULES[rule_id]], {rule_id: options or {}}, [], resources), RULES)


# ---- SM005 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("attributes", "line"),
    [
        ({}, 1),
        ({"kms_key_id": None}, 1),
        ({"kms_key_id": ""}, 2),
        ({"kms_key_id": "alias/aws/secretsmanager"}, 2),
        ({"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager"}, 2),
        ({"kms_key_id": "alias/app"}, None),
        ({"kms_key_id": "\ue000"}, None),
    ],
)
def test_sm005_managed_key(attributes, line):
    findings = run("SM005", [resource("secret", "aws_secretsmanager_secret.db", attributes)])
    assert [f.span.line for f in findings] == ([line] if line else [])


def test_resource_rules_skip_standalone_policy_files():
    standalone = resource("secret", "")
    standalone.standalone = True
    for rule_id in ("SM005", "SM006", "SM010"):
        assert run(rule_id, [standalone]) == []


# ---- SM006 ---------------------------------------------------------------------------------------------------

def rotation(rules: dict) -> Resource:
    return resource("secret_rotation", "aws_secretsmanager_secret_rotation.db", {"rotation_rules": rules})


@pytest.mark.parametrize(
    ("rules", "fires"),
    [
        ({"automatically_after_days": 30}, False),
        ({"automatically_after_days": 90}, False),
        ({"automatically_after_days": 91}, True),
        ({"schedule_expression": "rate(120 days)"}, True),
        ({"schedule_expression": "cron(0 4 1 1,7 ? *)"}, True),
        ({"schedule_expression": "cron(0 4 1 * ? *)"}, False),
        ({"schedule_expression": "\ue000"}, False),
    ],
)
def test_sm006_interval(rules, fires):
    findings = run("SM006", [resource("secret", "aws_secretsmanager_secret.db", rotation=[rotation(rules)])])
    assert bool(findings) is fires
    if fires:
        assert findings[0].span.line == 2 and "not rotated at least every 90 days: its" in findings[0].message


def test_sm006_no_rotation_points_at_the_secret():
    findings = run("SM006", [resource("secret", "aws_secretsmanager_secret.db")])
    assert [(f.span.line, f.message) for f in findings] == [
        (1, "Secret aws_secretsmanager_secret.db is not rotated at least every 90 days: it has no rotation"),
    ]


def test_sm006_inline_rotation_rules_of_old_provider_versions():
    secret = resource("secret", "aws_secretsmanager_secret.db", {"rotation_rules": [{"automatically_after_days": 365}]})
    assert [f.span.line for f in run("SM006", [secret])] == [2]


def test_sm006_maximum_is_an_option():
    secret = resource("secret", "aws_secretsmanager_secret.db", rotation=[rotation({"automatically_after_days": 180})])
    assert run("SM006", [secret], {"max_days": 365}) == []
    assert "every 30 days" in run("SM006", [secret], {"max_days": 30})[0].message


# ---- SM007, SM009 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "fires"), [(0, True), ("0", True), (7, False), (None, False), ("\ue000", False)])
def test_sm007_recovery_window(value, fires):
    attributes = {} if value is None else {"recovery_window_in_days": value}
    assert bool(run("SM007", [resource("secret", "aws_secretsmanager_secret.db", attributes)])) is fires


@pytest.mark.parametrize(("value", "line"), [(None, 1), (False, 2), ("false", 2), (True, None), ("true", None)])
def test_sm009_block_public_policy(value, line):
    attributes = {} if value is None else {"block_public_policy": value}
    findings = run("SM009", [resource("secret_policy", "aws_secretsmanager_secret_policy.db", attributes)])
    assert [f.span.line for f in findings] == ([line] if line else [])


# ---- SM010 ---------------------------------------------------------------------------------------------------

def test_sm010_never_repeats_the_secret():
    value = parse('{"username": "app", "password": "correct-horse-battery"}', "main.tf")
    version = Resource("secret_version", "aws_secretsmanager_secret_version", "aws_secretsmanager_secret_version.db",
                       "main.tf", Span(1, 1, 1, 9), attributes={"secret_string": value}, block_span=Span(1, 1, 5, 1))
    findings = run("SM010", [version])
    assert [(f.span.line, f.span.column) for f in findings] == [(1, 33)]
    finding = findings[0]
    assert "correct-horse" not in json.dumps([finding.message, finding.fingerprint, finding.title])
    assert finding.message.startswith("secret_string (field 'password') of aws_secretsmanager_secret_version.db")


def test_sm010_reports_a_default_where_it_is_written():
    """A variable's default or a local is code in the repository too: the finding points at the literal."""
    default = Node("hunter2", Span(3, 13, 3, 22), "variables.tf")  # `default = "hunter2"` of a variable
    version = Resource("secret_version", "t", "aws_secretsmanager_secret_version.db", "main.tf", Span(1, 1, 1, 9),
                       attributes={"secret_string": default}, block_span=Span(1, 1, 5, 1))
    assert [(f.path, f.span) for f in run("SM010", [version])] == [("variables.tf", Span(3, 13, 3, 22))]


def test_sm010_key_patterns_are_an_option():
    value = parse('{"username": "app", "pin": "1234"}', "main.tf")
    version = Resource("secret_version", "t", "v", "main.tf", Span(1, 1, 1, 9), attributes={"secret_string": value})
    assert run("SM010", [version]) == []
    assert len(run("SM010", [version], {"key_patterns": ["pin"]})) == 1


def test_sm010_write_only_attribute_is_checked_too():
    value = Node("hunter2", Span(3, 22, 3, 31), "main.tf")
    version = Resource("secret_version", "t", "v", "main.tf", Span(1, 1, 1, 9), attributes={"secret_string_wo": value})
    assert [f.message.split(" of ")[0] for f in run("SM010", [version])] == ["secret_string_wo"]


def test_sm010_terraform_default_and_local_are_reported_at_the_literal(lint):
    text = (
        'variable "token" {\n  default = "tok-123"\n}\n\n'
        'locals {\n  creds = { username = "app", password = "local-secret" }\n}\n\n'
        'resource "aws_secretsmanager_secret_version" "token" {\n  secret_id     = "t"\n  secret_string = var.token\n}\n\n'
        'resource "aws_secretsmanager_secret_version" "db" {\n  secret_id     = "d"\n  secret_string = jsonencode(local.creds)\n}\n'
    )
    found = [(f.span.line, f.span.column) for f in lint({"main.tf": text}).findings if f.rule_id == "SM010"]
    assert found == [(2, 13), (6, 42)]
