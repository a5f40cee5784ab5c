"""Terraform plan JSON (`terraform show -json plan.out`): the policies and secrets Terraform is about to create.

Everything comes from `planned_values` (the root module and child modules, recursively), so addresses carry
their module path (`module.secrets.aws_secretsmanager_secret_policy.this[0]`) and every position points into
the plan file: a policy's elements are located inside its JSON-encoded string. Values that are unknown until
apply (listed in `resource_changes[].change.after_unknown`) become `UNKNOWN`; a policy is linked to its secret
by the known ARN, or else by the reference recorded in `configuration`.

A resource's span runs from its `"address"` key to the end of the address value (one line).
"""
from __future__ import annotations

import re

from linter.formats.api import Source, json_tree
from linter.formats.policy import build_document
from linter.formats import catalogue
from linter.formats.terraform.modules import resource_kinds, single_blocks
from linter.formats.terraform.values import TextNode, parse_json_text, unknown
from linter.loaders.positions import LineIndex, Locator
from linter.loaders.strmap import map_json_string
from linter.model import Extraction, FileError, Node, PolicyDocument, Resource, Span

_INDEX = re.compile(r"\[[^\]]*\]")


def extract_plan(source: Source) -> Extraction:
    node = json_tree(source)
    if isinstance(node, Extraction):
        return node
    result = Extraction(files_scanned=1)
    reader = _Plan(node, source.display, source.text)
    planned = node.get("planned_values")
    root = planned.get("root_module") if planned is not None else None
    if root is not None:
        reader.module(root)
    reader.link()
    result.documents = reader.documents
    result.resources = [resource for resource, _ in reader.resources]
    result.errors = reader.errors
    return result


