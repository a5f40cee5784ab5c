"""IAM semantics: the cases AWS documents and the ones scanners get wrong."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter import iam
from linter.loaders.jsonpos import parse
from linter.model import UNKNOWN

ROOT = Path(__file__).resolve().parent.parent


def node(text: str):
    return parse(text)


# ---- actions ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue", True),
        ("SecretsManager:getsecretvalue", "secretsmanager:GetSecretValue", True),  # actions ignore case
        ("secretsmanager:Get*Value", "secretsmanager:GetSecretValue", True),
        ("secretsmanager:Get*Value", "secretsmanager:GetRandomPassword", False),
        ("secretsmanager:GetSecretValu?", "secretsmanager:GetSecretValue", True),
        ("secretsmanager:GetSecretValu?", "secretsmanager:GetSecretValues", False),
        ("*", "secretsmanager:DeleteSecret", True),
        ("secrets*:*Secret", "secretsmanager:DeleteSecret", True),
        ("secretsmanager:" + UNKNOWN, "secretsmanager:GetSecretValue", False),  # unknown is never *
        ("s3:*", "secretsmanager:GetSecretValue", False),
    ],
)
def test_action_matching(pattern, action, expected):
    assert iam.action_matches(pattern, action) is expected


def test_expand_uses_the_catalog():
    everything = iam.expand(["secretsmanager:*"])
    assert len(everything) == 23
    assert "secretsmanager:BatchGetSecretValue" in everything  # newer than policyuniverse's data
    assert iam.expand(["SecretsManager:*Secret*"], ["secretsmanager:Get*"]) == tuple(
        a for a in everything if "secret" in a.split(":")[1].lower() and not a.lower().startswith("secretsmanager:get")
    )


def test_expand_keeps_unknown_literals():
    assert iam.expand(["secretsmanager:GetSecretValues"]) == ("secretsmanager:GetSecretValues",)


def test_not_action_complement():
    targets = iam.expand(["secretsmanager:*"])
    left = iam.granted(None, node('["secretsmanager:Get*", "secretsmanager:Describe*"]'), targets)
    assert "secretsmanager:DeleteSecret" in left
    assert "secretsmanager:GetSecretValue" not in left
    assert iam.granted(None, node('"*"'), targets) == []


def test_not_action_with_unknown_element_grants_nothing_we_can_prove():
    assert iam.granted(None, node(f'["{UNKNOWN}"]'), ("secretsmanager:DeleteSecret",)) == []


def test_action_as_string_or_list():
    targets = ("secretsmanager:GetSecretValue",)
    assert iam.granted(node('"secretsmanager:Get*"'), None, targets) == list(targets)
    assert iam.granted(node('["s3:GetObject", "secretsmanager:GetSecretValue"]'), None, targets) == list(targets)


# ---- resources --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("arn:aws:secretsmanager:*:*:secret:*", True),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*", True),
        ("arn:aws-us-gov:secretsmanager:*:123456789012:secret:*", True),
        ("arn:aws:secretsmanager:*", True),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:*", True),
        ("arn:*:secretsmanager:*:*:secret:?*", True),
        (f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:*", True),  # pseudo parameters
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/myapp/*", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + UNKNOWN, False),
        (UNKNOWN, False),
        ("arn:aws:s3:::*", False),
        ("arn:aws:ssm:*:*:parameter/*", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*" + UNKNOWN, False),
        ("arn*", True),  # a leading wildcard spans the colons
        ("*:secret:*", True),
        ("*:secretsmanager:*", True),
        ("*:s3:::*", False),
        ("*:secret:prod/*", False),
    ],
)
def test_covers_all_secrets(pattern, expected):
    assert iam.covers_all_secrets(pattern) is expected


# ---- principals -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ('"*"', True),
        ('{"AWS": "*"}', True),
        ('{"AWS": ["arn:aws:iam::111122223333:root", "*"]}', True),
        ('{"AWS": "111122223333"}', False),
        ('{"AWS": "arn:aws:iam::111122223333:root"}', False),
        ('{"Service": "lambda.amazonaws.com"}', False),
    ],
)
def test_principal_is_everyone(principal, expected):
    assert iam.principal_is_everyone(node(principal)) is expected


# ---- conditions: VersionStage pin -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('{"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}', True),
        ('{"StringEquals": {"SecretsManager:versionstage": "AWSCURRENT"}}', True),  # keys ignore case
        ('{"StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT"]}}', True),
        ('{"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}', True),
        ('{"StringLike": {"secretsmanager:VersionStage": "AWSCURRENT"}}', True),
        ('{"StringLike": {"secretsmanager:VersionStage": "AWS*"}}', False),
        ('{"StringEquals": {"secretsmanager:VersionStage": "awscurrent"}}', False),  # values are case-sensitive
        ('{"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}', False),
        ('{"ForAllValues:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}', False),
        ('{"StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT", "AWSPREVIOUS"]}}', False),
        ('{"StringEquals": {"secretsmanager:VersionStage": "AWSPREVIOUS"}}', False),
        ('{"StringNotEquals": {"secretsmanager:VersionStage": "AWSPREVIOUS"}}', False),
        ('{"StringEquals": {"secretsmanager:VersionId": "AWSCURRENT"}}', False),
        ('{"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}', True),
    ],
)
def test_version_stage_pin(condition, expected):
    assert iam.pins(node(condition), "secretsmanager:VersionStage", "AWSCURRENT") is expected


def test_no_condition_does_not_pin():
    assert iam.pins(None, "secretsmanager:VersionStage", "AWSCURRENT") is False


# ---- conditions: delete-guard exemptions ------------------------------------------------------------------

KEYS = ("aws:PrincipalArn", "aws:userid", "aws:username")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, True),
        ('{"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}', True),
        ('{"ArnNotLike": {"aws:principalarn": ["arn:aws:iam::111122223333:role/admin-*"]}}', True),
        ('{"StringNotLike": {"aws:userid": "AROAEXAMPLEID:*"}}', True),
        ('{"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}', False),  # a whole account
        ('{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}', False),  # every role
        ('{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}', False),  # any account
        ('{"StringNotLike": {"aws:PrincipalArn": "*"}}', False),
        ('{"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}', False),  # narrows the Deny
        ('{"Bool": {"aws:MultiFactorAuthPresent": "false"}}', False),
        ('{"stringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}', True),  # operators ignore case
    ],
)
def test_only_exempts_named(condition, expected):
    assert iam.only_exempts_named(node(condition) if condition else None, KEYS) is expected


# ---- the glob matcher agrees with a plain reference ---------------------------------------------------------

def reference_glob(pattern: str, text: str) -> bool:
    """Textbook backtracking matcher: `*` any run, `?` one character, everything else literal."""
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return any(reference_glob(rest, text[i:]) for i in range(len(text) + 1))
    if not text:
        return False
    return (head == "?" or head == text[0]) and reference_glob(rest, text[1:])


ALPHABET = st.sampled_from(list("ab:*?.[]()\\+$^|") + [UNKNOWN])


@given(st.text(ALPHABET, max_size=8), st.text(st.sampled_from(list("ab:.[]()\\+$^|") + [UNKNOWN]), max_size=8))
def test_glob_agrees_with_reference(pattern, text):
    assert iam.glob_match(pattern, text) is reference_glob(pattern, text)


@given(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True), st.integers(min_value=0, max_value=11))
def test_prefix_wildcard_matches_every_extension(name, cut):
    action = f"secretsmanager:{name}"
    pattern = action[: len("secretsmanager:") + min(cut, len(name))] + "*"
    assert iam.action_matches(pattern.upper(), action)


# ---- conditions: restricting the caller (SM008, KMS001) ---------------------------------------------------

CALLER_KEYS = ("aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:SourceVpce", "aws:SourceArn")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}', True),
        ('{"StringEquals": {"AWS:principalorgid": ["o-a1b2c3d4e5", "o-f6a7b8c9d0"]}}', True),  # keys ignore case
        ('{"ForAnyValue:StringEquals": {"aws:PrincipalAccount": "111122223333"}}', True),
        ('{"StringLike": {"aws:SourceVpce": "vpce-0a1b2c3d"}}', True),
        ('{"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic"}}', True),
        (f'{{"StringEquals": {{"aws:PrincipalOrgID": "{UNKNOWN}"}}}}', True),  # a variable: some fixed value
        ('{"StringLike": {"aws:PrincipalOrgID": "o-*"}}', False),
        ('{"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}', False),
        ('{"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}', False),
        ('{"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}', False),
        ('{"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}', False),
        ('{"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5", "*"]}}', False),
        ('{"StringEquals": {"aws:PrincipalOrgID": ""}}', False),
        ('{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic"}}', False),
        ('{"Bool": {"aws:SecureTransport": "true"}}', False),  # not about the caller
    ],
)
def test_restricted_by(condition, expected):
    assert bool(iam.restricted_by(node(condition), CALLER_KEYS)) is expected


def test_restricted_by_accepts_globs_and_yaml_numbers():
    assert iam.restricted_by(node('{"StringEquals": {"aws:ResourceTag/team": "payments"}}'), ["aws:ResourceTag/*"])
    assert iam.restricted_by(node('{"StringEquals": {"aws:SourceAccount": 111122223333}}'), ["aws:SourceAccount"])
    assert not iam.restricted_by(None, CALLER_KEYS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('{"Bool": {"secretsmanager:BlockPublicPolicy": "true"}}', True),
        ('{"Bool": {"secretsmanager:BlockPublicPolicy": true}}', True),  # JSON boolean, read as "true"
        ('{"Bool": {"secretsmanager:BlockPublicPolicy": "True"}}', True),
        ('{"Bool": {"secretsmanager:BlockPublicPolicy": "false"}}', False),
        ('{"BoolIfExists": {"secretsmanager:BlockPublicPolicy": "true"}}', False),
        ('{"Bool": {"secretsmanager:BlockPublicPolicy": ["true", "false"]}}', False),
    ],
)
def test_pins_with_bool(condition, expected):
    assert iam.pins(node(condition), "secretsmanager:BlockPublicPolicy", "true", ("Bool", "StringEquals")) is expected


# ---- validity (IAM006) ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", True), ("stringequals", True), ("StringNotEqualsIgnoreCase", True),
        ("StringLikeIfExists", True), ("ForAnyValue:StringLike", True), ("ForAllValues:ArnLikeIfExists", True),
        ("NumericGreaterThanEquals", True), ("DateLessThanEquals", True), ("Bool", True), ("BoolIfExists", True),
        ("BinaryEquals", True), ("IpAddress", True), ("NotIpAddressIfExists", True), ("ArnNotLike", True),
        ("Null", True),
        ("StringEqual", False), ("NullIfExists", False), ("ForAnyValue:Null", False), ("IfExists", False),
        ("ForSomeValues:StringEquals", False), ("StringEqualsIfExist", False), ("Boolean", False), ("", False),
    ],
)
def test_condition_operators(operator, expected):
    assert iam.is_condition_operator(operator) is expected


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ("secretsmanager:GetSecretValue", None),
        ("SecretsManager:getsecretvalue", None),
        ("secretsmanager:Get*", None),
        ("*", None),
        ("s3:*", None),
        ("*:GetObject", None),  # a wildcard service is not judged
        (f"secretsmanager:{UNKNOWN}", None),
        ("secretsmanager:BatchGetSecretValue", None),  # from the override
        ("secretsmanager:GetSecretValues", "'secretsmanager:GetSecretValues' is not a known secretsmanager action (did you mean secretsmanager:GetSecretValue?)"),
        ("secretmanager:GetSecretValue", "'secretmanager' is not a known service prefix"),
        ("secretsmanager:Gett*", "'secretsmanager:Gett*' matches no secretsmanager action"),
        ("GetSecretValue", "'GetSecretValue' is not of the form service:action"),
        ("s3:", "'s3:' is not of the form service:action"),
    ],
)
def test_action_problem(action, problem):
    assert iam.action_problem(action) == problem


def test_policy_variables():
    assert iam.has_policy_variable(node('{"Statement": [{"Resource": ["arn:aws:s3:::home/${aws:username}/*"]}]}'))
    assert not iam.has_policy_variable(node('{"Statement": [{"Resource": "arn:aws:s3:::home/*"}]}'))


def test_action_set_membership_without_catalog():
    readers = iam.ActionSet(["secretsmanager:*"], ["secretsmanager:ListSecrets"])
    assert "SecretsManager:GetSecretValue" in readers
    assert "secretsmanager:listsecrets" not in readers
    assert "s3:GetObject" not in readers
    assert iam.actions_covered("secretsmanager:GetSecretValue", readers) == ["secretsmanager:GetSecretValue"]
    assert iam.actions_covered("secretsmanager:" + UNKNOWN, readers) == []
    assert len(iam.actions_covered("secretsmanager:*", readers)) == 22


def test_granted_deduplicates_case_variants():
    targets = iam.ActionSet(["secretsmanager:*"])
    action = node('["secretsmanager:GetSecretValue", "SecretsManager:getsecretvalue", "secretsmanager:Get*Value"]')
    assert iam.granted(action, None, targets) == ["secretsmanager:GetSecretValue"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf", True),
        ("arn:aws:secrets*:*:*:*", True),
        ("arn:*", True),
        ("arn:aws*", True),
        (UNKNOWN, True),
        ("arn:" + UNKNOWN + ":s3:::bucket", True),  # unknown anywhere: it may still be a secret
        ("arn:aws:s3:::reports-bucket/*", False),
        ("arn:aws:kms:eu-west-1:111122223333:key/*", False),
        ("arn:aws:ssm:*:*:parameter/*", False),
        ("bucket-name", False),
    ],
)
def test_may_name_a_secret(pattern, expected):
    assert iam.may_name_a_secret(pattern) is expected


@pytest.mark.parametrize(
    ("condition", "caller_variables", "expected"),
    [
        ('{"StringEquals": {"aws:ResourceTag/team": "payments"}}', False, True),
        ('{"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}', False, False),
        ('{"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}', True, True),
        ('{"StringEquals": {"secretsmanager:ResourceTag/owner": "${aws:username}"}}', True, True),
        ('{"StringEquals": {"aws:ResourceTag/team": "${aws:ResourceTag/team}"}}', True, False),  # always true
        ('{"StringEquals": {"aws:ResourceTag/team": "team-${aws:PrincipalTag/team}-*"}}', True, False),
        ('{"StringEqualsIfExists": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}', True, False),
    ],
)
def test_restricted_by_with_caller_variables(condition, caller_variables, expected):
    found = iam.restricted_by(node(condition), ["aws:ResourceTag/*", "secretsmanager:ResourceTag/*"], caller_variables)
    assert bool(found) is expected


def test_undeclared_option_in_where_is_an_error(tmp_path):
    from linter.rules import RuleError, load_rules

    rule = (ROOT / "rules" / "secretsmanager" / "SM002.yaml").read_text().replace("SM002", "ACME002")
    rule = rule[: rule.index("options:")] + rule[rule.index("where:"):]
    (tmp_path / "ACME002.yaml").write_text(rule)
    with pytest.raises(RuleError) as caught:
        load_rules((str(tmp_path),))
    assert "option 'scoping_keys' is not declared" in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:aws:iam::111122223333:role/app-*", True),
        ("arn:aws:iam::111122223333:*", True),
        ("arn:aws:iam::*:role/app", False),
        ("arn:aws:iam::11112222333?:role/app", False),
        ("arn:*:iam::111122223333:role/app", False),
        ("arn:aws:iam::${aws:PrincipalAccount}:role/app", False),
        ("*", False),
    ],
)
def test_single_account_arn(value, expected):
    assert iam.is_single_account_arn(value) is expected


def test_arn_like_principal_in_one_account_restricts_the_caller():
    condition = node('{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}')
    assert iam.restricted_by(condition, ["aws:PrincipalArn"])


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("*", "db", True),
        ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf", "db", True),
        ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-??????", "db", True),
        ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf", "db", False),
        ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf", None, True),
        ("arn:aws:s3:::bucket", "db", False),
    ],
)
def test_may_name_secret(pattern, name, expected):
    assert iam.may_name_secret(pattern, name) is expected
