"""How far Terraform evaluation reaches and what it says about it: the project root that bounds the search
for root modules, module calls not followed (`summary.modules_not_followed`), vendored modules, positions
of strings composed in a child module from the caller's values, and one finding per element however many
dynamic statements it feeds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_terraform_deployed import REGISTRY_CALLER, REGISTRY_CHILD
from tf_helpers import at, places, run_check, span, write

from linter.model import RawFinding, Span

# --- the project root bounds the search for root modules ---------------------------------------------------

CHILD = """\
variable "deny" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = var.deny ? "Deny" : "Allow", Action = "secretsmanager:*", Resource = "*" }] })
}
"""
LIVE = """\
module "x" {
  source = "../modules/x"
  deny   = false
}
"""


def _called_tree(root: Path) -> Path:
    """`live` calls `modules/x` with the value that makes x's own wildcard an Allow: the finding lies in
    x's file but exists only through the caller."""
    return write(root, {"live/main.tf": LIVE, "modules/x/main.tf": CHILD})


def test_a_file_alone_reports_what_check_dot_reports_for_it(tmp_path: Path) -> None:
    _called_tree(tmp_path)
    expected = [span("SM001", "modules/x/main.tf", CHILD, '"secretsmanager:*"', "module.x.aws_iam_policy.p")]
    _, whole, _ = run_check(tmp_path, ".", select="SM001")
    _, alone, _ = run_check(tmp_path, "modules/x/main.tf", select="SM001")
    assert places(whole) == expected
    assert places(alone) == expected


DEFAULTS = 'variable "actions" {\n  default = ["secretsmanager:*"]\n}\n'
USES = """\
data "aws_iam_policy_document" "p" {
  statement {
    sid       = "Read"
    effect    = "Allow"
    actions   = var.actions
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.p.json
}
"""


def test_a_finding_is_reported_with_the_file_it_is_placed_in_not_its_documents(tmp_path: Path) -> None:
    """The document is written in f0.tf, the wildcard it grants in f1.tf's default: `check f1.tf` reports
    it, `check f0.tf` does not (it is not placed there), as `check .` places it."""
    write(tmp_path, {"f0.tf": USES, "f1.tf": DEFAULTS})
    expected = [span("SM001", "f1.tf", DEFAULTS, '"secretsmanager:*"', "data.aws_iam_policy_document.p")]
    assert places(run_check(tmp_path, ".", select="SM001")[1]) == expected
    assert places(run_check(tmp_path, "f1.tf", select="SM001")[1]) == expected
    assert places(run_check(tmp_path, "f0.tf", select="SM001")[1]) == []


def test_standard_input_and_the_editor_report_a_finding_placed_in_the_file(tmp_path: Path, monkeypatch) -> None:
    import io

    from pygls.workspace.position_codec import PositionCodec

    from linter.lsp import folder_context, lint_buffer

    write(tmp_path, {"f0.tf": USES, "f1.tf": 'variable "actions" {}\n'})  # the buffer is not saved yet
    expected = [span("SM001", "f1.tf", DEFAULTS, '"secretsmanager:*"', "data.aws_iam_policy_document.p")]
    monkeypatch.setattr("sys.stdin", io.StringIO(DEFAULTS))
    assert places(run_check(tmp_path, "--stdin-filename", "f1.tf", select="SM001")[1]) == expected
    where = at(DEFAULTS, '"secretsmanager:*"')
    found = [(d.code, d.range.start.line + 1, d.range.start.character + 1, d.range.end.line + 1, d.range.end.character + 1)
             for d in lint_buffer(DEFAULTS, "f1.tf", folder_context(tmp_path), PositionCodec()) if d.code == "SM001"]
    assert found == [("SM001", where.line, where.column, where.end_line, where.end_column)]


