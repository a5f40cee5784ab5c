"""Reading a source file's text, turning every way it can fail into a FileError."""
from __future__ import annotations

from pathlib import Path

from linter.model import FileError

MAX_BYTES = 20 * 1024 * 1024


def read_text(path: Path, display: str) -> str | FileError:
    """UTF-8 text (a BOM is dropped, CRLF kept as read), or an error for missing, huge or binary files."""
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
