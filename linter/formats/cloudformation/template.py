"""CloudFormation and SAM templates (YAML or JSON, CDK output included): policy documents and secrets.

A file is a template if it has `AWSTemplateFormatVersion` or a `Resources` map with `AWS::`/`Custom::`
types; other YAML and JSON (workflows, Kubernetes manifests, `.pre-commit-config.yaml`) yields nothing.
Documents are read where the resource catalogue (`catalogue.json`) says, and from SAM `Policies`; secrets, their resource
policies and rotation schedules, and KMS keys become `Resource`s (attributes under Terraform's names),
linked by `SecretId`. Every `Resource.span` is its logical id key; each document's owner is the logical
id of the resource that holds it. Nested stacks (`AWS::CloudFormation::Stack`) are not followed.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Callable

from linter.formats import catalogue
from linter.formats.api import Source, json_tree
from linter.formats.cloudformation.syntax import INTRINSIC_TAGS, looks_like_template
from linter.formats.cloudformation.intrinsics import NO_VALUE, Evaluator, Template, intrinsic, sub_arguments
from linter.formats.policy import build_document
from linter.loaders import jsonpos
from linter.loaders.embedded import string_locator
from linter.loaders.positions import LineIndex
from linter.model import UNKNOWN, DocKind, Extraction, FileError, Node, PolicyDocument, Resource, Span, Suppression
from linter.records import dataclass, field

def resource_types() -> dict[str, dict]:
    """CloudFormation type -> its catalogue entry (kind, property -> attribute names, nested blocks)."""
    return catalogue.section("cloudformation")["resources"]


@cache
def written_names(type_: str) -> dict[str, str]:
    """Attribute name -> the property as a template writes it, for messages (`KmsKeyId is not set`)."""
    entry = resource_types()[type_]
    names = {name: prop for prop, name in entry["attributes"].items()}
    for prop, block in entry.get("blocks", {}).items():
        names[block["attribute"]] = prop
        names.update({f"{block['attribute']}.{name}": f"{prop}.{inner}" for inner, name in block["attributes"].items()})
    return names


# After a YAML syntax error: does the text still look like a template (then report, else stay silent)?
_TEMPLATE_LINE = re.compile(
    r"^[ \t]*[\"']?(?:AWSTemplateFormatVersion[\"']?\s*:|Type[\"']?\s*:\s*[\"']?(?:AWS|Custom)::)", re.M
)


# -- entry points -----------------------------------------------------------------------------------


def extract(source: Source) -> Extraction:
    """A template written in YAML or JSON (whatever its suffix); nothing for a file that is not a template."""
    if source.name.endswith(".json"):
        from linter.formats.cloudformation.prefilter import yields_nothing

        if source.json() is not None and yields_nothing(source.json(), source.text):
            return Extraction(files_scanned=1)  # no positions needed: nothing here can be reported
        root = json_tree(source)
        return root if isinstance(root, Extraction) else extract_root(root, source)
    if not looks_like_template(source.text):
        return Extraction()
    if source.text.lstrip().startswith("{"):
        json_result = _try_json(source)
        if json_result is not None:
            return json_result
    from linter.loaders import yamlpos

    try:
        root = yamlpos.load(source.text, source.display, INTRINSIC_TAGS)
    except yamlpos.YAMLSyntaxError as exc:
        if _TEMPLATE_LINE.search(source.text):
            return Extraction(errors=[exc.file_error(source.display)], files_scanned=1)
        return Extraction()  # a Helm chart or other templated YAML: not ours to judge
    return extract_root(root, source) if root is not None else Extraction()


def extract_root(root: Node, source: Source) -> Extraction:
    """The template whose parsed root is `root` (also a template embedded in another format's file)."""
    return _Extractor(root, source).run() if is_template(root) else Extraction()


def is_template(root: Node) -> bool:
    """`AWSTemplateFormatVersion`, or a `Resources` map with at least one `AWS::`/`Custom::` type."""
    if not isinstance(root.value, dict):
        return False
    if "AWSTemplateFormatVersion" in root.value:
        return True
    resources = root.get("Resources")
    if resources is None or not isinstance(resources.value, dict):
        return False
    for resource in resources.value.values():
        kind = resource.get("Type")
        if kind is not None and isinstance(kind.value, str) and kind.value.startswith(("AWS::", "Custom::")):
            return True
    return False


def _try_json(source: Source) -> Extraction | None:
    """A `.template`/`.yaml` file written in JSON: read it as JSON for exact spans, else None (YAML)."""
    try:
        root = jsonpos.parse(source.text, source.display)
    except jsonpos.JSONSyntaxError:
        return None
    return extract_root(root, source)


# -- extraction -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """Everything read from one template, before secrets are linked to their policies and rotations."""

    documents: list[PolicyDocument] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)  # logical id -> resource of a known kind
    errors: list[FileError] = field(default_factory=list)


