"""Merge-on-write delete bitmaps over a real SQLite store: the table lock (conflicts, re-entry,
expiry, urgent loads, compaction stats), update/get/remove_delete_bitmap, commit_txn and
compaction consuming the lock; cases replayed from upstream's meta_service_test.cpp
(DeleteBitmapUpdateLock*, GetDeleteBitmap*, UpdateDeleteBitmap*) as black-box checks."""

from __future__ import annotations

from typing import Any

from dorisctl.kv import open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.model import bitmaps
from dorisctl.metaservice.ops.bitmap import (
    STORE_V2_UNSUPPORTED,
    get_delete_bitmap,
    get_delete_bitmap_update_lock,
    remove_delete_bitmap,
    remove_delete_bitmap_update_lock,
    update_delete_bitmap,
)
from dorisctl.metaservice.ops.job import finish_tablet_job, start_tablet_job
from dorisctl.metaservice.ops.subtxn import begin_sub_txn
from dorisctl.metaservice.ops.tablet import commit_rowset, prepare_rowset
from dorisctl.metaservice.ops.txn import begin_txn, commit_txn, get_txn
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import KeyRing
from tests.unit.metaservice.conftest import CUID, IID, Env
from tests.unit.metaservice.test_job import A, compaction, finish_req, start_req
from tests.unit.metaservice.test_txn import DB, begin_req, expect_error, load, make_tablets, rowset

pb = cloud_pb2
TABLE, PART, T1, T2 = 10001, 10003, 10004, 10005


def lock_req(lock_id: int, initiator: int = -1, expiration: int = 60, **kw: Any) -> pb.GetDeleteBitmapUpdateLockRequest:
    return pb.GetDeleteBitmapUpdateLockRequest(
        cloud_unique_id=CUID, table_id=TABLE, lock_id=lock_id, initiator=initiator, expiration=expiration, **kw
    )


def unlock_req(lock_id: int, initiator: int = -1) -> pb.RemoveDeleteBitmapUpdateLockRequest:
    return pb.RemoveDeleteBitmapUpdateLockRequest(
        cloud_unique_id=CUID, table_id=TABLE, lock_id=lock_id, initiator=initiator
    )


def update_req(lock_id: int, tablet_id: int, items: list[tuple[str, int, int, bytes]], initiator: int = -1, **kw: Any):
    return pb.UpdateDeleteBitmapRequest(
        cloud_unique_id=CUID, table_id=TABLE, partition_id=PART, tablet_id=tablet_id, lock_id=lock_id,
        initiator=initiator, rowset_ids=[i[0] for i in items], versions=[i[1] for i in items],
        segment_ids=[i[2] for i in items], segment_delete_bitmaps=[i[3] for i in items], **kw,
    )  # fmt: skip


def get_req(tablet_id: int, ranges: list[tuple[str, int, int]], **kw: Any) -> pb.GetDeleteBitmapRequest:
    return pb.GetDeleteBitmapRequest(
        cloud_unique_id=CUID, tablet_id=tablet_id, rowset_ids=[r[0] for r in ranges],
        begin_versions=[r[1] for r in ranges], end_versions=[r[2] for r in ranges], **kw,
    )  # fmt: skip


def triples(resp: pb.GetDeleteBitmapResponse) -> list[tuple[str, int, int, bytes]]:
    return list(zip(resp.rowset_ids, resp.versions, resp.segment_ids, resp.segment_delete_bitmaps, strict=True))


async def lock_record(env: Env) -> pb.DeleteBitmapUpdateLockPB | None:
    return await run_txn(env.svc.kv, lambda t: bitmaps.load_lock(t, IID, TABLE))


async def raw(env: Env, key: bytes) -> bytes | None:
    async def read(txn: Any) -> bytes | None:
        value: bytes | None = await txn.get(key)
        return value

    return await run_txn(env.svc.kv, read)


# -- the lock ------------------------------------------------------------------------------------


