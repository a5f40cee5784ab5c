"""Secrets Manager resource semantics: rotation schedules and literal secret values."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter import secrets
from linter.loaders.jsonpos import parse
from linter.model import UNKNOWN, Node, Span

SPAN = Span(1, 1, 1, 2)


@pytest.mark.parametrize(
    ("after", "schedule", "days"),
    [
        (30, None, 30),
        ("120", None, 120),
        (None, "rate(30 days)", 30),
        (None, "rate(1 day)", 1),
        (None, "rate(12 hours)", 0.5),
        (None, " RATE( 200 Days ) ", 200),
        (None, "cron(0 16 1 * ? *)", 30),  # monthly
        (None, "cron(0 4 * * ? *)", 1),  # daily
        (None, "cron(0 4 ? * MON *)", 7),  # weekly
        (None, "cron(0 4 1 */3 ? *)", 90),  # quarterly
        (None, "cron(0 4 1 1,7 ? *)", 180),  # twice a year
        (None, "cron(0 4 1 JAN ? *)", 360),  # yearly
        (None, "cron(0 4 31 * ? *)", 60),  # only months with 31 days: Jul -> Aug is 1, Dec -> Jan 1, but Jan -> Mar 2
        (None, "cron(0 4 1 1-6 ? *)", 210),  # January to June, then nothing until January
        (None, "cron(0 4 1 * ? 2026)", None),  # limited to a year: not judged
        (None, "cron(0 4 1 13 ? *)", None),  # unreadable
        (None, "cron(0 4 1 *)", None),
        (None, "rate(5 minutes)", None),
        (None, f"rate({UNKNOWN} days)", None),
        (None, None, None),
        (True, None, None),
    ],
)
def test_rotation_days(after, schedule, days):
    assert secrets.rotation_days(after, schedule) == days


@given(st.integers(min_value=1, max_value=1000))
def test_rate_days_round_trip(n):
    assert secrets.rotation_days(None, f"rate({n} days)") == n


@given(st.text(max_size=40))
def test_any_schedule_text_is_safe(text):
    result = secrets.rotation_days(None, f"cron({text})")
    assert result is None or result > 0


KEYS = secrets.DEFAULT_SECRET_KEYS


def literal(text: str) -> Node:
    return Node(text, SPAN)


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("hunter2", [""]),
        ('{"username": "app", "password": "hunter2"}', ["password"]),
        ('{"username": "app", "db": {"DB_PASSWORD": "x"}, "api_key": "k"}', ["DB_PASSWORD", "api_key"]),
        ('{"username": "app", "host": "db.internal"}', []),
        ('{"username": "app", "password": ""}', []),
        (f'{{"username": "app", "password": "{UNKNOWN}"}}', []),
        (f'{{"username": "app", "password": "{UNKNOWN}", "token": "t0k3n"}}', ["token"]),
        (UNKNOWN, []),
        (f"prefix-{UNKNOWN}", []),
        ("", []),
        ("   ", []),
        ("{not json", [""]),
    ],
)
def test_literal_secrets_in_strings(value, keys):
    assert [key for _, key in secrets.literal_secrets(literal(value), KEYS)] == keys


def test_literal_secrets_in_mappings_point_at_the_field():
    value = parse('{"username": "app", "password": "hunter2", "nested": {"token": "abc"}, "port": 5432}')
    found = secrets.literal_secrets(value, KEYS)
    assert [(node.value, key, node.span.column) for node, key in found] == [("hunter2", "password", 33), ("abc", "token", 64)]


def test_key_patterns_are_configurable():
    value = literal('{"username": "app", "pin": "1234"}')
    assert secrets.literal_secrets(value, KEYS) == []
    assert [k for _, k in secrets.literal_secrets(value, ["pin"])] == ["pin"]


def test_names_of_things_are_not_secret_fields():
    from linter.loaders.jsonpos import parse
    from linter.rules import load_rules
    from linter.secrets import literal_secrets

    patterns = next(r for r in load_rules() if r.id == "SM010").option_defaults()["key_patterns"]
    value = parse('{"secret_name": "app/db", "token_url": "https://x", "secret_arn": "arn:aws:x", "db_password": "p4ss"}')
    assert [key for _, key in literal_secrets(value, patterns)] == ["db_password"]


def test_nth_and_last_weekday_crons_are_monthly():
    from linter.secrets import cron_days

    assert cron_days("0 8 ? * SUN#1 *") == 35.0
    assert cron_days("0 8 ? * 6L *") == 35.0
    assert cron_days("0 8 ? * MON-FRI *") == 7.0
