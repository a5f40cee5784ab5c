"""`policylint lsp` driven end to end by a real LSP client (pytest-lsp) over stdio, plus its pure helpers."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from linter.formats.cloudformation.syntax import YAML_COMMENTS
from linter.formats.terraform import HCL_COMMENTS
from linter import lsp as server_module
from linter.model import Finding, Span

ROOT = Path(__file__).resolve().parent.parent
ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"
# The emoji before the action is outside the BMP: one character for policylint, two UTF-16 code units for LSP.
WILDCARD = '{"Statement": [{"Sid": "\U0001F600", "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "%s"}], "Version": "2012-10-17"}\n' % ARN
FIXED = '{"Statement": [{"Sid": "\U0001F600", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "%s"}], "Version": "2012-10-17"}\n' % ARN
GARBAGE = '{"Statement": [\n  {"Effect": "Allow",,}\n'
TIMEOUT = 30.0

SERVER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp", "--stdio"], server_env=SERVER_ENV)
)
async def client(lsp_client: LanguageClient, tmp_path):
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="workspace")],
        initialization_options={"debounce_ms": 50},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, action) -> list[types.Diagnostic]:
    """Run `action` (sends a notification) and wait for the next diagnostics published for `uri`."""
    before = client.diagnostics.get(uri)
    action()
    deadline = time.monotonic() + TIMEOUT
    while client.diagnostics.get(uri) is before:
        assert time.monotonic() < deadline, f"no diagnostics published for {uri}"
        await asyncio.sleep(0.005)
    return list(client.diagnostics[uri])


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "json", version: int = 1):
    item = types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
    return lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))


def change_doc(client: LanguageClient, uri: str, text: str, version: int):
    params = types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    )
    return lambda: client.text_document_did_change(params)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.asyncio
async def test_wildcard_diagnostic_then_fix_then_close(client: LanguageClient, tmp_path):
    path = tmp_path / "iam" / "app.json"
    path.parent.mkdir()
    path.write_text(FIXED)  # on disk: already fixed; the unsaved buffer is what must be linted
    uri = path.as_uri()

    started = time.monotonic()
    diagnostics = await published(client, uri, open_doc(client, uri, WILDCARD))
    latency = time.monotonic() - started
    assert latency < 5, latency

    (d,) = [d for d in diagnostics if d.code == "SM001"]
    start = utf16(WILDCARD[: WILDCARD.index('"secretsmanager:*"')])
    assert start == WILDCARD.index('"secretsmanager:*"') + 1  # the emoji counts twice
    assert d.range == types.Range(types.Position(0, start), types.Position(0, start + len('"secretsmanager:*"')))
    assert d.code == "SM001"
    assert d.code_description is None  # no `rule_docs_url` configured: hover and the docs action work offline
    assert d.source == "policylint"
    assert d.severity == types.DiagnosticSeverity.Error
    assert "secretsmanager:*" in d.message

    # JSON has no comments: no ignore comment; the unsafe narrowing is offered, never as the preferred
    # action, and the rule's documentation.
    narrow, docs = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    assert (docs.title, docs.command, list(docs.arguments)) == (
        "Show rule documentation (SM001)", "policylint.showRuleDocumentation", [uri, "SM001"]
    )
    assert narrow.title == (
        "Narrow the wildcard to explicit actions: secretsmanager:GetSecretValue, secretsmanager:DescribeSecret"
        " (SM001) [unsafe: review it]"
    )
    assert narrow.kind == types.CodeActionKind.QuickFix and narrow.is_preferred is False
    narrowed = apply_edits(WILDCARD, narrow.edit.changes[uri])  # the range is in UTF-16, after the emoji
    assert narrowed == WILDCARD.replace('"secretsmanager:*"', '["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]')
    assert await published(client, uri, change_doc(client, uri, narrowed, 2)) == []
    assert "SM001" in {d.code for d in await published(client, uri, change_doc(client, uri, WILDCARD, 3))}
    closing = types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    assert await published(client, uri, lambda: client.text_document_did_close(closing)) == []


@pytest.mark.asyncio
async def test_garbage_buffer_is_an_error_diagnostic_and_server_survives(client: LanguageClient, tmp_path):
    uri = (tmp_path / "broken.json").as_uri()
    diagnostics = await published(client, uri, open_doc(client, uri, GARBAGE))
    assert [(d.severity, d.range.start.line, d.source) for d in diagnostics] == [
        (types.DiagnosticSeverity.Error, 1, "policylint")
    ]
    assert diagnostics[0].range.start.character == 21  # 1-based column 22, as `policylint check` reports it
    assert "JSON" in diagnostics[0].message or "expected" in diagnostics[0].message

    # Binary junk and a huge nesting depth: still diagnostics, still alive.
    assert await published(client, uri, change_doc(client, uri, "\x00\x01\x02", 2)) != []
    deep = '{"Statement": ' + "[" * 50000 + "]" * 50000 + "}"
    assert await published(client, uri, change_doc(client, uri, deep, 3)) is not None
    fixed = await published(client, uri, change_doc(client, uri, WILDCARD, 4))
    assert "SM001" in {d.code for d in fixed} and all(d.code for d in fixed)


@pytest.mark.asyncio
async def test_debounced_changes_publish_the_last_version(client: LanguageClient, tmp_path):
    uri = (tmp_path / "typing.json").as_uri()
    await published(client, uri, open_doc(client, uri, FIXED))

    def burst():
        for version in range(2, 12):
            change_doc(client, uri, WILDCARD if version % 2 else FIXED, version)()
        change_doc(client, uri, WILDCARD, 12)()

    diagnostics = await published(client, uri, burst)
    assert "SM001" in {d.code for d in diagnostics}


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: secretsmanager:*
            Resource: !Ref AppSecret
  Inline:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: !Sub |
        {"Statement": [{"Effect": "Allow",
          "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"}]}
"""


