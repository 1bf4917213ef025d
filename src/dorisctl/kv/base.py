"""The TxnKv interface and the transaction semantics shared by every backend.

Model (modelled on FoundationDB, which Doris uses):

* `await kv.begin()` returns a `Txn`. Reads (`get`, `get_range`) are async and see one snapshot of
  the store plus the transaction's own writes. Writes (`put`, `remove`, `remove_range`,
  `atomic_add`) are buffered locally and cost nothing until `await txn.commit()`.
* Commit is optimistic and serializable: it fails with `Conflict` (retryable, nothing written) if
  any key the transaction read, or any key inside a range it read, was changed by a transaction
  that committed after this one's snapshot. Read-only transactions commit trivially.
* A snapshot cannot change, so a transaction remembers what it read from it (bounded: see
  SNAPSHOT_CACHE_KEYS and _BYTES): reading a key or a small range again costs no store round trip.
* `atomic_add(key, delta)` adds a signed 64-bit integer to an 8-byte little-endian value (absent
  counts as 0) without adding a read dependency, like FDB's ADD mutation.

Concurrency model, decided once for every backend: the seam is asyncio. Backends whose client
library blocks (SQLite) run their calls in worker threads; the event loop never blocks on I/O.

Backends implement three primitives over *versioned* data (a version is a per-key modification
counter that only grows: SQLite's commit sequence, etcd's mod_revision):

* `_snapshot_get(key) -> (value, version) | None`
* `_snapshot_range(begin, end, limit, reverse) -> [(key, value, version)]`
* `_commit(Commit)`: atomically check `Commit.point_checks` and `Commit.range_checks` against the
  current state and apply `Commit.mutations`, or raise `Conflict`.

All bookkeeping (read-your-writes, read sets, size limits) lives here, so the semantics cannot
drift between backends; `tests/integration/test_kv_conformance.py` checks them on each backend.
"""

from __future__ import annotations

import abc
import asyncio
import struct
import time
from collections.abc import Iterable, Sequence, Sized
from contextvars import ContextVar
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

from dorisctl.kv.errors import KvError, TooLarge
from dorisctl.kv.writebuffer import Missing, WriteBuffer

KeyValue = tuple[bytes, bytes]

_I64 = struct.Struct("<q")
# How long a transaction's reads may run before they let the event loop serve others (see _fair_share).
READ_SLICE_SECONDS = 0.002
# A transaction remembers what it read from its snapshot (which cannot change), so reading a key or
# a small range again costs no store round trip: up to this many keys, ranges of up to this many rows.
SNAPSHOT_CACHE_KEYS = 4096
SNAPSHOT_CACHE_RANGE_ROWS = 64
SNAPSHOT_CACHE_BYTES = 8 << 20  # and no more than this many bytes of values


def encode_counter(value: int) -> bytes:
    """An int64 as the 8-byte little-endian value `atomic_add` works on."""
    return _I64.pack(value)


def decode_counter(value: bytes | None) -> int:
    """The int64 of an atomic counter value; absent (or short) bytes count as zeros."""
    if not value:
        return 0
    return int(_I64.unpack(value[:8].ljust(8, b"\x00"))[0])


def _wrap_add(current: bytes | None, delta: int) -> bytes:
    total = (decode_counter(current) + delta + (1 << 63)) % (1 << 64) - (1 << 63)
    return _I64.pack(total)


@dataclass(frozen=True)
class Limits:
    """Size limits of a backend. Exceeding one raises `TooLarge` before anything is written."""

    max_key_bytes: int
    max_value_bytes: int
    max_txn_bytes: int
    max_mutations: int = 0  # 0: unlimited
    # Keys and ranges a writing transaction may have read, counting each blind-added key too
    # (etcd compares every one at commit); 0: unlimited. Checked at commit by the backend.
    max_reads: int = 0


