"""The SQLite key cache stays exact across processes sharing the file (kv/keycache.py).

Two SqliteKv instances on one file stand for two processes (each has its own cache); a third
writer is plain sqlite3 without the change log (a dorisctl that predates it). Every read of a
long random sequence of commits and reads, from either, must equal a dict model."""

from __future__ import annotations

import asyncio
import functools
import random
import sqlite3
import time
from pathlib import Path

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.kv.base import REQUEST_RECEIVED
from dorisctl.kv.errors import Conflict
from dorisctl.kv.sqlite import SqliteKv

KEYS = [b"p/%02d" % i for i in range(40)] + [b"q/%03d" % i for i in range(1200)]


def expected_range(
    model: dict[bytes, bytes], begin: bytes, end: bytes, limit: int, reverse: bool
) -> list[tuple[bytes, bytes]]:
    rows = sorted((k, v) for k, v in model.items() if begin <= k < end)
    if reverse:
        rows.reverse()
    return rows[:limit] if limit else rows


async def write(t: Txn, *, clear: tuple[bytes, bytes] | None, gone: list[bytes], puts: dict[bytes, bytes]) -> None:
    if clear:
        t.remove_range(*clear)
    for k in gone:
        t.remove(k)
    for k, v in puts.items():
        t.put(k, v)


async def read(
    t: Txn, *, wanted: list[bytes], lo: bytes, hi: bytes, limit: int, reverse: bool
) -> tuple[bytes | None, list[bytes | None], list[tuple[bytes, bytes]]]:
    one = await t.get(wanted[0])
    many = await t.get_many(wanted)
    rows = await t.get_range(lo, hi, limit=limit, reverse=reverse)
    return one, many, rows


def test_reads_from_either_process_match_the_model(tmp_path: Path) -> None:
    path = tmp_path / "kv.db"

    async def main() -> None:
        a, b = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        assert isinstance(a, SqliteKv) and isinstance(b, SqliteKv) and a.cache and b.cache
        rnd = random.Random(1606)
        model: dict[bytes, bytes] = {}
        try:
            for step in range(1500):
                kv = rnd.choice([a, b])
                roll = rnd.random()
                if roll < 0.30:  # a commit: puts, removes, maybe a range removal
                    puts = {rnd.choice(KEYS): b"v%d" % step for _ in range(rnd.randint(1, 4))}
                    gone = [rnd.choice(KEYS) for _ in range(rnd.randint(0, 2))]
                    clear = None
                    if rnd.random() < 0.1:
                        lo = rnd.choice(KEYS)
                        clear = (lo, lo[:2] + b"\xff") if rnd.random() < 0.3 else (lo, lo + b"\x05")
                    await run_txn(kv, functools.partial(write, clear=clear, gone=gone, puts=puts))
                    if clear:
                        for k in [k for k in model if clear[0] <= k < clear[1]]:
                            del model[k]
                    for k in gone:
                        model.pop(k, None)
                    model.update(puts)
                elif roll < 0.33:  # a writer without the change log
                    k = rnd.choice(KEYS)
                    with sqlite3.connect(path) as c:
                        (version,) = c.execute("SELECT value FROM meta WHERE name='version'").fetchone()
                        c.execute(
                            "INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT(key) "
                            "DO UPDATE SET value=excluded.value, version=excluded.version",
                            (k, b"raw%d" % step, version + 1),
                        )
                        c.execute("UPDATE meta SET value=? WHERE name='version'", (version + 1,))
                    model[k] = b"raw%d" % step
                else:  # reads, in one transaction
                    wanted = [rnd.choice(KEYS) for _ in range(rnd.randint(1, 30))]
                    lo = rnd.choice(KEYS)
                    hi = lo[:2] + b"\xff" if rnd.random() < 0.5 else rnd.choice(KEYS)
                    limit, reverse = rnd.choice([0, 0, 1, 5]), rnd.random() < 0.3
                    one, many, rows = await run_txn(
                        kv, functools.partial(read, wanted=wanted, lo=lo, hi=hi, limit=limit, reverse=reverse)
                    )
                    assert one == model.get(wanted[0]), step
                    assert many == [model.get(k) for k in wanted], step
                    assert rows == expected_range(model, lo, hi, limit, reverse), step
            assert a.cache.hits > 1000 and b.cache.hits > 1000  # it was used, not bypassed
            assert a.cache.invalidations > 0 and a.cache.resets > 1
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())


