"""Snapshot reads of the SQLite backend (kv/sqlite.py): pooled read connections, the transaction,
and the process's key cache (kv/keycache.py) in front of them.

A transaction takes a read connection from the store's pool at its first read and opens a read
transaction there; in WAL mode that pins one consistent snapshot. Its first statement reads the
store version, and brings the key cache to it from the change log (same snapshot). Reads then come
from the cache while the cache is at this snapshot's version, else from SQLite (filling the cache).
Reads run inline on the event loop: a page-cache lookup costs microseconds, a thread hop ~80 us.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, TypeVar

from dorisctl import metrics
from dorisctl.kv.base import REQUEST_RECEIVED, Commit, Txn
from dorisctl.kv.errors import Conflict, KvError, Unavailable
from dorisctl.kv.keycache import KeyCache, ReadSet

if TYPE_CHECKING:
    from dorisctl.kv.sqlite import SqliteKv

T = TypeVar("T")

CHANGE_LOG_READ = 512  # versions behind beyond which reading the log costs more than a fresh cache


class _Reader:
    """A pooled read connection. `stale`: a read transaction is open (ended when it goes back to the pool)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.stale = False

    def open_snapshot(self) -> None:
        """Start a read transaction; the first SELECT on it pins the snapshot."""
        if self.stale:
            self.conn.execute("ROLLBACK")
            self.stale = False
        self.conn.execute("BEGIN")
        self.stale = True

    def end_snapshot(self) -> None:
        if self.stale:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            self.stale = False

    def snapshot_version(self) -> int:
        """The store version of the pinned snapshot (same read transaction, so consistent)."""
        (version,) = self.conn.execute("SELECT value FROM meta WHERE name='version'").fetchone()
        return int(version)

    def close(self) -> None:
        self.conn.close()


