"""Schema-change jobs over a real SQLite store, replaying upstream's meta_service_job_test.cpp cases
(SchemaChangeJobTest, RetrySchemaChangeJobTest, the alter-version checks of compactions) and the
tablet_job_id check of prepare/commit_rowset (STALE_PREPARE_ROWSET)."""

from __future__ import annotations

from typing import Any

import pytest

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.ops.job import abort_tablet_job, finish_tablet_job, start_tablet_job
from dorisctl.metaservice.ops.tablet import commit_rowset, create_tablets, get_rowset, prepare_rowset
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env, tablet_meta
from tests.unit.metaservice.test_job import compaction, finish_req
from tests.unit.metaservice.test_job import start_req as compaction_start
from tests.unit.metaservice.test_txn import DB, expect_error, load, make_tablets, rowset, stats

SC = cloud_pb2.TabletSchemaChangeJobPB
A = cloud_pb2.FinishTabletJobRequest
CJ = cloud_pb2.TabletCompactionJobPB
BASE, NEW = 10004, 10014
NEW_INDEX = 10012


async def new_tablet(env: Env, tablet_id: int = NEW, state: int | None = olap_file_pb2.PB_NOTREADY) -> None:
    meta = tablet_meta(tablet_id, index_id=NEW_INDEX)
    if state is not None:
        meta.tablet_state = state
    await env.call(create_tablets, cloud_pb2.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[meta]))


def sc_job(job_id: str, initiator: str = "be1", new: int = NEW, **kw: Any) -> SC:
    job = SC(id=job_id, initiator=initiator, **kw)
    job.new_tablet_idx.tablet_id = new
    return job


def sc_start(job: SC, base: int = BASE) -> cloud_pb2.StartTabletJobRequest:
    req = cloud_pb2.StartTabletJobRequest(cloud_unique_id=CUID)
    req.job.idx.tablet_id = base
    req.job.schema_change.CopyFrom(job)
    return req


def sc_finish(job: SC, action: Any = A.COMMIT, outputs: list[olap_file_pb2.RowsetMetaCloudPB] | None = None):
    """As upstream's test helper: alter_version = the last output's end version (0 without outputs)."""
    req = cloud_pb2.FinishTabletJobRequest(cloud_unique_id=CUID, action=action)
    req.job.idx.tablet_id = BASE
    req.job.schema_change.CopyFrom(job)
    sc = req.job.schema_change
    sc.alter_version = outputs[-1].end_version if outputs else 0
    for rs in outputs or []:
        sc.txn_ids.append(rs.txn_id)
        sc.output_versions.append(rs.end_version)
        sc.num_output_rows += rs.num_rows
        sc.num_output_rowsets += 1
        sc.num_output_segments += rs.num_segments
        sc.size_output_rowsets += rs.total_disk_size
        sc.index_size_output_rowsets += rs.index_disk_size
        sc.segment_size_output_rowsets += rs.data_disk_size
    return req


async def converted(env: Env, start: int, end: int, job_id: str | None = None) -> olap_file_pb2.RowsetMetaCloudPB:
    """A converted rowset of the new tablet, committed as a tmp rowset (txn id from its versions)."""
    rs = rowset(start << 32 | end, NEW, rid=f"sc_{start}_{end}")
    rs.start_version, rs.end_version = start, end
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs, tablet_job_id=job_id or "")
    await env.call(prepare_rowset, req)
    await env.call(commit_rowset, req)
    return rs


async def tablet_state(env: Env, tablet_id: int, index_id: int = NEW_INDEX) -> int:
    async def read(txn: Any) -> Any:
        return await txn.get(keys.meta_tablet_key(IID, 10001, index_id, 10003, tablet_id))

    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.ParseFromString(await run_txn(env.svc.kv, read))
    return int(meta.tablet_state)


async def job_of(env: Env, tablet_id: int, index_id: int) -> cloud_pb2.TabletJobInfoPB:
    async def read(txn: Any) -> Any:
        return await txn.get(keys.job_tablet_key(IID, 10001, index_id, 10003, tablet_id))

    rec = cloud_pb2.TabletJobInfoPB()
    rec.ParseFromString(await run_txn(env.svc.kv, read))
    return rec


async def versions(env: Env, tablet_id: int) -> list[tuple[int, int, str]]:
    req = cloud_pb2.GetRowsetRequest(cloud_unique_id=CUID, start_version=0, end_version=-1, base_compaction_cnt=0,
                                     cumulative_compaction_cnt=0, cumulative_point=0)  # fmt: skip
    req.idx.tablet_id = tablet_id
    resp = await env.call(get_rowset, req)
    return [(r.start_version, r.end_version, r.rowset_id_v2) for r in resp.rowset_meta]


@pytest.fixture
async def tabs(env: Env) -> Env:
    await make_tablets(env, [BASE])
    await new_tablet(env)
    return env


