"""PostgreSQL backend of the TxnKv: the large shared store (also CockroachDB / YugabyteDB's protocol).

URL and connection pool: kv/pg_pool.py; the SQL: kv/pg_sql.py. Tables, in the URL's `schema` (created on first start,
their layout versioned in `dorisctl_kv_meta`):

* `dorisctl_kv(key bytea PRIMARY KEY, value bytea, version bigint)`: the data. `version` is the
  commit's number from the sequence `dorisctl_kv_version`, the same for every key one commit
  writes; it changes whenever a key is written, which is all the point checks need.
* `dorisctl_kv_commits(id bytea PRIMARY KEY, state char, at timestamptz)`: commit markers.

Transactions:

* Snapshot reads: the first read opens `REPEATABLE READ READ ONLY` on a pooled connection (one
  round trip with the read); later reads see the same snapshot. The connection is held until the
  transaction ends, and handed back after a ROLLBACK that nobody waits for.
* Commit, in a fresh `SERIALIZABLE` transaction on the same connection: first (only if the
  transaction read anything or adds to counters) one round trip validates the reads, as
  FoundationDB would: every key read still has the version seen (absent keys still absent), and
  every range read holds no more keys than were seen (the point checks cover the seen ones); the
  same round trip reads the counters `atomic_add` changes. A failed check is `Conflict` and
  nothing is written. Then one round trip writes everything (deletes, one multi-row upsert,
  the commit marker) and COMMITs. A serialization failure (another commit touched what this one
  checked or wrote) is retried in place a few times, re-validating against the newer state, so
  counters never conflict with each other; after that it is `Conflict` (retryable).
* No starvation: PostgreSQL's predicate locks coarsen (to a whole table) when a transaction reads
  many keys, and a big commit (a load into 100 tablets) then fails against any concurrent write,
  again and again. So every commit holds the writers' advisory lock in shared mode, and a commit
  that met EXCLUSIVE_AFTER serialization failures retries holding it exclusively: it then runs
  with no concurrent writer and can only fail on a real conflict.
* Hot counters (a table's version, which every load into the table adds to): before its
  transaction starts, a commit that adds takes a session advisory lock per counter (sorted, so no
  deadlock) and releases them after COMMIT, in the same round trips. Adders of one counter thus
  take turns, each seeing the previous one's value, instead of failing each other's serializable
  transactions and retrying. (PostgreSQL only; elsewhere the in-place retries cover it.)
* Lost reply: the write round trip inserts a fresh marker `id -> 'c'`. If the connection fails
  while COMMIT may have been sent, another connection inserts the tombstone `id -> 'a'` unless
  the marker exists (the primary key orders the two: an in-flight original is waited for, and a
  late original fails on the tombstone). Marker 'c' -> committed; tombstone inserted -> the
  commit can never apply -> `Unavailable` (retryable, nothing written); no answer within
  `resolve_timeout` -> `MaybeCommitted`. Markers older than MARKER_TTL are deleted in the
  background.
* Failures: a network failure, a round trip slower than `timeout`, or a database that is starting
  up or shutting down is `Unavailable` at once (the runner retries; requests fail fast with
  Doris's retryable code while the database is away, and succeed again when it is back).

Limits are SQLite's (FoundationDB's): key 10,000 bytes, value 100,000 bytes, transaction
10,000,000 bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pgerr

from dorisctl.kv.base import Commit, Limits, Txn, TxnKv, _wrap_add
from dorisctl.kv.errors import Conflict, KvError, MaybeCommitted, StoreOpenError, Unavailable
from dorisctl.kv.etcd import merge_ranges, plan_mutations
from dorisctl.kv.pg_pool import Conn, PgPool, describe_connect_error, parse_pg_url
from dorisctl.kv.pg_sql import (
    BEGIN_COMMIT,
    BEGIN_SNAPSHOT,
    COMMIT_LOCK_ID,
    LOCK_COMMITS_EXCLUSIVE,
    LOCK_COMMITS_SHARED,
    LOCK_COUNTERS,
    UNLOCK_ALL,
    PgSql,
)

T = TypeVar("T")


class _QuietAbortedPipelines(logging.Filter):
    """psycopg warns "error ignored terminating ... pipeline aborted" whenever a pipeline ends in
    an error we handle ourselves (a serialization failure): not worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


logging.getLogger("psycopg").addFilter(_QuietAbortedPipelines())

