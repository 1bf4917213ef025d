"""Run a function in a transaction: begin, call, commit, retry on conflict with backoff.

Like Doris's retry on KV_TXN_CONFLICT: a bounded number of attempts with jittered exponential
backoff. `Conflict` and `Unavailable` mean nothing was written, so the whole function is re-run on
a fresh snapshot.

`MaybeCommitted` (the commit's reply was lost) is resolved with an idempotency key, as
FoundationDB advises: on a store that can lose commit replies (`TxnKv.commit_outcome_always_known`
is False: etcd, the fault-injecting wrapper), every writing attempt also writes a key of its own,
`IDEMPOTENCY_PREFIX + <ms timestamp> + <random id>`, holding the attempt's number, in the same
transaction. After a `MaybeCommitted`, the next attempt first reads that key in its own
transaction: present means an earlier attempt landed, so the runner returns that attempt's result
without running the function again (a counter never steps twice); absent means none landed yet,
and because the attempt read the key and writes it, an earlier attempt that lands late makes
this one conflict, and the attempt after it finds the key. If the attempts run out while an
outcome is still unknown, the caller gets `MaybeCommitted`.

Idempotency keys are only needed for the few seconds a run lasts; writing transactions clear
those older than `IDEMPOTENCY_TTL` with one blind range removal (no read, so no conflicts), at
most once per `GC_INTERVAL` per store object. Stores that never lose a commit reply (SQLite:
commit is local) write none.
"""

from __future__ import annotations

import asyncio
import random
import struct
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from dorisctl import metrics
from dorisctl.kv.base import REQUEST_RECEIVED, Txn, TxnKv
from dorisctl.kv.errors import KvError, MaybeCommitted

T = TypeVar("T")

DEFAULT_ATTEMPTS = 10
IDEMPOTENCY_PREFIX = b"\xff/dorisctl/idempotency/"
IDEMPOTENCY_TTL = 300.0  # seconds; far longer than any run of run_txn (attempts x timeouts)
GC_INTERVAL = 10.0

_BE64 = struct.Struct(">Q")
_COMMIT = metrics.KV_COMMIT_SECONDS
_ATTEMPT = metrics.KV_TXN_SECONDS
_last_gc: weakref.WeakKeyDictionary[TxnKv, float] = weakref.WeakKeyDictionary()


def idempotency_key(now: float | None = None) -> bytes:
    """A fresh idempotency key; its timestamp lets old keys be cleared with one range removal."""
    ms = int((time.time() if now is None else now) * 1000)
    return IDEMPOTENCY_PREFIX + _BE64.pack(ms) + uuid.uuid4().bytes


def expired_range(now: float | None = None) -> tuple[bytes, bytes]:
    """[begin, end) of the idempotency keys older than IDEMPOTENCY_TTL."""
    ms = int(((time.time() if now is None else now) - IDEMPOTENCY_TTL) * 1000)
    return IDEMPOTENCY_PREFIX, IDEMPOTENCY_PREFIX + _BE64.pack(max(ms, 0))


def _collect_garbage(kv: TxnKv, txn: Txn) -> None:
    now = time.monotonic()
    last = _last_gc.get(kv)
    if last is not None and now - last < GC_INTERVAL:
        return
    _last_gc[kv] = now
    txn.remove_range(*expired_range())


async def run_txn(
    kv: TxnKv,
    fn: Callable[[Txn], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    base_delay: float = 0.002,
    max_delay: float = 0.2,
) -> T:
    """Return fn(txn) once its transaction committed (exactly once); re-run it on retryable errors."""
    key = None if kv.commit_outcome_always_known else idempotency_key()
    results: dict[int, T] = {}  # attempt number -> its result, for attempts that wrote the key
    unknown = False  # an attempt that wrote the key ended in MaybeCommitted
    delay = base_delay
    for attempt in range(1, attempts + 1):
        txn: Txn | None = None
        wrote_key = False
        committing = False
        started = time.perf_counter()
        try:
            txn = await kv.begin()
            if unknown and key is not None:
                landed = await txn.get(key)
                if landed is not None:
                    return results[_BE64.unpack(landed)[0]]
            result = await fn(txn)
            if key is not None and txn.written_bytes:
                txn.put(key, _BE64.pack(attempt))
                _collect_garbage(kv, txn)
                results[attempt] = result
                wrote_key = True
            committing = True
            commit_started = time.perf_counter()
            await txn.commit()
            now = time.perf_counter()
            if txn.written_bytes:  # a read-only transaction has nothing to commit: no commit latency
                metrics.observe(_COMMIT, now - commit_started)
            metrics.observe(_ATTEMPT, now - started)
            return result
        except MaybeCommitted:
            if not committing:
                raise  # fn's own nested transaction lost a reply: its outcome is not ours to guess
            read_only = txn is not None and not txn.written_bytes
            if not (wrote_key or read_only) or (attempt == attempts and not unknown):
                raise  # a write without an idempotency key: its outcome cannot be found out
            if attempt == attempts:
                raise MaybeCommitted(f"the outcome of a commit is still unknown after {attempts} attempts") from None
            unknown = unknown or wrote_key
        except KvError as e:
            metrics.inc(metrics.KV_RETRIES.labels(type(e).__name__))
            if unknown and (not e.retryable or attempt == attempts):
                raise MaybeCommitted(
                    f"the outcome of an earlier attempt is still unknown after {attempt} attempts: {e}"
                ) from e
            if not e.retryable or attempt == attempts:
                raise
        finally:
            if txn is not None:
                await txn.discard()
        if REQUEST_RECEIVED.get() is not None:
            # the next attempt must see what made this one fail: only versions read from now on do
            REQUEST_RECEIVED.set(time.perf_counter())
        await asyncio.sleep(random.uniform(0, delay))
        delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")  # pragma: no cover
