"""Adversarial QA of the Terraform evaluator (hostile5): sets and lists whose length is unknown, set
iteration, variables of set types; fixtures written from scratch, exact ranges asserted."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tf_helpers import extract, places, run_check, span, write

from linter.model import UNKNOWN

# Ways a module passes a list on, each keeping (or copying) its items: `{}` is the list.
WRAPS = {
    "for": "[for a in {} : a]",
    "for_if": '[for a in {} : a if a != "s3:PutObject"]',
    "for_key_value": "[for k, v in {} : v]",
    "splat": "{}[*]",
    "formatlist": 'formatlist("%s", {})',
    "tolist": "tolist({})",
    "concat": "concat({}, [])",
    "flatten": "flatten([{}])",
    "compact": "compact({})",
    "distinct": "distinct({})",
    "toset": "toset({})",
    "grouped": '{{for a in {} : "k" => a...}}["k"]',
}
POLICY = ('resource "aws_iam_policy" "{name}" {{\n  policy = jsonencode({{ Statement = [{{ Effect = "Allow",'
          ' Action = {action}, Resource = "*" }}] }})\n}}\n')


def _wrapped(names: list[str], inner: str) -> str:
    for name in names:
        inner = WRAPS[name].replace("{{", "\0").replace("}}", "\1").format(inner).replace("\0", "{").replace("\1", "}")
    return inner


@settings(max_examples=60, deadline=None)
# (A splat of a splat nests each item in a list of its own, as Terraform's does, which `formatlist` rejects.)
@given(st.lists(st.sampled_from(sorted(WRAPS)), min_size=1, max_size=3).filter(lambda w: w.count("splat") < 2))
def test_what_is_made_of_a_set_with_unknown_items_has_an_unknown_length_and_index(wraps: list[str]) -> None:
    """`toset([var.x, "a"])` has one item or two; whatever a `for` expression, a splat, `formatlist` or a
    list function makes of it has an unknown length too, and an unknown item at each index (never the
    second item, never 2); its items are all still there: a `*` beside the unknown is still granted, and
    where a function keeps the node (every one but `formatlist`), reported where it was written."""
    made = _wrapped(wraps, 'toset([var.x, "a"])')
    counted = f'length({made}) == 2 ? "*" : "s3:GetObject"'
    indexed = f'element({made}, 1) == "a" ? "*" : "s3:GetObject"'
    read = f'tolist({made})[1] == "a" ? "*" : "s3:GetObject"'
    held = _wrapped(wraps, 'toset([var.y, "*"])')
    text = 'variable "x" {}\nvariable "y" {}\n' + "".join(
        POLICY.format(name=name, action=action) for name, action in
        (("counted", counted), ("indexed", indexed), ("read", read), ("held", held)))
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), {"main.tf": text})
        result = extract(root)
        actions = {d.owner.split(".")[-1]: d.statements[0].action for d in result.documents}
        for name in ("counted", "indexed", "read"):
            assert actions[name].value == UNKNOWN, (name, actions[name].plain())
        items = _leaves(actions["held"])
        assert "*" in [item.value for item in items], actions["held"].plain()
        if "formatlist" not in wraps:
            star = text.index('"*"', text.index('"aws_iam_policy" "held"'))
            assert [item.span for item in items if item.value == "*"] == [_span_at(text, star, 3)]


def _leaves(node):
    return [leaf for item in node.value for leaf in _leaves(item)] if isinstance(node.value, list) else [node]


def _span_at(text: str, index: int, length: int):
    from linter.model import Span

    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Span(line, column, line, column + length)


def test_a_count_from_the_length_of_a_for_over_a_set_with_unknown_items_is_unknown(tmp_path: Path) -> None:
    """`count = length([for a in toset([var.x, "..."]) : a])` may be 1 or 2: the policy is read once (its
    plain address, not `[0]` and `[1]`), and what it grants through the list is still reported where the
    `*` was written; an index into the list is unknown (no finding on a guessed item)."""
    text = ('variable "x" {}\nlocals {\n  listed = [for a in toset([var.x, "secretsmanager:*"]) : a]\n}\n'
            'resource "aws_iam_policy" "all" {\n  count  = length(local.listed)\n  policy = jsonencode({ Statement = [{'
            ' Effect = "Allow", Action = local.listed, Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf" }] })\n}\n'
            'resource "aws_iam_policy" "one" {\n  count  = length(local.listed)\n  policy = jsonencode({ Statement = [{'
            ' Effect = "Allow", Action = local.listed[count.index], Resource = "*" }] })\n}\n')
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', "aws_iam_policy.all")]


def test_a_for_expression_over_a_set_binds_the_item_as_its_key(tmp_path: Path) -> None:
    """Terraform iterates a set with the key being the item itself (a list has indexes): `{for k, v in
    toset([...]) : k => v}` is keyed by the items, so `for_each` over it makes `p["secretsmanager:*"]` whose
    `each.key` is that action (not "0" or "1", which are no actions)."""
    text = ('locals {\n  by_action = { for k, v in toset(["secretsmanager:GetSecretValue", "secretsmanager:*"]) : k => v }\n}\n'
            'resource "aws_iam_policy" "p" {\n  for_each = local.by_action\n  policy = jsonencode({ Statement = [{'
            ' Effect = "Allow", Action = each.key, Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf" }] })\n}\n')
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM001,IAM006")
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', 'aws_iam_policy.p["secretsmanager:*"]')]


def test_a_dynamic_block_and_a_template_over_a_set_bind_the_item_as_its_key(tmp_path: Path) -> None:
    """`statement.key` of a `dynamic` block over a set is the item (Terraform: "identical to value"), and so
    is the key of a template's `%{ for k, v in ... }`; `tolist` of a set is a list again (indexes)."""
    text = ('data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = toset(["secretsmanager:*"])\n'
            '    content {\n      actions   = [statement.key]\n      resources = ["*"]\n    }\n  }\n}\n'
            'resource "aws_iam_policy" "d" {\n  policy = data.aws_iam_policy_document.d.json\n}\n'
            'resource "aws_iam_policy" "t" {\n  policy = <<EOT\n{"Statement": [{"Effect": "Allow", "Action": ['
            '%{ for k, v in toset(["kms:*"]) }"${k}"%{ endfor }], "Resource": "*"}]}\nEOT\n}\n'
            'resource "aws_iam_policy" "l" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action ='
            ' [for k, v in tolist(toset(["b", "a"])) : "${v}:${k}"], Resource = "*" }] })\n}\n')
    write(tmp_path, {"main.tf": text})
    actions = {d.owner: d.statements[0].action.plain() for d in extract(tmp_path).documents}
    assert actions == {"data.aws_iam_policy_document.d": ["secretsmanager:*"], "aws_iam_policy.t": ["kms:*"],
                       "aws_iam_policy.l": ["a:0", "b:1"]}
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", text, '"secretsmanager:*"', "data.aws_iam_policy_document.d")]


