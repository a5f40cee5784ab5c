"""Issue 18, item 7: a one-process run keeps one unit's trees at a time, and what it caches stays bounded."""
from __future__ import annotations

import gc
import json
import pickle
import weakref

from linter import gctune, pipeline
from linter.config import Settings
from linter.recent import Recent
from linter.rules import load_rules


class _Cyclic:
    def __init__(self) -> None:
        self.me = self


def test_recent_keeps_the_most_recently_used_entries():
    cache: Recent[str, int] = Recent(2)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # a is now the most recent
    cache["c"] = 3
    assert list(cache) == ["a", "c"] and "b" not in cache
    big: Recent[int, int] = Recent(50)
    big.update((i, i) for i in range(60))
    copy = pickle.loads(pickle.dumps(big))
    assert list(copy.items()) == list(big.items()) == [(i, i) for i in range(10, 60)] and copy.limit == 50


def test_a_unit_boundary_frees_cycles_while_the_gc_is_tuned():
    with gctune.tuned():
        garbage = [_Cyclic() for _ in range(gctune.PENDING_LIMIT + 10)]
        probe = weakref.ref(garbage[0])
        del garbage
        assert probe() is not None  # cycles: reference counting alone frees nothing
        gctune.unit_done()
        assert probe() is None


def test_a_unit_boundary_scans_the_oldest_generation_once_it_has_grown_by_a_quarter():
    """What survives into the oldest generation is collected at a boundary once that generation has grown
    past its limit, and left alone while it has grown by less than a quarter since: scanning it is what a
    tree of nested module calls paid for nothing."""
    with gctune.tuned():
        old = [_Cyclic() for _ in range(gctune.OLD_LIMIT + 10)]
        first = weakref.ref(old[0])
        gc.collect(1)  # alive: moved to the oldest generation
        del old
        young = [_Cyclic() for _ in range(gctune.PENDING_LIMIT + 10)]
        del young
        gctune.unit_done()
        assert first() is None  # past the limit: collected
        few = [_Cyclic() for _ in range(10)]
        second = weakref.ref(few[0])
        gc.collect(1)
        del few
        young = [_Cyclic() for _ in range(gctune.PENDING_LIMIT + 10)]
        young_probe = weakref.ref(young[0])
        del young
        gctune.unit_done()
        assert young_probe() is None  # the young generations are collected at every such boundary
        assert second() is not None  # the oldest has not grown by a quarter: not scanned
    gc.collect()
    assert second() is None


def _old_garbage(count: int) -> weakref.ref:
    """`count` cycles moved to the oldest generation, then dropped: a probe on one of them."""
    made = [_Cyclic() for _ in range(count)]
    probe = weakref.ref(made[0])
    gc.collect(1)
    del made
    return probe


def _boundary() -> None:
    """A unit boundary after enough young garbage to collect the young generations."""
    young = [_Cyclic() for _ in range(gctune.PENDING_LIMIT + 10)]
    del young
    gctune.unit_done()


def test_a_scan_of_the_oldest_generation_that_frees_nothing_makes_the_next_wait_twice_as_long():
    """What the run keeps alive is scanned for nothing: after such a scan the oldest generation must grow
    by half (not a quarter) before the next, and a scan that frees cycles brings the quarter back."""
    with gctune.tuned():
        kept = [_Cyclic() for _ in range(gctune.OLD_LIMIT + 10)]
        gc.collect(1)  # alive, in the oldest generation
        _boundary()  # past the limit: scanned, nothing freed
        assert gctune._growth == 2 * gctune.GROWTH
        probe = _old_garbage(len(kept) // 3)  # a third more: past a quarter, short of a half
        _boundary()
        assert probe() is not None  # not scanned
        probe = _old_garbage(len(kept))
        _boundary()
        assert probe() is None and gctune._growth == gctune.GROWTH  # scanned, and it freed cycles
        del kept
    gc.collect()


def test_outside_a_tuned_run_a_unit_boundary_leaves_the_collector_alone():
    gc.disable()
    try:
        garbage = [_Cyclic() for _ in range(gctune.PENDING_LIMIT + 10)]
        probe = weakref.ref(garbage[0])
        del garbage
        gctune.unit_done()
        assert probe() is not None
    finally:
        gc.enable()
        gc.collect()


def test_one_process_runs_unit_by_unit_in_the_order_of_a_parallel_run(tmp_path, monkeypatch):
    for i in range(3):
        (tmp_path / f"p{i}.json").write_text(json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}), encoding="utf-8")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  name = "p"\n}\n', encoding="utf-8")
    calls: list[list[str]] = []

    def unit(files, rules, settings, contexts, consumed):
        calls.append(sorted(f.path.name for f in files) + sorted(consumed))
        return pipeline.evaluate_unit(files, rules, settings, contexts, consumed)

    report = pipeline.run([str(tmp_path)], load_rules(), Settings(), jobs=1, unit=unit)
    # One call per unit (not one for the whole run), the Terraform module (which runs first) first.
    assert calls == [["main.tf"], ["p0.json"], ["p1.json"], ["p2.json"]]
    assert report.files_scanned == 4
    assert {f.path.rsplit("/", 1)[-1] for f in report.findings} == {"p0.json", "p1.json", "p2.json"}
