"""Compaction jobs over a real SQLite store: start, lease, commit, abort, busy and expiry rules (spec 7.7, 7.8)."""

from __future__ import annotations

from typing import Any

import pytest

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.ops.job import abort_tablet_job, finish_tablet_job, start_tablet_job
from dorisctl.metaservice.ops.tablet import commit_rowset
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env
from tests.unit.metaservice.test_txn import expect_error, load, make_tablets, rowset, stats

CJ = cloud_pb2.TabletCompactionJobPB
A = cloud_pb2.FinishTabletJobRequest
T = 10004


def compaction(job_id: str, env: Env, kind: int = CJ.CUMULATIVE, versions: tuple[int, int] | None = None, **kw: Any):
    now = int(env.clock.now)
    fields: dict[str, Any] = {
        "id": job_id,
        "initiator": "be1",
        "type": kind,
        "base_compaction_cnt": 0,
        "cumulative_compaction_cnt": 0,
        "expiration": now + 100,
        "lease": now + 10,
    }
    fields.update(kw)
    c = CJ(**fields)
    if versions is not None:
        c.input_versions.extend(versions)
    return c


def start_req(c: CJ, tablet_id: int = T) -> cloud_pb2.StartTabletJobRequest:
    req = cloud_pb2.StartTabletJobRequest(cloud_unique_id=CUID)
    req.job.idx.tablet_id = tablet_id
    req.job.compaction.append(c)
    return req


def finish_req(c: CJ, action: Any, tablet_id: int = T) -> cloud_pb2.FinishTabletJobRequest:
    req = cloud_pb2.FinishTabletJobRequest(cloud_unique_id=CUID, action=action)
    req.job.idx.tablet_id = tablet_id
    req.job.compaction.append(c)
    return req


async def job_record(env: Env) -> cloud_pb2.TabletJobInfoPB | None:
    async def read(txn: Any) -> Any:
        return await txn.get(keys.job_tablet_key(IID, 10001, 10002, 10003, T))

    raw = await run_txn(env.svc.kv, read)
    if raw is None:
        return None
    rec = cloud_pb2.TabletJobInfoPB()
    rec.ParseFromString(raw)
    return rec


@pytest.fixture
async def tab(env: Env) -> Env:
    await make_tablets(env, [T])
    return env


async def test_start_validation(tab: Env) -> None:
    env = tab
    await expect_error(
        env, start_tablet_job, start_req(compaction("j", env), 0), Code.INVALID_ARGUMENT, "no valid tablet_id given"
    )
    await expect_error(env, start_tablet_job, start_req(compaction("j", env), 999), Code.TABLET_NOT_FOUND)
    await expect_error(
        env, start_tablet_job, start_req(compaction("", env)), Code.INVALID_ARGUMENT, "no job id specified"
    )
    c = compaction("j", env)
    c.ClearField("base_compaction_cnt")
    await expect_error(env, start_tablet_job, start_req(c), Code.INVALID_ARGUMENT, "no valid compaction_cnt given")
    await expect_error(
        env,
        start_tablet_job,
        start_req(compaction("j", env, expiration=0)),
        Code.INVALID_ARGUMENT,
        "no valid expiration given",
    )
    await expect_error(
        env, start_tablet_job, start_req(compaction("j", env, lease=0)), Code.INVALID_ARGUMENT, "no valid lease given"
    )
    await expect_error(
        env,
        start_tablet_job,
        cloud_pb2.StartTabletJobRequest(cloud_unique_id=CUID),
        Code.INVALID_ARGUMENT,
        "no valid job specified",
    )
    assert await job_record(env) is None


async def test_busy_idempotent_and_expiry(tab: Env) -> None:
    env = tab
    await env.call(start_tablet_job, start_req(compaction("j1", env)))
    await env.call(start_tablet_job, start_req(compaction("j1", env)))  # same id: OK
    err = await expect_error(env, start_tablet_job, start_req(compaction("j2", env)), Code.JOB_TABLET_BUSY)
    assert err.msg.startswith(f"compaction has already started, tablet_id={T} job=")
    # a base compaction runs alongside a cumulative one
    await env.call(start_tablet_job, start_req(compaction("b1", env, kind=CJ.BASE)))
    rec = await job_record(env)
    assert rec is not None and [c.id for c in rec.compaction] == ["j1", "b1"]
    assert rec.idx.table_id == 10001 and rec.idx.partition_id == 10003
    # once j1's lease passed it no longer blocks
    env.clock.now += 11
    await env.call(start_tablet_job, start_req(compaction("j2", env)))
    rec = await job_record(env)
    assert rec is not None and [c.id for c in rec.compaction] == ["j2"]


async def test_version_ranges(tab: Env) -> None:
    env = tab
    await env.call(start_tablet_job, start_req(compaction("j1", env, versions=(2, 5), check_input_versions_range=True)))
    await env.call(start_tablet_job, start_req(compaction("j2", env, versions=(6, 8), check_input_versions_range=True)))
    err = await expect_error(
        env,
        start_tablet_job,
        start_req(compaction("j3", env, versions=(5, 6), check_input_versions_range=True)),
        Code.JOB_TABLET_BUSY,
    )
    assert isinstance(err.result, cloud_pb2.StartTabletJobResponse)
    assert list(err.result.version_in_compaction) == [2, 5, 6, 8]


async def test_full_clears_others(tab: Env) -> None:
    env = tab
    await env.call(start_tablet_job, start_req(compaction("c", env)))
    await env.call(start_tablet_job, start_req(compaction("f", env, kind=CJ.FULL)))
    await expect_error(env, start_tablet_job, start_req(compaction("b", env, kind=CJ.BASE)), Code.JOB_TABLET_BUSY)
    rec = await job_record(env)
    assert rec is not None and [c.id for c in rec.compaction] == ["f"]


