"""A string a module composes from several of its caller's values (`"${var.service}:${var.verb}"`,
`format("%s:%s", each.value.service, each.value.action)`) is reported at the value the finding is about:
the caller's service for an unknown prefix, the caller's verb for a name that matches nothing, the
caller's value holding the wildcard for a grant that is too wide; whoever wrote it (another element, another
caller up a chain of modules), and the same in JSON a module writes around those values."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import at, places, run_check, span, write

from linter.model import Node, Span

# --- several caller values in one string ----------------------------------------------------------------

PAIRS = """\
variable "statements" {
  type = list(object({ service = string, verb = string }))
}
data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = ["${statement.value.service}:${statement.value.verb}"]
      resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"]
    }
  }
}
resource "aws_iam_policy" "this" {
  policy = data.aws_iam_policy_document.this.json
}
"""
PAIRS_CALLER = """\
module "pairs" {
  source = "./modules/pairs"
  statements = [
    { service = "secretsmanager", verb = "*" },
    { service = "ec2", verb = "BatchGet*" },
    { service = "dynamo", verb = "Get*" },
  ]
}
"""
PAIRS_OWNER = "module.pairs.data.aws_iam_policy_document.this"


def _pairs_expected(caller: str, owner: str) -> list[tuple]:
    """SM001 at the caller's `"*"` (the wildcard, not the service before it), IAM006 at its `"BatchGet*"`
    (ec2 has no such action: the verb is at fault) and at its `"dynamo"` (no such service)."""
    return [span("SM001", "main.tf", caller, '"*"', owner),
            span("IAM006", "main.tf", caller, '"BatchGet*"', owner),
            span("IAM006", "main.tf", caller, '"dynamo"', owner)]


def test_a_string_of_two_caller_values_points_at_the_one_the_finding_is_about(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": PAIRS_CALLER, "modules/pairs/main.tf": PAIRS})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == _pairs_expected(PAIRS_CALLER, PAIRS_OWNER)
    assert [f["message"] for f in report["findings"]] == [
        "Action 'secretsmanager:*' grants 23 Secrets Manager actions, including GetSecretValue and DeleteSecret",
        "Invalid policy: 'ec2:BatchGet*' matches no ec2 action",
        "Invalid policy: 'dynamo' is not a known service prefix",
    ]
    _, alone, _ = run_check(tmp_path, "main.tf", select="SM001,IAM006")
    assert places(alone) == places(report)


FORMATTED = """\
variable "grants" {
  type = map(object({ service = string, action = string }))
}
resource "aws_iam_policy" "this" {
  for_each = var.grants
  policy = jsonencode({ Statement = [{
    Effect   = "Allow"
    Action   = format("%s:%s", each.value.service, each.value.action)
    Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"
  }] })
}
"""
FORMATTED_CALLER = """\
module "grants" {
  source = "./modules/grants"
  grants = {
    wide = { service = "secretsmanager", action = "*" }
    none = { service = "ec2", action = "BatchGet*" }
    typo = { service = "dynamo", action = "Get*" }
  }
}
"""


def test_format_over_each_value_points_at_the_part_the_finding_is_about(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": FORMATTED_CALLER, "modules/grants/main.tf": FORMATTED})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    policy = 'module.grants.aws_iam_policy.this["{}"]'
    assert places(report) == [span("SM001", "main.tf", FORMATTED_CALLER, '"*"', policy.format("wide")),
                              span("IAM006", "main.tf", FORMATTED_CALLER, '"BatchGet*"', policy.format("none")),
                              span("IAM006", "main.tf", FORMATTED_CALLER, '"dynamo"', policy.format("typo"))]


def test_join_and_a_heredoc_point_at_the_part_the_finding_is_about(tmp_path: Path) -> None:
    """`join(":", [service, verb])` tells where each item went; JSON the module writes around both values
    (a heredoc with `\\u003a` for the colon, so the string's characters are not the text's) does too."""
    joined = PAIRS.replace('"${statement.value.service}:${statement.value.verb}"',
                           'join(":", [statement.value.service, statement.value.verb])')
    write(tmp_path, {"main.tf": PAIRS_CALLER, "modules/pairs/main.tf": joined})
    assert places(run_check(tmp_path, ".", select="SM001,IAM006")[1]) == _pairs_expected(PAIRS_CALLER, PAIRS_OWNER)
    single = """\
