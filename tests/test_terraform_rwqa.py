"""Shapes met in public Terraform modules that write Secrets Manager policies (a real-world QA pass): each
test reproduces one shape, written from scratch, with the exact places its findings must have."""
from __future__ import annotations

from pathlib import Path

import pytest

from tf_helpers import places, run_check, span, write

KEY = '  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"\n'

# A module that makes one secret per item of a map its caller passes, with the secret's deprecated inline
# `policy` taken from the item (absent: null, no policy).
LIBRARY_HEAD = """\
variable "secrets" {
  type    = any
  default = {}
}
resource "aws_secretsmanager_secret" "sm" {
  for_each   = var.secrets
  name       = each.key
"""
SECRETS_LIBRARY = LIBRARY_HEAD + """\
  policy     = lookup(each.value, "policy", null)
  kms_key_id = lookup(each.value, "kms_key_id", null)
}
"""

OPEN_READ = """<<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "*",
      "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}
    }
  ]
}
POLICY"""

GUARD = """<<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Principal": "*",
      "Action": "secretsmanager:DeleteSecret",
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}
    }
  ]
}
POLICY"""


@pytest.mark.parametrize("policy", ["var.policy", '"${var.policy}"', "lookup(var.config, \"policy\", null)"])
def test_a_secret_whose_inline_policy_is_known_only_at_plan_time_is_not_judged_for_sm004(
        tmp_path: Path, policy: str) -> None:
    """The inline `policy` may hold the delete guard: SM004 cannot tell, as for a policy resource."""
    main = ('variable "policy" {}\nvariable "config" {}\nresource "aws_secretsmanager_secret" "db" {\n'
            f"  policy = {policy}\n" + KEY + "}\n")
    write(tmp_path, {"main.tf": main})
    _, report, _ = run_check(tmp_path, ".", select="SM004")
    assert places(report) == []


@pytest.mark.parametrize("policy", ["", "  policy = null\n"])
def test_a_secret_without_inline_policy_is_still_reported(tmp_path: Path, policy: str) -> None:
    main = 'resource "aws_secretsmanager_secret" "db" {\n' + policy + KEY + "}\n"
    write(tmp_path, {"main.tf": main})
    _, report, _ = run_check(tmp_path, ".", select="SM004")
    assert places(report) == [span("SM004", "main.tf", main, 'resource "aws_secretsmanager_secret" "db"',
                                   "aws_secretsmanager_secret.db")]


def test_a_library_secret_with_its_callers_inline_policy_is_judged_at_each_call(tmp_path: Path) -> None:
    """Linted on its own, the library's secrets hold whatever policy the caller passes: no SM004 there. The
    caller that passes a policy without a guard, or none, gets SM004 at its call; a guard keeps it quiet."""
    open_call = ('module "open" {\n  source = "../lib"\n  secrets = {\n    one = {\n'
                 f"      policy = {OPEN_READ}\n" + "    }\n  }\n}\n")
    bare_call = 'module "bare" {\n  source = "../lib"\n  secrets = {\n    two = {}\n  }\n}\n'
    guarded_call = ('module "guarded" {\n  source = "../lib"\n  secrets = {\n    three = {\n'
                    f"      policy = {GUARD}\n" + "    }\n  }\n}\n")
    write(tmp_path, {"lib/main.tf": SECRETS_LIBRARY, "live/open.tf": open_call, "live/bare.tf": bare_call,
                     "live/guarded.tf": guarded_call})
    for path in (".", "lib/main.tf"):
        _, report, _ = run_check(tmp_path, path, select="SM004")
        assert [f for f in places(report) if f[1] == "lib/main.tf"] == []
    _, report, _ = run_check(tmp_path, ".", select="SM004")
    assert places(report) == [
        span("SM004", "live/bare.tf", bare_call, 'module "bare"', 'module.bare.aws_secretsmanager_secret.sm["two"]'),
        span("SM004", "live/open.tf", open_call, 'module "open"', 'module.open.aws_secretsmanager_secret.sm["one"]'),
    ]


DAYS_LIBRARY_TF = LIBRARY_HEAD + KEY + """\
  recovery_window_in_days = "${lookup(each.value, "recovery_window_in_days", 30)}"
}
"""
DAYS_LIBRARY_JSON = """\
{
  "variable": {"secrets": {"type": "any", "default": {}}},
  "resource": {"aws_secretsmanager_secret": {"sm": {
    "for_each": "${var.secrets}",
    "name": "${each.key}",
    "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "recovery_window_in_days": "${lookup(each.value, \\"recovery_window_in_days\\", 30)}"
  }}}
}
"""
DAYS_CALL = 'module "sec" {\n  source = "../lib"\n  secrets = {\n    one = {\n      recovery_window_in_days = 0\n    }\n  }\n}\n'


@pytest.mark.parametrize("library", [("main.tf", DAYS_LIBRARY_TF), ("main.tf.json", DAYS_LIBRARY_JSON)])
@pytest.mark.parametrize("path", [".", "live/main.tf"])
def test_a_template_that_is_one_interpolation_keeps_the_place_of_the_caller_s_value(
        tmp_path: Path, library: tuple[str, str], path: str) -> None:
    """`"${x}"` is `x` itself (Terraform keeps its value and type): a caller's `0` that reaches a child's
    `recovery_window_in_days = "${lookup(each.value, ...)}"` (the only way `.tf.json` writes it) is reported
    where the caller wrote it, also when only the caller's file is linted."""
    write(tmp_path, {f"lib/{library[0]}": library[1], "live/main.tf": DAYS_CALL})
    _, report, _ = run_check(tmp_path, path, select="SM007")
    assert places(report) == [span("SM007", "live/main.tf", DAYS_CALL, "0", 'module.sec.aws_secretsmanager_secret.sm["one"]')]


def test_a_template_that_is_one_interpolation_of_a_default_points_at_the_default(tmp_path: Path) -> None:
    """As `var.days` unquoted does: the value is written in the default; a literal in the template stays."""
    variables = 'variable "days" {\n  default = 0\n}\n'
    main = ('resource "aws_secretsmanager_secret" "a" {\n  recovery_window_in_days = "${var.days}"\n}\n'
            'resource "aws_secretsmanager_secret" "b" {\n  recovery_window_in_days = "${0}"\n}\n')
    write(tmp_path, {"variables.tf": variables, "main.tf": main})
    _, report, _ = run_check(tmp_path, ".", select="SM007")
    assert places(report) == [span("SM007", "main.tf", main, '"${0}"', "aws_secretsmanager_secret.b"),
                              span("SM007", "variables.tf", variables, "0", "aws_secretsmanager_secret.a")]