def test_a_variable_of_a_set_type_holds_each_value_once_and_a_list_type_keeps_an_unknown_length(tmp_path: Path) -> None:
    """An argument converts to its variable's declared type, as Terraform converts it: a `set(string)` holds
    the caller's two equal strings once (one instance: the plain address), and a `list(string)` made from a
    set with an unknown item has an unknown length (the block once, not `[0]` and `[1]`)."""
    caller = ('variable "x" {}\nmodule "c" {\n  source = "./child"\n  unique = ["secretsmanager:*", "secretsmanager:*"]\n'
              '  listed = toset([var.x, "secretsmanager:Get*"])\n}\n')
    child = ('variable "unique" {\n  type = set(string)\n}\nvariable "listed" {\n  type = list(string)\n}\n'
             'resource "aws_iam_policy" "u" {\n  count  = length(var.unique)\n  policy = jsonencode({ Statement = [{'
             ' Effect = "Allow", Action = tolist(var.unique), Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf" }] })\n}\n'
             'resource "aws_iam_policy" "l" {\n  count  = length(var.listed)\n  policy = jsonencode({ Statement = [{'
             ' Effect = "Allow", Action = var.listed, Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf" }] })\n}\n')
    write(tmp_path, {"main.tf": caller, "child/main.tf": child})
    addresses = sorted(d.owner for d in extract(tmp_path).documents if d.owner.startswith("module."))
    assert addresses == ["module.c.aws_iam_policy.l", "module.c.aws_iam_policy.u"]
    _, report, _ = run_check(tmp_path, ".", select="SM001")
    assert places(report) == [span("SM001", "main.tf", caller, '"secretsmanager:*"', "module.c.aws_iam_policy.u"),
                              span("SM001", "main.tf", caller, '"secretsmanager:Get*"', "module.c.aws_iam_policy.l")]


