"""get_version batch mode, get_rowset's counters and sync ranges, update_tablet, and finishing a
compaction (spec rpc-front 2(d)(e), trap 7)."""

from __future__ import annotations

import pytest

from dorisctl.kv import Txn, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.model.tablets import DETACHED_FIELDS, read_stats
from dorisctl.metaservice.ops.job import finish_tablet_job, start_tablet_job
from dorisctl.metaservice.ops.tablet import (
    commit_rowset,
    get_rowset,
    get_tablet,
    get_version,
    sync_ranges,
    update_tablet,
)
from dorisctl.metaservice.proto import cloud_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env
from tests.unit.metaservice.test_job import CJ, A, T, compaction, finish_req, start_req
from tests.unit.metaservice.test_txn import DB, expect_error, load, make_tablets, rowset

INF = (1 << 63) - 2


def rowsets_req(bc: int = 0, cc: int = 0, cp: int = -1, start: int = 0) -> cloud_pb2.GetRowsetRequest:
    req = cloud_pb2.GetRowsetRequest(cloud_unique_id=CUID, start_version=start, end_version=-1)
    req.idx.tablet_id = T
    req.base_compaction_cnt, req.cumulative_compaction_cnt, req.cumulative_point = bc, cc, cp
    return req


async def test_batch_get_version_in_request_order_with_minus_one(env: Env) -> None:
    await make_tablets(env, [T])
    await load(env, [T], "l1")
    req = cloud_pb2.GetVersionRequest(
        cloud_unique_id=CUID, batch_mode=True, db_ids=[DB, DB, DB], table_ids=[10001, 10001, 10001],
        partition_ids=[999, 10003, 999],
    )  # fmt: skip
    got = await env.call(get_version, req)
    assert (list(got.versions), list(got.partition_ids), list(got.db_ids)) == ([-1, 2, -1], [999, 10003, 999], [DB] * 3)
    assert list(got.version_update_time_ms) == [-1, int(env.clock.now * 1000), -1]
    tables = cloud_pb2.GetVersionRequest(
        cloud_unique_id=CUID, batch_mode=True, is_table_version=True, db_ids=[DB, DB], table_ids=[5, 10001]
    )
    assert list((await env.call(get_version, tables)).versions) == [-1, 1]
    bad = cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True, db_ids=[DB], table_ids=[1, 2])
    await expect_error(
        env, get_version, bad, Code.INVALID_ARGUMENT,
        "param error, num db_ids=1 num table_ids=2 num partition_ids=0 is_table_version=0",
    )  # fmt: skip
    single = cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=10001)
    await expect_error(
        env, get_version, single, Code.INVALID_ARGUMENT,
        "params error, db_id=1 table_id=10001 partition_id=-1 is_table_version=0",
    )  # fmt: skip


def test_sync_ranges_follow_compactions() -> None:
    assert sync_ranges(0, 0, 0, 0, -1, 2, 3, INF) == [(3, INF)]
    assert sync_ranges(0, 1, 0, 0, 2, 6, 8, INF) == [(0, 5), (8, INF)]
    assert sync_ranges(0, 0, 0, 1, 2, 6, 8, INF) == [(2, 5), (8, INF)]
    assert sync_ranges(0, 0, 0, 2, 2, 6, 8, INF) == [(2, INF)]


async def test_get_rowset_requires_counters_and_refuses_newer_ones(env: Env) -> None:
    await make_tablets(env, [T])
    for i in range(3):
        await load(env, [T], f"l{i}")  # versions 2..4
    first = await env.call(get_rowset, rowsets_req())
    assert [(r.start_version, r.end_version) for r in first.rowset_meta] == [(0, 1), (2, 2), (3, 3), (4, 4)]
    assert all(r.index_id == 10002 and r.HasField("tablet_schema") for r in first.rowset_meta)
    no_cp = rowsets_req()
    no_cp.ClearField("cumulative_point")
    await expect_error(
        env, get_rowset, no_cp, Code.INVALID_ARGUMENT, "no valid compaction_cnt or cumulative_point given"
    )
    await expect_error(
        env, get_rowset, rowsets_req(cc=1, cp=2), Code.INVALID_ARGUMENT,
        "no valid compaction_cnt or cumulative_point given. req_bc_cnt=0, bc_cnt=0, req_cc_cnt=1, cc_cnt=0, "
        "req_cp=2, cp=2",
    )  # fmt: skip
    # compact 2..4 into one rowset; a BE that synced up to version 4 before re-reads [2, 5]
    out = rowset(9_000_001, T, "out", rows=300)
    out.start_version, out.end_version = 2, 4  # the BE names the output's versions
    await env.call(commit_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out))
    await env.call(start_tablet_job, start_req(compaction("c1", env, versions=(2, 4))))
    done = compaction("c1", env, versions=(2, 4), output_cumulative_point=5, num_input_rowsets=3, num_output_rowsets=1)
    done.output_versions.append(4)
    done.output_rowset_ids.append("out")
    done.txn_id.append(9_000_001)
    fin = await env.call(finish_tablet_job, finish_req(done, A.COMMIT))
    assert (fin.stats.cumulative_compaction_cnt, fin.stats.cumulative_point, fin.alter_version) == (1, 5, -1)
    synced = await env.call(get_rowset, rowsets_req(cc=0, cp=2, start=5))
    assert [(r.start_version, r.end_version) for r in synced.rowset_meta] == [(2, 4)]
    assert (synced.stats.cumulative_compaction_cnt, synced.stats.cumulative_point) == (1, 5)


