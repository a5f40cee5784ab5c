"""Terraform evaluation checked against what Terraform itself computes (issue 11's QA): each test writes a
small module whose value Terraform defines precisely and asserts the finding (or the error) at the exact
place the user wrote it."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tf_helpers import places, run_check, span, write

from linter.formats.terraform.regex import go_replace

POLICY = 'jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow", Action = {action}, Resource = "*"}}]}})'


def policy(action: str, name: str = "p") -> str:
    """An `aws_iam_policy` whose one statement grants `action` (an HCL expression) on every resource."""
    return f'resource "aws_iam_policy" "{name}" {{\n  policy = {POLICY.format(action=action)}\n}}\n'


def assert_each_picks_star(tmp_path: Path, cases: dict[str, str]) -> None:
    """Each named action expression evaluates, as Terraform evaluates it, to its first `"*"`: IAM001 fires
    on every policy, there (a value read otherwise picks another string, or none)."""
    chunks = [policy(expression, name) for name, expression in cases.items()]
    text = "".join(chunks)
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    expected, before = [], 0
    for name, chunk in zip(cases, chunks):
        expected.append(span("IAM001", "main.tf", text, '"*"', f"aws_iam_policy.{name}", before + 1))
        before += chunk.count('"*"')
    assert places(report) == expected


def test_jsonencode_of_a_string_in_a_heredoc_is_a_json_string(tmp_path: Path) -> None:
    """`"Resource": ${jsonencode(var.arn)}` renders `"Resource": "arn:..."` (a JSON string, quotes
    included), so the document parses and its `*` action is reported at the interpolation that wrote it;
    jsonencode(null) is `null` and a number its digits."""
    text = (
        'variable "action" {\n  default = "*"\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n'
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ${jsonencode(var.action)},'
        ' "Resource": ${jsonencode("*")}, "Sid": ${jsonencode(null)}, "X": ${jsonencode(5)}}]}\nEOT\n}\n'
    )
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert report["errors"] == []
    assert places(report) == [span("IAM001", "main.tf", text, "${jsonencode(var.action)}", "aws_iam_policy.p")]
    assert code == 1


def test_jsondecode_of_jsonencode_is_the_value_itself(tmp_path: Path) -> None:
    """`jsondecode(jsonencode(x))` is `x`: the action is found where it was written."""
    text = policy('jsondecode(jsonencode(["*"]))[0]')
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.p")]


def test_jsonencode_of_a_callers_string_points_at_the_caller(tmp_path: Path) -> None:
    """A module writing `"Action": ${jsonencode(var.action)}` in its heredoc: the caller's `"*"` fires."""
    main = 'module "m" {\n  source = "./m"\n  action = "*"\n}\n'
    child = (
        'variable "action" {\n  type = string\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n'
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ${jsonencode(var.action)},'
        ' "Resource": "*"}]}\nEOT\n}\n'
    )
    write(tmp_path, {"main.tf": main, "m/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert report["errors"] == []
    assert places(report) == [span("IAM001", "main.tf", main, '"*"', "module.m.aws_iam_policy.p")]


NULL_EACH = (
    'resource "aws_iam_policy" "p" {\n  for_each = null\n  policy = ' + POLICY.format(action='"*"') + '\n}\n'
    'resource "aws_iam_policy" "c" {\n  count  = null\n  policy = ' + POLICY.format(action='"*"') + '\n}\n'
    'data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = null\n    content {\n'
    '      actions   = ["*"]\n      resources = ["*"]\n    }\n  }\n}\n'
    'resource "aws_iam_policy" "d" {\n  policy = data.aws_iam_policy_document.d.json\n}\n'
)


def test_a_null_count_or_for_each_is_an_error_and_the_block_is_kept(tmp_path: Path) -> None:
    """Terraform rejects a null `for_each` or `count` (on a resource or a dynamic block): an input error at
    the value, and the block is evaluated once, as unknown instances, never dropped: its `*` still fires."""
    write(tmp_path, {"main.tf": NULL_EACH})
    code, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert places(report) == [
        span("IAM001", "main.tf", NULL_EACH, '"*"', "aws_iam_policy.p"),
        span("IAM001", "main.tf", NULL_EACH, '"*"', "aws_iam_policy.c", 3),
        span("IAM001", "main.tf", NULL_EACH, '"*"', "data.aws_iam_policy_document.d", 5),
    ]
    nulls = [span("", "main.tf", NULL_EACH, "null", "", n)[2:4] for n in (1, 2, 3)]
    assert [(e["line"], e["column"]) for e in report["errors"]] == nulls
    assert [e["message"].split(":")[0] for e in report["errors"]] == ["for_each is null", "count is null",
                                                                       "for_each is null"]
    assert code == 2


INDEXED = '${jsonencode([\\"s3:GetObject\\", \\"*\\"][count.index + 1])}'


def test_a_tf_json_string_template_sees_each_and_count(tmp_path: Path) -> None:
    """In `.tf.json`, `"${each.value}"` and `${count.index}` in a string are the instance's, as in `.tf`:
    the instance whose value is `*` fires; a JSON string that is `each.value` alone points at the `"*"`
    written in the `for_each` map, one `jsonencode` writes at the interpolation in the policy text."""
    document = '{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": {action}, \\"Resource\\": \\"*\\"}]}'
    text = (
        '{"resource": {"aws_iam_policy": {\n'
        ' "e": {"for_each": {"a": "*", "b": "s3:GetObject"},\n'
        '  "policy": "' + document.replace("{action}", '\\"${each.value}\\"') + '"},\n'
        ' "c": {"count": 1,\n'
        '  "policy": "' + document.replace("{action}", INDEXED) + '"}\n'
        '}}}\n'
    )
    write(tmp_path, {"main.tf.json": text})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert report["errors"] == []
    assert places(report) == [
        span("IAM001", "main.tf.json", text, '"*"', 'aws_iam_policy.e["a"]'),
        span("IAM001", "main.tf.json", text, INDEXED, "aws_iam_policy.c"),
    ]


TEMPLATE = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": [\n'
    '      %{~ for i, a in actions ~}\n      "${a}"%{ if i < length(actions) - 1 },%{ endif }\n'
    '      %{~ endfor ~}\n    ],\n    "Resource": "*"\n  }]\n}\n'
)


def test_templatefile_renders_for_and_if_directives(tmp_path: Path) -> None:
    """A policy template building its action list with `%{ for }` and `%{ if }` (strip markers and all)
    renders as Terraform renders it: the `*` item fires, where it was written (the `"*"` passed to
    `templatefile`, as the JSON string is `"${a}"` alone), and the known action does not."""
    main = ('resource "aws_iam_policy" "p" {\n'
            '  policy = templatefile("${path.module}/policy.json.tpl", { actions = ["s3:GetObject", "*"] })\n}\n')
    write(tmp_path, {"main.tf": main, "policy.json.tpl": TEMPLATE})
    code, report, _ = run_check(tmp_path, ".", select="IAM001,IAM006")
    assert report["errors"] == []
    assert places(report) == [span("IAM001", "main.tf", main, '"*"', "aws_iam_policy.p")]
    assert code == 1


def test_quoted_and_heredoc_directives_pick_what_terraform_picks(tmp_path: Path) -> None:
    """`%{ if }` with a known condition renders its branch (the `*` of the else branch is never read), a
    heredoc `%{ for }` over a map iterates it by sorted key (the `*` fires where the map holds it), and a
    directive over an unknown stays unknown (no finding, no guess)."""
    text = (
        'variable "admin" {\n  default = false\n}\n'
        'variable "unknown" {\n  type = list(string)\n}\n'
        + policy('"%{ if var.admin }*%{ else }s3:GetObject%{ endif }"', "cond")
        + 'resource "aws_iam_policy" "loop" {\n  policy = <<-EOT\n    {"Version": "2012-10-17", "Statement": [\n'
          '    %{~ for name, action in { b = "s3:GetObject", a = "*" } ~}\n'
          '      {"Sid": "${name}", "Effect": "Allow", "Action": "${action}", "Resource": "*"},\n'
          '    %{~ endfor ~}\n    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}\n    EOT\n}\n'
        + policy('"%{ for a in var.unknown }${a}%{ endfor }"', "unknown")
    )
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="IAM001,IAM006")
    assert report["errors"] == []
    in_map = text[:text.index('a = "*"')].count('"*"') + 1  # the `"*"` of `a = "*"`
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.loop", in_map)]


