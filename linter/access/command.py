"""`policylint access`: build the map (and with `--baseline-commit`, the map at REV), write it, exit."""
from __future__ import annotations

import json
import sys

EXIT_OK, EXIT_WIDENED, EXIT_ERROR = 0, 1, 2


def _map(paths: list[str], settings, root):
    """The access map of the paths, and the input errors met while reading them."""
    from linter.access.accessmap import build
    from linter.pipeline import extract_paths

    extraction = extract_paths(paths, settings, root)
    return build(extraction), sorted(set(extraction.errors), key=lambda e: (e.path, e.line, e.column, e.message))


def _changes_report(changes, fmt: str, rev: str) -> str:
    from linter import __version__
    from linter.access.changes import describe
    from linter.access.render import cell_json

    if fmt == "json":
        report = {
            "tool": {"name": "policylint", "version": __version__},
            "baseline_commit": rev,
            "changes": [
                {"secret": c.secret, "principal": c.principal, "capability": c.capability, "change": c.kind,
                 "before": cell_json(c.before) if c.before else None, "after": cell_json(c.after) if c.after else None}
                for c in changes
            ],
        }
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    bold = "**" if fmt == "markdown" else ""
    lines = [("- " if fmt == "markdown" else "") + describe(c, bold) for c in changes]
    summary = f"{len(changes)} change{'' if len(changes) == 1 else 's'} in access since {rev}"
    return "\n".join(([f"## policylint access since `{rev}`", ""] if fmt == "markdown" else []) + lines + ["", summary]).lstrip("\n") + "\n"


def run_access(args, write, settings, root) -> int:
    """Exit 2 on any input that could not be read (the map of the others is still written), 1 with
    `--fail-on-widening` when some principal gains or widens a capability, else 0. `settings` and `root`
    (the project root) are what `check` would use with the same options."""
    from linter.access.render import RENDERERS

    paths = args.paths or ["."]
    current, errors = _map(paths, settings, root)
    for error in errors:
        print(f"{error.path}:{error.line}:{error.column}: error: {error.message}", file=sys.stderr)
    if args.baseline_commit is None:
        write(RENDERERS[args.format](current), args.output)
        widened = False
    else:
        from linter.access.changes import compare, map_at
        from linter.gitrev import GitError

        try:
            before = map_at(args.baseline_commit, paths, lambda p: _map(p, settings, root)[0])
        except GitError as exc:
            print(f"policylint: {exc}", file=sys.stderr)
            return EXIT_ERROR
        changes = compare(before, current)
        write(_changes_report(changes, args.format, args.baseline_commit), args.output)
        widened = any(c.widening for c in changes)
    if errors:
        return EXIT_ERROR
    return EXIT_WIDENED if widened and args.fail_on_widening else EXIT_OK
