"""Reading a source file's text, turning every way it can fail into a FileError.

Within `reading()` (one run of the pipeline, or one worker), each file is read from disk once, whichever
stage or format asks for it, and the report is shown the very text that was linted (`texts`).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from linter import fileaccess
from linter.loaders import snapshot
from linter.model import FileError
from linter.records import replace

MAX_BYTES = fileaccess.MAX_BYTES

# Run state lives in context variables, so a run in another thread (the language server's lint worker)
# never sees or undoes this one's. Text that replaces a file's content on disk (`--stdin-filename`, an
# editor's unsaved buffer), by absolute path:
_OVERLAY: ContextVar[dict[str, str]] = ContextVar("policylint_overlay", default={})


class _Reads:
    """Within `reading()`: what each file read as (by absolute path), and the display names it was read under."""

    __slots__ = ("read", "shown")

    def __init__(self) -> None:
        self.read: dict[str, str | FileError] = {}
        self.shown: dict[str, str] = {}


_READS: ContextVar[_Reads | None] = ContextVar("policylint_reads", default=None)


# Within `watching()`: every path a run asked the file system about (read, listed, tested), so that a caller
# keeping results (the language server) knows what to check before reusing one.
_WATCHED: ContextVar[set[str] | None] = ContextVar("policylint_watched", default=None)


def _key(path: Path) -> str:
    return str(Path(path).absolute())


@contextmanager
def watching() -> Iterator[set[str]]:
    """Within the block, the absolute paths the run asks about on disk are added to the set it gives."""
    seen: set[str] = set()
    token = _WATCHED.set(seen)
    try:
        yield seen
    finally:
        _WATCHED.reset(token)


def _watch(path: Path | str) -> None:
    seen = _WATCHED.get()
    if seen is not None:
        seen.add(_key(Path(path)))


@contextmanager
def overlay(texts: dict[Path, str]) -> Iterator[None]:
    """Within the block, `read_text` returns these texts instead of reading the files (which may not exist)."""
    added = {_key(p): _line_ends(t.removeprefix("\ufeff")) for p, t in texts.items()}
    token = _OVERLAY.set({**_OVERLAY.get(), **added})
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def overlaid(path: Path) -> str | None:
    """The overlay text for a path, if any (for code that checks existence before reading)."""
    texts = _OVERLAY.get()
    return texts.get(_key(path)) if texts else None


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, every file is read once and remembered (see `texts`)."""
    token = _READS.set(_Reads())
    try:
        yield
    finally:
        _READS.reset(token)


def texts(displays: set[str]) -> dict[str, str]:
    """The text each of these files (by display name) was linted as, for those read within `reading()`."""
    reads = _READS.get()
    if reads is None:
        return {}
    found = {display: reads.read.get(reads.shown.get(display, "")) for display in displays}
    return {display: text for display, text in found.items() if isinstance(text, str)}


def read_text(path: Path, display: str) -> str | FileError:
    """UTF-8 text (a BOM is dropped, CRLF and CR read as LF), or an error for missing, huge, binary or
    non-regular files and for links out of the scanned tree (`linter.fileaccess` is the policy)."""
    reads = _READS.get()
    if reads is None:
        return _read(path, display)
    key = _key(path)
    reads.shown.setdefault(display, key)
    if key not in reads.read:
        reads.read[key] = _read(path, display)
    found = reads.read[key]
    return replace(found, path=display) if isinstance(found, FileError) and found.path != display else found


def _read(path: Path, display: str) -> str | FileError:
    if (text := overlaid(path)) is not None:
        return FileError(display, 1, 1, "binary file, not text") if "\x00" in text[:8192] else text
    _watch(path)
    if snapshot.any_active() and (covered := snapshot.active_for(path)) is not None:
        return _from_snapshot(*covered, display)
    try:
        fileaccess.check_scope(path)
        data = fileaccess.read_bytes(path)
    except fileaccess.UnreadableFile as exc:
        return FileError(display, exc.line, exc.column, exc.message)
    return _decoded(data, display)


def _from_snapshot(tree: snapshot.Snapshot, relative: str, display: str) -> str | FileError:
    size = tree.sizes.get(relative)
    if size is None:
        return FileError(display, 1, 1, "no such file")
    if size > MAX_BYTES:
        return FileError(display, 1, 1, f"file too large ({size // 1048576} MiB; the limit is 20 MiB)")
    data = tree.load(relative)
    return FileError(display, 1, 1, "cannot read file") if data is None else _decoded(data, display)


def _decoded(data: bytes, display: str) -> str | FileError:
    """The text of a file's bytes, as `read_text` returns it."""
    if b"\x00" in data[:8192]:
        return FileError(display, 1, 1, "binary file, not text")
    try:
        text = fileaccess.decode(data)
    except fileaccess.UnreadableFile as exc:
        return FileError(display, exc.line, exc.column, exc.message)
    return _line_ends(text)


def _line_ends(text: str) -> str:
    """CRLF and a lone CR (old Mac files) both end a line, as in editors: every format then counts the same
    lines (YAML would count a lone CR, JSON and HCL would not)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# File-system questions the extractors ask, answered from an active snapshot (a git revision) when one covers
# the path, else from the disk.

def is_file(path: Path) -> bool:
    _watch(path)
    if snapshot.any_active() and (covered := snapshot.active_for(path)) is not None:
        return covered[0].is_file(covered[1])
    return Path(path).is_file()


def is_dir(path: Path) -> bool:
    _watch(path)
    if snapshot.any_active() and (covered := snapshot.active_for(path)) is not None:
        return covered[0].is_dir(covered[1])
    return Path(path).is_dir()


def file_names(directory: Path) -> list[str]:
    """Names of the regular files in a directory ([] when it cannot be listed)."""
    _watch(directory)
    if snapshot.any_active() and (covered := snapshot.active_for(directory)) is not None:
        return sorted(name for name, is_file in covered[0].children.get(covered[1], {}).items() if is_file)
    try:
        return sorted(e.name for e in os.scandir(directory) if e.is_file())
    except OSError:
        return []


def walk(top: Path, unlistable: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top)`, or its equivalent over an active snapshot. On disk it walks without recursion (a tree
    thousands of levels deep is walked too), puts only real directories in `dirnames` (links to directories
    are not followed; they are names like files), and appends each directory it cannot list, with the
    reason, to `unlistable`."""
    if snapshot.any_active() and (covered := snapshot.active_for(top)) is not None:
        return snapshot.walk(covered[0], Path(top), covered[1])
    return _walk_disk(str(top), [] if unlistable is None else unlistable)


def _walk_disk(top: str, unlistable: list[tuple[str, str]]) -> Iterator[tuple[str, list[str], list[str]]]:
    pending = [top]
    while pending:
        directory = pending.pop()
        _watch(directory)
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            unlistable.append((directory, exc.strerror or str(exc)))
            continue
        dirnames = [e.name for e in entries if _real_dir(e)]
        filenames = [e.name for e in entries if not _real_dir(e)]
        yield directory, dirnames, filenames  # the caller may prune dirnames, as with os.walk
        pending.extend(os.path.join(directory, name) for name in reversed(dirnames))


def _real_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