def test_an_error_goes_through_what_uses_it_to_the_try_that_skips_it(tmp_path: Path) -> None:
    """`{for s in [...] : "k" => s}` makes one key twice, which Terraform rejects (without `...`), and an
    error inside an index, a call, an operator or a condition is the whole expression's: each `try` falls
    back to its next argument, `*`, instead of reading a value."""
    assert_each_picks_star(tmp_path, {
        "dup": 'try({for s in ["s3:GetObject", "s3:PutObject"] : "k" => s}["k"], "*")',
        "call": 'try(lower({ a = "s3:GetObject" }.b), "*")',
        "condition": 'try(!{ a = true }.b ? "s3:GetObject" : "s3:PutObject", "*")',
    })


def test_conversions_and_equality_follow_terraforms_types(tmp_path: Path) -> None:
    """`tostring(1) == "1"` is true (the number converted), `true == 1` is false (a bool is no number),
    `tonumber("2")` is 2 and `tobool("true")` true: each condition picks the `*` branch."""
    assert_each_picks_star(tmp_path, {
        "string": 'tostring(1) == "1" ? "*" : "s3:GetObject"',
        "bool": 'true == 1 ? "s3:GetObject" : "*"',
        "number": '["s3:GetObject", "s3:PutObject", "*"][tonumber("2")]',
        "flag": 'tobool("true") ? "*" : "s3:GetObject"',
    })