async def test_start_validation(tabs: Env) -> None:
    env = tabs
    await expect_error(env, start_tablet_job, sc_start(sc_job("")), Code.INVALID_ARGUMENT, "no job id specified")
    no_initiator = sc_job("j")
    no_initiator.ClearField("initiator")
    await expect_error(env, start_tablet_job, sc_start(no_initiator), Code.INVALID_ARGUMENT, "no initiator specified")
    await expect_error(
        env, start_tablet_job, sc_start(sc_job("j", new=0)), Code.INVALID_ARGUMENT, "no valid new_tablet_id given"
    )
    await expect_error(
        env,
        start_tablet_job,
        sc_start(sc_job("j", new=BASE)),
        Code.INVALID_ARGUMENT,
        "not allow new_tablet_id same with base_tablet_id",
    )
    await expect_error(env, start_tablet_job, sc_start(sc_job("j", new=777)), Code.TABLET_NOT_FOUND)
    await new_tablet(env, 10024, state=None)  # no tablet_state: neither NOTREADY nor RUNNING
    await expect_error(
        env, start_tablet_job, sc_start(sc_job("j", new=10024)), Code.INVALID_ARGUMENT, "invalid new tablet state"
    )


async def test_commit_without_conversion_then_already_success(tabs: Env) -> None:
    """Upstream SchemaChangeJobTest, first case: alter_version 0 commits only the tablet state."""
    env = tabs
    resp = await env.call(start_tablet_job, sc_start(sc_job("job1", alter_version=1)))
    assert resp.alter_version == 1
    assert (await job_of(env, NEW, NEW_INDEX)).schema_change.id == "job1"  # recorded on both tablets
    for job_id, initiator in (("job2", "be1"), ("job1", "be2")):
        err = await expect_error(env, finish_tablet_job, sc_finish(sc_job(job_id, initiator)), Code.INVALID_ARGUMENT)
        assert err.msg.startswith("unmatched job id or initiator")
    await env.call(finish_tablet_job, sc_finish(sc_job("job1")))
    assert await tablet_state(env, NEW) == olap_file_pb2.PB_RUNNING
    await expect_error(
        env, finish_tablet_job, sc_finish(sc_job("job1")), Code.JOB_ALREADY_SUCCESS, "schema_change job already success"
    )
    await expect_error(
        env, start_tablet_job, sc_start(sc_job("job1")), Code.JOB_ALREADY_SUCCESS, "schema_change job already success"
    )


async def test_commit_moves_converted_rowsets_and_replaces_double_written_ones(tabs: Env) -> None:
    """Loads before the watershed exist on the base tablet only and are converted; loads after it
    are written to both tablets; COMMIT replaces the new tablet's [2, alter_version] by the
    converted rowsets and keeps what lies above (upstream's third SchemaChangeJobTest case)."""
    env = tabs
    for i in range(2):
        await load(env, [BASE], f"before{i}")  # versions 2, 3 on the base tablet only
    await env.call(start_tablet_job, sc_start(sc_job("job3", alter_version=4)))
    for i in range(3):
        await load(env, [BASE, NEW], f"after{i}")  # versions 4, 5, 6 on both tablets
    assert [v[:2] for v in await versions(env, NEW)] == [(0, 1), (4, 4), (5, 5), (6, 6)]
    outputs = [await converted(env, 2, 3, "job3"), await converted(env, 4, 4, "job3")]
    resp = await env.call(finish_tablet_job, sc_finish(sc_job("job3"), outputs=outputs))
    got = await versions(env, NEW)
    assert [v[:2] for v in got] == [(0, 1), (2, 3), (4, 4), (5, 5), (6, 6)]
    assert [v[2] for v in got[1:3]] == ["sc_2_3", "sc_4_4"]
    # stats: 1 initial + 3 loads - 1 replaced (version 4) + 2 converted rowsets; 100 rows each
    assert (resp.stats.num_rowsets, resp.stats.num_rows, resp.stats.num_segments) == (5, 400, 4)
    st = await stats(env, NEW)
    assert (st.num_rowsets, st.num_rows, st.data_size) == (5, 400, 44000)
    assert await tablet_state(env, NEW) == olap_file_pb2.PB_RUNNING

    async def recycled(txn: Any) -> Any:
        return await txn.get_range(keys.recycle_rowset_key(IID, NEW, ""), keys.recycle_rowset_key(IID, NEW, "\xff"))

    rows = await run_txn(env.svc.kv, recycled)
    kinds = []
    for _, value in rows:
        r = cloud_pb2.RecycleRowsetPB()
        r.ParseFromString(value)
        kinds.append((r.type, r.rowset_meta.end_version))
    assert kinds == [(cloud_pb2.RecycleRowsetPB.DROP, 4)]  # only the double-written version 4
    assert not (await job_of(env, BASE, 10002)).HasField("schema_change")
    assert not (await job_of(env, NEW, NEW_INDEX)).HasField("schema_change")


