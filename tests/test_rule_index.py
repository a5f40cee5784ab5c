"""Issue 18, item 6: rules keep their state for the run, and an Action element is tried only against the
actions of its own service. Both must give exactly what the plain scan over every action gives."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from linter import engine, iam
from linter.loaders.jsonpos import parse
from linter.model import UNKNOWN
from linter.rules import load_rules

# Pieces of Action elements and rule patterns: services in any case, globs in the prefix and the name,
# unknown parts, a second colon, a dotless capital I (its lower case is two characters).
_PIECES = st.sampled_from([
    "secretsmanager", "SecretsManager", "secrets", "s3", "S3", "kms", "iam", "sts", ":", ":", "*", "?", "Get",
    "get", "Secret", "Value", "Object", "List", "Describe", "x", UNKNOWN, "\u0130", "-",
])
_FREE = st.lists(_PIECES, min_size=1, max_size=6).map("".join)
_SERVICES = st.sampled_from(["secretsmanager", "SecretsManager", "SECRETSMANAGER", "secrets*", "s3", "S3", "kms",
                             "*", "s?", "i\u0130m", UNKNOWN])
_NAMES = st.lists(st.sampled_from(["Get", "get", "*", "?", "Secret", "Value", "Object", "List", "x", ":", UNKNOWN]),
                  max_size=4).map("".join)
_PATTERNS = st.one_of(_FREE, st.tuples(_SERVICES, _NAMES).map(":".join))
_SETS = st.tuples(
    st.lists(st.one_of(_PATTERNS, st.sampled_from(["secretsmanager:*", "s3:Get*", "kms:*", "iam:Pass*"])),
             min_size=1, max_size=3),
    st.lists(_PATTERNS, max_size=2),
)


def _plain_scan(pattern: str, targets: iam.ActionSet) -> list[str]:
    """What an element covers without the index or the memo: every member tried, as `actions_covered`
    does for a plain list."""
    if not iam.has_wildcard(pattern):
        return [pattern] if UNKNOWN not in pattern and pattern in targets else []
    return iam.actions_covered(pattern, list(targets))


@settings(max_examples=300, deadline=None)
@given(_SETS, st.lists(_PATTERNS, min_size=1, max_size=6))
def test_the_service_index_covers_what_the_plain_scan_covers(spec, patterns):
    include, exclude = spec
    indexed = iam.ActionSet(include, exclude)
    for pattern in patterns + patterns:  # the second time from the memo
        assert iam.actions_covered(pattern, indexed) == _plain_scan(pattern, iam.ActionSet(include, exclude))


class _Unindexed(iam.ActionSet):
    """An action set without the index or the memo."""

    __slots__ = ()

    def covered_by(self, pattern: str) -> list[str]:
        return _plain_scan(pattern, self)


@settings(max_examples=200, deadline=None)
@given(_SETS, st.lists(_PATTERNS, min_size=1, max_size=4), st.booleans())
def test_a_statement_is_granted_what_the_plain_scan_grants(spec, elements, negated):
    include, exclude = spec
    action = parse(json.dumps({"A": elements}), "p.json").value["A"]
    key = (None, action) if negated else (action, None)
    assert iam.granted(*key, iam.ActionSet(include, exclude)) == iam.granted(*key, _Unindexed(include, exclude))


def test_a_literal_element_is_granted_as_written_though_no_member_spells_it_so():
    readers = iam.ActionSet(["secretsmanager:Get*"])
    action = parse('{"A": ["SECRETSMANAGER:GetSecretValue", "secretsmanager:getsecretvalue"]}', "p.json").value["A"]
    assert iam.granted(action, None, readers) == ["SECRETSMANAGER:GetSecretValue"]


def test_an_element_of_another_service_is_never_tried_against_the_set(monkeypatch):
    readers = iam.ActionSet(["secretsmanager:*"])
    list(readers)  # expanded before counting
    tried: list[tuple[str, str]] = []
    real = iam.action_matches
    monkeypatch.setattr(iam, "action_matches", lambda p, a: tried.append((p, a)) or real(p, a))
    assert iam.actions_covered("s3:Get*", readers) == []
    assert iam.actions_covered("S3:*", readers) == []
    assert tried == []
    members = len(list(readers))
    assert len(iam.actions_covered("SecretsManager:Get*", readers)) == 3
    assert {a.split(":")[0] for _, a in tried} == {"secretsmanager"}
    assert iam.actions_covered("secrets*:Get*", readers) == iam.actions_covered("secretsmanager:Get*", readers)
    assert iam.actions_covered("SecretsManager:Get*", readers) == iam.actions_covered("secretsmanager:Get*", readers)
    assert len(tried) == 3 * members  # each element text once: the memo answers it again


def test_rules_are_prepared_once_for_the_objects_of_a_run():
    rules, options = load_rules(), {}
    first = engine.prepared(rules, options)
    assert engine.prepared(rules, options) is first
    assert [ctx for _, _, ctx in engine.prepared(rules, {})] != [ctx for _, _, ctx in first]  # other options
    assert [rule for rule, _, _ in first] == rules
