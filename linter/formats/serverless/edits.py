"""Fixes in Serverless Framework files: YAML throughout; resources live under `resources.Resources`."""
from __future__ import annotations

from linter.formats.api import Editing
from linter.formats.cloudformation.edits import add_policy_in, set_attribute_in
from linter.formats.editing import YAML, policy_editing, written_syntax


def editing() -> Editing:
    return policy_editing(
        lambda text, node: written_syntax(text, node, YAML), set_attribute_in(("resources",)), add_policy_in(("resources",))
    )