async def test_lock_conflict_reentry_and_release(env: Env) -> None:
    await env.call(get_delete_bitmap_update_lock, lock_req(100, initiator=1))
    await env.call(get_delete_bitmap_update_lock, lock_req(100, initiator=2))  # the same load again: re-entrant
    lock = await lock_record(env)
    assert lock is not None
    assert (lock.lock_id, list(lock.initiators), lock.expiration) == (100, [1, 2], int(env.clock.now) + 60)
    err = await expect_error(env, get_delete_bitmap_update_lock, lock_req(200), Code.LOCK_CONFLICT)
    assert err.msg.startswith(f"already be locked. request lock_id=200 locked by lock_id=100 table_id={TABLE}")
    await expect_error(env, remove_delete_bitmap_update_lock, unlock_req(200, 1), Code.LOCK_EXPIRED,
                       "lock id not match, locked by lock_id=100")  # fmt: skip
    await expect_error(env, remove_delete_bitmap_update_lock, unlock_req(100, 3), Code.LOCK_EXPIRED,
                       "lock initiator not exist")  # fmt: skip
    await env.call(remove_delete_bitmap_update_lock, unlock_req(100, 1))
    lock = await lock_record(env)
    assert lock is not None and list(lock.initiators) == [2]
    await env.call(remove_delete_bitmap_update_lock, unlock_req(100, 2))
    assert await lock_record(env) is None  # the last holder takes the record with it
    await expect_error(env, remove_delete_bitmap_update_lock, unlock_req(100, 2), Code.LOCK_EXPIRED,
                       "lock id key not found")  # fmt: skip
    await env.call(get_delete_bitmap_update_lock, lock_req(200))


async def test_expired_lock_is_taken_over_and_urgent_loads(env: Env) -> None:
    await env.call(get_delete_bitmap_update_lock, lock_req(bitmaps.COMPACTION_LOCK_ID, initiator=7, expiration=10))
    await expect_error(env, get_delete_bitmap_update_lock, lock_req(300), Code.LOCK_CONFLICT)
    env.clock.now += 11
    await env.call(get_delete_bitmap_update_lock, lock_req(300, initiator=-1))
    lock = await lock_record(env)
    assert lock is not None and (lock.lock_id, list(lock.initiators)) == (300, [-1])
    # an urgent load takes the lock from another load, but never from a schema change
    await env.call(get_delete_bitmap_update_lock, lock_req(400, urgent=True))
    lock = await lock_record(env)
    assert lock is not None and lock.lock_id == 400
    await expect_error(env, get_delete_bitmap_update_lock, lock_req(-1, urgent=True), Code.INVALID_ARGUMENT,
                       "only load can set urgent flag currently")  # fmt: skip
    env.clock.now += 100
    await env.call(get_delete_bitmap_update_lock, lock_req(bitmaps.SCHEMA_CHANGE_LOCK_ID, initiator=9))
    await expect_error(env, get_delete_bitmap_update_lock, lock_req(500, urgent=True), Code.LOCK_CONFLICT)


async def test_lock_argument_errors(env: Env) -> None:
    no_cuid = lock_req(1)
    no_cuid.ClearField("cloud_unique_id")
    await expect_error(env, get_delete_bitmap_update_lock, no_cuid, Code.INVALID_ARGUMENT, "cloud unique id not set")
    bad = lock_req(1)
    bad.cloud_unique_id = "1:nosuch:x"
    await expect_error(env, get_delete_bitmap_update_lock, bad, Code.INVALID_ARGUMENT, "empty instance_id")