def test_remainders_sets_and_quoted_formats_are_terraforms(tmp_path: Path) -> None:
    """`-5 % 3` is -2 (the dividend's sign, as Terraform's big-number remainder), `toset([10, 9])` orders
    numbers by value and makes the strings of a mixed set (`toset(["b", 1])` is `["1", "b"]`), and
    `format("%q", ...)` quotes as JSON does: each index or condition picks the `*`."""
    assert_each_picks_star(tmp_path, {
        "remainder": '["*", "s3:GetObject", "s3:PutObject"][-5 % 3 + 2]',
        "numbers": '["*", "s3:GetObject"][tolist(toset([10, 9]))[0] - 9]',
        "mixed": 'tolist(toset(["b", 1]))[0] == "1" ? "*" : "s3:GetObject"',
        "quoted": 'format("%q|%q", "a\\"b", 5) == "\\"a\\\\\\"b\\"|\\"5\\"" ? "*" : "s3:GetObject"',
    })


def test_a_reference_cycle_is_an_error_at_the_reference_that_closes_it(tmp_path: Path) -> None:
    """`a = local.b`, `b = local.a` is a cycle Terraform rejects: an input error where the cycle closes
    (the policy reading it is unknown, and reported nowhere else); a template rendering itself through
    `templatefile` is an error at the call that starts it, naming the template."""
    text = ('locals {\n  a = local.b\n  b = local.a\n}\n' + policy("local.a", "cycle")
            + 'resource "aws_iam_policy" "self" {\n  policy = templatefile("${path.module}/self.tpl", {})\n}\n')
    write(tmp_path, {"main.tf": text, "self.tpl": '{"Statement": [${templatefile("self.tpl", {})}]}'})
    code, report, _ = run_check(tmp_path, ".")
    assert places(report) == []
    cycle, call = span("", "main.tf", text, "local.a", ""), span("", "main.tf", text, "templatefile(", "")
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (cycle[2], cycle[3], "reference cycle: local.a depends on itself, which Terraform rejects"),
        (call[2], call[3], "templatefile: self.tpl renders itself (Terraform rejects templatefile in a template)"),
    ]
    assert code == 2


