"""The whole run, top to bottom: discover → load → extract → evaluate → filter → report data.

Each stage lives in its own module; this one only wires them together and keeps a failing file from
stopping the others.
"""
from __future__ import annotations

import os
from pathlib import Path
from contextlib import contextmanager
from typing import Callable, Iterator

from linter import filters, parallel, suppress
from linter.baseline import Entry
from linter.config import Settings
from linter.discover import SourceFile, discover
from linter.engine import fingerprints, run_rules
from linter.fileaccess import Scope, scoped
from linter.formats import registry, shapes
from linter.formats.api import Format, Source
from linter.loaders.text import overlaid, overlay, read_text, reading, texts
from linter.model import Extraction, FileError, Finding, RawFinding, Suppression, not_followed
from linter.results import Report
from linter.rules import Rule
from linter.runcontext import RunContext, running


def _guarded(files: list[SourceFile], step: Callable[..., Extraction], *args) -> Extraction:
    """Run one extraction step so that a defect triggered by odd input costs that input, not the run."""
    try:
        return step(*args)
    except Exception as exc:  # noqa: BLE001 - reported as an input error, never as a traceback
        return _failed(files, exc)


def _failed(files: list[SourceFile], exc: Exception) -> Extraction:
    if isinstance(exc, (RecursionError, MemoryError)):
        reason = "too deeply nested or too large to read"
    else:
        reason = f"internal error while reading this file ({type(exc).__name__}: {exc}); please report it"
    return Extraction(errors=[FileError(f.display, 1, 1, reason) for f in files], files_scanned=len(files))


def _claimed(file: SourceFile, result: Extraction) -> tuple[Format, Source] | None:
    """The format that reads a file and the file's source; None (with any error recorded) otherwise."""
    fmt = registry.keyed_by(file)
    if fmt is None:  # named on the command line, but no format reads such a name
        if not file.path.exists() and overlaid(file.path) is None:
            result.errors.append(FileError(file.display, 1, 1, "no such file or directory"))
        return None
    if fmt.first:  # reads its units itself (a Terraform module is more than the files named)
        return fmt, Source(file)
    text = read_text(file.path, file.display)
    if isinstance(text, FileError):
        result.errors.append(text)
        result.files_scanned += 1
        return None
    source = Source(file, text)
    try:
        found = registry.claim(source)
    except Exception as exc:  # noqa: BLE001 - as in _guarded
        result.extend(_failed([file], exc))
        return None
    return (found, source) if found is not None else None


def extract_all(
    files: list[SourceFile], contexts: dict[str, object] | None = None, consumed: frozenset[str] = frozenset()
) -> Extraction:
    """Stage 2 and 3 for every file: each format reads its units, formats that run first before the others.

    A file that a first-running format consumed (here, or in another unit of a parallel run: `consumed`)
    was linted in that context and is only counted. `contexts` are the formats' run-wide contexts
    (default: computed from `files`).
    """
    contexts = registry.contexts(files) if contexts is None else contexts
    result = Extraction()
    first = [f for f in files if (fmt := registry.keyed_by(f)) is not None and fmt.first]
    _extract_units(first, contexts, result)
    own = {f.display for f in first}
    skipped = consumed | result.read_beyond(own)
    later = [f for f in files if f.display not in own]
    result.files_scanned += sum(1 for f in later if f.display in skipped)
    _extract_units([f for f in later if f.display not in skipped], contexts, result)
    shapes.normalise(result.resources)
    return result


def _extract_units(files: list[SourceFile], contexts: dict[str, object], result: Extraction) -> None:
    """Extract each unit (files a format reads together) of `files` into `result`, with its suppressions."""
    units: dict[tuple[str, str], list[Source]] = {}
    formats: dict[str, Format] = {}
    for file in files:
        claimed = _claimed(file, result)
        if claimed is not None:
            fmt, source = claimed
            formats[fmt.name] = fmt
            units.setdefault((fmt.name, fmt.group(file)), []).append(source)
    for (name, _), sources in sorted(units.items(), key=lambda item: item[0][1]):
        fmt = formats[name]
        result.extend(_guarded([s.file for s in sources], fmt.extract, sources, contexts.get(name)))
        result.suppressions += comment_suppressions(fmt, sources)


def comment_suppressions(fmt: Format, sources: list[Source]) -> list[Suppression]:
    """Suppression comments (and mistyped ones) of the sources whose syntax has comments (only files that
    name policylint are parsed)."""
    found = []
    for source in sources:
        if suppress.mentions_policylint(source.text) and (syntax := fmt.comments(source)) is not None:
            found += suppress.parse_comments(source.display, source.text, syntax)
    return found


