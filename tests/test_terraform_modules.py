"""Local module calls: the child module evaluated with the caller's arguments, findings where values were written."""
from __future__ import annotations

import json
from pathlib import Path

from tf_helpers import at, extract, places, resource, run_check, span, write

SECRET_MODULE = """\
variable "name" {}
variable "recovery_window_in_days" {
  default = 30
}

resource "aws_secretsmanager_secret" "this" {
  name                    = var.name
  recovery_window_in_days = var.recovery_window_in_days
}

output "arn" {
  value = aws_secretsmanager_secret.this.arn
}
"""

POLICY_MODULE = """\
variable "policy" {}

resource "aws_iam_policy" "this" {
  name   = "from-module"
  policy = var.policy
}

resource "aws_iam_policy" "own" {
  name = "own"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" }]
  })
}
"""

CALLER = """\
module "db" {
  source                  = "../../modules/secret"
  name                    = "prod/db"
  recovery_window_in_days = 0
}

locals {
  read_all = "secretsmanager:GetSecretValue"
}

module "p" {
  source = "../../modules/iam-policy"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:*", local.read_all]
      Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"
    }]
  })
}

module "registry" {
  source                  = "terraform-aws-modules/secrets-manager/aws"
  recovery_window_in_days = 0
}

module "missing" {
  source                  = "../../modules/nowhere"
  recovery_window_in_days = 0
}
"""

RULES = "SM001,SM002,SM004,SM005,SM007,SM010"


def check(cwd: Path, *args: str, select: str = RULES) -> tuple[int, dict, str]:
    return run_check(cwd, *args, select=select)




def tree(tmp_path: Path) -> Path:
    return write(tmp_path, {
        "modules/secret/main.tf": SECRET_MODULE,
        "modules/iam-policy/main.tf": POLICY_MODULE,
        "envs/prod/main.tf": CALLER,
    })


def test_module_inputs_are_linted_where_the_caller_wrote_them(tmp_path) -> None:
    code, report, _ = check(tree(tmp_path), ".")
    assert code == 1 and report["errors"] == []
    caller, child = "envs/prod/main.tf", "modules/secret/main.tf"
    policy = "modules/iam-policy/main.tf"
    assert places(report) == [
        # The recovery window passed in: the value in the module call.
        span("SM007", caller, CALLER, "0", "module.db.aws_secretsmanager_secret.this"),
        # The policy passed as jsonencode(): its action, in the caller, owned by the module's resource.
        span("SM001", caller, CALLER, '"secretsmanager:*"', "module.p.aws_iam_policy.this"),
        # The child's own literal policy: once, at its own place, under its own address (not module.p.*).
        span("SM001", policy, POLICY_MODULE, '"secretsmanager:*"', "aws_iam_policy.own"),
        # The child's secret on its own (no key, no policy): once, at its header, not again for module.db.
        span("SM004", child, SECRET_MODULE, 'resource "aws_secretsmanager_secret" "this"', "aws_secretsmanager_secret.this"),
        span("SM005", child, SECRET_MODULE, 'resource "aws_secretsmanager_secret" "this"', "aws_secretsmanager_secret.this"),
    ]


def test_jobs_output_is_identical(tmp_path) -> None:
    root = tree(tmp_path)
    write(root, {"envs/dev/main.tf": CALLER, "envs/dev/extra.tf": 'module "again" {\n  source = "../prod"\n}\n'})
    one = check(root, ".", "--jobs", "1")[2]
    two = check(root, ".", "--jobs", "2")[2]
    assert one == two and json.loads(one)["findings"]
    # envs/dev calls envs/prod, which calls the modules: prod's findings are reported once, by prod.
    assert [f["path"] for f in json.loads(one)["findings"]].count("envs/prod/main.tf") == 2


def test_module_outside_the_scanned_tree_is_not_followed(tmp_path) -> None:
    root = tree(tmp_path)
    code, report, _ = check(root / "envs" / "prod", ".")
    assert code == 0 and report["findings"] == [] and report["errors"] == []


def test_instance_resources_and_documents(tmp_path) -> None:
    root = tree(tmp_path)
    write(root, {"envs/prod/policy.tf": """\
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = module.db.arn
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*" }]
  })
}
"""})
    result = extract(root / "envs" / "prod", root / "modules")
    secret = resource(result, "module.db.aws_secretsmanager_secret.this")
    assert secret.path == f"{(root / 'envs' / 'prod').as_posix()}/main.tf"
    assert secret.span == at(CALLER, 'module "db"')
    assert secret.attributes["recovery_window_in_days"].value == 0
    assert secret.attributes["recovery_window_in_days"].span == at(CALLER, "0")
    assert secret.attributes["name"].value == "prod/db"
    # Linked through the module's output: the caller's policy is the secret's resource policy.
    assert [r.address for r in secret.links["policies"]] == ["aws_secretsmanager_secret_policy.db"]
    assert [d.owner for d in secret.documents] == ["aws_secretsmanager_secret_policy.db"]
    assert secret.twin is not None and secret.twin.address == "aws_secretsmanager_secret.this"
    # The child's own literal document is built for the instance too, but its twin takes its findings.
    owners = sorted(d.owner for d in result.documents if d.owner.startswith(("module.", "aws_secretsmanager")))
    assert owners == ["aws_secretsmanager_secret_policy.db", "module.p.aws_iam_policy.own", "module.p.aws_iam_policy.this"]
    own = next(d for d in result.documents if d.owner == "module.p.aws_iam_policy.own")
    assert own.twin is not None and own.twin.owner == "aws_iam_policy.own"
    passed_in = next(d for d in result.documents if d.owner == "module.p.aws_iam_policy.this")
    assert passed_in.twin is None and passed_in.path.endswith("envs/prod/main.tf")
    assert passed_in.statements[0].action.value[0].span == at(CALLER, '"secretsmanager:*"')


