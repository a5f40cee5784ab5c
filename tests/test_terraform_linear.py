"""Terraform evaluation cost as behaviour (issue 11 linear evaluation, issue 18 item 5): a run naming some
files of a module evaluates only the files their blocks reach, and reports for them exactly what `check .`
does. Timings live in scripts/bench.py only."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.discover import discover
from linter.formats.registry import reads
from linter.formats.terraform.modules import extract_modules
from linter.formats.terraform.reach import reached
from tests.tf_helpers import at, run_check, write

# Blocks that refer to one another by name (and to a policy file), so that where each lands decides which
# files a run naming one of them must read.
BLOCKS = {
    "secret": 'resource "aws_secretsmanager_secret" "s" {\n  name = "app/db"\n  kms_key_id = aws_kms_key.k.arn\n}\n',
    "key": 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n',
    "guard": ('resource "aws_secretsmanager_secret_policy" "g" {\n  secret_arn = aws_secretsmanager_secret.s.arn\n'
              '  policy     = data.aws_iam_policy_document.d.json\n}\n'),
    "document": ('data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = var.actions\n'
                 '    resources = ["*"]\n    principals {\n      type        = "AWS"\n'
                 '      identifiers = ["arn:aws:iam::111122223333:root"]\n    }\n  }\n}\n'),
    "variable": 'variable "actions" {\n  default = ["secretsmanager:*"]\n}\n',
    "local": ('locals {\n  doc = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:Get*",'
              ' Resource = "*" }] })\n}\n'),
    "inline": 'resource "aws_iam_policy" "i" {\n  policy = local.doc\n}\n',
    "inline_again": 'resource "aws_iam_role_policy" "r" {\n  role   = "x"\n  policy = local.doc\n}\n',
    "from_file": 'resource "aws_iam_policy" "f" {\n  policy = file("${path.module}/policy.json")\n}\n',
    "from_file_again": 'resource "aws_iam_policy" "f2" {\n  policy = file("${path.module}/policy.json")\n}\n',
    "rotation": ('resource "aws_secretsmanager_secret_rotation" "rot" {\n  secret_id           = aws_secretsmanager_secret.s.id\n'
                 '  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:r"\n'
                 '  rotation_rules {\n    automatically_after_days = 30\n  }\n}\n'),
    "other_secret": 'resource "aws_secretsmanager_secret" "o" {\n  name = "other"\n}\n',
    "same_secret": 'resource "aws_secretsmanager_secret" "s" {\n  name = "again"\n}\n',
    "call": 'module "c" {\n  source = "./child"\n  arn    = aws_secretsmanager_secret.o.arn\n}\n',
    "call_actions": 'module "g" {\n  source  = "./grant"\n  actions = var.actions\n}\n',  # an input the named file may write
    "reads_output": ('resource "aws_iam_role_policy" "o" {\n  role   = "x"\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
                     ' Action = module.g.granted, Resource = "*" }] })\n}\n'),  # a value written in the called module
}
CHILD = ('variable "arn" {}\nresource "aws_secretsmanager_secret_policy" "p" {\n  secret_arn = var.arn\n'
         '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "secretsmanager:*",'
         ' Resource = "*" }] })\n}\n')
POLICY = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}\n'
GRANT = ('variable "actions" {}\nresource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
         ' Action = var.actions, Resource = "*" }] })\n}\noutput "granted" {\n  value = ["secretsmanager:Get*"]\n}\n')


def _every_file(files: list[str], named: set[str], text) -> set[str]:
    return set(files)


@settings(max_examples=30, deadline=None)
@given(layout=st.dictionaries(st.sampled_from(sorted(BLOCKS)), st.integers(0, 4), min_size=1))
def test_a_named_file_is_reported_as_if_every_file_were_evaluated(tmp_path_factory, layout: dict[str, int]) -> None:
    """The oracle is the same run with every file of the module evaluated (what it did before)."""
    root = tmp_path_factory.mktemp("module")
    files: dict[str, str] = {}
    for block, number in sorted(layout.items()):
        files[f"f{number}.tf"] = files.get(f"f{number}.tf", "") + BLOCKS[block]
    write(root, {**files, "policy.json": POLICY, "child/main.tf": CHILD, "grant/main.tf": GRANT})
    for names in [[name] for name in sorted(files)] + [sorted(files)[:2]]:
        _, _, chosen = run_check(root, *names)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("linter.formats.terraform.reach.reached", _every_file)
            _, _, whole = run_check(root, *names)
        assert chosen == whole, names


def _findings(root: Path, *names: str) -> list[dict]:
    return run_check(root, *names)[1]["findings"]


@settings(max_examples=30, deadline=None)
@given(layout=st.dictionaries(st.sampled_from(sorted(BLOCKS)), st.integers(0, 4), min_size=1))
def test_a_named_file_reports_what_check_dot_reports_for_it(tmp_path_factory, layout: dict[str, int]) -> None:
    """Single-file parity: `check F` reports exactly the findings `check .` places in F, whichever file
    their document is written in (a variable's default, a local, a module call's input written in F for a
    document or call in a sibling; a `file()` policy; a module output the module's own policy reads), and a
    directory named reports those of its files.
    Besides, it reports only what its own documents place in the policy file they read, as `check .` does."""
    root = tmp_path_factory.mktemp("module")
    files: dict[str, str] = {}
    for block, number in sorted(layout.items()):
        files[f"f{number}.tf"] = files.get(f"f{number}.tf", "") + BLOCKS[block]
    write(root, {**files, "policy.json": POLICY, "child/main.tf": CHILD, "grant/main.tf": GRANT})
    whole = _findings(root, ".")
    for name in sorted(files) + ["child/main.tf", "grant/main.tf", "child", "grant"]:
        alone = _findings(root, name)
        assert [f for f in alone if f["path"] != "policy.json"] == [
            f for f in whole if f["path"] == name or f["path"].startswith(name + "/")], name
        read = [f for f in alone if f["path"] == "policy.json"]
        assert all(f in whole for f in read), name
        assert not read or "policy.json" in files.get(name, ""), name


def _module(tmp_path: Path, files: dict[str, str]) -> set[str]:
    write(tmp_path, files)
    return {name for name in files if name.endswith(".tf")}


def test_files_that_share_no_name_with_the_named_one_are_not_evaluated(tmp_path: Path) -> None:
    names = _module(tmp_path, {"a.tf": BLOCKS["secret"], "b.tf": BLOCKS["key"], "c.tf": BLOCKS["other_secret"],
                               "d.tf": BLOCKS["local"], "e.tf": BLOCKS["variable"]})
    text = lambda name: (tmp_path / name).read_text(encoding="utf-8")  # noqa: E731
    assert reached(sorted(names), {"a.tf"}, text) == {"a.tf", "b.tf"}  # the key it uses
    assert reached(sorted(names), {"b.tf"}, text) == {"a.tf", "b.tf"}  # the secret that uses it
    assert reached(sorted(names), {"c.tf"}, text) == {"c.tf"}


def test_names_link_files_in_both_directions_and_through_others(tmp_path: Path) -> None:
    names = _module(tmp_path, {"a.tf": BLOCKS["inline"], "b.tf": BLOCKS["local"], "c.tf": BLOCKS["inline_again"],
                               "d.tf": BLOCKS["guard"], "e.tf": BLOCKS["document"], "f.tf": BLOCKS["variable"],
                               "g.tf": BLOCKS["from_file"], "h.tf": BLOCKS["from_file_again"],
                               "i.tf": BLOCKS["other_secret"], "j.tf": BLOCKS["same_secret"]})
    text = lambda name: (tmp_path / name).read_text(encoding="utf-8")  # noqa: E731
    # The local's other user decides the document's owner: it is read too.
    assert reached(sorted(names), {"a.tf"}, text) == {"a.tf", "b.tf", "c.tf"}
    assert reached(sorted(names), {"f.tf"}, text) == {"d.tf", "e.tf", "f.tf", "j.tf"}  # guard names secret s
    assert reached(sorted(names), {"g.tf"}, text) == {"g.tf", "h.tf"}  # one file read by both
    assert reached(sorted(names), {"j.tf"}, text) == {"d.tf", "e.tf", "f.tf", "j.tf"}


def test_module_calls_and_expansions_are_always_evaluated(tmp_path: Path) -> None:
    """They spend bounds counted over the whole module (module instances, expanded values)."""
    names = _module(tmp_path, {"a.tf": BLOCKS["other_secret"], "b.tf": BLOCKS["call"].replace(".o.", ".x."),
                               "c.tf": 'locals {\n  l = [for v in ["a"] : v]\n}\n',
                               "d.tf": 'resource "aws_iam_policy" "q" {\n  dynamic "x" {\n    for_each = []\n    content {}\n  }\n}\n',
                               "e.tf": BLOCKS["key"]})
    text = lambda name: (tmp_path / name).read_text(encoding="utf-8")  # noqa: E731
    assert reached(sorted(names), {"a.tf"}, text) == {"a.tf", "b.tf", "c.tf", "d.tf"}


def test_a_module_with_json_configuration_is_evaluated_whole(tmp_path: Path) -> None:
    names = sorted(_module(tmp_path, {"a.tf": BLOCKS["other_secret"], "b.tf": BLOCKS["key"]})) + ["c.tf.json"]
    write(tmp_path, {"c.tf.json": "{}"})
    assert reached(names, {"a.tf"}, lambda name: (tmp_path / name).read_text(encoding="utf-8")) == set(names)


# --- module evaluations shared across the run -----------------------------------------------------------

LIBRARY = """\
variable "actions" {
  default = ["secretsmanager:DescribeSecret"]
}
data "aws_iam_policy_document" "fixed" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "given" {
  statement {
    actions   = var.actions
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-*"]
  }
}
resource "aws_iam_policy" "fixed" {
  policy = data.aws_iam_policy_document.fixed.json
}
resource "aws_iam_policy" "given" {
  policy = data.aws_iam_policy_document.given.json
}
"""
CALLER = 'module "lib" {{\n  source  = "../lib"\n  actions = [{actions}]\n}}\n'


def _library_tree(root: Path) -> None:
    write(root, {"lib/main.tf": LIBRARY,
                 "a/main.tf": CALLER.format(actions='"secretsmanager:*"'),
                 "b/main.tf": CALLER.format(actions='"secretsmanager:ListSecrets"'),
                 "c/main.tf": CALLER.format(actions='"secretsmanager:*"')})


def test_what_reads_no_input_is_built_once_per_run_and_what_does_once_per_evaluation(tmp_path: Path, monkeypatch) -> None:
    from linter.formats.terraform import documents

    _library_tree(tmp_path)
    built: list[str] = []
    build = documents.Documents._build
    monkeypatch.setattr(documents.Documents, "_build", lambda self, block: built.append(block.address) or build(self, block))
    _, report, _ = run_check(tmp_path, ".")
    # `fixed` reads nothing the callers pass: one build for the library and its three instances (and their
    # twins). `given` reads var.actions: built for each evaluation whose inputs differ: the library linted,
    # each caller's instance, and the library on its own that the instances are compared with (one for the
    # run: it calls no module, so it is the same for every caller).
    assert built.count("data.aws_iam_policy_document.fixed") == 1
    assert built.count("data.aws_iam_policy_document.given") == 5
    wildcard = [(f["rule_id"], f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "SM001"]
    assert wildcard == [("SM001", "a/main.tf", 3), ("SM001", "c/main.tf", 3)]


def test_sharing_does_not_depend_on_which_module_is_linted_first(tmp_path: Path) -> None:
    _library_tree(tmp_path)
    _, _, whole = run_check(tmp_path, ".")
    for order in (["a", "b", "c", "lib"], ["lib", "c", "b", "a"], ["b", "lib"]):
        _, _, some = run_check(tmp_path, *order)
        assert some == run_check(tmp_path, *order)[2]
        assert all(line in whole for line in some.splitlines() if '"path": "' in line)


def _fan_out(root: Path, levels: int, calls: int) -> None:
    """Each module calls the next `calls` times with a distinct argument: calls**levels instances."""
    for level in range(levels + 1):
        text = 'variable "n" {\n  default = "x"\n}\n'
        text += 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = ["secretsmanager:*"]\n    resources = ["*"]\n  }\n}\n'
        if level < levels:
            text += "".join(f'module "c{call}" {{\n  source = "../m{level + 1}"\n  n      = "${{var.n}}-{call}"\n}}\n'
                            for call in range(calls))
        write(root, {f"m{level}/main.tf": text})


def test_the_fan_out_bound_and_every_finding_are_the_same_whatever_the_jobs(tmp_path: Path) -> None:
    # 3,905 instances below m0, 781 below each of its five calls (the second passes the bound), 780 below m1.
    _fan_out(tmp_path, 5, 5)
    outputs = [run_check(tmp_path, ".", "--jobs", jobs) for jobs in ("1", "2")]
    assert outputs[0][2] == outputs[1][2]
    code, report, _ = outputs[0]
    assert [(e["path"], e["line"]) for e in report["errors"]] == [("m0/main.tf", 14)]
    assert "more than 1000 module instances" in report["errors"][0]["message"] and code == 2


def test_what_the_modules_below_evaluate_on_their_own_is_bounded_too(tmp_path: Path) -> None:
    """m0 switches its library off (`on = false`: every call below has `count = 0`), so one instance lies
    below its call; but the library on its own (its input unknown) fans out to 3,905 instances, which m0's
    lint evaluates to compare with: that side is bounded as well, and reported at m0's call, as the
    library's own lint reports the call of its own that passes the bound (781 instances below each)."""
    for level in range(1, 7):
        text = 'variable "on" {\n  default = true\n}\nvariable "n" {\n  default = "x"\n}\n'
        if level < 6:
            text += "".join(f'module "c{call}" {{\n  count  = var.on ? 1 : 0\n  source = "../m{level + 1}"\n'
                            f'  on     = var.on\n  n      = "${{var.n}}-{call}"\n}}\n' for call in range(5))
        write(tmp_path, {f"m{level}/main.tf": text})
    write(tmp_path, {"m0/main.tf": 'module "lib" {\n  source = "../m1"\n  on     = false\n}\n'})
    code, report, _ = run_check(tmp_path, "m0/main.tf", "m1/main.tf")
    assert code == 2
    assert [(e["path"], e["line"], e["message"].split(":")[1]) for e in report["errors"]] == [
        ("m0/main.tf", 1, " the modules below it, evaluated on their own, expand to more than 1000 module instances; those past the bound are not followed"),
        ("m1/main.tf", 13, " the module calls below it expand to more than 1000 module instances; those past the bound are not followed")]


def _chain(root: Path, levels: int) -> str:
    """root calls m0, which calls m1 ... m{levels - 1}, each passing its input on; the last grants it. The
    root's value: returned."""
    for level in range(levels):
        text = 'variable "a" {\n  default = []\n}\n'
        if level < levels - 1:
            text += f'module "next" {{\n  source = "../m{level + 1:02d}"\n  a      = var.a\n}}\n'
        else:
            text += ('resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
                     ' Action = var.a, Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-*" }] })\n}\n')
        write(root, {f"m{level:02d}/main.tf": text})
    caller = 'module "top" {\n  source = "../m00"\n  a      = ["secretsmanager:*"]\n}\n'
    write(root, {"root/main.tf": caller})
    return caller


def test_a_chain_of_calls_as_deep_as_followed_carries_the_roots_value_to_the_end(tmp_path: Path) -> None:
    from linter.formats.terraform.modules import MAX_MODULE_DEPTH

    caller = _chain(tmp_path, MAX_MODULE_DEPTH)  # root -> m00 -> ... : MAX_MODULE_DEPTH calls below root
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert report["errors"] == [] and code == 1
    written = at(caller, '"secretsmanager:*"')
    assert [(f["path"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in report["findings"]] == [
        ("root/main.tf", written.line, written.column, written.end_line, written.end_column)]


def test_calls_nested_deeper_than_followed_are_an_error_at_the_linted_modules_call(tmp_path: Path) -> None:
    """Never dropped silently: each linted module whose calls nest deeper than followed says so at its call
    (what the root's value does at the end of the chain is not known), and the run goes on."""
    from linter.formats.terraform.modules import MAX_MODULE_DEPTH

    _chain(tmp_path, MAX_MODULE_DEPTH + 2)
    code, report, _ = run_check(tmp_path, ".", select="SM001")
    assert code == 2 and report["findings"] == []
    assert [(e["path"], e["line"], e["column"]) for e in report["errors"]] == [
        ("m00/main.tf", 4, 1), ("root/main.tf", 1, 1)]
    assert report["errors"][1]["message"] == (
        f"module.top: the module calls below it nest more than {MAX_MODULE_DEPTH} deep; the deeper ones are not followed")
    assert run_check(tmp_path, "root/main.tf", select="SM001")[1]["errors"] == report["errors"][1:]


CHILD_BLOCKS = {
    "fixed_document": 'data "aws_iam_policy_document" "fixed" {\n  statement {\n'
                      '    actions   = ["secretsmanager:GetSecretValue"]\n    resources = ["*"]\n  }\n}\n'
                      'resource "aws_iam_policy" "fixed" {\n  policy = data.aws_iam_policy_document.fixed.json\n}\n',
    "given_document": 'data "aws_iam_policy_document" "given" {\n  statement {\n    actions   = var.actions\n'
                      '    resources = ["*"]\n  }\n}\nresource "aws_iam_policy" "given" {\n'
                      '  policy = data.aws_iam_policy_document.given.json\n}\n',
    "local_fixed": 'locals {\n  fixed = ["secretsmanager:*"]\n}\nresource "aws_iam_policy" "lf" {\n'
                   '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.fixed, Resource = "*" }] })\n}\n',
    "local_given": 'locals {\n  given = concat(var.actions, ["kms:Decrypt"])\n}\nresource "aws_iam_role_policy" "lg" {\n'
                   '  role   = "r"\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.given, Resource = "*" }] })\n}\n',
    "dynamic": 'data "aws_iam_policy_document" "dyn" {\n  dynamic "statement" {\n    for_each = var.actions\n'
               '    content {\n      actions   = [statement.value]\n      resources = ["*"]\n    }\n  }\n}\n',
    "secret": 'resource "aws_secretsmanager_secret" "s" {\n  name                    = var.name\n'
              '  recovery_window_in_days = var.window\n}\n',
    "counted": 'resource "aws_secretsmanager_secret" "c" {\n  count = var.window == 0 ? 1 : 0\n  name  = "c"\n}\n',
    "from_file": 'resource "aws_iam_policy" "f" {\n  policy = file("${path.module}/policy.json")\n}\n',
}
CHILD_VARIABLES = ('variable "actions" {\n  default = ["secretsmanager:DescribeSecret"]\n}\n'
                   'variable "name" {\n  default = "n"\n}\nvariable "window" {\n  default = 7\n}\n')
ARGUMENTS = st.fixed_dictionaries({}, optional={
    "actions": st.sampled_from(['["secretsmanager:*"]', '["secretsmanager:GetSecretValue"]', "[]"]),
    "name": st.sampled_from(['"a"', '"b"']),
    "window": st.sampled_from(["0", "30"]),
})


def _call(source: str, arguments: dict[str, str], name: str = "lib") -> str:
    lines = "".join(f"  {key} = {value}\n" for key, value in sorted(arguments.items()))
    return f'module "{name}" {{\n  source = "{source}"\n{lines}}}\n'


@settings(max_examples=20, deadline=None)
@given(blocks=st.sets(st.sampled_from(sorted(CHILD_BLOCKS)), min_size=1), callers=st.lists(ARGUMENTS, min_size=1, max_size=3),
       through=ARGUMENTS)
def test_sharing_what_reads_no_input_changes_no_output(tmp_path_factory, blocks: set[str], callers: list[dict],
                                                       through: dict) -> None:
    """The oracle: the same runs with nothing shared between module evaluations."""
    from linter.formats.terraform.evaluate import Evaluator

    root = tmp_path_factory.mktemp("shared")
    files = {"lib/main.tf": CHILD_VARIABLES + "".join(CHILD_BLOCKS[b] for b in sorted(blocks)) + _call("../leaf", {"name": '"l"'}, "leaf"),
             "lib/policy.json": POLICY, "leaf/main.tf": CHILD_VARIABLES + CHILD_BLOCKS["given_document"],
             "mid/main.tf": CHILD_VARIABLES + _call("../lib", {k: f"var.{k}" for k in through})}
    files.update({f"root{i}/main.tf": _call("../lib", arguments) + _call("../mid", through, "mid")
                  for i, arguments in enumerate(callers)})
    write(root, files)
    for args in ([".", "--jobs", "1"], [".", "--jobs", "2"], ["root0/main.tf", "lib/main.tf"]):
        _, _, shared = run_check(root, *args)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Evaluator, "share", lambda self, store: None)
            _, _, alone = run_check(root, *args)
        assert shared == alone, args
    # What is extracted too (the access map reads it): each call's instance has its own documents.
    shared = _extraction(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Evaluator, "share", lambda self, store: None)
        assert _extraction(root) == shared


def _extraction(root: Path) -> list[tuple]:
    files = [f for f in discover([str(root)], reads) if f.path.name.endswith(".tf")]
    result = extract_modules(files)
    return sorted([("document", d.path, d.owner, d.instance, d.span, d.twin is not None) for d in result.documents]
                  + [("resource", r.address, r.path, r.span, tuple(d.owner for d in r.documents),
                      tuple(sorted((k, tuple(x.address for x in v)) for k, v in r.links.items())))
                     for r in result.resources])


LIB_OUTPUT = ('output "doc" {\n  value = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions,'
              ' Resource = "*" }] })\n}\n')
MID_OWN = 'resource "aws_iam_policy" "from_lib" {\n  policy = module.lib.doc\n}\n'


def _same_without(root: Path, method: str, runs: list[list[str]], bound: int | None = None) -> list[tuple]:
    """Each run twice: with `_Run.<method>` taking what it finds, and with it never finding anything (the
    oracle); their reports must be the same. Returns the `plain` keys of what was taken."""
    from linter.formats.terraform import modules

    taken: list[tuple] = []
    real = getattr(modules._Run, method)

    def spy(self, *args):
        found = real(self, *args)
        taken.extend([found.plain] if found is not None else [])
        return found

    for args in runs:
        with pytest.MonkeyPatch.context() as patch:
            if bound is not None:
                patch.setattr(modules, "MAX_MODULE_INSTANCES", bound)
            patch.setattr(modules._Run, method, spy)
            _, _, shared = run_check(root, *args)
            patch.setattr(modules._Run, method, lambda self, *args: None)
            _, _, alone = run_check(root, *args)
        assert shared == alone, args
    return taken


@settings(max_examples=15, deadline=None)
@given(blocks=st.sets(st.sampled_from(sorted(CHILD_BLOCKS)), min_size=1), top=ARGUMENTS,
       passed=st.sets(st.sampled_from(["actions", "name", "window"])), derived=st.booleans())
def test_borrowing_a_twins_instance_changes_no_output(tmp_path_factory, blocks: set[str], top: dict, passed: set[str],
                                                      derived: bool) -> None:
    """A library linted after its caller takes the instances the caller's twin of it made (they are the same
    evaluation); the oracle: the same runs with nothing borrowed."""
    root = tmp_path_factory.mktemp("borrow")
    through = {k: (f'"${{var.{k}}}-x"' if derived and k == "name" else f"var.{k}") for k in sorted(passed)}
    write(root, {"c_lib/main.tf": CHILD_VARIABLES + LIB_OUTPUT + "".join(CHILD_BLOCKS[b] for b in sorted(blocks)),
                 "c_lib/policy.json": POLICY, "b_mid/main.tf": CHILD_VARIABLES + _call("../c_lib", through) + MID_OWN,
                 "a_top/main.tf": _call("../b_mid", top, "mid")})
    taken = _same_without(root, "_borrowed", [[".", "--jobs", "1"], [".", "--jobs", "2"], ["a_top/main.tf", "b_mid/main.tf"]])
    assert taken  # b_mid's call of c_lib, as a_top's twin of b_mid made it


@settings(max_examples=15, deadline=None)
@given(blocks=st.sets(st.sampled_from(sorted(CHILD_BLOCKS)), min_size=1), given_lib=ARGUMENTS,
       tops=st.lists(ARGUMENTS, min_size=2, max_size=3), bound=st.none() | st.integers(1, 8))
def test_taking_an_instance_another_run_made_below_a_twin_changes_no_output(
        tmp_path_factory, blocks: set[str], given_lib: dict, tops: list[dict], bound: int | None) -> None:
    """Several roots call one module, which calls a library (which calls a leaf) with values of its own:
    each root's twin of the module makes the same library instance, made once in the process and taken by
    the others (`_reused`); the oracle: the same runs with nothing taken. Under a small bound, what a run
    took counts as if made there (a run past it is linted again alone), so the errors are the same too."""
    root = tmp_path_factory.mktemp("reuse")
    files = {"lib/main.tf": CHILD_VARIABLES + "".join(CHILD_BLOCKS[b] for b in sorted(blocks)) + _call("../leaf", {"name": '"l"'}, "leaf"),
             "lib/policy.json": POLICY, "leaf/main.tf": CHILD_VARIABLES + CHILD_BLOCKS["given_document"],
             "mid/main.tf": CHILD_VARIABLES + _call("../lib", given_lib)}
    files |= {f"top{i}/main.tf": _call("../mid", top, "mid") for i, top in enumerate(tops)}
    write(root, files)
    taken = _same_without(root, "_reused", [[".", "--jobs", "1"], [".", "--jobs", "2"], ["top1/main.tf", "mid/main.tf"]], bound)
    assert taken or bound is not None  # the second root's twin of mid calls lib as the first one's did


@settings(max_examples=10, deadline=None)
@given(blocks=st.sets(st.sampled_from(sorted(CHILD_BLOCKS)), min_size=1), own=ARGUMENTS, through=ARGUMENTS,
       top=ARGUMENTS, keyed=st.booleans())
def test_an_instance_whose_call_passes_what_its_twins_does_is_its_twin(
        tmp_path_factory, blocks: set[str], own: dict, through: dict, top: dict, keyed: bool) -> None:
    """top calls mid, which calls lib with values of its own (`own`, written in mid) and with its inputs
    (`through`): below top's instance of mid, lib's instance is the one mid's twin makes whenever mid's
    call passes nothing that came from top (`_as_twin`); the oracle: the same runs with a fresh instance."""
    root = tmp_path_factory.mktemp("as-twin")
    passed = own | {key: f"var.{key}" for key in through if key not in own}
    call = _call("../lib", passed)
    if keyed:  # the same for each instance of a call that iterates a value written in mid
        call = call.replace('  source', '  for_each = toset(["a", "b"])\n  source', 1)
    write(root, {"lib/main.tf": CHILD_VARIABLES + "".join(CHILD_BLOCKS[b] for b in sorted(blocks)),
                 "lib/policy.json": POLICY, "mid/main.tf": CHILD_VARIABLES + call,
                 "top/main.tf": _call("../mid", top, "mid")})
    taken = _same_without(root, "_as_twin", [[".", "--jobs", "1"], ["top/main.tf"], ["mid/main.tf", "lib/main.tf"]])
    assert bool(taken) == (not through or set(through) <= set(own))  # nothing of top's reaches lib


def test_a_run_that_borrowed_and_passed_the_bound_is_made_again_alone(tmp_path: Path) -> None:
    """m1 borrows the instances m0's twin of it made, then passes the bound: where the bound cuts must not
    depend on what was borrowed, so m1 is linted again without borrowing (the oracle: never borrowing)."""
    from linter.formats.terraform import modules

    _fan_out(tmp_path, 6, 4)
    runs: list[tuple[bool, bool]] = []
    linted = modules._linted

    def spy(tree, directory, passed, borrow):
        run, found = linted(tree, directory, passed, borrow)
        runs.append((borrow, run.borrowed))
        return run, found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(modules, "_linted", spy)
        shared = run_check(tmp_path, ".", "--jobs", "1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(modules._Run, "_borrowed", lambda self, *args: None)
        alone = run_check(tmp_path, ".", "--jobs", "1")
    assert shared == alone
    assert (True, True) in runs and (False, False) in runs
    # m1's four calls have 341 instances below each: the third passes the bound.
    assert [(e["path"], e["line"]) for e in shared[1]["errors"]] == [("m0/main.tf", 10), ("m1/main.tf", 18)]


def test_every_file_of_a_call_tree_wider_than_the_parse_cache_is_parsed_once(tmp_path: Path, monkeypatch) -> None:
    """Every module of a tree evaluates the tree below it again: the caches hold the largest call tree, so
    40 modules (more than the 16 directories kept by default) are parsed once each, not once per caller."""
    from linter.formats.terraform import hcl, modules

    count = 40
    files = {}
    for i in range(count):
        calls = "".join(f'module "c{c}" {{\n  source = "../m{2 * i + c:02d}"\n  name   = "${{var.name}}/{c}"\n}}\n'
                        for c in (1, 2) if 2 * i + c < count)
        files[f"m{i:02d}/main.tf"] = 'variable "name" {\n  default = "root"\n}\n' + calls
    write(tmp_path, files)
    parsed: list[str] = []
    parse = hcl.parse
    monkeypatch.setattr(modules.hcl, "parse", lambda text, display: parsed.append(display) or parse(text, display))
    code, _, _ = run_check(tmp_path, ".", "--jobs", "1")
    assert code == 0 and len(parsed) == count and len(set(parsed)) == count
    assert modules._largest_call_tree({tmp_path / "b": frozenset({tmp_path / "a"})}) == 2


def test_calls_passing_the_same_values_evaluate_the_module_once(tmp_path: Path, monkeypatch) -> None:
    """Three calls with the same arguments (written in one place: a local) share one instance: the module
    is evaluated for it once, and once more on its own (its twin), not once per call."""
    from linter.formats.terraform import modules

    write(tmp_path, {"main.tf": 'locals {\n  n = "x"\n}\n' + "".join(_call("./lib", {"name": "local.n"}, f"c{i}")
                                                                   for i in range(3)),
                     "lib/main.tf": CHILD_VARIABLES + CHILD_BLOCKS["given_document"]})
    made: list[tuple[Path, bool]] = []
    init = modules._Module.__init__

    def spy(self, run, directory, *args, **kwargs):
        made.append((directory, kwargs.get("instance", False)))
        init(self, run, directory, *args, **kwargs)

    monkeypatch.setattr(modules._Module, "__init__", spy)
    code, report, _ = run_check(tmp_path, ".", "--jobs", "1")
    assert code == 1 and report["errors"] == []
    assert [instance for directory, instance in made if directory.name == "lib"].count(True) == 2
