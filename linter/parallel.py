"""`--jobs`: units of work spread over worker processes, with output identical to one process.

A unit is a group of files that must be read together (the formats decide: a Terraform module, else one
file). Units that run first go first, because a file one of them consumes (a policy read with Terraform's
`file()`) is linted in that context only, and the other units must know which files those were. The pool
knows nothing of formats or stages: it is handed the unit function, and raw findings, errors and
suppressions are plain data, so they cross the process boundary as they are. Fingerprints, filtering
and sorting happen in the parent over the whole set, exactly as in a single-process run.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from linter.config import Settings
from linter.discover import SourceFile
from linter.model import Extraction, RawFinding
from linter.rules import Rule

# Files; below this, workers cost more than they save. Measured with scripts/bench.py on two cores:
# -j2 takes 1.40x the wall time of -j1 at 1,000 files and 0.83x at 2,000 (each worker pays its own lazy imports).
AUTO_THRESHOLD = 1500

# (files, rules, settings, format contexts, consumed files) -> (raw findings, extraction, linted texts)
UnitResult = tuple[list[RawFinding], Extraction, dict[str, str]]
UnitFunction = Callable[[list[SourceFile], list[Rule], Settings, dict, frozenset], UnitResult]


def job_count(jobs: int | None, files: list[SourceFile]) -> int:
    """The worker count: as asked, or (None) the CPU count for large trees and 1 for a few files."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(files) >= AUTO_THRESHOLD else 1
    return max(1, jobs)


def evaluate(
    units: list[tuple[bool, list[SourceFile]]],
    rules: list[Rule],
    settings: Settings,
    jobs: int | None,
    sources: dict[str, str],
    contexts: dict[str, object],
    unit: UnitFunction,
) -> UnitResult:
    """Raw findings, the merged extraction and the linted texts of all units, in one process or many.

    `units` are (runs first, files) pairs; `sources` replace files' text (standard input, editor buffers).
    """
    files = [f for _, group in units for f in group]
    workers = min(job_count(jobs, files), len(units))
    if workers <= 1:
        # Unit by unit, as a worker would: only the unit at hand has its trees in memory.
        return _merged(units, lambda tasks: _in_process(unit, rules, settings, contexts, tasks))
    from concurrent.futures import ProcessPoolExecutor  # costs a one-process run (most runs) nothing

    from linter.fileaccess import current_scope

    initargs = (rules, settings, sources, contexts, unit, current_scope())
    with ProcessPoolExecutor(workers, initializer=_start, initargs=initargs) as pool:
        return _merged(units, lambda tasks: pool.map(_work, tasks, chunksize=max(1, len(tasks) // (workers * 8))))


Task = tuple[list[SourceFile], frozenset[str]]  # a unit's files, and those of them consumed earlier


def _merged(units: list[tuple[bool, list[SourceFile]]], run: Callable[[list[Task]], Iterable[tuple]]) -> UnitResult:
    """Every unit's results merged in unit order: those that run first, then the others, each told which
    of its files a first one consumed. `run` maps tasks to (raw, extraction, texts, consumed) in order."""
    raw: list[RawFinding] = []
    extraction = Extraction()
    linted: dict[str, str] = {}
    consumed: set[str] = set()
    for batch in ([g for first, g in units if first], [g for first, g in units if not first]):
        tasks = [(group, frozenset(consumed & {f.display for f in group})) for group in batch]
        for unit_raw, unit_extraction, unit_texts, unit_consumed in run(tasks):
            raw += unit_raw
            extraction.errors += unit_extraction.errors
            extraction.suppressions += unit_extraction.suppressions
            extraction.files_scanned += unit_extraction.files_scanned
            extraction.module_calls += unit_extraction.module_calls
            linted.update(unit_texts)
            consumed.update(unit_consumed)
    return raw, extraction, linted


_STATE: dict = {}


def _start(rules: list[Rule], settings: Settings, sources: dict[str, str], contexts: dict, unit, scope) -> None:
    """Worker set-up: the parent's rules handed over (inherited as they are when workers fork, pickled once
    per worker otherwise), never reloaded from their files; the same sources and file-reading scope."""
    from linter.fileaccess import enter_scope
    from linter.loaders.text import overlay

    _STATE["rules"] = rules
    _STATE["settings"] = settings
    _STATE["contexts"] = contexts
    _STATE["unit"] = unit
    overlay({Path(p): t for p, t in sources.items()}).__enter__()
    enter_scope(scope)


def _in_process(unit: UnitFunction, rules: list[Rule], settings: Settings, contexts: dict, tasks: list[Task]):
    """Each task's results in this process, one unit after another."""
    for task in tasks:
        yield _unit_result(unit, rules, settings, contexts, task)


def _work(task: Task) -> tuple:
    """One unit in a worker."""
    return _unit_result(_STATE["unit"], _STATE["rules"], _STATE["settings"], _STATE["contexts"], task)


def _unit_result(unit: UnitFunction, rules: list[Rule], settings: Settings, contexts: dict, task: Task) -> tuple:
    """One unit's raw findings, errors, suppressions, linted texts and the files it consumed: documents and
    resources stay behind (in a worker, they never cross back; in one process, they are freed)."""
    files, consumed = task
    raw, extraction, linted = unit(files, rules, settings, contexts, consumed)
    read = extraction.read_beyond({f.display for f in files})
    return raw, Extraction(errors=extraction.errors, suppressions=extraction.suppressions,
                           files_scanned=extraction.files_scanned, module_calls=extraction.module_calls), linted, read