def test_function_edges_terraform_defines(tmp_path: Path) -> None:
    """`replace` with a lone `/` or an empty search string is a plain replacement (only `/.../` of two
    or more characters is a regular expression); `element` of an empty list or at a fractional index is
    an error (`try` takes its fallback); a condition `"true"` converts to true."""
    assert_each_picks_star(tmp_path, {
        "slash": 'replace("a/b", "/", "-") == "a-b" ? "*" : "s3:GetObject"',
        "empty": 'replace("ab", "", "-") == "-a-b-" ? "*" : "s3:GetObject"',
        "nothing": 'try(element([], 0), "*")',
        "fraction": 'try(element(["s3:GetObject", "s3:PutObject"], 0.5), "*")',
        "text": '"true" ? "*" : "s3:GetObject"',
    })


def test_replace_with_a_regular_expression_is_gos(tmp_path: Path) -> None:
    """`replace(s, "/re/", r)` as Go's regexp replaces: `$2@$1` groups, an empty match right after a
    match left alone (`a*` over "baaac" is "-b-c-"); each condition picks the `*`."""
    assert_each_picks_star(tmp_path, {
        "anchored": r'replace("arn:aws:s3:::b/*", "/\\/\\*$/", "") == "arn:aws:s3:::b" ? "*" : "s3:GetObject"',
        "groups": r'replace("s3:GetObject", "/(\\w+):(\\w+)/", "$2@$1") == "GetObject@s3" ? "*" : "s3:GetObject"',
        "empty": r'replace("baaac", "/a*/", "-") == "-b-c-" ? "*" : "s3:GetObject"',
    })


def test_replace_with_a_pattern_python_reads_otherwise_stays_unknown(tmp_path: Path) -> None:
    """A pattern that could backtrack for long (`(a+)+`), or that Python's `re` reads unlike RE2
    (a POSIX class), is not evaluated: the condition over it is unknown, so neither branch fires."""
    text = (policy(r'replace("aaaa!", "/(a+)+$/", "") == "" ? "*" : "*"', "nested")
            + policy(r'replace("a", "/[[:alpha:]]/", "") == "" ? "*" : "*"', "posix"))
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert places(report) == []


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab!-\n", max_size=40), pattern=st.text(alphabet="ab()|*+?{}[]^$\\.-,1", max_size=12),
       replacement=st.text(alphabet="ab$1{}", max_size=6))
def test_go_replace_is_a_string_or_unknown(text: str, pattern: str, replacement: str) -> None:
    """Any pattern gives a string or None (unknown), never an exception; a plain pattern replaces as
    `str.replace` does."""
    result = go_replace(text, pattern, replacement)
    assert result is None or isinstance(result, str)
    if pattern.isalpha() and "$" not in replacement:
        assert result == text.replace(pattern, replacement)


def test_a_policy_file_that_cannot_be_read_is_an_error_at_the_call(tmp_path: Path) -> None:
    """`file()` of a file missing from the project, or of one that is not text, fails in Terraform: an
    input error at the call (the policy is unknown), not a silent unknown; a file outside the project
    root is never read, and stays unknown quietly."""
    text = ('resource "aws_iam_policy" "missing" {\n  policy = file("${path.module}/nope.json")\n}\n'
            'resource "aws_iam_policy" "binary" {\n  policy = templatefile("policy.bin", {})\n}\n'
            'resource "aws_iam_policy" "outside" {\n  policy = file("../../outside.json")\n}\n')
    write(tmp_path / "root", {"main.tf": text, "policy.bin": b"\x00\x01"})
    code, report, _ = run_check(tmp_path / "root", ".")
    missing, binary = span("", "main.tf", text, "file(", ""), span("", "main.tf", text, "templatefile(", "")
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (missing[2], missing[3], "file: no file ./nope.json in the project"),
        (binary[2], binary[3], "templatefile: policy.bin: binary file, not text"),
    ]
    assert places(report) == []
    assert code == 2


