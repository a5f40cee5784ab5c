"""Shapes met in public Terraform modules that write Secrets Manager policies (a real-world QA pass): each
test reproduces one shape, written from scratch, with the exact places its findings must have."""
from __future__ import annotations

import json
import os
from contextlib import redirect_stdout
from io import StringIO
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


ACCESS_LIBRARY = """\
variable "name" {}
resource "aws_secretsmanager_secret" "s" {
  name = "${var.name}-app"
}
%s
"""
PERMISSION_SET = """\
resource "aws_ssoadmin_permission_set_inline_policy" "ops" {
  instance_arn       = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
  permission_set_arn = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
  inline_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = aws_secretsmanager_secret.s.arn }]
  })
}"""
ATTACHED = """\
resource "aws_iam_role" "r" {
  name               = "reader"
  assume_role_policy = "{}"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = aws_secretsmanager_secret.s.arn }]
  })
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name
  policy_arn = aws_iam_policy.p.arn
}"""
UNATTACHED = """\
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:${var.name}-*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}"""


def access_map(root: Path) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """`policylint access --format json` in `root`: secret -> (path, [(principal, capability, verdict)])."""
    from linter.cli import main

    previous, out = os.getcwd(), StringIO()
    os.chdir(root)
    try:
        with redirect_stdout(out):
            assert main(["access", "--no-config", "--format", "json"]) == 0
    finally:
        os.chdir(previous)
    return {s["secret"]: (s["path"], [(a["principal"], a["capability"], a["verdict"]) for a in s["access"]])
            for s in json.loads(out.getvalue())["secrets"]}


@pytest.mark.parametrize(("principals", "reader"), [(PERMISSION_SET, "aws_ssoadmin_permission_set_inline_policy.ops"),
                                                    (ATTACHED, "aws_iam_role.r")])
def test_a_module_instance_s_principal_reads_the_instance_s_secret_not_the_library_s(
        tmp_path: Path, principals: str, reader: str) -> None:
    """What a called module's principals hold is part of the caller's deployment (the instance's resources
    are placed at the call): a permission set's inline policy stands for a principal there, and a role
    gets the customer managed policy the instance attaches to it (read, not an unreadable policy that
    may allow anything); the module linted on its own has its own principal for its own secret."""
    write(tmp_path, {"lib/main.tf": ACCESS_LIBRARY % principals,
                     "live/main.tf": 'module "m" {\n  source = "../lib"\n  name   = "db"\n}\n'})
    assert access_map(tmp_path) == {
        "aws_secretsmanager_secret.s": ("lib/main.tf", [(reader, "read", "yes")]),
        "module.m.aws_secretsmanager_secret.s": ("live/main.tf", [(f"module.m.{reader}", "read", "yes")]),
    }


def test_a_policy_document_of_a_module_instance_is_no_principal(tmp_path: Path) -> None:
    """A policy attached to nobody grants nobody anything, in the module linted on its own as in the
    caller's instance (whose data source's address has the call's prefix)."""
    write(tmp_path, {"lib/main.tf": ACCESS_LIBRARY % UNATTACHED,
                     "live/main.tf": 'module "m" {\n  source = "../lib"\n  name   = "db"\n}\n'})
    assert access_map(tmp_path) == {"aws_secretsmanager_secret.s": ("lib/main.tf", []),
                                    "module.m.aws_secretsmanager_secret.s": ("live/main.tf", [])}


INLINE_ROLE = """\
resource "aws_iam_role" "r" {
  name               = "${var.name}-reader"
  assume_role_policy = "{}"
  inline_policy {
    name   = "read"
    policy = jsonencode({ Version = "2012-10-17", Statement = [%s] })
  }
}"""
ROLE_POLICY = """\
resource "aws_iam_role" "r" {
  name               = "${var.name}-reader"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [%s] })
}"""
READ_OWN = '{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = aws_secretsmanager_secret.s.arn }'


@pytest.mark.parametrize("role", [INLINE_ROLE, ROLE_POLICY])
def test_a_reference_in_a_module_instance_names_that_instance_s_resources_not_a_sibling_s(
        tmp_path: Path, role: str) -> None:
    """Two calls of one module: `aws_secretsmanager_secret.s.arn` in the role's policy, and `aws_iam_role.r.id`
    in a role policy, name the resources of their own instance, so each role reads its own secret only."""
    caller = ('module "a" {\n  source = "../lib"\n  name   = "a"\n}\n'
              'module "b" {\n  for_each = toset(["x"])\n  source   = "../lib"\n  name     = "b"\n}\n')
    write(tmp_path, {"lib/main.tf": ACCESS_LIBRARY % (role % READ_OWN), "live/main.tf": caller})
    assert access_map(tmp_path) == {
        "aws_secretsmanager_secret.s": ("lib/main.tf", [("aws_iam_role.r", "read", "yes")]),
        "module.a.aws_secretsmanager_secret.s": ("live/main.tf", [("module.a.aws_iam_role.r", "read", "yes")]),
        'module.b["x"].aws_secretsmanager_secret.s': (
            "live/main.tf", [('module.b["x"].aws_iam_role.r', "read", "yes")]),
    }