PASSES = """\
module "x" {
  source  = "../modules/x"
  deny    = false
  actions = ["secretsmanager:GetSecretValue", "secretsmanager:*"]
}
"""
GRANTS = """\
variable "deny" {}
variable "actions" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = var.actions, Resource = "*" },
    { Effect = var.deny ? "Deny" : "Allow", Action = "secretsmanager:*", Resource = "*" },
  ] })
}
"""


def test_a_directory_named_reports_its_files_findings_not_its_callers(tmp_path: Path) -> None:
    """`live` calls x: the wildcard it passes is placed in live/main.tf, the one its `deny = false` lets
    through in x's file. `check modules/x` (its files) reports only the second, `check live/main.tf` only
    the first: each what `check .` places in the files named."""
    write(tmp_path, {"live/main.tf": PASSES, "modules/x/main.tf": GRANTS})
    caller = span("SM001", "live/main.tf", PASSES, '"secretsmanager:*"', "module.x.aws_iam_policy.p")
    child = span("SM001", "modules/x/main.tf", GRANTS, '"secretsmanager:*"', "module.x.aws_iam_policy.p")
    assert places(run_check(tmp_path, ".", select="SM001")[1]) == [caller, child]
    for named in ("modules/x", "modules/x/main.tf"):
        assert places(run_check(tmp_path, named, select="SM001")[1]) == [child], named
    assert places(run_check(tmp_path, "live/main.tf", select="SM001")[1]) == [caller]
    for jobs in ("1", "2"):  # both named, in one process or two
        assert places(run_check(tmp_path, "live/main.tf", "modules/x", "--jobs", jobs, select="SM001")[1]) == [caller, child]


TOGGLED = """\
variable "deny" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = var.deny ? "Deny" : "Allow", Action = local.actions, Resource = "*" }] })
}
"""
ACTIONS = 'locals {\n  actions = ["secretsmanager:*"]\n}\n'


def test_a_callers_instance_places_a_finding_in_a_sibling_of_its_document(tmp_path: Path) -> None:
    """The call's `deny = false` makes x's Allow; the wildcard is x's local, in locals.tf, the document in
    main.tf: `check modules/x/locals.tf` reports it as `check .` does, `check modules/x/main.tf` does not."""
    write(tmp_path, {"live/main.tf": 'module "x" {\n  source = "../modules/x"\n  deny   = false\n}\n',
                     "modules/x/main.tf": TOGGLED, "modules/x/locals.tf": ACTIONS})
    expected = [span("SM001", "modules/x/locals.tf", ACTIONS, '"secretsmanager:*"', "module.x.aws_iam_policy.p")]
    for named in (".", "modules/x", "modules/x/locals.tf"):
        assert places(run_check(tmp_path, named, select="SM001")[1]) == expected, named
    assert places(run_check(tmp_path, "modules/x/main.tf", select="SM001")[1]) == []


OUTPUT = 'output "actions" {\n  value = ["secretsmanager:*"]\n}\n'
READS_OUTPUTS = """\
module "x" {
  source = "../modules/x"
}
module "y" {
  source = "../modules/y"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = concat(module.x.actions, module.y.actions), Resource = "*" }] })
}
"""


def test_a_roots_own_document_places_a_finding_in_the_module_output_it_reads(tmp_path: Path) -> None:
    """`live`'s policy grants what x and y output: each wildcard is placed where its output is written,
    reported once by a run naming both modules (one process or two) and by each module alone."""
    write(tmp_path, {"live/main.tf": READS_OUTPUTS, "modules/x/outputs.tf": OUTPUT, "modules/y/outputs.tf": OUTPUT})
    x, y = (span("SM001", f"modules/{m}/outputs.tf", OUTPUT, '"secretsmanager:*"', "aws_iam_policy.p") for m in "xy")
    assert places(run_check(tmp_path, ".", select="SM001")[1]) == [x, y]
    for jobs in ("1", "2"):
        assert places(run_check(tmp_path, "modules/y", "modules/x/outputs.tf", "--jobs", jobs, select="SM001")[1]) == [x, y]
    assert places(run_check(tmp_path, "modules/y/outputs.tf", select="SM001")[1]) == [y]
    assert places(run_check(tmp_path, "live/main.tf", select="SM001")[1]) == []


