"""The cyclic garbage collector tuned for one command (issue 18, item 7).

A run allocates millions of small, short-lived objects (positioned nodes, statements, findings) and
creates few reference cycles, so CPython's default first-generation threshold (700 allocations) makes it
scan the young objects thousands of times for almost nothing, and rescan the survivors that the run keeps.
Freezing what is alive once the command starts (modules, parsers, rules) takes it out of every scan; a
larger threshold makes the scans rare. Measured with `scripts/bench.py`: the README's Speed section.
Cycles are still collected, so memory stays bounded; the previous settings come back afterwards (the
test suite and the language server's host call `main` in a process that goes on).
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (20_000, 50, 1_000)  # allocations before a young scan; young scans per middle; middle per full
# Objects allocated (net of those freed) since the last full collection, past which a unit boundary
# collects: the cycles of finished units are then freed while the run goes on.
PENDING_LIMIT = 50_000
# Objects in the oldest generation below which it is not collected at a unit boundary, and by how much it
# grows before it is collected again (more while collecting it frees almost nothing).
OLD_LIMIT = 100_000
GROWTH, MAX_GROWTH = 0.25, 4.0

_tuning = False
_old = 0  # objects in the oldest generation after `unit_done` last collected it
_growth = GROWTH  # how much it grows before the next collection


@contextmanager
def tuned() -> Iterator[None]:
    """Freeze the objects alive now and raise the thresholds until the block ends."""
    global _tuning, _old, _growth
    previous = gc.get_threshold()
    _old, _growth = 0, GROWTH
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    _tuning = True
    try:
        yield
    finally:
        _tuning = False
        # What the run made and its caller still holds moves to the oldest generation with what was frozen
        # (rather than be scanned at once as young objects when the old thresholds come back).
        gc.freeze()
        gc.set_threshold(*previous)
        gc.unfreeze()


def unit_done() -> None:
    """Between two units of a one-process run: once enough objects piled up in the young and middle
    generations, collect those, so the cycles of finished units (a Terraform module's blocks point back
    at their files, an instance at its run) are freed while the run goes on instead of piling up to its
    end. The oldest generation holds what the run keeps (bounded caches, instances lent to later
    modules): scanning it costs much (a tenth of a second per scan on a 300-module tree of nested calls),
    so, as CPython itself does, it is collected only once it has grown by a quarter since it was last
    collected; a scan that freed almost nothing doubles the growth the next one waits for (up to 4x), one
    that freed a twentieth or more brings it back to a quarter. Nothing outside `tuned` (a language server's
    lint keeps the interpreter's own settings)."""
    global _old, _growth
    if not _tuning:
        return
    young, middle, _ = gc.get_count()
    if middle * THRESHOLDS[0] + young <= PENDING_LIMIT:
        return
    gc.collect(1)
    old = len(gc.get_objects(2))
    if old > max(OLD_LIMIT, _old + int(_old * _growth)):
        freed = gc.collect()
        _old = len(gc.get_objects(2))
        _growth = GROWTH if freed * 20 >= old else min(_growth * 2, MAX_GROWTH)


def exit_with(code: int) -> None:
    """End the process: what the command made is frozen first, so the interpreter's last collection does
    not scan it only to hand the memory back to the system (on a 300-module tree, a fifth of the run)."""
    gc.freeze()
    raise SystemExit(code)