# --- numbers past what a float or an integer's text holds -------------------------------------------------

HUGE = ["1e400", "9" * 5000, "9" * 400, "1e-400", "0", "1e299", "-1e299", "2"]
NUMBER_USES = ['element(["a:b"], {})', '["a:b", "c:d"][{}]', '"s3:${{{}}}"', 'format("s3:%d", {})', "tostring({})",
               'tonumber("{}")', "jsonencode({})", "{} % 2", "{} / 3", "-({})", "{} == 1 ? \"*\" : \"s3:GetObject\""]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(HUGE), st.sampled_from(["+", "-", "*", "/", "%"]), st.sampled_from(HUGE)),
                min_size=1, max_size=3), st.sampled_from(NUMBER_USES))
def test_a_number_too_large_to_hold_is_unknown_not_an_internal_error(terms: list[tuple[str, str, str]], use: str) -> None:
    """Terraform's numbers have any size (`1e400`, a 5,000-digit literal, their products); one past what is
    held here (an infinity, more digits than an integer converts to text) is unknown wherever it is used
    (`%`, an index, a template, `format`, `tonumber`, `count`), never an internal error that loses the whole
    module: the policy beside it is still reported, at its `*`."""
    expression = " + ".join(f"({a} {operator} {b})" for a, operator, b in terms)
    action = use.format(expression)
    text = (f'resource "aws_iam_policy" "n" {{\n  count  = {terms[0][0]} % 2\n  policy = jsonencode({{ Statement = [{{'
            f' Effect = "Allow", Action = {action}, Resource = "*" }}] }})\n}}\n'
            'resource "aws_iam_policy" "star" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            ' Action = "*", Resource = "*" }] })\n}\n')
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), {"main.tf": text})
        _, report, _ = run_check(root, ".", select="IAM001")
    assert report["errors"] == []
    assert span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.star", text.count('"*"', 0, text.index('"star"')) + 1) in places(report)


def test_huge_numbers_are_unknown_where_they_are_used(tmp_path: Path) -> None:
    """`1e400 % 2` (a float infinity here), `element(list, 1e400)`, a product of two 3,000-digit numbers in a
    template and `tonumber` of 5,000 digits are each unknown: no finding on a guessed value, no error, and
    the module's other policy is still reported (before, each was `internal error reading Terraform`)."""
    big = "9" * 3000
    text = ('resource "aws_iam_policy" "mod" {\n  count  = 1e400 % 2\n  policy = jsonencode({ Statement = [{'
            ' Effect = "Allow", Action = element(["s3:GetObject", "*"], 1e400), Resource = "*" }] })\n}\n'
            f'locals {{\n  product = {big} * {big}\n}}\n'
            'resource "aws_iam_policy" "text" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            f' Action = ["s3:${{local.product}}", tonumber("{"9" * 5000}") == 1 ? "*" : "s3:GetObject"],'
            ' Resource = "*" }] })\n}\n'
            'resource "aws_iam_policy" "star" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            ' Action = "*", Resource = "*" }] })\n}\n')
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert (code, report["errors"]) == (1, [])
    star = text.count('"*"', 0, text.index('"star"')) + 1  # its Action
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.star", star)]
    documents = {d.owner: d for d in extract(tmp_path).documents}
    assert documents["aws_iam_policy.mod"].statements[0].action.value == UNKNOWN
    assert [a.value for a in documents["aws_iam_policy.text"].statements[0].action.value] == ["s3:" + UNKNOWN, UNKNOWN]


# --- a JSON string that is one interpolated value ---------------------------------------------------------

