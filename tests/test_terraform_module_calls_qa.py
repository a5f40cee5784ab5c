"""Module calls as Terraform makes them: suppressions above a call, cycles, and what a call cannot follow."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tf_helpers import at, extract, places, run_check, span, write

from linter.formats.terraform.expand import key_of, key_suffix

POLICY_CHILD = """\
variable "action" {
  default = "s3:GetObject"
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = [var.action]
    resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
"""


@pytest.mark.parametrize("meta", ["", "  count  = 2\n", '  for_each = toset(["a", "b"])\n'])
def test_a_suppression_above_a_module_call_covers_a_value_it_passes_into_a_child_document(
        tmp_path: Path, meta: str) -> None:
    """The child's document is written in the child, the offending value in the call: a suppression above
    the call covers it, as it covers the call's resources."""
    caller = ('# policylint:ignore=SM001 broad on purpose\nmodule "pol" {\n' + meta +
              '  source = "./pol"\n  action = "secretsmanager:*"\n}\n')
    write(tmp_path, {"main.tf": caller, "pol/main.tf": POLICY_CHILD})
    for path in (".", "main.tf"):
        code, report, _ = run_check(tmp_path, path, select="SM001")
        assert report["findings"] == [] and report["unused_suppressions"] == []
        assert [(s["rule_id"], s["path"], s["line"]) for s in report["suppressed"]] == [
            ("SM001", "main.tf", at(caller, '"secretsmanager:*"').line)]
        assert code == 0


def test_a_suppression_above_another_block_does_not_cover_a_call_s_value(tmp_path: Path) -> None:
    caller = ('# policylint:ignore=SM001 elsewhere\nresource "aws_iam_policy" "other" {\n  policy = "{}"\n}\n'
              'module "pol" {\n  source = "./pol"\n  action = "secretsmanager:*"\n}\n')
    write(tmp_path, {"main.tf": caller, "pol/main.tf": POLICY_CHILD})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", caller, '"secretsmanager:*"', "module.pol.data.aws_iam_policy_document.d")]


LIBRARY = """\
variable "days" {
  default = 0
}
resource "aws_secretsmanager_secret" "this" {
  recovery_window_in_days = var.days
}
"""


@pytest.mark.parametrize("commented", [
    '/*\nmodule "old" {\n  source = "../lib"\n}\n*/\n',
    '/* module "old" { source = "../lib" } */\n',
    '/* retired:\nmodule "old" {\n  source = "../lib"\n  days   = 7\n}\n*/\n',
])
def test_a_module_call_in_a_block_comment_calls_nothing(tmp_path: Path, commented: str) -> None:
    """Terraform skips a commented-out call: the directory it named is a root module, deployed with its
    variables' defaults, so what a default does is reported there, alone or with the whole tree."""
    caller = 'resource "aws_iam_policy" "p" {\n  policy = "{\\"Statement\\": []}" # see bucket/*\n}\n' + commented
    write(tmp_path, {"env/main.tf": caller, "lib/main.tf": LIBRARY})
    expected = [span("SM007", "lib/main.tf", LIBRARY, "0", "aws_secretsmanager_secret.this")]
    for path in (".", "lib/main.tf"):
        _, report, _ = run_check(tmp_path, path, select="SM007")
        assert places(report) == expected


@pytest.mark.parametrize("before", [
    'resource "aws_iam_policy" "p" {\n  policy = "arn:aws:s3:::bucket/*"\n}\n',
    'resource "aws_instance" "i" {\n  user_data = <<-EOT\n    cp /src/* /dst\n  EOT\n}\n',
])
def test_a_comment_marker_in_a_string_or_heredoc_does_not_hide_a_call(tmp_path: Path, before: str) -> None:
    """`/*` in a string (an ARN pattern) or a heredoc (a shell glob) starts no comment: the call after it
    still makes `lib` a library, whose defaults are its callers' to keep (reported for the call)."""
    caller = before + 'module "db" {\n  source = "../lib"\n}\n# a closing */ in a comment\n'
    write(tmp_path, {"env/main.tf": caller, "lib/main.tf": LIBRARY})
    _, report, _ = run_check(tmp_path, ".", select="SM007")
    assert places(report) == [span("SM007", "lib/main.tf", LIBRARY, "0", "module.db.aws_secretsmanager_secret.this")]


def test_an_instance_key_is_quoted_in_the_address_as_terraform_quotes_it(tmp_path: Path) -> None:
    """`module.sec["a\\"b"]`, as Terraform writes the address; a reference to that instance finds it."""
    caller = ('module "sec" {\n  for_each = toset(["a\\"b", "c\\\\d"])\n  source   = "./sec"\n  days     = 0\n}\n'
              'resource "aws_secretsmanager_secret_policy" "p" {\n  secret_arn = module.sec["c\\\\d"].arn\n'
              '  block_public_policy = true\n  policy = jsonencode({ Statement = [{ Effect = "Deny", Principal = "*",'
              ' Action = "secretsmanager:DeleteSecret", Resource = "*" }] })\n}\n')
    child = ('variable "days" {}\nresource "aws_secretsmanager_secret" "this" {\n  recovery_window_in_days = var.days\n'
             '  kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/abc"\n}\n'
             'output "arn" {\n  value = aws_secretsmanager_secret.this.arn\n}\n')
    write(tmp_path, {"main.tf": caller, "sec/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="SM007")
    assert places(report) == [span("SM007", "main.tf", caller, "0", 'module.sec["a\\"b"].aws_secretsmanager_secret.this')]
    guarded = {r.address: [p.address for p in r.links["policies"]] for r in extract(tmp_path / "main.tf").resources
               if r.kind == "secret"}
    assert guarded == {'module.sec["a\\"b"].aws_secretsmanager_secret.this': [],
                       'module.sec["c\\\\d"].aws_secretsmanager_secret.this': ["aws_secretsmanager_secret_policy.p"]}


@given(st.text(alphabet=st.sampled_from('a"\\$%{}\n\t.'), max_size=12))
def test_an_instance_key_quoted_in_an_address_reads_back(key: str) -> None:
    suffix = key_suffix(key)
    assert key_of(suffix) == key
    assert '"' not in re.sub(r"\\.", "", suffix[2:-2])  # every quote inside is escaped


def test_a_module_called_through_a_symlink_reports_its_own_code_once(tmp_path: Path) -> None:
    """`modules/b` links to `modules/a`: both calls are the same module, whose own wildcard is reported once,
    at the module (not again for the call through the link); each call's value is reported at the call."""
    child = ('variable "service" {\n  default = "s3"\n}\n'
             'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
             'Action = "${var.service}:*", Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" }] })\n}\n'
             'resource "aws_iam_policy" "own" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
             'Action = "secretsmanager:*", Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" }] })\n}\n')
    caller = ('module "a" {\n  source  = "../modules/a"\n  service = "secretsmanager"\n}\n'
              'module "b" {\n  source  = "../modules/b"\n  service = "secretsmanager"\n}\n')
    write(tmp_path, {"modules/a/main.tf": child, "env/main.tf": caller})
    (tmp_path / "modules" / "b").symlink_to("a")
    expected = [span("SM001", "env/main.tf", caller, '"secretsmanager"', "module.a.aws_iam_policy.p", 1),
                span("SM001", "env/main.tf", caller, '"secretsmanager"', "module.b.aws_iam_policy.p", 2),
                span("SM001", "modules/a/main.tf", child, '"secretsmanager:*"', "aws_iam_policy.own")]
    for jobs in ("1", "2"):
        _, report, _ = run_check(tmp_path, ".", "--jobs", jobs, select="SM001")
        assert places(report) == expected
