"""Issue 4's scenario through HTTP alone, against a real meta-service process.

create instance -> create tablets -> 4 loads (spec 7.5's worked example) -> compact the four load
rowsets -> abort a running load -> abort a running compaction; checking the stats and states the
spec describes after each step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf import text_format

from dorisctl.metaservice.proto import cloud_pb2
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

CUID = "1:e2e:be"
TABLET = {"table_id": 10001, "index_id": 10002, "partition_id": 10003, "tablet_id": 10004}


def stats(srv: MetaServer) -> cloud_pb2.TabletStatsPB:
    r = srv.call("get_tablet_stats", {"cloud_unique_id": CUID, "tablet_idx": [TABLET]})
    assert r.status_code == 200, r.text
    resp = text_format.Parse(r.text, cloud_pb2.GetTabletStatsResponse())
    assert resp.status.code == cloud_pb2.OK
    return resp.tablet_stats[0]


def rowset(txn_id: int, rowset_id: str) -> dict[str, Any]:
    return {"rowset_id": 0, "tablet_id": TABLET["tablet_id"], "txn_id": txn_id, "rowset_id_v2": rowset_id,
            "num_rows": 100, "num_segments": 1, "total_disk_size": 11000, "data_disk_size": 10000,
            "index_disk_size": 1000, "txn_expiration": 4_000_000_000}  # fmt: skip


def test_loads_compaction_and_aborts_over_http(tmp_path: Path) -> None:
    srv = start_meta_server(tmp_path / "ms")
    try:
        srv.ok("create_instance", {"instance_id": "e2e", "obj_info": OBJ})
        meta = dict(TABLET, schema_version=0)
        srv.ok("create_tablets", {"cloud_unique_id": CUID, "db_id": 1, "tablet_metas": [meta]})
        s = stats(srv)
        assert (s.num_rowsets, s.cumulative_point, s.data_size) == (1, 2, 0)

        for i in range(4):  # spec 7.5: four loads of one 100-row, 1-segment rowset
            info = {"db_id": 1, "label": f"load{i}", "table_ids": [10001], "timeout_ms": 600_000}
            txn_id = int(srv.ok("begin_txn", {"cloud_unique_id": CUID, "txn_info": info})["result"]["txn_id"])
            rs = rowset(txn_id, f"load-{i}")
            srv.ok("prepare_rowset", {"cloud_unique_id": CUID, "rowset_meta": rs})
            srv.ok("commit_rowset", {"cloud_unique_id": CUID, "rowset_meta": rs})
            got = srv.ok("commit_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})["result"]
            assert got["versions"] == [str(i + 2)]
        s = stats(srv)
        assert (s.data_size, s.num_rows, s.num_rowsets, s.num_segments, s.index_size, s.segment_size) == (
            44000, 400, 5, 4, 4000, 40000,
        )  # fmt: skip

        # compact versions 2..5 into one rowset
        job: dict[str, Any] = {"id": "cumu-1", "initiator": "be1", "type": "CUMULATIVE", "base_compaction_cnt": 0,
                               "cumulative_compaction_cnt": 0, "expiration": 4_000_000_000, "lease": 4_000_000_000,
                               "input_versions": [2, 5]}  # fmt: skip
        srv.ok("start_tablet_job", {"cloud_unique_id": CUID, "job": {"idx": TABLET, "compaction": [job]}})
        out = dict(rowset(900_001, "compacted"), num_rows=400, total_disk_size=40000, data_disk_size=36000,
                   index_disk_size=4000, start_version=2, end_version=5)  # fmt: skip
        srv.ok("prepare_rowset", {"cloud_unique_id": CUID, "rowset_meta": out})
        srv.ok("commit_rowset", {"cloud_unique_id": CUID, "rowset_meta": out})
        done = dict(job, output_versions=[5], output_rowset_ids=["compacted"], txn_id=[900_001],
                    output_cumulative_point=6, num_input_rowsets=4,
                    num_output_rowsets=1, num_input_segments=4, num_output_segments=1, num_input_rows=400,
                    num_output_rows=400, size_input_rowsets=44000, size_output_rowsets=40000)  # fmt: skip
        srv.ok("finish_tablet_job", {"cloud_unique_id": CUID, "action": "COMMIT",
                                     "job": {"idx": TABLET, "compaction": [done]}})  # fmt: skip
        s = stats(srv)
        assert (s.num_rowsets, s.num_segments, s.num_rows) == (2, 1, 400)
        assert (s.cumulative_compaction_cnt, s.cumulative_point, s.data_size) == (1, 6, 40000)

        # abort a running load: PREPARED -> ABORTED, and its label may be used again
        info = {"db_id": 1, "label": "load-x", "table_ids": [10001], "timeout_ms": 600_000}
        running = int(srv.ok("begin_txn", {"cloud_unique_id": CUID, "txn_info": info})["result"]["txn_id"])
        r = srv.call("abort_txn", {"cloud_unique_id": CUID, "txn_id": running})
        assert r.text == '{\n    "code": "OK",\n    "msg": ""\n}\n'
        got = srv.ok("get_txn", {"cloud_unique_id": CUID, "txn_id": running})["result"]
        assert got["txn_info"]["status"] == "TXN_STATUS_ABORTED"
        r = srv.call("abort_txn", {"cloud_unique_id": CUID, "txn_id": running})
        assert (r.status_code, r.json()["msg"]) == (500, f"transaction [{running}] is already aborted, db_id=1")
        srv.ok("begin_txn", {"cloud_unique_id": CUID, "txn_info": info})

        # abort a running compaction: the job entry goes, the stats stay
        job2 = dict(job, id="cumu-2", cumulative_compaction_cnt=1, input_versions=[6, 6])
        srv.ok("start_tablet_job", {"cloud_unique_id": CUID, "job": {"idx": TABLET, "compaction": [job2]}})
        abort = {"cloud_unique_id": CUID, "job": {"idx": {"tablet_id": 10004}, "compaction": [{"id": "cumu-2"}]}}
        r = srv.call("abort_tablet_job", abort)
        assert r.status_code == 200, r.text
        r = srv.call("abort_tablet_job", abort)
        assert (r.status_code, r.json()["msg"]) == (400, "there is no running compaction, tablet_id=10004")
        assert stats(srv).num_rowsets == 2
    finally:
        srv.stop()
