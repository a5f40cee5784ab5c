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
from linter.loaders.text import file_names, read_text, walk
from linter.model import FileError

MAX_SCANNED = 5000  # Terraform files read to find module calls; a larger project is scanned up to that
# `source = "./x"` on a line of its own, or in a one-line block (`module "x" { source = "./x" }`), maybe
# followed by a comment.
_LOCAL_SOURCE = re.compile(r'(?:^|\{)[ \t]*source[ \t]*=[ \t]*"(\.\.?/[^"$%]*)"[ \t]*\}?[ \t]*'
                           r'(?:(?:#|//).*?|/\*.*?\*/[ \t]*)?$', re.M)
_MODULE_BLOCK = re.compile(r'^\s*module\s+"[^"]*"\s*\{', re.M)
# A heredoc, a string, a line comment or a block comment, read left to right: a block comment is only one
# that none of the others holds (`"arn:aws:s3:::bucket/*"`, `cp /src/* /dst` in a heredoc start none).
_COMMENT_OR_STRING = re.compile(r'<<-?([A-Za-z_][\w-]*)[ \t]*\n.*?^[ \t]*\1[ \t]*$|"(?:[^"\\\n]|\\.)*"|(?:#|//)[^\n]*'
                                r'|/\*.*?(?:\*/|\Z)', re.S | re.M)


def project_root() -> Path:
    """The run's project root (`--project-root`, else the config file's directory, else the git work tree
    root, else the current directory); outside a run, CONVENTIONS' default found from here."""
    from linter.runcontext import current

    run = current()
    if run is not None:
        return _resolved(run.project_root)
    from linter.configfile import find_config
    from linter.project import default_root

    return _resolved(default_root(find_config(Path.cwd())))


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def module_callers(root: Path, texts: dict[tuple[Path, str], str] | None = None) -> dict[Path, frozenset[Path]]:
    """Each directory under `root` that some module of the project calls with a local `source`, with the
    directories of its callers (and, into `texts`, what it read: (resolved directory, name) -> text).

    A cheap reading (a `module` block's `source = "./x"` line; in `.tf.json`, the `module` object's
    sources), so that a run naming one file does not parse the project's HCL to learn who calls it.
    """
    called: dict[Path, set[Path]] = {}
    scanned = 0
    for directory, dirnames, filenames in walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        here = _resolved(Path(directory)) if texts is not None else None
        for name in sorted(filenames):
            if not name.endswith((".tf", ".tf.json")):
                continue
            scanned += 1
            if scanned > MAX_SCANNED:
                break
            text = read_text(Path(directory) / name, name)
            if here is not None and isinstance(text, str) and name.endswith(".tf"):
                texts[(here, name)] = text
            if not isinstance(text, str) or "module" not in text:
                continue
            caller = _resolved(Path(directory))
            for source in _json_sources(text) if name.endswith(".json") else _hcl_sources(text):
                target = _resolved(Path(directory) / source)
                if target != caller:
                    called.setdefault(target, set()).add(caller)
    return {target: frozenset(callers) for target, callers in called.items()}


def _hcl_sources(text: str) -> list[str]:
    """The local sources a `.tf` file's text seems to call (any `source = "./x"` once it has a module),
    outside block comments: a call commented out calls nothing, as for Terraform."""
    if "/*" in text:
        text = _COMMENT_OR_STRING.sub(_blank_block_comment, text)
    return [match.group(1) for match in _LOCAL_SOURCE.finditer(text)] if _MODULE_BLOCK.search(text) else []


def _blank_block_comment(match: re.Match) -> str:
    """A block comment as the line breaks it spans (the lines around it keep their shape); anything else as is."""
    found = match.group(0)
    return "\n" * found.count("\n") if found.startswith("/*") else found


def _json_sources(text: str) -> list[str]:
    """The local sources of the `module` object of a `.tf.json` file (a list of such objects too);
    none when it is not valid JSON (its error is reported when the module is read)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    calls = data.get("module") if isinstance(data, dict) else None
    sources = []
    for group in calls if isinstance(calls, list) else [calls]:
        for body in group.values() if isinstance(group, dict) else ():
            for call in body if isinstance(body, list) else [body]:
                source = call.get("source") if isinstance(call, dict) else None
                if isinstance(source, str) and source.startswith(("./", "../")):
                    sources.append(source)
    return sources


def upstream(directory: Path, callers: dict[Path, frozenset[Path]]) -> list[Path]:
    """Every module that calls `directory`, directly or through other modules: the roots (called by no
    module) and the intermediate modules between, which `check .` lints too (a value an intermediate
    module passes down is reported by its own lint, its caller's instance of it having the same)."""
    seen, stack = {directory}, [directory]
    while stack:
        for caller in callers.get(stack.pop(), ()):
            if caller not in seen:
                seen.add(caller)
                stack.append(caller)
    seen.discard(directory)
    return sorted(seen)


def shown(directory: Path, like: Path, like_display: str) -> str:
    """How a directory the run was not given is shown: as the run shows the file `like` (relative to the
    same base: the project root or the current directory; absolute when that file is), '/' separators."""
    if os.path.isabs(like_display):
        return directory.as_posix()
    base = _resolved(like).parents[len(Path(like_display).parts) - 1]
    relative = os.path.relpath(directory, base).replace(os.sep, "/")
    return "" if relative == "." else relative


def read_manifest(directory: Path, display_dir: str) -> tuple[dict[str, tuple[Path, str]], FileError | None]:
    """`.terraform/modules/modules.json` of a root module: each installed module's key (`a`, `a.b` for a
    call inside module a) -> (its directory, how it is shown). Empty when absent; empty with an error when
    it is there but cannot be read as JSON (the registry calls are then not followed, and the user is told
    why rather than to run `terraform init`, which they did)."""
    folder = directory / ".terraform" / "modules"
    if "modules.json" not in file_names(folder):
        return {}, None
    display = "/".join(part for part in (display_dir, ".terraform/modules/modules.json") if part)
    text = read_text(folder / "modules.json", display)
    if isinstance(text, FileError):
        return {}, text
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, column = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return {}, FileError(display, line, column, f"not valid JSON ({reason}): the modules terraform init "
                                                    "installed are not followed")
    modules = data.get("Modules") if isinstance(data, dict) else None
    result: dict[str, tuple[Path, str]] = {}
    for entry in modules if isinstance(modules, list) else []:
        if not isinstance(entry, dict):
            continue
        key, folder_name = entry.get("Key"), entry.get("Dir")
        if not isinstance(key, str) or not key or not isinstance(folder_name, str) or os.path.isabs(folder_name):
            continue
        result[key] = (_resolved(directory / folder_name), os.path.join(display_dir, folder_name))
    return result, None