POSTGRES_LIMITS = Limits(max_key_bytes=10_000, max_value_bytes=100_000, max_txn_bytes=10_000_000)
SCHEMA_VERSION = 1
COMMIT_RETRIES = 8  # in-place attempts of a commit that hit a serialization failure
EXCLUSIVE_AFTER = 2  # serialization failures before a commit runs alone
LOCK_WAIT_TIMEOUTS = 4  # a commit waits up to this many `timeout`s for other adders of its counters
MARKER_TTL = 600.0  # seconds a commit marker is kept (>> resolve_timeout)
MARKER_GC_INTERVAL = 60.0
COMMITTED = b"c"
ABORTED = b"a"
_UNAVAILABLE_STATES = ("08", "53", "57")  # connection exceptions, resources, operator intervention
_CONFLICT_STATES = ("40001", "40P01")  # serialization failure, deadlock
AMBIGUOUS = "40003"  # statement completion unknown (CockroachDB's "result is ambiguous")


def classify(e: BaseException, what: str) -> KvError:
    """A psycopg failure (or a timeout) as the KvError tree sees it."""
    if isinstance(e, KvError):
        return e
    if isinstance(e, TimeoutError | asyncio.TimeoutError):
        return Unavailable(f"postgresql: {what}: no answer in time")
    state = getattr(e, "sqlstate", None) or ""
    text = " ".join(str(e).split())[:300]
    if state in _CONFLICT_STATES:
        return Conflict(f"postgresql: {what}: {text}")
    if isinstance(e, psycopg.OperationalError | OSError) or state[:2] in _UNAVAILABLE_STATES:
        return Unavailable(f"postgresql: {what}: {text}")
    return KvError(f"postgresql: {what}: {text}")


def _connection_lost(e: BaseException) -> bool:
    """The failure may have left the connection unusable (so drop it and the idle ones)."""
    if isinstance(e, TimeoutError | asyncio.TimeoutError | asyncio.CancelledError):
        return True
    state = getattr(e, "sqlstate", None) or ""
    return not state or state[:2] in _UNAVAILABLE_STATES


class PostgresKv(TxnKv):
    limits = POSTGRES_LIMITS

    def __init__(self, url: str) -> None:
        self.target = parse_pg_url(url)
        self.pool = PgPool(self.target)
        self.sql = PgSql(self.target.schema)
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._background: set[asyncio.Task[None]] = set()
        self._last_gc = 0.0
        self._closed = False
        self.timeout = self.target.timeout
        self.advisory_locks = True  # off when the server has none (found out by open())
        self.resolve_timeout = self.target.resolve_timeout
        # rare events, for tests and benchmarks: "retried_serialization", "resolved_committed",
        # "resolved_not_committed", "maybe_committed"
        self.stats: dict[str, int] = {}

    @property
    def url(self) -> str:
        return self.target.redacted

    def count(self, event: str) -> None:
        self.stats[event] = self.stats.get(event, 0) + 1

    async def open(self) -> None:
        """Connect and create (or check) the schema; StoreOpenError says in one line why not."""
        if self._ready:
            return
        async with self._ready_lock:
            if self._ready:
                return
            try:
                conn = await self.pool.connect()
            except (psycopg.Error, TimeoutError, OSError) as e:
                raise StoreOpenError(describe_connect_error(self.target, e)) from None
            try:
                await asyncio.wait_for(self._prepare_schema(conn), max(30.0, self.timeout))
            except StoreOpenError:
                raise
            except (psycopg.Error, TimeoutError) as e:
                raise StoreOpenError(
                    f"cannot prepare the store's tables in schema {self.target.schema!r} of "
                    f"{self.target.where()}: {' '.join(str(e).split())[:300]}"
                ) from None
            finally:
                await conn.close()
            self._ready = True

    async def _prepare_schema(self, conn: Conn) -> None:
        # Several processes may start at once: one creates, the others wait on the same lock
        # (where the server has no advisory locks, IF NOT EXISTS and one retry cover the race).
        try:
            await self._create_schema(conn, lock=True)
        except (pgerr.UndefinedFunction, pgerr.FeatureNotSupported):
            await self._create_schema(conn, lock=False)
        except pgerr.UniqueViolation:
            await self._create_schema(conn, lock=False)
        try:
            await conn.execute(UNLOCK_ALL)
        except psycopg.Error:  # CockroachDB: counters rely on in-place retries
            self.advisory_locks = False
        row = await (await conn.execute(self.sql.schema_version)).fetchone()
        found = int(row[0]) if row else 0
        if found != SCHEMA_VERSION:
            raise StoreOpenError(
                f"the store in schema {self.target.schema!r} of {self.target.where()} has layout version "
                f"{found}; this dorisctl reads version {SCHEMA_VERSION} (upgrade dorisctl)"
            )

    async def _create_schema(self, conn: Conn, *, lock: bool) -> None:
        async with conn.transaction():
            if lock:
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (0x646F726973,))
            for stmt in self.sql.schema:
                await conn.execute(stmt)
            await conn.execute(self.sql.set_schema_version, (SCHEMA_VERSION,))

    async def begin(self) -> Txn:
        if self._closed:
            raise Unavailable("store is closed")
        if not self._ready:
            try:
                await self.open()
            except StoreOpenError as e:
                raise Unavailable(str(e)) from None
        return PostgresTxn(self)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.pool.close()

    # -- helpers for transactions ----------------------------------------------------------------

    async def round_trip(
        self, conn: Conn, fn: Callable[[Conn], Awaitable[T]], what: str, *, timeout: float | None = None
    ) -> T:
        """Run fn on conn within the timeout; failures become KvErrors (the connection is dropped
        if it may be unusable, raising with the original error attached as __cause__)."""
        try:
            return await asyncio.wait_for(fn(conn), timeout or self.timeout)
        except (psycopg.Error, TimeoutError, OSError) as e:
            if _connection_lost(e):
                self.pool.discard(conn)
                self.pool.drop_idle()
                raise _Lost(classify(e, what)) from e
            raise classify(e, what) from e

    def release_after_rollback(self, conn: Conn) -> None:
        """End whatever transaction conn holds and return it to the pool, without waiting."""

        async def rollback() -> None:
            try:
                async with asyncio.timeout(self.timeout):
                    await conn.execute(b"ROLLBACK")
                    await conn.execute(UNLOCK_ALL)
            except BaseException:
                self.pool.discard(conn)
                return
            self.pool.release(conn)

        self.spawn(rollback())

    def spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def maybe_collect_markers(self) -> None:
        now = time.monotonic()
        if now - self._last_gc < MARKER_GC_INTERVAL or self._closed:
            return
        self._last_gc = now

        async def collect() -> None:
            with contextlib.suppress(Exception):
                conn = await self.pool.acquire()
                try:
                    await asyncio.wait_for(conn.execute(self.sql.marker_gc, (MARKER_TTL,)), self.timeout)
                except BaseException:
                    self.pool.discard(conn)
                    return
                self.pool.release(conn)

        self.spawn(collect())


