"""IAM semantics: how AWS reads actions, resources, principals and conditions.

Everything a rule needs to decide "does this statement grant X" lives here, so rules stay declarative.
Actions and condition keys compare case-insensitively, values case-sensitively; `*` and `?` are globs.
Values that cannot be known offline contain `UNKNOWN`: a glob's `*` may match it, a literal never does.
"""
from __future__ import annotations

import re
from typing import Iterable

from linter import catalog
from linter.globs import glob_match
from linter.model import UNKNOWN, Node

def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


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

    A set outlives one statement (a rule keeps its sets for the run), so which members an Action element
    covers is worked out once per element text, and only among the members of the element's service when
    it names one literally: `s3:Get*` is never tried against Secrets Manager actions.
    """

    __slots__ = ("include", "exclude", "_members", "_services", "_covered")

    def __init__(self, include: Iterable[str], exclude: Iterable[str] = ()) -> None:
        self.include, self.exclude = tuple(include), tuple(exclude)
        self._members: tuple[str, ...] | None = None
        self._services: dict[str, tuple[str, ...]] | None = None
        self._covered: dict[str, list[str]] = {}

    def __contains__(self, action: str) -> bool:
        return any(action_matches(p, action) for p in self.include) and not any(
            action_matches(p, action) for p in self.exclude
        )

    def __iter__(self):
        if self._members is None:
            self._members = expand(self.include, self.exclude)
        return iter(self._members)

    def covered_by(self, pattern: str) -> list[str]:
        """The members an Action element covers, in member order (as `action_matches` over every member); a
        literal element, as written, when it belongs."""
        found = self._covered.get(pattern)
        if found is None:
            if not has_wildcard(pattern):  # a literal stands for itself: no catalog needed
                found = [pattern] if UNKNOWN not in pattern and pattern in self else []
            else:
                found = [t for t in self._candidates(pattern) if action_matches(pattern, t)]
            if len(self._covered) >= _COVERED_LIMIT:
                self._covered.clear()
            self._covered[pattern] = found
        return list(found)

    def _candidates(self, pattern: str) -> Iterable[str]:
        """Members the pattern may cover: those of its service when the part before its first `:` is a
        literal ASCII prefix (a match must then start with that prefix and `:`, in any case), else all."""
        prefix, colon, _ = pattern.partition(":")
        if not colon or has_wildcard(prefix) or not prefix.isascii():
            return self
        if self._services is None:
            self._services = _by_service(tuple(self))
        return self if self._services is _UNINDEXED else self._services.get(prefix.lower(), ())


_COVERED_LIMIT = 4096  # element texts remembered per action set (bounds memory over a long session)
_UNINDEXED: dict[str, tuple[str, ...]] = {}


def _by_service(members: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Members grouped by lower-case service prefix, each group in member order; `_UNINDEXED` when some
    member is not ASCII (its lower case could differ from the glob's fold: every member is then tried)."""
    if not all(m.isascii() for m in members):
        return _UNINDEXED
    groups: dict[str, list[str]] = {}
    for member in members:
        groups.setdefault(member.partition(":")[0].lower(), []).append(member)
    return {prefix: tuple(group) for prefix, group in groups.items()}


def strings(node: Node | None) -> list[Node]:
    """The string items of an element that may be a string or a list (IAM's string-or-list)."""
    if node is None:
        return []
    return [item for item in node.items_list() if isinstance(item.value, str)]


def actions_covered(pattern: str, targets: Iterable[str]) -> list[str]:
    """Which targets an Action element covers; a literal element is checked without expanding the set."""
    if isinstance(targets, ActionSet):
        return targets.covered_by(pattern)
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