async def test_lock_with_compaction_stats(env: Env) -> None:
    await make_tablets(env, [T1, T2])
    await load(env, [T1], "l1")
    idx = [pb.TabletIndexPB(table_id=TABLE, index_id=10002, partition_id=PART, tablet_id=t) for t in (T1, T2)]
    resp = await env.call(
        get_delete_bitmap_update_lock, lock_req(100, require_compaction_stats=True, tablet_indexes=idx)
    )
    assert list(resp.base_compaction_cnts) == [0, 0]
    assert list(resp.cumulative_compaction_cnts) == [0, 0]
    assert list(resp.cumulative_points) == [2, 2]
    assert list(resp.tablet_states) == [0, 0]
    missing = [pb.TabletIndexPB(table_id=TABLE, index_id=10002, partition_id=PART, tablet_id=999)]
    await expect_error(
        env, get_delete_bitmap_update_lock, lock_req(100, initiator=5, require_compaction_stats=True,
                                                     tablet_indexes=missing), Code.KV_TXN_GET_ERR,
    )  # fmt: skip
    lock = await lock_record(env)
    assert lock is not None and list(lock.initiators) == [-1]  # the failed call stored nothing


# -- update / get / remove -----------------------------------------------------------------------


async def test_update_needs_the_lock_and_checks_its_arguments(env: Env) -> None:
    items = [("r1", 2, 0, b"a")]
    await expect_error(
        env, update_delete_bitmap, update_req(100, T1, items), Code.LOCK_EXPIRED, "lock id key not found"
    )
    await env.call(get_delete_bitmap_update_lock, lock_req(100))
    await expect_error(env, update_delete_bitmap, update_req(101, T1, items), Code.LOCK_EXPIRED)
    await expect_error(env, update_delete_bitmap, update_req(100, T1, items, initiator=-2), Code.LOCK_EXPIRED,
                       "lock initiator not exist")  # fmt: skip
    uneven = update_req(100, T1, items)
    uneven.segment_ids.append(1)
    await expect_error(env, update_delete_bitmap, uneven, Code.INVALID_ARGUMENT)
    await expect_error(env, update_delete_bitmap, update_req(100, T1, items, store_version=4), Code.INVALID_ARGUMENT,
                       "delete bitmap store version must be 1, 2, 3")  # fmt: skip
    v2 = update_req(100, T1, [], store_version=2, delta_rowset_ids=["r1"])
    v2.delete_bitmap_storages.add()
    await expect_error(env, update_delete_bitmap, v2, Code.INVALID_ARGUMENT, STORE_V2_UNSUPPORTED)
    await env.call(update_delete_bitmap, update_req(0, T1, items, without_lock=True))  # no lock needed
    got = await env.call(get_delete_bitmap, get_req(T1, [("r1", 0, 10)]))
    assert triples(got) == [("r1", 2, 0, b"a")]


async def test_get_reads_version_ranges_and_pages(env: Env) -> None:
    await env.call(get_delete_bitmap_update_lock, lock_req(bitmaps.COMPACTION_LOCK_ID, initiator=3))
    items = [("r1", v, seg, f"r1-{v}-{seg}".encode()) for v in (2, 3, 4) for seg in (0, 1)]
    items += [("r2", 3, 0, b"r2-3-0"), ("r3", 5, 0, b"r3")]
    await env.call(update_delete_bitmap, update_req(bitmaps.COMPACTION_LOCK_ID, T1, items, initiator=3))
    got = await env.call(get_delete_bitmap, get_req(T1, [("r1", 3, 4), ("r2", 0, 2), ("r2", 3, 3)]))
    assert got.tablet_id == T1
    assert triples(got) == [
        ("r1", 3, 0, b"r1-3-0"), ("r1", 3, 1, b"r1-3-1"), ("r1", 4, 0, b"r1-4-0"), ("r1", 4, 1, b"r1-4-1"),
        ("r2", 3, 0, b"r2-3-0"),
    ]  # fmt: skip
    assert list(got.returned_rowset_ids) == ["r1", "r2", "r2"] and not got.has_more
    paged = await env.call(get_delete_bitmap, get_req(T1, [("r1", 0, 9), ("r3", 0, 9)], dbm_bytes_threshold=1))
    assert (list(paged.returned_rowset_ids), paged.has_more, len(paged.rowset_ids)) == (["r1"], True, 6)
    uneven = get_req(T1, [("r1", 0, 9)])
    uneven.end_versions.append(1)
    await expect_error(env, get_delete_bitmap, uneven, Code.INVALID_ARGUMENT)
    await env.call(remove_delete_bitmap, pb.RemoveDeleteBitmapRequest(
        cloud_unique_id=CUID, tablet_id=T1, rowset_ids=["r1"], begin_versions=[3], end_versions=[3]))  # fmt: skip
    left = await env.call(get_delete_bitmap, get_req(T1, [("r1", 0, 9)]))
    assert [(v, s) for _, v, s, _ in triples(left)] == [(2, 0), (2, 1), (4, 0), (4, 1)]


