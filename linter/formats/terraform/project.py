"""Where a Terraform module sits in its project: the project root, which modules call which, and the
modules `terraform init` installed.

A run that names one file (pre-commit, `--stdin-filename`, the editor) must lint it as `check .` does: the
modules it calls may lie outside the path given (`source = "../.."`), and whether its own variables are
inputs that callers set depends on whether some module of the project calls its directory. Both are
bounded by the project root (the config file's directory, else the git work tree root, else the current
directory), which is also the most `file()` and module calls may ever read.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from linter.discover import SKIP_DIRS

MAX_SCANNED = 5000  # Terraform files read to find module calls; a larger project is scanned up to that
_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"$%]*)"\s*$', re.M)
_MODULE_BLOCK = re.compile(r'^\s*module\s+"[^"]*"\s*\{', re.M)


def project_root(start: Path | None = None) -> Path:
    """The directory every path of the run is relative to: the nearest config file's directory, else the
    git work tree root, else the current directory."""
    from linter.config import find_config

    here = (start or Path.cwd()).absolute()
    config = find_config(here)
    if config is not None:
        return _resolved(config.parent)
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return _resolved(folder)
    return _resolved(here)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def called_directories(root: Path) -> frozenset[Path]:
    """Directories under `root` that some module of the project calls with a local `source`.

    A cheap reading (a `module` block's `source = "./x"` line), so that a run naming one file does not
    parse the project: what matters is only whether a directory has callers.
    """
    from linter.loaders.text import read_text

    called: set[Path] = set()
    scanned = 0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.endswith(".tf"):
                continue
            scanned += 1
            if scanned > MAX_SCANNED:
                return frozenset(called)
            text = read_text(Path(directory) / name, name)
            if not isinstance(text, str) or not _MODULE_BLOCK.search(text):
                continue
            for match in _LOCAL_SOURCE.finditer(text):
                called.add(_resolved(Path(directory) / match.group(1)))
    return frozenset(called)


def read_manifest(directory: Path, display_dir: str) -> dict[str, tuple[Path, str]]:
    """`.terraform/modules/modules.json` of a root module: each installed module's key (`a`, `a.b` for a
    call inside module a) -> (its directory, how it is shown). Empty when absent or unreadable."""
    path = directory / ".terraform" / "modules" / "modules.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    modules = data.get("Modules") if isinstance(data, dict) else None
    result: dict[str, tuple[Path, str]] = {}
    for entry in modules if isinstance(modules, list) else []:
        if not isinstance(entry, dict):
            continue
        key, folder = entry.get("Key"), entry.get("Dir")
        if not isinstance(key, str) or not key or not isinstance(folder, str) or os.path.isabs(folder):
            continue
        result[key] = (_resolved(directory / folder), os.path.join(display_dir, folder))
    return result
