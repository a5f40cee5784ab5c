"""The access map against a small, slow, obviously-correct reference evaluator of one concrete request.

Hypothesis writes small identity and resource policies for role `a` (and a second role `b`) and one secret
`s`, all in account 111111111111. The reference evaluates one request at a time with every value concrete:
a matching Deny denies; otherwise a matching Allow in either policy allows (same account); otherwise it
denies. Unknown values are tried with each concrete value they may stand for, and the one condition key
the map cannot evaluate (`aws:SourceVpc`) with each value a request may carry.
"""
from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.access.accessmap import build
from linter.access.capabilities import CAPABILITIES
from linter.formats.policy import build_document
from linter.model import UNKNOWN, DocKind, Extraction, Node, Resource, Span

ACCOUNT = "111111111111"
ARNS = {
    "REF:role.a": f"arn:aws:iam::{ACCOUNT}:role/a",
    "REF:role.b": f"arn:aws:iam::{ACCOUNT}:role/b",
    "REF:secret.s": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:s-AbC123",
}
CALLER, SECRET = ARNS["REF:role.a"], ARNS["REF:secret.s"]
ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:get*", "secretsmanager:DeleteSecret",
           "secretsmanager:*Secret*", "*", "s3:GetObject", "UNKNOWN"]
RESOURCES = ["*", "REF:secret.s", "arn:aws:secretsmanager:*:*:secret:s-*", "arn:aws:secretsmanager:*:*:secret:other-*",
             "arn:aws:s3:::b", "UNKNOWN"]
PRINCIPALS = ["*", {"AWS": "REF:role.a"}, {"AWS": "REF:role.b"}, {"AWS": ["REF:role.b", "REF:role.a"]}]
CONDITIONS = [None, {"StringEquals": {"aws:SourceVpc": "vpc-1"}}, {"StringNotEquals": {"aws:PrincipalArn": "REF:role.a"}},
              {"StringEquals": {"aws:principalarn": ["REF:role.b", "REF:role.a"]}},
              {"StringNotEquals": {"aws:PrincipalArn": "REF:role.b"}}]
# What an unknown value may stand for: some fixed text, never `*` (see linter.model.UNKNOWN).
STAND_INS = {"action": ["secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret", "s3:GetObject"],
             "resource": [SECRET, "arn:aws:s3:::b", "arn:aws:secretsmanager:us-east-1:1:secret:other-x"]}
VPCS = [None, "vpc-1", "vpc-2"]


def statements(with_principal: bool):
    action = st.sampled_from(ACTIONS).flatmap(lambda a: st.sampled_from(["Action", "NotAction"]).map(lambda k: (k, a)))
    resource = st.sampled_from(RESOURCES).flatmap(lambda r: st.sampled_from(["Resource", "NotResource"]).map(lambda k: (k, r)))
    principal = (st.sampled_from(PRINCIPALS).flatmap(lambda p: st.sampled_from(["Principal", "NotPrincipal"]).map(lambda k: (k, p)))
                 if with_principal else st.none())

    def make(effect, a, r, p, condition):
        statement = {"Effect": effect, a[0]: a[1], r[0]: r[1]}
        if p is not None:
            statement[p[0]] = p[1]
        if condition is not None:
            statement["Condition"] = condition
        return statement

    return st.builds(make, st.sampled_from(["Allow", "Deny"]), action, resource, principal, st.sampled_from(CONDITIONS))


POLICIES = st.tuples(st.lists(statements(False), max_size=3), st.lists(statements(True), max_size=3))


# ---- the reference -----------------------------------------------------------------------------------------

def glob(pattern: str, text: str, ignore_case: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.I | re.S if ignore_case else re.S) is not None


def concrete(value, stand_in: dict[str, str]):
    """A written value with references resolved and unknowns replaced by the stand-ins being tried."""
    if isinstance(value, list):
        return [concrete(v, stand_in) for v in value]
    if isinstance(value, dict):
        return {k: concrete(v, stand_in) for k, v in value.items()}
    return stand_in.get(value, ARNS.get(value, value))


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


def matches(statement: dict, action: str, context: dict, own: bool) -> bool:
    if "Action" in statement and not any(glob(p, action, True) for p in listed(statement["Action"])):
        return False
    if "NotAction" in statement and any(glob(p, action, True) for p in listed(statement["NotAction"])):
        return False
    if "Resource" in statement and not any(glob(p, SECRET, False) for p in listed(statement["Resource"])):
        return False
    if "NotResource" in statement and any(glob(p, SECRET, False) for p in listed(statement["NotResource"])):
        return False
    if own:
        named = lambda p: p == "*" or CALLER in listed(p.get("AWS", []))  # noqa: E731
        if "Principal" in statement and not named(statement["Principal"]):
            return False
        if "NotPrincipal" in statement and named(statement["NotPrincipal"]):
            return False
    for operator, block in statement.get("Condition", {}).items():
        for key, values in block.items():
            actual = {k.lower(): v for k, v in context.items()}.get(key.lower())
            equal = actual is not None and actual in listed(values)
            if (operator == "StringEquals") != equal:
                return False
    return True


