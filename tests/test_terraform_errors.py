"""Bad Terraform input: syntax errors are reported with positions and the intact blocks are still extracted."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import FIXTURES, at, document, extract, write

from linter.model import Span

HALF_TYPED = FIXTURES / "broken" / "half.tf"


def test_half_typed_file_reports_an_error_and_keeps_intact_blocks() -> None:
    text = HALF_TYPED.read_text()
    result = extract(HALF_TYPED)
    assert result.files_scanned == 1
    assert len(result.errors) >= 1
    first = result.errors[0]
    assert first.path == HALF_TYPED.as_posix()
    assert (first.line, first.column, first.message) == (8, 22, "syntax error: '(' is not closed")
    owners = sorted(d.owner for d in result.documents)
    assert owners == ["aws_iam_policy.after", "aws_iam_policy.before"]
    before = document(result, "aws_iam_policy.before").statements[0]
    assert before.action.span == at(text, '"secretsmanager:*"')
    after = document(result, "aws_iam_policy.after").statements[0]
    assert after.action.span == at(text, '"secretsmanager:GetSecretValue"')


def test_unclosed_last_block_names_the_block(tmp_path: Path) -> None:
    text = 'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n'
    result = extract(write(tmp_path, {"main.tf": text}))
    (error,) = result.errors
    assert (error.line, error.column) == (3, 1)
    assert error.message == "syntax error: missing '}' to close the block opened at line 1"


def test_unexpected_token_position(tmp_path: Path) -> None:
    text = 'locals {\n  a = 1\n  b = = 2\n}\n'
    result = extract(write(tmp_path, {"main.tf": text}))
    assert result.errors and result.errors[0].line == 3


def test_binary_and_empty_files(tmp_path: Path) -> None:
    write(tmp_path, {"binary.tf": b"\x00\x01\x02resource", "empty.tf": "", "bad.tf": b"resource \xff\xfe"})
    result = extract(tmp_path)
    messages = {(e.path.rsplit("/", 1)[1], e.message) for e in result.errors}
    assert messages == {("binary.tf", "binary file, not text"), ("bad.tf", "not valid UTF-8 text")}
    assert result.files_scanned == 3 and result.documents == []


def test_errors_of_unpassed_siblings_are_not_reported(tmp_path: Path) -> None:
    write(tmp_path, {"broken.tf": "resource {", "main.tf": 'locals {\n  a = 1\n}\n'})
    assert extract(tmp_path / "main.tf").errors == []
    assert len(extract(tmp_path / "broken.tf").errors) == 1


def test_invalid_tf_json(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf.json": '{"resource": {\n  "aws_iam_policy": [}\n'})
    (error,) = extract(tmp_path).errors
    assert error.line == 2 and error.message.startswith("invalid JSON")


def test_garbage_never_crashes(tmp_path: Path) -> None:
    samples = [
        "}}}}", "{{{{", '"unterminated', "<<EOF\nno end", "resource \"a\" \"b\" { x = <<-EOT\n  ${\n}",
        "data \"aws_iam_policy_document\" \"x\" { statement { principals {} condition {} } }",
        "resource \"aws_iam_policy\" \"p\" { policy = jsonencode([1, {a = }]) }",
        "locals { a = local.b\n b = local.a }\nresource \"aws_iam_policy\" \"p\" { policy = local.a }",
        "resource \"aws_iam_policy\" \"p\" { policy = file(\"/etc/passwd\") }",
        "resource \"aws_iam_policy\" \"p\" { policy = templatefile(\"x\", 3) }",
        "x = " + "[" * 500 + "]" * 500,
        "resource \"aws_iam_policy\" \"p\" { policy = " + "(" * 300 + "1" + ")" * 300 + " }",
    ]
    for number, sample in enumerate(samples):
        directory = tmp_path / str(number)
        write(directory, {"main.tf": sample})
        result = extract(directory)
        assert result.files_scanned == 1
        assert all(not e.message.startswith("internal error") for e in result.errors), result.errors


def test_error_positions_count_characters(tmp_path: Path) -> None:
    text = 'a = "äöü" ]\n'
    (error,) = extract(write(tmp_path, {"main.tf": text})).errors
    assert (error.line, error.column) == (1, 11) == (at(text, "]").line, at(text, "]").column)
    assert error.message == "syntax error: unexpected ']'"


def test_cycle_between_data_documents_is_unknown_and_an_error(tmp_path: Path) -> None:
    """Terraform rejects the cycle: an input error at the data source where it closes; both documents are
    unknown (no statement read), never endless."""
    text = """\
data "aws_iam_policy_document" "a" {
  source_policy_documents = [data.aws_iam_policy_document.b.json]
}
data "aws_iam_policy_document" "b" {
  source_policy_documents = [data.aws_iam_policy_document.a.json]
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (1, 1, "reference cycle: data.aws_iam_policy_document.a depends on itself, which Terraform rejects")]
    assert all(d.statements == [] for d in result.documents)
    assert Span(1, 1, 1, 35) in [d.where for d in result.documents]


_HCL_PIECES = st.sampled_from([
    'resource "aws_iam_policy" "p" {', "}", "{", "[", "]", "(", ")", "policy", " = ", "jsonencode(", '"',
    "${", "%{", "<<EOF\n", "<<-EOF\n", "EOF\n", "\n", "data.aws_iam_policy_document.x.json", "local.a",
    'locals { a = ', 'data "aws_iam_policy_document" "x" {', "statement {", 'actions = ["s3:*"]', "ü", "\\",
    "Statement = [", "var.v", "file(", "dynamic \"statement\" {", "content {", ",", "#", "/*", "*/",
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_HCL_PIECES, max_size=40))
def test_arbitrary_hcl_never_crashes(tmp_path: Path, pieces: list[str]) -> None:
    write(tmp_path, {"main.tf": "".join(pieces)})
    result = extract(tmp_path)
    assert result.files_scanned == 1
    assert all(not e.message.startswith("internal error") for e in result.errors), result.errors


def test_unclosed_block_after_an_intact_one_points_at_its_opening_brace(tmp_path: Path) -> None:
    # tree-sitter's error node starts at the top of the file; the error must not blame the intact first block.
    text = (
        'resource "aws_iam_policy" "ok" {\n'
        '  name = "ok"\n'
        '}\n'
        '\n'
        'resource "aws_iam_policy" "x" {\n'
        '  policy = jsonencode({\n'
        '    Statement = [{ Action = "secretsmanager:*" \n'
    )
    (error,) = extract(write(tmp_path, {"main.tf": text})).errors
    assert (error.line, error.column) == (5, 31) == (at(text, "{\n  policy").line, at(text, "{\n  policy").column)
    assert error.message == "syntax error: '{' is not closed"


def test_unclosed_only_block_with_nested_brackets(tmp_path: Path) -> None:
    text = 'resource "aws_iam_policy" "x" {\n  policy = jsonencode({\n    Statement = [{ Action = "a" \n'
    (error,) = extract(write(tmp_path, {"main.tf": text})).errors
    assert (error.line, error.column, error.message) == (1, 31, "syntax error: '{' is not closed")