async def test_second_job_preempts_first(tabs: Env) -> None:
    """Upstream RetrySchemaChangeJobTest: a new job id, then the same id from another BE, preempt."""
    env = tabs
    await env.call(start_tablet_job, sc_start(sc_job("job1")))
    await env.call(start_tablet_job, sc_start(sc_job("job2")))  # FE cancelled job1: no JOB_TABLET_BUSY
    await env.call(start_tablet_job, sc_start(sc_job("job2")))  # the BE retries: still OK
    be1 = [await converted(env, 2, 8, "job2")]
    await env.call(start_tablet_job, sc_start(sc_job("job2", "be2")))  # retried on be2
    await expect_error(env, finish_tablet_job, sc_finish(sc_job("job2", "be1"), outputs=be1), Code.INVALID_ARGUMENT)
    await expect_error(
        env,
        prepare_rowset,
        cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(77, NEW), tablet_job_id="job1"),
        Code.STALE_PREPARE_ROWSET,
    )
    resp = await env.call(finish_tablet_job, sc_finish(sc_job("job2", "be2"), outputs=be1))
    assert resp.stats.num_rowsets == 2
    assert [v[:2] for v in await versions(env, NEW)] == [(0, 1), (2, 8)]


async def test_restart_with_alter_version_is_idempotent(tabs: Env) -> None:
    env = tabs
    assert (await env.call(start_tablet_job, sc_start(sc_job("j", alter_version=7)))).alter_version == 7
    # the same job and initiator again: answered with the recorded alter_version, nothing rewritten
    assert (await env.call(start_tablet_job, sc_start(sc_job("j", alter_version=9)))).alter_version == 7


async def test_abort_clears_both_tablets(tabs: Env) -> None:
    env = tabs
    await env.call(start_tablet_job, sc_start(sc_job("j", alter_version=3)))
    await new_tablet(env, 10024)
    await env.call(finish_tablet_job, sc_finish(sc_job("j", new=10024), A.ABORT))  # another new tablet: no change
    assert (await job_of(env, BASE, 10002)).schema_change.id == "j"
    await env.call(abort_tablet_job, sc_finish(sc_job("j"), A.LEASE))  # the HTTP abort forces ABORT
    assert not (await job_of(env, BASE, 10002)).HasField("schema_change")
    assert not (await job_of(env, NEW, NEW_INDEX)).HasField("schema_change")
    assert await tablet_state(env, NEW) == olap_file_pb2.PB_NOTREADY
    await expect_error(env, finish_tablet_job, sc_finish(sc_job("j")), Code.INVALID_ARGUMENT)  # no running one


async def test_finish_errors(tabs: Env) -> None:
    env = tabs
    await env.call(start_tablet_job, sc_start(sc_job("j", alter_version=3, expiration=int(env.clock.now) + 100)))
    await expect_error(
        env, finish_tablet_job, sc_finish(sc_job("j"), A.LEASE), Code.INVALID_ARGUMENT,
        f"unsupported action, tablet_id={BASE} action=3",
    )  # fmt: skip
    missing = sc_finish(sc_job("j"))
    missing.job.schema_change.txn_ids.append(4242)
    missing.job.schema_change.output_versions.append(3)
    missing.job.schema_change.alter_version = 3
    await expect_error(env, finish_tablet_job, missing, Code.UNDEFINED_ERR)
    empty = sc_finish(sc_job("j"))
    empty.job.schema_change.alter_version = 3
    await expect_error(env, finish_tablet_job, empty, Code.INVALID_ARGUMENT, "empty txn_ids or output_versions")
    no_alter = sc_finish(sc_job("j"))
    no_alter.job.schema_change.ClearField("alter_version")
    await expect_error(env, finish_tablet_job, no_alter, Code.INVALID_ARGUMENT, "invalid alter_version")
    assert await tablet_state(env, NEW) == olap_file_pb2.PB_NOTREADY  # refusals store nothing
    env.clock.now += 200
    err = await expect_error(env, finish_tablet_job, sc_finish(sc_job("j")), Code.JOB_EXPIRED)
    assert err.msg.startswith(f"expired schema_change job, tablet_id={BASE}")


