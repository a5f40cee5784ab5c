"""The cyclic garbage collector tuned for one command (issue 18, item 7).

A run allocates millions of small, short-lived objects (positioned nodes, statements, findings) and
creates few reference cycles, so CPython's default first-generation threshold (700 allocations) makes it
scan the young objects thousands of times for almost nothing, and rescan the survivors that the run keeps.
Freezing what is alive once the command starts (modules, parsers, rules) takes it out of every scan; a
larger threshold makes the scans rare. Measured with `scripts/bench.py`: the README's Speed section.
Cycles are still collected, so memory stays bounded; the previous settings come back afterwards (the
test suite and the language server's host call `main` in a process that goes on).

What a unit of work builds is freed by reference counting as soon as the unit is done, not by the
collector: the structures that live long (a Terraform module and its evaluator, a parsed file and its
blocks) point back at their owners only where the owner outlives them, so they form no cycles (a test
checks this). Collecting at unit boundaries, as the run once did, then only scanned what the run keeps.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (20_000, 50, 1_000)  # allocations before a young scan; young scans per middle; middle per full


@contextmanager
def tuned() -> Iterator[None]:
    """Freeze the objects alive now and raise the thresholds until the block ends."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        # What the run made and its caller still holds moves to the oldest generation with what was frozen
        # (rather than be scanned at once as young objects when the old thresholds come back).
        gc.freeze()
        gc.set_threshold(*previous)
        gc.unfreeze()


def exit_with(code: int) -> None:
    """End the process: what the command made is frozen first, so the interpreter's last collection does
    not scan it only to hand the memory back to the system (on a 300-module tree, a fifth of the run)."""
    gc.freeze()
    raise SystemExit(code)
