"""Run a function in a transaction: begin, call, commit, retry on conflict with backoff.

Like Doris's retry on KV_TXN_CONFLICT: a bounded number of attempts with jittered exponential
backoff. `Conflict` and `Unavailable` mean nothing was written, so the whole function is re-run on
a fresh snapshot. `MaybeCommitted` is never retried here: the backend either resolves the outcome
itself (etcd checks before it reports) or the caller gets the error.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from dorisctl.kv.base import Txn, TxnKv
from dorisctl.kv.errors import KvError

T = TypeVar("T")

DEFAULT_ATTEMPTS = 10


async def run_txn(
    kv: TxnKv,
    fn: Callable[[Txn], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    base_delay: float = 0.002,
    max_delay: float = 0.2,
) -> T:
    """Return fn(txn) once its transaction committed; re-run it on retryable KV errors."""
    delay = base_delay
    for attempt in range(1, attempts + 1):
        txn = await kv.begin()
        try:
            result = await fn(txn)
            await txn.commit()
            return result
        except KvError as e:
            if not e.retryable or attempt == attempts:
                raise
        finally:
            await txn.discard()
        await asyncio.sleep(random.uniform(0, delay))
        delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")  # pragma: no cover