async def code_actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    )
    actions = await client.text_document_code_action_async(params) or []
    return [a for a in actions if isinstance(a, types.CodeAction)]


@pytest.mark.asyncio
async def test_ignore_quick_fix_on_a_cloudformation_yaml_buffer(client: LanguageClient, tmp_path):
    uri = (tmp_path / "template.yaml").as_uri()
    published_now = await published(client, uri, open_doc(client, uri, TEMPLATE, language="yaml"))
    diagnostics = [d for d in published_now if d.code == "SM001"]
    assert [(d.range.start.line, d.range.start.character) for d in diagnostics] == [(8, 20), (15, 20)]

    # The plain YAML statement: the comment goes right above the action, indented like it.
    (action,) = await code_actions(client, uri, diagnostics[0])
    assert action.kind == types.CodeActionKind.QuickFix and list(action.diagnostics) == [diagnostics[0]]
    (edit,) = action.edit.changes[uri]
    assert edit.range == types.Range(types.Position(8, 0), types.Position(8, 0))
    assert edit.new_text == f"            # policylint:ignore=SM001 {server_module.IGNORE_REASON}\n"

    # JSON inside a block scalar: a comment there would be JSON text, so it goes above the document's key. The
    # statement names a literal secret ARN, so the unsafe narrowing comes first (the other names an
    # unknown resource: no narrowing there).
    narrow, action = await code_actions(client, uri, diagnostics[1])
    assert narrow.title.endswith("(SM001) [unsafe: review it]") and not narrow.is_preferred
    narrowed = apply_edits(TEMPLATE, narrow.edit.changes[uri])
    assert narrowed == TEMPLATE.replace(
        '"Action": "secretsmanager:*", "Resource": "arn', '"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": "arn'
    )
    (edit,) = action.edit.changes[uri]
    assert edit.range.start == types.Position(13, 0)
    assert edit.new_text.startswith("      # policylint:ignore=SM001 ")


LOCALS_TF = 'locals {\n  reader_actions = ["secretsmanager:GetSecretValue"]\n}\n'
MAIN_TF = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:*", local.reader_actions[0]]
      Resource = "%(arn)s"
    }]
  })
}

resource "aws_iam_policy" "legacy" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow",
  "Action": "secretsmanager:*", "Resource": "%(arn)s"}]}
