"""Terraform as it is deployed: count/for_each instances, dynamic blocks, null as "not set", modules in both
directions, registry modules after `terraform init`, single-file parity, and the bounds that keep hostile
module trees and expressions from hanging a run."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tf_helpers import FIXTURES, at, extract, places, resource, run_check, span, write

from linter.model import Span

DEPLOYED = FIXTURES / "deployed"
EXAMPLE = "examples/complete/main.tf"
SECRET_RULES = "SM003,SM004,SM005,SM006,SM007"


def copy(name: str, tmp_path: Path) -> Path:
    """A fixture tree copied where no config file or git work tree is above it (the project root)."""
    target = tmp_path / name
    shutil.copytree(DEPLOYED / name, target)
    return target


def braces(text: str, needle: str) -> Span:
    """The span of the `{ ... }` that starts at `needle`'s first `{` (braces counted; no strings hold any)."""
    start = text.index(needle) + needle.index("{")
    depth = 0
    for end in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            break
    whole = at(text, text[start : end + 1])
    return whole


def secret_findings(root: Path) -> list[tuple]:
    text = (root / EXAMPLE).read_text(encoding="utf-8")
    plain, rotated = "module.plain.aws_secretsmanager_secret.this", "module.rotated.aws_secretsmanager_secret.this"
    read = braces(text, "read = {")
    policy = "module.plain.data.aws_iam_policy_document.this"
    return sorted([
        span("SM004", EXAMPLE, text, 'module "plain"', plain),
        span("SM005", EXAMPLE, text, 'module "plain"', plain),
        span("SM006", EXAMPLE, text, 'module "plain"', plain),
        span("SM007", EXAMPLE, text, "0", plain),
        ("SM003", EXAMPLE, read.line, read.column, read.end_line, read.end_column, policy),
        span("SM004", EXAMPLE, text, 'module "rotated"', rotated),
        span("SM005", EXAMPLE, text, 'module "rotated"', rotated),
    ], key=lambda f: (f[1], f[2], f[3], f[0]))


def test_a_secrets_module_example_reports_what_its_arguments_deploy(tmp_path: Path) -> None:
    """The shape of terraform-aws-secrets-manager's complete example: a dynamic statement from the caller's
    `policy_statements` (SM003 on the caller's object, SM004 since no statement denies deletion), the
    child's `kms_key_id` defaulting to null (SM005), rotation off by default (`count = 0`, SM006). The
    rotation function's statement (Put + UpdateSecretVersionStage) is not asked to pin AWSCURRENT, the
    disabled call (`create = false`) has no secret, and the library module itself reports nothing: its
    variables are its callers' inputs."""
    root = copy("secrets", tmp_path)
    code, report, _ = run_check(root, ".", select=SECRET_RULES)
    assert report["errors"] == []
    assert places(report) == secret_findings(root)
    assert code == 1


def test_one_file_alone_reports_what_check_dot_reports_for_it(tmp_path: Path) -> None:
    root = copy("secrets", tmp_path)
    expected = secret_findings(root)
    _, alone, _ = run_check(root, EXAMPLE, select=SECRET_RULES)
    assert places(alone) == expected
    _, library, _ = run_check(root, "main.tf", select=SECRET_RULES)
    assert [f for f in places(library) if f[1] == "main.tf"] == []



