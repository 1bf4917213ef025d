"""Load transactions over a real SQLite store: state machine, labels, versions, stats (spec 7.2-7.6)."""

from __future__ import annotations

import asyncio

import pytest

from dorisctl.kv import decode_counter, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.ops.tablet import commit_rowset, create_tablets, get_tablet_stats, get_version, prepare_rowset
from dorisctl.metaservice.ops.txn import abort_txn, begin_txn, commit_txn, get_txn, precommit_txn
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env, tablet_meta

S = cloud_pb2.TxnStatusPB
DB = 1


def begin_req(label: str = "l1", timeout_ms: int = 60_000, request_id: tuple[int, int] | None = None):
    info = cloud_pb2.TxnInfoPB(db_id=DB, label=label, table_ids=[10001], timeout_ms=timeout_ms)
    if request_id is not None:
        info.request_id.hi, info.request_id.lo = request_id
    return cloud_pb2.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)


async def expect_error(env: Env, op, req, code: int, msg: str | None = None) -> MetaServiceError:
    with pytest.raises(MetaServiceError) as ei:
        await env.call(op, req)
    assert ei.value.code == code, ei.value
    if msg is not None:
        assert ei.value.msg == msg
    return ei.value


async def make_tablets(env: Env, tablet_ids: list[int], **kw) -> None:
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB)
    for t in tablet_ids:
        req.tablet_metas.append(tablet_meta(t, **kw))
    await env.call(create_tablets, req)


def rowset(txn_id: int, tablet_id: int, rid: str | None = None, rows: int = 100) -> olap_file_pb2.RowsetMetaCloudPB:
    return olap_file_pb2.RowsetMetaCloudPB(
        rowset_id=0,
        tablet_id=tablet_id,
        txn_id=txn_id,
        rowset_id_v2=rid or f"r{txn_id}_{tablet_id}",
        num_rows=rows,
        total_disk_size=11000,
        data_disk_size=10000,
        index_disk_size=1000,
        num_segments=1,
        txn_expiration=10**10,
        index_id=10002,
        schema_version=0,
    )


async def load(env: Env, tablet_ids: list[int], label: str) -> cloud_pb2.CommitTxnResponse:
    txn_id = (await env.call(begin_txn, begin_req(label))).txn_id
    for t in tablet_ids:
        req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, t))
        await env.call(prepare_rowset, req)
        await env.call(commit_rowset, req)
    resp: cloud_pb2.CommitTxnResponse = await env.call(
        commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)
    )
    return resp


async def info_of(env: Env, txn_id: int) -> cloud_pb2.TxnInfoPB:
    resp = await env.call(get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    info: cloud_pb2.TxnInfoPB = resp.txn_info
    return info


async def stats(env: Env, tablet_id: int) -> cloud_pb2.TabletStatsPB:
    req = cloud_pb2.GetTabletStatsRequest(cloud_unique_id=CUID)
    req.tablet_idx.add(tablet_id=tablet_id)
    st: cloud_pb2.TabletStatsPB = (await env.call(get_tablet_stats, req)).tablet_stats[0]
    return st


# -- begin_txn ----------------------------------------------------------------------------------


async def test_begin_validation(env: Env) -> None:
    await expect_error(
        env,
        begin_txn,
        cloud_pb2.BeginTxnRequest(cloud_unique_id=CUID),
        Code.INVALID_ARGUMENT,
        "invalid argument, missing txn info",
    )
    bad = begin_req("")
    await expect_error(env, begin_txn, bad, Code.INVALID_ARGUMENT, "invalid argument, label= db_id=1")
    no_timeout = begin_req()
    no_timeout.txn_info.ClearField("timeout_ms")
    await expect_error(env, begin_txn, no_timeout, Code.INVALID_ARGUMENT, "invalid argument, label=l1 db_id=1")
    nocuid = begin_req()
    nocuid.cloud_unique_id = "1:nosuch:x"
    await expect_error(
        env,
        begin_txn,
        nocuid,
        Code.INVALID_ARGUMENT,
        "cannot find instance_id with cloud_unique_id=1:nosuch:x label=l1",
    )


async def test_begin_writes_records_and_ids_increase(env: Env) -> None:
    a = (await env.call(begin_txn, begin_req("a"))).txn_id
    b = (await env.call(begin_txn, begin_req("b"))).txn_id
    assert 0 < a < b
    info = await info_of(env, a)
    assert info.status == S.TXN_STATUS_PREPARED and info.label == "a"
    assert info.prepare_time == int(env.clock.now * 1000)

    async def read(txn):
        return await txn.get(keys.txn_running_key(IID, DB, a))

    running = cloud_pb2.TxnRunningPB()
    running.ParseFromString(await run_txn(env.svc.kv, read))
    assert running.timeout_time == info.prepare_time + 60_000 and list(running.table_ids) == [10001]


async def test_label_reuse_rules(env: Env) -> None:
    first = (await env.call(begin_txn, begin_req("lbl", request_id=(1, 2)))).txn_id
    # same request id while PREPARED -> duplicated request, carrying the first id
    err = await expect_error(env, begin_txn, begin_req("lbl", request_id=(1, 2)), Code.TXN_DUPLICATED_REQ)
    assert err.result is not None and isinstance(err.result, cloud_pb2.BeginTxnResponse)
    assert err.result.dup_txn_id == first
    # another request id -> label used
    err = await expect_error(
        env,
        begin_txn,
        begin_req("lbl", request_id=(3, 4)),
        Code.TXN_LABEL_ALREADY_USED,
        f"Label [lbl] has already been used, relate to txn [{first}], status=[TXN_STATUS_PREPARED]",
    )
    # aborted -> reusable
    await env.call(abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=first))
    second = (await env.call(begin_txn, begin_req("lbl"))).txn_id
    assert second > first
    # visible -> used for good
    await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=second))
    err = await expect_error(env, begin_txn, begin_req("lbl", request_id=(1, 2)), Code.TXN_LABEL_ALREADY_USED)
    assert err.result is not None and isinstance(err.result, cloud_pb2.BeginTxnResponse)
    assert err.result.txn_status == S.TXN_STATUS_VISIBLE


