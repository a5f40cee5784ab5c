"""Fixes in CloudFormation and SAM templates, YAML (block and flow style) or JSON.

Policies are edited through the shared mapping edits. A resource attribute that is not written yet goes
into the resource's `Properties`, found by parsing the template again with positions: the extracted
resource knows its attributes, not the mapping they live in.
"""
from __future__ import annotations

from linter.formats.api import Editing, TextEdit
from linter.formats.editing import (
    JSON, YAML, Text, add_member, editable, is_flow, policy_editing, render, replace, written_syntax,
)
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


def add_policy_in(resources_at: tuple[str, ...]):
    """`Editing.add_policy` for templates whose `Resources` are under `resources_at`: a new
    `AWS::SecretsManager::ResourcePolicy` named `<secret>Policy`, referring to the secret with `Ref`, with
    public policies blocked (SM009). JSON gets it as the last member of `Resources`; YAML as a block right
    after the secret (the `Resources` mapping must be a block mapping, where a new resource can take its own
    lines). A secret created under a `Condition` gets none: the policy would refer to a secret that some
    deployments do not have."""

    def add_policy(source: str, resource: Resource, document: dict) -> list[TextEdit] | None:
        text = Text(source)
        root = _root(text, resource.path)
        resources = root
        for key in (*resources_at, "Resources"):
            resources = resources.get(key) if resources is not None else None
        name = f"{resource.address}Policy"
        if resources is None or not isinstance(resources.value, dict) or name in resources.value:
            return None
        secret = resources.value.get(resource.address)
        if secret is None or secret.get("Condition") is not None:
            return None
        if syntax(text) == JSON:
            properties = {"SecretId": {"Ref": resource.address}, "BlockPublicPolicy": True, "ResourcePolicy": document}
            return add_member(text, resources, name, {"Type": POLICY_TYPE, "Properties": properties}, JSON)
        key_span = resources.key_spans[resource.address]
        if is_flow(text, resources) or is_flow(text, secret):
            return None
        return [TextEdit(text.line_end(secret.span.end_line), _yaml_policy(text, text.indent_of(key_span), name, resource.address, document))]

    return add_policy


POLICY_TYPE = "AWS::SecretsManager::ResourcePolicy"


def _yaml_policy(text: Text, indent: str, name: str, secret: str, document: dict) -> str:
    """The new resource as YAML block lines at the resources' indentation, statements in flow style."""
    step = "  "
    lines = [
        f"{indent}{name}:",
        f"{indent}{step}Type: {POLICY_TYPE}",
        f"{indent}{step}Properties:",
        f"{indent}{step * 2}SecretId: !Ref {secret}",
        f"{indent}{step * 2}BlockPublicPolicy: true",
        f"{indent}{step * 2}ResourcePolicy:",
        f"{indent}{step * 3}Version: {render(document['Version'], YAML)}",
        f"{indent}{step * 3}Statement:",
    ] + [f"{indent}{step * 4}- {render(statement, YAML)}" for statement in document["Statement"]]
    return "".join(text.newline + line for line in lines)


def editing() -> Editing:
    return policy_editing(
        lambda text, node: written_syntax(text, node, syntax(text)), set_attribute_in(()), add_policy_in(())
    )