class _Lost(KvError):
    """A round trip failed and its connection was dropped (wraps the error to raise)."""

    def __init__(self, error: KvError) -> None:
        super().__init__(str(error))
        self.error = error


class PostgresTxn(Txn):
    def __init__(self, kv: PostgresKv) -> None:
        super().__init__(kv.limits)
        self._kv = kv
        self._conn: Conn | None = None
        self._in_snapshot = False

    def _snapshot_version(self) -> int:
        return 0  # checks compare per-key versions and range counts, not a global version

    async def _read(self, stmt: Any, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        kv = self._kv
        if self._conn is None:
            self._conn = await kv.pool.acquire()
        first = not self._in_snapshot

        async def run(conn: Conn) -> list[tuple[Any, ...]]:
            cur = conn.cursor(binary=True)
            if first:
                async with conn.pipeline():
                    await conn.execute(BEGIN_SNAPSHOT)
                    await cur.execute(stmt, params)
            else:
                await cur.execute(stmt, params)
            return await cur.fetchall()

        try:
            rows = await kv.round_trip(self._conn, run, "read")
        except _Lost as e:
            self._conn = None
            raise e.error from e.__cause__
        self._in_snapshot = True
        return rows

    async def _snapshot_get(self, key: bytes) -> tuple[bytes, int] | None:
        rows = await self._read(self._kv.sql.get, (key,))
        return None if not rows else (bytes(rows[0][0]), int(rows[0][1]))

    async def _snapshot_get_many(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, int]]:
        """One round trip for many keys (a batch get_version of 100 partitions)."""
        rows = await self._read(self._kv.sql.get_many, (keys,))
        return {bytes(k): (bytes(v), int(ver)) for k, v, ver in rows}

    async def _snapshot_range(
        self, begin: bytes, end: bytes, limit: int, reverse: bool
    ) -> list[tuple[bytes, bytes, int]]:
        s = self._kv.sql
        if limit:
            rows = await self._read(s.range_desc_limit if reverse else s.range_asc_limit, (begin, end, limit))
        else:
            rows = await self._read(s.range_desc if reverse else s.range_asc, (begin, end))
        return [(bytes(k), bytes(v), int(ver)) for k, v, ver in rows]

    async def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._in_snapshot:
            self._kv.release_after_rollback(conn)
        else:
            self._kv.pool.release(conn)
        self._in_snapshot = False

    # -- commit ---------------------------------------------------------------------------------

    async def _commit(self, commit: Commit) -> None:
        kv = self._kv
        plan = plan_mutations(commit.mutations)
        point_keys = list(commit.point_checks)
        point_seen = [commit.point_checks[k] for k in point_keys]
        present = sorted(k for k, v in commit.point_checks.items() if v is not None)
        ranges = merge_ranges(commit.range_checks)
        range_counts = [_count_in(present, b, e) for b, e in ranges]
        add_keys = sorted(plan.adds)
        checks = (
            point_keys,
            point_seen,
            [b for b, _ in ranges],
            [e for _, e in ranges],
            range_counts,
        )
        has_checks = bool(point_keys or ranges)
        marker = uuid.uuid4().bytes
        for attempt in range(1, COMMIT_RETRIES + 1):
            try:
                exclusive = kv.advisory_locks and attempt > EXCLUSIVE_AFTER
                await self._attempt(plan, checks, has_checks, add_keys, marker, exclusive)
                kv.maybe_collect_markers()
                return
            except _Retry:
                kv.count("retried_serialization")
                await asyncio.sleep(random.uniform(0, min(0.001 * 2**attempt, 0.05)))
        raise Conflict(f"postgresql: the commit met concurrent commits {COMMIT_RETRIES} times (serialization failures)")

    async def _attempt(
        self,
        plan: Any,
        checks: tuple[list[Any], ...],
        has_checks: bool,
        add_keys: list[bytes],
        marker: bytes,
        exclusive: bool,
    ) -> None:
        kv = self._kv
        s = kv.sql
        if self._conn is None:
            self._conn = await kv.pool.acquire()
        end_snapshot = self._in_snapshot
        self._in_snapshot = False
        counters: dict[bytes, bytes] = {}

        inline_lock = kv.advisory_locks and not add_keys and not exclusive  # rarely waits: no own round trip
        if kv.advisory_locks and not inline_lock:
            # Before the commit's transaction (whose snapshot must come after the locks), in one of
            # its own; session locks outlive it. Waiting for other adders or for a commit running
            # alone is not the database being away, so it may take longer than one round trip.
            async def lock(conn: Conn) -> None:
                async with conn.pipeline():
                    if end_snapshot:
                        await conn.execute(b"ROLLBACK")
                    await conn.execute(b"BEGIN")
                    await conn.execute(LOCK_COMMITS_EXCLUSIVE if exclusive else LOCK_COMMITS_SHARED, (COMMIT_LOCK_ID,))
                    if add_keys:
                        await conn.execute(LOCK_COUNTERS, (sorted({_lock_id(k) for k in add_keys}),))
                    await conn.execute(b"COMMIT")

            await self._step(lock, "lock counters", timeout=LOCK_WAIT_TIMEOUTS * kv.timeout)
            end_snapshot = False

        async def check(conn: Conn) -> bool:
            cur = conn.cursor(binary=True)
            read = conn.cursor(binary=True)
            async with conn.pipeline():
                if end_snapshot:
                    await conn.execute(b"ROLLBACK")
                if inline_lock:
                    await _lock_shared(conn)
                await conn.execute(BEGIN_COMMIT)
                if has_checks:
                    await cur.execute(s.validate, checks)
                if add_keys:
                    await read.execute(s.read_counters, (add_keys,))
            if add_keys:
                counters.update((bytes(k), bytes(v)) for k, v in await read.fetchall())
            if has_checks:
                row = await cur.fetchone()
                return bool(row and row[0])
            return False

        in_txn = False
        if has_checks or add_keys:
            conflicted = await self._step(check, "validate")
            in_txn = True
            if conflicted:
                await self._abort()
                raise Conflict("a key or range read by the transaction was changed by another commit")
        puts = dict(plan.puts)
        for k in add_keys:
            puts[k] = _wrap_add(counters.get(k), plan.adds[k])
        single_keys = [k for k, e in plan.deletes if e is None]
        ranges = [(k, e) for k, e in plan.deletes if e is not None]

        async def write(conn: Conn) -> None:
            async with conn.pipeline():
                if not in_txn:
                    if end_snapshot:
                        await conn.execute(b"ROLLBACK")
                    if inline_lock:
                        await _lock_shared(conn)
                    await conn.execute(BEGIN_COMMIT)
                if single_keys:
                    await conn.execute(s.delete_keys, (single_keys,))
                for b, e in ranges:
                    await conn.execute(s.delete_range, (b, e))
                if puts:
                    await conn.execute(s.upsert, (list(puts), list(puts.values())))
                await conn.execute(s.marker, (marker, COMMITTED))
                await conn.execute(b"COMMIT")
                if kv.advisory_locks:
                    await conn.execute(UNLOCK_ALL)

        try:
            await self._step(write, "commit")
        except _Unknown as e:
            await self._resolve(marker, e.error)

    async def _step(self, fn: Callable[[Conn], Awaitable[T]], what: str, *, timeout: float | None = None) -> T:
        """One round trip of the commit: serialization failures -> _Retry (after ROLLBACK); a lost
        connection or an ambiguous result during the write step -> _Unknown; other failures -> their
        KvError."""
        conn = self._conn
        assert conn is not None
        try:
            return await self._kv.round_trip(conn, fn, what, timeout=timeout)
        except _Lost as e:
            self._conn = None
            if what == "commit":
                raise _Unknown(e.error) from e.__cause__
            raise e.error from e.__cause__
        except KvError as e:
            if what == "commit" and getattr(e.__cause__, "sqlstate", None) == AMBIGUOUS:
                await self._abort()
                raise _Unknown(e) from e.__cause__
            if isinstance(e, Conflict):
                await self._abort()
                raise _Retry() from e
            await self._abort()
            raise

    async def _abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._kv.release_after_rollback(conn)

    async def _resolve(self, marker: bytes, error: KvError) -> None:
        """The write round trip failed with the connection: did the commit apply?"""
        kv = self._kv
        deadline = time.monotonic() + kv.resolve_timeout
        while True:
            try:
                conn = await kv.pool.acquire()
            except Unavailable:
                conn = None
            if conn is not None:

                async def settle(c: Conn) -> bytes | None:
                    cur = await c.execute(kv.sql.tombstone, (marker, ABORTED))
                    if cur.rowcount == 1:
                        return ABORTED
                    row = await (await c.execute(kv.sql.marker_state, (marker,))).fetchone()
                    return bytes(row[0]) if row else None

                try:
                    state = await kv.round_trip(conn, settle, "resolve")
                except _Lost:
                    state = None  # the connection was dropped already
                except KvError:
                    state = None
                    kv.pool.discard(conn)
                else:
                    kv.pool.release(conn)
                if state == COMMITTED:
                    kv.count("resolved_committed")
                    return
                if state == ABORTED:
                    kv.count("resolved_not_committed")
                    raise Unavailable(f"{error}; checked: the commit was not applied")
            if time.monotonic() + 0.2 > deadline:
                break
            await asyncio.sleep(0.2)
        kv.count("maybe_committed")
        raise MaybeCommitted(f"{error}; could not find out whether the commit applied")