# The ends of secret ARNs: a name of some shape, then the "-" and six random characters AWS always appends
# (so `secret:*-??????` covers every secret, and `secret:db-??????` only the one named db).
_PROBE_NAMES = ("a-AbCdEf", "Zq-x1Y2z3", "prod/db-credentials-AbC123", "x.y_z+w=v@u-t-9Qr8St", "9/8/7-000000")
_FREE_FIELDS = {1: "aws", 3: "us-east-1", 4: "123456789012"}  # partition, region, account
# Role names of different shapes (a path, punctuation IAM allows), and ARNs of different services.
_ROLE_NAMES = ("app", "service-role/AWSLambda-x", "a/b/c.d_e+f=g@h-i,j")
_SAMPLE_ARNS = (
    "arn:{partition}:s3:::bucket/key", "arn:{partition}:iam::123456789012:role/app",
    "arn:{partition}:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf",
    "arn:{partition}:ec2:eu-west-1:123456789012:instance/i-0123", "arn:{partition}:sqs:us-east-1:123456789012:q",
)


def covers_all_secrets(pattern: str) -> bool:
    """Does a Resource value cover every secret of some account, region or partition?

    `*`, `arn:aws:secretsmanager:*:*:secret:*` and `arn:aws:secretsmanager:us-east-1:123456789012:secret:*`
    and `...:secret:*-??????` (every ARN ends in six random characters)
    do; `...:secret:prod/*` and `...:secret:db-??????` do not. Partition, region and account are kept when
    literal (the pattern must cover every secret *there*) and sampled when wildcard or wholly unknown; the
    secret name is probed with names of different shapes.
    """
    return _covers_every(pattern, "secretsmanager", _FREE_FIELDS[3], "secret:", _PROBE_NAMES)


def covers_all_roles(pattern: str) -> bool:
    """Does a Resource value cover every IAM role of some account or partition (`*`,
    `arn:aws:iam::123456789012:role/*`, `arn:aws:iam::*:role/*`, `arn:aws:iam::*:*`)? As `covers_all_secrets`;
    `...:role/app-*` and `...:role/service-role/*` do not."""
    return _covers_every(pattern, "iam", "", "role/", _ROLE_NAMES)


def covers_everything(pattern: str) -> bool:
    """Does a Resource value cover every resource of some partition (`*`, `arn:*`, `arn:aws:*:*:*:*`)?"""
    if pattern == "*":
        return True
    fields = pattern.split(":", 2)
    partition = fields[1] if len(fields) > 1 and not has_wildcard(fields[1]) and UNKNOWN not in fields[1] else "aws"
    return all(glob_match(pattern, sample.format(partition=partition)) for sample in _SAMPLE_ARNS)


def _covers_every(pattern: str, service: str, region: str, kind: str, names: tuple[str, ...]) -> bool:
    """Does `pattern` match the ARN of every resource of one kind (`secret:`, `role/`) of some account?"""
    if pattern == "*":
        return True
    free = {**_FREE_FIELDS, 3: region}
    fields = pattern.split(":", 5)
    if fields[0].lower() != "arn":
        # A leading wildcard (`arn*`, `*:secret:*`) can span the colons: probe the whole ARN.
        prefix = f"arn:{free[1]}:{service}:{free[3]}:{free[4]}:{kind}"
        return has_wildcard(fields[0]) and all(glob_match(pattern, prefix + name) for name in names)
    sample = dict(free)
    for index, field in enumerate(fields[:5]):
        if index not in sample:
            continue
        if field == UNKNOWN:
            fields[index] = sample[index]  # some fixed value: stands for whatever is deployed
        elif not has_wildcard(field):
            sample[index] = field
    subject = ":".join(fields)
    prefix = f"arn:{sample[1]}:{service}:{sample[3]}:{sample[4]}:{kind}"
    return all(glob_match(subject, prefix + name) for name in names)


def is_arn_or_star(value: str) -> bool:
    """Is a Resource value of a shape IAM accepts: `*` or an ARN? IAM rejects a policy with anything else
    (`abc*`), so such a value names nothing. Values with unknown parts are given the benefit of the doubt."""
    return UNKNOWN in value or value == "*" or value[:4].lower() == "arn:"


def may_name_a_secret(pattern: str) -> bool:
    """Could a Resource value match some secret's ARN?

    False only for values that plainly name something else (`arn:aws:s3:::bucket/*`, `arn:aws:kms:...`);
    `*`, a wildcard that may span into the service field, and unknown values may name a secret.
    """
    if UNKNOWN in pattern:
        return True
    if not is_arn_or_star(pattern):
        return False
    fields = pattern.split(":", 3)
    if len(fields) < 3 or has_wildcard(fields[0]) or has_wildcard(fields[1]):
        return has_wildcard(pattern)
    return glob_match(fields[2], "secretsmanager")


