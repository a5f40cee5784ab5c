"""`access --baseline-commit REV`: what a change adds to and removes from the access map.

The map of REV is built from the same paths read from git objects, through the pull-request command's
revision reader (`linter.gitrev`): nothing is checked out, the work tree and the index are never touched,
and paths are shown as they are now.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from linter.access.accessmap import SecretAccess
from linter.access.evaluate import VERDICTS, Cell
from linter.records import dataclass


def map_at(rev: str, paths: list[str], build: Callable[[list[str]], list[SecretAccess]]) -> list[SecretAccess]:
    """The access map of the paths as they are at REV; a `gitrev.GitError` (exit 2) when REV cannot be read."""
    from linter.gitrev import Revision, resolve
    from linter.loaders.snapshot import active

    revision = Revision.read(*resolve(rev, Path.cwd()))
    with active(revision.snapshot()):
        return build(paths)


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