@dataclass(frozen=True)
class Mutation:
    """One buffered write, applied in order at commit.

    kind: "put" (key, value) | "remove" (key) | "clear" (key=begin, end) | "add" (key, delta).
    """

    kind: Literal["put", "remove", "clear", "add"]
    key: bytes
    value: bytes = b""
    end: bytes = b""
    delta: int = 0


@dataclass
class Commit:
    """What a backend must check and apply atomically.

    point_checks: key -> version seen at the snapshot, or None if the key was absent; the commit
      conflicts unless each key still has exactly that version (absent keys must still be absent).
    range_checks: [begin, end) ranges read; the commit conflicts if any key in one of them has a
      version newer than `read_version` (a key created or changed since the snapshot). Keys that
      were deleted from a range are caught by the point checks of the keys the range returned.
    """

    read_version: int
    point_checks: dict[bytes, int | None]
    range_checks: list[tuple[bytes, bytes]]
    mutations: list[Mutation]


# When the request a transaction serves arrived (a time.perf_counter()), set by the server for each
# request: every commit acknowledged to that client before it sent the request is in any store
# version read after this time, so a backend may use such a version it already holds instead of
# asking the store again (kv/sqlite_read.py). None: not serving a request; ask the store.
REQUEST_RECEIVED: ContextVar[float | None] = ContextVar("request_received", default=None)