@pytest.mark.parametrize(
    ("change", "code", "msg"),
    [
        ("rowset_ids", Code.INVALID_ARGUMENT,
         "invalid input or output versions, input_versions_size=2 output_versions_size=1 output_rowset_ids_size=0"),
        ("txn_zero", Code.INVALID_ARGUMENT, "invalid txn_id or rowset_id, tablet_id=10004 txn_id=0 rowset_id=out"),
        ("two_txns", Code.INVALID_ARGUMENT, "invalid txn_id, txn_id_size=2"),
        ("no_tmp", Code.UNDEFINED_ERR, None),
    ],
)  # fmt: skip
async def test_finish_compaction_validates_outputs_and_stores_nothing(
    env: Env, change: str, code: int, msg: str | None
) -> None:
    await make_tablets(env, [T])
    await load(env, [T], "l0")
    await load(env, [T], "l1")
    out = rowset(9_000_001, T, "out")
    await env.call(commit_rowset, cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=out))
    await env.call(start_tablet_job, start_req(compaction("c1", env, versions=(2, 3))))
    done = compaction("c1", env, versions=(2, 3))
    done.output_versions.append(3)
    if change != "rowset_ids":
        done.output_rowset_ids.append("out")
    done.txn_id.extend({"txn_zero": [0], "two_txns": [1, 2], "no_tmp": [5], "rowset_ids": [9_000_001]}[change])
    err = await expect_error(env, finish_tablet_job, finish_req(done, A.COMMIT), code, msg)
    if change == "no_tmp":
        assert err.msg.startswith("failed to get tmp rowset key (not found), tablet_id=10004 tmp_rowset_key=")
    st = (await env.call(get_rowset, rowsets_req())).stats
    assert (st.cumulative_compaction_cnt, st.num_rowsets) == (0, 3)  # nothing stored


async def test_empty_cumulative_moves_only_counters_and_does_not_conflict_with_cumulative(env: Env) -> None:
    await make_tablets(env, [T])
    await env.call(start_tablet_job, start_req(compaction("c1", env, versions=(2, 3))))
    empty = compaction("e1", env, kind=CJ.EMPTY_CUMULATIVE, versions=(4, 4))
    await env.call(start_tablet_job, start_req(empty))  # a different type: no conflict (as upstream)
    busy = compaction("c2", env, versions=(3, 5))
    err = await expect_error(env, start_tablet_job, start_req(busy), Code.JOB_TABLET_BUSY)
    assert isinstance(err.result, cloud_pb2.StartTabletJobResponse)
    assert list(err.result.version_in_compaction) == [2, 3]
    empty.output_cumulative_point = 5
    fin = await env.call(finish_tablet_job, finish_req(empty, A.COMMIT))
    assert (fin.stats.cumulative_compaction_cnt, fin.stats.cumulative_point, fin.stats.num_rowsets) == (1, 5, 1)


async def test_update_tablet_sets_the_first_property_given(env: Env) -> None:
    await make_tablets(env, [T])
    req = cloud_pb2.UpdateTabletRequest(cloud_unique_id=CUID)
    req.tablet_meta_infos.add(tablet_id=T, ttl_seconds=600, compaction_policy="time_series")
    req.tablet_meta_infos.add(tablet_id=T, disable_auto_compaction=True)
    await env.call(update_tablet, req)
    meta = (await env.call(get_tablet, cloud_pb2.GetTabletRequest(cloud_unique_id=CUID, tablet_id=T))).tablet_meta
    assert meta.ttl_seconds == 600 and not meta.HasField("compaction_policy")  # upstream: one per entry
    assert meta.schema.disable_auto_compaction and meta.schema.keys_type == 1  # full schema, flag laid over
    missing = cloud_pb2.UpdateTabletRequest(cloud_unique_id=CUID)
    missing.tablet_meta_infos.add(tablet_id=1, ttl_seconds=1)
    await expect_error(env, update_tablet, missing, Code.TABLET_NOT_FOUND)
    await expect_error(
        env, update_tablet, cloud_pb2.UpdateTabletRequest(cloud_unique_id="1:nosuch:x"), Code.INVALID_ARGUMENT,
        "empty instance_id",
    )  # fmt: skip


async def test_read_stats_adds_each_detached_counter_and_sets_every_field(env: Env) -> None:
    """read_stats matches detached counters by their key bytes; keys under a tablet's stats that are
    no counter (two fields, another name) are decoded and left out, as before; all six fields end
    present (0 included) and data_size never below 0."""
    idx = cloud_pb2.TabletIndexPB(table_id=1, index_id=2, partition_id=3, tablet_id=4)
    base = keys.stats_tablet_key(IID, 1, 2, 3, 4)

    async def write(txn: Txn) -> None:
        txn.put(base, cloud_pb2.TabletStatsPB(idx=idx, num_rows=10, data_size=5).SerializeToString())
        for suffix, delta in (("num_rows", 7), ("data_size", -9), ("num_segs", 2), ("segment_size", 0)):
            txn.atomic_add(base + keys.encode_bytes(suffix), delta)
        txn.atomic_add(base + keys.encode_bytes("num_rows") + keys.encode_int64(1), 100)  # two fields
        txn.atomic_add(base + keys.encode_bytes("num_rowz"), 100)  # not a counter
        txn.atomic_add(keys.stats_tablet_key(IID, 1, 2, 3, 5) + keys.encode_bytes("num_rows"), 100)  # next tablet

    await run_txn(env.svc.kv, write)
    stats = await run_txn(env.svc.kv, lambda txn: read_stats(txn, IID, idx))
    got = {f: (stats.HasField(f), getattr(stats, f)) for f in DETACHED_FIELDS.values()}
    assert got == {
        "data_size": (True, 0),
        "num_rows": (True, 17),
        "num_rowsets": (True, 0),
        "num_segments": (True, 2),
        "index_size": (True, 0),
        "segment_size": (True, 0),
    }
    assert stats.idx == idx