async def test_too_many_aborted(env: Env) -> None:
    env.svc.settings.max_num_aborted_txn = 3
    for _ in range(3):
        t = (await env.call(begin_txn, begin_req("x"))).txn_id
        await env.call(abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=t))
    err = await expect_error(env, begin_txn, begin_req("x"), Code.INVALID_ARGUMENT)
    assert err.msg.startswith("too many aborted txn for label=x txn_id=")
    assert err.msg.endswith(", please check your data quality")


async def test_concurrent_begins_get_distinct_ids(env: Env) -> None:
    replies = await asyncio.gather(*(env.call(begin_txn, begin_req(f"c{i}")) for i in range(12)))
    ids = [r.txn_id for r in replies]
    assert len(set(ids)) == 12


# -- state machine -------------------------------------------------------------------------------


async def test_precommit_transitions(env: Env) -> None:
    t = (await env.call(begin_txn, begin_req())).txn_id
    pre = cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=t, precommit_timeout_ms=5000)
    # 2PC commit of a PREPARED txn is refused
    c2 = cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t, is_2pc=True)
    await expect_error(env, commit_txn, c2, Code.TXN_INVALID_STATUS)
    await env.call(precommit_txn, pre)
    assert (await info_of(env, t)).status == S.TXN_STATUS_PRECOMMITTED
    await expect_error(env, precommit_txn, pre, Code.TXN_ALREADY_PRECOMMITED)
    resp = await env.call(commit_txn, c2)
    assert resp.txn_info.status == S.TXN_STATUS_VISIBLE
    await expect_error(env, precommit_txn, pre, Code.TXN_ALREADY_VISIBLE)
    await expect_error(
        env, commit_txn, c2, Code.TXN_ALREADY_VISIBLE, f"transaction [{t}] is already visible, not pre-committed."
    )


async def test_commit_refuses_aborted_and_unknown(env: Env) -> None:
    t = (await env.call(begin_txn, begin_req())).txn_id
    await env.call(abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=t, reason="bad data"))
    info = await info_of(env, t)
    assert info.status == S.TXN_STATUS_ABORTED and info.reason == "bad data"
    await expect_error(
        env,
        commit_txn,
        cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t),
        Code.TXN_ALREADY_ABORTED,
        f"transaction [{t}] is already aborted, db_id={DB}",
    )
    await expect_error(
        env, precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=t), Code.TXN_ALREADY_ABORTED
    )
    await expect_error(
        env,
        commit_txn,
        cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=999_999),
        Code.TXN_ID_NOT_FOUND,
        "transaction [999999] not found",
    )