class Txn(abc.ABC):
    """One optimistic, serializable transaction. Use once: commit or discard."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._buf = WriteBuffer()
        self._mutations: list[Mutation] = []
        self._bytes = 0
        self._point_reads: dict[bytes, int | None] = {}
        # get_many's reads not yet in _point_reads: (keys, their snapshot entries), added in order by
        # `_settle_reads` before anything else reads or writes _point_reads, which therefore ends
        # exactly as if each had been added at once; a transaction that never writes never needs them
        self._batched_reads: list[tuple[list[bytes], list[tuple[bytes, int] | None]]] = []
        self._range_reads: list[tuple[bytes, bytes]] = []
        self._ranges_seen: set[tuple[bytes, bytes]] = set()  # the same range read twice is checked once
        self._snap_keys: dict[bytes, tuple[bytes, int] | None] = {}  # snapshot reads, for reading again
        self._snap_ranges: dict[tuple[bytes, bytes, int, bool], list[tuple[bytes, bytes, int]]] = {}
        self._snap_room = SNAPSHOT_CACHE_BYTES
        # off for a backend whose reads are already answered from memory (SQLite's key cache)
        self._remember_reads = True
        self._read_version: int | None = None
        self._done = False
        self._slice_start = time.perf_counter()

    def _keep(self, size: int) -> bool:
        """Whether a read of `size` bytes still fits the snapshot cache (and reserve it if so)."""
        if size > self._snap_room:
            return False
        self._snap_room -= size
        return True

    # -- backend primitives ---------------------------------------------------------------------

    @abc.abstractmethod
    async def _snapshot_get(self, key: bytes) -> tuple[bytes, int] | None:
        """(value, version) of key at this transaction's snapshot, or None if absent."""

    async def _snapshot_get_many(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, int]]:
        """(value, version) of each present key at the snapshot (absent keys left out). The
        default reads them one by one; backends override it with one round trip."""
        out: dict[bytes, tuple[bytes, int]] = {}
        for key in keys:
            found = await self._snapshot_get(key)
            if found is not None:
                out[key] = found
        return out

    async def _snapshot_get_list(self, keys: list[bytes]) -> list[tuple[bytes, int] | None]:
        """`_snapshot_get_many` as a list aligned with `keys` (None where absent); a backend
        answering from memory overrides it to build no dict."""
        got = await self._snapshot_get_many(keys)
        return list(map(got.get, keys))

    @abc.abstractmethod
    async def _snapshot_range(
        self, begin: bytes, end: bytes, limit: int, reverse: bool
    ) -> list[tuple[bytes, bytes, int]]:
        """Up to `limit` (0: all) (key, value, version) in [begin, end) at the snapshot, in order."""

    @abc.abstractmethod
    async def _commit(self, commit: Commit) -> None:
        """Check and apply atomically; raise Conflict, Unavailable, MaybeCommitted or TooLarge."""

    @abc.abstractmethod
    def _snapshot_version(self) -> int:
        """The version the snapshot was taken at (valid after the first read)."""

    async def _release(self) -> None:  # noqa: B027 - optional hook
        """Free backend resources held by the transaction (called once, after commit or discard)."""

    def track_reads(self) -> None:  # noqa: B027 - optional hook
        """Record what this transaction reads, for `read_set` (only backends that can check it later)."""

    def read_set(self) -> Sized | None:
        """What this read-only transaction read, for its store's `reads_unchanged`; None when the
        backend keeps no such record (the default), some read was not recorded, or it wrote."""
        return None

    # -- reads ----------------------------------------------------------------------------------

    async def _read_key(self, key: bytes) -> tuple[bytes, int] | None:
        """`_snapshot_get`, remembered: an operation reading a key again (or several operations run
        in one transaction) pays one round trip."""
        if not self._remember_reads:
            return await self._snapshot_get(key)
        seen = self._snap_keys
        if key in seen:
            return seen[key]
        found = await self._snapshot_get(key)
        if len(seen) < SNAPSHOT_CACHE_KEYS and self._keep(len(key) + (0 if found is None else len(found[0]))):
            seen[key] = found
        return found

    async def _read_keys(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, int]]:
        """`_snapshot_get_many`, remembered like `_read_key`."""
        if not self._remember_reads:
            return await self._snapshot_get_many(keys)
        seen = self._snap_keys
        out: dict[bytes, tuple[bytes, int]] = {}
        missing: list[bytes] = []
        for key in keys:
            if key in seen:
                hit = seen[key]
                if hit is not None:
                    out[key] = hit
            else:
                missing.append(key)
        if missing:
            fetched = await self._snapshot_get_many(missing)
            out.update(fetched)
            for key in missing:
                hit = fetched.get(key)
                if len(seen) >= SNAPSHOT_CACHE_KEYS or not self._keep(len(key) + (0 if hit is None else len(hit[0]))):
                    break
                seen[key] = hit
        return out

    async def _read_range(self, begin: bytes, end: bytes, limit: int, reverse: bool) -> list[tuple[bytes, bytes, int]]:
        """`_snapshot_range`, remembered for small results."""
        if not self._remember_reads:
            return await self._snapshot_range(begin, end, limit, reverse)
        which = (begin, end, limit, reverse)
        hit = self._snap_ranges.get(which)
        if hit is not None:
            return hit
        rows = await self._snapshot_range(begin, end, limit, reverse)
        if (
            len(rows) <= SNAPSHOT_CACHE_RANGE_ROWS
            and len(self._snap_ranges) < SNAPSHOT_CACHE_KEYS
            and self._keep(sum(len(k) + len(v) for k, v, _ in rows))
        ):
            self._snap_ranges[which] = rows
        return rows

    async def _fair_share(self) -> None:
        """Yield to the event loop once this transaction has run READ_SLICE_SECONDS without doing so.

        SQLite reads complete inline (no await really suspends), so an operation reading 100,000
        tablets would otherwise hold the loop for seconds and no other client would be answered.
        Its reads are on its own snapshot, so letting other requests run between them changes nothing
        it sees; etcd's reads suspend anyway."""
        now = time.perf_counter()
        if now - self._slice_start > READ_SLICE_SECONDS:
            await asyncio.sleep(0)
            self._slice_start = time.perf_counter()

    async def get(self, key: bytes) -> bytes | None:
        """The value of key as this transaction sees it, or None."""
        self._check_open()
        if time.perf_counter() - self._slice_start > READ_SLICE_SECONDS:
            await self._fair_share()
        buf = self._buf
        if buf.values or buf.cleared:  # else nothing local can answer (`local` would say MISSING)
            local = buf.local(key)
            if not isinstance(local, Missing):
                return local
        # what _read_key does (a backend answering from memory remembers nothing), one call fewer
        found = await (self._read_key(key) if self._remember_reads else self._snapshot_get(key))
        if self._batched_reads:
            self._settle_reads()
        self._point_reads[key] = None if found is None else found[1]
        value = None if found is None else found[0]
        if key in buf.adds:
            return _wrap_add(value, buf.adds[key])
        return value

    async def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        """The values of many keys, in order (None where absent): `get` of each, in one store
        round trip where the backend can (same read set, same read-your-writes)."""
        self._check_open()
        if time.perf_counter() - self._slice_start > READ_SLICE_SECONDS:
            await self._fair_share()
        buf = self._buf
        if not buf.values and not buf.cleared and not buf.adds:  # nothing written yet: all from the store
            unique = list(dict.fromkeys(keys))
            if self._remember_reads:
                got = await self._read_keys(unique)
                hits = list(map(got.get, unique))
            else:  # what _read_keys would do, without the dict
                hits = await self._snapshot_get_list(unique)
            if unique:
                self._batched_reads.append((unique, hits))  # into _point_reads when needed
            values = [None if hit is None else hit[0] for hit in hits]
            if len(unique) != len(keys):  # a key asked more than once (so 2+ keys: a tuple), in order
                return list(itemgetter(*keys)(dict(zip(unique, values, strict=True))))
            return values
        out: list[bytes | None] = [None] * len(keys)
        pending: list[int] = []
        for i, key in enumerate(keys):
            local = buf.local(key)
            if isinstance(local, Missing):
                pending.append(i)
            else:
                out[i] = local
        if not pending:
            return out
        wanted = list(dict.fromkeys(keys[i] for i in pending))
        found = await self._read_keys(wanted)
        reads = self._settle_reads()
        for key in wanted:
            hit = found.get(key)
            reads[key] = None if hit is None else hit[1]
        adds = buf.adds
        for i in pending:
            key = keys[i]
            hit = found.get(key)
            value = None if hit is None else hit[0]
            out[i] = _wrap_add(value, adds[key]) if adds and key in adds else value
        return out

    async def get_range(self, begin: bytes, end: bytes, *, limit: int = 0, reverse: bool = False) -> list[KeyValue]:
        """Keys in [begin, end) in key order (descending if reverse), at most `limit` (0: all)."""
        self._check_open()
        if limit < 0:
            raise ValueError("limit must be >= 0")
        if begin >= end:
            return []
        if time.perf_counter() - self._slice_start > READ_SLICE_SECONDS:
            await self._fair_share()
        if not limit:  # the usual read: the whole range at once (the loop below, its one pass)
            if self._remember_reads:
                rows = await self._read_range(begin, end, 0, reverse)
            else:  # what _read_range does then, one call fewer
                rows = await self._snapshot_range(begin, end, 0, reverse)
            return self._note_range(begin, end, rows, reverse)
        out: list[KeyValue] = []
        lo, hi = begin, end
        page = 0 if limit == 0 else max(limit, 16)
        while True:
            rows = await self._read_range(lo, hi, page, reverse)
            exhausted = page == 0 or len(rows) < page
            if exhausted:
                covered = (lo, hi)
            elif reverse:
                covered = (rows[-1][0], hi)
            else:
                covered = (lo, rows[-1][0] + b"\x00")
            buf = self._buf
            if buf.values or buf.adds or buf.cleared:
                merged = self._merge({k: v for k, v, _ in rows}, covered, reverse)
            else:  # nothing written in this transaction: the store's rows as they are
                merged = [(k, v) for k, v, _ in rows]
            if limit and len(out) + len(merged) >= limit:
                merged = merged[: limit - len(out)]
                # guard only up to the last key returned: later keys were never observed
                last = merged[-1][0]
                covered = (last, covered[1]) if reverse else (covered[0], last + b"\x00")
                exhausted = True
            if covered not in self._ranges_seen:
                self._ranges_seen.add(covered)
                self._range_reads.append(covered)
            if self._batched_reads:
                self._settle_reads()
            for k, _, ver in rows:
                if covered[0] <= k < covered[1]:
                    self._point_reads[k] = ver
            out.extend(merged)
            if exhausted:
                return out
            if reverse:
                hi = rows[-1][0]
            else:
                lo = rows[-1][0] + b"\x00"

    def _note_range(
        self, begin: bytes, end: bytes, rows: list[tuple[bytes, bytes, int]], reverse: bool
    ) -> list[KeyValue]:
        """`get_range` without a limit, given the store's rows of the whole range [begin, end)."""
        buf = self._buf
        if buf.values or buf.adds or buf.cleared:
            merged = self._merge({k: v for k, v, _ in rows}, (begin, end), reverse)
        else:  # nothing written in this transaction: the store's rows as they are
            merged = [(k, v) for k, v, _ in rows]
        covered = (begin, end)
        if covered not in self._ranges_seen:
            self._ranges_seen.add(covered)
            self._range_reads.append(covered)
        reads = self._settle_reads() if self._batched_reads else self._point_reads
        for k, _, ver in rows:
            if begin <= k < end:
                reads[k] = ver
        return merged

    def _settle_reads(self) -> dict[bytes, int | None]:
        """_point_reads with get_many's batched reads added, in the order they were made."""
        reads = self._point_reads
        for keys, hits in self._batched_reads:
            reads.update(zip(keys, [None if hit is None else hit[1] for hit in hits], strict=True))
        self._batched_reads.clear()
        return reads

    def _merge(self, store: dict[bytes, bytes], covered: tuple[bytes, bytes], reverse: bool) -> list[KeyValue]:
        if self._batched_reads:
            self._settle_reads()
        lo, hi = covered
        keys = set(store)
        keys.update(self._buf.keys_in(lo, hi))
        result: list[KeyValue] = []
        for k in sorted(keys, reverse=reverse):
            local = self._buf.local(k)
            value: bytes | None
            if not isinstance(local, Missing):
                value = local
            else:
                value = store.get(k)
                if k in self._buf.adds:
                    if k not in store and k not in self._point_reads:
                        # the key lies in a range that was read, so its absence is known
                        self._point_reads[k] = None
                    value = _wrap_add(value, self._buf.adds[k])
            if value is not None:
                result.append((k, value))
        return result

    # -- writes ---------------------------------------------------------------------------------

    def put(self, key: bytes, value: bytes) -> None:
        self._check_open()
        self._check_key(key)
        if len(value) > self._limits.max_value_bytes:
            raise TooLarge(
                f"value of {len(value)} bytes exceeds the limit of {self._limits.max_value_bytes}",
                what="value",
            )
        self._buf.note(key)
        self._buf.values[key] = value
        self._buf.adds.pop(key, None)
        self._record(Mutation("put", key, value=value), len(key) + len(value))

    def remove(self, key: bytes) -> None:
        self._check_open()
        self._check_key(key)
        self._buf.note(key)
        self._buf.values[key] = None
        self._buf.adds.pop(key, None)
        self._record(Mutation("remove", key), len(key))

    def remove_range(self, begin: bytes, end: bytes) -> None:
        """Remove every key in [begin, end)."""
        self._check_open()
        if begin >= end:
            return
        self._buf.drop_range(begin, end)
        self._buf.add_cleared(begin, end)
        self._record(Mutation("clear", begin, end=end), len(begin) + len(end))

    def atomic_add(self, key: bytes, delta: int) -> None:
        """Add delta to the int64 little-endian counter at key (absent = 0), with wrap-around."""
        self._check_open()
        self._check_key(key)
        local = self._buf.local(key)
        self._buf.note(key)
        if not isinstance(local, Missing):
            self._buf.values[key] = _wrap_add(local, delta)
        else:
            self._buf.adds[key] = self._buf.adds.get(key, 0) + delta
        self._record(Mutation("add", key, delta=delta), len(key) + 8)

    def _record(self, mutation: Mutation, size: int) -> None:
        self._mutations.append(mutation)
        self._bytes += size
        if self._bytes > self._limits.max_txn_bytes:
            raise TooLarge(
                f"transaction of more than {self._bytes} bytes exceeds the limit of {self._limits.max_txn_bytes}"
            )
        if self._limits.max_mutations and len(self._mutations) > self._limits.max_mutations:
            raise TooLarge(
                f"transaction of {len(self._mutations)} writes exceeds the limit of {self._limits.max_mutations}"
            )

    def _check_key(self, key: bytes) -> None:
        if len(key) > self._limits.max_key_bytes:
            raise TooLarge(f"key of {len(key)} bytes exceeds the limit of {self._limits.max_key_bytes}", what="key")

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def written_bytes(self) -> int:
        """Bytes of keys and values buffered so far (what the size limit counts)."""
        return self._bytes

    @property
    def footprint(self) -> tuple[int, int, int]:
        """(buffered writes, reads, written bytes) so far, in the units of `Limits`: reads are the
        keys and ranges read plus the blind-added keys (what `max_reads` counts)."""
        reads = len(self._settle_reads()) + len(self._range_reads) + len(self._buf.adds)
        return len(self._mutations), reads, self._bytes

    async def commit(self) -> None:
        """Apply the buffered writes atomically, or raise a KvError and write nothing."""
        self._check_open()
        self._done = True
        try:
            if self._mutations:
                read_version = self._snapshot_version() if self._read_version_known() else 0
                await self._commit(
                    Commit(
                        read_version=read_version,
                        point_checks=self._settle_reads(),
                        range_checks=self._range_reads,
                        mutations=self._mutations,
                    )
                )
        finally:
            await self._release()

    async def discard(self) -> None:
        """Drop the transaction without writing anything. Safe to call more than once."""
        if not self._done:
            self._done = True
            await self._release()

    def _read_version_known(self) -> bool:
        return bool(self._point_reads or self._batched_reads or self._range_reads)

    def _check_open(self) -> None:
        if self._done:
            raise KvError("transaction already committed or discarded")


