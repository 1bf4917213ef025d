"""COPY INTO jobs, stages, routine-load progress and restore jobs against a real server process, each
called over gRPC (as the FE) and baidu_std (as the BE), and a newly served RPC over the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.e2e.test_doris_cluster_rpc import Be, Fe
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

IID = "loadjobs"
CUID = f"1:{IID}:node"
DB, TABLE, INDEX, PART = 1, 3001, 3002, 3003
STAGE_ID = "stage-ext-1"


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[tuple[MetaServer, Fe, Be]]:
    srv = start_meta_server(tmp_path_factory.mktemp("loadjobs") / "ms", store=ms_store)
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    try:
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def files(*names: str) -> list[pb.ObjectFilePB]:
    return [pb.ObjectFilePB(relative_path=n, etag=f"etag-{n}", size=10) for n in names]


def begin_copy(copy_id: str, *names: str) -> pb.BeginCopyRequest:
    return pb.BeginCopyRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, stage_type=pb.StagePB.EXTERNAL,
                               table_id=TABLE, copy_id=copy_id, group_id=0, start_time_ms=1,
                               timeout_time_ms=4_000_000_000_000, object_files=files(*names))  # fmt: skip


def finish_copy(copy_id: str, action: int) -> pb.FinishCopyRequest:
    return pb.FinishCopyRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, stage_type=pb.StagePB.EXTERNAL,
                                table_id=TABLE, copy_id=copy_id, group_id=0, action=action,  # type: ignore[arg-type]
                                finish_time_ms=5)  # fmt: skip


def test_copy_job(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = ms
    first = fe("begin_copy", begin_copy("q1", "a.csv", "b.csv", "c.csv"))
    assert [f.relative_path for f in first.filtered_object_files] == ["a.csv", "b.csv", "c.csv"]
    # the BE's view (baidu_std): a second job only gets the files nobody holds
    second = be("begin_copy", begin_copy("q2", "c.csv", "d.csv"), pb.BeginCopyResponse)
    assert [f.relative_path for f in second.filtered_object_files] == ["d.csv"]
    listed = fe("get_copy_files", pb.GetCopyFilesRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE))
    assert sorted(f.relative_path for f in listed.object_files) == ["a.csv", "b.csv", "c.csv", "d.csv"]
    check = pb.FilterCopyFilesRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE,
                                      object_files=files("a.csv", "e.csv", "d.csv"))  # fmt: skip
    assert [f.relative_path for f in fe("filter_copy_files", check).object_files] == ["e.csv"]
    fe("finish_copy", finish_copy("q1", pb.FinishCopyRequest.COMMIT))
    be("finish_copy", finish_copy("q2", pb.FinishCopyRequest.ABORT), pb.FinishCopyResponse)
    got = fe("get_copy_job", pb.GetCopyJobRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE,
                                                 copy_id="q1", group_id=0))  # fmt: skip
    assert (got.copy_job.job_status, got.copy_job.finish_time_ms, len(got.copy_job.object_files)) == (
        pb.CopyJobPB.FINISH,
        5,
        3,
    )
    gone = pb.GetCopyJobRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE, copy_id="q2", group_id=0)
    assert not be("get_copy_job", gone, pb.GetCopyJobResponse).HasField("copy_job")
    assert [f.relative_path for f in fe("filter_copy_files", check).object_files] == ["e.csv", "d.csv"]
    fe("finish_copy", finish_copy("q2", pb.FinishCopyRequest.COMMIT), expect=pb.COPY_JOB_NOT_FOUND)
    # the HTTP route of a newly served RPC answers the same in JSON
    doc = srv.ok("get_copy_files", {"cloud_unique_id": CUID, "stage_id": STAGE_ID, "table_id": TABLE})
    assert sorted(f["relative_path"] for f in doc["result"]["object_files"]) == ["a.csv", "b.csv", "c.csv"]


def test_stages_internal_external_and_a_taken_name(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    internal = pb.StagePB(type=pb.StagePB.INTERNAL, mysql_user_name=["root"], mysql_user_id=["u1"], stage_id="si1")
    fe("create_stage", pb.CreateStageRequest(cloud_unique_id=CUID, stage=internal))
    obj = pb.ObjectStoreInfoPB(ak="EAK", sk="external-secret", bucket="eb", prefix="ep", endpoint="e", region="r",
                               provider=pb.ObjectStoreInfoPB.S3)  # fmt: skip
    external = pb.StagePB(type=pb.StagePB.EXTERNAL, name="s3_stage", stage_id="se1", obj_info=obj)
    fe("create_stage", pb.CreateStageRequest(cloud_unique_id=CUID, stage=external))
    taken = pb.StagePB(type=pb.StagePB.EXTERNAL, name="s3_stage", stage_id="se2", obj_info=obj)
    be("create_stage", pb.CreateStageRequest(cloud_unique_id=CUID, stage=taken), pb.CreateStageResponse,
       expect=pb.ALREADY_EXISTED)  # fmt: skip
    mine = pb.GetStageRequest(
        cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_name="root", mysql_user_id="u1"
    )
    (s,) = fe("get_stage", mine).stage
    assert (s.stage_id, s.obj_info.prefix, s.obj_info.sk) == ("si1", f"{OBJ['prefix']}/stage/root/u1", OBJ["sk"])
    by_name = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="s3_stage")
    (e,) = be("get_stage", by_name, pb.GetStageResponse).stage
    assert (e.obj_info.ak, e.obj_info.sk) == ("EAK", "external-secret")
    fe("drop_stage", pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="s3_stage"))
    fe("get_stage", by_name, expect=pb.STAGE_NOT_FOUND)
    fe("drop_stage", pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_id="u1"))
    fe("get_stage", mine, expect=pb.STAGE_NOT_FOUND)


def rl_commit(fe: Fe, committer: Fe | Be, label: str, offsets: dict[int, int], rows: int) -> None:
    """The FE begins a routine-load task's txn; `committer` commits it with the task's progress."""
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000,
                        load_job_source_type=pb.LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK)  # fmt: skip
    txn_id = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)).txn_id
    req = pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)
    req.commit_attachment.type = pb.TxnCommitAttachmentPB.RT_TASK_TXN_COMMIT_ATTACHMENT
    attach = req.commit_attachment.rl_task_txn_commit_attachment
    attach.job_id, attach.loaded_rows, attach.received_bytes = 42, rows, rows * 100
    attach.progress.partition_to_offset.update(offsets)
    if isinstance(committer, Be):
        committer("commit_txn", req, pb.CommitTxnResponse)
    else:
        committer("commit_txn", req)


def test_routine_load_progress_carried_by_commit_txn(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = ms
    get_req = pb.GetRLTaskCommitAttachRequest(cloud_unique_id=CUID, db_id=DB, job_id=42)
    fe("get_rl_task_commit_attach", get_req, expect=pb.ROUTINE_LOAD_PROGRESS_NOT_FOUND)
    rl_commit(fe, fe, "rl-task-1", {0: 1000, 1: 2000}, rows=10)
    rl_commit(fe, be, "rl-task-2", {1: 2500, 2: 300}, rows=4)
    attach = be("get_rl_task_commit_attach", get_req, pb.GetRLTaskCommitAttachResponse).commit_attach
    assert dict(attach.progress.partition_to_offset) == {0: 1000, 1: 2500, 2: 300}
    assert (attach.loaded_rows, attach.received_bytes) == (14, 1400)
    doc = srv.ok("get_rl_task_commit_attach", {"cloud_unique_id": CUID, "db_id": DB, "job_id": 42})
    assert doc["result"]["commit_attach"]["loaded_rows"] == "14"
    fe("reset_rl_progress", pb.ResetRLProgressRequest(cloud_unique_id=CUID, db_id=DB, job_id=42,
                                                      partition_to_offset={2: 0}))  # fmt: skip
    attach = fe("get_rl_task_commit_attach", get_req).commit_attach
    assert dict(attach.progress.partition_to_offset) == {0: 1000, 1: 2500, 2: 0}
    be("reset_rl_progress", pb.ResetRLProgressRequest(cloud_unique_id=CUID, db_id=DB, job_id=42),
       pb.ResetRLProgressResponse)  # fmt: skip
    fe("get_rl_task_commit_attach", get_req, expect=pb.ROUTINE_LOAD_PROGRESS_NOT_FOUND)


def restore_meta(tablet_id: int) -> olap.TabletMetaCloudPB:
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=tablet_id,
                                  schema_version=0, cumulative_layer_point=3)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.DUP_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2="init", tablet_id=tablet_id, start_version=0, end_version=1)
    rs = meta.rs_metas.add(rowset_id=0, rowset_id_v2="restored", tablet_id=tablet_id, start_version=2, end_version=2)
    rs.num_rows, rs.num_segments, rs.total_disk_size, rs.data_disk_size = 123, 2, 4096, 4000
    return meta


def test_restore_job_with_tablets(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms
    tablets = [3101, 3102]
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[
        restore_meta(t) for t in tablets]))  # fmt: skip
    for t in tablets:  # as the BE's restore drives it
        prepare = pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=t, tablet_meta=restore_meta(t), expiration=600)
        be("prepare_restore_job", prepare, pb.RestoreJobResponse)
        be("commit_restore_job", pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=t), pb.RestoreJobResponse)
    fe("commit_restore_job", pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=tablets[0]))  # a retry: OK
    idx = [pb.TabletIndexPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=t) for t in tablets]
    stats = fe("get_tablet_stats", pb.GetTabletStatsRequest(cloud_unique_id=CUID, tablet_idx=idx))
    assert [(s.num_rows, s.num_rowsets, s.num_segments, s.data_size) for s in stats.tablet_stats] == [
        (123, 2, 2, 4096)
    ] * 2
    rs_req = pb.GetRowsetRequest(cloud_unique_id=CUID, start_version=0, end_version=-1, base_compaction_cnt=0,
                                 cumulative_compaction_cnt=0, cumulative_point=-1)  # fmt: skip
    rs_req.idx.CopyFrom(pb.TabletIndexPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=tablets[1]))
    got = be("get_rowset", rs_req, pb.GetRowsetResponse)
    assert [(r.end_version, r.rowset_id_v2) for r in got.rowset_meta] == [(1, "init"), (2, "restored")]
    complete = pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=tablets[0], action=pb.RestoreJobRequest.COMPLETE)
    be("finish_restore_job", complete, pb.RestoreJobResponse)
    abort = pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=tablets[1], action=pb.RestoreJobRequest.ABORT)
    fe("finish_restore_job", abort)
    # a completed job cannot be prepared again; an unknown tablet is refused
    again = pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=tablets[0], tablet_meta=restore_meta(tablets[0]))
    be("prepare_restore_job", again, pb.RestoreJobResponse, expect=pb.INVALID_ARGUMENT)
    fe("commit_restore_job", pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=999), expect=pb.TABLET_NOT_FOUND)


def test_newer_than_3_0_rpcs_answer_unimplemented_saying_so(ms: tuple[MetaServer, Fe, Be]) -> None:
    _, fe, be = ms

    with pytest.raises(grpc.RpcError) as e:
        fe.stub.begin_snapshot(pb.BeginSnapshotRequest(cloud_unique_id=CUID), timeout=30)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED and "newer than Doris 3.0" in str(e.value.details())
    reply = be.loop.run_until_complete(
        be.client.call_raw("list_snapshot", pb.ListSnapshotRequest().SerializeToString())
    )
    assert reply.error_code == 1002 and "newer than Doris 3.0" in reply.meta.response.error_text
