"""`--jobs`: extraction and evaluation spread over worker processes, with output identical to one process.

Work is split into units: a Terraform module (the files of one directory) or one other file. Terraform
units run first, because a policy file that a module reads with `file()` is linted in that context only.
Workers return raw findings as plain tuples; fingerprints, filtering and sorting happen in the parent over
the whole set, exactly as in a single-process run.
"""
from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from linter.config import Settings
from linter.discover import SourceFile
from linter.model import Extraction, FileError, Span, Suppression
from linter.rules import Rule

AUTO_THRESHOLD = 200  # files; below this, starting workers costs more than it saves


def units(files: list[SourceFile]) -> list[list[SourceFile]]:
    """Independent groups of files, in a stable order: a Terraform module per directory, else one file."""
    groups: dict[str, list[SourceFile]] = defaultdict(list)
    for file in files:
        key = f"{file.path.parent.as_posix()}/" if file.syntax == "terraform" else file.display
        groups[key].append(file)
    return [groups[key] for key in sorted(groups)]


def job_count(jobs: int | None, files: list[SourceFile]) -> int:
    """The worker count: as asked, or (None) the CPU count for large trees and 1 for a few files."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(files) >= AUTO_THRESHOLD else 1
    return max(1, jobs)


def evaluate(files: list[SourceFile], rules: list[Rule], settings: Settings, jobs: int | None, sources: dict[str, str]):
    """Raw findings and the merged extraction of all files, in one process or many.

    Terraform modules go first: a policy file one of them reads with `file()` is linted in that context
    only, so the other units must know which files were read. The Terraform root (what `file()` may read)
    comes from all modules of the run, as in one process.
    """
    from linter.pipeline import evaluate_unit

    groups = units(files)
    workers = min(job_count(jobs, files), len(groups))
    if workers <= 1:
        return evaluate_unit(files, rules, settings)
    by_id = {rule.id: rule for rule in rules}
    terraform = [group for group in groups if group[0].syntax == "terraform"]
    others = [group for group in groups if group[0].syntax != "terraform"]
    root = _terraform_root([f for group in terraform for f in group])
    raw: list[tuple] = []
    extraction = Extraction()
    read: set[str] = set()  # files whose policies Terraform read
    from linter.fileaccess import current_scope

    start = (tuple(by_id), settings, sources, root, current_scope())
    with ProcessPoolExecutor(workers, initializer=_start, initargs=start) as pool:
        for batch in (terraform, others):
            tasks = [([(str(f.path), f.display, f.syntax) for f in group], sorted(read & {f.display for f in group}))
                     for group in batch]
            chunk = max(1, len(tasks) // (workers * 8))
            for unit_raw, errors, suppressions, scanned, unit_read in pool.map(_work, tasks, chunksize=chunk):
                raw += [(by_id[r[0]], r[1], Span(*r[2]), *r[3:6], tuple(Span(*c) for c in r[6])) for r in unit_raw]
                extraction.errors += [FileError(*e) for e in errors]
                extraction.suppressions += [Suppression(s[0], s[1], s[2], s[3], Span(*s[4])) for s in suppressions]
                extraction.files_scanned += scanned
                read.update(unit_read)
    return raw, extraction


def _terraform_root(files: list[SourceFile]) -> Path | None:
    if not files:
        return None
    from importlib import import_module

    return import_module("linter.extract.terraform").module_root(files)


_STATE: dict = {}


def _start(rule_ids: tuple[str, ...], settings: Settings, sources: dict[str, str], terraform_root: Path | None,
           scope) -> None:
    """Worker set-up: the same rules (reloaded, so nothing but ids and settings cross the process boundary)
    and the same sources and file-reading scope as the parent."""
    from linter.fileaccess import enter_scope
    from linter.loaders.text import overlay
    from linter.rules import load_rules

    wanted = set(rule_ids)
    _STATE["rules"] = [rule for rule in load_rules(settings.rules_dirs) if rule.id in wanted]
    _STATE["settings"] = settings
    _STATE["terraform_root"] = terraform_root
    overlay({Path(p): t for p, t in sources.items()}).__enter__()
    enter_scope(scope)


def _span(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def _work(task: tuple[list[tuple[str, str, str | None]], list[str]]):
    """One unit in a worker; everything crosses the process boundary as plain tuples."""
    from linter.pipeline import evaluate_unit, read_by_terraform

    paths, read_elsewhere = task
    files = [SourceFile(Path(path), display, syntax) for path, display, syntax in paths]
    raw, extraction = evaluate_unit(
        files, _STATE["rules"], _STATE["settings"], _STATE["terraform_root"], frozenset(read_elsewhere)
    )
    terraform = [f for f in files if f.syntax == "terraform"]
    return (
        [(r[0].id, r[1], _span(r[2]), r[3], r[4], r[5], tuple(_span(c) for c in r[6])) for r in raw],
        [(e.path, e.line, e.column, e.message) for e in extraction.errors],
        [(s.path, s.target_line, s.rule_ids, s.reason, _span(s.declared)) for s in extraction.suppressions],
        extraction.files_scanned,
        sorted(read_by_terraform(extraction, terraform)) if terraform else [],
    )
