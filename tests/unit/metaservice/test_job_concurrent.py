"""Upstream's ConcurrentCompactionTest (meta_service_job_test.cpp) replayed: a cumulative and a base
compaction side by side, busy and idempotent starts, a lapsed lease freeing the slot, abort, lease,
and the commit of a middle version range [5-10] between untouched rowsets."""

from __future__ import annotations

from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.ops.job import finish_tablet_job, start_tablet_job
from dorisctl.metaservice.ops.tablet import commit_rowset
from dorisctl.metaservice.proto import cloud_pb2
from tests.unit.metaservice.conftest import CUID, Env
from tests.unit.metaservice.test_job import T, compaction, finish_req, job_record, start_req
from tests.unit.metaservice.test_job_schema_change import versions
from tests.unit.metaservice.test_txn import expect_error, load, make_tablets, rowset, stats

CJ = cloud_pb2.TabletCompactionJobPB
A = cloud_pb2.FinishTabletJobRequest


async def test_concurrent_compactions(env: Env) -> None:
    await make_tablets(env, [T])
    await env.call(start_tablet_job, start_req(compaction("job1", env, initiator="BE1")))
    await env.call(start_tablet_job, start_req(compaction("job1", env, initiator="BE1")))  # same id: OK
    await expect_error(env, start_tablet_job, start_req(compaction("job2", env)), Code.JOB_TABLET_BUSY)
    env.clock.now += 11  # job1's lease lapsed
    await env.call(start_tablet_job, start_req(compaction("job3", env, initiator="BE2")))
    await env.call(start_tablet_job, start_req(compaction("job4", env, CJ.BASE, initiator="BE1")))
    await env.call(start_tablet_job, start_req(compaction("job4", env, CJ.BASE, initiator="BE1")))
    await expect_error(env, start_tablet_job, start_req(compaction("job5", env, CJ.BASE)), Code.JOB_TABLET_BUSY)
    rec = await job_record(env)
    assert rec is not None and [(c.id, c.initiator) for c in rec.compaction] == [("job3", "BE2"), ("job4", "BE1")]

    abort = finish_req(CJ(id="job3", initiator="BE2", type=CJ.CUMULATIVE), A.ABORT)
    await env.call(finish_tablet_job, abort)
    err = await expect_error(env, finish_tablet_job, abort, Code.INVALID_ARGUMENT)
    assert err.msg.startswith("unmatched job id")
    lease = int(env.clock.now) + 10
    await env.call(finish_tablet_job, finish_req(CJ(id="job4", initiator="BE1", lease=lease), A.LEASE))
    rec = await job_record(env)
    assert rec is not None and [(c.id, c.lease) for c in rec.compaction] == [("job4", lease)]
    await env.call(start_tablet_job, start_req(compaction("job5", env, initiator="BE2")))

    for i in range(10):
        await load(env, [T], f"l{i}")  # versions 2..11, 100 rows and 11000 bytes each
    out = rowset(7_000_001, T, "out5_10")
    out.start_version, out.end_version = 5, 10
    await env.call(commit_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out))
    done = CJ(id="job5", initiator="BE2", type=CJ.CUMULATIVE, input_versions=[5, 10], txn_id=[7_000_001],
              output_versions=[10], output_rowset_ids=["out5_10"], output_cumulative_point=11,
              size_input_rowsets=66000, num_input_rows=600, num_input_rowsets=6, num_input_segments=6,
              size_output_rowsets=11000, num_output_rows=100, num_output_rowsets=1,
              num_output_segments=1)  # fmt: skip
    resp = await env.call(finish_tablet_job, finish_req(done, A.COMMIT))
    # [0-1][2][3][4][5-10][11]
    assert resp.stats.cumulative_point == 11
    assert (resp.stats.num_rows, resp.stats.num_rowsets, resp.stats.num_segments) == (500, 6, 5)
    assert resp.stats.data_size == 55000
    st = await stats(env, T)
    assert (st.num_rows, st.num_rowsets, st.num_segments, st.data_size) == (500, 6, 5, 55000)
    assert [v[:2] for v in await versions(env, T)] == [(0, 1), (2, 2), (3, 3), (4, 4), (5, 10), (11, 11)]
    rec = await job_record(env)
    assert rec is not None and [c.id for c in rec.compaction] == ["job4"]
