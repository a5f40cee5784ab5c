"""Reading a source file's text, turning every way it can fail into a FileError."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from linter.model import FileError

MAX_BYTES = 20 * 1024 * 1024

# Texts that stand in for files on disk (an editor's unsaved buffer, standard input), keyed by resolved path.
_BUFFERS: ContextVar[dict[Path, str] | None] = ContextVar("policylint_buffers", default=None)


@contextmanager
def buffers(texts: dict[Path, str]) -> Iterator[None]:
    """Make `read_text` return these texts instead of the files' contents, so that every loader and
    extractor (a Terraform module reads its siblings from disk) sees the unsaved version of those files."""
    token = _BUFFERS.set({path.resolve(): text for path, text in texts.items()})
    try:
        yield
    finally:
        _BUFFERS.reset(token)


def _buffer(path: Path) -> str | None:
    texts = _BUFFERS.get()
    if not texts:
        return None
    try:
        return texts.get(path.resolve())
    except (OSError, RuntimeError):
        return None


def read_text(path: Path, display: str) -> str | FileError:
    """UTF-8 text (a BOM is dropped, CRLF kept as read), or an error for missing, huge or binary files."""
    buffered = _buffer(path)
    if buffered is not None:
        if "\x00" in buffered[:8192]:
            return FileError(display, 1, 1, "binary file, not text")
        return buffered.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return FileError(display, 1, 1, f"file too large ({size // 1048576} MiB; the limit is 20 MiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        return FileError(display, 1, 1, "no such file")
    except OSError as exc:
        return FileError(display, 1, 1, f"cannot read file: {exc.strerror or exc}")
    if b"\x00" in data[:8192]:
        return FileError(display, 1, 1, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return FileError(display, line, column, "not valid UTF-8 text")
    return text.replace("\r\n", "\n")
