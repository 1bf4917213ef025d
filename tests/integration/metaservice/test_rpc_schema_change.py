"""A schema change with a concurrent load against a real server process, as Doris runs one: the
FE's watershed over gRPC (get_current_max_txn_id, check_txn_conflict), loads before it converted
by the BE, loads after it written to both tablets, the BE's job over baidu_std (start, rowsets
carrying tablet_job_id, finish), a preempted job's late rowset refused, JOB_CHECK_ALTER_VERSION
for a compaction across alter_version and JOB_ALREADY_SUCCESS once the new tablet runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.e2e.test_doris_cluster_rpc import Be, Fe
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

STORES = ["sqlite", "postgresql", "etcd"]  # schema change meets a concurrent load: conflicts on every store
IID = "rpcsc"
CUID = f"1:{IID}:node"
DB, TABLE, PART = 1, 3001, 3003
BASE_INDEX, NEW_INDEX = 3002, 3012
BASE, NEW = 3004, 3014
SC = pb.TabletSchemaChangeJobPB
A = pb.FinishTabletJobRequest


def tablet(index_id: int, tablet_id: int, state: olap.TabletStatePB) -> olap.TabletMetaCloudPB:
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=index_id, partition_id=PART, tablet_id=tablet_id,
                                  schema_version=0, tablet_state=state)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.DUP_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2=f"init{tablet_id}", tablet_id=tablet_id, start_version=0, end_version=1)
    return meta


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[tuple[MetaServer, Fe, Be]]:
    srv = start_meta_server(tmp_path_factory.mktemp("rpcsc") / "ms", store=ms_store)
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    base = tablet(BASE_INDEX, BASE, olap.PB_RUNNING)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[base]))
    try:
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def rowset(txn_id: int, tablet_id: int, rid: str, start: int = 0, end: int = 0) -> olap.RowsetMetaCloudPB:
    return olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=rid, tablet_id=tablet_id, partition_id=PART,
                                  txn_id=txn_id, num_rows=10, num_segments=1, total_disk_size=100,
                                  data_disk_size=90, index_disk_size=10, txn_expiration=4_000_000_000,
                                  schema_version=0, start_version=start, end_version=end)  # fmt: skip


def begin(fe: Fe, label: str) -> int:
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
    return int(fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)).txn_id)


def write(be: Be, txn_id: int, tablets: list[int], label: str, job: str = "", expect: int = pb.OK) -> None:
    for t in tablets:
        req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, t, f"{label}-{t}"),
                                     tablet_job_id=job)  # fmt: skip
        be("prepare_rowset", req, pb.CreateRowsetResponse, expect=expect)
        if expect == pb.OK:
            be("commit_rowset", req, pb.CreateRowsetResponse)


def commit(fe: Fe, txn_id: int) -> int:
    return int(fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)).versions[0])


def conflicts(fe: Fe, watershed: int) -> Any:
    req = pb.CheckTxnConflictRequest(cloud_unique_id=CUID, db_id=DB, end_txn_id=watershed, table_ids=[TABLE])
    return fe("check_txn_conflict", req)


def versions(be: Be, tablet_id: int) -> list[tuple[int, int, str]]:
    req = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=pb.TabletIndexPB(tablet_id=tablet_id), start_version=0,
                              end_version=-1, base_compaction_cnt=0, cumulative_compaction_cnt=0,
                              cumulative_point=0)  # fmt: skip
    return [
        (r.start_version, r.end_version, r.rowset_id_v2)
        for r in be("get_rowset", req, pb.GetRowsetResponse).rowset_meta
    ]


def start_sc(job_id: str, initiator: str = "be1", alter_version: int | None = None) -> pb.StartTabletJobRequest:
    job = SC(id=job_id, initiator=initiator, new_tablet_idx=pb.TabletIndexPB(tablet_id=NEW), expiration=4_000_000_000)
    if alter_version is not None:
        job.alter_version = alter_version
    return pb.StartTabletJobRequest(cloud_unique_id=CUID, job=pb.TabletJobInfoPB(idx=pb.TabletIndexPB(tablet_id=BASE),
                                    schema_change=job))  # fmt: skip


def test_schema_change_with_concurrent_load(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    before = begin(fe, "before")
    write(be, before, [BASE], "before")
    assert commit(fe, before) == 2
    running = begin(fe, "running")  # begun before the watershed, writes the base tablet only
    write(be, running, [BASE], "running")
    # FE: ALTER TABLE: the shadow tablet, NOTREADY, then the watershed
    shadow = tablet(NEW_INDEX, NEW, olap.PB_NOTREADY)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[shadow]))
    watershed = fe("get_current_max_txn_id", pb.GetCurrentMaxTxnRequest(cloud_unique_id=CUID)).current_max_txn_id
    busy = conflicts(fe, watershed)
    assert (busy.finished, [t.txn_id for t in busy.conflict_txns]) == (False, [running])
    after = begin(fe, "after")  # begun after the watershed: double-written
    assert after >= watershed
    write(be, after, [BASE, NEW], "after")
    assert commit(fe, running) == 3
    assert conflicts(fe, watershed).finished  # `after` is still running, but beyond the watershed
    # BE: the job; a first attempt preempted by a second job id (the FE cancelled and retried)
    assert be("start_tablet_job", start_sc("sc-old", alter_version=3), pb.StartTabletJobResponse).alter_version == 3
    assert be("start_tablet_job", start_sc("sc", alter_version=3), pb.StartTabletJobResponse).alter_version == 3
    assert commit(fe, after) == 4  # lands on both tablets at version 4
    write(be, 900_001, [NEW], "stale", job="sc-old", expect=pb.STALE_PREPARE_ROWSET)
    # a compaction of the new tablet across alter_version waits for the schema change
    cumu = pb.TabletCompactionJobPB(id="cumu", initiator="be1", type=pb.TabletCompactionJobPB.CUMULATIVE,
                                    base_compaction_cnt=0, cumulative_compaction_cnt=0, expiration=4_000_000_000,
                                    lease=4_000_000_000, input_versions=[2, 4])  # fmt: skip
    job = pb.TabletJobInfoPB(idx=pb.TabletIndexPB(tablet_id=NEW), compaction=[cumu])
    refused = be("start_tablet_job", pb.StartTabletJobRequest(cloud_unique_id=CUID, job=job), pb.StartTabletJobResponse,
                 expect=pb.JOB_CHECK_ALTER_VERSION)  # fmt: skip
    assert refused.alter_version == 3
    # BE: convert the base tablet's versions up to alter_version into the new tablet
    base_rowsets = [v for v in versions(be, BASE) if 2 <= v[1] <= 3]
    assert [v[:2] for v in base_rowsets] == [(2, 2), (3, 3)]
    finish_job = SC(id="sc", initiator="be1", new_tablet_idx=pb.TabletIndexPB(tablet_id=NEW), alter_version=3,
                    output_cumulative_point=4)  # fmt: skip
    for start, end, _ in base_rowsets:
        txn_id = 800_000 + end
        req = pb.CreateRowsetRequest(cloud_unique_id=CUID, tablet_job_id="sc",
                                     rowset_meta=rowset(txn_id, NEW, f"sc-{end}", start, end))  # fmt: skip
        be("prepare_rowset", req, pb.CreateRowsetResponse)
        be("commit_rowset", req, pb.CreateRowsetResponse)
        finish_job.txn_ids.append(txn_id)
        finish_job.output_versions.append(end)
        finish_job.num_output_rowsets += 1
        finish_job.num_output_rows += 10
        finish_job.num_output_segments += 1
        finish_job.size_output_rowsets += 100
    finish = pb.FinishTabletJobRequest(cloud_unique_id=CUID, action=A.COMMIT,
                                       job=pb.TabletJobInfoPB(idx=pb.TabletIndexPB(tablet_id=BASE)))  # fmt: skip
    stale = SC()
    stale.CopyFrom(finish_job)
    stale.id = "sc-old"
    finish.job.schema_change.CopyFrom(stale)
    be("finish_tablet_job", finish, pb.FinishTabletJobResponse, expect=pb.INVALID_ARGUMENT)  # preempted
    finish.job.schema_change.CopyFrom(finish_job)
    done = be("finish_tablet_job", finish, pb.FinishTabletJobResponse)
    assert (done.stats.num_rowsets, done.stats.num_rows, done.stats.cumulative_point) == (4, 30, 4)
    assert versions(be, NEW) == [(0, 1, f"init{NEW}"), (2, 2, "sc-2"), (3, 3, "sc-3"), (4, 4, f"after-{NEW}")]
    meta = fe("get_tablet", pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=NEW)).tablet_meta
    assert (meta.tablet_state, meta.cumulative_layer_point) == (olap.PB_RUNNING, 4)
    stats = fe("get_tablet_stats", pb.GetTabletStatsRequest(cloud_unique_id=CUID,
               tablet_idx=[pb.TabletIndexPB(tablet_id=NEW)])).tablet_stats[0]  # fmt: skip
    assert (stats.num_rowsets, stats.num_rows) == (4, 30)
    # a retried commit, over either protocol, and a retried start: the job already succeeded
    be("finish_tablet_job", finish, pb.FinishTabletJobResponse, expect=pb.JOB_ALREADY_SUCCESS)
    fe("finish_tablet_job", finish, expect=pb.JOB_ALREADY_SUCCESS)
    be("start_tablet_job", start_sc("sc", alter_version=3), pb.StartTabletJobResponse, expect=pb.JOB_ALREADY_SUCCESS)
    # the job is gone: its late rowsets are stale, and compactions of the new tablet run freely
    write(be, 900_002, [NEW], "late", job="sc", expect=pb.STALE_PREPARE_ROWSET)
    be("start_tablet_job", pb.StartTabletJobRequest(cloud_unique_id=CUID, job=job), pb.StartTabletJobResponse)


def test_abort_over_grpc_clears_the_job(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    other = tablet(NEW_INDEX, NEW + 1, olap.PB_NOTREADY)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[other]))
    req = start_sc("cancel-me")
    req.job.schema_change.new_tablet_idx.tablet_id = NEW + 1
    be("start_tablet_job", req, pb.StartTabletJobResponse)
    abort = pb.FinishTabletJobRequest(cloud_unique_id=CUID, action=A.ABORT, job=req.job)
    fe("finish_tablet_job", abort)  # the FE cancelling the ALTER
    write(be, 900_003, [NEW + 1], "cancelled", job="cancel-me", expect=pb.STALE_PREPARE_ROWSET)
    fe("finish_tablet_job", abort, expect=pb.INVALID_ARGUMENT)  # nothing running any more


def test_schema_dict_over_both_protocols_and_http(ms: tuple[MetaServer, Fe, Be]) -> None:
    """A variant rowset's extracted column goes to the index's dictionary: get_schema_dict answers it
    over gRPC, baidu_std and HTTP; get_rowset fills it back, returns the dictionary, or neither."""
    srv, fe, be = ms
    index, tablet_id = 3102, 3104
    meta = tablet(index, tablet_id, olap.PB_RUNNING)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[meta]))
    txn_id = begin(fe, "variant")
    rs = rowset(txn_id, tablet_id, "variant-rs")
    rs.has_variant_type_in_schema = True
    rs.index_id, rs.schema_version = index, 1
    schema = rs.tablet_schema
    schema.schema_version = 1
    schema.column.add(unique_id=0, name="k", type="INT", is_key=True)
    schema.column.add(unique_id=1, name="v", type="VARIANT")
    schema.column.add(unique_id=-5, name="v.a", type="BIGINT", parent_unique_id=1)
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    be("prepare_rowset", req, pb.CreateRowsetResponse)
    be("commit_rowset", req, pb.CreateRowsetResponse)
    fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    ask = pb.GetSchemaDictRequest(cloud_unique_id=CUID, index_id=index)
    via_be = be("get_schema_dict", ask, pb.GetSchemaDictResponse).schema_dict
    assert [c.name for c in via_be.column_dict.values()] == ["v.a"]
    assert fe("get_schema_dict", ask).schema_dict == via_be
    http = srv.ok("get_schema_dict", {"cloud_unique_id": CUID, "index_id": index})
    assert [c["name"] for c in http["result"]["schema_dict"]["column_dict"].values()] == ["v.a"]
    fe("get_schema_dict", pb.GetSchemaDictRequest(cloud_unique_id=CUID), expect=pb.INVALID_ARGUMENT)

    def sync(op: pb.GetRowsetRequest.SchemaOp) -> Any:
        get = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=pb.TabletIndexPB(tablet_id=tablet_id), start_version=2,
                                  end_version=-1, base_compaction_cnt=0, cumulative_compaction_cnt=0,
                                  cumulative_point=2, schema_op=op)  # fmt: skip
        return be("get_rowset", get, pb.GetRowsetResponse)

    filled = sync(pb.GetRowsetRequest.FILL_WITH_DICT)
    assert [c.name for c in filled.rowset_meta[0].tablet_schema.column] == ["k", "v", "v.a"]
    returned = sync(pb.GetRowsetRequest.RETURN_DICT)
    assert [c.name for c in returned.rowset_meta[0].tablet_schema.column] == ["k", "v"]
    assert returned.schema_dict == via_be
    assert not sync(pb.GetRowsetRequest.NO_DICT).HasField("schema_dict")