def may_name_secret(pattern: str, name: str | None) -> bool:
    """Could a Resource value match the ARN of the secret called `name` (None: name unknown)?

    A secret's ARN ends in its name, a dash and six random characters, so `...:secret:db-*` matches the
    secret `db` and `...:secret:other-AbCdEf` does not. `*` and unknown values may match anything.
    """
    if not may_name_a_secret(pattern):
        return False
    fields = pattern.split(":", 6)
    if name is None or UNKNOWN in pattern or len(fields) < 7 or fields[5] != "secret":
        return True
    return glob_match(fields[6], f"{name}-AbCdEf") or glob_match(fields[6], name)


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


PINNING_OPERATORS = ("StringEquals", "ForAnyValue:StringEquals", "StringLike", "ForAnyValue:StringLike")


def _text(value: object) -> object:
    """A condition value as IAM reads it: JSON/YAML booleans are the strings "true" and "false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def pins(condition: Node | None, key: str, value: str, operators: Iterable[str] = PINNING_OPERATORS) -> bool:
    """Does the Condition force `key` to be exactly `value`?

    Only an exact single value under StringEquals (or StringLike without wildcards, or their ForAnyValue
    forms, which for a single-valued key mean the same) pins. `...IfExists` lets requests without the key
    through, `ForAllValues:` is true for an empty set, and a list of values admits each of them. Other
    `operators` can be named (`Bool` for a flag); `Bool` compares case-insensitively, as IAM does.
    """
    allowed = {op.lower() for op in operators}
    for operator, cond_key, values in condition_entries(condition):
        if operator.lower() not in allowed or cond_key.lower() != key.lower():
            continue
        items = values.items_list()
        if len(items) != 1:
            continue
        actual = _text(items[0].value)
        if operator.lower() == "bool":
            if not isinstance(actual, str) or actual.lower() != value.lower():
                continue
        elif actual != value:
            continue
        if operator.lower().endswith("stringlike") and has_wildcard(value):
            continue
        return True
    return False


_NEGATED_OPERATORS = {  # lower case: operators compare case-insensitively, as everywhere in this module
    "stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike",
    "stringnotequalsifexists", "stringnotlikeifexists", "arnnotequalsifexists", "arnnotlikeifexists",
}


def is_named_principal(value: str) -> bool:
    """A principal ARN or id that names someone, rather than a whole account or everyone.

    `arn:aws:iam::111122223333:role/Admin` and `.../role/admin-*` name; `*`, `arn:aws:iam::*:role/Admin`
    and `arn:aws:iam::111122223333:role/*` do not. `arn:aws:iam::111122223333:root` names the account's root
    user (that is its `aws:PrincipalArn`), not the account. Unknown values (a variable) are taken as named.
    """
    if value == UNKNOWN or (UNKNOWN in value and not has_wildcard(value)):
        return True
    if not value.startswith("arn:"):
        return bool(value.strip("*?"))  # a user id or name
    fields = value.split(":", 5)
    if len(fields) < 6 or has_wildcard(fields[4]):
        return False
    if fields[5] == "root":
        return True
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
        if operator.lower() not in _NEGATED_OPERATORS or key.lower() not in allowed:
            return False
        items = values.items_list()
        if not items or not all(isinstance(i.value, str) and is_named_principal(i.value) for i in items):
            return False
    return condition is None or isinstance(condition.value, dict)


# ---- conditions: restricting the caller -------------------------------------------------------------------

# Operators under which a fixed value narrows who may call: the request must carry exactly that value.
_RESTRICTING_OPERATORS = {
    "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike",
    "foranyvalue:stringequals", "foranyvalue:stringequalsignorecase", "foranyvalue:stringlike",
    "foranyvalue:arnequals", "foranyvalue:arnlike",
}


def is_fixed_value(value: object) -> bool:
    """A condition value that names one thing: no wildcard, no policy variable, not empty.

    Unknown values (a variable, `!Ref OrgId`) are fixed: they stand for whatever is deployed, never `*`.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return True  # an account id written as a YAML number
    if not isinstance(value, str) or not value:
        return False
    return not has_wildcard(value) and "${" not in value