class _Extractor:
    """Reads one template."""

    def __init__(self, root: Node, source: Source) -> None:
        self.root = root
        self.path = source.display
        self._text = source.text
        self._index: LineIndex | None = None
        self.template = Template.of(root, self.path)
        self.evaluator = Evaluator(self.template)
        self.found = _Found()

    def run(self) -> Extraction:
        resources = self.root.get("Resources")
        key_spans = (resources.key_spans or {}) if resources is not None else {}
        for logical_id, declaration in self.template.resources.items():
            if isinstance(declaration.value, dict):
                self.resource(logical_id, declaration, key_spans.get(logical_id, declaration.span))
        self.link()
        return Extraction(
            documents=self.found.documents,
            resources=list(self.found.resources.values()),
            errors=self.found.errors,
            suppressions=metadata_suppressions(self.root, self.path),
            files_scanned=1,
        )

    def resource(self, logical_id: str, declaration: Node, span: Span) -> None:
        kind_node = declaration.get("Type")
        kind = kind_node.value if kind_node is not None else None
        properties = declaration.get("Properties")
        if not isinstance(kind, str) or properties is None or not isinstance(properties.value, dict):
            if isinstance(kind, str) and kind in resource_types():  # a secret without properties still exists
                self.found.resources[logical_id] = self.make_resource(logical_id, kind, declaration, span, None)
            return
        documents: list[PolicyDocument] = []
        for prop, doc_kind in catalogue.documents("cloudformation").get(kind, ()):
            for node, key in self.document_nodes(properties, prop):
                for document in self.documents(node, doc_kind, logical_id):
                    document.key_span = key
                    documents.append(document)
        if _sam_policies_apply(kind, properties) and properties.get("Policies") is not None:
            from linter.formats.cloudformation.sam import policy_documents

            for node in policy_documents(properties.get("Policies"), self.evaluator):
                documents += self.documents(node, DocKind.IDENTITY, logical_id)
        documents += self.attached(kind, properties, logical_id)
        block = span.cover(declaration.span)  # from the logical id to the end of the declaration
        for document in documents:
            document.owner_span = block
        self.found.documents += documents
        if kind in resource_types():
            resource = self.make_resource(logical_id, kind, declaration, span, properties)
            resource.documents += documents
            self.found.resources[logical_id] = resource

    def attached(self, kind: str, properties: Node, logical_id: str) -> list[PolicyDocument]:
        """The AWS managed policies a resource attaches, each as a document placed on its ARN or name."""
        sam = kind in catalogue.section("cloudformation")["sam_policies"]
        if sam and not _sam_policies_apply(kind, properties):
            return []
        values = properties.get("Policies" if sam else catalogue.attachments("cloudformation").get(kind, ""))
        if values is None:
            return []
        from linter.formats.managed import attachment_documents

        documents = []
        for alternative in self.evaluator.alternatives(values):
            documents += attachment_documents(alternative, logical_id, bare_names=sam)
        return documents

    def document_nodes(self, properties: Node, prop: str) -> list[tuple[Node, Span | None]]:
        """The documents a property holds (`PolicyDocument`, or each of `Policies[].PolicyDocument`), each
        with the span of the key it is written under."""
        if not prop.endswith("[]"):
            node = properties.get(prop)
            return [] if node is None else [(node, (properties.key_spans or {}).get(prop))]
        found = []
        policies = properties.get(prop[:-2])
        if policies is not None and isinstance(policies.value, list) and not any(map(intrinsic, policies.value)):
            items = policies.value  # documents as written: `documents` reads a `!Sub` JSON string in place
        else:
            items = [i for a in self.evaluator.alternatives(policies) for i in a.items_list()] if policies else []
        for item in items:
            document = item.get("PolicyDocument")
            if document is not None:
                found.append((document, (item.key_spans or {}).get("PolicyDocument")))
        return found

    def documents(self, node: Node, kind: DocKind, owner: str) -> list[PolicyDocument]:
        """Policy documents a property holds: one per `Fn::If` variant of the document as a whole."""
        result = []
        for alternative in self.document_alternatives(node):
            if isinstance(alternative.value, dict):
                result.append(build_document(alternative, self.path, kind, owner))
        return result

    def document_alternatives(self, node: Node) -> list[Node]:
        call = intrinsic(node)
        if call is not None and call[0] == "Fn::Sub" and _sub_parts(call[1])[0] is not None:
            parsed = self.sub_json(node, call[1])
            return [] if parsed is None else self.evaluator.alternatives(parsed)
        alternatives = []
        for alternative in self.evaluator.alternatives(node):
            if isinstance(alternative.value, str) and UNKNOWN not in alternative.value:
                parsed = self.parse_json(alternative.value, alternative)
                if parsed is None:
                    continue
                alternative = parsed
            alternatives.append(alternative)
        return alternatives

    # -- policies given as JSON strings ---------------------------------------------------------------

    def parse_json(self, value: str, source: Node, substitute: Callable[[str], str] | None = None) -> Node | None:
        """A JSON policy string, with spans on the characters of the template that wrote it."""
        text = self.text()
        if text is None:
            return None
        index = self.line_index()
        start, end = index.offsets(source.span)
        locate = string_locator(value, text, start, end, index)
        try:
            parsed = jsonpos.parse(value, self.path, locate)
        except jsonpos.JSONSyntaxError as exc:
            self.found.errors.append(FileError(self.path, exc.line, exc.column, f"policy string: {exc.message}"))
            return None
        if substitute is not None:
            _substitute_strings(parsed, substitute)
        return parsed

    def sub_json(self, node: Node, argument: Node) -> Node | None:
        """`!Sub` of a JSON policy string: parse the text as written, then substitute in each string."""
        template, variables = _sub_parts(argument)

        def substitute(value: str) -> str:
            return self.evaluator.substitute(value, variables, node)[0]

        return self.parse_json(template.value, template, substitute)

    def text(self) -> str | None:
        return self._text or None

    def line_index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text() or "")
        return self._index

    # -- resources ------------------------------------------------------------------------------------

    def make_resource(
        self, logical_id: str, kind: str, declaration: Node, span: Span, properties: Node | None
    ) -> Resource:
        entry = resource_types()[kind]
        attributes: dict[str, Node] = {}
        conditional: dict[str, Node] = {}
        if properties is not None:
            for prop, name in entry["attributes"].items():
                value = self.evaluator.value(properties.get(prop))
                if value is not None:
                    attributes[name] = value
                elif (when := _set_when(properties, prop)) is not None:
                    conditional[name] = when
            for prop, block in entry.get("blocks", {}).items():
                value = self.evaluator.value(properties.get(prop))
                if value is not None and isinstance(value.value, dict):
                    attributes[block["attribute"]] = _renamed(value, block["attributes"])
        metadata = declaration.get("Metadata")
        if metadata is not None:
            attributes["metadata"] = metadata
        return Resource(kind=entry["kind"], type=kind, address=logical_id, path=self.path, span=span,
                        attributes=attributes, block_span=span.cover(declaration.span),
                        written_names=written_names(kind), conditional=conditional)

    def link(self) -> None:
        """Attach each resource policy and rotation schedule to the secret its `SecretId` names."""
        secrets = {lid: r for lid, r in self.found.resources.items() if r.kind == "secret"}
        for resource in self.found.resources.values():
            link = catalogue.link_of(resource.kind)
            target = resource.attributes.get(link.attribute) if link is not None else None
            if target is None:
                continue
            secret = _secret_named(target, secrets)
            if secret is None:
                continue
            secret.links.setdefault(link.relation, []).append(resource)
            if link.documents:
                secret.documents += resource.documents


