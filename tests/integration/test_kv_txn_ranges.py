"""Reads inside a large transaction. Range reads after many buffered writes (kv/base.py's sorted index of
buffered keys): every range read must merge exactly the transaction's own puts, removes, cleared
ranges and blind adds over the snapshot, however they interleave, and the commit must store the same.
Checked against a plain dict with the reference semantics (`apply_to_dict`) on SQLite; the
bookkeeping is shared by every backend."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dorisctl.kv import Conflict, open_store
from dorisctl.kv.base import Mutation, apply_to_dict, encode_counter
from dorisctl.kv.sqlite_read import SqliteTxn

Row = tuple[bytes, bytes, int]


def _key(rng: random.Random) -> bytes:
    return b"k%03d" % rng.randrange(200)


async def test_range_reads_see_interleaved_writes_of_a_large_transaction(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/ranges.db")
    try:
        seed = await kv.begin()
        model: dict[bytes, bytes] = {}
        for i in range(0, 200, 3):
            k = b"k%03d" % i
            model[k] = encode_counter(i) if i % 2 else b"v%d" % i
            seed.put(k, model[k])
        await seed.commit()

        rng = random.Random(7)
        txn = await kv.begin()
        checked = 0
        for step in range(3000):
            op = rng.random()
            if op < 0.35:
                m = Mutation("put", _key(rng), value=b"p%d" % step)
                txn.put(m.key, m.value)
            elif op < 0.5:
                m = Mutation("remove", _key(rng))
                txn.remove(m.key)
            elif op < 0.55:
                a, b = sorted((_key(rng), _key(rng)))
                m = Mutation("clear", a, end=b)
                txn.remove_range(a, b)
            elif op < 0.7:
                m = Mutation("add", _key(rng), delta=rng.randrange(-5, 6))
                txn.atomic_add(m.key, m.delta)
            else:
                a, b = sorted((_key(rng), _key(rng)))
                reverse = rng.random() < 0.3
                limit = rng.choice([0, 0, 1, 5])
                want = sorted(((k, v) for k, v in model.items() if a <= k < b), reverse=reverse)
                assert await txn.get_range(a, b, limit=limit, reverse=reverse) == (want[:limit] if limit else want)
                checked += 1
                continue
            apply_to_dict(model, [m])
        assert checked > 500
        assert await txn.get_range(b"", b"\xff") == sorted(model.items())
        await txn.commit()

        after = await kv.begin()
        assert await after.get_range(b"", b"\xff") == sorted(model.items())
        await after.discard()
    finally:
        await kv.close()


async def test_reading_again_costs_no_store_read_and_sees_the_same_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction remembers its snapshot reads (several operations in one transaction read the
    same instance and node keys): the store is asked once, and a commit made meanwhile by another
    transaction stays invisible, as it must on a snapshot."""
    # without SQLite's key cache, which answers repeated reads itself (the transaction's memory is
    # then off: tests/integration/test_kv_keycache.py); etcd and PostgreSQL have no key cache
    kv = open_store(f"sqlite:///{tmp_path}/cache.db?cache=0")
    calls: list[str] = []
    gets, ranges = SqliteTxn._snapshot_get, SqliteTxn._snapshot_range

    async def get(self: SqliteTxn, key: bytes) -> tuple[bytes, int] | None:
        calls.append("get")
        return await gets(self, key)

    async def range_(self: SqliteTxn, begin: bytes, end: bytes, limit: int, reverse: bool) -> list[Row]:
        calls.append("range")
        return await ranges(self, begin, end, limit, reverse)

    monkeypatch.setattr(SqliteTxn, "_snapshot_get", get)
    monkeypatch.setattr(SqliteTxn, "_snapshot_range", range_)
    try:
        seed = await kv.begin()
        seed.put(b"a", b"1")
        seed.put(b"b", b"2")
        await seed.commit()
        txn = await kv.begin()
        for _ in range(3):
            assert await txn.get(b"a") == b"1"
            assert await txn.get(b"zz") is None
            assert await txn.get_range(b"a", b"c") == [(b"a", b"1"), (b"b", b"2")]
            assert await txn.get_many([b"a", b"b", b"zz"]) == [b"1", b"2", None]
        other = await kv.begin()
        other.put(b"a", b"changed")
        await other.commit()
        assert await txn.get(b"a") == b"1"
        assert calls == ["get", "get", "range"]  # get_many found every key already read
        txn.put(b"x", b"3")
        with pytest.raises(Conflict):  # the remembered read still guards the commit
            await txn.commit()
    finally:
        await kv.close()
