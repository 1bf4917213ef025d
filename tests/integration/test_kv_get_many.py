"""`Txn.get_many` on every backend: the same values, read-your-writes and conflicts as `get` of
each key (a batched read must not change what a transaction sees or guards)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dorisctl.kv import Conflict, TxnKv, decode_counter, open_store
from dorisctl.metaservice import keys


@pytest.fixture
async def kv(kv_url: str) -> AsyncIterator[TxnKv]:
    store = open_store(kv_url)
    yield store
    await store.close()


async def test_get_many_matches_get_with_local_writes_and_guards_reads(kv: TxnKv) -> None:
    for start in range(0, 700, 100):  # more keys than one SQLite statement takes
        txn = await kv.begin()
        for i in range(start, start + 100, 2):
            txn.put(b"k%04d" % i, b"v%d" % i)
        await txn.commit()
    wanted = [b"k%04d" % i for i in range(700)] + [b"k0000", b"zzz"]
    txn = await kv.begin()
    got = await txn.get_many(wanted)
    assert got == [await txn.get(k) for k in wanted]
    assert got[0] == b"v0" and got[1] is None and got[-2] == b"v0" and got[-1] is None
    # read-your-writes: local puts, removes, cleared ranges and blind adds
    txn.put(b"k0001", b"new")
    txn.remove(b"k0002")
    txn.remove_range(b"k0010", b"k0020")
    txn.atomic_add(b"k0004", 5)  # an 8-byte counter over "v4" (2 bytes, zero-padded)
    txn.atomic_add(b"cnt", 3)
    got = await txn.get_many([b"k0001", b"k0002", b"k0012", b"k0004", b"cnt", b"k0030"])
    assert got[:3] == [b"new", None, None] and got[5] == b"v30"
    assert decode_counter(got[3]) == decode_counter(b"v4") + 5 and decode_counter(got[4]) == 3
    await txn.discard()
    # a key read through get_many is guarded: another commit to it makes this one conflict
    t1 = await kv.begin()
    assert await t1.get_many([b"k0100", b"absent"]) == [b"v100", None]
    t2 = await kv.begin()
    t2.put(b"absent", b"now")
    t2.put(b"k0101", b"later")
    await t2.commit()
    try:  # get_many was the first read: it pinned the snapshot, which does not hold t2's commit
        assert await t1.get(b"k0101") is None
    except Conflict:
        pass  # or the backend saw the store move past what t1 read: it asks for a re-run instead
    t1.put(b"other", b"x")
    with pytest.raises(Conflict):
        await t1.commit()


def test_partition_version_keys_are_the_single_key_layout() -> None:
    triples = [(1, 10, 5000), (1, 10, 5001), (2, 10, 5000), (1, 11, -1)]
    db, table, part = zip(*triples, strict=True)
    assert keys.partition_version_keys("iid", db, table, part) == [
        keys.partition_version_key("iid", d, t, p) for d, t, p in triples
    ]


async def test_get_many_reads_join_the_conflict_set_when_the_transaction_writes(kv: TxnKv) -> None:
    """A read-only get_many adds its reads to the conflict set only when needed (Txn._settle_reads):
    the footprint counts them at once, and a transaction that writes afterwards conflicts with a
    commit to any key it read that way, present or absent, asked once or twice."""
    seed = await kv.begin()
    for k in (b"a1", b"a2", b"a3", b"a4", b"a5"):
        seed.put(k, b"v" + k)
    await seed.commit()
    wanted = [b"a1", b"a2", b"a2", b"absent"]
    warm = await kv.begin()  # read once, so a key cache (SQLite) answers the next reads wholly
    assert await warm.get_many(wanted) == [b"va1", b"va2", b"va2", None]
    await warm.discard()

    async def change(key: bytes | None) -> None:
        t2 = await kv.begin()
        t2.put(key or b"zz", b"changed")  # None: a key nobody read
        await t2.commit()

    async def undo(key: bytes | None) -> None:
        t3 = await kv.begin()
        if key == b"absent":
            t3.remove(key)
        elif key is not None:
            t3.put(key, b"v" + key)
        await t3.commit()

    for changed in (b"a2", b"absent", None):
        for more_reads in (False, True):
            t1 = await kv.begin()
            assert await t1.get_many(wanted) == [b"va1", b"va2", b"va2", None]
            if more_reads:
                assert t1.footprint == (0, 3, 0)
                assert await t1.get(b"a3") == b"va3"
                assert await t1.get_range(b"a4", b"a6") == [(b"a4", b"va4"), (b"a5", b"va5")]
                assert t1.footprint[1] == 3 + 1 + 1 + 2  # keys, the key read by get, the range and its rows
            await change(changed)
            t1.put(b"out", b"x")
            if changed is None:
                await t1.commit()
            else:
                with pytest.raises(Conflict):
                    await t1.commit()
            await undo(changed)
