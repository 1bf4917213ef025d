"""The load, query, tablet and compaction RPC families against a real server process, each
called over gRPC (as the FE) and baidu_std (as the BE): codes travel in `status`, data beside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.e2e.test_doris_cluster_rpc import Be, Fe
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

STORES = ["sqlite", "postgresql", "etcd"]  # the load/query/tablet/compaction families on every kind of store
IID = "rpctxn"
CUID = f"1:{IID}:node"
DB, TABLE, INDEX, PART, TABLET = 1, 2001, 2002, 2003, 2004
IDX = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=TABLET)


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[tuple[MetaServer, Fe, Be]]:
    srv = start_meta_server(tmp_path_factory.mktemp("rpctxn") / "ms", store=ms_store)
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=TABLET,
                                  schema_version=0)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.DUP_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2="init", tablet_id=TABLET, start_version=0, end_version=1)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[meta]))
    try:
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def rowset(txn_id: int, rid: str, start: int = 0, end: int = 0) -> olap.RowsetMetaCloudPB:
    return olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=rid, tablet_id=TABLET, partition_id=PART, txn_id=txn_id,
                                  num_rows=10, num_segments=1, txn_expiration=4_000_000_000, schema_version=0,
                                  start_version=start, end_version=end)  # fmt: skip


def load(fe: Fe, be: Be, label: str) -> Any:
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
    txn_id = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)).txn_id
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, f"rs-{label}"))
    be("prepare_rowset", req, pb.CreateRowsetResponse)
    be("commit_rowset", req, pb.CreateRowsetResponse)
    return fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))


def test_load_family(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    done = load(fe, be, "l1")
    assert (list(done.versions), done.version_update_time_ms > 0) == ([2], True)
    again = be(
        "commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=done.txn_info.txn_id), pb.CommitTxnResponse
    )
    assert again.txn_info.status == pb.TXN_STATUS_VISIBLE
    got = fe("get_txn_id", pb.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="l1"))
    assert got.txn_id == done.txn_info.txn_id
    mark = fe("get_current_max_txn_id", pb.GetCurrentMaxTxnRequest(cloud_unique_id=CUID)).current_max_txn_id
    assert mark >= done.txn_info.txn_id
    check = pb.CheckTxnConflictRequest(cloud_unique_id=CUID, db_id=DB, end_txn_id=mark + 1, table_ids=[TABLE])
    assert fe("check_txn_conflict", check).finished
    fe("check_txn_conflict", pb.CheckTxnConflictRequest(cloud_unique_id=CUID), expect=pb.INVALID_ARGUMENT)
    be("abort_txn_with_coordinator", pb.AbortTxnWithCoordinatorRequest(cloud_unique_id=CUID),
       pb.AbortTxnWithCoordinatorResponse, expect=pb.INVALID_ARGUMENT)  # fmt: skip
    fe("clean_txn_label", pb.CleanTxnLabelRequest(cloud_unique_id=CUID, db_id=DB, labels=["l1"]))
    fe("get_txn_id", pb.GetTxnIdRequest(cloud_unique_id=CUID, db_id=DB, label="l1"), expect=pb.TXN_ID_NOT_FOUND)


def test_query_and_tablet_families(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    load(fe, be, "q1")
    batch = pb.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True, db_ids=[DB, DB], table_ids=[TABLE, TABLE],
                                 partition_ids=[999, PART])  # fmt: skip
    versions = list(fe("get_version", batch).versions)
    assert versions[0] == -1 and versions[1] >= 2
    fe("get_version", pb.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True), expect=pb.INVALID_ARGUMENT)
    sync = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=IDX, start_version=0, end_version=-1, base_compaction_cnt=0,
                               cumulative_compaction_cnt=0, cumulative_point=-1)  # fmt: skip
    got = be("get_rowset", sync, pb.GetRowsetResponse)
    assert got.rowset_meta[0].end_version == 1 and got.rowset_meta[0].HasField("tablet_schema")
    ahead = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=IDX, base_compaction_cnt=5, cumulative_compaction_cnt=0,
                                cumulative_point=2)  # fmt: skip
    be("get_rowset", ahead, pb.GetRowsetResponse, expect=pb.INVALID_ARGUMENT)
    upd = pb.UpdateTabletRequest(cloud_unique_id=CUID, tablet_meta_infos=[pb.TabletMetaInfoPB(tablet_id=TABLET,
                                 ttl_seconds=60)])  # fmt: skip
    fe("update_tablet", upd)
    assert be("get_tablet", pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=TABLET),
              pb.GetTabletResponse).tablet_meta.ttl_seconds == 60  # fmt: skip
    missing = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(123, "nope"))
    be("update_tmp_rowset", missing, pb.CreateRowsetResponse, expect=pb.ROWSET_META_NOT_FOUND)


def test_compaction_family(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    for label in ("c1", "c2"):
        load(fe, be, label)
    stats = fe("get_tablet_stats", pb.GetTabletStatsRequest(cloud_unique_id=CUID, tablet_idx=[IDX])).tablet_stats[0]
    last = stats.num_rowsets  # versions 2..last
    job = pb.TabletCompactionJobPB(id="cumu", initiator="be", type=pb.TabletCompactionJobPB.CUMULATIVE,
                                   base_compaction_cnt=0, cumulative_compaction_cnt=0, expiration=4_000_000_000,
                                   lease=4_000_000_000, input_versions=[2, last])  # fmt: skip
    be("start_tablet_job", pb.StartTabletJobRequest(cloud_unique_id=CUID, job=pb.TabletJobInfoPB(idx=IDX,
       compaction=[job])), pb.StartTabletJobResponse)  # fmt: skip
    out = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(900_001, "out", 2, last))
    be("commit_rowset", out, pb.CreateRowsetResponse)
    job.output_versions.append(last)
    job.txn_id.append(900_001)
    finish = pb.FinishTabletJobRequest(cloud_unique_id=CUID, action=pb.FinishTabletJobRequest.COMMIT,
                                       job=pb.TabletJobInfoPB(idx=IDX, compaction=[job]))  # fmt: skip
    be("finish_tablet_job", finish, pb.FinishTabletJobResponse, expect=pb.INVALID_ARGUMENT)  # no output rowset id
    finish.job.compaction[0].output_rowset_ids.append("out")
    fin = be("finish_tablet_job", finish, pb.FinishTabletJobResponse)
    assert fin.stats.cumulative_compaction_cnt == 1
    rs = be("get_rowset", pb.GetRowsetRequest(cloud_unique_id=CUID, idx=IDX, start_version=0, end_version=-1,
            base_compaction_cnt=0, cumulative_compaction_cnt=1, cumulative_point=fin.stats.cumulative_point),
            pb.GetRowsetResponse)  # fmt: skip
    assert [(r.start_version, r.end_version) for r in rs.rowset_meta] == [(0, 1), (2, last)]