def test_guarded_through_module_output_has_no_sm004_for_the_instance(tmp_path) -> None:
    root = tree(tmp_path)
    write(root, {"envs/prod/policy.tf": """\
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = module.db.arn
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*" }]
  })
}
"""})
    _, report, _ = check(root, "envs/prod", "modules", select="SM004")
    assert [(f["path"], f["resource"]) for f in report["findings"]] == [
        ("modules/secret/main.tf", "aws_secretsmanager_secret.this")  # the child on its own: unguarded
    ]


NESTED_APP = """\
variable "window" {}

module "db" {
  source                  = "../secret"
  name                    = "app/db"
  recovery_window_in_days = var.window
}

module "cache" {
  source                  = "../secret"
  name                    = "app/cache"
  recovery_window_in_days = 0
}
"""

NESTED_ENV = """\
module "app" {
  source = "../../modules/app"
  window = 0
}
"""


def test_nested_modules_two_levels(tmp_path) -> None:
    root = write(tmp_path, {
        "modules/secret/main.tf": SECRET_MODULE,
        "modules/app/main.tf": NESTED_APP,
        "envs/prod/main.tf": NESTED_ENV,
    })
    _, report, _ = check(root, ".", select="SM007")
    assert places(report) == [
        # Passed through two calls: where the environment wrote it.
        span("SM007", "envs/prod/main.tf", NESTED_ENV, "0", "module.app.module.db.aws_secretsmanager_secret.this"),
        # Written in the intermediate module: reported once, there (not again for module.app.module.cache).
        span("SM007", "modules/app/main.tf", NESTED_APP, "0", "module.cache.aws_secretsmanager_secret.this"),
    ]
    assert check(root, ".", "--jobs", "2", select="SM007")[2] == check(root, ".", select="SM007")[2]


def test_cycles_self_calls_and_count_never_hang(tmp_path) -> None:
    cycle_a = """\
variable "window" {
  default = 7
}
module "b" {
  source = "../b"
  window = var.window
}
module "self" {
  source = "./"
}
resource "aws_secretsmanager_secret" "a" {
  recovery_window_in_days = var.window
}
"""
    cycle_b = 'variable "window" {}\nmodule "a" {\n  source = "../a"\n  window = var.window\n}\n'
    caller = """\
module "a" {
  source   = "../modules/a"
  for_each = toset(["x", "y"])
  window   = each.key == "x" ? 0 : 7
}
module "a0" {
  source = "../modules/a"
  count  = 2
  window = 0
}
"""
    root = write(tmp_path, {"modules/a/main.tf": cycle_a, "modules/b/main.tf": cycle_b, "env/main.tf": caller})
    code, report, _ = check(root, ".", select="SM007")
    # Terraform rejects a cycle of calls: each linted module's call with one below it says so, and the
    # call closing it is not followed (the rest is evaluated).
    assert [(e["path"], e["line"]) for e in report["errors"]] == [
        ("env/main.tf", 1), ("env/main.tf", 6), ("modules/a/main.tf", 4), ("modules/a/main.tf", 8), ("modules/b/main.tf", 2)]
    assert {e["message"].split(":", 1)[1] for e in report["errors"]} == {
        " a module below it calls a module it is called from (a cycle, which Terraform rejects); that call is not followed"}
    assert code == 2
    # for_each and count are evaluated: the "x" instance gets 0; the two instances of a0 share the one
    # value the call passes, reported once.
    assert places(report) == [
        span("SM007", "env/main.tf", caller, "0", 'module.a["x"].aws_secretsmanager_secret.a', 1),
        span("SM007", "env/main.tf", caller, "0", "module.a0[0].aws_secretsmanager_secret.a", 3),
    ]


def test_module_json_syntax(tmp_path) -> None:
    caller = json.dumps({"module": {"db": {"source": "../../modules/secret", "name": "x",
                                           "recovery_window_in_days": 0}}}, indent=2)
    root = write(tmp_path, {"modules/secret/main.tf": SECRET_MODULE, "envs/prod/main.tf.json": caller})
    _, report, _ = check(root, ".", select="SM007")
    assert places(report) == [
        span("SM007", "envs/prod/main.tf.json", caller, "0", "module.db.aws_secretsmanager_secret.this"),
    ]


