"""Store-transaction budgets: whether a piece of work fits in one store transaction, and running a
list of items in as few sub-transactions as the store's advertised limits allow.

The store says what one transaction may hold (`kv.Limits`: buffered writes, keys read, bytes;
0 = unlimited). SQLite's limits are generous (10 MB, no write or read count), etcd's are its
server's (128 operations and compares, 1.5 MiB a request). Operations that can grow past them
(create_tablets of a wide partition, commit_txn of a large load: ops/lazy_commit.py) ask `fits`
before taking their one-transaction path, and otherwise split with `run_batched`.

A sub-transaction keeps `RESERVE` free for what the runner adds (an idempotency key and the
clearing of old ones, kv/runner.py) and what an estimate can miss.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from dorisctl.kv import Limits, Txn, TxnKv, run_txn
from dorisctl.kv.errors import TooLarge

T = TypeVar("T")


@dataclass(frozen=True)
class Cost:
    """What some work buffers in one store transaction, in the units of `kv.Limits`."""

    writes: int = 0
    reads: int = 0
    bytes: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.writes + other.writes, self.reads + other.reads, self.bytes + other.bytes)

    def __mul__(self, n: int) -> Cost:
        return Cost(self.writes * n, self.reads * n, self.bytes * n)


RESERVE = Cost(writes=8, reads=8, bytes=16 * 1024)


def budget(limits: Limits) -> Cost:
    """What one sub-transaction may use (0 = unlimited), after the reserve."""
    return Cost(
        writes=max(1, limits.max_mutations - RESERVE.writes) if limits.max_mutations else 0,
        reads=max(1, limits.max_reads - RESERVE.reads) if limits.max_reads else 0,
        bytes=max(1, limits.max_txn_bytes - RESERVE.bytes),
    )


def fits(limits: Limits, cost: Cost) -> bool:
    """True when work of this cost fits in one store transaction."""
    room = budget(limits)
    return (
        (not room.writes or cost.writes <= room.writes)
        and (not room.reads or cost.reads <= room.reads)
        and cost.bytes <= room.bytes
    )


def items_per_txn(limits: Limits, per_item: Cost) -> int:
    """How many items of this cost (each at least 1 write) one sub-transaction takes."""
    room = budget(limits)
    counts = [room.bytes // max(per_item.bytes, 1)]
    if room.writes:
        counts.append(room.writes // max(per_item.writes, 1))
    if room.reads and per_item.reads:
        counts.append(room.reads // per_item.reads)
    return max(1, min(counts))


def txn_cost(txn: Txn) -> Cost:
    writes, reads, size = txn.footprint
    return Cost(writes, reads, size)


async def _run_chunk(kv: TxnKv, chunk: Sequence[T], step: Callable[[Txn, Sequence[T]], Awaitable[None]]) -> Cost:
    cost: list[Cost] = []

    async def body(txn: Txn) -> None:
        cost.clear()
        await step(txn, chunk)
        cost.append(txn_cost(txn))

    await run_txn(kv, body)
    return cost[0] if cost else Cost()


async def run_batched(
    kv: TxnKv,
    items: Sequence[T],
    step: Callable[[Txn, Sequence[T]], Awaitable[None]],
    *,
    after_commit: Callable[[], None] | None = None,
    parallel: int = 16,
) -> int:
    """Run `step(txn, chunk)` over chunks of items, each chunk in its own committed store
    transaction (retried on conflicts by the runner); returns the number of transactions.

    The chunk size is measured, not guessed: the first transaction takes one item and its cost
    (plus a tenth, a quarter for bytes, as later items may cost more) sets the size of the others,
    which run up to `parallel` at a time (they must touch disjoint keys). A chunk the store still
    refuses as too large is halved and run again (nothing of it was written). `step` must be
    idempotent per item: a chunk can run again after a lost reply or a crash. `after_commit` is
    called after each committed transaction. The first error stops the rest.
    """
    if not items:
        return 0
    first = await _run_chunk(kv, items[:1], step)
    if after_commit is not None:
        after_commit()
    padded = Cost(
        writes=max(1, -(-first.writes * 11 // 10)),
        reads=-(-first.reads * 11 // 10),
        bytes=max(1, -(-first.bytes * 5 // 4)),
    )
    size = items_per_txn(kv.limits, padded)
    rest = items[1:]
    gate = asyncio.Semaphore(max(1, parallel))

    async def run(chunk: Sequence[T]) -> int:
        try:
            async with gate:
                await _run_chunk(kv, chunk, step)
        except TooLarge:
            if len(chunk) == 1:
                raise
            half = len(chunk) // 2
            return await run(chunk[:half]) + await run(chunk[half:])
        if after_commit is not None:
            after_commit()
        return 1

    tasks = [asyncio.ensure_future(run(rest[i : i + size])) for i in range(0, len(rest), size)]
    try:
        await asyncio.gather(*tasks)  # the first error is raised as it is (no exception group)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return 1 + sum(t.result() for t in tasks)
