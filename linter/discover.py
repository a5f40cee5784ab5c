"""Stage 1: which files to read, in a stable order, and what syntax each is written in."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from linter.globs import path_glob_match

SKIP_DIRS = {".git", ".terraform", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache"}
_YAML = (".yaml", ".yml", ".template")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # where to read it
    display: str  # how to report it: as reached from the command-line argument, with '/' separators
    syntax: str | None  # "terraform" (.tf and .tf.json), "json", "yaml"; None: named but not IaC by its name
    error: str | None = None  # why it cannot be read at all (a directory that cannot be listed)


def syntax_of(name: str) -> str | None:
    """The syntax a file name implies, or None for files policylint never reads."""
    lower = name.lower()
    if lower.endswith((".tf", ".tf.json")):
        return "terraform"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(_YAML):
        return "yaml"
    return None


def path_matches(display: str, pattern: str) -> bool:
    """A path glob matches the whole path or one of its parts; an absolute glob (from a config file, anchored
    at its directory) matches the absolute path."""
    if pattern.startswith("/"):
        return path_glob_match(pattern, os.path.abspath(display).replace(os.sep, "/"))
    return path_glob_match(pattern, display) or any(path_glob_match(pattern, part) for part in display.split("/"))


def _excluded(display: str, excludes: tuple[str, ...]) -> bool:
    return any(path_matches(display, pattern) for pattern in excludes)


def _skip_dir(name: str, parent: Path) -> bool:
    """Tool caches and CDK's bundled assets (code and copies of templates, not the stack itself)."""
    return name in SKIP_DIRS or (name.startswith("asset.") and parent.name == "cdk.out")


def discover(paths: list[str], excludes: tuple[str, ...] = ()) -> list[SourceFile]:
    """Files under the given paths, sorted by display path; excludes apply to named files and walked ones.

    A directory that cannot be listed, and a named symbolic link to a directory, become entries with an
    `error` (input errors: a tree that was not read must not pass as clean).
    """
    found: dict[str, SourceFile] = {}
    for arg in paths:
        root = Path(arg)
        if os.path.islink(arg) and _is_dir(root):
            found[root.as_posix()] = SourceFile(root, root.as_posix(), None, _LINKED_DIR)
        elif not _is_dir(root):
            # Named files obey excludes too: pre-commit and editors name files, and a configured
            # exclude (vendored or generated code) must hold there as well.
            if not _excluded(root.as_posix(), excludes):
                found[root.as_posix()] = SourceFile(root, root.as_posix(), syntax_of(root.name))
        else:
            found.update((f.display, f) for f in _walk(root, excludes))
    return [found[key] for key in sorted(found)]


_LINKED_DIR = "a symbolic link to a directory: not walked (write PATH/ to walk the directory it points to)"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a parent without search permission: read as a file, which reports why it cannot be
        return False


def _walk(root: Path, excludes: tuple[str, ...]) -> Iterator[SourceFile]:
    """Every IaC-named entry below `root` that is not a directory (without recursion, so a tree thousands of
    levels deep is walked too); directory links are not followed, file links are checked when read."""
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            display = directory.as_posix()
            yield SourceFile(directory, display, None, f"cannot list directory: {exc.strerror or exc}")
            continue
        for entry in entries:
            display = (directory / entry.name).as_posix()
            if _entry_is_dir(entry):
                if not _skip_dir(entry.name, directory) and not _excluded(display, excludes):
                    pending.append(directory / entry.name)
            elif (syntax := syntax_of(entry.name)) and not _excluded(display, excludes):
                yield SourceFile(directory / entry.name, display, syntax)


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