def test_module_instances_whose_json_strings_point_at_different_items_are_evaluated_apart(tmp_path: Path) -> None:
    """Two `for_each` instances pass the same text (`"Action": "${each.value}"` over two equal strings) whose
    JSON string points at a different item each: they are different arguments (as with `jsonencode`), so
    each item is reported, not only the first one's."""
    for doc in ('<<EOT\n{"Statement": [{"Effect": "Allow", "Action": "${each.value}", "Resource": "*"}]}\nEOT',
                'jsonencode({ Statement = [{ Effect = "Allow", Action = each.value, Resource = "*" }] })'):
        caller = ('module "c" {\n  source   = "./child"\n  for_each = { a = "secretsmanager:*", b = "secretsmanager:*" }\n'
                  f'  doc      = {doc}\n}}\n')
        write(tmp_path, {"main.tf": caller, "child/main.tf": 'variable "doc" {}\nresource "aws_iam_policy" "p" {\n'
                                                             '  policy = var.doc\n}\n'})
        _, report, _ = run_check(tmp_path, ".", select="SM001")
        assert places(report) == [
            span("SM001", "main.tf", caller, '"secretsmanager:*"', 'module.c["a"].aws_iam_policy.p'),
            span("SM001", "main.tf", caller, '"secretsmanager:*"', 'module.c["b"].aws_iam_policy.p', 2)], doc


# --- range() where a float cannot count -------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["1e17", "1e20", "-1e17", "1e16", "9.1e15"]), st.integers(1, 20),
       st.sampled_from(["", ", 1", ", 0.5", ", -1"]))
def test_range_past_a_floats_precision_is_unknown_not_endless(start: str, width: int, step: str) -> None:
    """`range(1e17, 1e17 + 10)`: adding 1 to 1e17 as a float gives 1e17 again, so counting up never reached
    the limit (the run hung, its list growing without end). Where the numbers cannot all be told apart the
    list is unknown, `length` of it too (the block read once, its `*` still reported where it is written),
    and the run ends."""
    text = (f'resource "aws_iam_policy" "p" {{\n  count  = length(range({start}, {start} + {width}{step}))\n'
            '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n')
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), {"main.tf": text})
        _, report, _ = run_check(root, ".", select="IAM001")
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.p")]


# --- values that double at every reference ----------------------------------------------------------------

DOUBLING = {  # a chain of locals, each using the one before twice: 10 characters grow to 10 * 2^39
    "template": ('"aaaaaaaaaa"', '"${{local.l{0}}}${{local.l{0}}}"'),
    "list": ('["aaaaaaaaaa"]', "[local.l{0}, local.l{0}]"),
    "concat": ('["aaaaaaaaaa"]', "concat(local.l{0}, local.l{0})"),
    "object": ('{ a = "aaaaaaaaaa" }', "{{ a = local.l{0}, b = local.l{0} }}"),
    "format": ('"aaaaaaaaaa"', 'format("%s%s", local.l{0}, local.l{0})'),
    "replace": ('"aaaaaaaaaa"', 'replace(local.l{0}, "", local.l{0})'),
    "for": ('"aaaaaaaaaa"', "[for x in range(1000) : local.l{0}]"),
}


def _doubling(first: str, step: str, steps: int = 39) -> str:
    lines = [f"  l0 = {first}"] + [f"  l{i} = {step.format(i - 1)}" for i in range(1, steps + 1)]
    return ("locals {\n" + "\n".join(lines) + "\n}\n"
            f'resource "aws_iam_policy" "big" {{\n  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action ='
            f' flatten([local.l{steps}]), Resource = "*" }}] }})\n}}\n'
            'resource "aws_iam_policy" "star" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            ' Action = "*", Resource = "*" }] })\n}\n')


