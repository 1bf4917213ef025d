"""Batches of recycler records: read a page at a time (`pages`), run in transactions that fit the
store (`Chunked`).

A recycler step handles records in batches (config.GC_BATCH), each record costing a few reads and
writes. One transaction for a whole batch can exceed the store's limits (etcd: `--max-txn-ops`,
default 128 operations; every store: a byte limit), and the store then raises `TooLarge`, which
run_txn does not retry. `Chunked.run` runs the batch's records in chunks instead: it starts with
the whole batch (or the chunk size an earlier batch of the same step settled on), and when a
chunk's transaction is too large it halves the chunk and tries again, down to a single record; a
single record that still does not fit is a real error and raises `TooLarge` naming it.

Exactly once: `TooLarge` is raised before anything is written, so a chunk commits whole (through
run_txn, which retries conflicts) or not at all, and a split chunk's records are handled by the
halves' transactions only. The per-chunk function re-reads and re-checks each record inside its
transaction, so a record changed meanwhile is handled as it is now.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.kv.errors import TooLarge

T = TypeVar("T")

ChunkFn = Callable[[Txn, Sequence[T]], Awaitable[int]]


class Chunked(Generic[T]):
    """One recycler step's chunked transactions; remembers the chunk size that fits across batches."""

    def __init__(self, kv: TxnKv, what: str) -> None:
        self.kv = kv
        self.what = what  # names the step in a single record's TooLarge message
        self.size = 0  # chunk size to use: half the last chunk found too large; 0: the whole batch
        self.transactions = 0  # committed chunk transactions (what a test or a log can check)
        self.splits = 0  # chunks halved after TooLarge

    async def run(self, items: Sequence[T], fn: ChunkFn[T], counted: Callable[[int], None] | None = None) -> int:
        """Run fn(txn, chunk) over consecutive chunks of items, each in its own transaction, and
        return the sum of what the committed chunks returned (each chunk's count of records done).
        `counted` gets each committed chunk's count as it commits, so a step that fails part-way
        still reports what its committed chunks did."""
        done = 0
        i = 0
        while i < len(items):
            size = len(items) - i if self.size == 0 else min(self.size, len(items) - i)
            chunk = items[i : i + size]

            async def one(txn: Txn, chunk: Sequence[T] = chunk) -> int:
                return await fn(txn, chunk)

            try:
                n = await run_txn(self.kv, one)
            except TooLarge as e:
                if e.what != "txn":  # a key or value over the limit: no smaller chunk helps
                    raise TooLarge(f"{self.what}: {e}", what=e.what) from e
                if size == 1:
                    raise TooLarge(f"{self.what}: one record does not fit in a transaction: {e}", what=e.what) from e
                self.size = size // 2
                self.splits += 1
                continue
            self.transactions += 1
            done += n
            if counted is not None:
                counted(n)
            i += size
        return done


async def pages(kv: TxnKv, begin: bytes, end: bytes, size: int) -> AsyncIterator[list[tuple[bytes, bytes]]]:
    """The rows of [begin, end) in key order, `size` at a time, each page read in its own
    transaction (a step may change the rows of one page before the next is read)."""
    lo = begin
    while True:

        async def page(txn: Txn, lo: bytes = lo) -> list[tuple[bytes, bytes]]:
            return list(await txn.get_range(lo, end, limit=size))

        batch = await run_txn(kv, page)
        if not batch:
            return
        lo = batch[-1][0] + b"\x00"
        yield batch
