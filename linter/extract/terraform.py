"""Terraform: every IAM and Secrets Manager policy of a module, and the secrets, rotations, versions and keys.

A module is a directory: all its `.tf` and `.tf.json` files are read together, so references cross files
(a secret in `main.tf`, its `aws_secretsmanager_secret_policy` in `policies.tf`). Only the files that were
passed are reported; their siblings are read for resolution only.

Positions: a resource's span is its header, from the `resource` keyword to the end of its last label
(`resource "aws_secretsmanager_secret" "db"`); in `.tf.json` it is the resource name's key. Findings about a
resource as a whole (SM004) point there. A policy document's elements keep the spans where they were written
(in the `.tf` file, in a heredoc, or in a file read by `file()`); a document used by several resources is
reported once.
"""
from __future__ import annotations

import os
from pathlib import Path

from linter.discover import SourceFile
from linter.extract.policy import build_document
from linter.extract.tf_docs import Documents
from linter.extract.tf_eval import Evaluator, Scope
from linter.extract.tf_syntax import Block, Unit, top_blocks
from linter.loaders import hcl, jsonpos
from linter.loaders.positions import LineIndex
from linter.loaders.text import read_text
from linter.model import DocKind, Extraction, FileError, Node, PolicyDocument, Resource, Span

# Where each resource type keeps policy documents, and what kind they are.
POLICY_ATTRIBUTES: dict[str, tuple[tuple[str, DocKind], ...]] = {
    "aws_iam_policy": (("policy", DocKind.IDENTITY),),
    "aws_iam_role_policy": (("policy", DocKind.IDENTITY),),
    "aws_iam_user_policy": (("policy", DocKind.IDENTITY),),
    "aws_iam_group_policy": (("policy", DocKind.IDENTITY),),
    "aws_iam_role": (("assume_role_policy", DocKind.TRUST), ("inline_policy.policy", DocKind.IDENTITY)),
    "aws_ssoadmin_permission_set_inline_policy": (("inline_policy", DocKind.IDENTITY),),
    "aws_secretsmanager_secret_policy": (("policy", DocKind.SECRET_RESOURCE),),
    "aws_secretsmanager_secret": (("policy", DocKind.SECRET_RESOURCE),),
    "aws_kms_key": (("policy", DocKind.KEY),),
    "aws_kms_key_policy": (("policy", DocKind.KEY),),
}
RESOURCE_KINDS = {
    "aws_secretsmanager_secret": "secret",
    "aws_secretsmanager_secret_policy": "secret_policy",
    "aws_secretsmanager_secret_rotation": "secret_rotation",
    "aws_secretsmanager_secret_version": "secret_version",
    "aws_kms_key": "kms_key",
}
# Resource kind -> (attribute naming the secret, relation name on the secret).
SECRET_LINKS = {
    "secret_policy": ("secret_arn", "policies"),
    "secret_rotation": ("secret_id", "rotation"),
    "secret_version": ("secret_id", "versions"),
}
SINGLE_BLOCKS = frozenset({"rotation_rules", "lifecycle", "timeouts"})
SECRET_TYPE = "aws_secretsmanager_secret"


def is_terraform_name(name: str) -> bool:
    return name.lower().endswith((".tf", ".tf.json"))


def module_root(files: list[SourceFile]) -> Path | None:
    """The tree `file()` and `templatefile()` may read in: the common parent of the modules of the run.

    Computed once from every Terraform file of the run, so that it does not depend on how a parallel run
    splits the modules over workers.
    """
    directories = {str(_resolved(file.path.parent)) for file in files}
    return Path(os.path.commonpath(sorted(directories))) if directories else None


def extract_modules(files: list[SourceFile], root: Path | None = None) -> Extraction:
    """Documents, resources and errors of the given Terraform files, each resolved with its whole module;
    `root` (default: `module_root(files)`) bounds the files they may read."""
    groups: dict[Path, list[SourceFile]] = {}
    for file in files:
        groups.setdefault(_resolved(file.path.parent), []).append(file)
    if not groups:
        return Extraction()
    root = root or module_root(files)
    result = Extraction()
    for directory in sorted(groups):
        passed = groups[directory]
        try:
            result.extend(_Module(directory, passed, root).extract())
        except Exception as exc:  # a bug must not stop the other modules; it is reported, not hidden
            result.errors.append(FileError(passed[0].display, 1, 1, f"internal error reading Terraform: {exc!r}"))
            result.files_scanned += len(passed)
    return result