async def test_get_refuses_stale_compaction_counters(env: Env) -> None:
    """Upstream's GetDeleteBitmapWithIdx: no stats is TABLET_NOT_FOUND; any counter or the
    cumulative point differing from the tablet's is ROWSETS_EXPIRED."""
    full = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=10002, partition_id=PART, tablet_id=T1)
    counters = {"base_compaction_cnt": 0, "cumulative_compaction_cnt": 0, "cumulative_point": 2}
    await expect_error(env, get_delete_bitmap, get_req(T1, [], idx=full, **counters), Code.TABLET_NOT_FOUND)
    await make_tablets(env, [T1])
    for field in counters:
        await expect_error(
            env, get_delete_bitmap, get_req(T1, [], idx=full, **{**counters, field: counters[field] + 1}),
            Code.ROWSETS_EXPIRED,
        )  # fmt: skip
    idx = pb.TabletIndexPB(tablet_id=T1)
    ok = get_req(T1, [], idx=idx, base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=2)
    await env.call(get_delete_bitmap, ok)
    stale = get_req(T1, [], idx=idx, base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=1)
    await expect_error(env, get_delete_bitmap, stale, Code.ROWSETS_EXPIRED, "rowsets are expired")


async def test_large_bitmap_is_split_and_read_back_byte_for_byte(env: Env) -> None:
    await env.call(get_delete_bitmap_update_lock, lock_req(100))
    big = bytes((i * 7 + i // 251) % 256 for i in range(250_001))
    await env.call(update_delete_bitmap, update_req(100, T1, [("r1", 2, 0, big), ("r1", 2, 1, b"")]))
    base = keys.meta_delete_bitmap_key(IID, T1, "r1", 2, 0)
    chunks = await run_txn(env.svc.kv, lambda t: t.get_range(base, bitmaps.chunk_end(base)))
    assert [k for k, _ in chunks] == [base + keys.encode_int64(i) for i in range(3)]  # 90,000-byte chunks
    assert [len(v) for _, v in chunks] == [90_000, 90_000, 70_001]
    got = await env.call(get_delete_bitmap, get_req(T1, [("r1", 2, 2)]))
    assert triples(got) == [("r1", 2, 0, big), ("r1", 2, 1, b"")]
    # rewriting it smaller leaves no stale chunk behind
    await env.call(update_delete_bitmap, update_req(100, T1, [("r1", 2, 0, b"small")]))
    got = await env.call(get_delete_bitmap, get_req(T1, [("r1", 2, 2)]))
    assert triples(got)[0] == ("r1", 2, 0, b"small")


# -- loads and compactions on a MoW table ----------------------------------------------------------


async def _prepared_load(env: Env, label: str, tablet_id: int) -> int:
    txn_id = int((await env.call(begin_txn, begin_req(label))).txn_id)
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, tablet_id, f"rs-{label}"))
    await env.call(prepare_rowset, req)
    await env.call(commit_rowset, req)
    return txn_id


