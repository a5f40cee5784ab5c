"""IAM semantics: how AWS reads actions, resources, principals and conditions.

Everything a rule needs to decide "does this statement grant X" lives here, so rules stay declarative.
Actions and condition keys compare case-insensitively, values case-sensitively; `*` and `?` are globs.
Values that cannot be known offline contain `UNKNOWN`: a glob's `*` may match it, a literal never does.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from linter import catalog
from linter.model import UNKNOWN, Node

WILDCARDS = ("*", "?")


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=8192)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.S | (re.I if ignore_case else 0))


def glob_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """IAM-style glob: `*` any run of characters (colons included), `?` exactly one."""
    return _glob(pattern, ignore_case).fullmatch(text) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Does an Action element cover a concrete action? Case-insensitive; unknown parts match nothing."""
    if UNKNOWN in pattern:
        return False
    return glob_match(pattern, action, ignore_case=True)


# ---- action sets ---------------------------------------------------------------------------------------

def expand(patterns: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Concrete actions named by patterns: wildcards expand over the catalog, literals stand for themselves."""
    excluded = tuple(exclude)
    result: set[str] = set()
    for pattern in patterns:
        if has_wildcard(pattern):
            prefix = pattern.split(":", 1)[0]
            pools = [catalog.service_actions(prefix)] if not has_wildcard(prefix) else catalog.catalog().values()
            result.update(a for pool in pools for a in pool if action_matches(pattern, a))
        else:
            result.add(pattern)
    return tuple(sorted(a for a in result if not any(action_matches(x, a) for x in excluded)))


class ActionSet:
    """Actions named by include/exclude patterns, expanded over the catalog only when needed.

    Asking whether a literal action belongs needs no catalog (so a policy without wildcards never loads
    it); iterating the members does. A literal action counts even if the catalog does not know it, as
    AWS adds actions faster than any catalog (IAM006 reports names that look like typos).
    """

    __slots__ = ("include", "exclude", "_members")

    def __init__(self, include: Iterable[str], exclude: Iterable[str] = ()) -> None:
        self.include, self.exclude = tuple(include), tuple(exclude)
        self._members: tuple[str, ...] | None = None

    def __contains__(self, action: str) -> bool:
        return any(action_matches(p, action) for p in self.include) and not any(
            action_matches(p, action) for p in self.exclude
        )

    def __iter__(self):
        if self._members is None:
            self._members = expand(self.include, self.exclude)
        return iter(self._members)


def strings(node: Node | None) -> list[Node]:
    """The string items of an element that may be a string or a list (IAM's string-or-list)."""
    if node is None:
        return []
    return [item for item in node.items_list() if isinstance(item.value, str)]


def actions_covered(pattern: str, targets: Iterable[str]) -> list[str]:
    """Which targets an Action element covers; a literal element is checked without expanding the set."""
    if isinstance(targets, ActionSet) and not has_wildcard(pattern):
        return [pattern] if UNKNOWN not in pattern and pattern in targets else []
    return [t for t in targets if action_matches(pattern, t)]


def not_action_leaves(not_action: Node, targets: Iterable[str]) -> list[str]:
    """Targets an Allow with this NotAction still grants; none when an element is unknown (it might cover them)."""
    elements = strings(not_action)
    if any(e.is_unknown for e in elements) or len(elements) != len(not_action.items_list()):
        return []
    return [t for t in targets if not any(action_matches(e.value, t) for e in elements)]


def granted(action: Node | None, not_action: Node | None, targets: Iterable[str]) -> list[str]:
    """Which of `targets` a statement's Action / NotAction covers (case-insensitively, without repeats)."""
    if action is not None:
        found: dict[str, str] = {}
        for element in strings(action):
            for name in actions_covered(element.value, targets):
                found.setdefault(name.lower(), name)
        return sorted(found.values(), key=str.lower)
    if not_action is not None:
        return not_action_leaves(not_action, targets)
    return []


# ---- resources -----------------------------------------------------------------------------------------

_PROBE_NAMES = ("a", "Zq", "prod/db-credentials-AbC123", "x.y_z+w=v@u-t", "9/8/7")
_FREE_FIELDS = {1: "aws", 3: "us-east-1", 4: "123456789012"}  # partition, region, account


def covers_all_secrets(pattern: str) -> bool:
    """Does a Resource value cover every secret of some account, region or partition?

    `*`, `arn:aws:secretsmanager:*:*:secret:*` and `arn:aws:secretsmanager:us-east-1:123456789012:secret:*`
    do; `...:secret:prod/*` and `...:secret:db-??????` do not. Partition, region and account are kept when
    literal (the pattern must cover every secret *there*) and sampled when wildcard or wholly unknown; the
    secret name is probed with names of different shapes.
    """
    if pattern == "*":
        return True
    fields = pattern.split(":", 5)
    if fields[0].lower() != "arn":
        return False
    sample = dict(_FREE_FIELDS)
    for index, field in enumerate(fields[:5]):
        if index not in sample:
            continue
        if field == UNKNOWN:
            fields[index] = sample[index]  # some fixed value: stands for whatever is deployed
        elif not has_wildcard(field):
            sample[index] = field
    subject = ":".join(fields)
    prefix = f"arn:{sample[1]}:secretsmanager:{sample[3]}:{sample[4]}:secret:"
    return all(glob_match(subject, prefix + name) for name in _PROBE_NAMES)


# ---- principals ----------------------------------------------------------------------------------------

def principal_is_everyone(principal: Node | None) -> bool:
    """`"*"`, `{"AWS": "*"}` or `{"AWS": ["*", ...]}`: anyone, in any account, signed or not."""
    if principal is None:
        return False
    if principal.value == "*":
        return True
    aws = principal.get("AWS")
    return any(item.value == "*" for item in strings(aws))


# ---- conditions ----------------------------------------------------------------------------------------

def condition_entries(condition: Node | None) -> list[tuple[str, str, Node]]:
    """(operator, key, values node) for every key under every operator of a Condition block."""
    if condition is None or not isinstance(condition.value, dict):
        return []
    entries = []
    for operator, block in condition.value.items():
        if isinstance(block.value, dict):
            entries += [(operator, key, values) for key, values in block.value.items()]
    return entries


_PINNING_OPERATORS = {"StringEquals", "ForAnyValue:StringEquals", "StringLike", "ForAnyValue:StringLike"}


def pins(condition: Node | None, key: str, value: str) -> bool:
    """Does the Condition force `key` to be exactly `value`?

    Only an exact single value under StringEquals (or StringLike without wildcards, or their ForAnyValue
    forms, which for a single-valued key mean the same) pins. `...IfExists` lets requests without the key
    through, `ForAllValues:` is true for an empty set, and a list of values admits each of them.
    """
    for operator, cond_key, values in condition_entries(condition):
        if operator not in _PINNING_OPERATORS or cond_key.lower() != key.lower():
            continue
        items = values.items_list()
        if len(items) != 1 or items[0].value != value:
            continue
        if operator.endswith("StringLike") and has_wildcard(value):
            continue
        return True
    return False


_NEGATED_OPERATORS = {
    "StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike",
    "StringNotEqualsIfExists", "StringNotLikeIfExists", "ArnNotEqualsIfExists", "ArnNotLikeIfExists",
}


def is_named_principal(value: str) -> bool:
    """A principal ARN or id that names someone, rather than a whole account or everyone.

    `arn:aws:iam::111122223333:role/Admin` and `.../role/admin-*` name; `*`, `arn:aws:iam::*:role/Admin`
    and `arn:aws:iam::111122223333:role/*` do not. Unknown values (a variable) are taken as named.
    """
    if value == UNKNOWN or (UNKNOWN in value and not has_wildcard(value)):
        return True
    if not value.startswith("arn:"):
        return bool(value.strip("*?"))  # a user id or name
    fields = value.split(":", 5)
    if len(fields) < 6 or has_wildcard(fields[4]):
        return False
    name = fields[5].split("/", 1)[-1] if "/" in fields[5] else ""
    return bool(name.strip("*?/"))


def only_exempts_named(condition: Node | None, keys: Iterable[str]) -> bool:
    """Does a Deny's Condition leave it in force for everyone but named principals?

    True with no Condition, or when every entry is a negated match (`StringNotEquals`, `ArnNotLike`, ...) of
    one of `keys` (such as `aws:PrincipalArn`) against named principals. Any other condition (an account,
    MFA, a tag) means the Deny does not always apply.
    """
    allowed = {k.lower() for k in keys}
    for operator, key, values in condition_entries(condition):
        if operator not in _NEGATED_OPERATORS or key.lower() not in allowed:
            return False
        items = values.items_list()
        if not items or not all(isinstance(i.value, str) and is_named_principal(i.value) for i in items):
            return False
    return condition is None or isinstance(condition.value, dict)