def test_a_secret_a_caller_passes_in_is_named_by_the_module_s_policy(tmp_path: Path) -> None:
    """A reference that comes in as an argument names the caller's resource: the caller's secret, read by
    the role the called module makes."""
    lib = ('variable "secret_arn" {}\nvariable "name" {}\n'
           + INLINE_ROLE % '{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = var.secret_arn }' + "\n")
    caller = ('resource "aws_secretsmanager_secret" "db" {\n  name = "db"\n}\n'
              'module "a" {\n  source     = "../lib"\n  name       = "a"\n  secret_arn = aws_secretsmanager_secret.db.arn\n}\n')
    write(tmp_path, {"lib/main.tf": lib, "live/main.tf": caller})
    assert access_map(tmp_path) == {
        "aws_secretsmanager_secret.db": ("live/main.tf", [("module.a.aws_iam_role.r", "read", "yes")]),
    }


TOGGLED_READERS = """\
variable "readers" {
  type    = list(string)
  default = null
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.readers != null ? [{}] : []
    content {
      principals {
        identifiers = ["*"]
        type        = "AWS"
      }
      condition {
        test     = "ArnLike"
        values   = var.readers
        variable = "aws:PrincipalArn"
      }
      actions   = ["secretsmanager:GetSecretValue"]
      resources = ["*"]
    }
  }
}
resource "aws_secretsmanager_secret" "s" {
  kms_key_id = "alias/app"
  policy     = data.aws_iam_policy_document.d.json
}
"""


def _dynamic_block(text: str) -> str:
    start = text.index('dynamic "statement"')
    return text[start:text.index("\n  }\n", start) + 4]


@pytest.mark.parametrize("path", [".", "lib/main.tf"])
def test_a_statement_toggled_on_by_an_empty_object_is_reported_at_its_dynamic_block(tmp_path: Path, path: str) -> None:
    """`for_each = cond ? [{}] : []` switches a statement on; the empty object holds nothing of it, so the
    statement is the dynamic block's (as when the condition is unknown), not two characters `{}`: the
    library on its own and the caller that switches it on report it there, once."""
    caller = 'module "m" {\n  source  = "../lib"\n  readers = ["arn:aws:iam::111122223333:role/app"]\n}\n'
    write(tmp_path, {"lib/main.tf": TOGGLED_READERS, "live/main.tf": caller})
    _, report, _ = run_check(tmp_path, path, select="SM003")
    assert places(report) == [span("SM003", "lib/main.tf", TOGGLED_READERS, _dynamic_block(TOGGLED_READERS),
                                   "data.aws_iam_policy_document.d")]


def test_a_root_module_statement_toggled_on_by_an_empty_object_is_reported_at_its_dynamic_block(tmp_path: Path) -> None:
    main = TOGGLED_READERS.replace("default = null", 'default = ["arn:aws:iam::111122223333:role/app"]')
    write(tmp_path, {"main.tf": main})
    _, report, _ = run_check(tmp_path, ".", select="SM003")
    assert places(report) == [span("SM003", "main.tf", main, _dynamic_block(main), "data.aws_iam_policy_document.d")]


@pytest.mark.parametrize("writers", ["[]", 'concat([], var.none == null ? [] : ["x"])'])
def test_a_principal_condition_with_no_values_restricts_the_caller_to_nobody(tmp_path: Path, writers: str) -> None:
    """`Principal "*"` with `ArnLike aws:PrincipalArn` over an empty list (a module's `writers = []` default)
    matches no request, so the statement opens the secret to nobody: no SM008 (a value not known offline
    is left alone too); with an ARN in the list the caller is restricted as well."""
    main = TOGGLED_READERS.replace('for_each = var.readers != null ? [{}] : []', 'for_each = [{}]').replace(
        "values   = var.readers", f"values   = {writers}").replace('variable "readers"', 'variable "none"')
    write(tmp_path, {"main.tf": main})
    _, report, _ = run_check(tmp_path, ".", select="SM008")
    assert places(report) == []
    opened = main.replace(f"values   = {writers}", 'values   = ["*"]')
    write(tmp_path, {"main.tf": opened})
    _, report, _ = run_check(tmp_path, ".", select="SM008")
    assert places(report) == [span("SM008", "main.tf", opened, 'principals {\n        identifiers = ["*"]\n'
                                   '        type        = "AWS"\n      }', "data.aws_iam_policy_document.d")]


def test_an_empty_list_of_condition_values_restricts_in_a_policy_file_too(tmp_path: Path) -> None:
    """The same in a standalone secret resource policy (JSON): `aws:PrincipalAccount` equal to none of `[]`."""
    policy = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
              '"Action": "secretsmanager:GetSecretValue", "Resource": "*", '
              '"Condition": {"StringEquals": {"aws:PrincipalAccount": []}}}]}\n')
    write(tmp_path, {"secret-policy.json": policy})
    _, report, _ = run_check(tmp_path, ".", select="SM008")
    assert places(report) == []
    write(tmp_path, {"secret-policy.json": policy.replace("[]", '["111122223333", "*"]')})
    _, report, _ = run_check(tmp_path, ".", select="SM008")
    assert [f[:2] for f in places(report)] == [("SM008", "secret-policy.json")]