EOF
}
""" % {"arn": ARN}


@pytest.mark.asyncio
async def test_terraform_buffer_is_resolved_with_its_module_and_quick_fixed(client: LanguageClient, tmp_path):
    module = tmp_path / "infra"
    module.mkdir()
    (module / "locals.tf").write_text(LOCALS_TF)
    main = module / "main.tf"
    main.write_text("")  # the unsaved buffer is what counts
    uri = main.as_uri()

    every = await published(client, uri, open_doc(client, uri, MAIN_TF, language="terraform"))
    diagnostics = [d for d in every if d.code == "SM001"]
    lines = MAIN_TF.split("\n")
    assert [d.range for d in diagnostics] == [
        types.Range(types.Position(4, 18), types.Position(4, 36)),
        types.Range(types.Position(13, 12), types.Position(13, 30)),
    ]
    assert lines[4][18:36] == '"secretsmanager:*"' and lines[13][12:30] == '"secretsmanager:*"'

    # The unsafe narrowing keeps the action the local (from the module's other file) already names.
    narrow, action = await code_actions(client, uri, diagnostics[0])
    assert narrow.title == "Narrow the wildcard to explicit actions: secretsmanager:DescribeSecret (SM001) [unsafe: review it]"
    assert apply_edits(MAIN_TF, narrow.edit.changes[uri]) == MAIN_TF.replace(
        '["secretsmanager:*", local', '["secretsmanager:DescribeSecret", local'
    )
    (edit,) = action.edit.changes[uri]
    assert edit.range.start == types.Position(4, 0)
    assert edit.new_text == f"      # policylint:ignore=SM001 {server_module.IGNORE_REASON}\n"
    # Inside a heredoc a comment would be policy text: the fix goes above the resource instead.
    _, action = await code_actions(client, uri, diagnostics[1])
    (edit,) = action.edit.changes[uri]
    assert edit.range.start == types.Position(10, 0) and edit.new_text.startswith("# policylint:ignore=SM001 ")

    # A second rule on the same element extends the comment the first quick fix wrote.
    with_comment = lines[:4] + ["      # policylint:ignore=SM001 migration in progress"] + lines[4:]
    moved = await published(client, uri, change_doc(client, uri, "\n".join(with_comment), 2))
    others = [d for d in moved if d.code != "SM001" and d.range.start.line == 5]
    assert others, "expected another rule on the wildcard (SM011) to extend the comment"
    for other in others:
        (action,) = await code_actions(client, uri, other)
        (edit,) = action.edit.changes[uri]
        assert edit.range.start.line == 4 and edit.new_text == f"SM001,{other.code}"

    # Applying the quick fixes (with a reason) silences every finding.
    codes = lambda line: ",".join(sorted({d.code for d in every if d.code and d.range.start.line == line}))  # noqa: E731
    fixed_lines = list(lines)
    fixed_lines.insert(10, f"# policylint:ignore={codes(13)} legacy role, tracked in JIRA-1")
    fixed_lines.insert(4, f"      # policylint:ignore={codes(4)} migration in progress")
    assert await published(client, uri, change_doc(client, uri, "\n".join(fixed_lines), 3)) == []
    # And a buffer that breaks HCL is an error at the break, not a dead server.
    broken = await published(client, uri, change_doc(client, uri, 'resource "aws_iam_policy" "x" {\n  policy = jsonencode({\n', 4))
    assert broken and all(d.severity == types.DiagnosticSeverity.Error for d in broken)


@pytest.mark.asyncio
async def test_workspace_config_is_honoured(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("severity_overrides:\n  SM001: medium\nper_file_ignores:\n  legacy/*.json: [SM]\n")
    (tmp_path / "legacy").mkdir()
    legacy, app = (tmp_path / "legacy" / "old.json").as_uri(), (tmp_path / "app.json").as_uri()
    assert await published(client, legacy, open_doc(client, legacy, WILDCARD)) == []
    diagnostics = await published(client, app, open_doc(client, app, WILDCARD))
    (d,) = [d for d in diagnostics if d.code == "SM001"]
    assert d.severity == types.DiagnosticSeverity.Warning  # medium, by the config

    # A broken config file is shown, on save of the config, on every open document of the folder.
    config = tmp_path / ".policylint.yaml"
    config.write_text("fail_on: sometimes\n")
    config_uri = config.as_uri()
    item = types.TextDocumentItem(uri=config_uri, language_id="yaml", version=1, text=config.read_text())
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    saved = types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config_uri))
    diagnostics = await published(client, app, lambda: client.text_document_did_save(saved))
    assert any("config" in d.message and d.severity == types.DiagnosticSeverity.Error for d in diagnostics)


# --- helpers, without a client --------------------------------------------------------------------------


def test_positions_count_utf16_code_units():
    codec = PositionCodec()
    lines = ["a\U0001F600b\u00e9c", ""]
    assert server_module.to_position(lines, 1, 3, codec) == types.Position(0, 3)  # after the emoji
    assert server_module.to_position(lines, 1, 5, codec) == types.Position(0, 5)  # é is one unit
    assert server_module.to_position(lines, 1, 99, codec) == types.Position(0, 6)  # clamped to the line end
    assert server_module.to_position(lines, 9, 1, codec) == types.Position(1, 0)  # past the end of the buffer
    utf32 = PositionCodec(encoding=types.PositionEncodingKind.Utf32)
    assert server_module.to_position(lines, 1, 3, utf32) == types.Position(0, 2)


def test_comment_lines_skip_heredocs_and_block_scalars():
    tf = ['resource "aws_iam_policy" "p" {', "  policy = <<EOF", "{", '  "Action": "secretsmanager:*"', "}", "EOF", "}"]
    assert HCL_COMMENTS.string_lines(tf) == {2, 3, 4, 5}
    finding = Finding("SM001", "high", "t", "m", "main.tf", Span(4, 13, 4, 31), "aws_iam_policy.p", "f", (Span(4, 13, 4, 31), Span(3, 1, 5, 2), Span(1, 1, 7, 2)))
    assert server_module.ignore_line(finding, HCL_COMMENTS.string_lines(tf)) == 0
    yaml = ["Policy:", "  Doc: |", "    {", '      "Action": "*"', "    }", "  Other: 1"]
    assert YAML_COMMENTS.string_lines(yaml) == {2, 3, 4}


def test_ignore_edit_extends_an_existing_comment():
    lines = ["  # policylint:ignore=SM002 reviewed", '  Action = "secretsmanager:*"']
    edit = server_module.ignore_edit(lines, 1, "SM001", "\n")
    assert edit.range == types.Range(types.Position(0, 22), types.Position(0, 27))
    assert edit.new_text == "SM002,SM001"
    assert server_module.comment_syntax("a/b.tf.json", "{}") is None
    assert server_module.comment_syntax("t.template", '{"Resources": {}}') is None
    assert server_module.comment_syntax("main.tf", "") is HCL_COMMENTS


def test_cli_does_not_import_pygls():
    code = "import sys; from linter.cli import main; main(['rules']); assert 'pygls' not in sys.modules, 'pygls imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=SERVER_ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


SECRET_POLICY = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "\U0001F600", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},\n'
    '     "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecrett"], "Resource": "*"}\n  ]\n}\n'
)
SECRET_POLICY_FIXED = SECRET_POLICY.replace("DescribeSecrett", "DescribeSecret").replace(
    '"Resource": "*"}', '"Resource": "*", "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}}'
)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions, as a client does), last first."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units, index = 0, 0
        while units < position.character:
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return sum(len(x) + 1 for x in lines[: position.line]) + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.mark.asyncio
async def test_fix_quick_fixes_and_fix_all_apply_in_the_buffer(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [SM003, IAM006]\n")
    uri = (tmp_path / "secret-policy.json").as_uri()
    diagnostics = await published(client, uri, open_doc(client, uri, SECRET_POLICY))
    assert sorted(d.code for d in diagnostics) == ["IAM006", "SM003"]
    typo = next(d for d in diagnostics if d.code == "IAM006")

    (action,) = await code_actions(client, uri, typo)  # JSON: no ignore comment, only the fix
    assert action.title == "Use the action name it is close to: secretsmanager:DescribeSecret (IAM006)" and action.kind == types.CodeActionKind.QuickFix
    (edit,) = action.edit.changes[uri]
    line = SECRET_POLICY.split("\n")[4]
    assert edit.range.start == types.Position(4, utf16(line[: line.index('"secretsmanager:DescribeSecrett"')]))
    once = apply_edits(SECRET_POLICY, action.edit.changes[uri])
    assert once == SECRET_POLICY.replace("DescribeSecrett", "DescribeSecret")
    remaining = await published(client, uri, change_doc(client, uri, once, 2))
    assert [d.code for d in remaining] == ["SM003"]

    # Fix all: asked for by kind (as on save; "source" asks for every source action), one edit that
    # leaves the buffer with no finding.
    diagnostics = await published(client, uri, change_doc(client, uri, SECRET_POLICY, 3))
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=["source"]),
    )
    (fix_all,) = await client.text_document_code_action_async(params)
    assert fix_all.title == "Fix all policylint findings in this file"
    assert fix_all.kind == "source.fixAll.policylint"
    fixed = apply_edits(SECRET_POLICY, fix_all.edit.changes[uri])
    assert fixed == SECRET_POLICY_FIXED
    assert await published(client, uri, change_doc(client, uri, fixed, 4)) == []


@pytest.mark.asyncio
async def test_yaml_quick_fix_sits_beside_the_ignore_comment(client: LanguageClient, tmp_path):
    template = (
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  DbSecretPolicy:\n    Type: AWS::SecretsManager::ResourcePolicy\n'
        "    Properties:\n      SecretId: arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf\n"
        "      ResourcePolicy:\n        Statement:\n"
        '          - {Effect: Deny, Principal: "*", Action: secretsmanager:DeleteSecret, Resource: "*", Condition: {ArnNotEquals: {aws:PrincipalArn: arn:aws:iam::111122223333:role/admin}}}\n'
    )
    uri = (tmp_path / "template.yaml").as_uri()
    diagnostics = await published(client, uri, open_doc(client, uri, template, language="yaml"))
    (sm009,) = [d for d in diagnostics if d.code == "SM009"]
    fix, ignore = await code_actions(client, uri, sm009)
    assert fix.title == "Block public policies (SM009)" and ignore.title.startswith("Ignore SM009")
    fixed = apply_edits(template, fix.edit.changes[uri])
    assert fixed == template + "      BlockPublicPolicy: true\n"
    assert not [d for d in await published(client, uri, change_doc(client, uri, fixed, 2)) if d.code == "SM009"]