def test_a_null_condition_is_an_error_and_the_block_is_kept(tmp_path: Path) -> None:
    """`count = var.create ? 1 : 0` with `create` defaulting to null fails in Terraform ("Null
    condition"): an input error at the condition, and the count unknown, so the block is read once."""
    text = 'variable "create" {\n  default = null\n}\n' + policy('"*"').replace(
        "  policy", "  count  = var.create ? 1 : 0\n  policy", 1)
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.p")]
    condition = span("", "main.tf", text, "var.create", "")
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (condition[2], condition[3], "condition is null: Terraform rejects a null condition")]
    assert code == 2


def test_a_null_in_a_string_template_is_an_error_at_the_interpolation(tmp_path: Path) -> None:
    """`"arn:aws:s3:::${var.bucket}/*"` with `bucket = null` fails in Terraform (a null cannot be part of
    a string): an input error at the interpolation, and that part unknown, never read as "" (which would
    make `arn:aws:s3:::/*`); `format("%s", null)` is unknown likewise. A lone `"${var.bucket}"` is null."""
    text = ('variable "bucket" {\n  default = null\n}\n'
            + policy('"arn:aws:s3:::${var.bucket}/*" == "arn:aws:s3:::/*" ? "*" : "s3:GetObject"', "template")
            + policy('format("%s", var.bucket) == "" ? "*" : "s3:GetObject"', "format")
            + policy('"${var.bucket}" == null ? "*" : "s3:GetObject"', "alone"))
    write(tmp_path, {"main.tf": text})
    code, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert places(report) == [span("IAM001", "main.tf", text, '"*"', "aws_iam_policy.alone", 5)]
    hole = span("", "main.tf", text, "${var.bucket}", "")
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (hole[2], hole[3], "null in a string template: Terraform rejects it")]
    assert code == 2


def test_a_value_takes_its_variables_declared_primitive_type(tmp_path: Path) -> None:
    """A module argument converts to the variable's declared type, as Terraform converts it: `"2"` for a
    `number` is 2 (so `count = var.copies` makes two instances), `"false"` for a `bool` is false, and the
    items of a `list(string)` given numbers are strings."""
    main = 'module "m" {\n  source = "./m"\n  copies = "2"\n  strict = "false"\n  ids    = [1]\n}\n'
    child = ('variable "copies" {\n  type = number\n}\nvariable "strict" {\n  type = bool\n}\n'
             'variable "ids" {\n  type = list(string)\n}\n'
             'resource "aws_iam_policy" "p" {\n  count  = var.copies\n  policy = '
             + POLICY.format(action='var.strict || var.ids[0] != "1" ? "s3:GetObject" : "*"') + '\n}\n')
    write(tmp_path, {"main.tf": main, "m/main.tf": child})
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    assert report["errors"] == []
    # Two instances (a count of 1 keeps the plain address), one finding for the place they share.
    assert places(report) == [span("IAM001", "m/main.tf", child, '"*"', "module.m.aws_iam_policy.p[0]")]


def test_nested_blocks_deeper_than_read_are_unknown_not_absent(tmp_path):
    """A resource's nested blocks are read 8 deep (the stack stays bounded whatever the file); a block below
    that is an unknown value where it is written, never a block that is not there (a rule reading it must
    not take it for "not set")."""
    from tf_helpers import extract, resource

    from linter.model import UNKNOWN, Span

    depth = 10
    opens = [f"{'  ' * level}replica {{" for level in range(1, depth + 1)]
    closes = [f"{'  ' * level}}}" for level in range(depth, 0, -1)]
    text = "\n".join(['resource "aws_secretsmanager_secret" "s" {', *opens, "  " * (depth + 1) + "region = 1",
                      *closes, "}", ""])
    write(tmp_path, {"main.tf": text})
    node = resource(extract(tmp_path), "aws_secretsmanager_secret.s").attributes["replica"]
    for level in range(1, 9):
        assert node.value[0].value.keys() == {"replica"}, level
        node = node.value[0].value["replica"]
    assert node.value is UNKNOWN
    # The ninth block: from `replica` on line 10 (18 spaces in) to its closing brace, four lines below.
    assert node.span == Span(10, 19, 14, 20)
    assert text.splitlines()[9][18:] == "replica {" and text.splitlines()[13][18:] == "}"


