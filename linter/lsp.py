"""`policylint lsp`: a language server (stdio) that shows findings as diagnostics while you edit.

Editors send the unsaved buffer; it is linted as if it were the file at its path (`pipeline.run` with
`sources`, as `--stdin-filename` does), so a Terraform file is still resolved against its sibling files on
disk. Each workspace folder lints as `policylint check` run from that folder would: its config file, rule
directories and baseline, and paths relative to it. Linting runs on one worker thread, off the
protocol loop: a slow file delays its own diagnostics, never the server. Anything that goes wrong while
linting becomes a diagnostic, never a dead server. This module imports pygls at the top, so only the `lsp`
command may import it (the CLI stays fast).
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from linter import __version__
from linter.config import Settings
from linter.discover import SourceFile
from linter.formats.api import CommentSyntax
from linter.formats.registry import untitled_suffix
from linter.lsp_units import DiskState, Results, context_inputs, disk_state, lint_kept, settled_state, warm_up_steps
from linter.model import FileError, Finding
from linter.records import dataclass, field
from linter.severity import SEVERITIES

SOURCE = "policylint"
DEBOUNCE_SECONDS = 0.3
LINT_DEADLINE_SECONDS = 30.0  # a lint still running then is abandoned for that version
WARM_UP_GRACE_SECONDS = 0.25  # after `initialized`, before the warm-up lints examples: time for the first didOpen
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a larger message is skipped, never read into memory
MAX_HEADER_BYTES = 64 * 1024
IGNORE_REASON = "TODO: say why this is acceptable"
# Suffixes for buffers that have no file yet (`untitled:` URIs), by the editor's language id.
# Saving one of these can change what every open document should show.
CONFIG_NAMES = {"pyproject.toml", ".policylint.yaml", ".policylint.yml"}

_RULE_ID = re.compile(r"^[A-Z]+[0-9]+$")

logger = logging.getLogger("policylint.lsp")


# --- positions ------------------------------------------------------------------------------------------


def buffer_lines(text: str) -> list[str]:
    """The buffer's lines as the linter numbers them (it drops a BOM and reads CRLF and a lone CR as LF)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def to_position(lines: list[str], line: int, column: int, codec: PositionCodec) -> lsp.Position:
    """A 1-based line and character column as an LSP position: 0-based, in the client's units (UTF-16
    code units unless the client negotiated otherwise; a character outside the BMP counts twice)."""
    if line > len(lines):  # past the end of the buffer: its last character
        return lsp.Position(len(lines) - 1, _units(lines[-1], codec))
    index = max(line - 1, 0)
    return lsp.Position(index, _units(lines[index][: max(column - 1, 0)], codec))


def _units(text: str, codec: PositionCodec) -> int:
    """`text`'s length in the client's units: one per character for ASCII in every encoding (the common case,
    counted without a Python loop over the characters)."""
    return len(text) if text.isascii() else codec.client_num_units(text)


def to_range(lines: list[str], line: int, column: int, end_line: int, end_column: int, codec: PositionCodec) -> lsp.Range:
    return lsp.Range(to_position(lines, line, column, codec), to_position(lines, end_line, end_column, codec))


# --- where an ignore comment can go ---------------------------------------------------------------------


def comment_syntax(path: str, text: str) -> CommentSyntax | None:
    """How comments are written in this buffer, by its format; None where it has none (JSON)."""
    from linter.formats.api import Source
    from linter.formats.registry import claim

    source = Source(SourceFile(Path(path), path), text.removeprefix("\ufeff").replace("\r\n", "\n"))
    fmt = claim(source)
    return fmt.comments(source) if fmt is not None else None


def ignore_line(finding: Finding, unsafe: set[int]) -> int | None:
    """0-based line above which an ignore comment covers the finding: the first line of its element, else of
    the statement, document or resource around it, skipping lines inside strings (a JSON heredoc)."""
    for span in (finding.span, *finding.context):
        if span.line - 1 not in unsafe:
            return span.line - 1
    return None


