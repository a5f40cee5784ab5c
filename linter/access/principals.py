"""Who is in the tree: the roles and users an extraction defines, and the identity policies that reach each.

A policy reaches a principal in several ways, in every format: inline (the role's own `inline_policy`,
CloudFormation `Policies`), through a resource that names it (`aws_iam_role_policy.role`, an attachment's
`role`, a CloudFormation `AWS::IAM::Policy`'s `Roles`), through a managed policy it attaches
(`managed_policy_arns`, `policy_arn` of an attachment), and for a user through its groups. An AWS managed
policy is an ordinary identity document, read from the dataset (`linter.formats.managed`) and owned by
its attachment; for a policy outside the tree, an unknown ARN or a name the dataset lacks, the principal is
marked as holding an unreadable policy, which makes every answer for it "may". An attachment whose target is unknown (a variable) may reach every
principal of that type: its documents apply to each of them uncertainly.

Identity documents owned by something that is neither an IAM resource nor a data source (a SAM function, a
Serverless function's generated role, an SSO permission set) stand for a principal of their own.

A principal also knows the Lambda functions that run as it: those whose `role` names it (Terraform
`aws_lambda_function.role`, CloudFormation `Role: !GetAtt R.Arn`), a SAM function without `Role` running as
its own `Policies`. A function whose role is unknown may run as any role of its deployment.
"""
from __future__ import annotations

import posixpath
import re

from linter.model import UNKNOWN, DocKind, Extraction, Node, PolicyDocument, Resource
from linter.records import dataclass, field

PRINCIPAL_KINDS = {"iam_role": "role", "iam_user": "user"}
_ATTACHMENT_TARGETS = (("role", "iam_role"), ("roles", "iam_role"), ("user", "iam_user"), ("users", "iam_user"),
                       ("group", "iam_group"), ("groups", "iam_group"))
_AWS_MANAGED = ":iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class Applied:
    """An identity document that reaches a principal; `certain` is False when it only may (unknown target)."""

    document: PolicyDocument
    certain: bool = True


@dataclass(slots=True, eq=False)
class Principal:
    """A principal defined in the tree: its address (or logical id), its name when literal, its policies.

    `unreadable` lists policies attached to it whose documents cannot be read offline (why, for messages).
    """

    id: str
    kind: str
    path: str = ""
    name: str | None = None
    documents: list[Applied] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    trusted_by: list[str] = field(default_factory=list)
    functions: list[tuple[Resource, bool]] = field(default_factory=list)  # the functions that run as it, certainly?


def same_deployment(resource: Resource, path: str) -> bool:
    """Is something defined in `path` part of the resource's deployment: the same CloudFormation template,
    or the same directory (a Terraform module, with the instances of the modules it calls, which are
    reported at the call)?"""
    from linter.formats import catalogue

    if catalogue.access_scope(resource.type) == "file":
        return path == resource.path
    return posixpath.dirname(path) == posixpath.dirname(resource.path)


def _literal(node: Node | None) -> str | None:
    if node is None or not isinstance(node.value, str) or UNKNOWN in node.value:
        return None
    return node.value


def _items(node: Node | None) -> list[Node]:
    return [] if node is None else node.items_list()


class _Index:
    """The extraction's resources and its identity documents by owner. Addresses repeat across deployments
    (two templates may both have a `Role`), so every lookup stays within the asker's deployment."""

    def __init__(self, extraction: Extraction) -> None:
        self.resources = list(extraction.resources)
        self.by_owner: dict[str, list[PolicyDocument]] = {}
        for document in extraction.documents:
            if document.kind is DocKind.IDENTITY:
                self.by_owner.setdefault(document.owner, []).append(document)
        self.used: set[int] = set()

    def own_documents(self, resource: Resource) -> list[PolicyDocument]:
        """Identity documents a resource holds or owns (inline, and AWS managed ones read for it)."""
        found = [d for d in resource.documents if d.kind is DocKind.IDENTITY]
        found += [d for d in self.by_owner.get(resource.address, [])
                  if d not in found and same_deployment(resource, _placed(d))]
        self.used.update(id(d) for d in found)
        return found

    def named(self, node: Node, kind: str, holder: Resource) -> tuple[list[Resource], bool]:
        """`named` among the extraction's resources."""
        return named(self.resources, node, kind, holder)


    def find(self, address: str, holder: Resource) -> Resource | None:
        """The resource of this address in the holder's deployment: first in the holder's module instance
        (a reference written in a called module, `aws_iam_policy.p`, names `module.m.aws_iam_policy.p`)."""
        match = _MODULES.match(holder.address)
        wanted = dict.fromkeys(((match.group(0) if match else "") + address, address))
        return next((r for name in wanted for r in self.resources
                     if r.address == name and same_deployment(holder, r.path)), None)