def metadata_suppressions(root: Node, path: str) -> list[Suppression]:
    """`Metadata: {policylint: {ignore: [{id: SM001, reason: "…"}]}}` on a resource (covers its block, which
    starts at the logical id) or at the template root (covers the whole file: target line 0). An entry
    without an id becomes a suppression with no rule ids, which is reported as such."""
    targets: list[tuple[Node | None, int]] = [(root.get("Metadata"), 0)]
    resources = root.get("Resources")
    if resources is not None and isinstance(resources.value, dict):
        for logical_id, declaration in resources.value.items():
            key = (resources.key_spans or {}).get(logical_id, declaration.span)
            targets.append((declaration.get("Metadata"), key.line))
    found = []
    for metadata, line in targets:
        settings = metadata.get("policylint") if metadata is not None else None
        entries = settings.get("ignore") if settings is not None else None
        for entry in entries.items_list() if entries is not None else []:
            rule_id = entry.get("id") if isinstance(entry.value, dict) else entry
            reason = entry.get("reason") if isinstance(entry.value, dict) else None
            ids = tuple(i.value.strip().upper() for i in rule_id.items_list() if isinstance(i.value, str)) if rule_id else ()
            text = reason.value if reason is not None and isinstance(reason.value, str) else ""
            found.append(Suppression(path, line, ids, text.strip(), entry.span))
    return found


