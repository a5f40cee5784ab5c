"""Record classes as `dataclasses` makes them, without what it costs at start-up.

`dataclasses` imports `inspect` (and with it `ast`, `dis`, `tokenize`) and compiles five to ten methods per
class with `exec`: about 0.5 ms a class, 15–20 ms of a one-file run over the ~40 classes on its import path.
This module is a drop-in for the part of `dataclasses` that policylint uses (`dataclass` with `frozen`,
`slots`, `eq` and `order`; `field` with `default`, `default_factory`, `repr`, `compare` and `metadata`;
`fields`, `replace`, `is_dataclass`), with the same behaviour: the same `__init__` signature (keywords
included), `__eq__` between instances of the same class only, `__hash__` for frozen classes (the hash of
the tuple of compared fields, as `dataclasses` computes it; none for mutable ones), the four orderings, a
`__repr__` that survives cycles, assignment to a frozen instance refused, and frozen slotted instances
that pickle and copy. Only `__init__` is compiled (one `exec` a class, keeping instance creation as fast
as before); the other methods are shared functions over an `operator.attrgetter` of the fields.
A class made by the standard `dataclasses` module still works with `fields`, `replace` and `is_dataclass`.
"""
from __future__ import annotations

from operator import attrgetter, eq as _eq, ge as _ge, gt as _gt, le as _le, lt as _lt
from reprlib import recursive_repr
from typing import Any, Callable, TypeVar

_T = TypeVar("_T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no default given


class _Factory:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY: Any = _Factory()  # the `__init__` default of a field with a factory (shown as `dataclasses` shows it)


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class Field:
    """One field: its name, default or factory, and whether it is shown and compared."""

    __slots__ = ("name", "default", "default_factory", "repr", "compare", "metadata")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool, metadata: dict | None) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare = repr, compare
        self.metadata = metadata or {}

    @property
    def init(self) -> bool:  # as in `dataclasses.Field`: every field here is an `__init__` parameter
        return True


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING, repr: bool = True,
          compare: bool = True, metadata: dict | None = None) -> Any:
    """A field with options, as `dataclasses.field` (the subset above)."""
    return Field(default, default_factory, repr, compare, metadata)


def dataclass(cls: type | None = None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True,
              order: bool = False) -> Any:
    """Make `cls` a record, as `dataclasses.dataclass` with these options would."""
    def wrap(klass: type) -> type:
        return _build(klass, frozen, slots, eq, order)

    return wrap if cls is None else wrap(cls)


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))


def _collect(cls: type) -> dict[str, Field]:
    """The fields of `cls`: those of its record bases first, then its own annotations, in order."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(getattr(base, "__record_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value, MISSING, True, True, None)
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(f"mutable default {type(spec.default).__name__} for field {name} is not allowed: use default_factory")
        spec.name = name
        found[name] = spec
    return found


def _init_source(specs: list[Field], frozen: bool, post_init: bool) -> tuple[str, dict[str, Any]]:
    """The source of `__init__` and the names it needs (defaults, factories)."""
    names: dict[str, Any] = {"_FACTORY": _FACTORY, "_set": object.__setattr__}
    params, body = [], []
    for spec in specs:
        name = spec.name
        value = name
        if spec.default_factory is not MISSING:
            names[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_FACTORY")
            value = f"_factory_{name}() if {name} is _FACTORY else {name}"
        elif spec.default is not MISSING:
            names[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
        else:
            params.append(name)
        body.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass") + "\n"
    return source, names


def _with_slots(cls: type, own: list[str]) -> type:
    """The class again, with `__slots__` for its own fields (class attributes holding defaults removed)."""
    namespace = {k: v for k, v in cls.__dict__.items() if k not in own and k not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(own)
    slotted = type(cls)(cls.__name__, cls.__bases__, namespace)
    slotted.__qualname__ = cls.__qualname__
    return slotted


def _key_of(names: list[str]) -> Callable[[Any], tuple]:
    """The tuple of these attributes of an instance (a tuple even for one or no attribute)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda instance: (single(instance),)
    return lambda instance: ()


