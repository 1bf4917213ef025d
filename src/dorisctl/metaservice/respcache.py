"""A read-through cache of rendered read replies, exact by construction.

A reply to a read route is a function of the request and the store contents only (no clock), so
it can be served again while the store version is unchanged. The version is the store's commit
counter (`TxnKv.committed_version`), which grows with every commit from any process, so a hit is
exactly what a fresh read would return at that moment. A reply is stored only when the version
was the same before and after computing it (then its snapshot saw exactly that version). Stores
without a cheap version (etcd) bypass the cache. Bounded by entries and bytes (LRU).

Replies may hold decrypted secrets (get_instance, get_obj_store_info), as the process already
does while it answers; they are never written anywhere.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

MAX_REPLY_BYTES = 64 * 1024


@dataclass(frozen=True)
class CachedReply:
    version: int
    status: int
    body: bytes
    media_type: str


class ResponseCache:
    def __init__(self, max_entries: int, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes, bytes], CachedReply] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def get(self, key: tuple[str, bytes, bytes], version: int) -> CachedReply | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple[str, bytes, bytes], reply: CachedReply) -> None:
        if len(reply.body) > MAX_REPLY_BYTES:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = reply
        self._bytes += len(reply.body)
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)