def test_suppression_above_the_module_call(tmp_path) -> None:
    caller = "# policylint:ignore=SM007 test environment\n" + CALLER
    root = write(tmp_path, {"modules/secret/main.tf": SECRET_MODULE, "modules/iam-policy/main.tf": POLICY_MODULE,
                            "envs/prod/main.tf": caller})
    _, report, _ = check(root, ".", select="SM007")
    assert report["findings"] == [] and len(report["suppressed"]) == 1


def test_one_value_used_by_several_resources_of_a_module_is_reported_once(tmp_path) -> None:
    child = """\
variable "secret_string" {}
resource "aws_secretsmanager_secret_version" "this" {
  secret_id     = "x"
  secret_string = var.secret_string
}
resource "aws_secretsmanager_secret_version" "ignore_changes" {
  secret_id     = "x"
  secret_string = var.secret_string
}
"""
    caller = 'module "s" {\n  source        = "../child"\n  secret_string = jsonencode({ password = "hunter2hunter2" })\n}\n'
    root = write(tmp_path, {"child/main.tf": child, "env/main.tf": caller})
    _, report, _ = check(root, ".", select="SM010")
    assert places(report) == [
        span("SM010", "env/main.tf", caller, '"hunter2hunter2"', "module.s.aws_secretsmanager_secret_version.ignore_changes"),
    ]


def test_a_library_resource_keyed_by_its_callers_input_is_reported_once(tmp_path) -> None:
    """A library's secret with `for_each` (or `count`) over an input is one secret standing for all on its
    own (its keys unknown there): each key the caller's instance makes has that one for twin, so what
    holds whatever the caller passes (no guard, no rotation) is reported once, at the library, not again
    at every caller; what the caller's values add is still the caller's."""
    library = ('variable "names" {}\nvariable "n" {}\nvariable "window" {\n  default = 30\n}\n'
               'resource "aws_secretsmanager_secret" "s" {\n  for_each                = var.names\n'
               '  name                    = each.key\n  kms_key_id              = "alias/app"\n'
               '  recovery_window_in_days = var.window\n}\n'
               'resource "aws_secretsmanager_secret" "c" {\n  count      = var.n\n  kms_key_id = "alias/app"\n}\n')
    caller = ('module "m" {\n  source = "../lib"\n  names  = { a = {}, b = {} }\n  n      = 2\n'
              '  window = 0\n}\n')
    write(tmp_path, {"lib/main.tf": library, "live/main.tf": caller})
    _, report, _ = run_check(tmp_path, ".", select="SM004,SM006,SM007")
    assert places(report) == [
        span("SM004", "lib/main.tf", library, 'resource "aws_secretsmanager_secret" "s"', "aws_secretsmanager_secret.s"),
        span("SM006", "lib/main.tf", library, 'resource "aws_secretsmanager_secret" "s"', "aws_secretsmanager_secret.s"),
        span("SM004", "lib/main.tf", library, 'resource "aws_secretsmanager_secret" "c"', "aws_secretsmanager_secret.c"),
        span("SM006", "lib/main.tf", library, 'resource "aws_secretsmanager_secret" "c"', "aws_secretsmanager_secret.c"),
        span("SM007", "live/main.tf", caller, "0", 'module.m.aws_secretsmanager_secret.s["a"]'),
    ]


def test_an_input_error_the_callers_value_causes_in_a_child_is_reported_at_the_call(tmp_path) -> None:
    """A caller's value that makes a child's policy invalid JSON (a quote in an action written into a
    heredoc), or that Terraform rejects there (null in a string template), is an input error at the linted
    module's call, naming where it broke, also through a module in between; the child on its own, whose
    input is unknown, has no such error, and one it makes on its own is reported once, in its own file."""
    child = ('variable "act" {}\nresource "aws_iam_policy" "p" {\n  policy = <<EOT\n'
             '{"Statement": [{"Effect": "Allow", "Action": "${var.act}", "Resource": "*"}]}\nEOT\n}\n'
             'resource "aws_iam_policy" "own" {\n  policy = "{not json"\n}\n')
    middle = 'variable "act" {}\nmodule "leaf" {\n  source = "../child"\n  act    = var.act\n}\n'
    root = ('module "c" {\n  source = "./child"\n  act    = "secretsmanager:*\\"x"\n}\n'
            'module "m" {\n  source = "./middle"\n  act    = null\n}\n')
    write(tmp_path, {"main.tf": root, "child/main.tf": child, "middle/main.tf": middle})
    code, report, _ = run_check(tmp_path, ".")
    broken = at(child, '"Action": "${var.act}"')
    own = at(child, '"{not json"')
    assert [(e["path"], e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        ("child/main.tf", own.line, own.column + 2, "policy: invalid JSON: Expecting property name enclosed in double quotes"),
        ("main.tf", 1, 1, f"module.c: with the values this call passes, child/main.tf:{broken.line}:"
                          f"{broken.column + 11}: policy: invalid JSON: Expecting ',' delimiter"),
        ("main.tf", 5, 1, f"module.m: with the values this call passes, child/main.tf:{broken.line}:"
                          f"{broken.column + 11}: null in a string template: Terraform rejects it"),
    ]
    assert code == 2