async def test_two_overlapping_loads_and_commit_consuming_the_lock(env: Env) -> None:
    await make_tablets(env, [T1, T2])
    a = await _prepared_load(env, "a", T1)
    b = await _prepared_load(env, "b", T1)
    await env.call(get_delete_bitmap_update_lock, lock_req(a))
    await expect_error(env, get_delete_bitmap_update_lock, lock_req(b), Code.LOCK_CONFLICT)
    # load a's first publish attempt, then a retry with other bitmaps: the first attempt's go
    await env.call(update_delete_bitmap, update_req(a, T1, [("rs-a", 2, 0, b"try1"), ("old", 2, 0, b"x")]))
    await env.call(update_delete_bitmap, update_req(a, T1, [("rs-a", 2, 0, b"try2")]))
    pending = await run_txn(env.svc.kv, lambda t: bitmaps.load_pending(t, IID, T1))
    assert pending is not None and list(pending.delete_bitmap_keys) == [
        keys.meta_delete_bitmap_key(IID, T1, "rs-a", 2, 0)
    ]
    got = await env.call(get_delete_bitmap, get_req(T1, [("rs-a", 0, 9), ("old", 0, 9)]))
    assert triples(got) == [("rs-a", 2, 0, b"try2")]
    # b's commit without the lock is refused and leaves b PREPARED
    await expect_error(env, commit_txn, pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=b, mow_table_ids=[TABLE]),
                       Code.LOCK_EXPIRED, "lock is expired")  # fmt: skip
    info = (await env.call(get_txn, pb.GetTxnRequest(cloud_unique_id=CUID, txn_id=b, db_id=DB))).txn_info
    assert info.status == pb.TXN_STATUS_PREPARED
    done = await env.call(commit_txn, pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=a, mow_table_ids=[TABLE]))
    assert list(done.versions) == [2]
    assert await lock_record(env) is None
    assert await raw(env, keys.meta_pending_delete_bitmap_key(IID, T1)) is None
    assert triples(await env.call(get_delete_bitmap, get_req(T1, [("rs-a", 0, 9)]))) == [("rs-a", 2, 0, b"try2")]
    # now b takes the lock; its bitmaps are checked against the version it is about to publish
    await env.call(get_delete_bitmap_update_lock, lock_req(b))
    stale = update_req(b, T1, [("rs-b", 2, 0, b"b")], txn_id=b, next_visible_version=2)
    err = await expect_error(env, update_delete_bitmap, stale, Code.VERSION_NOT_MATCH)
    assert "found partition's max version is 2, but request next_visible_version is 2" in err.msg
    await env.call(update_delete_bitmap, update_req(b, T1, [("rs-b", 3, 0, b"b")], txn_id=b, next_visible_version=3))
    await env.call(commit_txn, pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=b, mow_table_ids=[TABLE]))
    missing = pb.CommitTxnRequest(
        cloud_unique_id=CUID, txn_id=await _prepared_load(env, "c", T2), mow_table_ids=[TABLE]
    )
    err = await expect_error(env, commit_txn, missing, Code.LOCK_EXPIRED)
    assert err.msg.startswith(f"get delete bitmap update lock info, lock is expired table_id={TABLE}")


async def _compaction_ready(env: Env, initiator: int) -> Any:
    for i in range(4):
        await load(env, [T1], f"l{i}")  # versions 2..5
    out = rowset(9_000_000, T1, "out", rows=400)
    await env.call(commit_rowset, pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out))
    await env.call(start_tablet_job, start_req(compaction("cc", env, versions=(2, 5))))
    done = compaction("cc", env, versions=(2, 5), output_cumulative_point=6, delete_bitmap_lock_initiator=initiator)
    done.output_versions.append(5)
    done.output_rowset_ids.append("out")
    done.txn_id.append(9_000_000)
    return done


async def test_compaction_holds_the_lock_under_its_initiator(env: Env) -> None:
    await make_tablets(env, [T1])
    done = await _compaction_ready(env, initiator=42)
    await expect_error(env, finish_tablet_job, finish_req(done, A.COMMIT), Code.KV_TXN_GET_ERR)  # no lock held
    await env.call(get_delete_bitmap_update_lock, lock_req(bitmaps.COMPACTION_LOCK_ID, initiator=41))
    await env.call(get_delete_bitmap_update_lock, lock_req(bitmaps.COMPACTION_LOCK_ID, initiator=42))
    await expect_error(env, get_delete_bitmap_update_lock, lock_req(77), Code.LOCK_CONFLICT)  # a load waits
    await env.call(update_delete_bitmap, update_req(-1, T1, [("out", 5, 0, b"c")], initiator=42))
    await env.call(finish_tablet_job, finish_req(done, A.COMMIT))
    lock = await lock_record(env)
    assert lock is not None and list(lock.initiators) == [41]  # the other compaction still holds it
    again = await _compaction_ready_again(env)
    await env.call(finish_tablet_job, finish_req(again, A.ABORT))  # abort releases 41's hold quietly
    assert await lock_record(env) is None


