"""A read-only tree that stands in for a directory on disk: the files of a git revision.

`--baseline-commit` lints the repository as it was at a revision without checking it out or writing
anything: while a snapshot is active, every file-system question policylint asks about paths below its
root (does it exist, what is in this directory, what does this file hold) is answered from the snapshot,
and paths outside it from the disk. `linter.loaders.text` routes reads, directory listings and existence
checks through `active_for`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterator

from linter.records import dataclass, field


@dataclass(slots=True, eq=False)
class Snapshot:
    """Files below `root` by '/'-separated relative path, with their sizes; `load` gives a file's bytes.
    Paths below a `disk` directory (a submodule) are not the snapshot's: they are read from the disk."""

    root: Path
    sizes: dict[str, int]
    load: Callable[[str], bytes | None]
    disk: tuple[str, ...] = ()
    children: dict[str, dict[str, bool]] = field(default_factory=dict)  # dir -> name -> is a file

    def __post_init__(self) -> None:
        self.root = Path(os.path.normpath(self.root.absolute()))
        self.children.setdefault("", {})
        for name in (*self.sizes, *(f"{d}/" for d in self.disk)):
            parts = name.split("/")
            if not parts[-1]:  # a `disk` directory: listed as a directory, read from the disk
                parts = parts[:-1]
                for depth in range(len(parts)):
                    self.children.setdefault("/".join(parts[:depth]), {})[parts[depth]] = False
                continue
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                self.children.setdefault(parent, {})[parts[depth]] = depth == len(parts) - 1
                if depth < len(parts) - 1:
                    self.children.setdefault("/".join(parts[: depth + 1]), {})

    def relative(self, path: Path) -> str | None:
        """`path` relative to the root ('' for the root itself), or None when it lies outside."""
        absolute = os.path.normpath(Path(path).absolute())
        root = str(self.root)
        if absolute == root:
            return ""
        prefix = root.rstrip(os.sep) + os.sep
        if not absolute.startswith(prefix):
            return None
        relative = absolute[len(prefix):].replace(os.sep, "/")
        return None if any(relative == d or relative.startswith(d + "/") for d in self.disk) else relative

    def is_file(self, relative: str) -> bool:
        return relative in self.sizes

    def is_dir(self, relative: str) -> bool:
        return relative in self.children


# Snapshots active in this context (a context variable: other threads' runs never see them).
_ACTIVE: ContextVar[tuple[Snapshot, ...]] = ContextVar("policylint_snapshots", default=())


@contextmanager
def active(snapshot: Snapshot) -> Iterator[None]:
    """Within the block, paths below the snapshot's root are read from it."""
    token = _ACTIVE.set(_ACTIVE.get() + (snapshot,))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def any_active() -> bool:
    return bool(_ACTIVE.get())


def active_for(path: Path) -> tuple[Snapshot, str] | None:
    """The active snapshot covering `path` and the path relative to its root, or None (read the disk)."""
    for snapshot in reversed(_ACTIVE.get()):
        relative = snapshot.relative(path)
        if relative is not None:
            return snapshot, relative
    return None


def walk(snapshot: Snapshot, top: Path, relative: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top)` over the snapshot, top-down; like os.walk, pruning `dirnames` in place skips them."""
    entries = snapshot.children.get(relative, {})
    dirnames = sorted(name for name, is_file in entries.items() if not is_file)
    filenames = sorted(name for name, is_file in entries.items() if is_file)
    yield str(top), dirnames, filenames
    for name in dirnames:
        child = f"{relative}/{name}" if relative else name
        yield from os.walk(top / name) if child in snapshot.disk else walk(snapshot, top / name, child)