class SqliteTxn(Txn):
    """Reads come from the process's KeyCache while this transaction's version is the cache's, else
    (and on a miss) from SQLite; what SQLite answered fills the cache then.

    With the cache on, the first read takes the cache's version if that was read from the store
    after the request being served arrived (and after this process's last commit: SqliteKv.fresh_for),
    else the store version with one autocommit SELECT, bringing the cache to it. The read
    transaction (BEGIN ... ROLLBACK) that pins a snapshot is opened only when a read must go to
    SQLite. If the store moved on in between, the cache is brought to the snapshot's version and
    the reads answered from the cache so far are checked (their entries still there: unchanged);
    if one changed, the reads would mix two versions: it raises Conflict and the runner runs it
    again."""

    def __init__(self, kv: SqliteKv) -> None:
        super().__init__(kv.limits)
        self._kv = kv
        self._reader: _Reader | None = None
        self._version: int | None = None
        self._pinned = False  # a read transaction holds a snapshot at self._version
        self._remember_reads = kv.cache is None  # the key cache answers a read again already
        self._hits = self._misses = 0  # key-cache lookups, counted once the transaction ends
        # the cache entries every read came from (to check them when the version moves; read_set)
        self._reads: ReadSet | None = ReadSet() if kv.cache is not None else None
        self._untracked = False  # a read that no cache entry answered (not at the cache's version)

    def track_reads(self) -> None:
        pass  # kept whenever the cache is on

    def read_set(self) -> ReadSet | None:
        return None if self._untracked or self._mutations else self._reads

    def _snapshot_version(self) -> int:
        assert self._version is not None, "the snapshot version is only asked for after a read"
        return self._version

    def _take_version(self) -> None:
        """This transaction's version, on its first read: the cache's when fresh enough for the
        request (no connection, no statement), else from the store."""
        if self._version is not None:
            return
        cache = self._kv.cache
        if cache is not None and self._kv.fresh_for(cache, REQUEST_RECEIVED.get()):
            self._version = cache.version
            return
        self._conn()

    def _conn(self) -> sqlite3.Connection:
        """The read connection, this transaction's version taken (and the cache brought to it) on
        first use if not yet; without a cache, a snapshot is pinned at once."""
        reader = self._reader
        if reader is not None:
            return reader.conn
        reader = self._reader = self._kv.acquire_reader()
        cache = self._kv.cache
        if self._version is not None:
            return reader.conn
        if cache is not None:
            self._version = bring_cache(reader, cache)  # one autocommit SELECT, the cache brought there
            return reader.conn

        def pinned() -> int:
            reader.open_snapshot()
            self._pinned = True
            return reader.snapshot_version()

        self._version = _guard(pinned)()
        return reader.conn

    def _store(self) -> sqlite3.Connection:
        """The connection for a read SQLite must answer: a snapshot pinned at this transaction's version."""
        conn = self._conn()
        if self._pinned:
            return conn
        reader = self._reader
        assert reader is not None

        def pin() -> None:
            reader.open_snapshot()
            self._pinned = True
            version = reader.snapshot_version()
            if version == self._version:
                return
            cache = self._kv.cache
            if cache is not None:
                _bring(conn, cache, version)
            if self._hits and (cache is None or self._reads is None or not self._reads.holds(cache)):
                raise Conflict("the store moved on between reads from the cache and from the store; reading again")
            self._version = version  # what was read so far is unchanged at the newer version

        _guard(pin)()
        return conn

    def _cache(self) -> KeyCache | None:
        """The cache if it is exact at this transaction's version (taken, with the cache brought to
        it, by the transaction's first read)."""
        if self._version is None:
            self._take_version()
        cache = self._kv.cache
        return cache if cache is not None and cache.version == self._version else None

    async def _snapshot_get(self, key: bytes) -> tuple[bytes, int] | None:
        cache = self._cache()
        if cache is not None:
            hit = cache.points.get(key, _ABSENT)
            if hit is not _ABSENT:
                self._hits += 1
                if self._reads is not None:
                    self._reads.points.append((key, hit))  # type: ignore[arg-type]
                return hit  # type: ignore[return-value]
        self._misses += 1
        conn = self._store()

        def read() -> tuple[bytes, int] | None:
            row = conn.execute("SELECT value, version FROM kv WHERE key=?", (key,)).fetchone()
            return None if row is None else (bytes(row[0]), int(row[1]))

        found = _guard(read)()
        cache = self._cache()
        if cache is not None:
            cache.put_point(key, found)
            if self._reads is not None:
                self._reads.points.append((key, found))
        else:
            self._untracked = True
        return found

    async def _snapshot_get_many(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, int]]:
        out: dict[bytes, tuple[bytes, int]] = {}
        cache = self._cache()
        wanted = keys
        if cache is not None:
            points = cache.points
            wanted = []
            tracked = self._reads.points if self._reads is not None else None
            for key in keys:
                hit = points.get(key, _ABSENT)
                if hit is _ABSENT:
                    wanted.append(key)
                    continue
                if hit is not None:
                    out[key] = hit  # type: ignore[assignment]
                if tracked is not None:
                    tracked.append((key, hit))  # type: ignore[arg-type]
            self._hits += len(keys) - len(wanted)
            if not wanted:
                return out
        self._misses += len(wanted)
        conn = self._store()

        def read() -> dict[bytes, tuple[bytes, int]]:
            found: dict[bytes, tuple[bytes, int]] = {}
            for i in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[i : i + _IN_CHUNK]
                sql = _IN_SQL.get(len(chunk)) or _in_sql(len(chunk))
                for k, v, ver in conn.execute(sql, chunk):
                    found[bytes(k)] = (bytes(v), int(ver))
            return found

        found = _guard(read)()
        out.update(found)
        cache = self._cache()
        if cache is not None:
            tracked = self._reads.points if self._reads is not None else None
            for key in wanted:
                entry = found.get(key)
                cache.put_point(key, entry)
                if tracked is not None:
                    tracked.append((key, entry))
        else:
            self._untracked = True
        return out

    async def _snapshot_get_list(self, keys: list[bytes]) -> list[tuple[bytes, int] | None]:
        """When the cache answers every key (the usual case), its entries as they are: the same
        hits and tracked reads as `_snapshot_get_many`, without its per-key loop and dict (the
        read set keeps `keys` and the list returned: the caller changes neither)."""
        cache = self._cache()
        if cache is not None:
            hits = list(map(cache.points.get, keys, repeat(_ABSENT)))
            if _ABSENT not in hits:
                self._hits += len(keys)
                if self._reads is not None:
                    self._reads.add_batch(keys, hits)  # type: ignore[arg-type]
                return hits  # type: ignore[return-value]
        got = await self._snapshot_get_many(keys)
        return list(map(got.get, keys))

    async def _snapshot_range(
        self, begin: bytes, end: bytes, limit: int, reverse: bool
    ) -> list[tuple[bytes, bytes, int]]:
        rk = (begin, end, limit, reverse)
        cache = self._cache()
        if cache is not None:
            rows = cache.ranges.get(rk)
            if rows is not None:
                self._hits += 1
                if self._reads is not None:
                    self._reads.ranges.append((rk, rows))
                return rows
        self._misses += 1
        order = "DESC" if reverse else "ASC"
        sql = f"SELECT key, value, version FROM kv WHERE key>=? AND key<? ORDER BY key {order}"
        args: tuple[object, ...] = (begin, end)
        if limit:
            sql += " LIMIT ?"
            args = (begin, end, limit)

        conn = self._store()

        def read() -> list[tuple[bytes, bytes, int]]:
            return [(bytes(k), bytes(v), int(ver)) for k, v, ver in conn.execute(sql, args)]

        rows = _guard(read)()
        cache = self._cache()
        if cache is not None:
            cache.put_range(rk, rows)
            if self._reads is not None:
                self._reads.ranges.append((rk, rows))
        else:
            self._untracked = True
        return rows

    async def _commit(self, commit: Commit) -> None:
        await self._release()  # the snapshot version is taken: hold no connection while waiting
        await self._kv.submit(commit)

    async def _release(self) -> None:
        if self._hits or self._misses:
            cache = self._kv.cache
            if cache is not None:
                cache.hits += self._hits
                cache.misses += self._misses
            if self._hits:
                metrics.inc(_CACHE_HIT, self._hits)
            if self._misses:
                metrics.inc(_CACHE_MISS, self._misses)
            self._hits = self._misses = 0
        if self._reader is not None:
            self._kv.release_reader(self._reader)  # which ends its read transaction
            self._reader = None


