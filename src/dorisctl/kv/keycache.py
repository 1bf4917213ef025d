"""A cache of store reads that is exact at the granularity of keys, across processes.

The SQLite backend keeps it (`kv/sqlite.py`): every batch it commits also writes one row of a
change log, `kv_changes(version, keys)`, in the same SQLite transaction: the store version it
creates and every key it wrote or removed (a range removal is recorded as its range). A process
that opens a snapshot reads the store version in it; if that moved since the cache's, it reads the
log rows in between (same snapshot, so exactly the commits its snapshot sees) and drops only the
cached point reads and range reads that those commits touched. Any process sharing the file
(the meta-service's workers, a separate `dorisctl recycler`) writes the log, so a commit in one
invalidates what it changed in all of them; a gap in the log (rows pruned while a process was
idle, or a writer that predates the log) drops everything. A commit is acknowledged only after
its COMMIT, and a read after it opens a snapshot that contains it and its log row: read-your-writes
holds whichever process answers.

Entries are exact at one store version, `version`: a transaction uses the cache only while its own
snapshot is at that version, and stores what it read from SQLite only then (a transaction on an
older snapshot neither reads nor fills it). Entries keep the key's stamp (the version that wrote
it), so writing transactions use it too: their conflict checks see the same stamps as a read.

Bounded by entries (oldest dropped first). Keys and values are bytes: the cache knows nothing
of what they mean.

A `ReadSet` is what one transaction read through the cache: each entry it used or filled, the
object itself. While every one of them is still in the cache, the same object, nothing it read has
changed since (a change drops the entry; a later read makes a new one): the meta-service answers a
read-only RPC again from its reply cache on that proof (metaservice/replycache.py).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from itertools import repeat
from operator import is_not

Row = tuple[bytes, bytes, int]  # key, value, stamp
RangeKey = tuple[bytes, bytes, int, bool]  # begin, end, limit, reverse

_POINT, _RANGE = 0, 1
_HEAD = struct.Struct(">BI")


def encode_changes(points: Iterable[bytes], ranges: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The change-log entry of one batch: each written key, each removed range."""
    parts: list[bytes] = []
    for key in points:
        parts.append(_HEAD.pack(_POINT, len(key)))
        parts.append(key)
    for begin, end in ranges:
        parts.append(_HEAD.pack(_RANGE, len(begin)))
        parts.append(begin)
        parts.append(struct.pack(">I", len(end)))
        parts.append(end)
    return b"".join(parts)


def decode_changes(blob: bytes) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    points: list[bytes] = []
    ranges: list[tuple[bytes, bytes]] = []
    pos, n = 0, len(blob)
    while pos < n:
        kind, size = _HEAD.unpack_from(blob, pos)
        pos += _HEAD.size
        key = blob[pos : pos + size]
        pos += size
        if kind == _POINT:
            points.append(key)
        else:
            (size,) = struct.unpack_from(">I", blob, pos)
            pos += 4
            ranges.append((key, blob[pos : pos + size]))
            pos += size
    return points, ranges


