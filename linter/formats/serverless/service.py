"""Reading a Serverless service as the CloudFormation stack it deploys.

Serverless turns IAM statements into roles: `provider.iam.role.statements` (v3/v4) or the older
`provider.iamRoleStatements`, with `provider.iam.role.managedPolicies`, become the shared execution role
`IamRoleLambdaExecution`; a function's own `iamRoleStatements` (the per-function roles plugin) become
`<Function>IamRoleLambdaExecution`. Those roles are written into the `resources.Resources` of the service,
and the whole is read by the CloudFormation format, so intrinsics (`!Ref`, `Fn::GetAtt`, `!Sub`), links
between secrets and their policies, and metadata suppressions work as in a template. Every element keeps
the position where the user wrote it.

Serverless variables (`${self:…}`, `${opt:…}`, `${env:…}`, `${ssm:…}`, `${file(…)}`, …) are resolved only at
deploy time: each becomes an unknown value, never read and never `*`. CloudFormation's own `${AWS::Region}`
and `${Resource.Arn}` inside `!Sub` are left for the template reader.
"""
from __future__ import annotations

import re

from linter.formats.api import Source
from linter.formats.cloudformation.syntax import INTRINSIC_TAGS
from linter.formats.cloudformation.template import extract_root
from linter.loaders import yamlpos
from linter.model import UNKNOWN, Extraction, Node, PolicyDocument, Span
from linter.records import dataclass

# `${source:address}` or `${source(args)}`; `${AWS::Region}` (a colon after the colon) is CloudFormation's.
_INNERMOST = re.compile(r"\$\{([^${}]*)\}")
_VARIABLE = re.compile(r"\s*[A-Za-z][A-Za-z0-9]*(?:\(|:(?!:))")
MAX_NESTING = 16  # `${self:custom.${opt:stage}}` is resolved inside out; deeper nesting is unknown at once

EXECUTION_ROLE = "IamRoleLambdaExecution"


def extract(source: Source) -> Extraction:
    """The roles and resources a Serverless service deploys."""
    try:
        root = yamlpos.load(source.text, source.display, INTRINSIC_TAGS)
    except yamlpos.YAMLSyntaxError as exc:
        return Extraction(errors=[exc.file_error(source.display)], files_scanned=1)
    if root is None or not isinstance(root.value, dict):
        return Extraction(files_scanned=1)
    _unknown_variables(root)
    roles = _roles(root)
    template = _template(root, roles)
    if template is None:
        return Extraction(files_scanned=1)
    result = extract_root(template, source)
    _owned_where_written(result.documents, roles, template)
    result.files_scanned = 1
    return result


def _unknown_variables(node: Node) -> None:
    """Replace every Serverless variable in every string of the tree (in place) with an unknown value."""
    if isinstance(node.value, dict):
        for child in node.value.values():
            _unknown_variables(child)
    elif isinstance(node.value, list):
        for child in node.value:
            _unknown_variables(child)
    elif isinstance(node.value, str) and "${" in node.value:
        node.value = _without_variables(node.value)


def _without_variables(text: str) -> str:
    def replace(match: re.Match) -> str:
        return UNKNOWN if _VARIABLE.match(match.group(1)) or UNKNOWN in match.group(1) else match.group(0)

    for _ in range(MAX_NESTING):
        replaced = _INNERMOST.sub(replace, text)
        if replaced == text:
            return text
        text = replaced
    return UNKNOWN if "${" in text else text


def _template(root: Node, roles: list[_Generated]) -> Node | None:
    """The service's `resources:` section with the roles Serverless generates added to its `Resources`."""
    resources_section = root.get("resources")
    section = resources_section if resources_section is not None and isinstance(resources_section.value, dict) else None
    declared = section.get("Resources") if section is not None else None
    resources: dict[str, Node] = dict(declared.value) if declared is not None and isinstance(declared.value, dict) else {}
    key_spans: dict[str, Span] = dict(declared.key_spans or {}) if declared is not None else {}
    for role in roles:
        if role.logical_id not in resources:
            resources[role.logical_id] = role.declaration
            key_spans[role.logical_id] = role.key_span
    if not resources:
        return None
    where = declared.span if declared is not None else root.span
    top: dict[str, Node] = dict(section.value) if section is not None else {}
    top["Resources"] = Node(resources, where, root.path, key_spans)
    top_spans = dict(section.key_spans or {}) if section is not None else {}
    top_spans.setdefault("Resources", where)
    return Node(top, section.span if section is not None else root.span, root.path, top_spans)