_CACHE_HIT = metrics.KV_CACHE.labels("hit")
_CACHE_MISS = metrics.KV_CACHE.labels("miss")
_ABSENT = object()  # not in the cache (None there means: known absent)
_IN_CHUNK = 500  # keys per statement (well under SQLite's bound on parameters)
_IN_SQL: dict[int, str] = {}


def _in_sql(n: int) -> str:
    sql = _IN_SQL[n] = "SELECT key, value, version FROM kv WHERE key IN (" + ",".join("?" * n) + ")"
    return sql


def bring_cache(reader: _Reader, cache: KeyCache) -> int:
    """The latest committed version (the reader holds no snapshot: one autocommit SELECT), with the
    cache brought to it and marked fresh from the moment before the SELECT."""

    def run() -> int:
        asked = time.perf_counter()
        version = reader.snapshot_version()
        _bring(reader.conn, cache, version)
        cache.fresh_at = max(cache.fresh_at, asked)
        return version

    return _guard(run)()


def _bring(conn: sqlite3.Connection, cache: KeyCache, version: int) -> None:
    """Bring the cache to `version` (never back) from the change log's rows up to it (rows up to a
    committed version never change, so any read of them after it committed sees them all)."""
    if version <= cache.version:
        return
    log = None
    if cache.version >= 0 and version - cache.version <= CHANGE_LOG_READ:
        log = conn.execute(
            "SELECT version, keys FROM kv_changes WHERE version > ? AND version <= ? ORDER BY version",
            (cache.version, version),
        ).fetchall()
    cache.advance(version, log)


def _guard(fn: Callable[[], T]) -> Callable[[], T]:
    """Translate sqlite3 errors raised in a worker thread into the KvError tree."""

    def run() -> T:
        try:
            return fn()
        except KvError:
            raise
        except sqlite3.OperationalError as e:
            raise Unavailable(f"sqlite: {e}") from e
        except sqlite3.Error as e:
            raise KvError(f"sqlite: {e}") from e

    return run
