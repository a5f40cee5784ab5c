"""Fixes in standalone JSON policy files: every element is JSON."""
from __future__ import annotations

from linter.formats.api import Editing
from linter.formats.editing import JSON, policy_editing


def editing() -> Editing:
    return policy_editing(lambda text, node: JSON)