variable "service" {}
variable "verb" {}
resource "aws_iam_policy" "this" {
  policy = <<POLICY
{"Statement": [{"Effect": "Allow", "Action": "${var.service}\\u003a${var.verb}", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"}]}
POLICY
}
"""
    caller = ('module "wide" {\n  source  = "./p"\n  service = "secretsmanager"\n  verb    = "*"\n}\n'
              'module "none" {\n  source  = "./p"\n  service = "ec2"\n  verb    = "BatchGet*"\n}\n')
    write(tmp_path, {"main.tf": caller, "p/main.tf": single})
    _, report, _ = run_check(tmp_path, "main.tf", select="SM001,IAM006")
    assert places(report) == [span("SM001", "main.tf", caller, '"*"', "module.wide.aws_iam_policy.this"),
                              span("IAM006", "main.tf", caller, '"BatchGet*"', "module.none.aws_iam_policy.this")]


PASS_ROLE = """\
variable "account" {}
variable "role" {}
resource "aws_iam_policy" "this" {
  policy = jsonencode({ Statement = [{
    Effect   = "Allow"
    Action   = "iam:PassRole"
    Resource = "arn:aws:iam::${var.account}:role/${var.role}"
  }] })
}
"""


def test_a_finding_on_the_whole_string_points_at_the_callers_wildcard(tmp_path: Path) -> None:
    """PassRole on every role of the account is about the whole ARN: of the caller's two values, the one
    holding the wildcard, `"*"`, not the account written first; with no wildcard of the caller's (the
    module's own `*`), the first value the caller wrote, as for one value."""
    caller = 'module "pass" {\n  source  = "./p"\n  account = "111122223333"\n  role    = "*"\n}\n'
    write(tmp_path, {"main.tf": caller, "p/main.tf": PASS_ROLE})
    _, report, _ = run_check(tmp_path, ".", select="IAM004")
    assert places(report) == [span("IAM004", "main.tf", caller, '"*"', "module.pass.aws_iam_policy.this")]
    own_wildcard = PASS_ROLE.replace('role/${var.role}"', 'role/${var.role}*"')
    caller = caller.replace('role    = "*"', 'role    = ""')
    write(tmp_path, {"main.tf": caller, "p/main.tf": own_wildcard})
    _, report, _ = run_check(tmp_path, ".", select="IAM004")
    assert places(report) == [span("IAM004", "main.tf", caller, '"111122223333"', "module.pass.aws_iam_policy.this")]


# --- a chain of two modules ------------------------------------------------------------------------------

LEAF = """\
variable "service" {}
variable "verb" {}
data "aws_iam_policy_document" "this" {
  statement {
    actions   = ["${var.service}:${var.verb}"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"]
  }
}
resource "aws_iam_policy" "this" {
  policy = data.aws_iam_policy_document.this.json
}
"""
MID = """\
variable "service" {}
variable "other" {}
variable "typo" {}
module "wide" {
  source  = "../leaf"
  service = var.service
  verb    = "*"
}
module "none" {
  source  = "../leaf"
  service = var.other
  verb    = "BatchGet*"
}
module "typo" {
  source  = "../leaf"
  service = var.typo
  verb    = "Get*"
}
"""
ROOT = """\
module "mid" {
  source  = "./mid"
  service = "secretsmanager"
  other   = "ec2"
  typo    = "dynamo"
}
"""


def _chain(tmp_path: Path) -> list[tuple]:
    write(tmp_path, {"main.tf": ROOT, "mid/main.tf": MID, "leaf/main.tf": LEAF})
    owner = "module.mid.module.{}.data.aws_iam_policy_document.this"
    return [span("SM001", "mid/main.tf", MID, '"*"', owner.format("wide")),
            span("IAM006", "mid/main.tf", MID, '"BatchGet*"', owner.format("none")),
            span("IAM006", "main.tf", ROOT, '"dynamo"', owner.format("typo"))]


def test_parts_from_two_callers_up_a_chain_point_at_the_caller_that_wrote_each(tmp_path: Path) -> None:
    """The root writes the services, `mid` the verbs, the leaf joins them: the wildcard and the verb that
    matches nothing are mid's, the unknown service is the root's. The root and the leaf named alone
    report what `check .` places in them, and two jobs give the bytes one does."""
    expected = _chain(tmp_path)
    outputs = [run_check(tmp_path, ".", "--jobs", jobs, select="SM001,IAM006") for jobs in ("1", "2")]
    assert places(outputs[0][1]) == sorted(expected, key=lambda p: (p[1], p[2:]))
    assert outputs[0][2] == outputs[1][2]
    for name in ("main.tf", "leaf/main.tf"):
        _, alone, _ = run_check(tmp_path, name, select="SM001,IAM006")
        assert places(alone) == [p for p in places(outputs[0][1]) if p[1] == name], name


def test_the_middle_module_named_alone_reports_what_check_dot_places_in_it(tmp_path: Path) -> None:
    expected = _chain(tmp_path)
    _, alone, _ = run_check(tmp_path, "mid/main.tf", select="SM001,IAM006")
    assert places(alone) == [p for p in expected if p[1] == "mid/main.tf"]


def test_a_string_mid_composes_from_the_roots_value_splits_into_both_writers(tmp_path: Path) -> None:
    """`mid` passes `"${var.service}-reader"` (the root's "secretsmanager", mid's "-reader") as the leaf's
    service: an unknown prefix starts in the root's text, so it is reported there; the wildcard verb is
    mid's."""
    mid = MID.replace("service = var.service\n  verb    = \"*\"", 'service = "${var.service}-reader"\n  verb    = "*"')
    write(tmp_path, {"main.tf": ROOT, "mid/main.tf": mid, "leaf/main.tf": LEAF})
    _, report, _ = run_check(tmp_path, ".", select="IAM006")
    owner = "module.mid.module.{}.data.aws_iam_policy_document.this"
    assert places(report) == [span("IAM006", "main.tf", ROOT, '"secretsmanager"', owner.format("wide")),
                              span("IAM006", "main.tf", ROOT, '"dynamo"', owner.format("typo")),
                              span("IAM006", "mid/main.tf", mid, '"BatchGet*"', owner.format("none"))]


# --- which parts the callers wrote ------------------------------------------------------------------------

_COMPOSED = {
    "template": '"${var.service}:${var.verb}"',
    "format": 'format("%s:%s", var.service, var.verb)',
    "join": 'join(":", [var.service, var.verb])',
    "formatlist": 'formatlist("%s:%s", [var.service], var.verb)',  # a list of one string
    "heredoc": '"${var.service}:${var.verb}"',  # a JSON string in the leaf's heredoc policy
}
_KINDS = {  # rule, service, verb, and which of the two the finding is about (None: the whole string)
    "unknown service": ("IAM006", "dynamo", "Get*", "service"),
    "verb matching nothing": ("IAM006", "ec2", "BatchGet*", "verb"),
    "wildcard": ("SM001", "secretsmanager", "Get*", None),
}
_RESOURCE = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"


def _leaf(form: str, service: str, verb: str) -> str:
    variables = f'variable "service" {{\n  default = "{service}"\n}}\nvariable "verb" {{\n  default = "{verb}"\n}}\n'
    if form == "heredoc":
        return variables + (
            'resource "aws_iam_policy" "this" {\n  policy = <<POLICY\n'
            f'{{"Statement": [{{"Effect": "Allow", "Action": {_COMPOSED[form]}, "Resource": "{_RESOURCE}"}}]}}\n'
            'POLICY\n}\n')
    return variables + (
        'data "aws_iam_policy_document" "this" {\n  statement {\n'
        f'    actions   = {_COMPOSED[form] if form == "formatlist" else f"[{_COMPOSED[form]}]"}\n'
        f'    resources = ["{_RESOURCE}"]\n  }}\n}}\n'
        'resource "aws_iam_policy" "this" {\n  policy = data.aws_iam_policy_document.this.json\n}\n')


def _mid(writers: dict[str, str], values: dict[str, str]) -> str:
    declared = "".join(f'variable "{name}" {{}}\n' for name, writer in writers.items() if writer == "root")
    passed = "".join(f'  {name} = var.{name}\n' if writer == "root" else f'  {name} = "{values[name]}"\n'
                     for name, writer in writers.items() if writer != "leaf")
    return declared + f'module "leaf" {{\n  source = "../leaf"\n{passed}}}\n'


def _root(writers: dict[str, str], values: dict[str, str]) -> str:
    passed = "".join(f'  {name} = "{values[name]}"\n' for name, writer in writers.items() if writer == "root")
    return f'module "mid" {{\n  source = "./mid"\n{passed}}}\n'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service_by=st.sampled_from(["root", "mid", "leaf"]), verb_by=st.sampled_from(["root", "mid", "leaf"]),
       form=st.sampled_from(sorted(_COMPOSED)), kind=st.sampled_from(sorted(_KINDS)))
def test_a_finding_goes_to_whoever_wrote_the_part_it_is_about(tmp_path: Path, service_by: str, verb_by: str,
                                                              form: str, kind: str) -> None:
    """The leaf joins a service and a verb, each written by the root, by the module between, or by the leaf
    itself (a default nobody overrides). A finding about one of them is reported where that one was written
    (the leaf's own text: at the composed string); one about the whole string (a wildcard grant) at the
    caller's part holding the wildcard (the verb), else at the caller's service, else at the leaf."""
    rule, service, verb, about = _KINDS[kind]
    writers, values = {"service": service_by, "verb": verb_by}, {"service": service, "verb": verb}
    files = {"main.tf": _root(writers, values), "mid/main.tf": _mid(writers, values),
             "leaf/main.tf": _leaf(form, service, verb)}
    write(tmp_path, files)
    callers = [name for name in ("verb", "service") if writers[name] != "leaf"]
    named = about if about is not None else (callers[0] if callers else "service")
    writer = writers[named]
    path = {"root": "main.tf", "mid": "mid/main.tf", "leaf": "leaf/main.tf"}[writer]
    where = at(files[path], _COMPOSED[form] if writer == "leaf" else f'"{values[named]}"')
    _, report, _ = run_check(tmp_path, ".", select=rule)
    assert [p[:6] for p in places(report)] == [(rule, path, where.line, where.column, where.end_line, where.end_column)]


def test_a_finding_at_the_second_callers_part_is_suppressed_where_that_part_is_written(tmp_path: Path) -> None:
    """The wildcard verb is mid's: a comment at the end of its line in mid's file suppresses SM001 there,
    and nothing else."""
    expected = _chain(tmp_path)
    suppressed = MID.replace('  verb    = "*"\n', '  verb    = "*" # policylint:ignore=SM001 the reader lists every verb\n')
    write(tmp_path, {"mid/main.tf": suppressed})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == sorted(expected[1:], key=lambda p: (p[1], p[2:]))
    assert [(f["rule_id"], f["path"], f["line"]) for f in report.get("suppressed", [])] == [("SM001", "mid/main.tf", 7)]


def test_two_calls_composing_the_same_text_from_different_parts_get_an_instance_each(tmp_path: Path) -> None:
    """`mid` composes `"${var.a}${var.b}"` for the leaf: "secretsmanager:" + "*" from one call and
    "secretsmanager:*" + "" from the other are the same text at the same place, written differently, so
    the leaf's instance is not shared: each wildcard is reported where that caller wrote it."""
    root = ('module "one" {\n  source = "./mid"\n  a      = "secretsmanager:"\n  b      = "*"\n}\n'
            'module "two" {\n  source = "./mid"\n  a      = "secretsmanager:*"\n  b      = ""\n}\n')
    mid = ('variable "a" {}\nvariable "b" {}\n'
           'module "leaf" {\n  source = "../leaf"\n  action = "${var.a}${var.b}"\n}\n')
    leaf = ('variable "action" {}\ndata "aws_iam_policy_document" "this" {\n  statement {\n'
            '    actions   = [var.action]\n    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"]\n'
            '  }\n}\nresource "aws_iam_policy" "this" {\n  policy = data.aws_iam_policy_document.this.json\n}\n')
    write(tmp_path, {"main.tf": root, "mid/main.tf": mid, "leaf/main.tf": leaf})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    owner = "module.{}.module.leaf.data.aws_iam_policy_document.this"
    assert places(report) == [span("SM001", "main.tf", root, '"*"', owner.format("one")),
                              span("SM001", "main.tf", root, '"secretsmanager:*"', owner.format("two"))]


# --- split: each piece where its characters were written ------------------------------------------------

SPLITTING = """\
variable "actions" {
  type = string
}
variable "extra" {
  default = "kms:Decrypt"
}
resource "aws_iam_policy" "this" {
  policy = jsonencode({ Statement = [{
    Effect   = "Allow"
    Action   = split(",", "${var.actions},${var.extra}")
    Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"
  }] })
}
"""


@pytest.mark.parametrize("composed", ['"${var.actions},${var.extra}"', 'format("%s,%s", var.actions, var.extra)', "var.actions"])
@pytest.mark.parametrize("given", ['"kms:Encrypt,secretsmanager:*"', '"secretsmanager:*"'])
def test_split_of_the_callers_string_points_at_the_piece_it_wrote(tmp_path: Path, given: str, composed: str) -> None:
    """The module splits the caller's string (or one it composes from it): the wildcard action is reported at
    the caller's characters that spell it (its whole string when the piece is all of it), not at the
    `split` call in the module; named alone too."""
    caller = f'module "split" {{\n  source  = "./modules/split"\n  actions = {given}\n}}\n'
    module = SPLITTING.replace('"${var.actions},${var.extra}"', composed)
    write(tmp_path, {"main.tf": caller, "modules/split/main.tf": module})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    written = "secretsmanager:*" if "," in given else given
    assert places(report) == [span("SM001", "main.tf", caller, written, "module.split.aws_iam_policy.this")]
    assert places(run_check(tmp_path, "main.tf", select="SM001")[1]) == places(report)
    assert places(run_check(tmp_path, "modules/split/main.tf", select="SM001")[1]) == []


# --- JSON a template writes around a list or object -----------------------------------------------------

TEMPLATED = """\
variable "actions" {
  type = list(string)
}
resource "aws_iam_policy" "this" {
  policy = templatefile("${path.module}/policy.tpl", { actions = var.actions, extra = ["kms:Decrypt"] })
}
resource "aws_iam_policy" "inline" {
  policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": ${jsonencode(var.actions)}, "Resource": "*"}]}
  EOT
}
"""
TEMPLATE_FILE = '{"Statement": [{"Effect": "Allow", "Action": ${jsonencode(concat(extra, actions))}, "Resource": "*"}]}\n'


def test_json_a_template_writes_from_a_list_points_at_each_string_as_written(tmp_path: Path) -> None:
    """`${jsonencode(actions)}` in a `templatefile()` policy or a heredoc: the wildcard action is reported at
    the caller's `"secretsmanager:*"`, not at the interpolation (a zero-width range there before)."""
    caller = ('module "t" {\n  source  = "./modules/t"\n'
              '  actions = ["secretsmanager:GetSecretValue", "secretsmanager:*"]\n}\n')
    write(tmp_path, {"main.tf": caller, "modules/t/main.tf": TEMPLATED, "modules/t/policy.tpl": TEMPLATE_FILE})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", caller, '"secretsmanager:*"', "module.t.aws_iam_policy.inline")]
    assert [f["message"] for f in report["findings"]] == [
        "Action 'secretsmanager:*' grants 23 Secrets Manager actions, including GetSecretValue and DeleteSecret"]
    assert places(run_check(tmp_path, "main.tf", select="SM001")[1]) == places(report)


def test_json_a_template_writes_from_its_own_list_points_at_that_list(tmp_path: Path) -> None:
    text = """\
locals {
  actions = ["secretsmanager:*"]
}
resource "aws_iam_policy" "p" {
  policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": ${jsonencode(local.actions)}, "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-*"}]}
  EOT
}
"""
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', "aws_iam_policy.p")]


def _node(value) -> Node:
    where = Span(1, 1, 1, 2)
    if isinstance(value, dict):
        return Node({k: _node(v) for k, v in value.items()}, where, "v.tf")
    if isinstance(value, list):
        return Node([_node(v) for v in value], where, "v.tf")
    return Node(value, where, "v.tf")


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(value=st.lists(JSON_VALUES, max_size=3) | st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=3),
       offset=st.integers(0, 40))
def test_each_string_of_a_list_laid_out_as_json_gets_the_part_over_its_characters(value, offset: int) -> None:
    """The oracle is `jsonencode`'s text itself: each part covers exactly one string's characters between
    its quotes, in order, escapes included."""
    from linter.formats.terraform.functions import as_text
    from linter.formats.terraform.values import json_leaf_parts

    node = _node(value)
    text = " " * offset + as_text(node)
    parts = json_leaf_parts([(offset, node)])
    assert [json.loads(text[p.start - 1:p.end + 1]) for p in parts] == _strings(value)
    assert all(text[p.start - 1] == '"' == text[p.end] for p in parts)