# --- diagnostics ----------------------------------------------------------------------------------------


def finding_diagnostic(
    finding: Finding, lines: list[str], codec: PositionCodec, insert_at: int | None, docs_url: str | None = None
) -> lsp.Diagnostic:
    """The finding on its exact range; the rule id links to `rule_docs_url` when the config sets one (offline,
    hover and the "Show rule documentation" action give the same text)."""
    s = finding.span
    return lsp.Diagnostic(
        range=to_range(lines, s.line, s.column, s.end_line, s.end_column, codec),
        message=finding.message,
        severity=lsp.DiagnosticSeverity(SEVERITIES[finding.severity].lsp),
        code=finding.rule_id,
        code_description=lsp.CodeDescription(href=docs_url.replace("{id}", finding.rule_id)) if docs_url else None,
        source=SOURCE,
        data=None if insert_at is None else {"ignore_line": insert_at},
    )


def error_diagnostic(message: str, lines: list[str], codec: PositionCodec, line: int = 1, column: int = 1) -> lsp.Diagnostic:
    """An input or internal error, from its position to the end of that line (so it is visible)."""
    index = min(max(line - 1, 0), len(lines) - 1)
    end = max(len(lines[index]) + 1, column)
    return lsp.Diagnostic(
        range=to_range(lines, line, column, line, end, codec),
        message=message,
        severity=lsp.DiagnosticSeverity.Error,
        source=SOURCE,
    )


@dataclass(slots=True)
class FolderContext:
    """What a workspace folder lints with: its settings and rules (shipped plus its own rule directories)."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    rules: list = field(default_factory=list)
    baseline: list | None = None  # entries of the configured baseline file, if any
    error: str | None = None  # a config, rule-file or baseline error, shown on every document of the folder


def folder_context(root: Path) -> FolderContext:
    """Settings from the config file found from `root` upwards (paths in it are already absolute)."""
    from linter import baseline
    from linter.config import check_rule_options, discover_settings
    from linter.rules import load_rules

    context = FolderContext(root)
    try:
        context.settings = discover_settings(root)
        context.rules = load_rules(context.settings.rules_dirs)
        check_rule_options(context.settings, context.rules)
        if context.settings.baseline:
            context.baseline = baseline.load(context.settings.baseline)
    except Exception as exc:  # noqa: BLE001 - a broken config must show up in the editor, not kill the server
        context.error = f"policylint configuration error: {exc}"
        if not context.rules:
            try:
                context.rules = load_rules()
            except Exception:  # noqa: BLE001
                context.rules = []
    return context


def _run_in(context: FolderContext, display: str, text: str):
    """`policylint check <display>` from the folder, with the buffer standing in for the file. Only the lint
    worker thread changes the working directory; nothing else in the server uses relative paths."""
    from linter.pipeline import run

    return _in_folder(
        context, lambda: run([display], context.rules, context.settings, jobs=1, sources={display: text}, baseline=context.baseline)
    )


def _in_folder(context: FolderContext, work):
    """`work()` run from the folder (relative paths, sibling files): on the lint worker thread only."""
    previous = os.getcwd()
    os.chdir(context.root)
    try:
        return work()
    finally:
        os.chdir(previous)


def _log_failure(what: str, exc: BaseException) -> None:
    """Log where linting failed without the exception's text, which may quote the buffer (and its secrets)."""
    import traceback

    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("linting %s failed: %s\n%s", what, type(exc).__name__, frames)


def buffer_fixes(uri: str, text: str, display: str, context: FolderContext, codec: PositionCodec, diagnostics, only) -> list:
    """Fix quick fixes and fix-all for a buffer (`linter.lsp_fixes`), planned from the folder."""
    from linter.lsp_fixes import fix_actions

    lines = buffer_lines(text)

    def ranged(span) -> lsp.Range:
        return to_range(lines, span.line, span.column, span.end_line, span.end_column, codec)

    return _in_folder(context, lambda: fix_actions(uri, text, lambda: _run_in(context, display, text), display, context, ranged, diagnostics, only))


