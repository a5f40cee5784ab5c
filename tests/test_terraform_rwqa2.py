"""Registry and git modules after `terraform init`, as a real-world QA pass laid them out by hand: each test
reproduces one shape of `.terraform/modules/modules.json` (written from scratch), with the exact places
its findings must have and the calls the run must say it did not follow."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from linter.formats.terraform.constraints import allows
from tf_helpers import at, places, run_check, span, write

# An installed module: a secret whose recovery window its caller sets.
INSTALLED = """\
variable "recovery_window_in_days" {
  default = 30
}
resource "aws_secretsmanager_secret" "this" {
  recovery_window_in_days = var.recovery_window_in_days
}
"""


def _caller(source: str) -> str:
    return f"""\
module "sm" {{
  source  = "{source}"
  version = "1.2.3"

  recovery_window_in_days = 0
}}
"""


def _manifest(*entries: dict) -> str:
    return json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."}, *entries]})


def _not_followed(report: dict) -> list[tuple]:
    return [(m["path"], m["line"], m["column"], m["end_line"], m["end_column"], m["source"])
            for m in report["summary"]["modules_not_followed"]]


def _source_span(text: str, source: str) -> tuple:
    s = at(text, f'"{source}"')
    return ("main.tf", s.line, s.column, s.end_line, s.end_column, source)


@pytest.mark.parametrize(("written", "recorded"), [
    ("acme/secret/aws", "registry.terraform.io/acme/secret/aws"),
    ("registry.terraform.io/acme/secret/aws", "registry.terraform.io/acme/secret/aws"),
    ("Acme/Secret/AWS", "registry.terraform.io/acme/secret/aws"),
    ("acme/secret/aws//modules/one", "registry.terraform.io/acme/secret/aws//modules/one"),
    ("git::https://example.com/acme/secret.git//modules/one?ref=v1", "git::https://example.com/acme/secret.git//modules/one?ref=v1"),
    ("git::https://example.com/acme/secret.git?ref=v1//modules/one", "git::https://example.com/acme/secret.git//modules/one?ref=v1"),
    ("github.com/acme/secret?ref=v1", "git::https://github.com/acme/secret.git?ref=v1"),
    ("s3::https://s3.amazonaws.com/bucket/secret.zip", "s3::https://s3.amazonaws.com/bucket/secret.zip"),
])
def test_an_installed_copy_of_the_same_source_is_followed(tmp_path: Path, written: str, recorded: str) -> None:
    """The call's source, as Terraform reads it, is the one `terraform init` installed: the copy is followed
    (the registry's default host, its case-insensitive names, a subdirectory written after the query, the
    GitHub shorthand are the same address)."""
    caller = _caller(written)
    write(tmp_path, {"main.tf": caller, ".terraform/modules/sm/main.tf": INSTALLED,
                     ".terraform/modules/modules.json": _manifest(
                         {"Key": "sm", "Source": recorded, "Version": "1.2.3", "Dir": ".terraform/modules/sm"})})
    _, report, _ = run_check(tmp_path, ".", select="SM007")
    assert places(report) == [span("SM007", "main.tf", caller, "0", "module.sm.aws_secretsmanager_secret.this")]
    assert _not_followed(report) == []


@pytest.mark.parametrize(("written", "recorded"), [
    ("other/secret/aws", "registry.terraform.io/acme/secret/aws"),
    ("acme/secret/aws//modules/two", "registry.terraform.io/acme/secret/aws//modules/one"),
    ("acme/secret/aws", "git::https://example.com/acme/secret.git"),
    ("git::https://example.com/acme/secret.git?ref=v2", "git::https://example.com/acme/secret.git?ref=v1"),
    ("github.com/acme/other", "git::https://github.com/acme/secret.git"),
])
@pytest.mark.parametrize("target", [".", "main.tf"])
def test_a_call_whose_source_changed_since_terraform_init_is_not_followed(tmp_path: Path, written: str,
                                                                         recorded: str, target: str) -> None:
    """The call now names another module than the one installed under its key (its source was edited after
    `terraform init`): Terraform refuses to plan ("Module source has changed"), so the stale copy says
    nothing about what the call deploys; the call is listed as not followed, rather than reported with the
    resources of a module it no longer calls."""
    caller = _caller(written)
    write(tmp_path, {"main.tf": caller, ".terraform/modules/sm/main.tf": INSTALLED,
                     ".terraform/modules/modules.json": _manifest(
                         {"Key": "sm", "Source": recorded, "Version": "1.2.3", "Dir": ".terraform/modules/sm"})})
    code, report, _ = run_check(tmp_path, target, select="SM007")
    assert places(report) == [] and code == 0
    assert _not_followed(report) == [_source_span(caller, written)]


@pytest.mark.parametrize("target", [".", "main.tf"])
def test_a_modules_json_with_two_records_for_one_key_is_an_error(tmp_path: Path, target: str) -> None:
    """Two records for the key `sm` (an index edited by hand, or two inits merged): Terraform refuses the
    whole index, and which copy the call uses is not known; an input error at the second record, and the
    registry calls are not followed, as for an index that cannot be read."""
    caller = _caller("acme/secret/aws")
    index = ('{"Modules": [\n  {"Key": "", "Source": "", "Dir": "."},\n'
             '  {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Dir": ".terraform/modules/sm"},\n'
             '  {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Dir": ".terraform/modules/empty"}\n]}\n')
    write(tmp_path, {"main.tf": caller, ".terraform/modules/sm/main.tf": INSTALLED,
                     ".terraform/modules/empty/versions.tf": "", ".terraform/modules/modules.json": index})
    code, report, _ = run_check(tmp_path, target, select="SM007")
    assert [(e["path"], e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (".terraform/modules/modules.json", 4, 4, "two records for the module key 'sm': the modules terraform "
                                                  "init installed are not followed")]
    assert places(report) == [] and code == 2


# An installed module whose own code grants everything on every secret, whatever its caller passes.
WILDCARD_INSTALLED = """\
variable "name" {
  default = "x"
}
resource "aws_iam_policy" "own" {
  name   = var.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })
}
"""


@pytest.mark.parametrize("include", [True, False])
def test_an_installed_module_called_through_a_local_module_has_its_own_code_reported_on_request(
        tmp_path: Path, include: bool) -> None:
    """The root calls a local wrapper (`./platform`) that calls a registry module (key `platform.sm`): with
    `--include-vendored-modules` that module's own code is reported at its files, as for one the root calls
    directly, under the address the root gives it; without, nothing of it is."""
    wrapper = 'module "sm" {\n  source = "acme/secret/aws"\n  name   = "app"\n}\n'
    write(tmp_path, {"main.tf": 'module "platform" {\n  source = "./platform"\n}\n', "platform/main.tf": wrapper,
                     ".terraform/modules/platform.sm/main.tf": WILDCARD_INSTALLED,
                     ".terraform/modules/modules.json": _manifest(
                         {"Key": "platform", "Source": "./platform", "Dir": "platform"},
                         {"Key": "platform.sm", "Source": "registry.terraform.io/acme/secret/aws",
                          "Dir": ".terraform/modules/platform.sm"})})
    flags = ("--include-vendored-modules",) if include else ()
    path = ".terraform/modules/platform.sm/main.tf"
    expected = [span("SM001", path, WILDCARD_INSTALLED, '"secretsmanager:*"', "module.platform.module.sm.aws_iam_policy.own")]
    for target in (".", "main.tf"):
        _, report, _ = run_check(tmp_path, target, *flags, select="SM001")
        assert places(report) == (expected if include else []), target
        assert _not_followed(report) == []


def _versioned_caller(constraint: str | None) -> str:
    version = f'  version = "{constraint}"\n' if constraint is not None else ""
    return f'module "sm" {{\n  source  = "acme/secret/aws"\n{version}\n  recovery_window_in_days = 0\n}}\n'


@pytest.mark.parametrize(("constraint", "installed", "followed"), [
    ("1.2.3", "1.2.3", True), ("= 1.2.3", "1.2.3", True), ("1.2", "1.2.0", True), ("1.2.3", "1.2.4", False),
    ("~> 1.2", "1.9.0", True), ("~> 1.2", "2.0.0", False), ("~> 1.2", "1.1.9", False),
    ("~> 1.2.3", "1.2.9", True), ("~> 1.2.3", "1.3.0", False), ("~> 1", "3.1.0", True),
    (">= 2.0, < 3.0", "2.5.1", True), (">= 2.0, < 3.0", "3.0.0", False), ("> 2", "2.0.0", False),
    ("<= 2.1", "2.1.0", True), ("!= 2.1.0", "2.1.0", False), ("v1.2.3", "1.2.3", True),
    (None, "0.1.0", True), ("~> 1.2", "", True), ("~> 1.2", "1.3.0-beta1", True), ("latest", "1.0.0", True),
])
@pytest.mark.parametrize("target", [".", "main.tf"])
def test_a_call_whose_version_no_longer_allows_the_installed_one_is_not_followed(
        tmp_path: Path, constraint: str | None, installed: str, followed: bool, target: str) -> None:
    """`version` was raised past what `terraform init` installed (`~> 2.0` over a 1.x copy): Terraform refuses
    to plan ("Module version requirements have changed"), so the copy is not the code the call deploys; the
    call is listed as not followed. A constraint or version read here neither way (a pre-release, a
    malformed constraint Terraform itself rejects) leaves the copy followed, as before."""
    caller = _versioned_caller(constraint)
    record = {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Dir": ".terraform/modules/sm"}
    if installed:
        record["Version"] = installed
    write(tmp_path, {"main.tf": caller, ".terraform/modules/sm/main.tf": INSTALLED,
                     ".terraform/modules/modules.json": _manifest(record)})
    _, report, _ = run_check(tmp_path, target, select="SM007")
    zeros = (constraint or "").count("0")  # the constraint's zeros come before the caller's 0
    finding = span("SM007", "main.tf", caller, "0", "module.sm.aws_secretsmanager_secret.this", zeros + 1)
    assert places(report) == ([finding] if followed else [])
    assert _not_followed(report) == ([] if followed else [_source_span(caller, "acme/secret/aws")])


@given(major=st.integers(0, 20), minor=st.integers(0, 20), installed=st.tuples(st.integers(0, 20), st.integers(0, 20),
                                                                              st.integers(0, 20)))
def test_the_pessimistic_constraint_fixes_all_but_the_last_segment_written(major: int, minor: int,
                                                                         installed: tuple[int, int, int]) -> None:
    """`~> M.N` is `>= M.N.0` within major M; `~> M.N.0` is `>= M.N.0` within M.N (Terraform's reading)."""
    text = ".".join(map(str, installed))
    assert allows(f"~> {major}.{minor}", text) == (installed >= (major, minor, 0) and installed[0] == major)
    assert allows(f"~> {major}.{minor}.0", text) == (installed >= (major, minor, 0) and installed[:2] == (major, minor))
    assert allows(f">= {major}.{minor}, < {major + 1}", text) == allows(f"~> {major}.{minor}", text)


def test_an_installed_copy_named_alone_reports_its_own_file_not_its_examples(tmp_path: Path) -> None:
    """`check .terraform/modules/sm/main.tf` lints the installed copy as a library: what lies in that file.
    Its examples (`examples/demo` calling `../..`, as published modules ship them) are its authors' code,
    which no `check .` of the project lints; they are not its callers, and nothing of them is reported
    (their `0` was an SM007 at the example's line)."""
    copy = INSTALLED + WILDCARD_INSTALLED
    example = 'module "demo" {\n  source = "../.."\n  recovery_window_in_days = 0\n}\n'
    write(tmp_path, {"main.tf": 'module "sm" {\n  source = "acme/secret/aws"\n}\n',
                     ".terraform/modules/sm/main.tf": copy,
                     ".terraform/modules/sm/examples/demo/main.tf": example,
                     ".terraform/modules/modules.json": _manifest(
                         {"Key": "sm", "Source": "registry.terraform.io/acme/secret/aws", "Dir": ".terraform/modules/sm"})})
    path = ".terraform/modules/sm/main.tf"
    _, report, _ = run_check(tmp_path, path, select="SM001,SM007")
    assert places(report) == [span("SM001", path, copy, '"secretsmanager:*"', "aws_iam_policy.own")]


def test_installed_copies_do_not_use_up_the_scan_for_callers(tmp_path: Path, monkeypatch) -> None:
    """The scan that finds which modules call a named file's directory reads a bounded number of files;
    the copies under `.terraform` (hundreds of files in a real root module) are not read, so they never
    crowd out the project's own callers: `check modules/secret/main.tf` still knows that `live` calls it,
    so its variable is the caller's input (7 there), not its default 0 as for a root module."""
    from linter.formats.terraform import layout

    caller = 'module "secret" {\n  source = "../modules/secret"\n  days   = 7\n}\n'
    child = ('variable "days" {\n  default = 0\n}\n'
             'resource "aws_secretsmanager_secret" "s" {\n  recovery_window_in_days = var.days\n}\n')
    files = {"live/main.tf": caller, "modules/secret/main.tf": child}
    files.update({f"a/.terraform/modules/big/f{n}.tf": 'module "x" {\n  source = "./y"\n}\n' for n in range(4)})
    write(tmp_path, files)
    _, alone, _ = run_check(tmp_path, "modules/secret/main.tf", select="SM007")
    monkeypatch.setattr(layout, "MAX_SCANNED", 3)
    _, bounded, _ = run_check(tmp_path, "modules/secret/main.tf", select="SM007")
    assert places(bounded) == places(alone) == []


# An installed key module: its key policy's principals block is its own text, the identifiers the caller's.
KEY_INSTALLED = """\
variable "key_users" {
  type    = list(string)
  default = []
}
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "KeyUsers"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = var.key_users
    }
  }
}
resource "aws_kms_key" "this" {
  policy = data.aws_iam_policy_document.this.json
}
"""


@pytest.mark.parametrize("include", [True, False])
def test_a_wildcard_passed_into_an_installed_modules_own_block_is_reported_where_the_caller_wrote_it(
        tmp_path: Path, include: bool) -> None:
    """`key_users = ["*"]` fills the identifiers of the installed module's own principals block: the
    finding lands at the caller's `["*"]` (the part of the element the caller wrote), not at the whole
    `module` block; with `--include-vendored-modules` it stays at the module's block, as for its other text."""
    caller = 'module "key" {\n  source  = "acme/key/aws"\n  version = "4.2.3"\n\n  key_users = ["*"]\n}\n'
    write(tmp_path, {"main.tf": caller, ".terraform/modules/key/main.tf": KEY_INSTALLED,
                     ".terraform/modules/modules.json": _manifest(
                         {"Key": "key", "Source": "registry.terraform.io/acme/key/aws", "Version": "4.2.3",
                          "Dir": ".terraform/modules/key"})})
    flags = ("--include-vendored-modules",) if include else ()
    for target in (".", "main.tf"):
        _, report, _ = run_check(tmp_path, target, *flags, select="KMS001")
        block = at(KEY_INSTALLED, "principals {")
        vendored = ("KMS001", ".terraform/modules/key/main.tf", block.line, block.column, 13, 6,
                    "module.key.data.aws_iam_policy_document.this")
        assert places(report) == [vendored if include else
                                  span("KMS001", "main.tf", caller, '["*"]', "module.key.data.aws_iam_policy_document.this")], target
