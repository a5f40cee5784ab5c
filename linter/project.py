"""`--project-root`: the directory every reported path, SARIF URI and fingerprint is relative to.

Paths used to be relative to wherever policylint ran, so a CI step with `working-directory: infra` reported
`main.tf` where the repository has `infra/main.tf`: code scanning could not place the alert, and every
baseline entry written from the root came back as new. Rebasing the reported paths on one root (by default
the config file's directory, else the git work tree, else the current directory) makes reports and
fingerprints the same from any working directory.
"""
from __future__ import annotations

import os
from pathlib import Path

from linter.discover import SourceFile
from linter.records import replace


def git_work_tree(start: Path) -> Path | None:
    """The nearest directory from `start` upwards that holds `.git` (a directory, or a file for worktrees and
    submodules). Found by looking, not by running git, so a run outside git costs nothing."""
    directory = start.absolute()
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            return folder
    return None


def default_root(config_file: Path | None, cwd: Path | None = None) -> Path:
    """CONVENTIONS' default: the config file's directory, else the git work tree root, else `cwd`."""
    cwd = (cwd or Path.cwd()).absolute()
    if config_file is not None:
        return config_file.absolute().parent
    return git_work_tree(cwd) or cwd


def shown(path: Path, root: Path) -> str:
    """How a file is reported: relative to `root` with '/' separators when it lies below it, else its
    absolute path (SARIF turns those into `file://` URIs)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def rebase(files: list[SourceFile], root: Path) -> list[SourceFile]:
    """The discovered files with their reported paths relative to `root`, in the order reports sort by."""
    root = Path(os.path.normpath(root.absolute()))
    rebased = {}
    for file in files:  # `.` and `./main.tf` reach the same file: report it once
        rebased.setdefault(shown(file.path, root), replace(file, display=shown(file.path, root)))
    return [rebased[key] for key in sorted(rebased)]

