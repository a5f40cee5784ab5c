"""One file-opening policy for everything policylint reads: sources, config, baseline and rule files.

A linter runs on pull requests from strangers, so what it reads is input-controlled too. The policy:

- only regular files are read; a FIFO, device or socket is an error without being opened for reading
  (opening a FIFO blocks, reading `/dev/zero` never ends);
- at most `MAX_BYTES` are read, whatever the file claims to be (it may grow while it is read);
- source files are read only inside the scanned roots after resolving symbolic links, unless they were
  named on the command line (`Scope`): a link in the tree to `/etc/passwd` is not followed out.

Every failure is an `UnreadableFile` with a message for the user (and, for text that is not UTF-8, where the
first bad byte is); callers turn it into their own error type.
"""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterable, Iterator

from linter.records import dataclass

MAX_BYTES = 20 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class UnreadableFile(Exception):
    """A file that the policy does not read, or that cannot be read; `line`/`column` locate bad text."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _check_kind(info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("not a regular file (a pipe, device or socket)")
    if info.st_size > MAX_BYTES:
        raise UnreadableFile(f"file too large ({info.st_size // 1048576} MiB; the limit is {MAX_BYTES // 1048576} MiB)")


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; UnreadableFile otherwise."""
    try:
        _check_kind(os.stat(path))  # before opening: a FIFO or device is never opened
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    try:
        _check_kind(os.fstat(descriptor))  # the file opened is the file checked (no swap in between)
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if size > MAX_BYTES:
        raise UnreadableFile(f"file too large (more than {MAX_BYTES // 1048576} MiB)")
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM dropped); UnreadableFile at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnreadableFile("not valid UTF-8 text", line, column) from None


def read_text(path: Path | str) -> str:
    """A config, baseline or rule file's text, under the same policy as sources."""
    return decode(read_bytes(path))


# ---- where sources may be read ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Scope:
    """The scanned roots (resolved directories) and the files named on the command line (resolved)."""

    roots: tuple[str, ...]
    named: frozenset[str]

    @classmethod
    def of(cls, paths: Iterable[str], project: Path | str | None = None) -> Scope:
        """The scope of a run over these command-line paths: a named directory is a root; a named file is
        allowed itself, and its directory is a root (its Terraform module's other files are read too).
        `project` (the project root) is a root too when the paths lie in it: Terraform resolves module
        calls across the project, not only below the paths named."""
        roots, named = set(), set()
        for path in paths:
            real = os.path.realpath(path)
            if os.path.islink(path) and os.path.isdir(real):
                continue  # not walked (discovery reports it)
            if os.path.isdir(real):
                roots.add(real)
            else:
                named.add(real)
                roots.add(os.path.realpath(os.path.dirname(os.path.abspath(path))))
        if project is not None:
            top = os.path.realpath(project)
            if any(_within(root, top) for root in roots):
                roots.add(top)
        return cls(tuple(sorted(roots)), frozenset(named))

    def allows(self, path: Path | str) -> bool:
        real = os.path.realpath(path)
        return real in self.named or any(_within(real, root) for root in self.roots)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


# The scope of the run in this context: a context variable, so runs in other threads (the language server's
# lint worker) never see or undo it.
_SCOPE: ContextVar[Scope | None] = ContextVar("policylint_scope", default=None)


@contextmanager
def scoped(scope: Scope) -> Iterator[None]:
    """Within the block, sources outside `scope` are not read (see `check_scope`)."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def current_scope() -> Scope | None:
    return _SCOPE.get()


def enter_scope(scope: Scope | None) -> None:
    """Set the scope for the rest of the process (a worker of a parallel run gets its parent's)."""
    if scope is not None:
        _SCOPE.set(scope)


def check_scope(path: Path | str) -> None:
    """UnreadableFile when a run is scoped and `path` resolves outside it (a symbolic link out of the tree)."""
    scope = _SCOPE.get()
    if scope is not None and not scope.allows(path):
        raise UnreadableFile(
            "a symbolic link to a file outside the scanned tree: not read (name the file itself to lint it)"
        )