def extract_plan(node: Node, file: SourceFile) -> Extraction:
    """Plan JSON (`terraform show -json`): see `tf_plan`."""
    from linter.extract.tf_plan import extract_plan as extract

    return extract(node, file)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


class _Module:
    def __init__(self, directory: Path, passed: list[SourceFile], root: Path) -> None:
        self.directory = directory
        self.passed = passed
        self.display_dir = passed[0].display.rpartition("/")[0]
        self.root = root
        self.errors: list[FileError] = []
        self.units = self._load_units()
        self.blocks = [block for unit in self.units for block in unit.blocks]
        scope = Scope(directory, self.display_dir, root, {}, {}, {})
        for block in self.blocks:
            if block.type == "locals":
                scope.locals.update({name: attr.expr for name, attr in block.body.attrs().items()})
            elif block.type == "variable" and block.labels:
                default = block.body.attr("default")
                scope.variables[block.labels[0]] = default.expr if default else None
            elif block.type == "data" and block.labels[:1] == ["aws_iam_policy_document"] and len(block.labels) > 1:
                scope.data[".".join(block.labels[:2])] = block
        self.evaluator = Evaluator(scope)
        self.documents = Documents(self.evaluator, scope.data)

    # --- reading ---------------------------------------------------------------------------------------

    def _load_units(self) -> list[Unit]:
        passed = {file.path.name: file for file in self.passed}
        try:
            names = {e.name for e in os.scandir(self.directory) if is_terraform_name(e.name) and e.is_file()}
        except OSError:
            names = set()
        units = []
        for name in sorted(names | set(passed)):
            file = passed.get(name)
            display = file.display if file else (f"{self.display_dir}/{name}" if self.display_dir else name)
            unit = self._load_unit(file.path if file else self.directory / name, display, file is not None)
            if unit is not None:
                units.append(unit)
        return units

    def _load_unit(self, path: Path, display: str, passed: bool) -> Unit | None:
        text = read_text(path, display)
        if isinstance(text, FileError):
            self._error(text, passed)
            return None
        index = LineIndex(text)
        unit = Unit(path, display, passed, text, index)
        if display.lower().endswith(".json"):
            try:
                unit.json = jsonpos.parse(text, display)
            except jsonpos.JSONSyntaxError as exc:
                self._error(FileError(display, exc.line, exc.column, exc.message), passed)
                return None
        else:
            unit.hcl, errors = hcl.parse(text, display)
            unit.index = unit.hcl.index
            for error in errors:
                self._error(error, passed)
        unit.blocks = top_blocks(unit)
        return unit

    def _error(self, error: FileError, passed: bool) -> None:
        if passed:
            self.errors.append(error)

    # --- extraction ------------------------------------------------------------------------------------

    def extract(self) -> Extraction:
        uses: dict[int, list[tuple[DocKind, Block]]] = {}
        roots: dict[int, Node] = {}
        resources: list[tuple[Resource, Block]] = []
        policy_roots: dict[int, list[Node]] = {}  # id(resource) -> its document roots
        for block in self.blocks:
            if block.type != "resource" or len(block.labels) < 2:
                continue
            type_ = block.labels[0]
            attributes = self._attributes(block) if type_ in RESOURCE_KINDS else None
            found = []
            for value, kind in self._policy_values(block, attributes):
                root = self.documents.root_of(value, block.unit)
                if root is not None:
                    roots[id(root)] = root
                    uses.setdefault(id(root), []).append((kind, block))
                    found.append(root)
            if attributes is not None:
                resource = Resource(RESOURCE_KINDS[type_], type_, block.address, block.unit.display, block.header,
                                    attributes, block_span=block.span)
                resources.append((resource, block))
                policy_roots[id(resource)] = found
        for block in self.blocks:
            if block.type == "data" and ".".join(block.labels[:2]) in self.evaluator.scope.data:
                root = self.documents.data_document(".".join(block.labels[:2]))
                if root is not None:
                    roots.setdefault(id(root), root)
        documents = self._documents(roots, uses)
        for resource, _ in resources:
            resource.documents = [documents[id(root)][0] for root in policy_roots[id(resource)]]
        _link(resources)
        result = Extraction(errors=self.errors, files_scanned=len(self.passed))
        result.errors += [error for error, unit in self.documents.errors if unit.passed]
        result.documents = [doc for doc, emit in documents.values() if emit]
        result.resources = [resource for resource, block in resources if block.unit.passed]
        return result

    def _policy_values(self, block: Block, attributes: dict[str, Node] | None) -> list[tuple[Node, DocKind]]:
        values = []
        for name, kind in POLICY_ATTRIBUTES.get(block.labels[0], ()):
            if name == "inline_policy.policy":
                for inline in block.body.blocks_static("inline_policy"):
                    attr = inline.body.attr("policy")
                    if attr is not None:
                        values.append((self.evaluator.eval(attr.expr), kind))
                continue
            if attributes is not None:
                value = attributes.get(name)
            else:
                attr = block.body.attr(name)
                value = self.evaluator.eval(attr.expr) if attr is not None else None
            if value is not None:
                values.append((value, kind))
        return values

    def _documents(self, roots: dict[int, Node], uses: dict[int, list[tuple[DocKind, Block]]]
                   ) -> dict[int, tuple[PolicyDocument, bool]]:
        """One PolicyDocument per distinct root, and whether it is reported (its own file was passed)."""
        data_owner = {id(root): address for address, root in self.documents.roots.items()}
        data_blocks = {block.address: block for block in self.blocks if block.type == "data"}
        units = {unit.display: unit for unit in self.units}
        result = {}
        for key, root in roots.items():
            used = uses.get(key, [])
            kinds = [kind for kind, _ in used]
            kind = DocKind.SECRET_RESOURCE if DocKind.SECRET_RESOURCE in kinds else (kinds[0] if kinds else None)
            owner = data_owner.get(key) or (used[0][1].address if used else "")
            document = build_document(root, root.path, kind, owner)
            document.complete = key not in self.documents.partial_ids
            if key in data_owner:
                block = data_blocks[data_owner[key]]
                document.span = block.header
                home = block.unit
                emit = home.passed and (bool(used) or key not in self.documents.source_ids)
            else:
                block = used[0][1]
                home = units.get(root.path) or block.unit
                emit = home.passed
            if block.unit.display == root.path:
                document.owner_span = block.span  # lets a suppression comment above the block cover it
            result[key] = (document, emit)
        return result

    def _attributes(self, block: Block) -> dict[str, Node]:
        """Every attribute of a resource evaluated, nested blocks as mappings (lists unless single)."""
        return _body_values(self.evaluator, block)[0]


