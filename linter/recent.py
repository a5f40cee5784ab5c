"""A mapping that keeps only its most recently used entries: a run-long cache whose memory stays bounded
however many inputs the run reads (issue 18, item 7)."""
from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V]):
    """Like a dict, but past `limit` entries the least recently read or written one is dropped. Only for
    values that can be computed again with the same result (a parse of a file)."""

    def __init__(self, limit: int = 16) -> None:
        super().__init__()
        self.limit = limit

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)

    def __reduce__(self):
        """Pickled with its limit first (a worker process started by spawning gets the same entries)."""
        return type(self), (self.limit,), None, None, iter(self.items())
