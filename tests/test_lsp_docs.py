"""The language server's rule documentation and pull diagnostics, driven by a real LSP client (pytest-lsp):
hover on a diagnostic, the "Show rule documentation" action, `textDocument/diagnostic` for clients that pull."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from linter.lsp_docs import hover_markdown
from linter.rules import load_rules
from test_lsp import SERVER_ENV, TIMEOUT, WILDCARD, client, open_doc, published, utf16  # noqa: F401 - `client` is a fixture

SM001 = next(rule for rule in load_rules() if rule.id == "SM001")
ELEMENT = '"secretsmanager:*"'


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp"], server_env=SERVER_ENV)
)
async def pull_client(lsp_client: LanguageClient, tmp_path):
    """A client that pulls diagnostics (Neovim 0.11's capabilities), and takes refresh requests (as VS Code's
    newer versions do)."""
    capabilities = client_capabilities("neovim@v0.11.0")
    assert capabilities.text_document.diagnostic is not None
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    params = types.InitializeParams(
        capabilities=capabilities,
        root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="workspace")],
        initialization_options={"debounce_ms": 50},
    )
    result = await lsp_client.initialize_session(params)
    assert result.capabilities.diagnostic_provider.inter_file_dependencies is True
    yield
    await lsp_client.shutdown_session()


def _element_range(encoding: str = "utf-16") -> types.Range:
    """Where the action is, in the negotiated units (the emoji before it: 2 UTF-16 units, 4 UTF-8 bytes)."""
    prefix = WILDCARD[: WILDCARD.index(ELEMENT)]
    start = utf16(prefix) if encoding == "utf-16" else len(prefix.encode(encoding))
    return types.Range(types.Position(0, start), types.Position(0, start + len(ELEMENT)))


async def _hover(client: LanguageClient, uri: str, position: types.Position) -> types.Hover | None:
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    return await client.text_document_hover_async(params)


@pytest.mark.asyncio
async def test_hover_on_a_diagnostic_explains_the_rule(client: LanguageClient, tmp_path):
    uri = (tmp_path / "p.json").as_uri()
    (tmp_path / ".policylint.yaml").write_text("select: [SM001]\n")
    (diagnostic,) = await published(client, uri, open_doc(client, uri, WILDCARD))
    assert diagnostic.range == _element_range()
    hover = await _hover(client, uri, types.Position(0, diagnostic.range.start.character + 3))
    assert hover.contents.kind == types.MarkupKind.Markdown and hover.range == diagnostic.range
    text = hover.contents.value
    assert text == hover_markdown(SM001, diagnostic.message)
    assert text.startswith("**SM001: Wildcard Secrets Manager action** (high)\n\n" + diagnostic.message)
    assert f"**Why it matters**\n\n{SM001.rationale}" in text and f"**How to fix it**\n\n{SM001.remediation}" in text
    assert await _hover(client, uri, types.Position(0, 1)) is None  # not on a diagnostic


@pytest.mark.asyncio
async def test_show_rule_documentation_opens_the_rule_page(client: LanguageClient, tmp_path):
    uri = (tmp_path / "p.json").as_uri()
    (tmp_path / ".policylint.yaml").write_text("select: [SM001]\n")
    (diagnostic,) = await published(client, uri, open_doc(client, uri, WILDCARD))
    params = types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
                                    context=types.CodeActionContext(diagnostics=[diagnostic]))
    narrow, command = await client.text_document_code_action_async(params)  # the unsafe narrowing, then the docs
    assert narrow.title.startswith("Narrow the wildcard") and not narrow.is_preferred
    assert command.title == "Show rule documentation (SM001)"
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=list(command.arguments)))
    (shown,) = client.shown_documents
    page = Path(shown.uri.removeprefix("file://"))
    assert shown.take_focus is True and page.name == "SM001.md"
    from linter.docs import rule_markdown

    assert page.read_text() == rule_markdown(SM001)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=[uri, "SM999"]))
    assert [m.message for m in client.messages] == ["policylint: no rule SM999"]


@pytest.mark.asyncio
async def test_pull_client_gets_diagnostics_on_request_and_no_push(pull_client: LanguageClient, tmp_path):
    uri = (tmp_path / "p.json").as_uri()
    (tmp_path / ".policylint.yaml").write_text("select: [SM001]\n")
    open_doc(pull_client, uri, WILDCARD)()
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert report.kind == "full"
    (diagnostic,) = report.items
    # Neovim offers UTF-8 positions first, and the server takes them.
    assert (diagnostic.code, diagnostic.range, diagnostic.source) == ("SM001", _element_range("utf-8"), "policylint")
    assert uri not in pull_client.diagnostics  # a push would have arrived before the answer: one list only
    hover = await _hover(pull_client, uri, diagnostic.range.start)
    assert hover.contents.value.startswith("**SM001: ")

    # A changed configuration: the server asks the client to pull again.
    config = tmp_path / ".policylint.yaml"
    config.write_text("select: [SM002]\n")
    config_uri = config.as_uri()
    open_doc(pull_client, config_uri, "select: [SM002]\n", language="yaml")()
    before = pull_client.diagnostic_refresh_count
    pull_client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config_uri)))
    deadline = time.monotonic() + TIMEOUT
    while pull_client.diagnostic_refresh_count == before:
        assert time.monotonic() < deadline, "no workspace/diagnostic/refresh after the config changed"
        await asyncio.sleep(0.005)
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in report.items] == []  # SM002 does not fire on a single secret's ARN


def test_hover_markdown_without_message():
    text = hover_markdown(SM001)
    assert text.startswith("**SM001: Wildcard Secrets Manager action** (high)\n\n**Why it matters**")
    assert text.endswith("`policylint explain SM001`.")


@pytest.mark.asyncio
async def test_mistyped_suppression_is_a_warning_on_the_comment(client: LanguageClient, tmp_path):
    text = ('resource "aws_iam_policy" "p" {\n  # policylint: ignore=SM001 reviewed\n'
            '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })\n}\n')
    uri = (tmp_path / "main.tf").as_uri()
    (tmp_path / ".policylint.yaml").write_text("select: [SM001]\n")
    diagnostics = await published(client, uri, open_doc(client, uri, text, language="terraform"))
    (typo,) = [d for d in diagnostics if d.code is None]
    assert typo.range == types.Range(types.Position(1, 2), types.Position(1, len("  # policylint: ignore=SM001 reviewed")))
    assert typo.severity == types.DiagnosticSeverity.Warning and typo.tags is None
    assert typo.message.startswith("'policylint: ignore' is not a policylint directive")
    assert [d.code for d in diagnostics if d.code] == ["SM001"]  # the typo suppressed nothing


@pytest.mark.asyncio
async def test_rule_id_links_to_the_configured_docs_site_only(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [SM001]\nrule_docs_url: https://docs.corp.test/policylint/{id}.html\n")
    uri = (tmp_path / "p.json").as_uri()
    (diagnostic,) = await published(client, uri, open_doc(client, uri, WILDCARD))
    assert diagnostic.code_description.href == "https://docs.corp.test/policylint/SM001.html"