def named(resources: list[Resource], node: Node, kind: str, holder: Resource) -> tuple[list[Resource], bool]:
    """Resources of `kind` a value of `holder` names (by reference or literal name, in its deployment),
    and whether that is certain: an unknown value may name any of them."""
    candidates = [r for r in resources if r.kind == kind and same_deployment(holder, r.path)]
    if node.ref is not None:
        return [r for r in candidates if refers_to(node.ref, r.address, holder.address)], True
    name = _literal(node)
    if name is None:
        return candidates, False
    return [r for r in candidates if _literal(r.attributes.get("name")) == name.rsplit("/", 1)[-1]], True


def refers_to(ref: str, address: str, written_in: str) -> bool:
    """Does a reference (`aws_iam_role.r`, as written in a module) that belongs to `written_in` (the address
    of what holds it: `module.a["k"].aws_iam_role_policy.p`) name the resource at `address`: one of that
    module instance, or of a module above it (a caller's value passed in), never a sibling instance's?"""
    if ref == address:
        return True
    return address.endswith("." + ref) and written_in.startswith(address[:-len(ref)])


def _policy_arn(index: _Index, node: Node, holder: Resource, owned: list[PolicyDocument]) -> list[PolicyDocument] | str:
    """The documents an attached policy ARN stands for, or why they cannot be read. An AWS managed policy
    whose document the formats already read for the attaching resource (`owned`, marked by its `origin`)
    is counted there; one the dataset lacks (its document has a `problem`) cannot be read."""
    policy = index.find(node.ref, holder) if node.ref is not None else None
    if policy is not None:
        return index.own_documents(policy)
    text = node.value if isinstance(node.value, str) else ""
    name = text.rsplit("/", 1)[-1]
    if _AWS_MANAGED in text and UNKNOWN not in name:  # the partition may be unknown (`${AWS::Partition}`)
        if any(d.origin.endswith(name) and not d.problem for d in owned):
            return []
        return f"the AWS managed policy {name}, whose document is not known"
    return "a policy outside the tree" if UNKNOWN not in text else "a policy given by an unknown value"


