"""The FE/BE transaction RPCs beyond begin/commit/abort: label look-ups and cleaning, the
schema-change watermark, coordinator aborts, sub-transactions, commit_txn's reply (trap 6/7)."""

from __future__ import annotations

from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.ops.subtxn import abort_sub_txn, begin_sub_txn
from dorisctl.metaservice.ops.tablet import commit_rowset, get_version, prepare_rowset, update_tmp_rowset
from dorisctl.metaservice.ops.txn import abort_txn, begin_txn, commit_txn, get_txn, precommit_txn
from dorisctl.metaservice.ops.txnlabel import (
    abort_txn_with_coordinator,
    check_txn_conflict,
    clean_txn_label,
    get_current_max_txn_id,
    get_txn_id,
)
from dorisctl.metaservice.proto import cloud_pb2
from tests.unit.metaservice.conftest import CUID, Env
from tests.unit.metaservice.test_txn import DB, begin_req, expect_error, info_of, load, make_tablets, rowset, stats

S = cloud_pb2.TxnStatusPB


async def begin(env: Env, label: str, **kw: object) -> int:
    req = begin_req(label)
    for k, v in kw.items():
        getattr(req.txn_info, k).CopyFrom(v) if k == "coordinator" else setattr(req.txn_info, k, v)
    return int((await env.call(begin_txn, req)).txn_id)


async def put_rowset(env: Env, txn_id: int, tablet_id: int) -> None:
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, tablet_id))
    await env.call(prepare_rowset, req)
    await env.call(commit_rowset, req)


# -- commit_txn's reply ------------------------------------------------------------------------


async def test_commit_reply_carries_versions_and_update_time_and_a_retry_is_ok(env: Env) -> None:
    await make_tablets(env, [1, 2])
    await make_tablets(env, [3], partition_id=20003)
    done = await load(env, [1, 2, 3], "l1")
    assert list(zip(done.table_ids, done.partition_ids, done.versions, strict=True)) == [
        (10001, 10003, 2),
        (10001, 20003, 2),
    ]
    assert done.version_update_time_ms == int(env.clock.now * 1000)
    again = await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=done.txn_info.txn_id))
    assert again.txn_info.status == S.TXN_STATUS_VISIBLE  # trap 6: a retried commit is OK
    two_pc = cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=done.txn_info.txn_id, is_2pc=True)
    err = await expect_error(env, commit_txn, two_pc, Code.TXN_ALREADY_VISIBLE)
    assert isinstance(err.result, cloud_pb2.CommitTxnResponse)
    assert err.result.txn_info.txn_id == done.txn_info.txn_id
    await expect_error(
        env, commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT,
        "invalid argument, missing txn id",
    )  # fmt: skip
    await expect_error(
        env, commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id="1:nosuch:x", txn_id=1), Code.INVALID_ARGUMENT,
        "empty instance_id",
    )  # fmt: skip


async def test_precommit_messages_and_missing_ids(env: Env) -> None:
    await expect_error(
        env, precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT,
        "invalid argument, txn_id=-1 db_id=-1",
    )  # fmt: skip
    await expect_error(
        env, precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=777), Code.TXN_ID_NOT_FOUND,
        "failed to get db id with txn_id=777 err=KeyNotFound",
    )  # fmt: skip
    t = await begin(env, "p")
    await env.call(precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=t))
    await expect_error(
        env, precommit_txn, cloud_pb2.PrecommitTxnRequest(cloud_unique_id=CUID, txn_id=t),
        Code.TXN_ALREADY_PRECOMMITED, f"transaction is already precommited: db_id={DB} txn_id={t}",
    )  # fmt: skip


async def test_get_txn_by_label_takes_the_highest_id(env: Env) -> None:
    await expect_error(
        env, get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT,
        "invalid txn_id, it may be not given or set properly, txn_id=-1",
    )  # fmt: skip
    t = await begin(env, "g")
    got = await env.call(get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=CUID, db_id=DB, label="g"))
    assert got.txn_info.txn_id == t
    await expect_error(
        env, get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=CUID, db_id=DB, label="none"), Code.TXN_ID_NOT_FOUND,
        "Label [none] has not found",
    )  # fmt: skip


# -- labels --------------------------------------------------------------------------------------


