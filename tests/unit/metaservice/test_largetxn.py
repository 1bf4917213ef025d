"""ops/largetxn.py: budgets from a store's limits, and run_batched over a real SQLite store told
small limits (so the splitting shows without a large data set)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from dorisctl.kv import Limits, TooLarge, Txn, open_store, run_txn
from dorisctl.metaservice.ops import largetxn
from dorisctl.metaservice.ops.largetxn import Cost

SMALL = Limits(max_key_bytes=1000, max_value_bytes=1000, max_txn_bytes=1_000_000, max_mutations=40, max_reads=40)


def test_fits_and_items_per_txn_follow_the_limits() -> None:
    unlimited = Limits(max_key_bytes=10_000, max_value_bytes=100_000, max_txn_bytes=10_000_000)
    assert largetxn.fits(unlimited, Cost(writes=70_000, reads=90_000, bytes=5_000_000))
    assert not largetxn.fits(unlimited, Cost(bytes=10_000_000))
    assert largetxn.fits(SMALL, Cost(writes=32, reads=32, bytes=100))
    assert not largetxn.fits(SMALL, Cost(writes=33))
    assert not largetxn.fits(SMALL, Cost(reads=33))
    assert largetxn.items_per_txn(SMALL, Cost(writes=4, reads=1, bytes=10)) == 8
    assert largetxn.items_per_txn(SMALL, Cost(writes=1, reads=0, bytes=10)) == 32
    assert largetxn.items_per_txn(SMALL, Cost(writes=100)) == 1  # never less than one


async def test_run_batched_splits_by_measured_cost_and_halves_when_refused(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    kv.limits = SMALL
    try:
        done: list[int] = []

        async def step(txn: Txn, chunk: Sequence[int]) -> None:
            for i in chunk:
                # item 0 writes 1 key, the others 4: the size measured on item 0 (16 a chunk) is
                # refused by the store (64 writes > 40) and halved (8 x 4 = 32)
                for j in range(1 if i == 0 else 4):
                    txn.put(b"k%05d.%d" % (i, j), b"v")
            done.append(len(chunk))  # not reached by a refused chunk (TooLarge as it buffers)

        committed: list[int] = []
        n = await largetxn.run_batched(kv, list(range(100)), step, after_commit=lambda: committed.append(1))
        assert n == len(committed) == len(done)
        assert done[0] == 1 and set(done[1:]) <= {8, 3} and sum(done) == 100

        async def count(txn: Txn) -> int:
            return len(await txn.get_range(b"k", b"l"))

        assert await run_txn(kv, count) == 1 + 99 * 4  # every item written, once

        async def too_big(txn: Txn, chunk: Sequence[int]) -> None:
            for j in range(50):
                txn.put(b"x%d" % j, b"v")

        with pytest.raises(TooLarge):
            await largetxn.run_batched(kv, [1], too_big)
    finally:
        await kv.close()
