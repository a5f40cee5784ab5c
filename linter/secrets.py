"""Secrets Manager resource semantics: rotation schedules and secret values written into IaC.

Rules about resources (SM006, SM010) ask questions the IAM grammar does not cover: how often does a
`schedule_expression` rotate, and is a `secret_string` a real secret typed into the code? Both answers are
conservative: what cannot be read with certainty (unknown values, unusual cron fields) is no finding.
"""
from __future__ import annotations

import json
import re

from linter.iam import glob_match
from linter.model import UNKNOWN, Node

# ---- rotation schedules ----------------------------------------------------------------------------------

_RATE = re.compile(r"rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)", re.I)
_CRON = re.compile(r"cron\((.*)\)", re.I | re.S)
# AWS cron month names, in English whatever the locale (and without importing `calendar`, which pulls in
# `datetime`: about a millisecond of every run that reads a rotation schedule).
_MONTHS = {name: index for index, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # leap-year February: the longest case


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        return float(value)
    return None


def rotation_days(automatically_after_days: object, schedule_expression: object) -> float | None:
    """Longest time between two rotations, in days, or None when it cannot be told offline.

    `automatically_after_days = N` and `rate(N days)` rotate every N days, `rate(N hours)` every N/24;
    a `cron(...)` rotates at least as often as its month field allows (see `cron_days`).
    """
    days = _number(automatically_after_days)
    if days is not None:
        return days
    if not isinstance(schedule_expression, str) or UNKNOWN in schedule_expression:
        return None
    text = schedule_expression.strip()
    rate = _RATE.fullmatch(text)
    if rate:
        amount = int(rate.group(1))
        return float(amount) if rate.group(2).lower().startswith("day") else amount / 24
    cron = _CRON.fullmatch(text)
    return cron_days(cron.group(1)) if cron else None


def _field_values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values a cron field selects (`*`, `?`, lists, ranges, steps, month names); None if unreadable."""
    selected: set[int] = set()
    for part in field.split(","):
        part = part.strip().lower()
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else (1 if not step_text else 0)
        if not step:
            return None
        if body in ("*", "?"):
            start, end = low, high
        else:
            first, dash, last = body.partition("-")
            start = _cron_number(first, names)
            end = _cron_number(last, names) if dash else (high if step_text else start)
            if start is None or end is None or not low <= start <= end <= high:
                return None
        selected.update(range(start, end + 1, step))
    return selected


def _cron_number(text: str, names: dict[str, int] | None) -> int | None:
    if text.isdigit():
        return int(text)
    return (names or {}).get(text[:3]) if text else None


def cron_days(expression: str) -> float | None:
    """Longest gap between runs of an AWS cron expression (`min hour day-of-month month day-of-week year`).

    Read conservatively: a schedule limited to some years, or fields this reader does not understand, give
    None (no finding). Within the selected months a day-of-month `*`/`?` with day-of-week `*`/`?` is daily,
    a day-of-week alone is weekly (but `SUN#1` or `5L`, one weekday a month, up to 35 days apart), anything
    else monthly (30 days); months that cannot hold the chosen
    day (`31` in April) are skipped, and gaps between selected months count 30 days per month.
    """
    fields = expression.split()
    if len(fields) != 6 or fields[5] not in ("*", "?"):
        return None
    _, _, day_of_month, month_field, day_of_week, _ = fields
    months = _field_values(month_field, 1, 12, _MONTHS)
    if not months:
        return None
    days = _field_values(day_of_month, 1, 31) if day_of_month not in ("*", "?", "L") and not any(
        c in day_of_month for c in "LW#") else None
    if days:
        months = {m for m in months if min(days) <= _DAYS_IN_MONTH[m - 1]}
        if not months:
            return None  # never runs: AWS rejects it, not a rotation question
    ordered = sorted(months)
    gaps = [(ordered[(i + 1) % len(ordered)] - m) % 12 or 12 for i, m in enumerate(ordered)]
    widest = max(gaps)
    if widest > 1:
        return widest * 30.0
    if day_of_month in ("*",) or (day_of_month == "?" and day_of_week in ("*", "?")):
        return 1.0
    if day_of_month == "?":
        # `SUN#1` (the first Sunday) and `5L` (the last Friday) run once a month, other weekdays weekly.
        return 35.0 if any(c in day_of_week for c in "#L") else 7.0
    return 30.0


# ---- literal secret values -------------------------------------------------------------------------------

DEFAULT_SECRET_KEYS = (
    "*password*", "*passwd*", "*pwd*", "*passphrase*", "*secret*", "*token*", "*api_key*", "*apikey*",
    "*api-key*", "*private_key*", "*privatekey*", "*access_key*", "*credential*",
)


def is_dynamic(text: str) -> bool:
    """A value filled in at deploy time (the formats turn CloudFormation dynamic references into UNKNOWN)."""
    return UNKNOWN in text


def literal_secrets(value: Node, key_patterns: tuple[str, ...] | list[str]) -> list[tuple[Node, str]]:
    """The parts of a secret value that are secrets typed into the code, as (node, key name or "").

    A mapping (Terraform's `jsonencode({...})`) or a JSON object string is a set of fields: only fields
    whose name matches `key_patterns` (globs, case-insensitive) and whose value is a literal count. Any
    other literal non-empty string is a secret as a whole. Values from variables without defaults,
    `random_password`, data sources, `{{resolve:...}}` or `GenerateSecretString` are unknown and never count.
    """
    if isinstance(value.value, dict):
        return _fields(value, value.value, key_patterns)
    if not isinstance(value.value, str) or not value.value.strip() or is_dynamic(value.value):
        if isinstance(value.value, str) and value.value.lstrip().startswith("{"):
            return [(value, key) for key in _json_secret_keys(value.value, key_patterns)]
        return []
    if value.value.lstrip().startswith(("{", "[")):
        try:
            parsed = json.loads(value.value)
        except ValueError:
            return [(value, "")]
        if isinstance(parsed, dict):
            return [(value, key) for key in _plain_secret_keys(parsed, key_patterns)]
    return [(value, "")]


def _matches(key: str, key_patterns) -> bool:
    """A field name matches a pattern and no `!`-pattern (`!*_name` keeps `secret_name` out)."""
    excluded = any(glob_match(p[1:], key, ignore_case=True) for p in key_patterns if p.startswith("!"))
    return not excluded and any(glob_match(p, key, ignore_case=True) for p in key_patterns if not p.startswith("!"))


def _fields(owner: Node, fields: dict[str, Node], key_patterns) -> list[tuple[Node, str]]:
    found = []
    for key, child in fields.items():
        if isinstance(child.value, dict):
            found += _fields(child, child.value, key_patterns)
        elif _matches(key, key_patterns) and isinstance(child.value, str) and child.value.strip() and not is_dynamic(child.value):
            found.append((child, key))
    return found


def _plain_secret_keys(data: dict, key_patterns) -> list[str]:
    keys = []
    for key, item in data.items():
        if isinstance(item, dict):
            keys += _plain_secret_keys(item, key_patterns)
        elif _matches(key, key_patterns) and isinstance(item, str) and item.strip() and not is_dynamic(item):
            keys.append(key)
    return keys


def _json_secret_keys(text: str, key_patterns) -> list[str]:
    """Literal secret fields of a JSON object string that also holds unknown parts (`!Sub '{...}'`)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return []
    return _plain_secret_keys(parsed, key_patterns) if isinstance(parsed, dict) else []