def _owned_where_written(documents: list[PolicyDocument], roles: list[_Generated], template: Node) -> None:
    """Give each document of a generated role the key it is written under as its owner block, so that a
    comment above `statements:` covers those statements and one above `managedPolicies:` those policies,
    never the other (the role has no key of its own that holds both in every layout). Roles that the
    service's `resources:` declares itself are the template's, left as read."""
    placed = template.get("Resources").value
    generated = {role.logical_id: role for role in roles if placed.get(role.logical_id) is role.declaration}
    for document in documents:
        role = generated.get(document.owner)
        if role is not None:
            document.owner_span = role.written_in(document)


def _roles(root: Node) -> list[_Generated]:
    """Each role Serverless generates, with where its statements and managed policies are written."""
    found = []
    provider = root.get("provider")
    iam = provider.get("iam") if provider is not None else None
    role = iam.get("role") if iam is not None else None
    statements = _first(role, "statements") or _first(provider, "iamRoleStatements")
    managed = _first(role, "managedPolicies") or _first(provider, "iamManagedPolicies")
    if statements is not None or managed is not None:
        found.append(_Generated(EXECUTION_ROLE, *_role(statements, managed), statements, managed))
    functions = root.get("functions")
    for name, function in (functions.value.items() if functions is not None and isinstance(functions.value, dict) else ()):
        own = _first(function, "iamRoleStatements")
        if own is not None:
            found.append(_Generated(f"{_normalised(name)}{EXECUTION_ROLE}", *_role(own, None), own, None))
    return found


@dataclass(frozen=True, slots=True)
class _Written:
    """A value and the span of the key it is written under (where a generated role is placed)."""

    value: Node
    key_span: Span

    @property
    def block(self) -> Span:
        """From the key to the end of its value: what a comment above the key covers. The key alone when the
        value is written elsewhere (an alias of a list anchored earlier), so a comment there covers only
        what is written there, never this key's role."""
        value, key = self.value.span, self.key_span
        return key.cover(value) if (value.line, value.column) > (key.line, key.column) else key


@dataclass(frozen=True, slots=True)
class _Generated:
    """A role Serverless generates: its logical id, its `AWS::IAM::Role` declaration, the span of the key it
    is placed at, and the keys its statements and managed policy ARNs are written under."""

    logical_id: str
    declaration: Node
    key_span: Span
    statements: _Written | None
    managed: _Written | None

    def written_in(self, document: PolicyDocument) -> Span:
        """The block of the key a document of this role is written under: the statements' key for the
        document they make (it starts there), else the managed policies' key (an attached policy's)."""
        if self.statements is not None and (self.managed is None or document.where == self.statements.block):
            return self.statements.block
        return self.managed.block


def _first(parent: Node | None, key: str) -> _Written | None:
    """A key's value with its key's span, or None when absent or null."""
    value = parent.get(key) if parent is not None else None
    if value is None or value.value is None:
        return None
    return _Written(value, (parent.key_spans or {}).get(key, value.span))


def _role(statements: _Written | None, managed: _Written | None) -> tuple[Node, Span]:
    """A role declaration holding the statements (one inline policy) and managed policy ARNs."""
    anchor = statements if statements is not None else managed
    span, path, key_span = anchor.block, anchor.value.path, anchor.key_span
    properties: dict[str, Node] = {}
    spans: dict[str, Span] = {}
    if statements is not None:
        # The document starts at its key, not on its first statement's line: a comment above the first
        # statement covers that statement, one above the key the whole document (as in a template).
        listed, where, block = statements.value, statements.key_span, statements.block
        # Serverless writes `Version: "2012-10-17"` into the role's policy itself (policy variables work).
        version = Node("2012-10-17", where, path)
        document = Node({"Version": version, "Statement": listed}, block, path, {"Version": where, "Statement": where})
        policy = Node({"PolicyDocument": document}, block, path, {"PolicyDocument": where})
        properties["Policies"] = Node([policy], block, path)
        spans["Policies"] = where
    if managed is not None:
        properties["ManagedPolicyArns"] = managed.value
        spans["ManagedPolicyArns"] = managed.key_span
    declaration = Node(
        {"Type": Node("AWS::IAM::Role", key_span, path), "Properties": Node(properties, span, path, spans)},
        span, path, {"Type": key_span, "Properties": key_span},
    )
    return declaration, key_span


def _normalised(name: str) -> str:
    """A function name as Serverless writes it into logical ids (`my-func_x` -> `MyDashfuncUnderscorex`)."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]