_CALLER_VARIABLE = re.compile(r"\$\{aws:(?:PrincipalTag/[^}]+|username|userid)\}", re.I)


def is_caller_variable(value: object) -> bool:
    """A value that is exactly a policy variable naming the caller's own attribute (`${aws:PrincipalTag/team}`,
    `${aws:username}`): attribute-based access, where each caller reaches only the resources tagged for it."""
    return isinstance(value, str) and _CALLER_VARIABLE.fullmatch(value) is not None


def restricted_by(condition: Node | None, keys: Iterable[str], caller_variables: bool = False) -> list[Node]:
    """Condition values that really restrict the request to fixed values of one of `keys`.

    Only positive operators count (`StringEquals`, `ArnEquals`, `StringLike`/`ArnLike` without wildcards, and
    their `ForAnyValue:` forms, which mean the same for these single-valued keys). `...IfExists` lets
    requests without the key through, `ForAllValues:` is true for an empty set, negated operators admit
    everything but one value, and a wildcard or policy variable admits many. `keys` may be globs
    (`aws:ResourceTag/*`), compared case-insensitively. With `caller_variables`, a value that is the caller's
    own tag, user name or id (`${aws:PrincipalTag/team}`) counts too. An empty list of values (a module's
    `writers = []` default) matches no request: it restricts the caller to nobody. Returns the value nodes.
    """
    wanted = tuple(keys)
    found = []
    for operator, key, values in condition_entries(condition):
        if operator.lower() not in _RESTRICTING_OPERATORS or not any(glob_match(k, key, True) for k in wanted):
            continue
        items = values.items_list()
        if all(
            is_fixed_value(item.value)
            or is_single_account_arn(item.value)
            or (key.lower() == "aws:principalorgpaths" and is_one_organization_path(item.value))
            or (caller_variables and is_caller_variable(item.value))
            for item in items
        ):
            found.append(values)
    return found


def is_one_organization_path(value: object) -> bool:
    """An `aws:PrincipalOrgPaths` pattern inside one literal organization (`o-a1b2c3/r-ab12/ou-ab12-111/*`):
    it admits the accounts of an organizational unit, so it restricts the caller like an organization id."""
    if not isinstance(value, str) or "${" in value or UNKNOWN in value:
        return False
    organization = value.split("/", 1)[0]
    return organization.startswith("o-") and len(organization) > 2 and not has_wildcard(organization)


def is_single_account_arn(value: object) -> bool:
    """An ARN pattern whose wildcards stay inside one literal account (`arn:aws:iam::111122223333:role/app-*`):
    it admits several principals, but all of that account, so it restricts the caller like an account id."""
    if not isinstance(value, str) or not value.startswith("arn:") or "${" in value:
        return False
    fields = value.split(":", 5)
    return len(fields) == 6 and fields[4].isdigit() and not has_wildcard(":".join(fields[:5]))


# ---- validity: what IAM itself would reject or misread --------------------------------------------------

CONDITION_OPERATORS = (
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
    "Null",
)
_OPERATORS_LOWER = {name.lower() for name in CONDITION_OPERATORS}


def is_condition_operator(operator: str) -> bool:
    """IAM's condition operators, optionally with a `ForAnyValue:`/`ForAllValues:` prefix and an
    `IfExists` suffix (`Null` takes neither). Compared case-insensitively, so only real typos count."""
    name = operator.lower()
    prefixed = False
    for prefix in ("foranyvalue:", "forallvalues:"):
        if name.startswith(prefix):
            name, prefixed = name[len(prefix):], True
    if name.endswith("ifexists") and name != "ifexists":
        base = name[: -len("ifexists")]
        return base in _OPERATORS_LOWER and base != "null"
    return name in _OPERATORS_LOWER and not (prefixed and name == "null")


VERSION_CURRENT, VERSION_OUTDATED = "2012-10-17", "2008-10-17"
EFFECTS = ("Allow", "Deny")


