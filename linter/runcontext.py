"""What a run tells the formats beyond the files: the project root that bounds what they read across files,
and whether vendored code is reported.

A context variable (set by `pipeline.run` around extraction), not an argument: the formats compute their
run-wide contexts from it once, in the parent process, and workers of a parallel run receive those
contexts, so every unit sees the same bound. Runs in other threads (the language server's lint worker)
have their own.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from linter.records import dataclass


@dataclass(frozen=True, slots=True)
class RunContext:
    """`project_root`: `--project-root`, else the config file's directory, else the git work tree root, else
    the current directory. `include_vendored_modules`: report the internals of modules a tool installed
    (Terraform's `.terraform/modules`), not only what the caller's values cause in them."""

    project_root: Path
    include_vendored_modules: bool = False


_RUN: ContextVar[RunContext | None] = ContextVar("policylint_run", default=None)


@contextmanager
def running(context: RunContext) -> Iterator[None]:
    token = _RUN.set(context)
    try:
        yield
    finally:
        _RUN.reset(token)


def current() -> RunContext | None:
    """The run's context, None outside a run (a format used directly, as tests do)."""
    return _RUN.get()
