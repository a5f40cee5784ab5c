"""Reading a source file's text, turning every way it can fail into a FileError."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from linter import fileaccess
from linter.model import FileError

# Text that replaces a file's content on disk (`--stdin-filename`, an editor's unsaved buffer), by absolute path.
_OVERLAY: dict[str, str] = {}


def _key(path: Path) -> str:
    return str(Path(path).absolute())


@contextmanager
def overlay(texts: dict[Path, str]) -> Iterator[None]:
    """Within the block, `read_text` returns these texts instead of reading the files (which may not exist)."""
    saved = dict(_OVERLAY)
    _OVERLAY.update({_key(p): _line_ends(t.removeprefix("\ufeff")) for p, t in texts.items()})
    try:
        yield
    finally:
        _OVERLAY.clear()
        _OVERLAY.update(saved)


def overlaid(path: Path) -> str | None:
    """The overlay text for a path, if any (for code that checks existence before reading)."""
    return _OVERLAY.get(_key(path)) if _OVERLAY else None


def read_text(path: Path, display: str) -> str | FileError:
    """UTF-8 text (a BOM is dropped, CRLF and CR read as LF), or an error for missing, huge, binary or
    non-regular files and for links out of the scanned tree (`linter.fileaccess` is the policy)."""
    if _OVERLAY and (text := _OVERLAY.get(_key(path))) is not None:
        return FileError(display, 1, 1, "binary file, not text") if "\x00" in text[:8192] else text
    try:
        fileaccess.check_scope(path)
        data = fileaccess.read_bytes(path)
        if b"\x00" in data[:8192]:
            return FileError(display, 1, 1, "binary file, not text")
        text = fileaccess.decode(data)
    except fileaccess.UnreadableFile as exc:
        return FileError(display, exc.line, exc.column, exc.message)
    return _line_ends(text)


def _line_ends(text: str) -> str:
    """CRLF and a lone CR (old Mac files) both end a line, as in editors: every format then counts the same
    lines (YAML would count a lone CR, JSON and HCL would not)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