def _body_values(evaluator: Evaluator, block: Block) -> tuple[dict[str, Node], dict[str, Span]]:
    values: dict[str, Node] = {}
    key_spans: dict[str, Span] = {}
    for name, attr in block.body.attrs().items():
        values[name] = evaluator.eval(attr.expr)
        key_spans[name] = attr.name_span
    for nested in block.body.blocks():
        name = nested.labels[0] if nested.type == "dynamic" and nested.labels else nested.type
        contents = nested.body.blocks("content") if nested.type == "dynamic" else [nested]
        for content in contents:
            inner, inner_spans = _body_values(evaluator, content)
            node = Node(inner, nested.span, nested.unit.display, inner_spans)
            if name in SINGLE_BLOCKS:
                values.setdefault(name, node)
            elif name in values and isinstance(values[name].value, list):
                values[name].value.append(node)
                values[name].span = values[name].span.cover(node.span)
            else:
                values[name] = Node([node], node.span, node.path)
            key_spans.setdefault(name, nested.header)
    return values, key_spans


def _link(resources: list[tuple[Resource, Block]]) -> None:
    """Attach policies, rotations and versions to the secret their `secret_arn`/`secret_id` refers to."""
    secrets = {r.address: r for r, _ in resources if r.kind == "secret"}
    for secret in secrets.values():
        for relation in ("policies", "rotation", "versions"):
            secret.links.setdefault(relation, [])
    for resource, _ in resources:
        link = SECRET_LINKS.get(resource.kind)
        if link is None:
            continue
        target = resource.attributes.get(link[0])
        secret = secrets.get(target.ref) if target is not None and target.ref else None
        if secret is None:
            continue
        secret.links[link[1]].append(resource)
        if resource.kind == "secret_policy":
            secret.documents += [doc for doc in resource.documents if doc not in secret.documents]
