"""Fixes in CloudFormation and SAM templates, YAML (block and flow style) or JSON.

Policies are edited through the shared mapping edits. A resource attribute that is not written yet goes
into the resource's `Properties`, found by parsing the template again with positions: the extracted
resource knows its attributes, not the mapping they live in.
"""
from __future__ import annotations

from linter.formats.api import Editing, TextEdit
from linter.formats.editing import JSON, YAML, Text, add_member, editable, policy_editing, replace, written_syntax
from linter.model import Node, Resource


def syntax(text: Text) -> str:
    """A template is JSON when it starts like JSON (whatever its suffix), YAML otherwise."""
    return JSON if text.text.lstrip().startswith("{") else YAML


def _root(text: Text, path: str) -> Node | None:
    from linter.formats.cloudformation.syntax import INTRINSIC_TAGS
    from linter.loaders import jsonpos, yamlpos

    try:
        if syntax(text) == JSON:
            return jsonpos.parse(text.text, path)
        return yamlpos.load(text.text, path, INTRINSIC_TAGS)
    except (jsonpos.JSONSyntaxError, yamlpos.YAMLSyntaxError):
        return None


def properties(root: Node | None, resources_at: tuple[str, ...], logical_id: str) -> Node | None:
    """The `Properties` mapping of a resource, under the keys `resources_at` lead to `Resources`."""
    node = root
    for key in (*resources_at, "Resources", logical_id, "Properties"):
        node = node.get(key) if node is not None else None
    return node if node is not None and isinstance(node.value, dict) else None


def set_attribute_in(resources_at: tuple[str, ...]):
    """`Editing.set_attribute` for templates whose `Resources` are under `resources_at` (Serverless:
    `resources`); the attribute is written under its CloudFormation name."""

    def set_attribute(source: str, resource: Resource, name: str, value: object) -> list[TextEdit] | None:
        text = Text(source)
        existing = resource.attributes.get(name)
        if existing is not None:
            return replace(text, existing, value, syntax(text)) if editable(existing, resource.path) else None
        written = resource.written_names.get(name)
        props = properties(_root(text, resource.path), resources_at, resource.address)
        if written is None or props is None:
            return None
        return add_member(text, props, written, value, syntax(text))

    return set_attribute


def editing() -> Editing:
    return policy_editing(lambda text, node: written_syntax(text, node, syntax(text)), set_attribute_in(()))
