"""Rule documentation for the language server: hover text and the "Show rule documentation" action.

Both work offline, from the rule files: the hover says what `policylint explain ID` says first (the rule's
title and severity, why it matters, how to fix it) in Markdown; the action opens the rule's full page (the
one `python -m linter.docs` writes to docs/rules/), written to the user's cache directory so that any
editor can open it as a file. No pygls import here: these are plain functions, tested on their own.
"""
from __future__ import annotations

import os
from pathlib import Path


def hover_markdown(rule, message: str | None = None) -> str:
    """The hover of a diagnostic: `**SM001: title** (severity)`, the finding's message, why, how to fix."""
    parts = [f"**{rule.id}: {rule.title}** ({rule.severity})"]
    if message:
        parts += ["", message]
    parts += ["", "**Why it matters**", "", rule.rationale, "", "**How to fix it**", "", rule.remediation, "",
              f"More, with examples and options: `policylint explain {rule.id}`."]
    return "\n".join(parts)


def documentation_file(rule) -> Path:
    """The rule's documentation page as a Markdown file in the cache (`$XDG_CACHE_HOME/policylint/docs`),
    rewritten each time so that it matches the rules the server runs (the user's own rules included)."""
    from linter.docs import rule_markdown

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "policylint" / "docs" / f"{rule.id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rule_markdown(rule), encoding="utf-8")
    return path