def _common_prefix(a: bytes, b: bytes) -> bytes:
    """The longest common prefix, by binary search over slice comparisons (done in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return a[:lo]


class KeyCache:
    """Point reads (key -> (value, stamp) or None when absent) and range reads, exact at `version`."""

    def __init__(self, max_points: int = 200_000, max_ranges: int = 20_000) -> None:
        self.max_points = max_points
        self.max_ranges = max_ranges
        self.version = -1  # the store version every entry is exact at (-1: none yet)
        # a time.perf_counter() before which `version` was read from the store: every commit
        # acknowledged before it is in the cache (a request that arrived earlier may skip the read)
        self.fresh_at = float("-inf")
        self.points: dict[bytes, tuple[bytes, int] | None] = {}
        self.ranges: dict[RangeKey, list[Row]] = {}
        # every key inside [begin, end) starts with the bounds' common prefix: ranges by that prefix
        self._by_prefix: dict[bytes, set[RangeKey]] = {}
        self._prefix_lens: dict[int, int] = {}  # prefix length -> ranges indexed under it
        self.hits = 0
        self.misses = 0
        self.invalidations = 0
        self.resets = 0

    def clear(self) -> None:
        self.points.clear()
        self.ranges.clear()
        self._by_prefix.clear()
        self._prefix_lens.clear()
        self.resets += 1

    def advance(self, version: int, log: list[tuple[int, bytes]] | None) -> None:
        """Move to `version`, given the change-log rows after the current version (in order), or None
        when they could not be read: anything not provably unchanged is dropped."""
        if version == self.version:
            return
        if version < self.version or log is None or not _contiguous(self.version, version, log):
            self.clear()
        else:
            for _, blob in log:
                points, ranges = decode_changes(blob)
                if ranges:  # removals of whole ranges are rare (drops, recycling): start afresh
                    self.clear()
                    break
                for key in points:
                    self._invalidate(key)
        self.version = version

    def _invalidate(self, key: bytes) -> None:
        if self.points.pop(key, 0) != 0:
            self.invalidations += 1
        if not self.ranges:
            return
        for size in list(self._prefix_lens):
            if size > len(key):
                continue
            hit = self._by_prefix.get(key[:size])
            if not hit:
                continue
            for rk in [rk for rk in hit if rk[0] <= key < rk[1]]:
                self._drop_range(rk)
                self.invalidations += 1

    def put_point(self, key: bytes, found: tuple[bytes, int] | None) -> None:
        points = self.points
        points[key] = found
        if len(points) > self.max_points:
            del points[next(iter(points))]

    def put_range(self, rk: RangeKey, rows: list[Row]) -> None:
        if rk in self.ranges:
            self.ranges[rk] = rows
            return
        self.ranges[rk] = rows
        prefix = _common_prefix(rk[0], rk[1])
        self._by_prefix.setdefault(prefix, set()).add(rk)
        self._prefix_lens[len(prefix)] = self._prefix_lens.get(len(prefix), 0) + 1
        if len(self.ranges) > self.max_ranges:
            self._drop_range(next(iter(self.ranges)))

    def _drop_range(self, rk: RangeKey) -> None:
        if self.ranges.pop(rk, None) is None:
            return
        prefix = _common_prefix(rk[0], rk[1])
        members = self._by_prefix.get(prefix)
        if members is not None:
            members.discard(rk)
            if not members:
                del self._by_prefix[prefix]
        left = self._prefix_lens.get(len(prefix), 1) - 1
        if left:
            self._prefix_lens[len(prefix)] = left
        else:
            self._prefix_lens.pop(len(prefix), None)


class ReadSet:
    """The cache entries one transaction's reads came from: (key, entry) and (range, rows), and
    batches of point reads as (keys, their entries) lists, which nobody changes once added."""

    __slots__ = ("_batched", "batches", "points", "ranges")

    def __init__(self) -> None:
        self.points: list[tuple[bytes, tuple[bytes, int] | None]] = []
        self.ranges: list[tuple[RangeKey, list[Row]]] = []
        self.batches: list[tuple[list[bytes], list[tuple[bytes, int] | None]]] = []
        self._batched = 0  # keys in batches

    def add_batch(self, keys: list[bytes], entries: list[tuple[bytes, int] | None]) -> None:
        """Point reads of `keys`, answered by `entries` (aligned); both lists are kept as they are."""
        self.batches.append((keys, entries))
        self._batched += len(keys)

    def __len__(self) -> int:
        return len(self.points) + self._batched + len(self.ranges)

    def holds(self, cache: KeyCache) -> bool:
        """Every read still answered by the very entry it came from (so nothing it read changed)."""
        points = cache.points
        for key, entry in self.points:
            if points.get(key, _GONE) is not entry:
                return False
        for keys, entries in self.batches:
            if any(map(is_not, map(points.get, keys, repeat(_GONE)), entries)):
                return False
        ranges = cache.ranges
        for rk, rows in self.ranges:  # noqa: SIM110 - a loop, not all(<genexpr>): it runs for every cached reply
            if ranges.get(rk) is not rows:
                return False
        return True


_GONE = object()


def _contiguous(have: int, want: int, log: list[tuple[int, bytes]]) -> bool:
    """The log holds exactly one row for every version in (have, want]."""
    if have < 0 or len(log) != want - have:
        return False
    return all(row[0] == have + 1 + i for i, row in enumerate(log))