def _set_when(properties: Node, prop: str) -> Node | None:
    """For a property written `!If [Cond, X, !Ref AWS::NoValue]` (or the reverse): a node at its key saying
    when it is set (`when condition Cond holds`); None for any other property."""
    call = intrinsic(properties.get(prop)) if properties.get(prop) is not None else None
    if call is None or call[0] != "Fn::If" or not isinstance(call[1].value, list) or len(call[1].value) != 3:
        return None
    condition, when_true, when_false = call[1].value
    unset = [_is_no_value(when_true), _is_no_value(when_false)]
    if unset.count(True) != 1 or not isinstance(condition.value, str):
        return None
    when = f"when condition {condition.value} {'does not hold' if unset[0] else 'holds'}"
    return Node(when, (properties.key_spans or {}).get(prop, properties.span), properties.path)


def _sam_policies_apply(kind: str, properties: Node) -> bool:
    """Does SAM turn this resource's `Policies` into a role? Only when it makes the role: a function or
    state machine given its own `Role` in every deployment uses that role, and SAM ignores `Policies`."""
    return kind in catalogue.section("cloudformation")["sam_policies"] and not _always_set(properties.get("Role"))


def _always_set(node: Node | None) -> bool:
    """Is a property set in every deployment: present, not null, not `AWS::NoValue`, and no `Fn::If`
    branch of it one of those?"""
    if node is None or node.value is None or _is_no_value(node):
        return False
    call = intrinsic(node)
    if call is not None and call[0] == "Fn::If" and isinstance(call[1].value, list) and len(call[1].value) == 3:
        return _always_set(call[1].value[1]) and _always_set(call[1].value[2])
    return True


def _is_no_value(node: Node) -> bool:
    call = intrinsic(node)
    return call is not None and call[0] == "Ref" and call[1].value == NO_VALUE


def _secret_named(target: Node, secrets: dict[str, Resource]) -> Resource | None:
    """The template's secret a `SecretId` names: by reference, by ARN, or by `Name`."""
    if target.ref in secrets:
        return secrets[target.ref]
    if not isinstance(target.value, str) or UNKNOWN in target.value:
        return None
    value = target.value
    arn_name = value.split(":secret:", 1)[1] if ":secret:" in value else None
    for secret in secrets.values():
        name = secret.attributes.get("name")
        if name is None or not isinstance(name.value, str) or UNKNOWN in name.value:
            continue
        if value == name.value:
            return secret
        # An ARN ends with the name and a random six-character suffix.
        if arn_name is not None and (arn_name == name.value or re.fullmatch(
                re.escape(name.value) + r"-[A-Za-z0-9]{6}", arn_name)):
            return secret
    return None


def _sub_parts(argument: Node) -> tuple[Node | None, dict[str, Node]]:
    """The template string of an `Fn::Sub` whose text is a JSON object (else None), and its variables."""
    template, variables = sub_arguments(argument)
    if template is None or not isinstance(template.value, str) or not template.value.lstrip().startswith("{"):
        return None, variables
    return template, variables


def _renamed(node: Node, names: dict[str, str]) -> Node:
    """A mapping with CloudFormation keys renamed to Terraform's; unknown keys are dropped."""
    spans = node.key_spans or {}
    items = {names[k]: v for k, v in node.value.items() if k in names}
    key_spans = {names[k]: spans.get(k, v.span) for k, v in node.value.items() if k in names}
    return Node(items, node.span, node.path, key_spans)


def _substitute_strings(node: Node, substitute: Callable[[str], str]) -> None:
    if isinstance(node.value, dict):
        for child in node.value.values():
            _substitute_strings(child, substitute)
    elif isinstance(node.value, list):
        for child in node.value:
            _substitute_strings(child, substitute)
    elif isinstance(node.value, str) and "${" in node.value:
        node.value = substitute(node.value)
