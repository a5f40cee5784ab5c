"""Core rules SM001-SM004 on the policy shapes that matter, beyond their inline examples."""
from __future__ import annotations

import json

import pytest

ALLOW_READ = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
    "Action": "secretsmanager:GetSecretValue",
    "Resource": "*",
    "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}},
}
GUARD = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "secretsmanager:DeleteSecret",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}},
}


def ids(report):
    return sorted({f.rule_id for f in report.findings})


def secret_policy(*statements):
    return {"secret.json": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)}


def test_guarded_pinned_secret_policy_is_clean(lint):
    assert ids(lint(secret_policy(ALLOW_READ, GUARD))) == []


@pytest.mark.parametrize(
    "change",
    [
        {"Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}},  # hollowed by an account
        {"Principal": {"AWS": "arn:aws:iam::111122223333:role/intern"}},  # a narrow principal
        {"Action": "secretsmanager:DeleteResourcePolicy"},  # an action that does not cover DeleteSecret
        {"Action": ["secretsmanager:Delete*"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Effect": "Allow"},
        {"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}},
    ],
)
def test_hollow_delete_guards_do_not_count(lint, change):
    assert "SM004" in ids(lint(secret_policy(ALLOW_READ, {**GUARD, **change})))


@pytest.mark.parametrize(
    "change",
    [
        {"Action": "secretsmanager:*"},
        {"Action": "SecretsManager:delete*"},
        {"Action": "*"},
        {"Principal": {"AWS": ["*"]}},
        {"Condition": {"StringNotLike": {"aws:userid": ["AROAEXAMPLEADMIN:*"]}}},
    ],
)
def test_delete_guard_variants_that_count(lint, change):
    assert "SM004" not in ids(lint(secret_policy(ALLOW_READ, {**GUARD, **change})))


def test_deny_with_not_action_that_spares_delete_is_no_guard(lint):
    guard = {k: v for k, v in GUARD.items() if k != "Action"}
    assert "SM004" in ids(lint(secret_policy(ALLOW_READ, {**guard, "NotAction": "secretsmanager:DeleteSecret"})))
    assert "SM004" not in ids(lint(secret_policy(ALLOW_READ, {**guard, "NotAction": "secretsmanager:GetSecretValue"})))


def test_deny_with_not_principal_naming_admins_is_a_guard(lint):
    guard = {k: v for k, v in GUARD.items() if k not in ("Principal", "Condition")}
    guard["NotPrincipal"] = {"AWS": "arn:aws:iam::111122223333:role/admin"}
    assert "SM004" not in ids(lint(secret_policy(ALLOW_READ, guard)))


def test_star_resource_in_secret_policy_is_not_sm002(lint):
    report = lint(secret_policy(ALLOW_READ, GUARD))
    assert "SM002" not in ids(report)


def test_sm003_sees_wildcard_and_notaction_grants(lint):
    loose = {k: v for k, v in ALLOW_READ.items() if k != "Condition"}
    assert "SM003" in ids(lint(secret_policy({**loose, "Action": "secretsmanager:*"}, GUARD)))
    not_action = {k: v for k, v in loose.items() if k != "Action"}
    assert "SM003" in ids(lint(secret_policy({**not_action, "NotAction": "secretsmanager:DeleteSecret"}, GUARD)))
    assert "SM003" not in ids(lint(secret_policy({**loose, "Action": "secretsmanager:DescribeSecret"}, GUARD)))


@pytest.mark.parametrize(
    ("actions", "fires"),
    [
        (["secretsmanager:ListSecrets"], False),
        (["secretsmanager:GetRandomPassword", "secretsmanager:BatchGetSecretValue"], False),
        (["secretsmanager:GetSecretValue"], True),
        (["secretsmanager:List*"], True),  # also ListSecretVersionIds, which is secret-scoped
        (["s3:GetObject"], False),
    ],
)
def test_sm002_ignores_actions_that_only_take_star(lint, actions, fires):
    policy = {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    assert ("SM002" in ids(lint({"p.json": json.dumps(policy)}))) is fires


def test_sm002_not_resource_that_excludes_all_secrets_is_fine(lint):
    policy = {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                             "NotResource": "arn:aws:secretsmanager:*:*:secret:*"}]}
    assert "SM002" not in ids(lint({"p.json": json.dumps(policy)}))


def test_sm001_reports_each_wildcard_element(lint):
    policy = {"Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*", "secretsmanager:Get*", "secretsmanager:GetSecretValue"],
                             "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"}]}
    report = lint({"p.json": json.dumps(policy)})
    assert [f.message.split("'")[1] for f in report.findings if f.rule_id == "SM001"] == ["secretsmanager:*", "secretsmanager:Get*"]
    assert len({f.fingerprint for f in report.findings}) == len(report.findings)