async def test_commit_expired_writes_nothing(env: Env) -> None:
    await make_tablets(env, [1])
    t = (await env.call(begin_txn, begin_req(timeout_ms=1000))).txn_id
    rs = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(t, 1))
    await env.call(commit_rowset, rs)
    env.clock.now += 2
    await expect_error(
        env,
        commit_txn,
        cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t),
        Code.UNDEFINED_ERR,
        f"txn is expired, not allow to commit txn_id={t}",
    )
    assert (await info_of(env, t)).status == S.TXN_STATUS_PREPARED
    ver = cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=10001, partition_id=10003)
    await expect_error(env, get_version, ver, Code.VERSION_NOT_FOUND)


# -- abort_txn (spec 7.6) -------------------------------------------------------------------------


async def test_abort_argument_errors(env: Env) -> None:
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID),
        Code.INVALID_ARGUMENT,
        "invalid txn id and label, db_id=-1 txn_id=-1 label=",
    )
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, label="l"),
        Code.INVALID_ARGUMENT,
        "invalid txn id and label, db_id=-1 txn_id=-1 label=l",
    )
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(txn_id=5),
        Code.INVALID_ARGUMENT,
        "cannot find instance_id with cloud_unique_id=(empty) label= txn_id=5",
    )
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=5),
        Code.TXN_ID_NOT_FOUND,
        "transaction [5] not found",
    )
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=5, db_id=DB),
        Code.TXN_ID_NOT_FOUND,
        f"failed to get txn_info, db_id={DB}txn_id=5err=KeyNotFound",
    )
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, db_id=DB, label="zz"),
        Code.KV_TXN_GET_ERR,
        "txn->get() failed, label=zz err=KeyNotFound",
    )


async def test_abort_by_id_final_states(env: Env) -> None:
    t = (await env.call(begin_txn, begin_req())).txn_id
    by_id = cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=t)
    await env.call(abort_txn, by_id)
    info = await info_of(env, t)
    assert info.reason == "User Abort" and info.finish_time == int(env.clock.now * 1000)
    await expect_error(
        env, abort_txn, by_id, Code.TXN_ALREADY_ABORTED, f"transaction [{t}] is already aborted, db_id={DB}"
    )
    v = (await env.call(begin_txn, begin_req("v"))).txn_id
    await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=v))
    await expect_error(
        env,
        abort_txn,
        cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=v),
        Code.TXN_ALREADY_VISIBLE,
        f"transaction [{v}] is already VISIBLE, db_id={DB}",
    )

    async def recycle(txn):
        return await txn.get(keys.recycle_txn_key(IID, DB, t)), await txn.get(keys.txn_running_key(IID, DB, t))

    rec_raw, running = await run_txn(env.svc.kv, recycle)
    assert running is None
    rec = cloud_pb2.RecycleTxnPB()
    rec.ParseFromString(rec_raw)
    assert rec.label == "l1" and rec.creation_time == info.finish_time


async def test_abort_by_id_also_aborts_committed(env: Env) -> None:
    t = (await env.call(begin_txn, begin_req())).txn_id

    async def mark_committed(txn):
        info = cloud_pb2.TxnInfoPB()
        info.ParseFromString(await txn.get(keys.txn_info_key(IID, DB, t)))
        info.status = S.TXN_STATUS_COMMITTED
        txn.put(keys.txn_info_key(IID, DB, t), info.SerializeToString())

    await run_txn(env.svc.kv, mark_committed)
    await env.call(abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=t))
    assert (await info_of(env, t)).status == S.TXN_STATUS_ABORTED


async def test_abort_by_label(env: Env) -> None:
    t = (await env.call(begin_txn, begin_req("lb"))).txn_id
    await env.call(precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=t))
    req = cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, db_id=DB, label="lb")
    await env.call(abort_txn, req)
    assert (await info_of(env, t)).status == S.TXN_STATUS_ABORTED
    await expect_error(
        env, abort_txn, req, Code.TXN_INVALID_STATUS, f"running transaction not found, db_id={DB} label=lb"
    )


# -- commit_txn: versions, rowsets, stats ---------------------------------------------------------