def unused_diagnostic(unused, lines: list[str], codec: PositionCodec) -> lsp.Diagnostic:
    """A suppression comment that covers nothing: a warning on the comment, so stale ones get removed."""
    s = unused.suppression.declared
    return lsp.Diagnostic(
        range=to_range(lines, s.line, s.column, s.end_line, s.end_column, codec),
        message=unused.problem,
        severity=lsp.DiagnosticSeverity.Warning,
        source=SOURCE,
        tags=None if unused.suppression.problem else [lsp.DiagnosticTag.Unnecessary],  # a typo is not dead code
    )


def lint_buffer(text: str, display: str, context: FolderContext, codec: PositionCodec) -> list[lsp.Diagnostic]:
    """Diagnostics for one buffer; every failure becomes a diagnostic (the server must outlive bad input)."""
    lines = buffer_lines(text)
    found: list[lsp.Diagnostic] = []
    if context.error:
        found.append(error_diagnostic(context.error, lines, codec))
    try:
        report = _run_in(context, display, text)
    except Exception as exc:  # noqa: BLE001
        _log_failure(display, exc)
        return found + [error_diagnostic(f"policylint could not lint this buffer ({type(exc).__name__}; see the server log)", lines, codec)]
    syntax = comment_syntax(display, text)
    unsafe = syntax.string_lines(lines) if syntax else set()
    errors: list[FileError] = [e for e in report.errors if e.path == display]
    found += [error_diagnostic(e.message, lines, codec, e.line, e.column) for e in errors]
    found += [unused_diagnostic(u, lines, codec) for u in report.unused_suppressions if u.suppression.path == display]
    found += [
        finding_diagnostic(f, lines, codec, ignore_line(f, unsafe) if syntax else None, context.settings.rule_docs_url)
        for f in report.findings
        if f.path == display
    ]
    return found


# --- code actions ---------------------------------------------------------------------------------------


def ignore_edit(lines: list[str], line: int, rule_id: str, newline: str, marker: str = "#") -> lsp.TextEdit:
    """Insert `# policylint:ignore=RULE reason` above `line`, or add the rule to an ignore comment already there."""
    above = lines[line - 1] if 0 < line <= len(lines) else ""
    existing = re.match(rf"^(\s*{re.escape(marker)}\s*policylint:ignore=)([A-Za-z0-9_,]+)", above)
    if existing:
        ids = existing.group(2).split(",")
        start = len(existing.group(1))
        new_ids = ",".join(ids if rule_id in ids else ids + [rule_id])
        where = lsp.Range(lsp.Position(line - 1, start), lsp.Position(line - 1, start + len(existing.group(2))))
        return lsp.TextEdit(range=where, new_text=new_ids)
    text = lines[line] if line < len(lines) else ""
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    comment = f"{indent}{marker} policylint:ignore={rule_id} {IGNORE_REASON}{newline}"
    return lsp.TextEdit(range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)), new_text=comment)


def _diagnostic_ignore_line(diagnostic: lsp.Diagnostic, unsafe: set[int]) -> int | None:
    data = diagnostic.data
    if isinstance(data, dict) and isinstance(data.get("ignore_line"), int):
        return data["ignore_line"]
    line = diagnostic.range.start.line  # a client that drops `data`: the diagnostic's own line, if safe
    return None if line in unsafe else line


