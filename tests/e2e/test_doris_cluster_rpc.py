"""A table's whole life as Doris's FE (gRPC) and BE (baidu_std) drive it, against a real
meta-service process: the spec's call sequences (a)-(e) and a load aborted by its coordinator,
checking every reply's status and the data it carries.

The FE's and BE's messages are built from our proto (upstream's names and numbers, checked by
test_proto_compat), so every byte on the wire is what a Doris 3.x FE/BE would send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.integration.metaservice.conftest import OBJ

IID = "lifecycle"
FE, BE = f"1:{IID}:fe1", f"1:{IID}:be1"
SQL_NAME, SQL_ID = "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER", "RESERVED_CLUSTER_ID_FOR_SQL_SERVER"
DB, TABLE, INDEX, PART, TABLET = 1001, 2001, 2002, 2003, 2004
IDX = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=TABLET)


class Fe:
    """The FE side: gRPC calls; every reply must be status OK unless told otherwise."""

    def __init__(self, port: int) -> None:
        self.stub, self.channel = grpc_stub(port)

    def __call__(self, rpc: str, req: Any, expect: int = pb.OK) -> Any:
        resp = getattr(self.stub, rpc)(req, timeout=30)
        assert resp.status.code == expect, (rpc, pb.MetaServiceCode.Name(resp.status.code), resp.status.msg)
        return resp


class Be:
    """The BE side: baidu_std calls on one multiplexed connection, from a private event loop."""

    def __init__(self, port: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.client: BaiduStdClient = self.loop.run_until_complete(BaiduStdClient.connect(port))

    def __call__(self, rpc: str, req: Any, resp_type: type, expect: int = pb.OK) -> Any:
        resp = self.loop.run_until_complete(self.client.call(rpc, req, resp_type))
        assert resp.status.code == expect, (rpc, pb.MetaServiceCode.Name(resp.status.code), resp.status.msg)
        return resp

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@pytest.fixture
def cluster(tmp_path: Any) -> Iterator[tuple[MetaServer, Fe, Be]]:
    srv = start_meta_server(tmp_path / "ms")
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    try:
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def rowset(txn_id: int, rid: str, *, rows: int = 100, start: int = 0, end: int = 0) -> olap.RowsetMetaCloudPB:
    rs = olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=rid, tablet_id=TABLET, partition_id=PART, index_id=INDEX,
                                txn_id=txn_id, num_rows=rows, num_segments=1, total_disk_size=rows * 110,
                                data_disk_size=rows * 100, index_disk_size=rows * 10, txn_expiration=4_000_000_000,
                                schema_version=0)  # fmt: skip
    if end:
        rs.start_version, rs.end_version = start, end
    return rs


def test_table_life_as_fe_and_be_drive_it(cluster: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = cluster
    # (a) the operator registers the instance and both clusters (as `dorisctl cluster deploy` does)
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    srv.ok(
        "add_cluster",
        {
            "instance_id": IID,
            "cluster": {
                "cluster_name": SQL_NAME,
                "cluster_id": SQL_ID,
                "type": "SQL",
                "nodes": [{"cloud_unique_id": FE, "ip": "10.0.0.11", "edit_log_port": 9010, "node_type": "FE_MASTER"}],
            },
        },
    )
    srv.ok("add_cluster", {"instance_id": IID, "cluster": {
        "cluster_name": "cg1", "cluster_id": "cg1", "type": "COMPUTE",
        "nodes": [{"cloud_unique_id": BE, "ip": "10.0.0.12", "heartbeat_port": 9050}]}})  # fmt: skip
    boot = fe("get_cluster", pb.GetClusterRequest(cloud_unique_id=FE, cluster_name=SQL_NAME, cluster_id=SQL_ID))
    master = [n for n in boot.cluster[0].nodes if n.node_type == pb.NodeInfoPB.FE_MASTER]
    assert len(boot.cluster) == 1 and [f"{n.ip}_{n.edit_log_port}" for n in master] == ["10.0.0.11_9010"]
    assert len(fe("get_cluster", pb.GetClusterRequest(cloud_unique_id=FE)).cluster) == 2
    assert fe("get_instance", pb.GetInstanceRequest(cloud_unique_id=FE)).instance.status == pb.InstanceInfoPB.NORMAL
    obj = be("get_obj_store_info", pb.GetObjStoreInfoRequest(cloud_unique_id=BE), pb.GetObjStoreInfoResponse)
    assert (obj.obj_info[0].bucket, obj.obj_info[0].sk) == (OBJ["bucket"], OBJ["sk"])
    status = be("get_cluster_status", pb.GetClusterStatusRequest(cloud_unique_ids=[BE]), pb.GetClusterStatusResponse)
    assert [c.cluster_name for c in status.details[0].clusters] == ["cg1"]

    # (b) CREATE TABLE: prepare_index -> create_tablets -> commit_index -> check_kv
    fe("prepare_index", pb.IndexRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, index_ids=[INDEX],
                                        expiration=4_000_000_000))  # fmt: skip
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=TABLET,
                                  schema_version=0, tablet_state=olap.PB_RUNNING)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.DUP_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2="init", tablet_id=TABLET, start_version=0, end_version=1)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=FE, db_id=DB, tablet_metas=[meta]))
    fe("commit_index", pb.IndexRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, index_ids=[INDEX],
                                       is_new_table=True))  # fmt: skip
    check = pb.CheckKVRequest(cloud_unique_id=FE, op=pb.CheckKVRequest.CREATE_INDEX_AFTER_FE_COMMIT)
    check.check_keys.table_ids.append(TABLE)
    check.check_keys.index_ids.append(INDEX)
    assert not fe("check_kv", check).bad_keys.index_ids

    # (c) two loads: begin_txn (FE) -> get_tablet, prepare/commit_rowset (BE) -> commit_txn (FE)
    for i, version in ((1, 2), (2, 3)):
        info = pb.TxnInfoPB(db_id=DB, label=f"load-{i}", table_ids=[TABLE], timeout_ms=600_000)
        txn_id = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=FE, txn_info=info)).txn_id
        got = be("get_tablet", pb.GetTabletRequest(cloud_unique_id=BE, tablet_id=TABLET), pb.GetTabletResponse)
        assert got.tablet_meta.tablet_id == TABLET
        req = pb.CreateRowsetRequest(cloud_unique_id=BE, rowset_meta=rowset(txn_id, f"rs-load-{i}"))
        be("prepare_rowset", req, pb.CreateRowsetResponse)
        be("commit_rowset", req, pb.CreateRowsetResponse)
        be("commit_rowset", req, pb.CreateRowsetResponse)  # a BE retry of the same rowset is OK
        done = fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=FE, db_id=DB, txn_id=txn_id))
        assert (list(done.table_ids), list(done.partition_ids), list(done.versions)) == ([TABLE], [PART], [version])
        assert done.version_update_time_ms > 0
        again = fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=FE, db_id=DB, txn_id=txn_id))
        assert again.status.code == pb.OK  # a retried commit of a visible txn is OK (trap 6)

    # (d) SELECT: versions (FE), rowsets (BE), stats (FE)
    v = fe("get_version", pb.GetVersionRequest(cloud_unique_id=FE, batch_mode=True, db_ids=[DB, DB],
                                               table_ids=[TABLE, TABLE], partition_ids=[PART, 999_999]))  # fmt: skip
    assert list(v.versions) == [3, -1]
    single = fe("get_version", pb.GetVersionRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, partition_id=PART))
    assert single.version == 3
    rs = be("get_rowset", pb.GetRowsetRequest(cloud_unique_id=BE, idx=IDX, start_version=0, end_version=-1,
                                               base_compaction_cnt=0, cumulative_compaction_cnt=0,
                                               cumulative_point=-1), pb.GetRowsetResponse)  # fmt: skip
    assert [(r.start_version, r.end_version) for r in rs.rowset_meta] == [(0, 1), (2, 2), (3, 3)]
    stats = fe("get_tablet_stats", pb.GetTabletStatsRequest(cloud_unique_id=FE, tablet_idx=[IDX])).tablet_stats[0]
    assert (stats.num_rows, stats.num_rowsets, stats.data_size) == (200, 3, 22000)

    # (e) compaction of versions 2-3 (BE): start -> output rowset -> finish COMMIT; LEASE; counters agree
    job = pb.TabletCompactionJobPB(id="cumu-1", initiator="be1", type=pb.TabletCompactionJobPB.CUMULATIVE,
                                   base_compaction_cnt=0, cumulative_compaction_cnt=0, expiration=4_000_000_000,
                                   lease=4_000_000_000, input_versions=[2, 3])  # fmt: skip
    be("start_tablet_job", pb.StartTabletJobRequest(cloud_unique_id=BE, job=pb.TabletJobInfoPB(idx=IDX,
       compaction=[job])), pb.StartTabletJobResponse)  # fmt: skip
    lease = pb.TabletCompactionJobPB(id="cumu-1", initiator="be1", lease=4_000_000_100)
    be("finish_tablet_job", pb.FinishTabletJobRequest(cloud_unique_id=BE, action=pb.FinishTabletJobRequest.LEASE,
       job=pb.TabletJobInfoPB(idx=IDX, compaction=[lease])), pb.FinishTabletJobResponse)  # fmt: skip
    out = rowset(900_001, "rs-compacted", rows=200, start=2, end=3)
    be("prepare_rowset", pb.CreateRowsetRequest(cloud_unique_id=BE, rowset_meta=out), pb.CreateRowsetResponse)
    be("commit_rowset", pb.CreateRowsetRequest(cloud_unique_id=BE, rowset_meta=out), pb.CreateRowsetResponse)
    job.output_versions.append(3)
    job.output_rowset_ids.append("rs-compacted")
    job.txn_id.append(900_001)
    job.output_cumulative_point = 4
    job.num_input_rowsets, job.num_output_rowsets = 2, 1
    job.num_input_segments, job.num_output_segments = 2, 1
    job.num_input_rows, job.num_output_rows = 200, 200
    job.size_input_rowsets, job.size_output_rowsets = 22000, 22000
    fin = be("finish_tablet_job", pb.FinishTabletJobRequest(cloud_unique_id=BE, action=pb.FinishTabletJobRequest.COMMIT,
             job=pb.TabletJobInfoPB(idx=IDX, compaction=[job])), pb.FinishTabletJobResponse)  # fmt: skip
    assert (fin.stats.cumulative_compaction_cnt, fin.stats.cumulative_point) == (1, 4)
    assert (fin.stats.num_rowsets, fin.stats.num_rows) == (2, 200)
    # the BE's next sync sends the counters it knows; stale ones are told to re-sync
    rs = be("get_rowset", pb.GetRowsetRequest(cloud_unique_id=BE, idx=IDX, start_version=0, end_version=-1,
                                               base_compaction_cnt=0, cumulative_compaction_cnt=1,
                                               cumulative_point=4), pb.GetRowsetResponse)  # fmt: skip
    assert [(r.start_version, r.end_version) for r in rs.rowset_meta] == [(0, 1), (2, 3)]
    assert (rs.stats.cumulative_compaction_cnt, rs.stats.cumulative_point) == (1, 4)

    # a load whose coordinating BE restarted: aborted by coordinator (FE), its label free again (upstream
    # aborts only BE-coordinated txns)
    coord = pb.TxnCoordinatorPB(sourceType=pb.TXN_SOURCE_TYPE_BE, ip="10.0.0.12", id=77, start_time=1_700_000_000)
    info = pb.TxnInfoPB(db_id=DB, label="orphan", table_ids=[TABLE], timeout_ms=600_000, coordinator=coord)
    orphan = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=FE, txn_info=info)).txn_id
    fe("abort_txn_with_coordinator", pb.AbortTxnWithCoordinatorRequest(cloud_unique_id=FE, ip="10.0.0.12", id=77,
                                                                       start_time=1_700_000_001))  # fmt: skip
    got_txn = fe("get_txn", pb.GetTxnRequest(cloud_unique_id=FE, db_id=DB, txn_id=orphan))
    assert got_txn.txn_info.status == pb.TXN_STATUS_ABORTED
    fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=FE, txn_info=info))