def reference(identity: list[dict], resource: list[dict], action: str, context: dict) -> bool:
    found = [(s, False) for s in identity] + [(s, True) for s in resource]
    if any(s["Effect"] == "Deny" and matches(s, action, context, own) for s, own in found):
        return False
    return any(s["Effect"] == "Allow" and matches(s, action, context, own) for s, own in found)


def outcomes(identity: list[dict], resource: list[dict], capability: str) -> set[bool]:
    """Every answer the reference gives over all stand-ins for unknowns and all request contexts."""
    answers = set()
    for a_in, r_in, vpc in itertools.product(STAND_INS["action"], STAND_INS["resource"], VPCS):
        stand_in: dict[str, str] = {}
        context = {"aws:PrincipalArn": CALLER, **({"aws:SourceVpc": vpc} if vpc else {})}
        docs = []
        for statements_ in (identity, resource):
            docs.append([concrete(_fill(s, a_in, r_in), stand_in) for s in statements_])
        # A capability is held when any one of its actions is allowed.
        answers.add(any(reference(docs[0], docs[1], action, context) for action in CAPABILITIES[capability]))
    return answers


def _fill(statement: dict, action: str, resource: str) -> dict:
    copy = dict(statement)
    for key in ("Action", "NotAction"):
        if copy.get(key) == "UNKNOWN":
            copy[key] = action
    for key in ("Resource", "NotResource"):
        if copy.get(key) == "UNKNOWN":
            copy[key] = resource
    return copy


# ---- the map of the same policies ------------------------------------------------------------------------

SPAN = Span(1, 1, 1, 2)


def node(value) -> Node:
    if isinstance(value, dict):
        return Node({k: node(v) for k, v in value.items()}, SPAN, "p.tf", {k: SPAN for k in value})
    if isinstance(value, list):
        return Node([node(v) for v in value], SPAN, "p.tf")
    if isinstance(value, str) and value.startswith("REF:"):
        return Node(UNKNOWN, SPAN, "p.tf", ref=value[4:])
    return Node(UNKNOWN if value == "UNKNOWN" else value, SPAN, "p.tf")


def access_map(identity: list[dict], resource: list[dict]) -> dict[str, str]:
    """capability -> verdict of role `a` on secret `s` (absent: denied or never allowed)."""
    def document(statements_, kind, owner):
        return build_document(node({"Version": "2012-10-17", "Statement": statements_}), "p.tf", kind, owner)

    roles = [Resource("iam_role", "aws_iam_role", f"role.{n}", "p.tf", SPAN, {"name": node(n)}) for n in "ab"]
    own = [document(resource, DocKind.SECRET_RESOURCE, "secret.s")] if resource else []
    secret = Resource("secret", "aws_secretsmanager_secret", "secret.s", "p.tf", SPAN, {"name": node("s")}, own)
    docs = [document(identity, DocKind.IDENTITY, "role.a")] if identity else []
    (result,) = build(Extraction(documents=docs + own, resources=[*roles, secret]))
    return {c.capability: {3: "yes", 2: "conditional", 1: "may"}[c.outcome.level] for c in result.cells
            if c.principal == "role.a"}


def mentions(statements_: list[dict], text: str) -> bool:
    return text in repr(statements_)


@settings(max_examples=300, deadline=None)
@given(POLICIES)
def test_map_agrees_with_the_reference(policies) -> None:
    identity, resource = policies
    verdicts = access_map(identity, resource)
    unknown = mentions(identity + resource, "UNKNOWN")
    conditional = mentions(identity + resource, "aws:SourceVpc")
    for capability in CAPABILITIES:
        answers = outcomes(identity, resource, capability)
        verdict = verdicts.get(capability)
        if verdict == "yes":
            assert answers == {True}
        elif verdict is None:
            assert answers == {False}
        elif verdict == "conditional":
            assert conditional
        else:
            assert verdict == "may" and unknown
        if not unknown and not conditional:
            assert verdict == ("yes" if answers == {True} else None)


LEVELS = {None: 0, "may": 1, "conditional": 2, "yes": 3}


@settings(max_examples=150, deadline=None)
@given(POLICIES, statements(False), st.booleans())
def test_a_deny_never_widens_and_an_allow_never_narrows(policies, extra, in_resource_policy) -> None:
    identity, resource = policies
    if in_resource_policy:
        extra = {**extra, "Principal": "*"}
    before = access_map(identity, resource)
    after = access_map(identity + ([] if in_resource_policy else [extra]), resource + ([extra] if in_resource_policy else []))
    for capability in CAPABILITIES:
        old, new = LEVELS[before.get(capability)], LEVELS[after.get(capability)]
        assert new <= old if extra["Effect"] == "Deny" else new >= old
