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
from typing import NamedTuple

from linter.discover import SKIP_DIRS
from linter.loaders.text import file_names, read_text, walk
from linter.model import FileError

# Where `terraform init` puts the copies it installs: their code (and the examples they ship) is no caller
# of the project's modules (Terraform keeps a copy's local calls inside it), and `check .` never lints it.
VENDORED_DIR = ".terraform"
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
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d != VENDORED_DIR)
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


class Installed(NamedTuple):
    """A module `terraform init` installed: its directory, how it is shown, and the source and version it
    was installed from, as the index records them (`registry.terraform.io/acme/secret/aws`, `1.2.0`)."""

    directory: Path
    display: str
    source: str
    version: str  # "" for a git or local source


def read_manifest(directory: Path, display_dir: str) -> tuple[dict[str, Installed], FileError | None]:
    """`.terraform/modules/modules.json` of a root module: each installed module's key (`a`, `a.b` for a
    call inside module a) -> where it is and what it was installed from. Empty when absent; empty with an
    error when it is there but cannot be read as JSON, or records one key twice (Terraform refuses such an
    index: which copy a call uses is not known), so the registry calls are not followed and the user is told
    why rather than to run `terraform init`, which they did."""
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
    result: dict[str, Installed] = {}
    for entry in modules if isinstance(modules, list) else []:
        if not isinstance(entry, dict):
            continue
        key, folder_name, source = entry.get("Key"), entry.get("Dir"), entry.get("Source")
        if not isinstance(key, str) or not key or not isinstance(folder_name, str) or os.path.isabs(folder_name):
            continue
        if key in result:
            line, column = _second_record(text, key)
            return {}, FileError(display, line, column, f"two records for the module key {key!r}: the modules "
                                                        "terraform init installed are not followed")
        version = entry.get("Version")
        result[key] = Installed(_resolved(directory / folder_name), os.path.join(display_dir, folder_name),
                                source if isinstance(source, str) else "", version if isinstance(version, str) else "")
    return result, None


def _second_record(text: str, key: str) -> tuple[int, int]:
    """Where the index's second `"Key": "<key>"` is written (1, 1 when it is spelt with escapes)."""
    found = [match.start() for match in re.finditer(r'"Key"\s*:\s*' + re.escape(json.dumps(key)), text)]
    if len(found) < 2:
        return 1, 1
    before = text[:found[1]]
    return before.count("\n") + 1, found[1] - before.rfind("\n")


# A registry address, `[host/]namespace/name/system[//subdir]` (github.com and bitbucket.org are no registry).
_REGISTRY = re.compile(r"(?:(?P<host>[^/:?]+\.[^/:?]+)/)?(?P<package>[0-9A-Za-z][\w-]*/[0-9A-Za-z][\w-]*/[0-9A-Za-z]+)"
                       r"(?://(?P<subdir>[^?]*))?")
_FORCED = re.compile(r"(?P<getter>[A-Za-z0-9]+)::(?P<address>.+)")


def same_source(recorded: str, written: str) -> bool:
    """May the module installed from `recorded` (the index's `Source`) be the one a call's `source` names
    now? False only when both read as addresses Terraform would compare and they differ: the source was
    edited after `terraform init`, and Terraform refuses to plan ("Module source has changed"). A form
    read here neither way (`git@host:repo`, a bare URL) is trusted, as before."""
    old, new = _canonical(recorded), _canonical(written)
    return old is None or new is None or old == new


def _canonical(source: str) -> str | None:
    """A module address as Terraform writes it in the index: the registry's default host made explicit
    and its names in lower case (compared so: no false "changed"), the GitHub shorthand as its git URL, a
    subdirectory before the query; None for any other form."""
    source = source.strip()
    registry = _REGISTRY.fullmatch(source)
    if registry and (registry["host"] or "").lower() not in ("github.com", "bitbucket.org"):
        host = (registry["host"] or "registry.terraform.io").lower()
        return f"{host}/{registry['package'].lower()}" + (f"//{registry['subdir']}" if registry["subdir"] else "")
    if source.startswith("github.com/"):  # go-getter's shorthand: the first three parts are the repository
        head, mark, query = source.partition("?")
        path, _, subdir = head.partition("//")
        parts = path.split("/")
        if len(parts) < 3:
            return None
        repository = "/".join(parts[:3]).removesuffix(".git") + ".git"
        subdir = "/".join(part for part in (*parts[3:], subdir) if part)
        source = f"git::https://{repository}" + (f"//{subdir}" if subdir else "") + (f"?{query}" if mark else "")
    forced = _FORCED.fullmatch(source)
    if forced is None:
        return None
    address = forced["address"]
    scheme = address.find("://")
    cut = address.find("//", scheme + 3 if scheme >= 0 else 0)
    if cut < 0:
        return source
    package, subdir = address[:cut], address[cut + 2:]
    subdir, query_mark, query = subdir.partition("?")
    if query_mark:
        package += ("&" if "?" in package else "?") + query
    base, _, query = package.partition("?")
    return f"{forced['getter']}::{base}" + (f"//{subdir}" if subdir else "") + (f"?{query}" if query else "")
