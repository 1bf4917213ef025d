"""Injected store faults under run_txn, on every backend: applied exactly once or not at all.

The operation under test has what meta-service operations have: a read-modify-write counter
(like the txn-id batches), a blind `atomic_add`, a new record keyed by the counter, and a range
read. For every store call k of a clean run and every fault a store can raise there, and then for
every call of the retry that follows a lost commit reply, the outcome must match the model:
success with everything applied once, or an error with nothing applied (MaybeCommitted: either,
but never twice and never half).
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from dorisctl.kv import KvError, MaybeCommitted, Txn, TxnKv, decode_counter, encode_counter, open_store, run_txn
from dorisctl.kv.faults import APPLICABLE, Fault, FaultyKv, fault_matrix
from dorisctl.kv.runner import IDEMPOTENCY_PREFIX, IDEMPOTENCY_TTL, idempotency_key

_BE64 = struct.Struct(">Q")


@pytest.fixture
async def kv(kv_url: str) -> AsyncIterator[TxnKv]:
    store = open_store(kv_url)
    yield store
    await store.close()


def operation(ns: bytes) -> Callable[[Txn], Awaitable[int]]:
    async def op(txn: Txn) -> int:
        current = await txn.get(ns + b"counter")
        new_id = (_BE64.unpack(current)[0] if current else 0) + 1
        txn.put(ns + b"counter", _BE64.pack(new_id))
        txn.atomic_add(ns + b"adds", 1)
        txn.put(ns + b"rec/%d" % new_id, b"v")
        await txn.get_range(ns + b"rec/", ns + b"rec0")
        return new_id

    return op


async def state(kv: TxnKv, ns: bytes) -> dict[bytes, bytes]:
    txn = await kv.begin()
    try:
        return dict(await txn.get_range(ns, ns + b"\xff"))
    finally:
        await txn.discard()


def applied_once(st: dict[bytes, bytes], ns: bytes) -> bool:
    return st == {ns + b"counter": _BE64.pack(1), ns + b"adds": encode_counter(1), ns + b"rec/1": b"v"}


async def run_with(kv: TxnKv, ns: bytes, plan: dict[int, Fault]) -> tuple[str, FaultyKv]:
    faulty = FaultyKv(kv, plan)
    try:
        result = await run_txn(faulty, operation(ns), base_delay=0.0005, max_delay=0.002)
    except MaybeCommitted:
        return "maybe", faulty
    except KvError:
        return "error", faulty
    assert result == 1
    return "ok", faulty


def check(outcome: str, st: dict[bytes, bytes], ns: bytes, plan: dict[int, Fault]) -> None:
    if outcome == "ok":
        assert applied_once(st, ns), (plan, st)
    elif outcome == "error":
        assert st == {}, (plan, st)
    else:
        assert st == {} or applied_once(st, ns), (plan, st)


async def test_clean_run_records_every_store_call(kv: TxnKv) -> None:
    outcome, faulty = await run_with(kv, b"clean/", {})
    assert outcome == "ok"
    assert faulty.calls == ["begin", "get", "get_range", "commit"]
    assert faulty.injected == []


async def test_every_single_fault_and_every_fault_after_a_lost_reply(kv: TxnKv) -> None:
    _, clean = await run_with(kv, b"probe/", {})
    commit_at = clean.calls.index("commit")
    plans: list[dict[int, Fault]] = [{k: f} for k, f in fault_matrix(clean.calls)]
    for lost in (Fault.MAYBE_COMMITTED, Fault.MAYBE_NOT_COMMITTED):
        # the attempt after a lost reply: begin, the idempotency-key read, then (if the first
        # attempt did not land) the operation again
        _, retry = await run_with(kv, b"probe-%s/" % lost.value.encode(), {commit_at: lost})
        after = retry.calls[commit_at + 1 :]
        assert after[:2] == ["begin", "get"]
        assert len(after) == (2 if lost is Fault.MAYBE_COMMITTED else 2 + len(clean.calls) - 1)
        plans.extend({commit_at: lost, commit_at + 1 + j: f} for j, f in fault_matrix(after))
    outcomes: dict[str, int] = {}
    for i, plan in enumerate(plans):
        ns = b"m%04d/" % i
        outcome, faulty = await run_with(kv, ns, plan)
        assert [p[0] for p in faulty.injected] == sorted(plan), plan
        check(outcome, await state(kv, ns), ns, plan)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    # 4 calls: 1 + 3 + 3 + 5 single faults; after a landed lost reply 1 + 3, after a lost one
    # 1 + 3 + 3 + 3 + 5
    assert len(plans) == 12 + 4 + 15, len(plans)
    # TooLarge is not retryable: an error (3 single faults), or MaybeCommitted when an earlier
    # outcome is still unknown (1 after a landed lost reply, 4 after a lost one); all else succeeds
    assert outcomes == {"ok": 31 - 3 - 5, "error": 3, "maybe": 5}, outcomes


async def test_lost_reply_of_a_landed_commit_does_not_step_counters_twice(kv: TxnKv) -> None:
    faulty = FaultyKv(kv, {2: Fault.MAYBE_COMMITTED})  # begin, get, commit
    calls = 0

    async def op(txn: Txn) -> int:
        nonlocal calls
        calls += 1
        txn.atomic_add(b"c/total", 5)
        current = decode_counter(await txn.get(b"c/rmw"))
        txn.put(b"c/rmw", encode_counter(current + 1))
        return current + 1

    assert await run_txn(faulty, op) == 1
    assert calls == 1  # recognised by its idempotency key, not run again
    assert await state(kv, b"c/") == {b"c/total": encode_counter(5), b"c/rmw": encode_counter(1)}
    assert await run_txn(faulty, op) == 2


async def test_unknown_outcome_is_reported_when_attempts_run_out(kv: TxnKv) -> None:
    def every_commit(index: int, kind: str) -> Fault | None:
        return Fault.MAYBE_NOT_COMMITTED if kind == "commit" else None

    faulty = FaultyKv(kv, every_commit)
    with pytest.raises(MaybeCommitted):
        await run_txn(faulty, operation(b"x/"), attempts=3, base_delay=0.0005)
    assert faulty.calls.count("commit") == 3
    assert await state(kv, b"x/") == {}


async def test_old_idempotency_keys_are_cleared(kv: TxnKv) -> None:
    import time

    old = idempotency_key(time.time() - IDEMPOTENCY_TTL - 5)
    txn = await kv.begin()
    txn.put(old, _BE64.pack(1))
    await txn.commit()
    await run_txn(FaultyKv(kv), operation(b"gc/"))
    keys = list(await state(kv, IDEMPOTENCY_PREFIX))
    assert old not in keys
    assert len(keys) >= 1  # the run's own key, kept until it expires


async def test_fault_plan_is_validated(kv: TxnKv) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        FaultyKv(kv, {-1: Fault.CONFLICT})
    faulty = FaultyKv(kv, {1: Fault.MAYBE_COMMITTED})
    txn = await faulty.begin()
    with pytest.raises(ValueError, match="only be injected at a commit"):
        await txn.get(b"a")
    await txn.discard()
    assert set(APPLICABLE) == {"begin", "get", "get_range", "commit"}


async def test_unknown_outcome_of_a_nested_write_is_not_retried(kv: TxnKv) -> None:
    """fn's own nested transaction (like begin_txn's txn-id allocation) lost a commit reply: the
    outer run must not treat that as its own read-only commit and run fn again (a second nested
    write), but report the unknown outcome."""
    faulty = FaultyKv(kv, {3: Fault.MAYBE_COMMITTED})  # outer begin, nested begin/get/commit
    runs = 0

    async def nested(txn: Txn) -> None:
        txn.atomic_add(b"n/count", 1)
        await txn.get(b"n/x")

    async def outer(txn: Txn) -> None:
        nonlocal runs
        runs += 1
        await run_txn(faulty, nested, attempts=1)

    with pytest.raises(MaybeCommitted):
        await run_txn(faulty, outer, base_delay=0.0005)
    assert runs == 1
    assert await state(kv, b"n/") == {b"n/count": encode_counter(1)}