def _build(cls: type, frozen: bool, slots: bool, eq: bool, order: bool) -> type:
    """The record class: `__init__` compiled from the fields, the other methods shared, each set only where
    the class body does not define its own; the hash follows `dataclasses`' table (frozen and compared: the
    fields' hash; compared but mutable: unhashable; not compared: identity)."""
    specs = _collect(cls)
    own = [name for name in cls.__dict__.get("__annotations__", {}) if name in specs
           and not any(name in getattr(base, "__record_fields__", {}) for base in cls.__mro__[1:])]
    explicit_hash = "__hash__" in cls.__dict__ and not (cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__)
    if slots:
        cls = _with_slots(cls, own)
    else:  # as `dataclasses`: a default stays a class attribute, a factory field has none
        for name in own:
            spec = specs[name]
            if spec.default is not MISSING:
                setattr(cls, name, spec.default)
            elif isinstance(cls.__dict__.get(name), Field):
                delattr(cls, name)
    mine = dict(cls.__dict__)
    every = list(specs.values())
    source, names = _init_source(every, frozen, hasattr(cls, "__post_init__"))
    exec(source, names)  # noqa: S102 - our own generated source, from the class's field names
    annotations = {k: v for base in reversed(cls.__mro__) for k, v in base.__dict__.get("__annotations__", {}).items()}
    names["__init__"].__annotations__ = {**{name: annotations[name] for name in specs}, "return": None}
    _define(cls, mine, "__init__", names["__init__"])
    cls.__record_fields__ = specs
    cls.__match_args__ = tuple(specs)
    shown = [s.name for s in every if s.repr]
    _define(cls, mine, "__repr__", _repr(shown))
    compared = _key_of([s.name for s in every if s.compare])
    if eq:
        _define(cls, mine, "__eq__", _comparison(compared, _eq))
        if not explicit_hash:
            cls.__hash__ = (lambda self: hash(compared(self))) if frozen else None  # type: ignore[assignment]
    if order:
        for name, compare in (("__lt__", _lt), ("__le__", _le), ("__gt__", _gt), ("__ge__", _ge)):
            _define(cls, mine, name, _comparison(compared, compare))
    if frozen:
        _freeze(cls, mine, frozenset(specs), slots)
    return cls


def _define(cls: type, mine: dict, name: str, function: Callable) -> None:
    """Set a generated method unless the class body defines its own (as `dataclasses` does)."""
    if name in mine:
        return
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    function.__name__ = name
    setattr(cls, name, function)


def _repr(shown: list[str]) -> Callable[[Any], str]:
    @recursive_repr()
    def __repr__(self: Any) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"

    return __repr__


def _comparison(key: Callable[[Any], tuple], compare: Callable[[tuple, tuple], bool]) -> Callable[[Any, Any], bool]:
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(key(self), key(other))
        return NotImplemented

    return method


def _freeze(cls: type, mine: dict, names: frozenset[str], slots: bool) -> None:
    """Refuse assignment and deletion of fields; frozen slotted instances pickle and copy through their values."""
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    _define(cls, mine, "__setattr__", __setattr__)
    _define(cls, mine, "__delattr__", __delattr__)
    if slots:
        order = list(cls.__record_fields__)

        def __getstate__(self: Any) -> list:
            return [getattr(self, name) for name in order]

        def __setstate__(self: Any, state: list) -> None:
            for name, value in zip(order, state):
                object.__setattr__(self, name, value)

        _define(cls, mine, "__getstate__", __getstate__)
        _define(cls, mine, "__setstate__", __setstate__)


def is_dataclass(value: object) -> bool:
    """A record (class or instance), or a class of the standard `dataclasses` module."""
    kind = value if isinstance(value, type) else type(value)
    return hasattr(kind, "__record_fields__") or hasattr(kind, "__dataclass_fields__")


def fields(value: object) -> tuple[Field, ...]:
    """The fields of a record (class or instance), in order."""
    kind = value if isinstance(value, type) else type(value)
    specs = getattr(kind, "__record_fields__", None)
    if specs is None:  # a standard dataclass
        import dataclasses

        return dataclasses.fields(value)  # type: ignore[arg-type, return-value]
    return tuple(specs.values())


def replace(value: _T, /, **changes: Any) -> _T:
    """A copy of a record with some fields changed (through `__init__`, as `dataclasses.replace`)."""
    specs = getattr(type(value), "__record_fields__", None)
    if specs is None:  # a standard dataclass
        import dataclasses

        return dataclasses.replace(value, **changes)  # type: ignore[type-var]
    for name in specs:
        if name not in changes:
            changes[name] = getattr(value, name)
    return type(value)(**changes)
