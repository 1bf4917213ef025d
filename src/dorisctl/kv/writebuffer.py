"""A transaction's buffered writes (kv/base.py `Txn`): what it put, removed, cleared and added,
with the read-your-writes lookups its reads make before asking the store."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


class Missing:
    """The type of MISSING: the store, not the write buffer, knows the value."""


MISSING = Missing()


@dataclass
class WriteBuffer:
    """Local writes with read-your-writes lookups.

    values: key -> bytes (put) or None (removed), for keys whose final value is known locally.
    cleared: sorted, non-overlapping [begin, end) ranges removed by `remove_range`, in which keys
      not in `values` are known to be absent.
    adds: key -> pending delta for keys whose current value is not known locally (blind add).
    order: the keys of `values` and `adds`, sorted; built at the first range read or range removal
      and kept up to date from then on, so a range read costs O(log n + keys in the range) instead
      of a scan of every buffered write (a transaction running many operations, each reading a
      small range, was quadratic); transactions that never read a range never sort.
    """

    values: dict[bytes, bytes | None] = field(default_factory=dict)
    cleared: list[tuple[bytes, bytes]] = field(default_factory=list)
    adds: dict[bytes, int] = field(default_factory=dict)
    order: list[bytes] | None = None

    def note(self, key: bytes) -> None:
        """Call before writing `key` into `values` or `adds`: keeps `order` complete."""
        if self.order is not None and key not in self.values and key not in self.adds:
            bisect.insort(self.order, key)

    def keys_in(self, begin: bytes, end: bytes) -> list[bytes]:
        """The buffered keys in [begin, end), in order."""
        if self.order is None:
            self.order = sorted(self.values.keys() | self.adds.keys())
        order = self.order
        return order[bisect.bisect_left(order, begin) : bisect.bisect_left(order, end)]

    def drop_range(self, begin: bytes, end: bytes) -> None:
        """Forget every buffered write in [begin, end) (before recording the range as cleared)."""
        for k in self.keys_in(begin, end):
            self.values.pop(k, None)
            self.adds.pop(k, None)
        assert self.order is not None
        del self.order[bisect.bisect_left(self.order, begin) : bisect.bisect_left(self.order, end)]

    def in_cleared(self, key: bytes) -> bool:
        if not self.cleared:
            return False
        i = bisect.bisect_right(self.cleared, (key, b"\xff" * 4096)) - 1
        return i >= 0 and self.cleared[i][0] <= key < self.cleared[i][1]

    def add_cleared(self, begin: bytes, end: bytes) -> None:
        merged: list[tuple[bytes, bytes]] = []
        for b, e in self.cleared:
            if e < begin or b > end:
                merged.append((b, e))
            else:
                begin, end = min(b, begin), max(e, end)
        merged.append((begin, end))
        merged.sort()
        self.cleared = merged

    def local(self, key: bytes) -> bytes | Missing | None:
        """The locally known value of key (None: absent), or MISSING if the store decides."""
        if key in self.values:
            return self.values[key]
        if self.in_cleared(key):
            return None
        return MISSING