async def test_get_txn_id_newest_or_by_status(env: Env) -> None:
    await expect_error(
        env, get_txn_id, cloud_pb2.GetTxnIdRequest(cloud_unique_id=CUID, label="x"), Code.INVALID_ARGUMENT,
        "missing db id",
    )  # fmt: skip
    await expect_error(
        env, get_txn_id, cloud_pb2.GetTxnIdRequest(cloud_unique_id="1:nosuch:x", db_id=DB, label="x"),
        Code.INVALID_ARGUMENT, "cannot find instance_id with cloud_unique_id=1:nosuch:x",
    )  # fmt: skip
    await expect_error(
        env, get_txn_id, cloud_pb2.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="x"), Code.TXN_ID_NOT_FOUND
    )
    first = await begin(env, "x")
    await env.call(abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=CUID, txn_id=first))
    second = await begin(env, "x")
    newest = await env.call(get_txn_id, cloud_pb2.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="x"))
    assert newest.txn_id == second
    aborted = cloud_pb2.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="x", txn_status=[S.TXN_STATUS_ABORTED])
    assert (await env.call(get_txn_id, aborted)).txn_id == first
    visible = cloud_pb2.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="x", txn_status=[S.TXN_STATUS_VISIBLE])
    await expect_error(env, get_txn_id, visible, Code.TXN_ID_NOT_FOUND, "transaction not found, label=x")


async def test_clean_txn_label_keeps_running_txns(env: Env) -> None:
    await expect_error(
        env, clean_txn_label, cloud_pb2.CleanTxnLabelRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT,
        "missing db id",
    )  # fmt: skip
    await make_tablets(env, [1])
    done = await load(env, [1], "a")
    running = await begin(env, "b")
    await env.call(clean_txn_label, cloud_pb2.CleanTxnLabelRequest(cloud_unique_id=CUID, db_id=DB))
    await expect_error(
        env, get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=CUID, db_id=DB, txn_id=done.txn_info.txn_id),
        Code.TXN_ID_NOT_FOUND,
    )  # fmt: skip
    assert (await info_of(env, running)).status == S.TXN_STATUS_PREPARED
    again = await begin(env, "a")  # the cleaned label is free; the running one is not
    assert again > running
    await expect_error(env, begin_txn, begin_req("b"), Code.TXN_LABEL_ALREADY_USED)
    await env.call(clean_txn_label, cloud_pb2.CleanTxnLabelRequest(cloud_unique_id=CUID, db_id=DB, labels=["b"]))
    assert (await info_of(env, running)).status == S.TXN_STATUS_PREPARED


# -- schema-change watermark -------------------------------------------------------------------


async def test_current_max_txn_id_and_conflicts_below_it(env: Env) -> None:
    none = await env.call(get_current_max_txn_id, cloud_pb2.GetCurrentMaxTxnRequest(cloud_unique_id=CUID))
    assert none.current_max_txn_id == 1  # the next id: below it, nothing has begun
    await expect_error(
        env, get_current_max_txn_id, cloud_pb2.GetCurrentMaxTxnRequest(cloud_unique_id="1:nosuch:x"),
        Code.INVALID_ARGUMENT, "empty instance_id",
    )  # fmt: skip
    t = await begin(env, "w")
    mark = await env.call(get_current_max_txn_id, cloud_pb2.GetCurrentMaxTxnRequest(cloud_unique_id=CUID))
    assert mark.current_max_txn_id > t
    later = await begin(env, "w2")
    assert later >= mark.current_max_txn_id  # begun after the watershed: outside [0, end_txn_id)

    def check(table: int) -> cloud_pb2.CheckTxnConflictRequest:
        return cloud_pb2.CheckTxnConflictRequest(
            cloud_unique_id=CUID, db_id=DB, end_txn_id=mark.current_max_txn_id, table_ids=[table]
        )

    busy = await env.call(check_txn_conflict, check(10001))
    assert not busy.finished and [i.txn_id for i in busy.conflict_txns] == [t]
    assert (await env.call(check_txn_conflict, check(99))).finished
    env.clock.now += 3600  # the running txn timed out: no longer a conflict
    assert (await env.call(check_txn_conflict, check(10001))).finished
    await expect_error(
        env, check_txn_conflict, cloud_pb2.CheckTxnConflictRequest(cloud_unique_id=CUID, db_id=DB),
        Code.INVALID_ARGUMENT, "invalid db id, end txn id or table_ids.",
    )  # fmt: skip