def ignore_actions(uri: str, path: str, text: str, diagnostics: list[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """Quick fixes that suppress policylint diagnostics with a comment (none for JSON: it has no comments)."""
    syntax = comment_syntax(path, text)
    if syntax is None:
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split("\n")
    unsafe = syntax.string_lines(buffer_lines(text))
    actions, seen = [], set()
    for diagnostic in diagnostics:
        rule_id = diagnostic.code
        if diagnostic.source != SOURCE or not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
            continue
        line = _diagnostic_ignore_line(diagnostic, unsafe)
        if line is None or (rule_id, line) in seen:
            continue
        seen.add((rule_id, line))
        edit = ignore_edit([x.rstrip("\r") for x in lines], line, rule_id, newline, syntax.markers[0])
        actions.append(
            lsp.CodeAction(
                title=f"Ignore {rule_id} here (# policylint:ignore)",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


SHOW_DOCUMENTATION = "policylint.showRuleDocumentation"


def _contains(where: lsp.Range, position: lsp.Position) -> bool:
    start, end = where.start, where.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)


def documentation_actions(diagnostics: list[lsp.Diagnostic], uri: str) -> list[lsp.Command]:
    """One "Show rule documentation" command per rule among the policylint diagnostics (works offline).
    A bare Command is a valid code action result; editors list it with the quick fixes."""
    commands, seen = [], set()
    for diagnostic in diagnostics:
        rule_id = diagnostic.code
        if diagnostic.source != SOURCE or not isinstance(rule_id, str) or not _RULE_ID.match(rule_id) or rule_id in seen:
            continue
        seen.add(rule_id)
        commands.append(lsp.Command(title=f"Show rule documentation ({rule_id})", command=SHOW_DOCUMENTATION,
                                    arguments=[uri, rule_id]))
    return commands


# --- the server -----------------------------------------------------------------------------------------


class _Protocol(LanguageServerProtocol):
    """pygls 2 files a future for every handler it runs, notifications included, and only requests' futures
    are ever removed: each didOpen/didClose would leak one (memory grew ~8 KB per open/close). Each future is
    forgotten once done; a request's is then already answered."""

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._forget(msg_id, done))

    def _forget(self, msg_id, future) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


class PolicylintServer(LanguageServer):
    """Keeps per-folder settings and one pending debounced lint per document."""

    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__("policylint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
                         protocol_cls=_Protocol)
        self.debounce = debounce
        self.deadline = LINT_DEADLINE_SECONDS
        self.shut_down = False
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policylint-lint")
        self.pending: dict[str, asyncio.Task] = {}
        self.contexts: dict[Path, FolderContext] = {}  # read and filled on the worker thread only
        self.context_states: dict[Path, DiskState | None] = {}  # what each context was read from (worker only)
        self.open_uris: set[str] = set()  # as the client spells them, to publish under the same URI
        self.latest: dict[str, list[lsp.Diagnostic]] = {}  # last diagnostics per URI, for hover and actions
        self.pull = False  # the client pulls diagnostics (textDocument/diagnostic): do not push them too
        self.refresh = False  # the client accepts workspace/diagnostic/refresh (pull clients re-ask on reload)
        self.show_document = False  # the client can open a file on request (window/showDocument)
        self.results = Results()  # last diagnostics per URI with what they depend on (worker thread only)
        self.linting = 0  # lints waiting for or running on the worker: the warm-up yields to them
        self.warming: asyncio.Task | None = None

    def open_document(self, uri: str) -> TextDocument | None:
        return self.workspace.text_documents.get(unquote(uri))

    def roots(self) -> list[Path]:
        """The workspace folders, then the root."""
        roots = [Path(p) for p in (self._folder_path(f.uri) for f in self.workspace.folders.values()) if p]
        if self.workspace.root_path:
            roots.append(Path(self.workspace.root_path))
        return list(dict.fromkeys(roots))

    def folder_of(self, path: Path) -> Path:
        """The innermost workspace folder holding `path`, else the root, else the file's own directory."""
        holding = [r for r in self.roots() if path.is_relative_to(r)]
        return max(holding, key=lambda r: len(r.parts)) if holding else path.parent

    @staticmethod
    def _folder_path(uri: str) -> str | None:
        from pygls.uris import to_fs_path

        return to_fs_path(uri)

    def context_for(self, root: Path) -> FolderContext:
        """The folder's context, read again when a file it was read from changed (even unannounced)."""
        context = self.contexts.get(root)
        state = self.context_states.get(root)
        if context is None or state is None or disk_state(p for p, _ in state) != state:
            started = time.time_ns()
            context = self.contexts[root] = folder_context(root)
            self.context_states[root] = settled_state(context_inputs(root, context.settings), started)
        return context

    def place(self, doc: TextDocument) -> tuple[Path, str | None, Path]:
        """Where a document lints as: its path, its display path (relative to its folder; None for a
        directory, which is never linted), its folder (the nearest one that exists)."""
        if doc.uri.startswith("file:") and doc.path:
            path = Path(doc.path)
        else:  # an unsaved `untitled:` buffer: pretend it lives in the workspace root
            suffix = untitled_suffix(doc.language_id or "") or Path(doc.filename or "").suffix
            base = Path(self.workspace.root_path or Path.cwd())
            path = base / f"untitled{suffix}"
        if path.is_dir():
            return path, None, path
        root = self.folder_of(path)
        while not root.is_dir() and root != root.parent:  # an unsaved buffer in a folder not created yet
            root = root.parent
        display = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        return path, display, root

    async def lint(self, uri: str) -> None:
        """Lint the open document's current text and publish (to push clients), unless it changed or closed
        meanwhile."""
        result = await self.diagnose(uri)
        if result is None or self.pull:
            return
        version, diagnostics = result
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    async def diagnose(self, uri: str) -> tuple[int | None, list[lsp.Diagnostic]] | None:
        """The open document's diagnostics and the version they are for (None: closed or changed meanwhile);
        kept in `latest` for hover and code actions."""
        doc = self.open_document(uri)
        if doc is None:
            return None
        version, text = doc.version, doc.source
        loop = asyncio.get_running_loop()
        self.linting += 1
        try:
            _, display, root = self.place(doc)
            if display is None:  # a directory (`file:///`): nothing to lint, and never a walk of it
                return None
            context = await loop.run_in_executor(self.worker, self.context_for, root)
            codec = doc.position_codec
            lint = partial(lint_buffer, text, display, context, codec)
            key = (display, text, codec.encoding)
            diagnostics = await asyncio.wait_for(
                loop.run_in_executor(self.worker, lint_kept, self.results, uri, key, context, lint,
                                     lambda: uri in self.open_uris),
                self.deadline,
            )
        except asyncio.TimeoutError:
            logger.warning("linting %s took longer than %s s; its result for version %s is abandoned", uri, self.deadline, version)
            diagnostics = [error_diagnostic(f"policylint gave up on this version after {self.deadline:g} s (the buffer "
                                            "is too large or too complex)", buffer_lines(text), doc.position_codec)]
        except Exception as exc:  # noqa: BLE001 - never let one document take the server down
            _log_failure(uri, exc)
            diagnostics = [error_diagnostic(f"policylint failed ({type(exc).__name__}; see the server log)", buffer_lines(text), doc.position_codec)]
        finally:
            self.linting -= 1
        current = self.open_document(uri)
        if current is None or current.version != version:
            return None
        self.latest[uri] = diagnostics
        return version, diagnostics

    def rule_for(self, uri: str, rule_id: str):
        """The rule a diagnostic names, from the rules of the document's folder (the user's own included)."""
        doc = self.open_document(uri)
        if doc is None:
            return None
        _, _, root = self.place(doc)
        return next((r for r in self.context_for(root).rules if r.id == rule_id), None)

    async def fix_actions(self, doc: TextDocument, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        """Fix quick fixes and fix-all for the document, planned on the lint worker."""
        _, display, root = self.place(doc)
        if display is None:
            return []
        loop = asyncio.get_running_loop()
        context = await loop.run_in_executor(self.worker, self.context_for, root)
        only = [getattr(k, "value", k) for k in params.context.only or []]
        diagnostics = list(params.context.diagnostics)
        return await loop.run_in_executor(
            self.worker, buffer_fixes, doc.uri, doc.source, display, context, doc.position_codec, diagnostics, only
        )

    def schedule(self, uri: str, delay: float) -> None:
        """(Re)start the document's lint timer: typing fast lints once, after a pause."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._later(uri, delay))

    async def _later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.pending.pop(uri, None)
        await self.lint(uri)

    def forget(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.latest.pop(uri, None)
        self.worker.submit(self.results.forget, uri)
        if not self.pull:
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def reload(self) -> None:
        """Configuration or rule files changed: re-read them and re-lint every open document."""
        self.contexts.clear()
        self.worker.submit(self.results.clear)
        if self.pull and self.refresh:
            self.workspace_diagnostic_refresh(None)
        for uri in sorted(self.open_uris):
            self.schedule(uri, 0)

    async def warm_up(self) -> None:
        """Load what the first lint would (see `linter.lsp_units`), one worker step at a time, each only while
        no lint is waiting: a document opened meanwhile waits for one step at most."""
        loop = asyncio.get_running_loop()
        folders, examples = warm_up_steps([root for root in self.roots() if root.is_dir()], self.context_for)
        for index, step in enumerate(folders + examples):
            if index == len(folders):
                await asyncio.sleep(WARM_UP_GRACE_SECONDS)
            while self.linting or self.pending:
                await asyncio.sleep(0.01)
            if self.shut_down:
                return
            try:
                await loop.run_in_executor(self.worker, step)
            except Exception as exc:  # noqa: BLE001 - a failed warm-up only leaves work to the first lint
                _log_failure("the warm-up", exc)

    def is_config(self, path: str | None) -> bool:
        if not path:
            return False
        p = Path(path)
        if p.name in CONFIG_NAMES:
            return True
        return p.suffix in (".yaml", ".yml") and any(
            p.is_relative_to(Path(d)) for c in self.contexts.values() for d in c.settings.rules_dirs
        )


def create_server(debounce: float = DEBOUNCE_SECONDS) -> PolicylintServer:
    """A server with every feature registered (a function, so that importing this module starts nothing)."""
    server = PolicylintServer(debounce)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: PolicylintServer, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce_ms"), (int, float)):
            ls.debounce = max(0.0, options["debounce_ms"] / 1000)
        capabilities = params.capabilities
        ls.pull = bool(capabilities.text_document and capabilities.text_document.diagnostic)
        diagnostics = capabilities.workspace.diagnostics if capabilities.workspace else None
        ls.refresh = bool(diagnostics and diagnostics.refresh_support)
        window = capabilities.window
        ls.show_document = bool(window and window.show_document and window.show_document.support)

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: PolicylintServer, params: lsp.InitializedParams) -> None:
        ls.warming = asyncio.ensure_future(ls.warm_up())

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: PolicylintServer, *args) -> None:
        ls.shut_down = True
        if ls.warming is not None:
            ls.warming.cancel()
        for task in ls.pending.values():
            task.cancel()
        ls.pending.clear()

    @server.feature(lsp.EXIT)
    def exit_now(ls: PolicylintServer, *args) -> None:
        """End the process now, whatever the lint thread is doing (an orderly exit would wait for it, and for
        the thread blocked reading standard input)."""
        import sys

        sys.stdout.flush()
        os._exit(0 if ls.shut_down else 1)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: PolicylintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.open_uris.add(params.text_document.uri)
        await ls.lint(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PolicylintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    async def did_save(ls: PolicylintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        doc = ls.open_document(params.text_document.uri)
        if doc is not None and ls.is_config(doc.path):
            ls.reload()
            return
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PolicylintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.open_uris.discard(params.text_document.uri)
        ls.forget(params.text_document.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: PolicylintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        from pygls.uris import to_fs_path

        if any(ls.is_config(to_fs_path(change.uri)) for change in params.changes):
            ls.reload()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: PolicylintServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        ls.reload()

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, "source.fixAll.policylint"]),
    )
    async def code_action(ls: PolicylintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction | lsp.Command] | None:
        doc = ls.open_document(params.text_document.uri)
        if doc is None:
            return None
        diagnostics = list(params.context.diagnostics)
        try:
            fixes = await ls.fix_actions(doc, params)
            only = params.context.only
            if only and not any(getattr(k, "value", k) == lsp.CodeActionKind.QuickFix.value for k in only):
                return fixes  # a source action was asked for (fix all, e.g. on save)
            actions = fixes + ignore_actions(params.text_document.uri, doc.path or "", doc.source, diagnostics)
        except Exception as exc:  # noqa: BLE001 - a failed quick fix is no reason to fail the request loudly
            _log_failure(f"code actions of {params.text_document.uri}", exc)
            actions = []
        return actions + documentation_actions(diagnostics, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False))
    async def pull_diagnostics(ls: PolicylintServer, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
        """Pull diagnostics: lint now (no debounce) and answer with the full list."""
        result = await ls.diagnose(params.text_document.uri)
        return lsp.RelatedFullDocumentDiagnosticReport(items=result[1] if result else [])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: PolicylintServer, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        under = [d for d in ls.latest.get(uri, []) if d.source == SOURCE and isinstance(d.code, str)
                 and _RULE_ID.match(d.code) and _contains(d.range, params.position)]
        if not under:
            return None
        loop = asyncio.get_running_loop()
        rules = await loop.run_in_executor(ls.worker, lambda: [ls.rule_for(uri, d.code) for d in under])
        from linter.lsp_docs import hover_markdown

        texts = [hover_markdown(rule, d.message) for d, rule in zip(under, rules) if rule is not None]
        if not texts:
            return None
        markdown = "\n\n---\n\n".join(dict.fromkeys(texts))
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=markdown), range=under[0].range)

    @server.command(SHOW_DOCUMENTATION)
    async def show_documentation(ls: PolicylintServer, *args) -> None:
        """Open the rule's documentation: as a Markdown file in the editor, else as a message."""
        if len(args) != 2 or not all(isinstance(a, str) for a in args):
            return None
        uri, rule_id = args
        loop = asyncio.get_running_loop()
        rule = await loop.run_in_executor(ls.worker, ls.rule_for, uri, rule_id)
        if rule is None:
            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"policylint: no rule {rule_id}"))
            return None
        if ls.show_document:
            from linter.lsp_docs import documentation_file

            page = await loop.run_in_executor(ls.worker, documentation_file, rule)
            await ls.window_show_document_async(lsp.ShowDocumentParams(uri=page.as_uri(), take_focus=True))
        else:
            from linter.report.rules_format import explain

            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=explain(rule)))
        return None

    return server


class BoundedInput:
    """Standard input for the protocol loop, with every read bounded: a header line longer than
    MAX_HEADER_BYTES is cut, and a message body larger than MAX_MESSAGE_BYTES is read through in chunks and
    dropped (the stream stays in step; `Content-Length: 99999999999` costs no memory)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        return self.stream.readline(MAX_HEADER_BYTES)

    def read(self, size: int) -> bytes:
        if size <= MAX_MESSAGE_BYTES:
            return self.stream.read(size)
        logger.warning("skipping a message of %d bytes (the limit is %d)", size, MAX_MESSAGE_BYTES)
        left = size
        while left > 0:
            chunk = self.stream.read(min(left, 1 << 20))
            if not chunk:
                return b""  # the client went away
            left -= len(chunk)
        return b"null"  # handled as a malformed message: logged, and the server goes on


def main(debounce: float = DEBOUNCE_SECONDS) -> int:
    """Serve over stdin/stdout until the client says exit."""
    import sys

    logging.basicConfig(level=logging.WARNING, format="policylint-lsp %(levelname)s %(message)s")
    create_server(debounce).start_io(stdin=BoundedInput(sys.stdin.buffer))
    return 0