def test_a_transaction_on_an_older_snapshot_neither_reads_nor_fills_the_cache(tmp_path: Path) -> None:
    async def main() -> None:
        kv = open_store(f"sqlite:///{tmp_path / 'kv.db'}")
        assert isinstance(kv, SqliteKv) and kv.cache
        try:
            await run_txn(kv, lambda t: _put(t, b"k", b"1"))
            old = await kv.begin()
            assert await old.get(b"other") is None  # pins the snapshot at the first version
            await run_txn(kv, lambda t: _put(t, b"k", b"2"))
            assert await run_txn(kv, lambda t: t.get(b"k")) == b"2"  # cache now at the newer version
            assert await old.get(b"k") == b"1"  # its own snapshot, not the cache
            await old.discard()
            assert await run_txn(kv, lambda t: t.get(b"k")) == b"2"  # and it did not fill it with "1"
        finally:
            await kv.close()

    asyncio.run(main())


async def _put(t: Txn, k: bytes, v: bytes) -> None:
    t.put(k, v)


def test_cache_hits_then_a_store_read_after_a_commit_elsewhere_read_again_consistently(tmp_path: Path) -> None:
    """A transaction answered from the cache takes no snapshot; if another process commits before
    its first read that SQLite must answer, mixing the two versions would be wrong: it is re-run."""
    path = tmp_path / "kv.db"

    async def main() -> None:
        kv, other = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        try:
            await run_txn(kv, functools.partial(write, clear=None, gone=[], puts={b"a": b"1", b"b": b"1"}))
            assert await run_txn(kv, lambda t: t.get(b"a")) == b"1"  # a is cached now, b is not
            attempts = 0

            async def op(t: Txn) -> tuple[bytes | None, bytes | None]:
                nonlocal attempts
                attempts += 1
                a = await t.get(b"a")
                if attempts == 1:  # another process commits between the cached read and the store read
                    await run_txn(other, functools.partial(write, clear=None, gone=[], puts={b"a": b"2", b"b": b"2"}))
                return a, await t.get(b"b")

            assert await run_txn(kv, op) == (b"2", b"2")
            assert attempts == 2
        finally:
            await kv.close()
            await other.close()

    asyncio.run(main())


def test_a_read_set_stands_until_something_it_read_changes(tmp_path: Path) -> None:
    """Txn.read_set / TxnKv.reads_unchanged (what the reply cache stands on): a commit from another
    process to a key, or into a range, the transaction read makes its read set stale; commits
    elsewhere do not; a transaction that wrote, or read on an older snapshot, has no read set."""
    path = tmp_path / "kv.db"

    async def main() -> None:
        a, b = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        try:
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/01": b"1", b"q/001": b"x"}))

            async def reads(t: Txn) -> object:
                t.track_reads()
                await t.get(b"p/01")
                await t.get_many([b"p/02", b"p/03"])  # absent: their absence is read too
                await t.get_range(b"q/", b"q0")
                return t.read_set()

            async def fresh() -> object:
                got = await run_txn(a, reads)
                assert got is not None
                assert a.reads_unchanged(got)
                return got

            seen = await fresh()
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/30": b"elsewhere"}))
            assert a.reads_unchanged(seen)  # a commit elsewhere leaves it standing
            for change in ({b"p/01": b"2"}, {b"p/03": b"appears"}, {b"q/500": b"into the range"}):
                await run_txn(b, functools.partial(write, clear=None, gone=[], puts=change))
                assert not a.reads_unchanged(seen), change
                seen = await fresh()
            await run_txn(b, functools.partial(write, clear=None, gone=[b"q/001"], puts={}))
            assert not a.reads_unchanged(seen)  # a removal inside the range

            async def reads_and_writes(t: Txn) -> object:
                t.track_reads()
                await t.get(b"p/01")
                t.put(b"p/02", b"w")
                return t.read_set()

            assert await run_txn(a, reads_and_writes) is None

            old = await a.begin()  # pins its snapshot at a read that misses the cache...
            old.track_reads()
            await old.get(b"p/20")
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/21": b"later"}))
            await run_txn(a, lambda t: t.get(b"p/21"))  # ...while the cache moves on past it
            await old.get(b"p/22")
            assert old.read_set() is None  # a read the cache did not answer at its version
            await old.discard()
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())


def test_without_a_key_cache_nothing_is_known_unchanged(tmp_path: Path) -> None:
    async def main() -> None:
        kv = open_store(f"sqlite:///{tmp_path / 'kv.db'}?cache=0")

        async def reads(t: Txn) -> object:
            t.track_reads()
            await t.get(b"p/01")
            return t.read_set()

        try:
            got = await run_txn(kv, reads)
            assert not kv.reads_unchanged(got)
        finally:
            await kv.close()

    asyncio.run(main())