def test_an_explicit_project_root_below_the_caller_stops_the_search(tmp_path: Path) -> None:
    _called_tree(tmp_path)
    _, bounded, _ = run_check(tmp_path, "modules/x/main.tf", "--project-root", "modules", select="SM001")
    assert places(bounded) == []  # linted on its own: `var.deny` is unknown, the effect too


def test_an_explicit_project_root_above_the_current_directory_widens_the_search(tmp_path: Path) -> None:
    """Run from `modules` (no config, no git: the default root is `modules`), `--project-root ..` lets the
    search find `live`, the root module that calls x."""
    _called_tree(tmp_path)
    _, default, _ = run_check(tmp_path / "modules", "x/main.tf", select="SM001")
    assert places(default) == []
    _, above, _ = run_check(tmp_path / "modules", "x/main.tf", "--project-root", "..", select="SM001")
    assert places(above) == [span("SM001", "modules/x/main.tf", CHILD, '"secretsmanager:*"', "module.x.aws_iam_policy.p")]


def test_standard_input_obeys_an_explicit_project_root(tmp_path: Path, monkeypatch) -> None:
    import io

    _called_tree(tmp_path)
    expected = [span("SM001", "modules/x/main.tf", CHILD, '"secretsmanager:*"', "module.x.aws_iam_policy.p")]
    monkeypatch.setattr("sys.stdin", io.StringIO(CHILD))
    _, found, _ = run_check(tmp_path, "--stdin-filename", "modules/x/main.tf", select="SM001")
    assert places(found) == expected
    monkeypatch.setattr("sys.stdin", io.StringIO(CHILD))
    _, bounded, _ = run_check(tmp_path, "--stdin-filename", "modules/x/main.tf", "--project-root", "modules", select="SM001")
    assert places(bounded) == []


def test_the_editor_searches_up_to_the_folders_config_file(tmp_path: Path) -> None:
    """The language server lints a folder as `check` run there does: a config file in `modules` makes it
    the project root, so `live` is not searched; a folder without one searches its whole tree."""
    from pygls.workspace.position_codec import PositionCodec

    from linter.lsp import folder_context, lint_buffer

    _called_tree(tmp_path)
    open_file = lambda folder, display: sorted(  # noqa: E731
        (d.code, d.range.start.line + 1, d.range.start.character + 1)
        for d in lint_buffer(CHILD, display, folder_context(folder), PositionCodec()) if d.code == "SM001")
    where = at(CHILD, '"secretsmanager:*"')
    assert open_file(tmp_path, "modules/x/main.tf") == [("SM001", where.line, where.column)]
    write(tmp_path, {"modules/.policylint.yaml": "select: [SM001]\n"})
    assert open_file(tmp_path / "modules", "x/main.tf") == []


def test_the_config_file_directory_bounds_the_search(tmp_path: Path) -> None:
    """The config file's directory is the project root: one in `modules` hides `live`; `--config` naming one
    at the top shows it again."""
    _called_tree(tmp_path)
    write(tmp_path, {"modules/.policylint.yaml": "select: [SM001]\n", "top.policylint.yaml": "select: [SM001]\n"})
    below = _check_with_config(tmp_path / "modules" / "x", "main.tf")
    assert below == []
    top = _check_with_config(tmp_path / "modules" / "x", "main.tf", "--config", str(tmp_path / "top.policylint.yaml"))
    assert [(f["rule_id"], f["path"]) for f in top] == [("SM001", "modules/x/main.tf")]


def _cli(cwd: Path, *args: str) -> str:
    """`policylint ARGS` from `cwd`, reading config files as a user's run does: its standard output."""
    import os
    from contextlib import redirect_stdout
    from io import StringIO

    from linter.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        out = StringIO()
        with redirect_stdout(out):
            main(list(args))
    finally:
        os.chdir(old)
    return out.getvalue()


