"""`--baseline-commit REV`: report only what a change introduces, compared with git revision REV.

The same paths are linted a second time as they were at REV, read from git objects through a snapshot
(`linter.loaders.snapshot`): nothing is checked out and nothing is written into the repository. Findings
are matched by their line-independent fingerprints, whose paths are relative to the project root on both
sides, so a policy moved down a file is neither new nor fixed, while a renamed file's findings are new at
the new path (and the old path's are listed as fixed).
"""
from __future__ import annotations

import posixpath
import subprocess
from pathlib import Path

from linter.ci import UsageError
from linter.discover import SKIP_DIRS
from linter.loaders.snapshot import Snapshot, active
from linter.records import dataclass, replace
from linter.results import Comparison


class GitError(UsageError):
    """REV cannot be read: not a git repository, no git, or no such commit (exit 2)."""


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("--baseline-commit needs git, which is not installed") from None


def resolve(rev: str, cwd: Path) -> tuple[Path, str]:
    """The work tree root and the full commit id of `rev`; a GitError that names the likely cause if not."""
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise GitError(f"--baseline-commit {rev}: {cwd} is not inside a git work tree")
    root = Path(top.stdout.decode().strip())
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if found.returncode != 0:
        shallow = _git(["rev-parse", "--is-shallow-repository"], root).stdout.decode().strip() == "true"
        cause = ("this is a shallow clone: fetch the history (actions/checkout with `fetch-depth: 0`, "
                 "or `git fetch --unshallow`)" if shallow else "check the name, or fetch it first")
        raise GitError(f"--baseline-commit {rev}: no such commit in this repository ({cause})")
    return root, found.stdout.decode().strip()


def _tree(root: Path, commit: str) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """Every file of the commit (relative path -> (blob id, size)) and its submodules' paths. A symlink to a
    file of the commit stands for that file, as on disk (a policy linked into several stacks is the same
    file at each path); other symlinks are left out."""
    listing = _git(["ls-tree", "-r", "-l", "-z", "--full-tree", commit], root)
    if listing.returncode != 0:
        raise GitError(f"cannot list commit {commit}: {listing.stderr.decode(errors='replace').strip()}")
    files, links, submodules = {}, {}, []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_name = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        name = raw_name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and mode in (b"100644", b"100755"):
            files[name] = (oid.decode(), int(size))
        elif kind == b"blob" and mode == b"120000":
            links[name] = oid.decode()
        elif kind == b"commit":
            submodules.append(name)
    targets = _read_blobs(root, sorted(set(links.values())))
    for name, oid in links.items():
        if (target := _link_target(name, targets, links, files)) is not None:
            files[name] = files[target]
    return files, submodules


MAX_LINK_HOPS = 8  # symlink chains followed, as the kernel bounds them (a loop is simply not followed)


def _link_target(name: str, targets: dict[str, bytes], links: dict[str, str], files: dict) -> str | None:
    """The regular file of the commit that the symlink `name` ends at, or None (outside the tree, missing,
    a directory, or a loop)."""
    for _ in range(MAX_LINK_HOPS):
        target = targets.get(links[name], b"").decode("utf-8", "surrogateescape")
        if not target or target.startswith("/"):
            return None
        name = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if name.startswith("../") or name == "..":
            return None
        if name in files:
            return name
        if name not in links:
            return None
    return None


def _read_blobs(root: Path, oids: list[str]) -> dict[str, bytes]:
    """Many blobs in one `git cat-file --batch` call; a blob git cannot give (`<oid> missing`, as in a
    partial clone without its promisor) is left out and read, or reported unreadable, on its own."""
    if not oids:
        return {}
    out = _git(["cat-file", "--batch"], root, "".join(f"{oid}\n" for oid in oids).encode()).stdout
    blobs, position = {}, 0
    while (header_end := out.find(b"\n", position)) != -1:
        header = out[position:header_end].split()
        if len(header) != 3:  # `<oid> missing`
            position = header_end + 1
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[header_end + 1: header_end + 1 + size]
        position = header_end + 1 + size + 1
    return blobs


def _wanted(name: str) -> bool:
    """Files policylint may read by name: worth fetching up front (others are fetched when first read)."""
    from linter.formats import registry

    parts = name.split("/")
    return registry.reads(parts[-1]) and not any(part in SKIP_DIRS for part in parts[:-1])


@dataclass(frozen=True, slots=True)
class Revision:
    """A commit's file listing: enough to build its snapshot in any process (it crosses to `--jobs` workers
    as plain data, and each process reads the blobs it needs from git itself)."""

    root: Path
    commit: str
    files: dict[str, tuple[str, int]]
    submodules: tuple[str, ...]

    @classmethod
    def read(cls, root: Path, commit: str) -> Revision:
        files, submodules = _tree(root, commit)
        return cls(root, commit, files, tuple(submodules))

    def snapshot(self) -> Snapshot:
        """The files as a snapshot rooted at the work tree root. Submodules are read as they are checked out
        (their history is another repository's), so their findings are never new or fixed."""
        files, root = self.files, self.root
        cache = _read_blobs(root, sorted({oid for name, (oid, _) in files.items() if _wanted(name)}))

        def load(relative: str) -> bytes | None:
            oid = files[relative][0]
            if oid not in cache:
                blob = _git(["cat-file", "blob", oid], root)
                cache[oid] = blob.stdout if blob.returncode == 0 else None
            return cache[oid]

        return Snapshot(root, {name: size for name, (_, size) in files.items()}, load, self.submodules)


_SNAPSHOTS: dict[str, Snapshot] = {}  # per process: a worker builds a revision's snapshot once


@dataclass(frozen=True, slots=True)
class AtRevision:
    """`pipeline.evaluate_unit` with the revision's snapshot active, in whichever process runs the unit."""

    revision: Revision

    def __call__(self, files, rules, settings, contexts, consumed):
        from linter.pipeline import evaluate_unit

        snapshot = _SNAPSHOTS.get(self.revision.commit)
        if snapshot is None:
            snapshot = _SNAPSHOTS[self.revision.commit] = self.revision.snapshot()
        with active(snapshot):
            return evaluate_unit(files, rules, settings, contexts, consumed)


def compare_with_revision(rev: str, report, paths: list[str], rules, settings, root: Path, jobs: int | None = 1):
    """The report with only the findings whose fingerprint REV does not have, and the comparison attached.

    REV is linted with the same rules, settings, project root and `--jobs`. Its own read errors are not
    reported (the current tree's are); a finding suppressed now is neither new nor fixed.
    """
    from linter.pipeline import run

    revision = Revision.read(*resolve(rev, Path.cwd()))
    snapshot = _SNAPSHOTS[revision.commit] = revision.snapshot()
    try:
        with active(snapshot):  # discovery and the formats' run-wide contexts read the revision here too
            before = run(paths, rules, settings, jobs=jobs, root=root, unit=AtRevision(revision))
    finally:
        _SNAPSHOTS.pop(revision.commit, None)
    previous = {f.fingerprint for f in before.unbaselined}
    new = [f for f in report.findings if f.fingerprint not in previous]
    current = {f.fingerprint for f in report.unbaselined} | {s.finding.fingerprint for s in report.suppressed}
    fixed = [f for f in before.unbaselined if f.fingerprint not in current]
    comparison = Comparison(rev, revision.commit, len(report.findings) - len(new), fixed)
    return replace(report, findings=new, baseline_commit=comparison)
