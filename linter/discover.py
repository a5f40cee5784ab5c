"""Stage 1: which files to read, in a stable order.

Which names are worth reading is the formats' knowledge (`linter.formats.registry.reads`), passed in.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from linter.globs import path_glob_match
from linter.loaders.text import is_dir, walk
from linter.records import dataclass

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache"}


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # where to read it
    display: str  # how to report it: as reached from the command-line argument, with '/' separators
    error: str | None = None  # why it cannot be read at all (a directory that cannot be listed)


def path_matches(display: str, pattern: str) -> bool:
    """A path glob matches the whole path or one of its parts; an absolute glob (from a config file, anchored
    at its directory) matches the absolute path."""
    if pattern.startswith("/"):
        return path_glob_match(pattern, os.path.abspath(display).replace(os.sep, "/"))
    return path_glob_match(pattern, display) or any(path_glob_match(pattern, part) for part in display.split("/"))


def _excluded(display: str, excludes: tuple[str, ...]) -> bool:
    return any(path_matches(display, pattern) for pattern in excludes)


def _skip_dir(name: str, parent: Path, skipped: Callable[[str, str], bool]) -> bool:
    """Version control and tool caches, and what the formats say is not source (`skipped(name, parent)`)."""
    return name in SKIP_DIRS or skipped(name, parent.name)


def discover(
    paths: list[str],
    wanted: Callable[[str], bool],
    excludes: tuple[str, ...] = (),
    skipped: Callable[[str, str], bool] = lambda name, parent: False,
) -> list[SourceFile]:
    """Files under the given paths, sorted by display path: every named file, and the walked files whose
    name is `wanted`, in directories not `skipped` (by name and parent name). Excludes apply to named
    files and walked ones. A directory that cannot be listed, and a named symbolic link to a directory, are
    entries with an `error` (input errors: a tree that was not read must not pass as clean)."""
    found: dict[str, SourceFile] = {}
    for arg in paths:
        root = Path(arg)
        if os.path.islink(arg) and _is_dir(root):
            found[root.as_posix()] = SourceFile(root, root.as_posix(), _LINKED_DIR)
            continue
        if not _is_dir(root):
            # Named files obey excludes too: pre-commit and editors name files, and a configured
            # exclude (vendored or generated code) must hold there as well.
            if not _excluded(root.as_posix(), excludes):
                found[root.as_posix()] = SourceFile(root, root.as_posix())
            continue
        unlistable: list[tuple[str, str]] = []
        for directory, dirnames, filenames in walk(root, unlistable):
            rel_dir = Path(directory)
            dirnames[:] = sorted(
                d for d in dirnames
                if not _skip_dir(d, rel_dir, skipped)
                and not _excluded((rel_dir / d).as_posix(), excludes)
            )
            for name in filenames:
                display = (rel_dir / name).as_posix()
                if wanted(name) and not _excluded(display, excludes):
                    found[display] = SourceFile(rel_dir / name, display)
        for directory, reason in unlistable:
            display = Path(directory).as_posix()
            found[display] = SourceFile(Path(directory), display, f"cannot list directory: {reason}")
    return [found[key] for key in sorted(found)]


_LINKED_DIR = "a symbolic link to a directory: not walked (write PATH/ to walk the directory it points to)"


def _is_dir(path: Path) -> bool:
    try:
        return is_dir(path)
    except OSError:  # a parent without search permission: read as a file, which reports why it cannot be
        return False