def _check_with_config(cwd: Path, *args: str) -> list[dict]:
    return json.loads(_cli(cwd, "check", *args, "--format", "json"))["findings"]


# --- summary.modules_not_followed ---------------------------------------------------------------------------

ROOT_CALLS = """\
module "lib" {
  source   = "./lib"
  for_each = toset(["a", "b"])
}
module "net" {
  source = "git::https://example.com/net.git?ref=v1"
}
"""
LIB = """\
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}
"""


def _not_followed(report: dict) -> list[tuple]:
    return [(c["path"], c["line"], c["column"], c["end_line"], c["end_column"], c["source"])
            for c in report["summary"]["modules_not_followed"]]


def _call(path: str, text: str, source: str) -> tuple:
    where = at(text, f'"{source}"')
    return (path, where.line, where.column, where.end_line, where.end_column, source)


def test_remote_calls_without_an_installed_copy_are_listed_once_sorted(tmp_path: Path) -> None:
    """The library's call is met once per instance of `lib` and once by `lib` linted on its own: listed
    once. The same list whatever `--jobs`, and for `check FILE`, what `check .` lists in that file."""
    write(tmp_path, {"main.tf": ROOT_CALLS, "lib/main.tf": LIB})
    expected = [_call("lib/main.tf", LIB, "terraform-aws-modules/vpc/aws"),
                _call("main.tf", ROOT_CALLS, "git::https://example.com/net.git?ref=v1")]
    outputs = [run_check(tmp_path, ".", "--jobs", jobs) for jobs in ("1", "2")]
    assert [_not_followed(report) for _, report, _ in outputs] == [expected, expected]
    assert outputs[0][2] == outputs[1][2]
    _, alone, _ = run_check(tmp_path, "lib/main.tf")
    assert _not_followed(alone) == expected[:1]


def test_a_call_followed_through_the_root_that_installed_it_is_not_listed(tmp_path: Path) -> None:
    """`terraform init` in the root installed `lib`'s registry module (key `lib.vpc`); `lib` linted on its
    own has no copy, but the run followed the call, so nothing asks for `terraform init`. A key missing
    from `modules.json` (an init before the call was added) is listed."""
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                            {"Key": "lib.vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                             "Dir": ".terraform/modules/lib.vpc"}]}
    root = 'module "lib" {\n  source = "./lib"\n}\nmodule "net" {\n  source = "acme/net/aws"\n}\n'
    write(tmp_path, {"main.tf": root, "lib/main.tf": LIB, ".terraform/modules/modules.json": json.dumps(manifest),
                     ".terraform/modules/lib.vpc/main.tf": 'variable "x" {\n  default = 1\n}\n'})
    _, report, _ = run_check(tmp_path, ".")
    assert _not_followed(report) == [_call("main.tf", root, "acme/net/aws")]
    assert _check_text(tmp_path).splitlines()[-1] == "0 findings, 2 files scanned, 1 module call not followed (run terraform init)"


def _check_text(cwd: Path) -> str:
    return _cli(cwd, "check", ".", "--no-config", "--color", "never")


# --- vendored modules ---------------------------------------------------------------------------------------

def _installed(root: Path) -> Path:
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                            {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Version": "1.0.0",
                             "Dir": ".terraform/modules/sm"}]}
    return write(root, {"main.tf": REGISTRY_CALLER, ".terraform/modules/modules.json": json.dumps(manifest),
                        ".terraform/modules/sm/main.tf": REGISTRY_CHILD})


CALLERS_VALUE = span("SM007", "main.tf", REGISTRY_CALLER, "0", "module.sm.aws_secretsmanager_secret.this", 3)
OWN_WILDCARD = span("SM001", ".terraform/modules/sm/main.tf", REGISTRY_CHILD, '"secretsmanager:*"',
                    "module.sm.aws_iam_policy.vendored")