class _Plan:
    def __init__(self, node: Node, display: str, text: str | None) -> None:
        self.node, self.display, self.text = node, display, text
        self.index = LineIndex(text) if text is not None else None
        self.documents: list[PolicyDocument] = []
        self.resources: list[tuple[Resource, Node]] = []
        self.errors: list[FileError] = []
        self.unknowns = _after_unknown(node)

    def module(self, module: Node) -> None:
        resources = module.get("resources")
        for item in resources.items_list() if resources is not None else []:
            if isinstance(item.value, dict):
                self.resource(item)
        children = module.get("child_modules")
        for child in children.items_list() if children is not None else []:
            if isinstance(child.value, dict):
                self.module(child)

    def resource(self, item: Node) -> None:
        mode, type_, address = (_text(item.get(k)) for k in ("mode", "type", "address"))
        values = item.get("values")
        if mode != "managed" or not type_ or not address or values is None or not isinstance(values.value, dict):
            return
        found = []
        for name, kind in catalogue.documents("terraform").get(type_, ()):
            for value in self._policy_values(values, name):
                root = parse_json_text(self._located(value))
                if isinstance(root, FileError):
                    self.errors.append(root)
                elif root is not None and isinstance(root.value, dict):
                    document = build_document(root, self.display, kind, address)
                    document.owner_span = item.span
                    self.documents.append(document)
                    found.append(document)
        self.attached(type_, values, address, item.span)
        if type_ not in resource_kinds():
            return
        attributes = {key: _single(key, value) for key, value in values.value.items()}
        for key, flag in self.unknowns.get(address, {}).items():
            if key not in attributes or attributes[key].value is None:
                attributes[key] = unknown(flag.span, self.display)
        key_span = (item.key_spans or {}).get("address", item.span)
        span = Span(key_span.line, key_span.column, item.get("address").span.end_line,
                    item.get("address").span.end_column)
        resource = Resource(resource_kinds()[type_], type_, address, self.display, span, attributes, found,
                            block_span=item.span)
        resource.links = {relation: [] for relation in catalogue.relations_of(resource.kind)}
        self.resources.append((resource, item))

    def attached(self, type_: str, values: Node, address: str, block: Span) -> None:
        """The AWS managed policies a planned resource attaches (`policy_arn`, `managed_policy_arns`)."""
        name = catalogue.attachments("terraform").get(type_)
        value = values.get(name) if name is not None else None
        if value is None:
            return
        from linter.formats.managed import attachment_documents

        for document in attachment_documents(value, address):
            document.owner_span = block
            self.documents.append(document)

    def _policy_values(self, values: Node, name: str) -> list[Node]:
        if name == "inline_policy.policy":
            blocks = values.get("inline_policy")
            return [b.get("policy") for b in (blocks.items_list() if blocks else []) if b.get("policy") is not None]
        value = values.get(name)
        return [value] if value is not None else []

    def _located(self, value: Node) -> Node:
        """A JSON string value of the plan, with a locator into the plan file for the JSON it holds."""
        if not isinstance(value.value, str) or self.text is None or self.index is None:
            return value
        locate: Locator = map_json_string(self.text, *self.index.offsets(value.span)).locator(self.index)
        return TextNode(value.value, value.span, self.display, locate=locate)

    # --- linking -------------------------------------------------------------------------------------

    def link(self) -> None:
        secrets = [r for r, _ in self.resources if r.kind == "secret"]
        references = _configuration_references(self.node)
        for resource, item in self.resources:
            link = catalogue.link_of(resource.kind)
            if link is None:
                continue
            target = resource.attributes.get(link.attribute)
            matches = self._by_value(secrets, target) or self._by_reference(secrets, resource, item, references,
                                                                             link.attribute)
            for secret in matches:
                secret.links[link.relation].append(resource)
                if link.documents:
                    secret.documents += [d for d in resource.documents if d not in secret.documents]
            if target is not None and len(matches) == 1:
                target.ref = matches[0].address

    @staticmethod
    def _by_value(secrets: list[Resource], target: Node | None) -> list[Resource]:
        if target is None or not isinstance(target.value, str) or target.is_unknown:
            return []
        return [s for s in secrets if target.value in (_text(s.attributes.get("arn")), _text(s.attributes.get("id")))]

    @staticmethod
    def _by_reference(secrets: list[Resource], resource: Resource, item: Node,
                      references: dict[tuple[str, str], dict[str, list[str]]], attribute: str) -> list[Resource]:
        module = _module_of(resource.address)
        config_address = f"{resource.type}.{_text(item.get('name'))}"
        refs = references.get((_INDEX.sub("", module), config_address), {}).get(attribute, [])
        for module, ref in _through_modules(module, refs, references):
            if resource_kinds().get(ref.partition(".")[0]) != "secret":
                continue
            target = re.sub(r"\.(arn|id)$", "", ref)
            full = f"{module}.{target}" if module else target
            exact = [s for s in secrets if s.address == full]
            if exact:
                return exact
            base = _INDEX.sub("", full)
            group = [s for s in secrets if _INDEX.sub("", s.address) == base and _module_of(s.address) == module]
            same_index = [s for s in group if _index_of(s.address) == _index_of(resource.address)]
            return same_index or (group if len(group) == 1 else [])
        return []


MAX_MODULE_HOPS = 32  # module inputs and outputs followed from one reference (a plan's modules nest less)


def _through_modules(module: str, refs: list[str], references: dict[tuple[str, str], dict[str, list[str]]]
                     ) -> list[tuple[str, str]]:
    """Each reference with the module it is written in, a module's input (`var.secret_arn`) followed to what
    its call passes and a module's output (`module.sec.arn`) to what the output's value refers to: a secret the
    plan creates has an unknown ARN, so only these references link a guard in a child module to its caller's
    secret, or a caller's policy to a child's secret."""
    found: list[tuple[str, str]] = []
    pending, seen = [(module, ref) for ref in refs], set()
    while pending and len(seen) < MAX_MODULE_HOPS:
        module, ref = pending.pop(0)
        if (module, ref) in seen:
            continue
        seen.add((module, ref))
        found.append((module, ref))
        parts = ref.split(".")
        if parts[0] == "var" and len(parts) == 2 and module:
            parent, _, call = module.rpartition(".module.") if ".module." in module else ("", "", module[7:])
            arguments = references.get((_INDEX.sub("", parent), "module." + _INDEX.sub("", call)), {})
            pending += [(parent, r) for r in arguments.get(parts[1], [])]
        elif parts[0] == "module" and len(parts) == 3:
            child = f"{module}.module.{parts[1]}" if module else f"module.{parts[1]}"
            output = references.get((_INDEX.sub("", child), "output." + parts[2]), {})
            pending += [(child, r) for r in output.get("value", [])]
    return found