def action_problem(value: str) -> str | None:
    """Why an Action string names nothing IAM knows (a typo, an unknown service), or None if it is fine.

    Values with unknown parts are not judged; `*` is fine; a wildcard must match some catalogued action of
    its service. A suggestion is added when a catalogued action is close.
    """
    if UNKNOWN in value or value == "*":
        return None
    prefix, colon, name = value.partition(":")
    if not colon or not prefix or not name:
        return f"'{value}' is not of the form service:action"
    if has_wildcard(prefix):
        return None
    if not catalog.is_known_service(prefix):
        return f"'{prefix}' is not a known service prefix"
    if has_wildcard(name):
        if any(action_matches(value, a) for a in catalog.service_actions(prefix)):
            return None
        return f"'{value}' matches no {prefix} action"
    if catalog.is_known_action(value):
        return None
    return f"'{value}' is not a known {prefix} action" + _suggestion(value)


def action_problem_part(value: str) -> tuple[int, int]:
    """The characters [start, end) of an Action value its `action_problem` is about: the service prefix when
    that is unknown, the action name otherwise (a composed `ec2:BatchGet*` matching nothing is the fault of
    whoever wrote `BatchGet*`), the whole value when it is not of the form service:action."""
    prefix, colon, name = value.partition(":")
    if not colon or not prefix or not name:
        return 0, len(value)
    if not has_wildcard(prefix) and not catalog.is_known_service(prefix):
        return 0, len(prefix)
    return len(prefix) + 1, len(value)


def _close(value: str, count: int) -> list[str]:
    """Up to `count` catalogued actions of the value's service whose names are close to it, closest first."""
    import difflib

    prefix = value.partition(":")[0]
    names = {a.lower(): a for a in catalog.service_actions(prefix)}
    return [names[c] for c in difflib.get_close_matches(value.lower(), list(names), n=count, cutoff=0.8)]


def _suggestion(value: str) -> str:
    close = _close(value, 1)
    return f" (did you mean {close[0]}?)" if close else ""


_ONE_TYPO = 0.85  # difflib ratio of names that differ by about one letter in a dozen


def close_action(value: str) -> str | None:
    """The one catalogued action a misspelt action name is close to; None when it is not a typo of a known
    service's action or when two or more actions are about as close (then a person must choose)."""
    import difflib

    problem = action_problem(value)
    if problem is None or "did you mean" not in problem:
        return None
    prefix, _, name = value.partition(":")
    names = {a.partition(":")[2].lower(): a for a in catalog.service_actions(prefix)}
    # Names alone (the shared service prefix would make every action of the service look close).
    close = difflib.get_close_matches(name.lower(), list(names), n=2, cutoff=_ONE_TYPO)
    return names[close[0]] if len(close) == 1 else None


def condition_key_problem(key: str) -> str | None:
    """Why a service's condition key (`secretsmanager:KmsKeyArnn`) names nothing that service defines, or None.

    Global keys (`aws:...`), keys of services the catalog does not describe and keys with unknown parts are
    not judged; keys compare case-insensitively, and a tag key stands in for a template (`.../${TagKey}`).
    """
    prefix, colon, name = key.partition(":")
    if not colon or not name or prefix.lower() == "aws" or UNKNOWN in key or "${" in key:
        return None
    known = catalog.condition_keys(prefix)
    if known is None or any(glob_match(pattern, key, True) for pattern in known):
        return None
    import difflib

    names = {k.lower(): k for k in known if "*" not in k}
    close = difflib.get_close_matches(key.lower(), list(names), n=1, cutoff=0.8)
    hint = f" (did you mean {names[close[0]]}?)" if close else ""
    return f"'{key}' is not a known {prefix} condition key{hint}"


_POLICY_VARIABLE = re.compile(r"\$\{[^}]*\}")


def has_policy_variable(node: Node) -> bool:
    """Does any string in the tree use a policy variable (`${aws:username}`), which only Version 2012-10-17 expands?"""
    value = node.value
    if isinstance(value, dict):
        return any(_POLICY_VARIABLE.search(k) for k in value) or any(has_policy_variable(v) for v in value.values())
    if isinstance(value, list):
        return any(has_policy_variable(v) for v in value)
    return isinstance(value, str) and _POLICY_VARIABLE.search(value) is not None