def evaluate_unit(
    files: list[SourceFile],
    rules: list[Rule],
    settings: Settings,
    contexts: dict[str, object] | None = None,
    consumed: frozenset[str] = frozenset(),
) -> tuple[list[RawFinding], Extraction, dict[str, str]]:
    """Raw findings, extraction and the linted texts of the files they point into, for some files (all of
    them, or one unit of a parallel run)."""
    with reading():
        extraction = extract_all(files, contexts, consumed)
        raw = run_rules(rules, settings.rule_options, extraction.documents, extraction.resources)
        raw = [finding for finding in raw if finding.path not in extraction.hidden]
        shown = {r.path for r in raw} | {e.path for e in extraction.errors} | {s.path for s in extraction.suppressions}
        return raw, extraction, texts(shown)


def extract_paths(paths: list[str], settings: Settings, root: Path | None = None) -> Extraction:
    """Stages 1 to 3 only: the documents and resources of the given paths (`policylint access`), those
    written in files read only to resolve them left out (as their findings are). The files, the reading
    bounds and what the formats are told are those of a `run` of the same paths and settings."""
    files = _discovered(paths, settings, root)
    with _running(paths, settings, root), reading():
        extraction = extract_all([f for f in files if not f.error])
    extraction.errors += [FileError(f.display, 1, 1, f.error) for f in files if f.error]
    extraction.documents = [d for d in extraction.documents if d.path not in extraction.hidden]
    extraction.resources = [r for r in extraction.resources if r.path not in extraction.hidden]
    return extraction


def _discovered(paths: list[str], settings: Settings, root: Path | None) -> list[SourceFile]:
    """Stage 1: the files of the paths, shown relative to `root` (`--project-root`) when given."""
    files = discover(paths, registry.reads, settings.exclude, registry.skips_directory)
    if root is not None:
        from linter.project import rebase

        files = rebase(files, root)
    return files


@contextmanager
def _running(paths: list[str], settings: Settings, root: Path | None,
             sources: dict[str, str] | None = None) -> Iterator[None]:
    """What a run's extraction happens within: the editor's buffers in place of the files, no source read
    outside the paths named and their project root, and the run's context for the formats."""
    project = RunContext(root or _default_project(), settings.include_vendored_modules)
    with overlay({Path(p): t for p, t in (sources or {}).items()}), scoped(reading_scope(paths, project.project_root)), \
            running(project):
        yield


def _shown(path: str) -> str:
    """A path for reports: relative to the current directory when it is below it, with '/' separators."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return (path if relative.startswith("..") else relative).replace(os.sep, "/")


def reading_scope(paths: list[str], project: Path | None = None) -> Scope:
    """Where sources may be read (`linter.fileaccess`): the paths named, and the project root they lie in
    (`project`, default: the config file's directory, else the git work tree, else the current directory)."""
    return Scope.of(paths, project or _default_project())


def _default_project() -> Path:
    from linter.configfile import find_config
    from linter.project import default_root

    return default_root(find_config(Path.cwd()))


def run(
    paths: list[str],
    rules: list[Rule],
    settings: Settings,
    jobs: int | None = 1,
    sources: dict[str, str] | None = None,
    baseline: list[Entry] | None = None,
    root: Path | None = None,
    unit: parallel.UnitFunction | None = None,
) -> Report:
    """Lint the given paths with the given rules: every stage, in order.

    `jobs` > 1 (None: automatic) spreads files over worker processes with identical output; `sources`
    maps paths to text that replaces the file on disk (standard input, an editor's buffer); `baseline`
    entries are findings to stop reporting; `root` (`--project-root`) is what reported paths are relative to
    (None: as reached from `paths`); `unit` replaces `evaluate_unit` (a git revision's files: `gitrev`).
    """
    files = _discovered(paths, settings, root)
    unreadable = [FileError(f.display, 1, 1, f.error) for f in files if f.error]
    files = [f for f in files if not f.error]
    active = [rule for rule in rules if settings.wants(rule.id)]
    with _running(paths, settings, root, sources):
        units, contexts = registry.units(files), registry.contexts(files)
        raw, extraction, linted = parallel.evaluate(units, active, settings, jobs, sources or {}, contexts, unit or evaluate_unit)
    findings = fingerprints(raw, {rule.id: rule for rule in active})
    errors = sorted(set(extraction.errors + unreadable), key=lambda e: (e.path, e.line, e.column, e.message))
    scanned = {f.display for f in files} | {f.path for f in findings}
    result = filters.apply(
        findings, extraction.suppressions, settings, {r.id for r in active}, {r.id for r in rules}, baseline, scanned
    )
    return Report(
        findings=sorted(result.findings, key=Finding.sort_key),
        errors=errors,
        files_scanned=extraction.files_scanned,
        suppressed=sorted(result.suppressed, key=lambda s: s.finding.sort_key()),
        unused_suppressions=result.unused,
        baseline=_shown(settings.baseline or "") if baseline is not None else None,
        baseline_matched=result.baseline_matched,
        baseline_stale=result.baseline_stale,
        rules_run=tuple(r.id for r in active),
        unbaselined=sorted(result.current, key=Finding.sort_key),
        texts=linted,
        modules_not_followed=not_followed(extraction.module_calls),
    )