async def test_stale_cache(tab: Env) -> None:
    env = tab

    # another BE finished a cumulative compaction meanwhile
    async def bump(txn: Any) -> None:
        key = keys.stats_tablet_key(IID, 10001, 10002, 10003, T)
        st = cloud_pb2.TabletStatsPB()
        st.ParseFromString(await txn.get(key))
        st.cumulative_compaction_cnt = 3
        txn.put(key, st.SerializeToString())

    await run_txn(env.svc.kv, bump)
    await expect_error(env, start_tablet_job, start_req(compaction("j9", env, kind=CJ.BASE)), Code.STALE_TABLET_CACHE)


async def test_lease_and_expired_abort(tab: Env) -> None:
    env = tab
    await env.call(start_tablet_job, start_req(compaction("j1", env)))
    await env.call(finish_tablet_job, finish_req(compaction("j1", env, lease=int(env.clock.now) + 500), A.LEASE))
    rec = await job_record(env)
    assert rec is not None and rec.compaction[0].lease == int(env.clock.now) + 500
    await expect_error(
        env, finish_tablet_job, finish_req(compaction("j1", env, lease=1), A.LEASE), Code.INVALID_ARGUMENT
    )
    env.clock.now += 101  # past the expiration (100 s)
    err = await expect_error(env, abort_tablet_job, finish_req(compaction("j1", env), A.COMMIT), Code.JOB_EXPIRED)
    assert err.msg.startswith(f"expired compaction job, tablet_id={T} job=")
    rec = await job_record(env)
    assert rec is not None and [c.id for c in rec.compaction] == ["j1"]  # the entry stays


async def test_abort(tab: Env) -> None:
    env = tab
    with pytest.raises(MetaServiceError) as ei:
        await env.call(abort_tablet_job, finish_req(compaction("j1", env), A.COMMIT))
    assert ei.value.code == Code.INVALID_ARGUMENT and ei.value.msg.startswith(
        f"job not found, instance_id={IID} tablet_id={T} job="
    )
    await env.call(start_tablet_job, start_req(compaction("j1", env)))
    await expect_error(env, abort_tablet_job, finish_req(compaction("zz", env), A.ABORT), Code.INVALID_ARGUMENT)

    async def lock(txn: Any) -> None:
        txn.put(keys.mow_tablet_job_key(IID, 10001, 77), b"lock")

    await run_txn(env.svc.kv, lock)
    await env.call(abort_tablet_job, finish_req(compaction("j1", env, delete_bitmap_lock_initiator=77), A.COMMIT))
    rec = await job_record(env)
    assert rec is not None and list(rec.compaction) == []

    async def read_lock(txn: Any) -> Any:
        return await txn.get(keys.mow_tablet_job_key(IID, 10001, 77))

    assert await run_txn(env.svc.kv, read_lock) is None
    await expect_error(
        env,
        abort_tablet_job,
        finish_req(compaction("j1", env), A.ABORT),
        Code.INVALID_ARGUMENT,
        f"there is no running compaction, tablet_id={T}",
    )


async def test_commit_compaction(tab: Env) -> None:
    env = tab
    for i in range(4):
        await load(env, [T], f"l{i}")  # versions 2..5
    job_txn = 9_000_000
    out = rowset(job_txn, T, "out", rows=400)
    out.num_segments = 1
    await env.call(commit_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out))
    c = compaction("cc", env, versions=(2, 5))
    await env.call(start_tablet_job, start_req(c))
    done = compaction(
        "cc",
        env,
        versions=(2, 5),
        output_cumulative_point=6,
        num_input_rowsets=4,
        num_output_rowsets=1,
        num_input_segments=4,
        num_output_segments=1,
        num_input_rows=400,
        num_output_rows=400,
        size_input_rowsets=44000,
        size_output_rowsets=30000,
        index_size_input_rowsets=4000,
        index_size_output_rowsets=3000,
        segment_size_input_rowsets=40000,
        segment_size_output_rowsets=27000,
    )
    done.output_versions.append(5)
    done.output_rowset_ids.append("out")
    done.txn_id.append(job_txn)
    resp = await env.call(finish_tablet_job, finish_req(done, A.COMMIT))
    st = await stats(env, T)
    assert resp.stats == st
    assert (st.num_rowsets, st.num_segments, st.num_rows, st.data_size, st.index_size, st.segment_size) == (
        2,
        1,
        400,
        30000,
        3000,
        27000,
    )
    assert st.cumulative_compaction_cnt == 1 and st.cumulative_point == 6

    async def read(txn: Any) -> tuple[list[tuple[bytes, bytes]], bytes | None, bytes | None]:
        rows = await txn.get_range(keys.meta_rowset_key(IID, T, 0), keys.meta_rowset_key(IID, T, 100))
        recycled = await txn.get(keys.recycle_rowset_key(IID, T, f"r2_{T}"))
        tmp = await txn.get(keys.meta_rowset_tmp_key(IID, job_txn, T))
        return rows, recycled, tmp

    rows, recycled, tmp = await run_txn(env.svc.kv, read)
    metas = []
    for _, v in rows:
        m = olap_file_pb2.RowsetMetaCloudPB()
        m.ParseFromString(v)
        metas.append(m.rowset_id_v2)
    assert metas == ["init", "out"] and tmp is None
    rec = cloud_pb2.RecycleRowsetPB()
    assert recycled is not None
    rec.ParseFromString(recycled)
    assert rec.type == cloud_pb2.RecycleRowsetPB.COMPACT
    job = await job_record(env)
    assert job is not None and list(job.compaction) == []
