"""`access --baseline-commit REV`: what a change adds to and removes from the access map.

The map of REV is built from the revision's files, read from git objects into a temporary directory
(`git archive`): the work tree and the index are never touched. `extraction_at` is the one seam to replace
with the pull-request command's revision reader (`linter.gitrev`) once that lands.
"""
from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterator

from linter.access.accessmap import SecretAccess
from linter.access.evaluate import VERDICTS, Cell


class RevisionError(Exception):
    """REV cannot be read (no git, not a repository, no such commit): a usage error, exit 2."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("--baseline-commit needs git, which is not installed") from None


@contextmanager
def checked_out_copy(rev: str) -> Iterator[Path]:
    """The current directory as it is at REV, in a temporary directory removed afterwards."""
    cwd = Path.cwd()
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise RevisionError(f"--baseline-commit {rev}: {cwd} is not inside a git work tree")
    root = Path(top.stdout.decode().strip())
    archive = _git(["archive", "--format=tar", "--end-of-options", f"{rev}^{{commit}}"], root)
    if archive.returncode != 0:
        raise RevisionError(f"--baseline-commit {rev}: no such commit in this repository")
    with tempfile.TemporaryDirectory(prefix="policylint-rev-") as directory:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(directory, filter="data")
        yield Path(directory) / os.path.relpath(cwd.resolve(), root.resolve())


def map_at(rev: str, paths: list[str], build) -> list[SecretAccess]:
    """The access map of the same paths at REV, with paths shown as they are now (relative paths only)."""
    with checked_out_copy(rev) as copy:
        previous = Path.cwd()
        os.chdir(copy if copy.is_dir() else copy.parent)
        try:
            return build(paths)
        finally:
            os.chdir(previous)


@dataclass(frozen=True, slots=True)
class Change:
    """One (secret, principal, capability) whose verdict differs: `before`/`after` are None when absent."""

    secret: str
    principal: str
    capability: str
    before: Cell | None
    after: Cell | None

    @property
    def widening(self) -> bool:
        return self.after is not None and (self.before is None or self.after.outcome.level > self.before.outcome.level)

    @property
    def kind(self) -> str:
        if self.before is None:
            return "gains"
        if self.after is None:
            return "loses"
        return "widens" if self.widening else "narrows"


def compare(before: list[SecretAccess], after: list[SecretAccess]) -> list[Change]:
    """Every cell added, removed or changed in verdict, sorted by secret, principal and capability."""
    def index(secrets: list[SecretAccess]) -> dict[tuple[str, str, str], Cell]:
        return {(s.secret, c.principal, c.capability): c for s in secrets for c in s.cells}

    old, new = index(before), index(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and a.outcome.level == b.outcome.level:
            continue  # the same verdict (perhaps under other conditions or statements): the map shows it
        changes.append(Change(*key, a, b))
    return changes


def describe(change: Change, bold: str = "") -> str:
    """`aws_iam_role.ci gains **delete** on secret aws_secretsmanager_secret.db (yes) — allowed by iam.tf:12, no deny`."""
    cell = change.after or change.before
    outcome = cell.outcome
    capability = f"{bold}{change.capability}{bold}"
    verdict = VERDICTS[outcome.level]
    if change.kind in ("widens", "narrows"):
        verdict = f"{VERDICTS[change.before.outcome.level]} -> {VERDICTS[change.after.outcome.level]}"
    where = ", ".join(f"{l.path}:{l.line}" for l in outcome.allowed_by) or "nothing written in the tree"
    denies = ", ".join(f"{l.path}:{l.line}" for l in outcome.denied_by) or "no deny"
    word = "was allowed by" if change.after is None else "allowed by"
    return f"{change.principal} {change.kind} {capability} on secret {change.secret} ({verdict}) — {word} {where}, {denies}"