async def _compaction_ready_again(env: Env) -> Any:
    c = compaction("cc2", env, versions=(6, 6), cumulative_compaction_cnt=1, delete_bitmap_lock_initiator=41)
    await env.call(start_tablet_job, start_req(c))
    return c


async def test_rowsets_of_finished_loads_are_refused(env: Env) -> None:
    """Upstream's enable_load_txn_status_check: a late prepare/commit_rowset of a load whose txn is
    no longer PREPARED is INVALID_ARGUMENT and writes nothing."""
    await make_tablets(env, [T1])
    txn_id = await _prepared_load(env, "late", T1)
    await env.call(commit_txn, pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    late = rowset(txn_id, T1, "rs-late")
    late.load_id.hi, late.load_id.lo = 1, 2
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=late)
    msg = f"txn is not in 1 state, txn_id={txn_id}, txn_status=3"
    await expect_error(env, prepare_rowset, req, Code.INVALID_ARGUMENT, msg)
    await expect_error(env, commit_rowset, req, Code.INVALID_ARGUMENT, msg)
    assert await raw(env, keys.recycle_rowset_key(IID, T1, "rs-late")) is None
    unknown = rowset(123_456, T1, "rs-unknown")
    unknown.load_id.hi, unknown.load_id.lo = 1, 1
    await expect_error(env, prepare_rowset, pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=unknown),
                       Code.KV_TXN_GET_ERR, "failed to get db id, txn_id=123456 err=KeyNotFound")  # fmt: skip
    env.svc.settings.enable_load_txn_status_check = False
    await env.call(prepare_rowset, req)


async def test_large_bitmap_round_trip_on_every_store(kv_url: str) -> None:
    """A bitmap over the value limit of the store (100,000 bytes), on SQLite and on the 3-member
    etcd cluster: stored in chunks, read back byte for byte, removed whole."""
    kv = open_store(kv_url)
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    try:

        async def seed(txn: Any) -> None:
            txn.put(keys.instance_key(IID), pb.InstanceInfoPB(instance_id=IID).SerializeToString())

        await run_txn(kv, seed)

        async def call(op: Any, req: Any) -> Any:
            return (await run_txn(kv, lambda t: op(svc, t, req))).result

        big = bytes(range(256)) * 1200 + b"\x00tail"  # 307,205 bytes: 4 chunks
        await call(get_delete_bitmap_update_lock, lock_req(100))
        await call(update_delete_bitmap, update_req(100, T1, [("r1", 2, 0, big)]))
        got = await call(get_delete_bitmap, get_req(T1, [("r1", 0, 9)]))
        assert triples(got) == [("r1", 2, 0, big)]
        await call(remove_delete_bitmap, pb.RemoveDeleteBitmapRequest(
            cloud_unique_id=CUID, tablet_id=T1, rowset_ids=["r1"], begin_versions=[0], end_versions=[9]))  # fmt: skip
        assert triples(await call(get_delete_bitmap, get_req(T1, [("r1", 0, 9)]))) == []
    finally:
        await kv.close()


