"""`linter.records` behaves as the standard `dataclasses` for every option policylint uses: each class is
declared twice, once with each decorator, and both are driven with the same values."""
from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter import records

OPTIONS = [
    {"frozen": True, "slots": True, "order": True},
    {"frozen": True, "slots": True},
    {"slots": True},
    {"slots": True, "eq": False},
    {"frozen": True, "slots": True, "eq": False},
    {"frozen": True},
    {},
]


def declare(make, field, options: dict) -> type:
    """A class like the model's: plain fields, a default, factories, a field neither shown nor compared."""
    @make(**options)
    class Sample:
        """A sample record."""

        name: str
        line: int
        column: int = 1
        tags: list = field(default_factory=list)
        extra: dict = field(default_factory=dict, compare=False, repr=False, metadata={"sanitise": "keys"})

    return Sample


PAIRS = [(declare(dataclasses.dataclass, dataclasses.field, o), declare(records.dataclass, records.field, o), o)
         for o in OPTIONS]
values = st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 3), st.integers(0, 2), st.lists(st.integers(0, 1), max_size=2),
                   st.dictionaries(st.sampled_from(["k"]), st.integers(0, 1)))


def make(kind, value):
    name, line, column, tags, extra = value
    return kind(name, line, column=column, tags=tags, extra=extra)


@pytest.mark.parametrize("theirs, ours, options", PAIRS)
@given(first=values, second=values)
def test_records_compare_hash_order_and_show_as_dataclasses_do(theirs, ours, options, first, second):
    a, b = make(ours, first), make(ours, second)
    x, y = make(theirs, first), make(theirs, second)
    assert (a == b) == (x == y) and (a != b) == (x != y)
    assert repr(a) == repr(x)
    assert a != (first[0], first[1]) and a != object()
    assert repr(records.replace(a, line=9, column=0)) == repr(dataclasses.replace(x, line=9, column=0))
    if options.get("order"):
        for operator in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert getattr(a, operator)(b) == getattr(x, operator)(y)
    assert (ours.__hash__ is None) == (theirs.__hash__ is None)
    if ours.__hash__ is not None and options.get("eq", True):
        for record in (a, x):  # hashable parts (set behind a frozen record's back)
            object.__setattr__(record, "tags", tuple(record.tags))
            object.__setattr__(record, "extra", None)
        assert hash(a) == hash(x)


@pytest.mark.parametrize("theirs, ours, options", PAIRS)
def test_signature_fields_and_instance_layout_are_the_same(theirs, ours, options):
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    assert [(f.name, f.repr, f.compare, dict(f.metadata)) for f in records.fields(ours)] == [
        (f.name, f.repr, f.compare, dict(f.metadata)) for f in dataclasses.fields(theirs)]
    assert ours.__match_args__ == theirs.__match_args__
    assert hasattr(ours, "__slots__") == hasattr(theirs, "__slots__")
    assert ours.__doc__ == theirs.__doc__ and ours.__annotations__ == theirs.__annotations__
    assert records.is_dataclass(ours) and records.is_dataclass(ours("n", 1)) and not records.is_dataclass(int)
    assert ours("n", 1).tags is not ours("n", 1).tags  # a fresh list from the factory each time


# Module-level, so that pickle finds them by name.
FrozenSlotted = declare(records.dataclass, records.field, {"frozen": True, "slots": True})
FrozenSlotted.__qualname__ = "FrozenSlotted"
Mutable = declare(records.dataclass, records.field, {"slots": True})
Mutable.__qualname__ = "Mutable"
FrozenPlain = declare(records.dataclass, records.field, {"frozen": True})
FrozenPlain.__qualname__ = "FrozenPlain"


@pytest.mark.parametrize("ours, options", [(FrozenSlotted, {"frozen": True}), (Mutable, {}), (FrozenPlain, {"frozen": True})])
def test_frozen_records_refuse_assignment_and_still_pickle_and_copy(ours, options):
    record = ours("n", 1, tags=[1])
    if options.get("frozen"):
        with pytest.raises(records.FrozenInstanceError):
            record.line = 2
        with pytest.raises(AttributeError):
            del record.name
    else:
        record.line = 2
    for again in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert [getattr(again, f.name) for f in records.fields(ours)] == [getattr(record, f.name) for f in records.fields(ours)]


def test_a_subclass_adds_its_fields_after_its_bases_and_post_init_runs():
    @records.dataclass(slots=True, eq=False)
    class Base:
        a: int
        b: int = 0

    @records.dataclass(slots=True, eq=False)
    class Child(Base):
        c: str = "c"

        def __post_init__(self) -> None:
            self.b += 1

    child = Child(1, c="x")
    assert (child.a, child.b, child.c) == (1, 1, "x")
    assert [f.name for f in records.fields(Child)] == ["a", "b", "c"]
    assert Child.__slots__ == ("c",)
    assert repr(child) == "test_a_subclass_adds_its_fields_after_its_bases_and_post_init_runs.<locals>.Child(a=1, b=1, c='x')"


def test_a_cycle_is_shown_without_recursing_and_mutable_defaults_are_refused():
    @records.dataclass(slots=True, eq=False)
    class Link:
        to: object = None

    link = Link()
    link.to = link
    assert repr(link).endswith("Link(to=...)")
    with pytest.raises(ValueError):
        @records.dataclass
        class Bad:
            items: list = []  # noqa: RUF012 - the mistake under test


def test_standard_dataclasses_still_work_with_fields_and_replace():
    @dataclasses.dataclass(frozen=True)
    class Standard:
        a: int
        b: int = 2

    assert records.is_dataclass(Standard) and [f.name for f in records.fields(Standard)] == ["a", "b"]
    assert records.replace(Standard(1), b=3) == Standard(1, 3)


def test_no_module_of_the_package_uses_the_standard_dataclasses():
    """A new record class imports `linter.records` (the same API), so no run ever pays for `dataclasses`."""
    import ast
    from pathlib import Path

    package = Path(records.__file__).parent
    users = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) else []
            if "dataclasses" in names:
                users.append(path.relative_to(package).as_posix())
    assert set(users) == {"records.py"}  # whose fields and replace also accept a standard dataclass
