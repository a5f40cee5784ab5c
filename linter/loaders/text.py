"""Reading a source file's text, turning every way it can fail into a FileError.

Within `reading()` (one run of the pipeline, or one worker), each file is read from disk once, whichever
stage or format asks for it, and the report is shown the very text that was linted (`texts`).
"""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from linter.loaders import snapshot
from linter.model import FileError

MAX_BYTES = 20 * 1024 * 1024

# Text that replaces a file's content on disk (`--stdin-filename`, an editor's unsaved buffer), by absolute path.
_OVERLAY: dict[str, str] = {}
# Within `reading()`: what each file read as (by absolute path), and the display names it was read under.
_READ: dict[str, str | FileError] | None = None
_SHOWN: dict[str, str] = {}


def _key(path: Path) -> str:
    return str(Path(path).absolute())


@contextmanager
def overlay(texts: dict[Path, str]) -> Iterator[None]:
    """Within the block, `read_text` returns these texts instead of reading the files (which may not exist)."""
    saved = dict(_OVERLAY)
    _OVERLAY.update({_key(p): t.removeprefix("\ufeff").replace("\r\n", "\n") for p, t in texts.items()})
    try:
        yield
    finally:
        _OVERLAY.clear()
        _OVERLAY.update(saved)


def overlaid(path: Path) -> str | None:
    """The overlay text for a path, if any (for code that checks existence before reading)."""
    return _OVERLAY.get(_key(path)) if _OVERLAY else None


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, every file is read once and remembered (see `texts`)."""
    global _READ
    saved = _READ, dict(_SHOWN)
    _READ = {}
    _SHOWN.clear()
    try:
        yield
    finally:
        _READ = saved[0]
        _SHOWN.clear()
        _SHOWN.update(saved[1])


def texts(displays: set[str]) -> dict[str, str]:
    """The text each of these files (by display name) was linted as, for those read within `reading()`."""
    if _READ is None:
        return {}
    found = {display: _READ.get(_SHOWN.get(display, "")) for display in displays}
    return {display: text for display, text in found.items() if isinstance(text, str)}


def read_text(path: Path, display: str) -> str | FileError:
    """UTF-8 text (a BOM is dropped, CRLF read as LF), or an error for missing, huge or binary files."""
    if _READ is None:
        return _read(path, display)
    key = _key(path)
    _SHOWN.setdefault(display, key)
    if key not in _READ:
        _READ[key] = _read(path, display)
    found = _READ[key]
    return replace(found, path=display) if isinstance(found, FileError) and found.path != display else found


def _read(path: Path, display: str) -> str | FileError:
    if _OVERLAY and (text := _OVERLAY.get(_key(path))) is not None:
        return FileError(display, 1, 1, "binary file, not text") if "\x00" in text[:8192] else text
    if snapshot._ACTIVE and (covered := snapshot.active_for(path)) is not None:
        return _from_snapshot(*covered, display)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return FileError(display, 1, 1, "not a regular file (a pipe, device or socket)")
        size = info.st_size
        if size > MAX_BYTES:
            return FileError(display, 1, 1, f"file too large ({size // 1048576} MiB; the limit is 20 MiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        return FileError(display, 1, 1, "no such file")
    except OSError as exc:
        return FileError(display, 1, 1, f"cannot read file: {exc.strerror or exc}")
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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return FileError(display, line, column, "not valid UTF-8 text")
    return text.replace("\r\n", "\n")


# File-system questions the extractors ask, answered from an active snapshot (a git revision) when one covers
# the path, else from the disk.

def is_file(path: Path) -> bool:
    if snapshot._ACTIVE and (covered := snapshot.active_for(path)) is not None:
        return covered[0].is_file(covered[1])
    return Path(path).is_file()


def is_dir(path: Path) -> bool:
    if snapshot._ACTIVE and (covered := snapshot.active_for(path)) is not None:
        return covered[0].is_dir(covered[1])
    return Path(path).is_dir()


def file_names(directory: Path) -> list[str]:
    """Names of the regular files in a directory ([] when it cannot be listed)."""
    if snapshot._ACTIVE and (covered := snapshot.active_for(directory)) is not None:
        return sorted(name for name, is_file in covered[0].children.get(covered[1], {}).items() if is_file)
    try:
        return sorted(e.name for e in os.scandir(directory) if e.is_file())
    except OSError:
        return []


def walk(top: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top)`, or its equivalent over an active snapshot."""
    if snapshot._ACTIVE and (covered := snapshot.active_for(top)) is not None:
        return snapshot.walk(covered[0], Path(top), covered[1])
    return os.walk(top)