class _Builder:
    def __init__(self, extraction: Extraction) -> None:
        self.index = _Index(extraction)
        # By id() of the defining resource (or by owner and file): addresses repeat across deployments.
        self.principals: dict[object, Principal] = {}
        self.groups: dict[object, Principal] = {}  # groups are no principals: their members get their policies

    def build(self, extraction: Extraction) -> list[Principal]:
        for resource in self.index.resources:
            if resource.kind in PRINCIPAL_KINDS or resource.kind == "iam_group":
                self._define(resource)
        for resource in self.index.resources:
            if resource.kind == "iam_attachment":
                self._attach(resource)
        self._memberships()
        self._functions()
        self._owners(extraction)
        return sorted(self.principals.values(), key=lambda p: (p.id, p.path))

    def _define(self, resource: Resource) -> None:
        holder = Principal(resource.address, PRINCIPAL_KINDS.get(resource.kind, "group"), resource.path,
                           _literal(resource.attributes.get("name")))
        owned = self.index.own_documents(resource)
        holder.documents += [Applied(d) for d in owned]
        for arn in _items(resource.attributes.get("managed_policy_arns")):
            self._add_arn(holder, arn, resource, True, owned)
        for trust in (d for d in resource.documents if d.kind is DocKind.TRUST):
            holder.trusted_by += _trusted(trust)
        (self.groups if resource.kind == "iam_group" else self.principals)[id(resource)] = holder

    def _add_arn(self, holder: Principal, arn: Node, attaching: Resource, certain: bool,
                 owned: list[PolicyDocument]) -> None:
        found = _policy_arn(self.index, arn, attaching, owned)
        if isinstance(found, str):
            holder.unreadable.append(found)
        else:
            holder.documents += [Applied(d, certain) for d in found]

    def _targets(self, attachment: Resource) -> list[tuple[Principal, bool]]:
        targets = []
        for attribute, kind in _ATTACHMENT_TARGETS:
            for node in _items(attachment.attributes.get(attribute)):
                resources, certain = self.index.named(node, kind, attachment)
                pool = self.groups if kind == "iam_group" else self.principals
                targets += [(pool[id(r)], certain) for r in resources if id(r) in pool]
        return targets

    def _attach(self, attachment: Resource) -> None:
        """An attachment, inline policy resource or (for groups) membership: its policies reach its targets."""
        documents = self.index.own_documents(attachment)
        arns = _items(attachment.attributes.get("policy_arn"))
        for holder, certain in self._targets(attachment):
            holder.documents += [Applied(d, certain) for d in documents]
            for arn in arns:
                self._add_arn(holder, arn, attachment, certain, documents)

    def _memberships(self) -> None:
        """Users receive the policies of their groups (CloudFormation `Groups`, membership resources)."""
        pairs: list[tuple[Principal, Principal, bool]] = []
        for resource in self.index.resources:
            if resource.kind == "iam_user" and id(resource) in self.principals:
                for node in _items(resource.attributes.get("groups")):
                    found, certain = self.index.named(node, "iam_group", resource)
                    pairs += [(self.principals[id(resource)], self.groups[id(g)], certain) for g in found]
            elif resource.kind == "iam_membership":
                targets = self._targets(resource)
                users = [(p, c) for p, c in targets if p.kind == "user"]
                groups = [(p, c) for p, c in targets if p.kind == "group"]
                pairs += [(u, g, cu and cg) for u, cu in users for g, cg in groups]
        for user, group, certain in pairs:
            user.documents += [Applied(a.document, certain and a.certain) for a in group.documents]
            user.unreadable += group.unreadable

    def _functions(self) -> None:
        """Tie each Lambda function to the principals it runs as (see the module doc). A function holding
        identity documents (SAM `Policies`) is a principal of its own, as `_owners` makes one; SAM ignores
        those policies when `Role` is set, so then the function does not run as it."""
        for function in self.index.resources:
            if function.kind != "lambda_function":
                continue
            role = function.attributes.get("role")
            own = self.index.own_documents(function)
            if own:
                holder = self.principals.setdefault(id(function), Principal(function.address, "other", function.path))
                holder.documents += [Applied(d) for d in own]
                if role is None:
                    holder.functions.append((function, True))
            if role is not None:
                roles, certain = self.index.named(role, "iam_role", function)
                for found in (r for r in roles if id(r) in self.principals):
                    self.principals[id(found)].functions.append((function, certain))

    def _owners(self, extraction: Extraction) -> None:
        """Identity documents no IAM resource took: their owner (a function, a permission set) is the principal."""
        for document in extraction.documents:
            if document.kind is not DocKind.IDENTITY or id(document) in self.index.used or not document.owner:
                continue
            placed = _placed(document)
            if _MODULES.sub("", document.owner).startswith("data.") or any(
                    r.address == document.owner and same_deployment(r, placed) for r in self.index.resources):
                continue
            key = (document.owner, placed)
            holder = self.principals.setdefault(key, Principal(document.owner, "other", placed))
            holder.documents.append(Applied(document))


# The module calls an address is reached through: `module.a.module.b["k"].` (a key quoted as Terraform quotes it).
_MODULES = re.compile(r'^(?:module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.)+')


def _placed(document: PolicyDocument) -> str:
    """Where what owns a document is deployed: the caller's file for a module instance's (its resources are
    placed at the module call), else where the document is written."""
    return document.instance_at[0] if document.instance_at is not None else document.path


def shown(text: str) -> str:
    """A value for reports: what cannot be known offline is shown as `(unknown)`."""
    return text.replace(UNKNOWN, "(unknown)")


def principal_label(node: Node) -> str:
    """How a principal value is named in the map: the resource it refers to, else the value as written."""
    if node.ref is not None:
        return node.ref
    return shown(str(node.value)) if node.value is not None else "(unknown)"


def _trusted(trust: PolicyDocument) -> list[str]:
    """Who a role's trust policy lets assume it (Allow statements' principals, as written)."""
    found = []
    for statement in trust.statements:
        if statement.effect is not None and statement.effect.value == "Allow" and statement.principal is not None:
            element = statement.principal
            blocks = element.value.values() if isinstance(element.value, dict) else [element]
            found += [principal_label(item) for block in blocks for item in block.items_list()]
    return sorted(set(found))


def principals_of(extraction: Extraction) -> list[Principal]:
    """The principals defined in the tree, sorted by id, each with the identity documents that reach it."""
    return _Builder(extraction).build(extraction)