async def test_first_load_gets_version_2_and_table_counter(env: Env) -> None:
    await make_tablets(env, [1, 2])
    await make_tablets(env, [3], partition_id=20003)
    resp = await load(env, [1, 2, 3], "a")
    assert sorted(zip(resp.partition_ids, resp.versions, strict=True)) == [(10003, 2), (20003, 2)]
    resp = await load(env, [1], "b")
    assert list(resp.versions) == [3]
    tv = await env.call(
        get_version, cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=10001, is_table_version=True)
    )
    assert tv.version == 2
    pv = await env.call(
        get_version, cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=10001, partition_id=10003)
    )
    assert pv.version == 3

    async def read(txn):
        rows = await txn.get_range(keys.meta_rowset_key(IID, 1, 0), keys.meta_rowset_key(IID, 1, 100))
        tmp = await txn.get_range(keys.meta_rowset_tmp_key(IID, 0, 0), keys.meta_rowset_tmp_key(IID, 2**62, 0))
        return rows, tmp

    rows, tmp = await run_txn(env.svc.kv, read)
    versions = []
    for _, v in rows:
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(v)
        versions.append((rs.start_version, rs.end_version))
    assert versions == [(0, 1), (2, 2), (3, 3)]
    assert tmp == []


async def test_commit_txn_retry_is_idempotent(env: Env) -> None:
    await make_tablets(env, [1])
    resp = await load(env, [1], "a")
    t = resp.txn_info.txn_id
    again = await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t))
    assert again.txn_info.status == S.TXN_STATUS_VISIBLE
    st = await stats(env, 1)
    assert st.num_rowsets == 2 and st.num_rows == 100


async def test_commit_rowset_idempotent_and_conflict(env: Env) -> None:
    await make_tablets(env, [1])
    t = (await env.call(begin_txn, begin_req())).txn_id
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(t, 1, "rA"))
    await env.call(prepare_rowset, req)

    async def recycle(txn):
        return await txn.get(keys.recycle_rowset_key(IID, 1, "rA"))

    assert await run_txn(env.svc.kv, recycle) is not None
    await env.call(commit_rowset, req)
    assert await run_txn(env.svc.kv, recycle) is None
    await env.call(commit_rowset, req)  # retry: OK
    other = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(t, 1, "rB"))
    err = await expect_error(env, commit_rowset, other, Code.ALREADY_EXISTED, "rowset already exists")
    assert err.result is not None and err.result.existed_rowset_meta.rowset_id_v2 == "rA"  # type: ignore[attr-defined]
    await expect_error(env, prepare_rowset, other, Code.ALREADY_EXISTED, "rowset already exists")


@pytest.mark.parametrize("split", [True, False])
async def test_stats_worked_example(env: Env, split: bool) -> None:
    env.svc.settings.split_tablet_stats = split
    await make_tablets(env, [10004])
    for i in range(4):
        await load(env, [10004], f"load{i}")
    st = await stats(env, 10004)
    assert (st.data_size, st.num_rows, st.num_rowsets, st.num_segments, st.index_size, st.segment_size) == (
        44000,
        400,
        5,
        4,
        4000,
        40000,
    )

    async def detached(txn):
        key = keys.stats_tablet_detached_key(IID, 10001, 10002, 10003, 10004, "num_rows")
        return await txn.get(key)

    raw = await run_txn(env.svc.kv, detached)
    assert (decode_counter(raw) == 400) if split else raw is None


async def test_concurrent_commits_same_partition_distinct_versions(env: Env) -> None:
    await make_tablets(env, [1, 2])
    replies = await asyncio.gather(*(load(env, [1 + i % 2], f"cc{i}") for i in range(10)))
    versions = [r.versions[0] for r in replies]
    assert sorted(versions) == list(range(2, 12))
    assert (await stats(env, 1)).num_rowsets + (await stats(env, 2)).num_rowsets == 12


async def test_commit_10000_tablets(env: Env) -> None:
    n = 10_000
    tablet_ids = list(range(1, n + 1))
    for i in range(0, n, 2500):
        await make_tablets(env, tablet_ids[i : i + 2500], partition_id=10003 + i // 2500)
    t = (await env.call(begin_txn, begin_req())).txn_id

    async def put_tmp(txn):
        for tid in tablet_ids:
            txn.put(keys.meta_rowset_tmp_key(IID, t, tid), rowset(t, tid).SerializeToString())

    await run_txn(env.svc.kv, put_tmp)
    resp = await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t))
    assert sorted(resp.versions) == [2, 2, 2, 2] and len(resp.partition_ids) == 4
    req = cloud_pb2.GetTabletStatsRequest(cloud_unique_id=CUID)
    for tid in (1, 5000, n):
        req.tablet_idx.add(tablet_id=tid)
    got = await env.call(get_tablet_stats, req)
    assert [s.num_rows for s in got.tablet_stats] == [100, 100, 100]