def test_a_vendored_modules_own_code_is_not_reported_by_default(tmp_path: Path) -> None:
    _installed(tmp_path)
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM007")
    assert places(report) == [CALLERS_VALUE]


def test_include_vendored_modules_reports_its_own_code_once_at_its_files(tmp_path: Path) -> None:
    _installed(tmp_path)
    outputs = [run_check(tmp_path, ".", "--include-vendored-modules", "--jobs", jobs, select="SM001,SM007")
               for jobs in ("1", "2")]
    assert [places(report) for _, report, _ in outputs] == [[OWN_WILDCARD, CALLERS_VALUE]] * 2
    assert outputs[0][2] == outputs[1][2]


def test_the_config_key_includes_vendored_modules(tmp_path: Path) -> None:
    _installed(tmp_path)
    write(tmp_path, {".policylint.yaml": "include_vendored_modules: true\nselect: [SM001, SM007]\n"})
    found = _check_with_config(tmp_path, ".")
    assert [(f["rule_id"], f["path"], f["line"], f["column"], f["resource"]) for f in found] == [
        (OWN_WILDCARD[0], OWN_WILDCARD[1], OWN_WILDCARD[2], OWN_WILDCARD[3], OWN_WILDCARD[6]),
        (CALLERS_VALUE[0], CALLERS_VALUE[1], CALLERS_VALUE[2], CALLERS_VALUE[3], CALLERS_VALUE[6])]
    write(tmp_path, {".policylint.yaml": "select: [SM001]\ninclude_vendored_modules: yes please\n"})
    from linter.config import ConfigError, load_config

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / ".policylint.yaml")
    assert (raised.value.line, raised.value.key, raised.value.message) == (2, "include_vendored_modules", "expected true or false")


GRANTING_CHILD = """\
variable "action" {}
resource "aws_secretsmanager_secret_policy" "p" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },
    Action = var.action, Resource = "*" }] })
}
"""
GRANTING_CALLER = 'module "sm" {\n  source = "acme/secret/aws"\n  action = "secretsmanager:GetSecretValue"\n}\n'


