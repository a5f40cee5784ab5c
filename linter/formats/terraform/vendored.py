"""Vendored Terraform modules: the copies `terraform init` installed under `.terraform/modules`.

What the caller's values cause in such a module is reported where the caller wrote them, like any module
call. The module's own code (what it does whatever the caller passes: its twin, the module evaluated on its
own with unknown inputs) belongs to its authors and is not reported, unless the run asks for it
(`--include-vendored-modules`, config `include_vendored_modules`): then each installed module that a root
module calls is reported once, at its own files, under the call's address (`module.sm.aws_iam_policy.x`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Protocol

from linter.model import Extraction, PolicyDocument, Resource
from linter.records import replace


class _Instance(Protocol):
    """A module instance as `modules` makes it: its directory, the directories from the linted module down
    to it, its key in `modules.json` (`a.b`), its twin, and its documents and resources (`_Items`)."""

    directory: Path
    chain: tuple[Path, ...]
    key_path: str
    twin: _Instance | None

    def items(self): ...


def is_vendored(directory: Path) -> bool:
    """Does the directory lie in an installed copy (`.terraform/modules/...`, local submodules included)?"""
    parts = directory.parts
    return any(parts[i] == ".terraform" and parts[i + 1] == "modules" for i in range(len(parts) - 1))


def internals(made: Iterable[_Instance], library: Callable[[_Instance], _Instance]) -> Extraction:
    """The own code of each installed module that the module instances made for a linted module reach first
    (not one called from inside another installed module: that one is part of its caller's code), as
    `library` lints it on its own: reached directly or through local modules (`platform.sm`), it is the
    same code."""
    found = Extraction()
    boundaries: dict[int, tuple[str, _Instance]] = {}
    for child in made:
        if not is_vendored(child.directory) or is_vendored(child.chain[-2]):
            continue
        twin = library(child)
        boundaries.setdefault(id(twin), (child.key_path, twin))
    for key_path, twin in sorted(boundaries.values(), key=lambda pair: pair[0]):
        documents, resources = _addressed(twin, "".join(f"module.{name}." for name in key_path.split(".")))
        found.documents += documents
        found.resources += resources
    return found


def _addressed(module: _Instance, prefix: str) -> tuple[list[PolicyDocument], list[Resource]]:
    """The module's documents and resources under the call's address, links kept between the copies."""
    items = module.items()
    documents = {id(d): replace(d, owner=prefix + d.owner if d.owner else "") for d, emit, _ in items.documents if emit}
    resources = {id(r): replace(r, address=prefix + r.address, documents=[documents.get(id(d), d) for d in r.documents])
                 for r, _, _ in items.resources}
    for resource, _, _ in items.resources:
        resources[id(resource)].links = {relation: [resources.get(id(r), r) for r in linked]
                                         for relation, linked in resource.links.items()}
    return list(documents.values()), [resources[id(r)] for r, emit, _ in items.resources if emit]