def test_sm001_ignores_wildcards_outside_secrets_manager(lint):
    policy = {"Statement": [{"Effect": "Allow", "Action": ["s3:*", "secretsmanager:Describe?ecret"], "Resource": "*"}]}
    report = lint({"p.json": json.dumps(policy)})
    assert [f.message.split("'")[1] for f in report.findings if f.rule_id == "SM001"] == ["secretsmanager:Describe?ecret"]


def test_sm002_message_counts_the_whole_statement(lint):
    policy = {"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]}]}
    [finding] = [f for f in lint({"p.json": json.dumps(policy)}).findings if f.rule_id == "SM002"]
    assert "allows 3 Secrets Manager actions" in finding.message
    assert "including GetSecretValue" in finding.message


def test_document_used_directly_and_as_a_source_reports_once(lint):
    text = """
data "aws_iam_policy_document" "base" {
  statement {
    actions   = ["secretsmanager:*"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
}

resource "aws_iam_policy" "a" {
  policy = data.aws_iam_policy_document.base.json
}

resource "aws_iam_policy" "b" {
  policy = data.aws_iam_policy_document.merged.json
}
"""
    report = lint({"main.tf": text})
    assert [(f.rule_id, f.span.line) for f in report.findings if f.rule_id.startswith("SM00")] == [("SM001", 4)]


def messages(report, rule_id):
    return [f.message for f in report.findings if f.rule_id == rule_id]


def test_messages_use_the_catalog_spelling_and_read_well_for_one_action(lint):
    policy = {"Statement": [{"Effect": "Allow", "Action": "SECRETSMANAGER:getsecretvalue", "Resource": "*"}]}
    assert messages(lint({"p.json": json.dumps(policy)}), "SM002") == [
        "'*' covers every secret: the statement allows the Secrets Manager action GetSecretValue"
    ]


def test_not_resource_message_says_what_it_leaves(lint):
    policy = {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                             "NotResource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/*"}]}
    assert messages(lint({"p.json": json.dumps(policy)}), "SM002") == [
        "NotResource 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/*' leaves every other secret in reach: "
        "the statement allows the Secrets Manager action GetSecretValue"
    ]


@pytest.mark.parametrize(
    ("resource", "fires"),
    [
        ({"Resource": "arn:aws:s3:::bucket/*"}, False),
        ({"Resource": ["arn:aws:s3:::bucket/*", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"]}, True),
        ({"NotResource": "arn:aws:s3:::bucket/*"}, True),
        ({}, True),  # no resource element at all: nothing rules secrets out
    ],
)
def test_sm001_only_where_secrets_are_in_reach(lint, resource, fires):
    policy = {"Statement": [{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", **resource}]}
    assert ("SM001" in ids(lint({"p.json": json.dumps(policy)}))) is fires


def test_one_item_not_action_is_quoted_alike_in_every_format(lint):
    as_list = {"Statement": [{"Effect": "Allow", "NotAction": ["secretsmanager:DeleteSecret"], "Resource": "*"}]}
    as_string = {"Statement": [{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}]}
    first = messages(lint({"a.json": json.dumps(as_list)}), "SM001")
    assert first == messages(lint({"a.json": json.dumps(as_string)}), "SM001")
    assert first[0].startswith("NotAction 'secretsmanager:DeleteSecret' grants 22 Secrets Manager actions")


@pytest.mark.parametrize(
    ("resources", "guarded"),
    [
        ('"*"', True),
        ("aws_secretsmanager_secret.db.arn", True),
        ('"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-*"', True),
        ("var.secret_arn", True),  # unknown: it may be this secret
        ("aws_secretsmanager_secret.other.arn", False),
        ('"arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf"', False),
    ],
)
def test_delete_guard_must_cover_this_secret(lint, resources, guarded):
    text = f"""
resource "aws_secretsmanager_secret" "db" {{
  name = "db"
}}

resource "aws_secretsmanager_secret" "other" {{
  name = "other"
}}

resource "aws_secretsmanager_secret_policy" "db" {{
  secret_arn = aws_secretsmanager_secret.db.arn
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:DeleteSecret"
      Resource  = {resources}
      Condition = {{ ArnNotEquals = {{ "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/admin" }} }}
    }}]
  }})
}}
"""
    unguarded = [f.resource for f in lint({"main.tf": text}).findings if f.rule_id == "SM004"]
    assert ("aws_secretsmanager_secret.db" not in unguarded) is guarded
