""""Did you mean" for names users type: rule ids, config keys, rule options.

A typo that only says "unknown" sends the user to a list; naming the closest known name fixes most of them
at a glance. Matching ignores case and treats `-` like `_` (`fail-on` → `fail_on`).
"""
from __future__ import annotations

from typing import Iterable


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name nearest to `name` when one is near enough to be a likely typo, else None."""
    from difflib import get_close_matches

    spellings = {_normal(k): k for k in known}
    match = get_close_matches(_normal(name), list(spellings), n=1, cutoff=0.6)
    return spellings[match[0]] if match else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`"; did you mean 'fail_on'?"`, or "" when nothing is close; for appending to an error message."""
    match = closest(name, known)
    return f"; did you mean '{match}'?" if match is not None and match != name else ""
