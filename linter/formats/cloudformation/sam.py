"""SAM `Policies`: inline documents, and policy templates expanded to the statements SAM generates.

All SAM policy templates are AWS's own definitions, shipped as data (`linter/data/sam-policy-templates.json`,
made by `scripts/refresh_data.py` from SAM's `policy_templates.json`; see its NOTICE). A definition is a
policy document whose `Ref`s name the template's parameters: each is bound to the value the usage gives
(`SecretArn: !Ref DbSecret` stays a reference to that secret), a parameter the usage leaves out is unknown,
and the template evaluator does the rest (`Fn::Sub`, pseudo parameters). An intrinsic call is placed on
the first parameter value it uses (a finding about the resource points there), every other node on the
template's name. Items that name a managed policy are expanded by `linter.formats.managed`.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from linter.formats.cloudformation.intrinsics import Evaluator, intrinsic
from linter.model import UNKNOWN, Node, Span

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "data" / "sam-policy-templates.json"


@cache
def _data() -> dict:
    return json.loads(TEMPLATES.read_text(encoding="utf-8"))


def policy_templates() -> dict[str, dict]:
    """Template name -> {"Definition": document, "Parameters": [names]}, read on first use."""
    return _data()["templates"]


def templates_date() -> str:
    """The date of the SAM release the templates come from."""
    return _data()["date"]


def policy_documents(policies: Node, evaluator: Evaluator) -> list[Node]:
    """IAM-shaped document nodes for a SAM function's or state machine's `Policies` property."""
    documents: list[Node] = []
    for alternative in evaluator.alternatives(policies):
        for entry in alternative.items_list():
            documents += _entry(entry)
    return documents


def _entry(entry: Node) -> list[Node]:
    """One `Policies` item: a document, or a template (a managed policy name or ARN is not read here)."""
    if not isinstance(entry.value, dict):
        return []
    if "Statement" in entry.value:
        return [entry]
    if len(entry.value) != 1:
        return []
    ((name, parameters),) = entry.value.items()
    template = policy_templates().get(name)
    if template is None:
        return []
    name_span = (entry.key_spans or {}).get(name, entry.span)
    given = parameters.value if isinstance(parameters.value, dict) else {}
    bound = {p: given[p] for p in template["Parameters"] if p in given}
    binder = _Binder(bound, set(template["Parameters"]), name_span, entry.path)
    root = binder.build(template["Definition"])
    return [Node(root.value, entry.span, entry.path, root.key_spans)]


class _Binder:
    """Builds a template's definition as Nodes, with its parameters' `Ref`s replaced by the usage's values."""

    def __init__(self, bound: dict[str, Node], parameters: set[str], span: Span, path: str) -> None:
        self.bound = bound
        self.parameters = parameters
        self.span = span
        self.path = path

    def build(self, value: object) -> Node:
        if isinstance(value, dict):
            reference = value.get("Ref") if len(value) == 1 else None
            if isinstance(reference, str) and reference in self.parameters:
                return self.bound.get(reference) or Node(UNKNOWN, self.span, self.path)
            items = {key: self.build(item) for key, item in value.items()}
            node = Node(items, self.span, self.path, {key: self.span for key in items})
            if intrinsic(node) is not None:
                node.span = self._first_value(node) or self.span
            return node
        if isinstance(value, list):
            return Node([self.build(item) for item in value], self.span, self.path)
        return Node(value, self.span, self.path)

    def _first_value(self, node: Node) -> Span | None:
        """The span of the first usage value inside `node` (anything not placed on the template name)."""
        if node.span != self.span:
            return node.span
        if isinstance(node.value, dict):
            children = list(node.value.values())
        elif isinstance(node.value, list):
            children = node.value
        else:
            return None
        return next((found for child in children if (found := self._first_value(child)) is not None), None)