def test_a_set_with_unknown_items_keeps_them_but_not_a_length_or_an_index(tmp_path: Path) -> None:
    """`toset([var.x, "a"])` holds one value or two (`var.x` may be "a"): its length and what an index
    reads are unknown, never 2 and the second item; what it holds still grants what it grants (the `*` in
    `distinct` or `toset` with an unknown beside it is reported where it was written)."""
    from tf_helpers import extract

    exact = {
        "counted": 'length(toset([var.x, "a"])) == 2 ? "*" : "s3:GetObject"',
        "indexed": 'tolist(toset([var.x, "a"]))[1] == "a" ? "*" : "s3:GetObject"',
        "element": 'element(concat(distinct([var.x, "a"]), ["b"]), 2) == "b" ? "*" : "s3:GetObject"',
        "one": 'one(toset([var.x, "a"])) == "a" ? "*" : "s3:GetObject"',
        "flattened": 'length(flatten([toset([var.x, "a"])])) == 2 ? "*" : "s3:GetObject"',
    }
    text = 'variable "x" {}\n' + "".join(policy(expression, name) for name, expression in exact.items())
    text += 'variable "y" {}\n' + policy('toset([var.y, "*"])', "held") + policy('distinct(["*", var.y])', "kept")
    text += policy('length(toset([var.y])) == 1 ? "*" : "s3:GetObject"', "single")
    write(tmp_path, {"main.tf": text})
    result = extract(tmp_path)
    actions = {d.owner.split(".")[-1]: d.statements[0].action for d in result.documents}
    assert all(actions[name].is_unknown for name in exact), {n: actions[n].plain() for n in exact}
    _, report, _ = run_check(tmp_path, ".", select="IAM001")
    def star_of(name: str) -> tuple:  # the `"*"` of that policy's action expression
        before = text[:text.index(f'"aws_iam_policy" "{name}"')].count('"*"')
        return span("IAM001", "main.tf", text, '"*"', f"aws_iam_policy.{name}", before + 1)

    assert places(report) == [star_of("held"), star_of("kept"), star_of("single")]


def test_count_index_is_where_it_is_read(tmp_path: Path) -> None:
    """`count.index` is a number Terraform makes, written nowhere: a finding on it points at the reference
    (`recovery_window_in_days = count.index`, 0 for the first instance), not at `count = 2`."""
    text = ('resource "aws_secretsmanager_secret" "s" {\n  count                   = 2\n'
            '  recovery_window_in_days = count.index\n}\n')
    write(tmp_path, {"main.tf": text})
    _, report, _ = run_check(tmp_path, ".", select="SM007")
    assert places(report) == [span("SM007", "main.tf", text, "count.index", "aws_secretsmanager_secret.s[0]")]


