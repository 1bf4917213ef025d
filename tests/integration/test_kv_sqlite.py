"""SQLite-specific behaviour: group commit and several processes sharing one file."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from dorisctl.kv import Conflict, Txn, decode_counter, encode_counter, open_store, run_txn
from dorisctl.kv.sqlite import SqliteKv


async def test_group_commit_isolates_a_conflicting_member(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    assert isinstance(kv, SqliteKv)
    try:
        seed = await kv.begin()
        seed.put(b"a", b"0")
        await seed.commit()
        rounds = 30
        for _ in range(rounds):
            t1, t2, t3 = [await kv.begin() for _ in range(3)]
            for t in (t1, t2):
                await t.get(b"a")  # both read a at the same snapshot ...
            t1.put(b"a", b"t1")
            t2.put(b"a", b"t2")  # ... so at most one of them may commit
            t3.atomic_add(b"n", 1)  # a blind write in the same batch
            outcomes = await asyncio.gather(t1.commit(), t2.commit(), t3.commit(), return_exceptions=True)
            assert outcomes[2] is None
            assert sorted(type(o).__name__ for o in outcomes[:2]) == ["Conflict", "NoneType"]
        check = await kv.begin()
        assert decode_counter(await check.get(b"n")) == rounds
        await check.discard()
        assert kv.batched_commits > kv.batches  # commits really were grouped
    finally:
        await kv.close()


async def test_batched_increments_lose_nothing(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    try:

        async def increment(txn: Txn) -> None:
            txn.put(b"n", encode_counter(decode_counter(await txn.get(b"n")) + 1))

        await asyncio.gather(*(run_txn(kv, increment, attempts=200) for _ in range(100)))
        check = await kv.begin()
        assert decode_counter(await check.get(b"n")) == 100
        await check.discard()
    finally:
        await kv.close()


_CHILD = """
import asyncio, sys
from dorisctl.kv import open_store, run_txn, decode_counter, encode_counter
async def main():
    kv = open_store(sys.argv[1])
    async def inc(txn):
        txn.put(b"n", encode_counter(decode_counter(await txn.get(b"n")) + 1))
    for _ in range(50):
        await run_txn(kv, inc, attempts=500)
    await kv.close()
asyncio.run(main())
"""


@pytest.mark.slow
def test_two_processes_on_one_file_stay_serializable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kv.db"
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, url]) for _ in range(2)]
    for p in procs:
        assert p.wait(120) == 0

    async def read() -> int:
        kv = open_store(url)
        try:
            txn = await kv.begin()
            value = decode_counter(await txn.get(b"n"))
            await txn.discard()
            return value
        finally:
            await kv.close()

    assert asyncio.run(read()) == 100
    assert Conflict.retryable


async def test_nested_transactions_beyond_the_pool_never_deadlock(tmp_path: Path) -> None:
    """An operation may run a transaction of its own while its transaction holds a snapshot."""
    kv = open_store(f"sqlite:///{tmp_path}/kv.db?pool=2")
    try:

        async def outer(txn: Txn) -> None:
            await txn.get(b"a")  # holds a read connection from here on

            async def inner(t: Txn) -> None:
                t.atomic_add(b"n", 1)
                await t.get(b"b")

            await run_txn(kv, inner)
            txn.put(b"done", b"1")

        await asyncio.wait_for(asyncio.gather(*(run_txn(kv, outer, attempts=50) for _ in range(12))), timeout=30)
        check = await kv.begin()
        assert decode_counter(await check.get(b"n")) >= 12
        await check.discard()
    finally:
        await kv.close()


async def test_idle_readers_do_not_pin_the_wal(tmp_path: Path) -> None:
    """A pooled reader must not keep its read transaction open once released: an open snapshot
    stops every checkpoint from restarting the WAL, which then grows with every commit (measured:
    7.1 GB of WAL for 225 MiB of data). Writes of 20 MB through read-then-write transactions must
    leave a WAL of about the auto-checkpoint's size (1000 pages), not of the data written."""
    kv = open_store(f"sqlite:///{tmp_path}/kv.db?synchronous=normal")
    value = b"v" * 4000
    try:
        for batch in range(50):

            async def write(t: Txn, batch: int = batch) -> None:
                await t.get(b"k%d" % batch)
                for i in range(100):
                    t.put(b"k%d-%d" % (batch, i), value)

            await run_txn(kv, write)
            await run_txn(kv, lambda t: t.get(b"k0-0"))  # a read-only transaction between commits
        wal = Path(f"{tmp_path}/kv.db-wal")
        assert wal.stat().st_size < 12 << 20, wal.stat().st_size
    finally:
        await kv.close()