def test_the_editor_reports_what_check_dot_reports(tmp_path: Path) -> None:
    from pygls.workspace.position_codec import PositionCodec

    from linter.lsp import folder_context, lint_buffer

    root = copy("secrets", tmp_path)
    _, whole, _ = run_check(root, ".")
    text = (root / EXAMPLE).read_text(encoding="utf-8")
    diagnostics = lint_buffer(text, EXAMPLE, folder_context(root), PositionCodec())
    found = sorted((d.code, d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics)
    expected = sorted((f["rule_id"], f["line"], f["column"]) for f in whole["findings"] if f["path"] == EXAMPLE)
    assert found == expected and len(expected) >= len(secret_findings(root))


def test_standard_input_named_as_the_example(tmp_path: Path, monkeypatch) -> None:
    import io

    root = copy("secrets", tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO((root / EXAMPLE).read_text(encoding="utf-8")))
    _, report, _ = run_check(root, "--stdin-filename", EXAMPLE, select=SECRET_RULES)
    assert places(report) == secret_findings(root)


def test_inline_policy_permissions_passed_to_a_role_module(tmp_path: Path) -> None:
    """The shape of terraform-aws-iam's `inline_policy_permissions`: `actions = ["*"]`, `resources = ["*"]`
    written by the caller are reported where the caller wrote them; `effect` comes from the child's
    `optional(string, "Allow")`."""
    root = copy("iam", tmp_path)
    caller = (root / "examples/role/main.tf").read_text(encoding="utf-8")
    _, report, _ = run_check(root, ".", select="SM001,SM002")
    owner = "module.role.data.aws_iam_policy_document.inline"
    assert places(report) == [
        span("SM001", "examples/role/main.tf", caller, '"*"', owner, 1),
        span("SM002", "examples/role/main.tf", caller, '"*"', owner, 2),
    ]
    _, alone, _ = run_check(root, "examples/role/main.tf", select="SM001,SM002")
    assert places(alone) == places(report)


# --- instances ----------------------------------------------------------------------------------------

GUARD = """jsonencode({ Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret",
    Resource = "*", Condition = { StringNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/admin" } } }] })"""


def test_for_each_over_a_resource_links_each_instance(tmp_path: Path) -> None:
    text = f"""\
resource "aws_secretsmanager_secret" "s" {{
  for_each = toset(["a", "b", "c"])
  name     = "app/${{each.key}}"
}}

resource "aws_secretsmanager_secret_policy" "all" {{
  for_each   = {{ for k, v in aws_secretsmanager_secret.s : k => v if k != "c" }}
  secret_arn = each.value.arn
  policy     = {GUARD}
}}

resource "aws_secretsmanager_secret_policy" "c" {{
  secret_arn = aws_secretsmanager_secret.s["c"].arn
  policy     = {GUARD}
}}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    for key, policy in (("a", 'all["a"]'), ("b", 'all["b"]'), ("c", "c")):
        secret = resource(result, f'aws_secretsmanager_secret.s["{key}"]')
        assert [p.address for p in secret.links["policies"]] == [f"aws_secretsmanager_secret_policy.{policy}"]
        assert secret.attributes["name"].value == f"app/{key}"
        assert secret.span == at(text, 'resource "aws_secretsmanager_secret" "s"')
    _, report, _ = run_check(tmp_path, ".", select="SM004")
    assert report["findings"] == []


def test_splat_one_and_values_of_instances_name_the_secret(tmp_path: Path) -> None:
    text = """\
resource "aws_secretsmanager_secret" "one" {
  count = 1
}
resource "aws_secretsmanager_secret_rotation" "one" {
  secret_id = one(aws_secretsmanager_secret.one[*].id)
}
resource "aws_secretsmanager_secret" "many" {
  for_each = { x = 1, y = 2 }
}
resource "aws_secretsmanager_secret_version" "first" {
  secret_id = (values(aws_secretsmanager_secret.many)[*].id)[0]
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    assert [r.address for r in resource(result, "aws_secretsmanager_secret.one").links["rotation"]] == [
        "aws_secretsmanager_secret_rotation.one"]
    assert [r.address for r in resource(result, 'aws_secretsmanager_secret.many["x"]').links["versions"]] == [
        "aws_secretsmanager_secret_version.first"]
    assert resource(result, 'aws_secretsmanager_secret.many["y"]').links["versions"] == []


def test_count_from_booleans_decides_whether_a_resource_exists(tmp_path: Path) -> None:
    text = """\
variable "enabled" {
  default = false
}
variable "other" {
  default = true
}
variable "unknown" {}

resource "aws_iam_policy" "off" {
  count  = var.enabled ? 1 : 0
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })
}
resource "aws_iam_policy" "either" {
  count  = var.enabled || var.other ? 1 : 0
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:Get*", Resource = "*" }] })
}
resource "aws_iam_policy" "both" {
  count  = var.other && !var.enabled ? 1 : 0
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:List*", Resource = "*" }] })
}
resource "aws_iam_policy" "maybe" {
  count  = var.unknown && var.other ? 1 : 0
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:Describe*", Resource = "*" }] })
}
"""
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [
        span("SM001", "main.tf", text, '"secretsmanager:Get*"', "aws_iam_policy.either"),
        span("SM001", "main.tf", text, '"secretsmanager:List*"', "aws_iam_policy.both"),
        span("SM001", "main.tf", text, '"secretsmanager:Describe*"', "aws_iam_policy.maybe"),
    ]


@settings(max_examples=12, deadline=None)
@given(count=st.integers(min_value=0, max_value=4))
def test_a_known_count_makes_that_many_instances(tmp_path_factory, count: int) -> None:
    root = tmp_path_factory.mktemp("count")
    write(root, {"main.tf": f'resource "aws_secretsmanager_secret" "s" {{\n  count = {count}\n  name = "s${{count.index}}"\n}}\n'})
    secrets = sorted((r.address, r.attributes["name"].value) for r in extract(root).resources)
    if count == 1:
        assert secrets == [("aws_secretsmanager_secret.s", "s0")]
    else:
        assert secrets == [(f"aws_secretsmanager_secret.s[{i}]", f"s{i}") for i in range(count)]


def test_unknown_for_each_stays_unknown(tmp_path: Path) -> None:
    """A dynamic statement over a variable without default is unknown: the document is incomplete (SM004
    stays quiet), its values are unknown (never `*`)."""
    text = """\
variable "statements" {}
resource "aws_secretsmanager_secret" "s" {
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
}
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}
resource "aws_secretsmanager_secret_policy" "p" {
  secret_arn = aws_secretsmanager_secret.s.arn
  policy     = data.aws_iam_policy_document.p.json
}
"""
    write(tmp_path, {"main.tf": text})
    result = extract(tmp_path)
    (document,) = [d for d in result.documents if d.owner == "data.aws_iam_policy_document.p"]
    assert not document.complete
    assert document.statements[0].action.is_unknown
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM004")
    assert report["findings"] == []


# --- dynamic blocks, for expressions, null ------------------------------------------------------------


def test_dynamic_statement_with_an_iterator_name_and_nested_principals(tmp_path: Path) -> None:
    text = """\
locals {
  grants = [
    { actions = ["secretsmanager:GetSecretValue"], who = ["arn:aws:iam::111122223333:role/app"] },
    { actions = ["secretsmanager:*"], who = ["*"] },
  ]
}
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = local.grants
    iterator = g
    content {
      actions   = g.value.actions
      resources = ["*"]
      dynamic "principals" {
        for_each = g.value.who
        content {
          type        = "AWS"
          identifiers = [principals.value]
        }
      }
    }
  }
}
resource "aws_secretsmanager_secret" "s" {}
resource "aws_secretsmanager_secret_policy" "p" {
  secret_arn = aws_secretsmanager_secret.s.arn
  policy     = data.aws_iam_policy_document.p.json
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    (document,) = [d for d in result.documents if d.owner == "data.aws_iam_policy_document.p"]
    assert document.complete
    first, second = document.statements
    assert first.node.span == braces(text, '{ actions = ["secretsmanager:GetSecretValue"]')
    assert first.principal.plain() == {"AWS": ["arn:aws:iam::111122223333:role/app"]}
    assert second.action.value[0].span == at(text, '"secretsmanager:*"')
    assert second.principal.plain() == {"AWS": ["*"]}


def test_a_for_expression_builds_the_statements(tmp_path: Path) -> None:
    text = """\
variable "actions" {
  default = ["secretsmanager:*", "s3:GetObject", "kms:Decrypt"]
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [for a in var.actions : { Effect = "Allow", Action = a, Resource = "*" } if a != "s3:GetObject"]
  })
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    (document,) = result.documents
    assert [s.action.value for s in document.statements] == ["secretsmanager:*", "kms:Decrypt"]
    assert document.statements[0].action.span == at(text, '"secretsmanager:*"')
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', "aws_iam_policy.p")]


@pytest.mark.parametrize("declared, unset", [("", True), ("  nullable = true\n", True), ("  nullable = false\n", False)])
def test_a_null_argument_is_null_unless_the_variable_is_not_nullable(tmp_path: Path, declared: str, unset: bool) -> None:
    """`kms = null` passed to a variable with a default: null (SM005 at the call), except for a variable
    declared `nullable = false`, which takes its default (a customer managed key), as Terraform does."""
    caller = 'module "m" {\n  source = "./m"\n  kms    = null\n}\n'
    child = ('variable "kms" {\n  default  = "arn:aws:kms:us-east-1:111122223333:key/abc"\n' + declared + '}\n'
             'resource "aws_secretsmanager_secret" "s" {\n  name       = "g"\n  kms_key_id = var.kms\n}\n')
    write(tmp_path, {"main.tf": caller, "m/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="SM005")
    assert places(report) == ([span("SM005", "main.tf", caller, 'module "m"', "module.m.aws_secretsmanager_secret.s")]
                              if unset else [])


def test_null_is_not_set_and_a_missing_value_is_unknown(tmp_path: Path) -> None:
    text = """\
variable "by_default" {
  default = null
}
variable "required" {}

resource "aws_secretsmanager_secret" "literal" {
  kms_key_id = null
}
resource "aws_secretsmanager_secret" "defaulted" {
  kms_key_id = var.by_default
}
resource "aws_secretsmanager_secret" "conditional" {
  kms_key_id = var.by_default != null ? var.by_default : null
}
resource "aws_secretsmanager_secret" "required" {
  kms_key_id = var.required
}
"""
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM005")
    assert [f["resource"] for f in report["findings"]] == [
        "aws_secretsmanager_secret.literal", "aws_secretsmanager_secret.defaulted",
        "aws_secretsmanager_secret.conditional"]
    assert places(report)[1] == span("SM005", "main.tf", text, 'resource "aws_secretsmanager_secret" "defaulted"',
                                     "aws_secretsmanager_secret.defaulted")


def test_the_aws_managed_key_looked_up_by_alias(tmp_path: Path) -> None:
    text = """\
data "aws_kms_alias" "managed" {
  name = "alias/aws/secretsmanager"
}
data "aws_kms_key" "managed" {
  key_id = "alias/aws/secretsmanager"
}
data "aws_kms_alias" "own" {
  name = "alias/app"
}
resource "aws_secretsmanager_secret" "a" {
  kms_key_id = data.aws_kms_alias.managed.target_key_arn
}
resource "aws_secretsmanager_secret" "b" {
  kms_key_id = data.aws_kms_key.managed.arn
}
resource "aws_secretsmanager_secret" "c" {
  kms_key_id = data.aws_kms_alias.own.target_key_arn
}
"""
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM005")
    assert places(report) == [
        span("SM005", "main.tf", text, "data.aws_kms_alias.managed.target_key_arn", "aws_secretsmanager_secret.a"),
        span("SM005", "main.tf", text, "data.aws_kms_key.managed.arn", "aws_secretsmanager_secret.b"),
    ]


@pytest.mark.parametrize(("expression", "expected", "written"), [
    ('lookup({ a = "secretsmanager:*" }, "a", "x")', "secretsmanager:*", '"secretsmanager:*"'),
    ('merge({ a = "s3:GetObject" }, { a = "secretsmanager:*" })["a"]', "secretsmanager:*", '"secretsmanager:*"'),
    ('element(concat(["s3:GetObject"], ["secretsmanager:*"]), 1)', "secretsmanager:*", '"secretsmanager:*"'),
    ('flatten([["secretsmanager:*"]])[0]', "secretsmanager:*", '"secretsmanager:*"'),
    ('coalesce(null, "", "secretsmanager:*")', "secretsmanager:*", '"secretsmanager:*"'),
    ('try({}.missing, "secretsmanager:*")', "secretsmanager:*", '"secretsmanager:*"'),
    ('can({}.missing) ? "s3:GetObject" : "secretsmanager:*"', "secretsmanager:*", '"secretsmanager:*"'),
    ('one(["secretsmanager:*"])', "secretsmanager:*", '"secretsmanager:*"'),
    ('values({ b = "secretsmanager:*" })[0]', "secretsmanager:*", '"secretsmanager:*"'),
    ('keys({ "secretsmanager:*" = 1 })[0]', "secretsmanager:*", '"secretsmanager:*"'),
    ('zipmap(["k"], ["secretsmanager:*"]).k', "secretsmanager:*", '"secretsmanager:*"'),
    ('coalescelist([], ["secretsmanager:*"])[0]', "secretsmanager:*", '"secretsmanager:*"'),
    ('distinct(compact(["", "secretsmanager:*", "secretsmanager:*"]))[0]', "secretsmanager:*", None),
    ('tolist(toset(["secretsmanager:*"]))[0]', "secretsmanager:*", '"secretsmanager:*"'),
    ('tomap({ k = "secretsmanager:*" }).k', "secretsmanager:*", '"secretsmanager:*"'),
    ('contains(["a"], "a") && length("ab") == 2 ? "secretsmanager:*" : "x"', "secretsmanager:*", '"secretsmanager:*"'),
    ('format("%s:%s", "secretsmanager", "*")', "secretsmanager:*", None),
    ('formatlist("secretsmanager:%s", ["*"])[0]', "secretsmanager:*", None),
    ('join(":", split("/", "secretsmanager/*"))', "secretsmanager:*", None),
    ('split(",", "s3:GetObject,secretsmanager:*")[1]', "secretsmanager:*", 'secretsmanager:*'),
    ('split(",", "s3:Get\\u002A,secretsmanager:*")[1]', "secretsmanager:*", 'secretsmanager:*'),
    ('replace(lower(trimspace(" SECRETSMANAGER:* ")), "x", "y")', "secretsmanager:*", None),
    ('upper("s3:") == "S3:" ? "secretsmanager:*" : "x"', "secretsmanager:*", '"secretsmanager:*"'),
    ('jsondecode("[\\"secretsmanager:*\\"]")[0]', "secretsmanager:*", None),
    ('try(var.unset, "secretsmanager:*")', None, None),
])
def test_functions_keep_values_and_where_they_were_written(tmp_path: Path, expression: str, expected, written) -> None:
    text = f"""\
variable "unset" {{}}
resource "aws_iam_policy" "p" {{
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {expression}, Resource = "*" }}] }})
}}
"""
    (document,) = extract(write(tmp_path, {"main.tf": text})).documents
    action = document.statements[0].action
    if expected is None:  # an unknown is not an error: try() returns it, and it stays unknown
        assert action.is_unknown
        return
    assert action.value == expected
    if written is not None:
        assert action.span == at(text, written)


# --- modules in both directions -------------------------------------------------------------------------

GUARD_MODULE = f"""\
variable "secret_arn" {{}}
resource "aws_secretsmanager_secret_policy" "guard" {{
  secret_arn = var.secret_arn
  policy     = {GUARD}
}}
"""


@pytest.mark.parametrize("guarded", [True, False])
def test_a_guard_module_fed_the_secret_arn_protects_the_callers_secret(tmp_path: Path, guarded: bool) -> None:
    caller = """\
resource "aws_secretsmanager_secret" "db" {
  name = "prod/db"
}
"""
    if guarded:
        caller += 'module "guard" {\n  source     = "./guard"\n  secret_arn = aws_secretsmanager_secret.db.arn\n}\n'
    write(tmp_path, {"main.tf": caller, "guard/main.tf": GUARD_MODULE})
    _, report, _ = run_check(tmp_path, "main.tf", select="SM004")
    expected = [] if guarded else [
        span("SM004", "main.tf", caller, 'resource "aws_secretsmanager_secret" "db"', "aws_secretsmanager_secret.db")]
    assert places(report) == expected


def test_a_module_output_comes_back_with_its_value(tmp_path: Path) -> None:
    child = 'output "actions" {\n  value = ["secretsmanager:*"]\n}\n'
    caller = """\
module "names" {
  source = "./names"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = module.names.actions, Resource = "*" }] })
}
"""
    write(tmp_path, {"main.tf": caller, "names/main.tf": child})
    (document,) = extract(tmp_path / "main.tf").documents
    assert document.statements[0].action.plain() == ["secretsmanager:*"]
    assert document.statements[0].action.value[0].span == at(child, '"secretsmanager:*"')


OUTPUTS_CHILD = """\
variable "verb" {}
resource "aws_secretsmanager_secret" "this" {
  name = "app/${var.verb}"
}
output "arn" {
  value = aws_secretsmanager_secret.this.arn
}
output "config" {
  value = { actions = ["secretsmanager:${var.verb}"], name = "x" }
}
"""
OUTPUTS_CALLER = """\
variable "on" {{
  default = true
}}
module "x" {{
  {meta}source = "./x"
  verb   = "*"
}}
resource "aws_iam_policy" "p" {{
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {actions}, Resource = "*" }}] }})
}}
resource "aws_secretsmanager_secret_policy" "guard" {{
  secret_arn = {arn}
  policy     = jsonencode({{ Statement = [{{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*" }}] }})
}}
"""


def _guards_through_outputs(root: Path, meta: str, actions: str, arn: str) -> dict[str, list[str]]:
    """The caller reads the child's outputs (`actions` into its policy, `arn` for its guard): SM001 must be
    at the caller's `"*"`; returns each secret's guarding policies."""
    caller = OUTPUTS_CALLER.format(meta=meta, actions=actions, arn=arn)
    write(root, {"main.tf": caller, "x/main.tf": OUTPUTS_CHILD})
    _, report, _ = run_check(root, "main.tf", select="SM001")
    assert places(report) == [span("SM001", "main.tf", caller, '"*"', "aws_iam_policy.p")]
    return {r.address: [p.address for p in r.links["policies"]] for r in extract(root / "main.tf").resources if r.kind == "secret"}


@pytest.mark.parametrize("count, index", [(None, ""), ("2", "[1]"), ("var.on ? 1 : 0", "[0]"), ('toset(["a", "b"])', '["b"]')])
def test_an_output_of_one_instance_is_read_and_walked(tmp_path: Path, count: str | None, index: str) -> None:
    """`module.x[1].config.actions` (also `[0]` of a toggle, `["k"]` of a for_each, none without count): that
    instance's output, then the steps after it; an ARN it gives names that instance's secret, so a guard
    attached through it is that secret's."""
    meta = "" if count is None else ("for_each" if "toset" in count else "count") + f" = {count}\n  "
    secrets = _guards_through_outputs(tmp_path, meta, f"module.x{index}.config.actions", f"module.x{index}.arn")
    named = {"": "module.x.", "[1]": "module.x[1].", "[0]": "module.x.", '["b"]': 'module.x["b"].'}[index]
    assert secrets.pop(named + "aws_secretsmanager_secret.this") == ["aws_secretsmanager_secret_policy.guard"]
    assert all(policies == [] for policies in secrets.values())  # the other instance is not guarded


@pytest.mark.parametrize("count, guarded", [("var.on ? 1 : 0", True), (None, True), ("2", False)])
def test_a_splat_over_a_calls_instances_lists_each_ones_output(tmp_path: Path, count: str | None, guarded: bool) -> None:
    """`module.x[*].config.actions` lists each instance's output (a call without count: its one instance);
    `one(module.x[*].arn)` of a toggle names its secret, so the guard is that secret's (of two instances,
    `one` is an error: nothing is guarded)."""
    meta = "" if count is None else f"count  = {count}\n  "
    secrets = _guards_through_outputs(tmp_path, meta, "flatten(module.x[*].config.actions)", "one(module.x[*].arn)")
    if guarded:
        assert secrets.pop("module.x.aws_secretsmanager_secret.this") == ["aws_secretsmanager_secret_policy.guard"]
    assert len(secrets) == (0 if guarded else 2) and all(policies == [] for policies in secrets.values())


GUARD_CHILD = """\
variable "secret_arn" {}
resource "aws_secretsmanager_secret_policy" "g" {
  secret_arn = var.secret_arn
  policy = jsonencode({ Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*" }] })
}
"""


@pytest.mark.parametrize("iterated, arn", [("module.secret", "each.value.arn"),
                                            ("{ for key, made in module.secret : key => made.arn }", "each.value"),
                                            ("toset(keys(module.secret))", "module.secret[each.key].arn")])
def test_a_guard_module_iterating_a_calls_instances_guards_each_ones_secret(tmp_path: Path, iterated: str, arn: str) -> None:
    """`for_each = module.secret` (or a `for` over it, or its keys): each guard instance is attached to the
    secret of the secret module's instance of the same key."""
    caller = f"""\
module "secret" {{
  for_each = {{ db = "app/db", api = "app/api" }}
  source   = "./secret"
  verb     = each.value
}}
module "guard" {{
  for_each   = {iterated}
  source     = "./guard"
  secret_arn = {arn}
}}
"""
    write(tmp_path, {"main.tf": caller, "secret/main.tf": OUTPUTS_CHILD, "guard/main.tf": GUARD_CHILD})
    secrets = {r.address: [p.address for p in r.links["policies"]] for r in extract(tmp_path / "main.tf").resources
               if r.kind == "secret"}
    assert secrets == {f'module.secret["{key}"].aws_secretsmanager_secret.this': [f'module.guard["{key}"].aws_secretsmanager_secret_policy.g']
                       for key in ("api", "db")}


REGISTRY_CHILD = """\
variable "recovery_window_in_days" {
  default = 30
}
resource "aws_secretsmanager_secret" "this" {
  recovery_window_in_days = var.recovery_window_in_days
}
resource "aws_iam_policy" "vendored" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })
}
"""
REGISTRY_CALLER = """\
module "sm" {
  source  = "acme/secret/aws"
  version = "1.0.0"

  recovery_window_in_days = 0
}
"""


@pytest.mark.parametrize("initialised", [True, False])
def test_a_registry_module_is_followed_after_terraform_init(tmp_path: Path, initialised: bool) -> None:
    files = {"main.tf": REGISTRY_CALLER}
    if initialised:
        manifest = {"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Version": "1.0.0",
             "Dir": ".terraform/modules/sm"},
        ]}
        files[".terraform/modules/modules.json"] = json.dumps(manifest)
        files[".terraform/modules/sm/main.tf"] = REGISTRY_CHILD
    write(tmp_path, files)
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM007")
    expected = [span("SM007", "main.tf", REGISTRY_CALLER, "0", "module.sm.aws_secretsmanager_secret.this", 3)]
    # The vendored module's own wildcard is its authors' code: not reported.
    assert places(report) == (expected if initialised else [])


@pytest.mark.parametrize(("manifest", "where", "reason"), [
    ('{"Modules": [\n  {"Key": "sm",}\n]}', (2, 16), "not valid JSON (Expecting property name enclosed in double quotes)"),
    (b"\x00\x01modules", (1, 1), "binary file, not text"),
])
def test_a_modules_json_that_cannot_be_read_is_an_error_not_a_missing_init(tmp_path: Path, manifest, where,
                                                                           reason: str) -> None:
    """A broken `.terraform/modules/modules.json` is an input error where it breaks (exit 2), for `check .`
    and for the root module's file named alone; its registry calls are then not followed (unknown, as
    without `terraform init`), rather than silently read as if init had never run."""
    write(tmp_path, {"main.tf": REGISTRY_CALLER, ".terraform/modules/modules.json": manifest,
                     ".terraform/modules/sm/main.tf": REGISTRY_CHILD})
    for target in (".", "main.tf"):
        code, report, _ = run_check(tmp_path, target, select="SM001,SM007")
        assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [
            (".terraform/modules/modules.json", *where)], target
        assert report["errors"][0]["message"].startswith(reason)
        assert places(report) == [] and code == 2


def _fan_out(root: Path, argument: str) -> None:
    """Nine modules, each calling the next six times (6^8 instances if every call were distinct)."""
    for level in range(9):
        text = 'variable "n" {\n  default = "x"\n}\n'
        if level < 8:
            for call in range(6):
                text += f'module "c{call}" {{\n  source = "../m{level + 1}"\n  n      = {argument.format(call=call)}\n}}\n'
        write(root, {f"m{level}/main.tf": text})


def test_module_fan_out_is_bounded_and_reported_at_the_call(tmp_path: Path) -> None:
    _fan_out(tmp_path, '"${{var.n}}-{call}"')
    code, report, _ = run_check(tmp_path, "m0/main.tf")
    text = (tmp_path / "m0/main.tf").read_text(encoding="utf-8")
    where = at(text, 'module "c0"')
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [("m0/main.tf", where.line, where.column)]
    assert "more than 1000 module instances" in report["errors"][0]["message"]
    assert code == 2


def test_calls_that_pass_the_same_values_share_one_evaluation(tmp_path: Path) -> None:
    _fan_out(tmp_path, "var.n")
    code, report, _ = run_check(tmp_path, "m0/main.tf")
    assert report["errors"] == [] and code == 0


# --- deep expressions --------------------------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(depth=st.sampled_from([1, 2, 50, 500, 700]))
def test_any_number_of_parentheses_is_evaluated(tmp_path_factory, depth: int) -> None:
    root = tmp_path_factory.mktemp("parens")
    policy = "jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"secretsmanager:*\", Resource = \"*\" }] })"
    text = f'resource "aws_iam_policy" "p" {{\n  policy = {"(" * depth}{policy}{")" * depth}\n}}\n'
    write(root, {"main.tf": text})
    code, report, _ = run_check(root, ".", select="SM001")
    assert report["errors"] == []
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', "aws_iam_policy.p")]


def test_too_deeply_nested_expression_is_an_error_at_its_position(tmp_path: Path) -> None:
    nested = "[" * 300 + '"secretsmanager:*"' + "]" * 300
    text = f'resource "aws_iam_policy" "p" {{\n  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {nested}, Resource = "*" }}] }})\n}}\n'
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    where = at(text, "jsonencode(")
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [("main.tf", where.line, where.column)]
    assert "nested too deeply" in report["errors"][0]["message"]
    assert code == 2


# --- single-file parity over the fixtures and the shared corpus --------------------------------------------

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "realworld"
_WHOLE: dict[Path, dict[str, list]] = {}


def _whole(root: Path) -> dict[str, list]:
    """`check .` of a tree, findings by path (computed once per tree)."""
    if root not in _WHOLE:
        _, report, _ = run_check(root, ".")
        by_path: dict[str, list] = {}
        for finding in report["findings"]:
            by_path.setdefault(finding["path"], []).append(finding)
        _WHOLE[root] = by_path
    return _WHOLE[root]


def _trees() -> list[tuple[Path, str]]:
    trees = [DEPLOYED / "secrets", DEPLOYED / "iam"]
    trees += [p for p in sorted(CORPUS.glob("terraform-*")) if p.is_dir()]  # when the corpus is here
    return [(root, path.relative_to(root).as_posix()) for root in trees for path in sorted(root.rglob("*.tf"))
            if ".terraform" not in path.parts]


def _assert_alone(root: Path, path: str) -> None:
    _, alone, _ = run_check(root, path)
    assert [f for f in alone["findings"] if f["path"] == path] == _whole(root).get(path, [])


@settings(max_examples=25, deadline=None)
@given(case=st.sampled_from(_trees()))
def test_check_file_equals_check_dot_for_that_file(case: tuple[Path, str]) -> None:
    _assert_alone(*case)


@pytest.mark.long
def test_every_file_of_the_fixtures_and_corpus_alone_equals_check_dot() -> None:
    """Every file, not a sample; and each tree's `check .` the same with `--jobs 1` and `--jobs 2`."""
    cases = _trees()
    for root in dict.fromkeys(root for root, _ in cases):
        assert run_check(root, ".", "--jobs", "1")[2] == run_check(root, ".", "--jobs", "2")[2], root
    for root, path in cases:
        _assert_alone(root, path)


def test_nested_expansion_over_long_lists_is_bounded_and_reported(tmp_path: Path) -> None:
    items = ", ".join(str(i) for i in range(40))
    text = f"""\
locals {{
  l = [{items}]
}}
resource "aws_iam_policy" "p" {{
  policy = jsonencode({{ Statement = [for a in local.l : [for b in local.l : [for c in local.l : {{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }}]]] }})
}}
"""
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    where = at(text, "jsonencode(")
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [("main.tf", where.line, where.column)]
    assert "more than 20000 values" in report["errors"][0]["message"]
    assert report["findings"] == [] and code == 2