@pytest.mark.parametrize("include", [False, True])
def test_a_statement_the_callers_value_makes_fire_in_a_vendored_module_is_reported_at_the_call(
        tmp_path: Path, include: bool) -> None:
    """The caller's action makes the installed module's statement fire (SM003): the statement is not the
    user's to edit, so the finding is reported at the call, where a comment can suppress it; with
    `--include-vendored-modules` the module's code is the user's to read, and it stays at the statement."""
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                            {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Dir": ".terraform/modules/sm"}]}
    write(tmp_path, {"main.tf": GRANTING_CALLER, ".terraform/modules/modules.json": json.dumps(manifest),
                     ".terraform/modules/sm/main.tf": GRANTING_CHILD})
    flags = ["--include-vendored-modules"] if include else []
    _, report, _ = run_check(tmp_path, ".", *flags, select="SM003")
    owner = "module.sm.aws_secretsmanager_secret_policy.p"
    statement = GRANTING_CHILD[GRANTING_CHILD.index("{ Effect"):GRANTING_CHILD.index('"*" }') + 5]
    expected = (span("SM003", ".terraform/modules/sm/main.tf", GRANTING_CHILD, statement, owner) if include
                else span("SM003", "main.tf", GRANTING_CALLER, 'module "sm"', owner))
    assert [f[:6] for f in places(report)] == [expected[:6]]
    if not include:
        assert places(run_check(tmp_path, "main.tf", select="SM003")[1]) == places(report)
        write(tmp_path, {"main.tf": "# policylint:ignore=SM003 the reader is reviewed\n" + GRANTING_CALLER})
        _, suppressed, _ = run_check(tmp_path, ".", select="SM003")
        assert suppressed["findings"] == [] and len(suppressed["suppressed"]) == 1


def test_an_installed_copy_named_alone_is_linted_as_a_library(tmp_path: Path) -> None:
    """Named on the command line, the copy is linted on its own with its inputs unknown (whatever the root
    passes), as `--include-vendored-modules` reports it, under its own addresses."""
    _installed(tmp_path)
    write(tmp_path, {".terraform/modules/sm/variables.tf": 'variable "zero" {\n  default = 0\n}\n'
                     'resource "aws_secretsmanager_secret" "kept" {\n  recovery_window_in_days = var.zero\n}\n'})
    _, report, _ = run_check(tmp_path, ".terraform/modules/sm", select="SM001,SM007")
    assert places(report) == [OWN_WILDCARD[:6] + ("aws_iam_policy.vendored",)]


# --- strings a module composes from its caller's values --------------------------------------------------

READ_ONLY = """\
variable "services" {
  type = list(string)
}
data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = toset(distinct(var.services))
    content {
      sid       = replace(statement.value, "-", "")
      actions   = ["${statement.value}:List*", "${statement.value}:Get*"]
      resources = ["*"]
    }
  }
}
resource "aws_iam_policy" "this" {
  policy = data.aws_iam_policy_document.this.json
}
"""
READ_ONLY_CALLER = """\
locals {
  services = ["s3", "secretsmanager", "dynamo"]
}
module "read_only" {
  source   = "./modules/read-only"
  services = local.services
}
"""


def test_a_composed_action_points_at_the_callers_element_that_supplied_it(tmp_path: Path) -> None:
    """`"${statement.value}:List*"` over the caller's services: the wildcard is the module's, the service
    is the caller's, and only the caller's value makes a finding (the module on its own has an unknown
    service). Each finding points at the caller's list item, once per rule, with the message of the first
    action written that fires ('secretsmanager:List*', not the alphabetically first 'Get*'), naming the
    other actions made there whose message differs (not the second 'dynamo' one)."""
    write(tmp_path, {"main.tf": READ_ONLY_CALLER, "modules/read-only/main.tf": READ_ONLY})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == _at_callers_items(READ_ONLY_CALLER, "module.read_only.data.aws_iam_policy_document.this")
    assert [f["message"] for f in report["findings"]] == [
        "Action 'secretsmanager:List*' grants 2 Secrets Manager actions, including ListSecrets and ListSecretVersionIds"
        " (here too: 'secretsmanager:Get*')",
        "Invalid policy: 'dynamo' is not a known service prefix",
    ]
    _, alone, _ = run_check(tmp_path, "main.tf", select="SM001,IAM006")
    assert places(alone) == places(report)
    # The module named alone is evaluated through the root module that calls it, but what that call adds
    # lies in the caller's file, which a run naming the module's directory does not name (as `check .`
    # reports nothing of it in the module's file); the module's own file has nothing of its own.
    _, library, _ = run_check(tmp_path, "modules/read-only", select="SM001,IAM006")
    assert places(library) == []


def test_a_composed_action_matching_nothing_points_at_the_part_that_matches_nothing(tmp_path: Path) -> None:
    """The caller wrote a valid service, "ec2"; the module wrote the verb, `BatchGet*`, which no ec2 action
    has: the finding is about the verb, so it stays at the module's template (once, however many services
    the caller lists). An unknown service is the caller's part, reported at the caller's item."""
    child = READ_ONLY.replace('"${statement.value}:Get*"', '"${statement.value}:BatchGet*"')
    caller = READ_ONLY_CALLER.replace('["s3", "secretsmanager", "dynamo"]', '["ec2", "lambda", "dynamo"]')
    write(tmp_path, {"main.tf": caller, "modules/read-only/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="IAM006")
    owner = "module.read_only.data.aws_iam_policy_document.this"
    assert places(report) == [span("IAM006", "main.tf", caller, '"dynamo"', owner),
                              span("IAM006", "modules/read-only/main.tf", child, '"${statement.value}:BatchGet*"', owner)]
    assert [f["message"] for f in report["findings"]] == [
        "Invalid policy: 'dynamo' is not a known service prefix",
        "Invalid policy: 'ec2:BatchGet*' matches no ec2 action (here too: 'lambda:BatchGet*')",
    ]


def _at_callers_items(caller: str, owner: str) -> list[tuple]:
    """SM001 at the caller's "secretsmanager" and IAM006 at its "dynamo": where the read-only module's
    actions made from them are reported."""
    return [span("SM001", "main.tf", caller, '"secretsmanager"', owner), span("IAM006", "main.tf", caller, '"dynamo"', owner)]


def test_a_string_composed_from_the_modules_own_values_stays_where_it_is_written(tmp_path: Path) -> None:
    """Only the caller's values move a finding: a service the module itself names (a default the caller
    keeps) is the module's text, reported at the module's template."""
    child = READ_ONLY.replace('type = list(string)', 'type    = list(string)\n  default = ["secretsmanager"]')
    caller = 'module "read_only" {\n  source = "./modules/read-only"\n}\n'
    write(tmp_path, {"main.tf": caller, "modules/read-only/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    owner = "module.read_only.data.aws_iam_policy_document.this"
    assert places(report) == [span("SM001", "modules/read-only/main.tf", child, '"${statement.value}:List*"', owner),
                              span("SM001", "modules/read-only/main.tf", child, '"${statement.value}:Get*"', owner)]


# --- one element, several statements -------------------------------------------------------------------

SHARED = """\
locals {
  everything = ["*"]
}
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = [["secretsmanager:GetSecretValue"], ["secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue"]]
    content {
      actions   = statement.value
      resources = local.everything
    }
  }
}
resource "aws_iam_policy" "second" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:DescribeSecret", Resource = local.everything }] })
}
resource "aws_iam_policy" "first" {
  policy = data.aws_iam_policy_document.p.json
}
"""


def test_one_element_fed_into_several_statements_is_reported_once(tmp_path: Path) -> None:
    """The local `"*"` is the resource of three statements (two from one dynamic block, one in another
    policy): one SM002 at it, for the statement written first that fires (the dynamic block's first
    statement, in the data source written before the other policy), whatever the alphabet says."""
    write(tmp_path, {"main.tf": SHARED})
    outputs = [run_check(tmp_path, ".", "--jobs", jobs, select="SM002") for jobs in ("1", "2")]
    for _, report, _ in outputs:
        assert places(report) == [span("SM002", "main.tf", SHARED, '"*"', "data.aws_iam_policy_document.p")]
        assert report["findings"][0]["message"] == (
            "'*' covers every secret: the statement allows the Secrets Manager action GetSecretValue")
    assert outputs[0][2] == outputs[1][2]


def test_a_function_that_composes_the_callers_value_points_at_it_too(tmp_path: Path) -> None:
    child = READ_ONLY.replace('["${statement.value}:List*", "${statement.value}:Get*"]',
                              '[format("%s:List*", statement.value), lower("${statement.value}:GET*")]')
    write(tmp_path, {"main.tf": READ_ONLY_CALLER, "modules/read-only/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == _at_callers_items(READ_ONLY_CALLER, "module.read_only.data.aws_iam_policy_document.this")


def test_a_value_composed_through_two_modules_points_where_the_user_wrote_it(tmp_path: Path) -> None:
    """The root passes "secretsmanager" to `mid`, which makes "secretsmanager-reader" of it for `leaf`,
    which joins it into an action: the finding points at the root's string, where the user wrote it."""
    root = 'module "mid" {\n  source  = "./mid"\n  service = "secretsmanager"\n}\n'
    mid = 'variable "service" {}\nmodule "leaf" {\n  source   = "../modules/read-only"\n  services = ["${var.service}-reader"]\n}\n'
    leaf = READ_ONLY.replace('["${statement.value}:List*", "${statement.value}:Get*"]', '[join(":", [statement.value, "List*"])]')
    write(tmp_path, {"main.tf": root, "mid/main.tf": mid, "modules/read-only/main.tf": leaf})
    _, report, _ = run_check(tmp_path, ".", select="IAM006")
    assert places(report) == [span("IAM006", "main.tf", root, '"secretsmanager"',
                                   "module.mid.module.leaf.data.aws_iam_policy_document.this")]
    assert report["findings"][0]["message"] == "Invalid policy: 'secretsmanager-reader' is not a known service prefix"



HEREDOC_CHILD = """\
variable "service" {}
resource "aws_iam_policy" "p" {
  policy = <<POLICY
{"Statement": [{"Effect": "Allow", "Action": "${var.service}:Get*", "Resource": "*"}]}
POLICY
}
"""


def test_json_a_module_writes_around_the_callers_value_points_at_it(tmp_path: Path) -> None:
    """A heredoc policy in the module with the caller's service interpolated: the JSON string holding it
    points at the caller's element; the module's own `"*"` stays where the module wrote it."""
    caller = 'module "p" {\n  source  = "./p"\n  service = "secretsmanager"\n}\n'
    write(tmp_path, {"main.tf": caller, "p/main.tf": HEREDOC_CHILD})
    _, report, _ = run_check(tmp_path, ".", select="SM001,SM002")
    assert places(report) == [span("SM001", "main.tf", caller, '"secretsmanager"', "module.p.aws_iam_policy.p"),
                              span("SM002", "p/main.tf", HEREDOC_CHILD, '"*"', "module.p.aws_iam_policy.p")]


_RAW = st.builds(
    lambda rule, where, owner, message, written: RawFinding(
        rule, "main.tf", Span(where, 1, where, 5), owner, {"v": message}, message, (Span(where, 1, where, 5),),
        (("", Span(0, 0, 0, 0)), ("main.tf", Span(written, 1, written, 9), 0), ("main.tf", Span(where, 1, where, 5)))),
    st.sampled_from(["SM001", "SM002"]), st.integers(1, 3), st.sampled_from(["a.x", "b.x", "c.x"]),
    st.sampled_from(["m1", "m2", "m3"]), st.integers(1, 4))


@settings(max_examples=60, deadline=None)
@given(raw=st.lists(_RAW, max_size=12), order=st.randoms(use_true_random=False))
def test_one_finding_per_rule_and_range_whatever_the_order_they_arrive_in(raw, order) -> None:
    """Units of a parallel run hand their raw findings over in any order: the findings are the same, one
    per (rule, range), each the one whose statement was written first."""
    from linter.engine import fingerprints
    from linter.rules import load_rules

    rules = {rule.id: rule for rule in load_rules() if rule.id in ("SM001", "SM002")}
    shuffled = list(raw)
    order.shuffle(shuffled)
    findings = fingerprints(raw, rules)
    assert fingerprints(shuffled, rules) == findings
    assert len({(f.rule_id, f.path, f.span) for f in findings}) == len(findings) == len(
        {(r.rule_id, r.path, r.span) for r in raw})
    for finding in findings:
        group = [r for r in raw if (r.rule_id, r.span) == (finding.rule_id, finding.span)]
        best = min(group, key=RawFinding.first)
        assert (finding.message, finding.resource) == (best.message, best.owner)


def test_calls_that_share_an_element_report_it_as_the_call_written_first(tmp_path: Path) -> None:
    """Two calls pass the same list: one finding at each element, under the address of the call written
    first (`zeta`), not of the alphabetically first (`alpha`)."""
    caller = READ_ONLY_CALLER.replace('module "read_only"', 'module "zeta"') + (
        'module "alpha" {\n  source   = "./modules/read-only"\n  services = local.services\n}\n')
    write(tmp_path, {"main.tf": caller, "modules/read-only/main.tf": READ_ONLY})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == _at_callers_items(caller, "module.zeta.data.aws_iam_policy_document.this")
