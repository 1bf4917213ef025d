"""The TxnKv contract, run unchanged against every backend in tests/fixtures/kv.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dorisctl.kv import Conflict, TooLarge, Txn, TxnKv, decode_counter, encode_counter, open_store, run_txn
from dorisctl.kv.base import apply_to_dict


@pytest.fixture
async def kv(kv_url: str) -> AsyncIterator[TxnKv]:
    store = open_store(kv_url)
    yield store
    await store.close()


async def put_all(kv: TxnKv, items: dict[bytes, bytes]) -> None:
    txn = await kv.begin()
    for k, v in items.items():
        txn.put(k, v)
    await txn.commit()


async def read(kv: TxnKv, key: bytes) -> bytes | None:
    txn = await kv.begin()
    try:
        return await txn.get(key)
    finally:
        await txn.discard()


async def scan(kv: TxnKv, begin: bytes = b"", end: bytes = b"\xff") -> list[tuple[bytes, bytes]]:
    txn = await kv.begin()
    try:
        return await txn.get_range(begin, end)
    finally:
        await txn.discard()


async def test_commit_makes_writes_visible(kv: TxnKv) -> None:
    await put_all(kv, {b"a": b"1", b"b": b"2"})
    assert await read(kv, b"a") == b"1"
    assert await read(kv, b"missing") is None


async def test_discarded_transaction_writes_nothing(kv: TxnKv) -> None:
    txn = await kv.begin()
    txn.put(b"a", b"1")
    await txn.discard()
    assert await read(kv, b"a") is None


async def test_read_your_writes(kv: TxnKv) -> None:
    await put_all(kv, {b"k1": b"old", b"k2": b"x", b"k3": b"y", b"k9": b"z"})
    txn = await kv.begin()
    txn.put(b"k1", b"new")
    txn.remove(b"k2")
    txn.put(b"k5", b"five")
    txn.atomic_add(b"n", 5)
    assert await txn.get(b"k1") == b"new"
    assert await txn.get(b"k2") is None
    assert decode_counter(await txn.get(b"n")) == 5
    assert await txn.get_range(b"k", b"l") == [
        (b"k1", b"new"),
        (b"k3", b"y"),
        (b"k5", b"five"),
        (b"k9", b"z"),
    ]
    txn.remove_range(b"k3", b"k6")
    assert await txn.get_range(b"k", b"l") == [(b"k1", b"new"), (b"k9", b"z")]
    txn.put(b"k4", b"back")
    assert await txn.get(b"k4") == b"back"
    await txn.commit()
    assert await scan(kv, b"k", b"l") == [(b"k1", b"new"), (b"k4", b"back"), (b"k9", b"z")]


async def test_range_order_limit_reverse_and_exclusive_end(kv: TxnKv) -> None:
    await put_all(kv, {bytes([0x10, i]): bytes([i]) for i in range(50)})
    txn = await kv.begin()
    full = await txn.get_range(b"\x10", b"\x11")
    assert [k[1] for k, _ in full] == list(range(50))
    assert [k[1] for k, _ in await txn.get_range(b"\x10", b"\x11", limit=7)] == list(range(7))
    rev = await txn.get_range(b"\x10", b"\x11", limit=5, reverse=True)
    assert [k[1] for k, _ in rev] == [49, 48, 47, 46, 45]
    assert [k[1] for k, _ in await txn.get_range(bytes([0x10, 3]), bytes([0x10, 6]))] == [3, 4, 5]
    assert await txn.get_range(b"\x11", b"\x10") == []
    # local removals are skipped and the limit still counts only what is returned
    txn.remove_range(bytes([0x10, 0]), bytes([0x10, 40]))
    assert [k[1] for k, _ in await txn.get_range(b"\x10", b"\x11", limit=3)] == [40, 41, 42]
    txn.put(bytes([0x10, 5]), b"x")
    assert [k[1] for k, _ in await txn.get_range(b"\x10", b"\x11", limit=2, reverse=True)] == [49, 48]
    assert [k[1] for k, _ in await txn.get_range(b"\x10", b"\x11", limit=2)] == [5, 40]
    await txn.discard()


async def test_snapshot_is_stable_within_a_transaction(kv: TxnKv) -> None:
    await put_all(kv, {b"a": b"1"})
    t1 = await kv.begin()
    assert await t1.get(b"a") == b"1"
    await put_all(kv, {b"a": b"2", b"b": b"new"})
    assert await t1.get(b"a") == b"1"
    assert await t1.get(b"b") is None
    await t1.discard()


async def test_conflict_when_a_read_key_changed(kv: TxnKv) -> None:
    await put_all(kv, {b"a": b"1"})
    t1 = await kv.begin()
    await t1.get(b"a")
    t1.put(b"other", b"x")
    await put_all(kv, {b"a": b"2"})
    with pytest.raises(Conflict):
        await t1.commit()
    assert await read(kv, b"other") is None


async def test_conflict_when_a_key_read_as_absent_appears(kv: TxnKv) -> None:
    t1 = await kv.begin()
    assert await t1.get(b"a") is None
    t1.put(b"a", b"mine")
    await put_all(kv, {b"a": b"theirs"})
    with pytest.raises(Conflict):
        await t1.commit()
    assert await read(kv, b"a") == b"theirs"


@pytest.mark.parametrize("change", ["insert", "delete", "update"])
async def test_conflict_when_a_read_range_changes(kv: TxnKv, change: str) -> None:
    await put_all(kv, {b"r1": b"1", b"r3": b"3"})
    t1 = await kv.begin()
    await t1.get_range(b"r", b"s")
    t1.put(b"x", b"1")
    t2 = await kv.begin()
    if change == "insert":
        t2.put(b"r2", b"2")
    elif change == "delete":
        t2.remove(b"r3")
    else:
        t2.put(b"r1", b"changed")
    await t2.commit()
    with pytest.raises(Conflict):
        await t1.commit()


async def test_limited_range_read_only_guards_what_it_covered(kv: TxnKv) -> None:
    await put_all(kv, {b"r1": b"1", b"r2": b"2", b"r8": b"8"})
    t1 = await kv.begin()
    assert len(await t1.get_range(b"r", b"s", limit=1)) == 1
    t1.put(b"x", b"1")
    await put_all(kv, {b"r9": b"9"})  # beyond what the limited read could have seen
    await t1.commit()


async def test_disjoint_transactions_do_not_conflict(kv: TxnKv) -> None:
    await put_all(kv, {b"a": b"1", b"b": b"1"})
    t1 = await kv.begin()
    await t1.get(b"a")
    t1.put(b"a", b"t1")
    t2 = await kv.begin()
    await t2.get(b"b")
    t2.put(b"b", b"t2")
    await t2.commit()
    await t1.commit()
    assert await read(kv, b"a") == b"t1" and await read(kv, b"b") == b"t2"


async def test_blind_writes_do_not_conflict_and_last_commit_wins(kv: TxnKv) -> None:
    t1 = await kv.begin()
    t1.put(b"k", b"t1")
    t2 = await kv.begin()
    t2.put(b"k", b"t2")
    await t2.commit()
    await t1.commit()
    assert await read(kv, b"k") == b"t1"


async def test_atomic_add_is_conflict_free_and_exact(kv: TxnKv) -> None:
    async def add_one() -> None:
        txn = await kv.begin()
        txn.atomic_add(b"counter", 1)
        await txn.commit()

    txns = [await kv.begin() for _ in range(20)]
    for t in txns:
        t.atomic_add(b"counter", 1)
    for t in txns:
        await t.commit()
    await asyncio.gather(*(add_one() for _ in range(10)))
    assert decode_counter(await read(kv, b"counter")) == 30
    txn = await kv.begin()
    txn.atomic_add(b"counter", -31)
    await txn.commit()
    assert await read(kv, b"counter") == encode_counter(-1)


async def test_lost_update_is_impossible(kv: TxnKv) -> None:
    attempts = 0

    async def increment(txn: Txn) -> None:
        nonlocal attempts
        attempts += 1
        value = decode_counter(await txn.get(b"n"))
        await asyncio.sleep(0)
        txn.put(b"n", encode_counter(value + 1))

    await asyncio.gather(*(run_txn(kv, increment, attempts=100) for _ in range(20)))
    assert decode_counter(await read(kv, b"n")) == 20
    assert attempts > 20  # the interleaving really produced conflicts that the runner retried


async def test_runner_gives_up_after_bounded_attempts(kv: TxnKv) -> None:
    calls = 0

    async def always_conflicts(txn: Txn) -> None:
        nonlocal calls
        calls += 1
        await txn.get(b"hot")
        txn.put(b"x", b"1")
        await put_all(kv, {b"hot": str(calls).encode()})

    with pytest.raises(Conflict):
        await run_txn(kv, always_conflicts, attempts=3, base_delay=0)
    assert calls == 3
    assert await read(kv, b"x") is None


async def test_size_limits_refuse_before_writing(kv: TxnKv) -> None:
    limits = kv.limits
    txn = await kv.begin()
    txn.put(b"ok", b"1")
    with pytest.raises(TooLarge):
        txn.put(b"k" * (limits.max_key_bytes + 1), b"v")
    with pytest.raises(TooLarge):
        txn.put(b"k", b"v" * (limits.max_value_bytes + 1))
    await txn.discard()
    txn = await kv.begin()
    chunk = b"v" * min(limits.max_value_bytes, 60_000)
    with pytest.raises(TooLarge):
        for i in range(limits.max_txn_bytes // len(chunk) + 2):
            txn.put(b"big/%08d" % i, chunk)
    await txn.discard()
    assert await scan(kv) == []


async def test_reopened_store_keeps_committed_data(kv_url: str) -> None:
    kv = open_store(kv_url)
    await put_all(kv, {b"durable": b"yes"})
    await kv.close()
    kv = open_store(kv_url)
    try:
        assert await read(kv, b"durable") == b"yes"
    finally:
        await kv.close()


_keys = st.binary(min_size=1, max_size=3).map(lambda b: b"m" + b)
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), _keys, st.binary(max_size=4)),
        st.tuples(st.just("remove"), _keys),
        st.tuples(st.just("clear"), _keys, _keys),
        st.tuples(st.just("add"), _keys, st.integers(-5, 5)),
        st.tuples(st.just("range"), _keys, _keys, st.integers(0, 4), st.booleans()),
        st.tuples(st.just("get"), _keys),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.dictionaries(_keys, st.binary(max_size=4), max_size=8), ops=_ops)
def test_transaction_matches_a_dict_model(kv_url: str, initial: dict[bytes, bytes], ops: list[Any]) -> None:
    """Any sequence of reads and writes in one transaction behaves like the same ops on a dict."""
    from dorisctl.kv.base import Mutation

    async def body() -> None:
        kv = open_store(kv_url)
        try:
            wipe = await kv.begin()
            wipe.remove_range(b"m", b"n")
            for k, v in initial.items():
                wipe.put(k, v)
            await wipe.commit()
            model = dict(initial)
            txn = await kv.begin()
            for op in ops:
                kind = op[0]
                if kind == "put":
                    txn.put(op[1], op[2])
                    apply_to_dict(model, [Mutation("put", op[1], value=op[2])])
                elif kind == "remove":
                    txn.remove(op[1])
                    apply_to_dict(model, [Mutation("remove", op[1])])
                elif kind == "clear":
                    txn.remove_range(op[1], op[2])
                    apply_to_dict(model, [Mutation("clear", op[1], end=op[2])])
                elif kind == "add":
                    txn.atomic_add(op[1], op[2])
                    apply_to_dict(model, [Mutation("add", op[1], delta=op[2])])
                elif kind == "get":
                    assert await txn.get(op[1]) == model.get(op[1])
                else:
                    _, b, e, limit, rev = op
                    want = sorted(((k, v) for k, v in model.items() if b <= k < e), reverse=rev)
                    if limit:
                        want = want[:limit]
                    assert await txn.get_range(b, e, limit=limit, reverse=rev) == want
            await txn.commit()
            check = await kv.begin()
            assert await check.get_range(b"m", b"n") == sorted(model.items())
            await check.discard()
        finally:
            await kv.close()

    asyncio.run(body())
