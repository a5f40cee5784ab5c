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


def _module_tree(root) -> None:
    """A root calling a child twice (an instance per call, each compared with the child on its own) and a
    child whose policy is built by a dynamic block, a `for` expression and a data source."""
    (root / "child").mkdir()
    (root / "child" / "main.tf").write_text("""variable "actions" {}
resource "aws_secretsmanager_secret" "s" {
  name = "s"
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = { for a in var.actions : a => a }
    content {
      actions   = [statement.value]
      resources = [aws_secretsmanager_secret.s.arn]
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
""", encoding="utf-8")
    (root / "main.tf").write_text("""module "a" {
  source  = "./child"
  actions = ["secretsmanager:*"]
}
module "b" {
  source  = "./child"
  actions = ["secretsmanager:GetSecretValue"]
}
""", encoding="utf-8")


def test_a_terraform_run_leaves_no_reference_cycles_behind(tmp_path):
    """Everything a Terraform module run builds (modules, instances, their evaluators, parsed files and
    blocks, documents) is freed by reference counting once the module is done: the run does not collect
    cycles as it goes (`linter.gctune`), so a cycle would keep a module's whole evaluation alive until the
    collector's next full scan (on a 600-module tree that once cost two fifths of the run). What the
    collector frees after the run is only what the run-wide `Tree` held for later modules (instances lent
    to them, parsed files): one cycle per run, through the modules it lends."""
    from linter.formats.terraform.evaluate import Evaluator
    from linter.formats.terraform.modules import Tree, _Module
    from linter.formats.terraform.syntax import Block, Unit

    _module_tree(tmp_path)
    kinds = (_Module, Evaluator, Unit, Block)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        report = pipeline.run([str(tmp_path)], load_rules(), Settings(), jobs=1)
        assert {f.rule_id for f in report.findings} >= {"SM001"}  # the instances were evaluated
        del report
        gc.collect()
        held: set[int] = set()
        below = [o for o in gc.garbage if type(o) is Tree]
        while below:
            item = below.pop()
            if id(item) not in held:
                held.add(id(item))
                if type(item) in (list, tuple, dict, set, frozenset) or type(item).__module__.startswith("linter."):
                    below += gc.get_referents(item)  # what the Tree holds, not the interpreter's globals
        left = sorted({type(o).__name__ for o in gc.garbage if type(o) in kinds and id(o) not in held})
        assert any(type(o) is _Module for o in gc.garbage if id(o) in held)  # the probe sees the Tree's
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


def test_the_collector_still_frees_cycles_while_tuned():
    with gctune.tuned():
        garbage = [_Cyclic() for _ in range(2 * gctune.THRESHOLDS[0])]
        probe = weakref.ref(garbage[0])
        del garbage
        assert probe() is not None  # cycles: reference counting alone frees nothing
        gc.collect(0)
        gc.collect(1)
        assert probe() is None


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
