"""What the language server keeps between lints, and how it warms up, so an edit costs only its own unit.

A document's diagnostics depend on its text, its folder's settings and rules, and whatever the lint read
or looked for on disk (a Terraform module's other files and the modules it calls, a template's children).
`Results` keeps the last diagnostics of each open document with all of that: the text, the folder context
(replaced when configuration changes) and the state on disk (`os.stat`) of every path the lint asked about
(`linter.loaders.text.watching`). Saving a file, re-opening it, a pull client asking again or a quick fix
replanning then reuse the result when nothing it depends on changed; any change lints the unit again, so
what is shown is always what a fresh lint (`policylint check`) gives. A file changed on disk just before or
during a lint is not trusted to be stamped correctly (file-system clocks are coarse): that result is not
kept.

`warm_up_steps` are what the first lint would otherwise pay: folder settings and rules, the pipeline's and
the formats' lazy imports, the action catalog, tree-sitter's grammar. Each step runs on the lint worker, so
it never races a lint, and the server starts a step only while no lint is waiting; the examples wait a
moment first, so that the file an editor opens as it starts the server lints before them.
"""
from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable

_SETTLED_NS = 2_000_000_000  # a file modified this recently is not trusted to show a later change
DiskState = tuple[tuple[str, Any], ...]


def _signature(path: str) -> tuple[int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:  # missing (a module source not created yet) is a state too
        return None
    return (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns)


def disk_state(paths: Iterable[str]) -> DiskState:
    """What these paths are on disk now, in a form that compares equal only when none changed."""
    return tuple((path, _signature(path)) for path in sorted(paths))


def settled_state(paths: Iterable[str], started_ns: int) -> DiskState | None:
    """`disk_state` of what a result was computed from, or None when one of the paths changed too recently
    (around `started_ns`, when the work began) to tell a later change from it."""
    state = disk_state(paths)
    recent = started_ns - _SETTLED_NS
    return None if any(signature is not None and signature[3] >= recent for _, signature in state) else state


def context_inputs(root: Path, settings: Any) -> list[str]:
    """What a folder's settings and rules were read from: every place a config file would be found from the
    folder upwards (`find_config`), the baseline file, and the users' rule directories with their files."""
    from linter.configfile import CONFIG_NAMES

    paths = [str(folder / name) for folder in (root, *root.parents) for name in CONFIG_NAMES]
    if settings.baseline:
        paths.append(str(Path(settings.baseline).absolute()))
    for directory in settings.rules_dirs:
        for folder, _, names in os.walk(directory):
            paths.append(folder)
            paths += [os.path.join(folder, name) for name in names]
    return paths


class Results:
    """The last diagnostics of each open document, with what they were computed from."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[str, tuple[tuple, object, DiskState, list]] = {}

    def get(self, uri: str, key: tuple, context: object) -> list | None:
        """The kept diagnostics if the document's text, its folder context and the disk are as they were."""
        entry = self.entries.get(uri)
        if entry is None or entry[0] != key or entry[1] is not context:
            return None
        state = entry[2]
        return entry[3] if disk_state(path for path, _ in state) == state else None

    def put(self, uri: str, key: tuple, context: object, watched: set[str], diagnostics: list, started_ns: int) -> None:
        """Keep a result, unless a path it read changed too recently to tell a later change from it."""
        state = settled_state(watched, started_ns)
        if state is None:
            self.entries.pop(uri, None)
            return
        self.entries[uri] = (key, context, state, diagnostics)

    def forget(self, uri: str) -> None:
        self.entries.pop(uri, None)

    def clear(self) -> None:
        self.entries.clear()


def lint_kept(results: Results, uri: str, key: tuple, context: object, lint: Callable[[], list],
              is_open: Callable[[], bool]) -> list:
    """`lint()` (on the lint worker), or the result kept for the same unit state. A document closed
    meanwhile keeps nothing (its `forget` may already have run)."""
    from linter.loaders.text import watching

    kept = results.get(uri, key, context)
    if kept is not None:
        return kept
    started = time.time_ns()
    with watching() as seen:
        diagnostics = lint()
    if is_open():
        results.put(uri, key, context, seen, diagnostics, started)
    return diagnostics


# --- warm-up ------------------------------------------------------------------------------------------------

def lint_sample(example_format: str, filename: str, rules: list) -> None:
    """Lint the first shipped rule example written in this format, as `filename` alone in an empty temporary
    folder (nothing of the workspace is read), and drop the result: what stays is what any lint of the
    format would load the first time (its parser, the catalog, the rules' lazy parts)."""
    import tempfile

    from linter.config import Settings
    from linter.pipeline import run

    code = next((e.code for rule in rules for e in rule.examples if e.format == example_format and not e.compliant), None)
    if code is None:
        return
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="policylint-warm-up-") as folder:
        os.chdir(folder)  # on the lint worker, the only thread that changes directory
        try:
            run([filename], rules, Settings(), jobs=1, sources={filename: code})
        finally:
            os.chdir(previous)


def warm_up_steps(roots: list[Path], context_for: Callable[[Path], Any]) -> tuple[list, list]:
    """The warm-up, in steps short enough that a lint arriving meanwhile waits for one step at most: each
    folder's settings and rules (every lint needs them), then one rule example per example format."""
    folders: list[Callable[[], object]] = [partial(context_for, root) for root in roots]

    def rules() -> list:
        if roots:
            return context_for(roots[0]).rules
        from linter.rules import load_rules

        return load_rules()

    from linter.formats.registry import example_formats

    return folders, [partial(lambda e: lint_sample(e.name, e.filename, rules()), e) for e in example_formats().values()]