class _Retry(Exception):
    """A serialization failure: run the commit again (it re-validates)."""


class _Unknown(Exception):
    def __init__(self, error: KvError) -> None:
        super().__init__(str(error))
        self.error = error


async def _lock_shared(conn: Conn) -> None:
    """Take the writers' lock in shared mode, in a transaction of its own (pipelined)."""
    await conn.execute(b"BEGIN")
    await conn.execute(LOCK_COMMITS_SHARED, (COMMIT_LOCK_ID,))
    await conn.execute(b"COMMIT")


# Counter keys share COUNTER_LOCK_SLOTS advisory locks: a commit adding to 60,000 counters (a load
# over 10,000 tablets) would otherwise take 60,000 locks, past PostgreSQL's shared lock table
# (max_locks_per_transaction x max_connections: "out of shared memory"). Collisions only serialize more.
COUNTER_LOCK_SLOTS = 1024
_COUNTER_LOCK_BASE = 0x646F726973000000  # "doris" << 24: far from COMMIT_LOCK_ID and the schema lock


def _lock_id(key: bytes) -> int:
    """The advisory lock id of a counter key: one of COUNTER_LOCK_SLOTS, by a hash of the key."""
    digest = hashlib.blake2b(key, digest_size=8, person=b"dorisctl").digest()
    return _COUNTER_LOCK_BASE + int.from_bytes(digest, "big") % COUNTER_LOCK_SLOTS


def _count_in(sorted_keys: list[bytes], begin: bytes, end: bytes) -> int:
    import bisect

    return bisect.bisect_left(sorted_keys, end) - bisect.bisect_left(sorted_keys, begin)


__all__ = ["POSTGRES_LIMITS", "PostgresKv", "PostgresTxn"]
