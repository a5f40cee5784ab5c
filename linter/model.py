"""The data every pipeline stage shares: source spans, positioned values, policy documents, resources, findings.

Loaders turn text into `Node` trees; extractors turn nodes into `PolicyDocument`s and `Resource`s;
the engine turns those into `Finding`s. Nothing here does I/O.
"""
from __future__ import annotations

from enum import Enum
from typing import Union

from linter.records import dataclass, field

# A value that cannot be known offline (a Terraform variable without default, `!GetAtt`, a pseudo
# parameter). It is embedded in strings as this private-use character so that glob matching treats it as
# "some fixed text": a `*` in a pattern can match it, but it never matches a literal and is never `*`.
UNKNOWN = "\ue000"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """1-based line and column (in characters) of the first character and of the character after the last."""

    line: int
    column: int
    end_line: int
    end_column: int

    def cover(self, other: Span) -> Span:
        """The smallest span containing both."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1])


Scalar = Union[str, int, float, bool, None]


@dataclass(slots=True, eq=False)
class Node:
    """A value from a source file with its span.

    `value` is a scalar, a `list[Node]` or a `dict[str, Node]`; for dicts `key_spans` gives the span of each
    key. `ref` names the resource a reference points at (`aws_secretsmanager_secret.db`, `DatabaseSecret`)
    when the value is an unknown that is known to be that resource's ARN, id or name. `not_arn` says how the
    user wrote such a reference when the format knows it is not the ARN (`aws_secretsmanager_secret.db.name`,
    `!Ref AppRole`: a name or key id), so a policy's `Resource` never takes it for the resource it names.
    `path` is the file the node came from (a policy read through Terraform's `file()` lives in another file
    than its resource).
    """

    value: Scalar | list[Node] | dict[str, Node]
    span: Span
    path: str = ""
    key_spans: dict[str, Span] | None = None
    ref: str | None = None
    not_arn: str | None = None

    def get(self, key: str) -> Node | None:
        """Child of a mapping node by exact key, or None for a missing key or a non-mapping node."""
        return self.value.get(key) if isinstance(self.value, dict) else None

    def items_list(self) -> list[Node]:
        """The node's items: a list's elements, or the node itself for a single value (IAM's string-or-list)."""
        return self.value if isinstance(self.value, list) else [self]

    def plain(self) -> object:
        """The value with positions stripped, for messages, fingerprints and tests."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    @property
    def is_unknown(self) -> bool:
        return isinstance(self.value, str) and UNKNOWN in self.value

    def place(self, about: tuple[int, int] | None = None) -> tuple[str, Span]:
        """Where a finding on this value points: where it was written (a value composed from parts written
        in several places may say which one the user should look at). `about`: the characters [start, end)
        of the text the finding is about, when a rule can tell (a service prefix, an action name)."""
        return self.path, self.span


class DocKind(str, Enum):
    """What a policy document is attached to decides how its elements are read."""

    IDENTITY = "identity"
    SECRET_RESOURCE = "secret-resource"
    RESOURCE = "resource"
    TRUST = "trust"
    KEY = "key"


@dataclass(slots=True, eq=False)
class Statement:
    """One policy statement; each element is the node as written (string or list), or None when absent."""

    node: Node
    effect: Node | None = None
    sid: Node | None = None
    action: Node | None = None
    not_action: Node | None = None
    resource: Node | None = None
    not_resource: Node | None = None
    principal: Node | None = None
    not_principal: Node | None = None
    condition: Node | None = None


@dataclass(slots=True, eq=False)
class PolicyDocument:
    """A policy document found in a file, with the resource that owns it (if any)."""

    kind: DocKind
    node: Node
    path: str
    statements: list[Statement]
    version: Node | None = None
    owner: str = ""  # address of the resource or data source that holds it; "" for a standalone file
    span: Span | None = None  # where to report document-level findings; defaults to node.span
    owner_span: Span | None = None  # the whole block of the owning resource, for suppressions above it
    # The key the document is written under (`PolicyDocument:` of a template): a suppression above that key
    # covers the document.
    key_span: Span | None = None
    # False when part of the document cannot be read offline (a `dynamic` statement, a source document from a
    # variable): rules that must see every statement to judge (SM004) stay silent rather than guess.
    complete: bool = True
    # An instance of reused code (a Terraform module call) carries its `twin`: the same document of that code
    # evaluated on its own. Findings the twin has too are reported there, once; only what the instance's
    # inputs add is reported here. `instance` names the module call it was reached through (`module.x.`).
    twin: PolicyDocument | None = field(default=None, repr=False)
    instance: str = ""
    # Where the (outermost) module call that made this instance is written: findings that several calls
    # share are reported as the one written first.
    instance_at: tuple[str, Span] | None = None
    # The files of an installed module (`.terraform/modules/x/`) this instance's code is written in: a
    # finding placed there (a statement the caller's value makes fire) is reported at `instance_at`, the
    # caller's call, which the user can change and suppress; the installed copy is not theirs to edit.
    vendored: str = ""
    # A document the user attached by name rather than wrote (`AWS managed policy SecretsManagerReadWrite`):
    # messages say where its statements come from.
    origin: str = ""
    # Why a document the user referred to cannot be read (an unknown AWS managed policy name): IAM006.
    problem: str = ""

    @property
    def where(self) -> Span:
        return self.span or self.node.span


@dataclass(slots=True, eq=False)
class Resource:
    """An IaC resource that rules look at as a whole (a secret, its rotation, a key, a policy attachment).

    `kind` is format-neutral (`secret`, `secret_policy`, `secret_rotation`, `secret_version`, `kms_key`);
    `attributes` use Terraform's attribute names whatever the source format. `documents` are the policy
    documents that apply to it (for a secret: its resource policies, wherever they were written), and
    `links` name related resources by relation (`rotation`, `versions`, `policies`).
    """

    kind: str
    type: str
    address: str
    path: str
    span: Span
    attributes: dict[str, Node] = field(default_factory=dict)
    documents: list[PolicyDocument] = field(default_factory=list)
    links: dict[str, list[Resource]] = field(default_factory=dict)
    standalone: bool = False  # a standalone secret resource-policy file stands in for its secret
    block_span: Span | None = None  # the whole resource block (`span` is where findings point)
    # Attribute names as the source format writes them (`kms_key_id` -> `KmsKeyId` in CloudFormation), for
    # messages; a name missing here is written as the key of `attributes`.
    written_names: dict[str, str] = field(default_factory=dict)
    twin: Resource | None = field(default=None, repr=False)  # as PolicyDocument.twin
    # Attributes that only some deployments set (CloudFormation `!If [Cond, X, !Ref AWS::NoValue]`), absent
    # from `attributes`: name -> a node at the attribute's key whose value says when it is set.
    conditional: dict[str, Node] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A reviewed exception declared next to the code (comment) or in CloudFormation Metadata.

    It covers findings of `rule_ids` whose element, statement, document or resource block starts on
    `target_line` of `path` (a comment above a block targets the block's first line), or the whole file
    when `target_line` is 0. `declared` is where it is written, to report it when it matches nothing.
    `problem` is set for a comment that looks like a directive but is mistyped: it covers nothing and is
    reported like an unused suppression, so the typo does not silently leave a finding unsuppressed.
    """

    path: str
    target_line: int
    rule_ids: tuple[str, ...]
    reason: str
    declared: Span
    problem: str = ""


@dataclass(frozen=True, slots=True)
class FileError:
    """An input that could not be read or parsed; the run goes on without it."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class ModuleCall:
    """A call of a module fetched by a tool (a Terraform registry or git `source`), at its `source` value:
    `followed` when an installed copy was evaluated. A call is "not followed" for the run only when no
    evaluation followed it (a library module linted on its own lacks the installed copies of the root
    module that calls it), so the run collects both kinds."""

    path: str
    span: Span
    source: str
    followed: bool
    remedy: str = ""  # what makes it followable, in the tool's words (`run terraform init`)

    def sort_key(self) -> tuple:
        return (self.path, self.span, self.source)


def not_followed(calls: list[ModuleCall]) -> list[ModuleCall]:
    """The calls no evaluation of the run followed, once each, sorted (the same whatever `--jobs`)."""
    followed = {(c.path, c.span) for c in calls if c.followed}
    missing = {c for c in calls if not c.followed and (c.path, c.span) not in followed}
    return sorted(missing, key=ModuleCall.sort_key)


@dataclass(slots=True, eq=False)
class Extraction:
    """What one extractor found in the files it was given."""

    documents: list[PolicyDocument] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    files_scanned: int = 0
    module_calls: list[ModuleCall] = field(default_factory=list)  # remote module calls met, followed or not
    # Files read only to resolve the named ones (a module's siblings, the root modules calling it): a finding
    # placed there is not reported, whichever document it comes from (single-file parity, see `pipeline`).
    hidden: set[str] = field(default_factory=set)

    def read_beyond(self, displays: set[str]) -> set[str]:
        """Files other than these whose policies were read (Terraform's file()): consumed in this context."""
        return {d.path for d in self.documents} - displays

    def extend(self, other: Extraction) -> None:
        self.documents += other.documents
        self.resources += other.resources
        self.errors += other.errors
        self.suppressions += other.suppressions
        self.files_scanned += other.files_scanned
        self.module_calls += other.module_calls
        self.hidden |= other.hidden


@dataclass(frozen=True, slots=True)
class RawFinding:
    """What a rule found, before fingerprints and filters: plain data, so it crosses process boundaries.

    `element` is the matched element's value (what the fingerprint is made of); `context` the spans that
    enclose the finding, innermost first (what an inline suppression can target); `written` where the
    module call that made its document (if any), its subject (statement, document, resource; with the
    statement's rank in its document) and its element were written, the element's before any move to
    where a caller wrote part of it.
    """

    rule_id: str
    path: str
    span: Span
    owner: str
    element: object
    message: str
    context: tuple[Span, ...]
    written: tuple = ()

    def sort_key(self) -> tuple:
        return (self.path, self.span, self.rule_id, self.message, self.owner)

    def first(self) -> tuple:
        """Among findings of one rule at one range, the one to report: the subject written first, then the
        element; message and owner only break ties between identical places (so never by chance order)."""
        return (self.written, self.message, self.owner)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: str
    title: str
    message: str
    path: str
    span: Span
    resource: str
    fingerprint: str
    # Spans enclosing the finding, innermost first (element, statement, document, resource block): what an
    # inline suppression can target. Not part of any report.
    context: tuple[Span, ...] = field(default=(), compare=False, repr=False)
    # The raw findings of this rule at this range that it stands for (`RawFinding.first` order; the first
    # speaks): a suppression is judged on each, so the finding is suppressed only when all of them are.
    # Empty for a finding made directly, which stands for itself. Not part of any report (nor sanitised).
    parts: tuple[RawFinding, ...] = field(default=(), compare=False, repr=False, metadata={"sanitise": "skip"})
    # Some of the raw findings it stood for are suppressed (`filters`): its element is also read where the
    # user chose to keep it as it is, so no fix is offered for it. Not part of any report.
    held: bool = field(default=False, compare=False, repr=False)

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.rule_id, self.span, self.message)
