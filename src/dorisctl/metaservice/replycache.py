"""Replies of read-only RPCs answered again while what they read stands: exact per key, across processes.

An entry is one RPC's serialized request and its serialized OK response, with the store reads
the response was built from (the transaction's `read_set`: each key-cache entry a read came from,
kv/keycache.py). A request with the same bytes is answered with the same bytes after one check:
the store brings its key cache to the latest committed version (one SELECT and the change log
since, so every commit acknowledged to any client of any process is seen), and every entry the
reads came from must still be in the key cache, the very same object. A commit that touched any
key or range the reply read dropped that entry, so the reply is built again; commits elsewhere
leave it standing. A live cluster keeps committing and a reply stays valid as long as its own
keys do, which a cache keyed on the store's version could not offer.

Only RPCs the table marks `cached` use it: operations whose reply is a function of the request and
what they read (no clock, no other process state but the fixed settings; audited per RPC). Only
OK replies are kept. Stores without a key cache (etcd, PostgreSQL) answer `reads_unchanged` False,
so nothing is kept there. Bounded by entries and bytes, oldest dropped first; per process.

Worth it per RPC: recording a reply's reads, keeping it and checking it cost a share of building
it again, which only hits repay. An RPC whose checks come out stale more often than not (an FE's
version batches over partitions a load keeps changing: measured 15-19% slower with the cache than
without at a 15% hit share) is passed by, except one request in `SAMPLE` and at least one every
`SAMPLE_SECONDS`, which keep measuring its hit share (over about the last `WINDOW` checks) and
bring it back when it rises. A sampled request costs more than one built without the cache (the
check that comes out stale, the reads recorded, the entry kept): one in 8 cost the version
batches 4-10% against the cache turned off; one in 32 (with the time floor, so a slow RPC is
still measured) leaves 1-3%.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sized
from dataclasses import dataclass

from dorisctl import metrics

_ENTRY_OVERHEAD = 200  # bytes per entry beyond request and response: the key tuple, the read set's lists
_PER_READ = 72  # bytes per read the read set holds (a tuple and two list slots; keys and entries are shared)
MIN_HIT_SHARE = 0.35  # below it (over the last checks of an RPC) the RPC passes the cache by...
SAMPLE = 32  # ...but for one request in this many
SAMPLE_SECONDS = 0.05  # ...and one at least this often
WINDOW = 1024  # checks an RPC's hit share is measured over (halved when reached)
MIN_CHECKS = 64  # checks before the share counts


@dataclass(frozen=True, slots=True)
class CachedReply:
    response: bytes
    reads: Sized  # the store's read set (TxnKv.reads_unchanged checks it; its length: how many reads)
    instance: str  # the request's instance hint, for admission without parsing the request


class ReplyCache:
    def __init__(self, max_entries: int, max_bytes: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._clock = clock
        self._entries: dict[tuple[str, bytes], CachedReply] = {}
        self._share: dict[str, list[int]] = {}  # rpc -> [checks, hits, requests passed by]
        self._sampled: dict[str, float] = {}  # rpc -> when a passed-by RPC last used the cache

    def __len__(self) -> int:
        return len(self._entries)

    def wanted(self, rpc: str) -> bool:
        """Whether a request of this RPC should use the cache (look up; be kept): yes unless the
        RPC's recent checks mostly came out stale, and then for one request in SAMPLE and the
        first after SAMPLE_SECONDS without one."""
        share = self._share.get(rpc)
        if share is None or share[0] < MIN_CHECKS or share[1] >= MIN_HIT_SHARE * share[0]:
            return True
        share[2] += 1
        now = self._clock()
        if share[2] % SAMPLE == 0 or now - self._sampled.get(rpc, 0.0) >= SAMPLE_SECONDS:
            self._sampled[rpc] = now
            return True
        return False

    def checked(self, rpc: str, hit: bool) -> None:
        """One check of an entry of this RPC: hit, or stale (its reads changed)."""
        share = self._share.get(rpc)
        if share is None:
            share = self._share[rpc] = [0, 0, 0]
        share[0] += 1
        share[1] += hit
        if share[0] >= WINDOW:
            share[0] //= 2
            share[1] //= 2

    def get(self, rpc: str, request: bytes) -> CachedReply | None:
        return self._entries.get((rpc, request))

    def put(self, rpc: str, request: bytes, entry: CachedReply) -> None:
        size = _size(request, entry)
        if size > self.max_bytes // 16:  # one huge reply may not push out the whole cache
            return
        key = (rpc, request)
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= _size(request, old)
        self._entries[key] = entry
        self.bytes += size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            (first_rpc, first_request), first = next(iter(self._entries.items()))
            del self._entries[(first_rpc, first_request)]
            self.bytes -= _size(first_request, first)
        metrics.set_value(metrics.REPLY_CACHE_BYTES, self.bytes)

    def drop(self, rpc: str, request: bytes) -> None:
        old = self._entries.pop((rpc, request), None)
        if old is not None:
            self.bytes -= _size(request, old)


def _size(request: bytes, entry: CachedReply) -> int:
    return len(request) + len(entry.response) + _ENTRY_OVERHEAD + _PER_READ * len(entry.reads)