async def test_abort_txn_with_coordinator_aborts_the_restarted_bes_prepared_txns(env: Env) -> None:
    def coord(source: cloud_pb2.TxnSourceTypePB, start: int) -> cloud_pb2.TxnCoordinatorPB:
        return cloud_pb2.TxnCoordinatorPB(sourceType=source, ip="10.0.0.5", id=7, start_time=start)

    be_old = await begin(env, "c1", coordinator=coord(cloud_pb2.TXN_SOURCE_TYPE_BE, 100))
    be_new = await begin(env, "c2", coordinator=coord(cloud_pb2.TXN_SOURCE_TYPE_BE, 300))
    fe_old = await begin(env, "c3", coordinator=coord(cloud_pb2.TXN_SOURCE_TYPE_FE, 100))
    req = cloud_pb2.AbortTxnWithCoordinatorRequest(cloud_unique_id=CUID, ip="10.0.0.5", id=7, start_time=200)
    await env.call(abort_txn_with_coordinator, req)
    old = await info_of(env, be_old)
    assert (old.status, old.reason) == (S.TXN_STATUS_ABORTED, "Abort because coordinate be restart/stop")
    assert (await info_of(env, be_new)).status == S.TXN_STATUS_PREPARED
    assert (await info_of(env, fe_old)).status == S.TXN_STATUS_PREPARED
    await expect_error(
        env, abort_txn_with_coordinator, cloud_pb2.AbortTxnWithCoordinatorRequest(cloud_unique_id=CUID, ip="x"),
        Code.INVALID_ARGUMENT, "invalid coordinate id, coordinate ip or coordinate start time.",
    )  # fmt: skip


# -- sub-transactions ----------------------------------------------------------------------------


async def test_sub_txns_commit_one_version_per_sub_txn_and_partition(env: Env) -> None:
    await make_tablets(env, [1, 2])
    t = await begin(env, "explicit")

    async def sub(num: int) -> int:
        req = cloud_pb2.BeginSubTxnRequest(
            cloud_unique_id=CUID, txn_id=t, sub_txn_num=num, db_id=DB, table_ids=[10001], label="explicit"
        )
        resp = await env.call(begin_sub_txn, req)
        assert len(resp.txn_info.sub_txn_ids) == num + 1
        return int(resp.sub_txn_id)

    s1 = await sub(0)
    err = await expect_error(
        env, begin_sub_txn,
        cloud_pb2.BeginSubTxnRequest(cloud_unique_id=CUID, txn_id=t, sub_txn_num=0, db_id=DB, table_ids=[1],
                                     label="explicit"),
        Code.UNDEFINED_ERR,
    )  # fmt: skip
    assert err.msg == f"sub_txn_num mismatch, txn_id={t}, expected sub_txn_num=0, txn_info.sub_txn_ids=[{s1}, ]"
    s2 = await sub(1)
    s3 = await sub(2)
    aborted = await env.call(
        abort_sub_txn,
        cloud_pb2.AbortSubTxnRequest(cloud_unique_id=CUID, txn_id=t, sub_txn_id=s3, sub_txn_num=3, db_id=DB,
                                     table_ids=[10001]),
    )  # fmt: skip
    assert list(aborted.txn_info.sub_txn_ids) == [s1, s2, s3]
    await put_rowset(env, s1, 1)
    await put_rowset(env, s1, 2)
    await put_rowset(env, s2, 1)
    req = cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t, is_txn_load=True)
    req.sub_txn_infos.add(sub_txn_id=s1, table_id=10001)
    req.sub_txn_infos.add(sub_txn_id=s2, table_id=10001)
    done = await env.call(commit_txn, req)
    assert (list(done.partition_ids), list(done.versions)) == ([10003], [3])
    assert done.txn_info.status == S.TXN_STATUS_VISIBLE
    ver = await env.call(
        get_version, cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=10001, partition_id=10003)
    )
    assert ver.version == 3
    assert ((await stats(env, 1)).num_rowsets, (await stats(env, 2)).num_rowsets) == (3, 2)
    await expect_error(
        env, begin_sub_txn, cloud_pb2.BeginSubTxnRequest(cloud_unique_id=CUID, txn_id=t), Code.INVALID_ARGUMENT,
        "invalid argument, txn_id=" + str(t) + ", sub_txn_num=-1 db_id=-1, label=, table_ids=[]",
    )  # fmt: skip
    again = cloud_pb2.BeginSubTxnRequest(
        cloud_unique_id=CUID, txn_id=t, sub_txn_num=3, db_id=DB, table_ids=[10001], label="explicit"
    )
    await expect_error(env, begin_sub_txn, again, Code.TXN_INVALID_STATUS)


async def test_update_tmp_rowset_needs_the_committed_tmp_rowset(env: Env) -> None:
    await make_tablets(env, [1])
    t = await begin(env, "pu")
    rs = rowset(t, 1)
    await expect_error(
        env, update_tmp_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs),
        Code.ROWSET_META_NOT_FOUND, "can't find the rowset",
    )  # fmt: skip
    await put_rowset(env, t, 1)
    rs.num_rows = 7
    await env.call(update_tmp_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs))
    await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=t))
    assert (await stats(env, 1)).num_rows == 7
    no_schema = rowset(t, 1)
    no_schema.ClearField("schema_version")
    await expect_error(
        env, update_tmp_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=no_schema),
        Code.INVALID_ARGUMENT, "rowset_meta must have either schema or schema_version",
    )  # fmt: skip
