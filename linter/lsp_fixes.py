"""The language server's fixes: a quick fix per fixable diagnostic ("Pin VersionStage to AWSCURRENT") and
"Fix all policylint findings in this file" (`source.fixAll.policylint`), as `WorkspaceEdit`s.

Fixes are planned on the text as the linter reads it (no BOM, LF line ends) and turned into LSP ranges in
the client's units (UTF-16 unless negotiated otherwise); inserted line breaks follow the buffer's. Only the
language server imports this module (it needs lsprotocol).
"""
from __future__ import annotations

from typing import Callable

from lsprotocol import types as lsp

from linter.fixes import Fix, fix_file, plan
from linter.model import Span

# A span as an LSP range in the client's units, exactly as the server positions its diagnostics.
Ranged = Callable[[Span], lsp.Range]

FIX_ALL = "source.fixAll.policylint"


def _linted(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _edit(edit, ranged: Ranged, newline: str) -> lsp.TextEdit:
    return lsp.TextEdit(range=ranged(edit.span), new_text=edit.text.replace("\n", newline))


def _changed_region(before: str, after: str) -> tuple[int, int, str]:
    """The one stretch where two texts differ: start and end offsets in `before`, and its new text."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[len(before) - 1 - end] == after[len(after) - 1 - end]:
        end += 1
    return start, len(before) - end, after[start : len(after) - end]


def fix_actions(uri: str, text: str, lint, display: str, context, ranged: Ranged, diagnostics: list, only) -> list[lsp.CodeAction]:
    """Quick fixes for the given diagnostics that have one, and, when asked for by kind (`only`, as
    editors do on save), the fix-all action. Editors ask for code actions whenever the cursor moves, so
    nothing is linted unless a diagnostic's rule has a fix or fix-all is asked for.

    `lint()` lints the buffer; runs from the folder (`context.root`), where fixes re-lint the buffer."""
    fixable = {r.id for r in context.rules if r.fix}
    quick = (not only or lsp.CodeActionKind.QuickFix.value in only) and any(d.code in fixable for d in diagnostics)
    fix_all = any(FIX_ALL == k or FIX_ALL.startswith(k + ".") for k in only)
    if not (quick or fix_all):
        return []
    report = lint()
    linted = _linted(text)
    fixes = plan(display, linted, report.findings, context.rules, context.settings)
    if not fixes:
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    actions = []
    if quick:
        for diagnostic in diagnostics:
            for fix in _matching(fixes, diagnostic, ranged):
                edits = [_edit(e, ranged, newline) for e in fix.edits]
                actions.append(lsp.CodeAction(
                    title=f"{fix.title} ({fix.rule_id})" + ("" if fix.safe else " [unsafe: review it]"),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=fix.safe,
                    edit=lsp.WorkspaceEdit(changes={uri: edits}),
                ))
    if fix_all and any(f.safe for f in fixes):
        result = fix_file(display, linted, report.findings, context.rules, context.settings, unsafe=False, baseline=context.baseline)
        if result.changed:
            from linter.formats.api import TextEdit
            from linter.loaders.positions import LineIndex

            start, end, new = _changed_region(result.original, result.fixed)
            span = LineIndex(result.original).span(start, end)
            edit = _edit(TextEdit(span, new), ranged, newline)
            actions.append(lsp.CodeAction(
                title="Fix all policylint findings in this file",
                kind=FIX_ALL,
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            ))
    return actions


def _matching(fixes: list[Fix], diagnostic, ranged: Ranged) -> list[Fix]:
    """The fixes of the finding a diagnostic shows: same rule, same range."""
    return [f for f in fixes if diagnostic.code == f.rule_id and ranged(f.span) == diagnostic.range]