def test_a_request_uses_a_version_read_after_it_arrived_and_never_an_older_one(tmp_path: Path) -> None:
    """kv.REQUEST_RECEIVED: a transaction serving a request that arrived before the cache's version
    was read takes that version without asking SQLite; one that arrived later, or that follows a
    commit of this process, or a retry, asks again and sees every earlier commit."""
    path = tmp_path / "kv.db"

    async def main() -> None:
        a, b = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        assert isinstance(a, SqliteKv)

        async def stale(value: bytes) -> float:
            """a reads p/01 (its version is read: the cache fresh from then), then b sets it to `value`;
            a request that arrived before a's read."""
            arrived = time.perf_counter()
            await run_txn(a, lambda t: t.get(b"p/01"))
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/01": value}))
            return arrived

        async def settle(t: Txn) -> bytes | None:  # as a reader finding a lazy commit another completed
            value = await t.get(b"p/01")
            if value == b"old":
                raise Conflict("completed elsewhere; reading again")
            return value

        attempts = 0

        async def bump(t: Txn) -> None:  # read-modify-write: the stale read conflicts once
            nonlocal attempts
            attempts += 1
            value = await t.get(b"p/01")
            t.put(b"p/03", b"saw " + (value or b""))

        try:
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/01": b"old", b"p/02": b"x"}))
            token = REQUEST_RECEIVED.set(await stale(b"new"))
            try:
                # concurrent with b's commit, which its client had not seen acknowledged: either is right,
                # and the cache's version (no statement) is what it gets
                assert await run_txn(a, lambda t: t.get(b"p/01")) == b"old"
                assert await run_txn(a, settle, attempts=3) == b"new"  # the retry asked SQLite again
            finally:
                REQUEST_RECEIVED.reset(token)

            token = REQUEST_RECEIVED.set(await stale(b"newer"))
            try:
                await run_txn(a, bump)
                assert attempts == 2  # the commit conflicted; the retry read a version taken after it
                assert await run_txn(b, lambda t: t.get(b"p/03")) == b"saw newer"
                # this process's own commit: read afterwards in the same request, always seen
                assert await run_txn(a, lambda t: t.get(b"p/02")) == b"x"  # cached
                await run_txn(a, functools.partial(write, clear=None, gone=[], puts={b"p/02": b"mine"}))
                assert await run_txn(a, lambda t: t.get(b"p/02")) == b"mine"
            finally:
                REQUEST_RECEIVED.reset(token)

            await stale(b"newest")
            token = REQUEST_RECEIVED.set(time.perf_counter())  # arrived after b's commit was acknowledged
            try:
                assert await run_txn(a, lambda t: t.get(b"p/01")) == b"newest"
            finally:
                REQUEST_RECEIVED.reset(token)
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())


def test_reads_from_the_cache_stand_when_the_snapshot_moves_past_unrelated_commits(tmp_path: Path) -> None:
    """A transaction on the cache's version that must then read from SQLite pins a newer snapshot:
    the reads it answered from the cache are checked there; unchanged, it goes on (one attempt);
    changed, it is run again."""
    path = tmp_path / "kv.db"

    async def main() -> None:
        a, b = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        try:
            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={b"p/01": b"1", b"p/02": b"2"}))
            await run_txn(a, lambda t: t.get(b"p/01"))  # cached, version read
            token = REQUEST_RECEIVED.set(time.perf_counter() - 60)
            try:
                for other, expect_attempts in ((b"p/30", 1), (b"p/01", 2)):
                    attempts = 0
                    miss = b"p/2" + other[-1:]  # a key never read before: SQLite must answer it

                    async def op(t: Txn, miss: bytes = miss, other: bytes = other) -> tuple[bytes | None, bytes | None]:
                        nonlocal attempts
                        attempts += 1
                        first = await t.get(b"p/01")  # from the cache
                        if attempts == 1:  # another process commits in between
                            await run_txn(b, functools.partial(write, clear=None, gone=[], puts={other: b"moved"}))
                        return first, await t.get(miss)

                    first, _ = await run_txn(a, op)
                    assert attempts == expect_attempts, other
                    assert first == (b"1" if other != b"p/01" else b"moved")
            finally:
                REQUEST_RECEIVED.reset(token)
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())