def test_a_value_that_doubles_at_every_local_is_an_input_error_not_a_hang(tmp_path: Path) -> None:
    """A billion laughs in Terraform: each local uses the one before twice, so 39 of them make 10 * 2^39
    characters or items (a template, a list, `concat`, an object, `format`, `replace` with an empty search,
    a `for` over `range`). The run hung or ran out of memory (`internal error ... MemoryError`, losing the
    module). A value past a million items and characters is unknown, an input error where it is made or
    first used (a string function's result is unknown alone), and the module's other policy is reported."""
    for name, (first, step) in DOUBLING.items():
        text = _doubling(first, step, 9 if name in ("replace", "for") else 39)
        folder = tmp_path / name
        write(folder, {"main.tf": text})
        code, report, _ = run_check(folder, ".", select="IAM001")
        star = text.count('"*"', 0, text.index('"star"')) + 1
        assert span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.star", star) in places(report), name
        assert all(e["message"].startswith("not evaluated: the value is larger than 1000000") for e in report["errors"]), name
        assert code == (1 if name in ("format", "replace") else 2), (name, report["errors"])
    text = (tmp_path / "template" / "main.tf").read_text()
    _, report, _ = run_check(tmp_path / "template", ".", select="IAM001")
    # l17 is the first past the bound (10 * 2^17 characters), its template where it is written; the
    # unknown it becomes doubles too, from l18 on, one character at first: l37 holds 2^20 of them.
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(19, 9), (39, 9)]
    assert [text.splitlines()[n][:8] for n in (18, 38)] == ["  l17 = ", "  l37 = "]


def test_a_dynamic_block_over_a_list_of_unknown_length_leaves_its_document_incomplete(tmp_path: Path) -> None:
    """`dynamic "statement"` over `[for s in ... : s if var.x]` (an `if` unknown for each item) or a set with
    an unknown item makes one statement per item that may be there: the items are read, but the document
    is not complete (a guard may be missing or there), as over an unknown collection; over a known list it
    is complete."""
    def document(collection: str) -> str:
        return (f'data "aws_iam_policy_document" "d" {{\n  dynamic "statement" {{\n    for_each = {collection}\n'
                '    content {\n      effect    = "Deny"\n      actions   = [statement.value]\n      resources = ["*"]\n'
                '    }\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n')

    cases = {'[for a in ["secretsmanager:DeleteSecret"] : a if var.x]': False,
             'toset([var.y, "secretsmanager:DeleteSecret"])': False,
             '["secretsmanager:DeleteSecret"]': True}
    for collection, complete in cases.items():
        write(tmp_path, {"main.tf": 'variable "x" {}\nvariable "y" {}\n' + document(collection)})
        found = [d for d in extract(tmp_path).documents if d.owner == "data.aws_iam_policy_document.d"]
        assert [d.complete for d in found] == [complete], collection
        actions = [leaf.value for s in found[0].statements for leaf in _leaves(s.action)]
        assert "secretsmanager:DeleteSecret" in actions or collection.startswith("[for"), collection


# --- what a module reads of a call that a cycle cuts --------------------------------------------------------

def test_a_module_value_read_where_a_cycle_cut_the_call_is_not_shared_with_other_evaluations(tmp_path: Path) -> None:
    """`first` calls `third`, which calls `second`, which calls `first` again (a cycle, an input error).
    Evaluated below `first`, `second`'s call of `first` is cut, so `module.down[*].acts` is unknown there;
    that value read no input, so it was shared with every evaluation of `second`, and `second`'s own lint,
    after `first`'s in the same process, lost the findings its own evaluation gives (and `--jobs 2` gave
    either, by which worker linted what). Reading a module's instances counts as reading an input."""
    files = {
        "first/main.tf": ('module "up" {\n  source = "../third"\n  count  = var.on ? 1 : 0\n}\n'
                          'output "acts" {\n  value = ["secretsmanager:*"]\n}\n'),
        "second/main.tf": ('module "down" {\n  source = "../first"\n  count  = 2\n}\n'
                           'resource "aws_iam_role_policy" "p" {\n  role   = "r"\n  policy = jsonencode({ Statement = [{'
                           ' Effect = "Allow", Action = flatten(module.down[*].acts), Resource = "*" }] })\n}\n'),
        "third/main.tf": 'module "back" {\n  source   = "../second"\n  for_each = toset(["k", "l"])\n}\n',
    }
    write(tmp_path, files)
    text = files["second/main.tf"]
    expected = [span(rule, "second/main.tf", text, '"*"', "aws_iam_role_policy.p") for rule in ("SM002", "SM012")]
    for args in (["second"], ["first", "second"], ["."]):
        _, report, _ = run_check(tmp_path, *args, select="SM002,SM012")
        assert [p for p in places(report) if p[1] == "second/main.tf"] == expected, args
    outputs = {run_check(tmp_path, ".", "--jobs", jobs)[2] for jobs in ("1", "2", "2", "2")}
    assert len(outputs) == 1