async def test_compactions_obey_alter_version(tabs: Env) -> None:
    """JOB_CHECK_ALTER_VERSION (with the alter_version) for a compaction of either tablet that
    straddles it; a base compaction at or below it and a cumulative one above it may run."""
    env = tabs
    early = compaction("early", env, versions=(3, 7))
    await env.call(start_tablet_job, compaction_start(early))  # before the schema change: allowed
    await env.call(start_tablet_job, sc_start(sc_job("sc", alter_version=5)))
    for tablet in (BASE, NEW):
        bad = compaction(f"cumu{tablet}", env, versions=(3, 7))
        err = await expect_error(env, start_tablet_job, compaction_start(bad, tablet), Code.JOB_CHECK_ALTER_VERSION)
        assert isinstance(err.result, cloud_pb2.StartTabletJobResponse) and err.result.alter_version == 5
        assert err.msg == (
            "Check compaction input versions failed in schema change. "
            "input_version_start=3 input_version_end=7 schema_change_alter_version=5"
        )
    await env.call(start_tablet_job, compaction_start(compaction("cumu_ok", env, versions=(8, 9)), NEW))
    await env.call(start_tablet_job, compaction_start(compaction("base_ok", env, CJ.BASE, versions=(2, 5)), NEW))
    no_range = compaction("nr", env, CJ.BASE)
    err = await expect_error(env, start_tablet_job, compaction_start(no_range, NEW), Code.JOB_CHECK_ALTER_VERSION)
    assert err.msg.startswith("The compaction need to know [start_version, end_version]")
    # the compaction started before the schema change may not commit across alter_version
    err = await expect_error(env, finish_tablet_job, finish_req(early, A.COMMIT), Code.JOB_CHECK_ALTER_VERSION)
    assert isinstance(err.result, cloud_pb2.FinishTabletJobResponse) and err.result.alter_version == 5
    await env.call(finish_tablet_job, finish_req(early, A.ABORT))  # what the BE does next


async def test_compaction_commit_reports_alter_version(tabs: Env) -> None:
    env = tabs
    for i in range(3):
        await load(env, [BASE], f"l{i}")  # versions 2..4
    await env.call(start_tablet_job, sc_start(sc_job("sc", alter_version=4)))
    c = compaction("b", env, CJ.BASE, versions=(2, 4))
    await env.call(start_tablet_job, compaction_start(c))
    out = rowset(9001, BASE, rid="out")
    out.start_version, out.end_version = 2, 4
    await env.call(commit_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out,
                   tablet_job_id="b"))  # fmt: skip
    c.output_versions.append(4)
    c.output_rowset_ids.append("out")
    c.txn_id.append(9001)
    resp = await env.call(finish_tablet_job, finish_req(c, A.COMMIT))
    assert resp.alter_version == 4


async def test_rowsets_of_a_job_need_the_running_job(tabs: Env) -> None:
    """Item 9: prepare/commit_rowset with tablet_job_id answer STALE_PREPARE_ROWSET unless the
    tablet runs that compaction or schema change; without the field nothing is checked."""
    env = tabs

    def req(job_id: str, txn_id: int = 501) -> cloud_pb2.CreateRowsetRequest:
        return cloud_pb2.CreateRowsetRequest(
            cloud_unique_id=CUID, rowset_meta=rowset(txn_id, BASE), tablet_job_id=job_id
        )

    err = await expect_error(env, prepare_rowset, req("c1"), Code.STALE_PREPARE_ROWSET)
    assert err.msg == f"job not found, instance_id={IID} tablet_id={BASE} rowset_id=r501_{BASE} err=KeyNotFound"
    await expect_error(env, commit_rowset, req("c1"), Code.STALE_PREPARE_ROWSET)
    c = compaction("c1", env, versions=(2, 3))
    await env.call(start_tablet_job, compaction_start(c))
    await env.call(prepare_rowset, req("c1"))
    err = await expect_error(env, commit_rowset, req("other"), Code.STALE_PREPARE_ROWSET)
    assert (
        err.msg
        == f" stale perpare rowset request, instance_id={IID} tablet_id={BASE} job id=other rowset_id=r501_{BASE}"
    )
    await env.call(commit_rowset, req("c1"))
    await env.call(finish_tablet_job, finish_req(c, A.ABORT))
    await expect_error(env, prepare_rowset, req("c1", 502), Code.STALE_PREPARE_ROWSET)  # the job is gone
    await env.call(prepare_rowset, req("", 502))  # no tablet_job_id: a load, not checked here
    await env.call(start_tablet_job, sc_start(sc_job("sc")))
    new_req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(503, NEW), tablet_job_id="sc")
    await env.call(prepare_rowset, new_req)
    await env.call(commit_rowset, new_req)


async def test_alter_version_at_int64_max(tabs: Env) -> None:
    """The largest alter_version replaces every double-written rowset, with no overflow."""
    env = tabs
    await env.call(start_tablet_job, sc_start(sc_job("j")))
    await load(env, [BASE, NEW], "both")
    req = sc_finish(sc_job("j"), outputs=[await converted(env, 2, 3, "j")])
    req.job.schema_change.alter_version = (1 << 63) - 1
    await env.call(finish_tablet_job, req)
    assert [v[:2] for v in await versions(env, NEW)] == [(0, 1), (2, 3)]