async def test_request_larger_than_one_store_transaction(kv_url: str) -> None:
    """Upstream's "large size txn" case: more bitmap bytes (and, on etcd, more keys) than one store
    transaction takes are written in several, each under the lock, and read back whole."""
    kv = open_store(kv_url)
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    try:
        await run_txn(kv, lambda t: _seed_instance(t))

        async def call(op: Any, req: Any) -> Any:
            return (await run_txn(kv, lambda t: op(svc, t, req))).result

        large = bytes(range(256)) * 1172  # 300,032 bytes
        # 12 MB > SQLite's and PostgreSQL's 10 MB; 1.8 MB > etcd's ~1 MB
        n_large = 6 if kv_url.startswith("etcd") else 40
        items = [("123", v, 1, large[v:] + bytes([v])) for v in range(n_large)]
        items += [("124", 3, seg, f"small{seg}".encode()) for seg in range(150)]  # > etcd's 128 operations
        assert len(bitmaps.plan_writes([], [(b"k", v) for *_, v in items], kv.limits)) > 1
        await call(get_delete_bitmap_update_lock, lock_req(888))
        await call(update_delete_bitmap, update_req(888, T1, items))
        got = await call(get_delete_bitmap, get_req(T1, [("123", 0, 100), ("124", 0, 3)]))
        assert triples(got) == sorted(items, key=lambda i: (i[0], i[1], i[2]))
        removal = pb.RemoveDeleteBitmapRequest(
            cloud_unique_id=CUID, tablet_id=T1, rowset_ids=["124"] * 75 + ["nosuch"] * 60,
            begin_versions=[3] * 75 + [0] * 60, end_versions=[3] * 75 + [9] * 60,
        )  # fmt: skip
        # 135 ranges: more than etcd's 128 operations in one transaction
        await call(remove_delete_bitmap, removal)
        assert not (await call(get_delete_bitmap, get_req(T1, [("124", 0, 9)]))).rowset_ids
        pending = await run_txn(kv, lambda t: bitmaps.load_pending(t, IID, T1))
        assert pending is not None and len(pending.delete_bitmap_keys) == len(items)
        # the load's next attempt removes them all before writing its own
        await call(update_delete_bitmap, update_req(888, T1, [("125", 4, 0, b"retry")]))
        got = await call(get_delete_bitmap, get_req(T1, [("123", 0, 100), ("124", 0, 3), ("125", 0, 9)]))
        assert triples(got) == [("125", 4, 0, b"retry")]
        assert not triples(await call(get_delete_bitmap, get_req(T1, [("123", 0, 100)])))
    finally:
        await kv.close()


async def _seed_instance(txn: Any) -> None:
    txn.put(keys.instance_key(IID), pb.InstanceInfoPB(instance_id=IID).SerializeToString())


async def test_sub_txn_loads_are_checked_against_their_parent(env: Env) -> None:
    """An explicit transaction's sub txn has no txn info of its own: its rowsets are accepted while
    the parent is PREPARED and refused once it is committed; the commit consumes the MoW lock."""
    await make_tablets(env, [T1])
    parent = int((await env.call(begin_txn, begin_req("explicit"))).txn_id)
    sub_req = pb.BeginSubTxnRequest(cloud_unique_id=CUID, txn_id=parent, sub_txn_num=0, db_id=DB,
                                    table_ids=[TABLE], label="explicit")  # fmt: skip
    sub = int((await env.call(begin_sub_txn, sub_req)).sub_txn_id)
    rs = rowset(sub, T1, "rs-sub")
    rs.load_id.hi, rs.load_id.lo = 9, 9
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    await env.call(prepare_rowset, req)
    await env.call(commit_rowset, req)
    await env.call(get_delete_bitmap_update_lock, lock_req(parent))
    bitmap = update_req(parent, T1, [("init", 2, 0, b"sub")], is_explicit_txn=True, txn_id=parent)
    await env.call(update_delete_bitmap, bitmap)
    commit = pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=parent, is_txn_load=True, mow_table_ids=[TABLE],
                                 sub_txn_infos=[pb.SubTxnInfo(sub_txn_id=sub, table_id=TABLE)])  # fmt: skip
    await env.call(commit_txn, commit)
    assert await lock_record(env) is None
    await expect_error(env, commit_rowset, req, Code.INVALID_ARGUMENT,
                       f"txn is not in 1 state, txn_id={parent}, txn_status=3")  # fmt: skip