def _text(node: Node | None) -> str:
    return node.value if node is not None and isinstance(node.value, str) else ""


def _single(key: str, value: Node) -> Node:
    """Plan JSON writes every nested block as a list; a single block (`rotation_rules`) reads as a mapping."""
    if key in single_blocks() and isinstance(value.value, list):
        return value.value[0] if value.value else Node(None, value.span, value.path)
    return value


def _module_of(address: str) -> str:
    """`module.a.module.b["x"].aws_x.y[0]` -> `module.a.module.b["x"]`."""
    parts = re.findall(r'module\.[^.\[]+(?:\[[^\]]*\])?\.', address)
    prefix = "".join(parts)
    return prefix[:-1] if prefix and address.startswith(prefix) else ""


def _index_of(address: str) -> str:
    match = re.search(r"(\[[^\]]*\])$", address)
    return match.group(1) if match else ""


def _after_unknown(node: Node) -> dict[str, dict[str, Node]]:
    """Resource address -> attributes whose planned value is unknown until apply."""
    result: dict[str, dict[str, Node]] = {}
    changes = node.get("resource_changes")
    for change in changes.items_list() if changes is not None else []:
        address = _text(change.get("address"))
        body = change.get("change")
        after = body.get("after_unknown") if body is not None else None
        if address and after is not None and isinstance(after.value, dict):
            result[address] = {k: v for k, v in after.value.items() if v.value is True}
    return result


def _configuration_references(node: Node) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(module path without indexes, resource config address) -> attribute -> references, from `configuration`."""
    result: dict[tuple[str, str], dict[str, list[str]]] = {}
    configuration = node.get("configuration")
    root = configuration.get("root_module") if configuration is not None else None
    stack = [(root, "")] if root is not None else []
    while stack:
        module, path = stack.pop()
        resources = module.get("resources")
        for item in resources.items_list() if resources is not None else []:
            expressions = item.get("expressions")
            if not isinstance(expressions.value if expressions else None, dict):
                continue
            result[(path, _text(item.get("address")))] = _references(expressions)
        calls = module.get("module_calls")
        for name, call in (calls.value.items() if calls is not None and isinstance(calls.value, dict) else []):
            result[(path, f"module.{name}")] = _references(call.get("expressions"))  # the call's arguments
            child = call.get("module")
            if child is not None:
                inner = f"{path}.module.{name}" if path else f"module.{name}"
                stack.append((child, inner))
                outputs = child.get("outputs")
                for output, body in (outputs.value.items() if outputs is not None and isinstance(outputs.value, dict) else []):
                    expression = body.get("expression") if isinstance(body.value, dict) else None
                    result[(inner, f"output.{output}")] = _references(Node({"value": expression}, body.span, body.path)
                                                                      if expression is not None else None)
    return result


def _references(expressions: Node | None) -> dict[str, list[str]]:
    """Attribute -> the references its expression records (`configuration`'s `references` lists)."""
    attrs: dict[str, list[str]] = {}
    for key, expression in (expressions.value.items() if expressions is not None and isinstance(expressions.value, dict) else []):
        refs = expression.get("references") if isinstance(expression.value, dict) else None
        if refs is not None:
            attrs[key] = [r.value for r in refs.items_list() if isinstance(r.value, str)]
    return attrs