class TxnKv(abc.ABC):
    """A transactional, ordered key-value store of bytes."""

    limits: Limits
    # True if a commit's reply can never be lost (an embedded store commits locally), so
    # `MaybeCommitted` cannot happen and run_txn needs no idempotency keys (kv/runner.py).
    commit_outcome_always_known: bool = False

    @abc.abstractmethod
    async def begin(self) -> Txn:
        """Start a transaction."""

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Connect and prepare the store before serving (remote stores); raises `StoreOpenError`
        with a one-line reason. Optional: the first transaction opens the store too."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and threads."""

    def reads_unchanged(self, reads: object, received: float | None = None) -> bool:
        """Whether nothing a transaction's `read_set` read has changed in the store since, as of a
        version that includes every commit acknowledged before the request arrived (`received`, a
        time.perf_counter(); None: before this call). False when unsure. Answered without waiting
        (the reply cache's hits are answered inside the transport's read callback): a store that
        would need a round trip answers False."""
        return False

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """The store's URL as given to `open_store` (never includes credentials)."""


def apply_to_dict(store: dict[bytes, bytes], mutations: Iterable[Mutation]) -> None:
    """Apply mutations to a plain dict in order (reference semantics, used by tests and backends)."""
    for m in mutations:
        if m.kind == "put":
            store[m.key] = m.value
        elif m.kind == "remove":
            store.pop(m.key, None)
        elif m.kind == "clear":
            for k in [k for k in store if m.key <= k < m.end]:
                del store[k]
        else:
            store[m.key] = _wrap_add(store.get(m.key), m.delta)
