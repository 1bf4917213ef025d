"""Merge-on-write delete bitmaps against a real server process: the FE's lock and commit calls
over gRPC, the BE's bitmap and compaction calls over baidu_std, and the HTTP routes of the same
RPCs. Two overlapping loads of a UNIQUE KEY table meet at the table lock, a compaction takes the
lock under its own initiator, bitmaps are read back by version range (a large one byte for byte),
an expired lock is lost, and a late rowset of a finished load is refused."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.e2e.test_doris_cluster_rpc import Be, Fe
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

IID = "rpcmow"
CUID = f"1:{IID}:node"
DB, TABLE, INDEX, PART, T1 = 1, 3001, 3002, 3003, 3004
IDX = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=T1)
JOB_TXN = 7_000_000
STORES = ["sqlite", "postgresql", "etcd"]  # MoW bitmaps: the largest values, split across keys on every store


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[tuple[MetaServer, Fe, Be]]:
    srv = start_meta_server(tmp_path_factory.mktemp("rpcmow") / "ms", store=ms_store)
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=T1, schema_version=0,
                                  enable_unique_key_merge_on_write=True)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.UNIQUE_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2="init", tablet_id=T1, start_version=0, end_version=1)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[meta]))
    try:
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def rowset(txn_id: int, rid: str, load: bool = True) -> olap.RowsetMetaCloudPB:
    rs = olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=rid, tablet_id=T1, partition_id=PART, txn_id=txn_id,
                                num_rows=10, num_segments=1, txn_expiration=4 * 10**9, schema_version=0)  # fmt: skip
    if load:
        rs.load_id.hi, rs.load_id.lo = txn_id, 1
    return rs


def lock(lock_id: int, initiator: int = -1, expiration: int = 60, **kw: Any) -> pb.GetDeleteBitmapUpdateLockRequest:
    return pb.GetDeleteBitmapUpdateLockRequest(cloud_unique_id=CUID, table_id=TABLE, partition_ids=[PART],
                                               lock_id=lock_id, initiator=initiator, expiration=expiration,
                                               **kw)  # fmt: skip


def bitmaps(lock_id: int, items: list[tuple[str, int, bytes]], initiator: int = -1) -> pb.UpdateDeleteBitmapRequest:
    return pb.UpdateDeleteBitmapRequest(cloud_unique_id=CUID, table_id=TABLE, partition_id=PART, tablet_id=T1,
                                        lock_id=lock_id, initiator=initiator, rowset_ids=[i[0] for i in items],
                                        versions=[i[1] for i in items], segment_ids=[0] * len(items),
                                        segment_delete_bitmaps=[i[2] for i in items])  # fmt: skip


def ranges(*rs: tuple[str, int, int], **kw: Any) -> pb.GetDeleteBitmapRequest:
    return pb.GetDeleteBitmapRequest(cloud_unique_id=CUID, tablet_id=T1, rowset_ids=[r[0] for r in rs],
                                     begin_versions=[r[1] for r in rs], end_versions=[r[2] for r in rs],
                                     **kw)  # fmt: skip


def begin_load(fe: Fe, be: Be, label: str) -> int:
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
    txn_id: int = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)).txn_id
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(txn_id, f"rs-{label}"))
    be("prepare_rowset", req, pb.CreateRowsetResponse)
    be("commit_rowset", req, pb.CreateRowsetResponse)
    return txn_id


def commit(fe: Fe, txn_id: int, expect: int = pb.OK) -> Any:
    return fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id, mow_table_ids=[TABLE]), expect)


U = pb.UpdateDeleteBitmapResponse
G = pb.GetDeleteBitmapResponse


def test_mow_loads_compaction_and_bitmaps(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = ms
    a, b = begin_load(fe, be, "a"), begin_load(fe, be, "b")
    # load a takes the table lock (with the compaction stats the FE hands the BE); b must wait
    got = fe("get_delete_bitmap_update_lock", lock(a, require_compaction_stats=True, tablet_indexes=[IDX]))
    assert (list(got.base_compaction_cnts), list(got.cumulative_compaction_cnts), list(got.cumulative_points)) == (
        [0], [0], [2],
    )  # fmt: skip
    fe("get_delete_bitmap_update_lock", lock(b), expect=pb.LOCK_CONFLICT)
    be("update_delete_bitmap", bitmaps(b, [("rs-init", 2, b"b")]), U, expect=pb.LOCK_EXPIRED)
    be("update_delete_bitmap", bitmaps(a, [("init", 2, b"a-on-init")]), U)
    assert list(commit(fe, a).versions) == [2]
    # b now gets the lock, marks rows of a's rowset deleted and commits at version 3
    fe("get_delete_bitmap_update_lock", lock(b))
    be("update_delete_bitmap", bitmaps(b, [("init", 3, b"b-on-init"), ("rs-a", 3, b"b-on-a")]), U)
    assert list(commit(fe, b).versions) == [3]
    commit(fe, begin_load(fe, be, "nolock"), expect=pb.LOCK_EXPIRED)  # no lock taken: refused
    read = be("get_delete_bitmap", ranges(("init", 0, 3), ("rs-a", 3, 3), ("rs-a", 4, 9)), G)
    assert list(zip(read.rowset_ids, read.versions, read.segment_delete_bitmaps, strict=True)) == [
        ("init", 2, b"a-on-init"), ("init", 3, b"b-on-init"), ("rs-a", 3, b"b-on-a"),
    ]  # fmt: skip
    assert list(read.returned_rowset_ids) == ["init", "rs-a", "rs-a"]
    # a late BE retry of load a's rowset cannot resurrect it
    late = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(a, "rs-a-retry"))
    resp = be("commit_rowset", late, pb.CreateRowsetResponse, expect=pb.INVALID_ARGUMENT)
    assert resp.status.msg == f"txn is not in 1 state, txn_id={a}, txn_status=3"

    # a cumulative compaction of versions 2..3 holds the lock under its own initiator
    job = pb.TabletCompactionJobPB(id="cj", initiator="be1", type=pb.TabletCompactionJobPB.CUMULATIVE,
                                   base_compaction_cnt=0, cumulative_compaction_cnt=0, expiration=4_000_000_000,
                                   lease=4_000_000_000, input_versions=[2, 3])  # fmt: skip
    start = pb.StartTabletJobRequest(cloud_unique_id=CUID)
    start.job.idx.CopyFrom(IDX)
    start.job.compaction.append(job)
    be("start_tablet_job", start, pb.StartTabletJobResponse)
    be("commit_rowset", pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(JOB_TXN, "out", load=False)),
       pb.CreateRowsetResponse)  # fmt: skip
    be("get_delete_bitmap_update_lock", lock(-1, initiator=42), pb.GetDeleteBitmapUpdateLockResponse)
    c = begin_load(fe, be, "c")
    fe("get_delete_bitmap_update_lock", lock(c), expect=pb.LOCK_CONFLICT)  # the load waits for the compaction
    be("update_delete_bitmap", bitmaps(-1, [("out", 3, b"compacted")], initiator=42), U)
    done = pb.FinishTabletJobRequest(cloud_unique_id=CUID, action=pb.FinishTabletJobRequest.COMMIT)
    done.job.idx.CopyFrom(IDX)
    finished = done.job.compaction.add()
    finished.CopyFrom(job)
    finished.output_cumulative_point, finished.delete_bitmap_lock_initiator = 4, 42
    finished.output_versions.append(3)
    finished.output_rowset_ids.append("out")
    finished.txn_id.append(JOB_TXN)
    stats = be("finish_tablet_job", done, pb.FinishTabletJobResponse).stats
    assert (stats.cumulative_compaction_cnt, stats.cumulative_point) == (1, 4)
    # the compaction released the lock; a BE with pre-compaction counters must re-sync
    stale = ranges(("out", 0, 9), idx=IDX, base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=2)
    be("get_delete_bitmap", stale, G, expect=pb.ROWSETS_EXPIRED)
    fresh = ranges(("out", 0, 9), idx=IDX, base_compaction_cnt=0, cumulative_compaction_cnt=1, cumulative_point=4)
    assert list(be("get_delete_bitmap", fresh, G).segment_delete_bitmaps) == [b"compacted"]

    # load c's lock expires before it commits: a compaction takes it over, c's commit is refused
    fe("get_delete_bitmap_update_lock", lock(c, expiration=-1))
    be("get_delete_bitmap_update_lock", lock(-1, initiator=43), pb.GetDeleteBitmapUpdateLockResponse)
    commit(fe, c, expect=pb.LOCK_EXPIRED)
    fe("remove_delete_bitmap_update_lock", pb.RemoveDeleteBitmapUpdateLockRequest(
        cloud_unique_id=CUID, table_id=TABLE, lock_id=-1, initiator=43))  # fmt: skip
    fe("get_delete_bitmap_update_lock", lock(c))
    assert list(commit(fe, c).versions) == [4]

    # the same RPCs answer on the HTTP API with JSON (bytes as base64)
    body = {"cloud_unique_id": CUID, "tablet_id": T1, "rowset_ids": ["rs-a"], "begin_versions": [0],
            "end_versions": [9]}  # fmt: skip
    doc = srv.ok("get_delete_bitmap", body)
    assert [base64.b64decode(v) for v in doc["result"]["segment_delete_bitmaps"]] == [b"b-on-a"]
    srv.ok("remove_delete_bitmap", body)
    assert not be("get_delete_bitmap", ranges(("rs-a", 0, 9)), G).rowset_ids


def test_large_bitmap_round_trips_over_both_protocols(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    big = bytes((i * 131 + i // 256) % 256 for i in range(400_000))  # four 90,000-byte chunks and a tail
    fe("get_delete_bitmap_update_lock", lock(-1, initiator=77))
    be("update_delete_bitmap", bitmaps(-1, [("big", 9, big), ("big", 10, b"")], initiator=77), U)
    got = fe("get_delete_bitmap", ranges(("big", 9, 10)))
    assert list(got.segment_delete_bitmaps) == [big, b""]
    paged = be("get_delete_bitmap", ranges(("big", 9, 9), ("big", 10, 10), dbm_bytes_threshold=1000), G)
    assert (paged.has_more, list(paged.returned_rowset_ids), list(paged.segment_delete_bitmaps)) == (
        True, ["big"], [big],
    )  # fmt: skip
    bad = bitmaps(-1, [("big", 11, b"x")], initiator=77)
    bad.versions.append(12)
    be("update_delete_bitmap", bad, U, expect=pb.INVALID_ARGUMENT)
    fe("remove_delete_bitmap_update_lock", pb.RemoveDeleteBitmapUpdateLockRequest(
        cloud_unique_id=CUID, table_id=TABLE, lock_id=-1, initiator=77))  # fmt: skip
    fe("remove_delete_bitmap_update_lock", pb.RemoveDeleteBitmapUpdateLockRequest(
        cloud_unique_id=CUID, table_id=TABLE, lock_id=-1, initiator=77), expect=pb.LOCK_EXPIRED)  # fmt: skip
