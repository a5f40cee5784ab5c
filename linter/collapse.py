"""One finding per rule and range: which raw finding speaks for the others, and what its message says.

An element reached several times (a local or YAML anchor used by several statements, a document merged into
another and used itself, one value fed into several dynamic statements, module instances or resources)
gives one raw finding per statement at the same range; the report shows one of them. The engine collapses
them when it fingerprints; the suppression filter describes again what stays once some are suppressed, with
the same wording, so a message never names an element that a suppression already accounts for.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from linter.model import RawFinding
from linter.records import replace

MAX_ALSO = 3  # other elements a message names when several fire at one range


def ordered(group: Iterable[RawFinding]) -> tuple[RawFinding, ...]:
    """The raw findings of one rule at one range in the order `RawFinding.first` gives: the first speaks."""
    return tuple(sorted(group, key=RawFinding.first))


def one_of(parts: Sequence[RawFinding]) -> RawFinding:
    """The finding to report for raw findings of one rule at one range, given in `ordered` order; when other
    elements fire there too (the actions a module composes from one value of its caller, the statements of
    a managed policy on its ARN) with another message, its message names them, so the one reported does not
    hide a worse one."""
    kept = parts[0]
    others = [o for o in dict.fromkeys(repr_element(r.element) for r in parts[1:]
                                       if r.element != kept.element and r.message != kept.message) if o is not None]
    if not others:
        return kept
    shown = ", ".join(others[:MAX_ALSO]) + (f" and {len(others) - MAX_ALSO} more" if len(others) > MAX_ALSO else "")
    return replace(kept, message=f"{kept.message} (here too: {shown})")


def repr_element(element: object) -> str | None:
    """An element as a message quotes it ('secretsmanager:Get*'), or None for one that is not a string."""
    return f"'{element}'" if isinstance(element, str) else None