def test_a_json_string_that_is_one_interpolated_value_points_where_that_value_was_written(tmp_path: Path) -> None:
    """`"Action": "${each.value}"` in a heredoc policy (or in a `.tf.json` policy string) is the item as
    written: SM001 points at `"secretsmanager:*"` in the list, as it does for `jsonencode`. A string the
    template composes around a value (`"${local.actions[0]}x"`) is the template's text, and stays there."""
    text = ('locals {\n  actions = ["secretsmanager:*", "s3:GetObject"]\n}\n'
            'resource "aws_iam_policy" "q" {\n  for_each = toset(local.actions)\n  policy   = <<EOT\n'
            '{"Statement": [{"Effect": "Allow", "Action": "${each.value}", "Resource": "*"}]}\nEOT\n}\n'
            'resource "aws_iam_policy" "r" {\n  policy = <<EOT\n'
            '{"Statement": [{"Effect": "Allow", "Action": "${local.actions[0]}x", "Resource": "*"}]}\nEOT\n}\n')
    json_text = ('{\n  "locals": {"actions": ["s3:GetObject", "secretsmanager:*"]},\n'
                 '  "resource": {"aws_iam_policy": {"q": {\n    "for_each": "${toset(local.actions)}",\n'
                 '    "policy": "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"${each.value}\\", '
                 '\\"Resource\\": \\"*\\"}]}"\n  }}}\n}\n')
    wildcard = 'aws_iam_policy.q["secretsmanager:*"]'
    cases = {
        "main.tf": (text, [span("SM001", "main.tf", text, '"secretsmanager:*"', wildcard),
                           span("IAM006", "main.tf", text, '"${local.actions[0]}x"', "aws_iam_policy.r")]),
        "main.tf.json": (json_text, [span("SM001", "main.tf.json", json_text, '"secretsmanager:*"', wildcard)]),
    }
    for name, (body, expected) in cases.items():
        write(tmp_path / name, {name: body})
        _, report, _ = run_check(tmp_path / name, ".", select="SM001,IAM006")
        assert places(report) == expected, name


def test_a_module_source_that_is_not_written_out_is_an_error_at_it(tmp_path: Path) -> None:
    """Terraform reads `source` before it evaluates anything, and rejects an interpolation there: the call
    is an input error at the value and is not followed (its child's policy is not read with the caller's
    wildcard); the escape `$${` is a literal and is fine."""
    child = ('variable "action" {}\nresource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ '
             'Effect = "Allow", Action = var.action, Resource = "*" }] })\n}\n')
    hcl_text = ('locals {\n  dir = "child"\n}\nmodule "c" {\n  source = "./${local.dir}"\n'
                '  action = "secretsmanager:*"\n}\n')
    json_text = '{"module": {"c": {"source": "./${local.dir}", "action": "secretsmanager:*"}}}\n'
    for name, text, needle in (("main.tf", hcl_text, '"./${local.dir}"'),
                               ("main.tf.json", json_text, '"./${local.dir}"')):
        root = write(tmp_path / name, {name: text, "child/main.tf": child})
        code, report, _ = run_check(root, ".", select="SM001,SM002")
        where = span("", name, text, needle, "")
        assert [(e["path"], e["line"], e["column"], e["message"]) for e in report["errors"]] == [
            (name, where[2], where[3], "module source must be a literal string (Terraform rejects an expression "
                                       "here); the call is not followed")], name
        assert places(report) == [] and code == 2
    escaped = write(tmp_path / "escaped", {"main.tf": 'module "c" {\n  source = "./child$${x}"\n}\n'})
    code, report, _ = run_check(escaped, ".")
    assert report["errors"] == [] and code == 0


def test_range_counts_as_terraform_does_and_refuses_what_it_refuses(tmp_path: Path) -> None:
    """`range` steps from its start towards its limit (1 or -1 by default, a given step otherwise), and
    Terraform rejects a zero step and more than 1,024 numbers: an error a `try` skips, never a long list."""
    assert_each_picks_star(tmp_path, {
        "max": '["s3:GetObject", "s3:PutObject", "*"][length(range(3)) - 1]',
        "down": 'range(3, 0)[2] == 1 ? "*" : "s3:GetObject"',
        "step": 'join(",", range(1, 8, 3)) == "1,4,7" ? "*" : "s3:GetObject"',
        "fraction": 'range(0, 1, 0.25)[3] == 0.75 ? "*" : "s3:GetObject"',
        "backwards": 'length(range(0, 5, -1)) == 0 ? "*" : "s3:GetObject"',
        "zero": 'try(range(0, 5, 0), "*")',
        "huge": 'try(range(1025), "*")',
        "limit": 'length(range(1024)) == 1024 ? "*" : "s3:GetObject"',
    })
