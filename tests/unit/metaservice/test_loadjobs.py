"""Stages, copy jobs, routine-load / streaming progress and restore jobs, operation by operation
(ops/stage.py, copy.py, routine_load.py, restore.py), replaying upstream's meta_service_test.cpp
cases (CopyJobTest, FilterCopyFilesTest, the stage and routine-load cases) on a real SQLite store."""

from __future__ import annotations

from typing import Any

import pytest

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.model.bitmaps import chunk_key
from dorisctl.metaservice.model.tablets import load_tablet_index, read_stats
from dorisctl.metaservice.ops import copy, restore, routine_load, stage
from dorisctl.metaservice.ops.tablet import create_tablets, get_rowset
from dorisctl.metaservice.ops.txn import begin_txn, commit_txn
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto.loadjob_records_pb2 import CopyFilePB, RecycleStagePB, RestoreJobCloudPB
from tests.unit.metaservice.conftest import CUID, IID, Env, tablet_meta

STAGE_ID, TABLE = "test_stage_id", 100


async def expect(env: Env, op: Any, req: Any, code: int, msg: str | None = None) -> MetaServiceError:
    with pytest.raises(MetaServiceError) as e:
        await env.call(op, req)
    assert e.value.code == code, (Code.Name(e.value.code), e.value.msg)
    if msg is not None:
        assert e.value.msg == msg
    return e.value


async def get(env: Env, key: bytes) -> bytes | None:
    async def read(txn: Any) -> bytes | None:
        value: bytes | None = await txn.get(key)
        return value

    return await run_txn(env.svc.kv, read)


async def with_obj_info(env: Env) -> None:
    async def seed(txn: Any) -> None:
        inst = pb.InstanceInfoPB(instance_id=IID)
        inst.obj_info.add(id="1", ak="AK", sk="SK-1", bucket="b", prefix="pfx", endpoint="ep", region="r")
        txn.put(keys.instance_key(IID), inst.SerializeToString())

    await run_txn(env.svc.kv, seed)


# -- stages ----------------------------------------------------------------------------------------


def internal(user: str, uid: str, sid: str) -> pb.CreateStageRequest:
    s = pb.StagePB(type=pb.StagePB.INTERNAL, mysql_user_name=[user], mysql_user_id=[uid], stage_id=sid)
    return pb.CreateStageRequest(cloud_unique_id=CUID, stage=s)


def external(name: str, sid: str, sk: str = "EXT-SECRET") -> pb.CreateStageRequest:
    obj = pb.ObjectStoreInfoPB(ak="EAK", sk=sk, bucket="eb", prefix="ep", endpoint="e", region="r")
    s = pb.StagePB(type=pb.StagePB.EXTERNAL, name=name, stage_id=sid, obj_info=obj)
    return pb.CreateStageRequest(cloud_unique_id=CUID, stage=s)


async def test_internal_stage_per_user_lives_under_the_latest_obj_info(env: Env) -> None:
    await with_obj_info(env)
    await env.call(stage.create_stage, internal("root", "u1", "sid1"))
    got = await env.call(
        stage.get_stage,
        pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_name="root", mysql_user_id="u1"),
    )
    (s,) = got.stage
    assert (s.stage_id, s.obj_info.prefix, s.obj_info.sk, s.obj_info.bucket) == (
        "sid1",
        "pfx/stage/root/u1",
        "SK-1",
        "b",
    )
    # one internal stage per user name and per user id
    await expect(env, stage.create_stage, internal("root", "u2", "sid2"), Code.ALREADY_EXISTED, "stage already exist")
    await expect(env, stage.create_stage, internal("bob", "u1", "sid2"), Code.ALREADY_EXISTED)
    # the user was dropped and created again under the same name: the FE gets the old stage back
    aba = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_name="root", mysql_user_id="u9")
    e = await expect(env, stage.get_stage, aba, Code.STATE_ALREADY_EXISTED_FOR_USER)
    assert isinstance(e.result, pb.GetStageResponse) and e.result.stage[0].stage_id == "sid1"
    nobody = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_name="x", mysql_user_id="y")
    await expect(env, stage.get_stage, nobody, Code.STAGE_NOT_FOUND, "stage not found, create a new one")


async def test_external_stage_sk_sealed_at_rest_and_opened_by_name(env: Env) -> None:
    await with_obj_info(env)
    await env.call(stage.create_stage, external("s3stage", "sid-e"))
    raw = await get(env, keys.instance_key(IID))
    assert raw is not None and b"EXT-SECRET" not in raw
    await expect(env, stage.create_stage, external("s3stage", "sid-x"), Code.ALREADY_EXISTED)
    await expect(env, stage.create_stage, external("other", "sid-e"), Code.INVALID_ARGUMENT, "stage id is duplicated")
    by_name = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="s3stage")
    (s,) = (await env.call(stage.get_stage, by_name)).stage
    assert (s.obj_info.sk, s.access_type) == ("EXT-SECRET", pb.StagePB.AKSK)
    listed = await env.call(stage.get_stage, pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL))
    assert [x.name for x in listed.stage] == ["s3stage"] and listed.stage[0].obj_info.sk != "EXT-SECRET"


async def test_stage_requests_checked_and_counted(env: Env) -> None:
    await with_obj_info(env)
    bad = pb.CreateStageRequest(cloud_unique_id=CUID, stage=pb.StagePB(stage_id="s"))
    await expect(env, stage.create_stage, bad, Code.INVALID_ARGUMENT, "stage type not set")
    no_name = pb.CreateStageRequest(cloud_unique_id=CUID, stage=pb.StagePB(type=pb.StagePB.EXTERNAL, stage_id="s"))
    await expect(env, stage.create_stage, no_name, Code.INVALID_ARGUMENT, "stage name not set")
    no_user = pb.CreateStageRequest(cloud_unique_id=CUID, stage=pb.StagePB(type=pb.StagePB.INTERNAL, stage_id="s"))
    await expect(env, stage.create_stage, no_user, Code.INVALID_ARGUMENT)
    env.svc.settings.max_num_stages = 2
    await env.call(stage.create_stage, external("a", "sa"))
    await env.call(stage.create_stage, external("b", "sb"))
    await expect(env, stage.create_stage, external("c", "sc"), Code.UNDEFINED_ERR)
    await expect(env, stage.get_stage, pb.GetStageRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT)


async def test_drop_internal_stage_leaves_a_recycle_record(env: Env) -> None:
    await with_obj_info(env)
    await env.call(stage.create_stage, internal("root", "u1", "sid1"))
    await env.call(stage.create_stage, external("ext", "sid-e"))
    drop = pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_id="u1", reason="drop user")
    await env.call(stage.drop_stage, drop)
    record = RecycleStagePB()
    raw = await get(env, keys.recycle_stage_key(IID, "sid1"))
    assert raw is not None
    record.ParseFromString(raw)
    assert (record.instance_id, record.reason, record.stage.obj_info.prefix) == (IID, "drop user", "pfx/stage/root/u1")
    await expect(env, stage.drop_stage, drop, Code.STAGE_NOT_FOUND)
    await env.call(
        stage.drop_stage, pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="ext")
    )
    assert await get(env, keys.recycle_stage_key(IID, "sid-e")) is None  # external stages hold no objects of ours
    inst = pb.InstanceInfoPB()
    inst.ParseFromString(await get(env, keys.instance_key(IID)) or b"")
    assert not inst.stages


async def test_stages_as_upstream_stage_test(env: Env) -> None:
    await with_obj_info(env)
    mine = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_name="root",
                              mysql_user_id="root_id")  # fmt: skip
    await expect(env, stage.get_stage, mine, Code.STAGE_NOT_FOUND)
    await env.call(stage.create_stage, internal("root", "root_id", "internal_stage_id"))
    assert len((await env.call(stage.get_stage, mine)).stage) == 1
    drop = pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_id="root_id", reason="Drop")
    await env.call(stage.drop_stage, drop)

    async def recycle_records(txn: Any) -> int:
        return len(await txn.get_range(*keys.sub_range("recycle", IID, "stage")))

    assert await run_txn(env.svc.kv, recycle_records) == 1
    await expect(env, stage.get_stage, mine, Code.STAGE_NOT_FOUND)
    drop.mysql_user_id = "root_id2"
    await expect(env, stage.drop_stage, drop, Code.STAGE_NOT_FOUND)
    by_name = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="ex_name_1")
    await expect(env, stage.get_stage, by_name, Code.STAGE_NOT_FOUND)
    for i in range(2):
        await env.call(stage.create_stage, external(f"ex_name_{i}", f"ex_id_{i}"))
    assert [s.stage_id for s in (await env.call(stage.get_stage, by_name)).stage] == ["ex_id_1"]
    every = pb.GetStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL)
    assert [s.stage_id for s in (await env.call(stage.get_stage, every)).stage] == ["ex_id_0", "ex_id_1"]
    drop_ext = pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.EXTERNAL, stage_name="tmp")
    await expect(env, stage.drop_stage, drop_ext, Code.STAGE_NOT_FOUND)
    drop_ext.stage_name = "ex_name_1"
    await env.call(stage.drop_stage, drop_ext)
    assert [s.name for s in (await env.call(stage.get_stage, every)).stage] == ["ex_name_0"]


# -- copy jobs (upstream CopyJobTest, FilterCopyFilesTest) -----------------------------------------


def begin(copy_id: str, files: range) -> pb.BeginCopyRequest:
    req = pb.BeginCopyRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, stage_type=pb.StagePB.EXTERNAL, table_id=TABLE,
                              copy_id=copy_id, group_id=0, start_time_ms=200, timeout_time_ms=300)  # fmt: skip
    for i in files:
        req.object_files.add(relative_path=f"obj_{i}", etag=f"obj_{i}_etag")
    return req


def finish(copy_id: str, action: int) -> pb.FinishCopyRequest:
    return pb.FinishCopyRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, stage_type=pb.StagePB.EXTERNAL,
                                table_id=TABLE, copy_id=copy_id, group_id=0, action=action)  # type: ignore[arg-type]  # fmt: skip


def job_req(copy_id: str) -> pb.GetCopyJobRequest:
    return pb.GetCopyJobRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE, copy_id=copy_id, group_id=0)


async def copy_files(env: Env) -> int:
    req = pb.GetCopyFilesRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE)
    return len((await env.call(copy.get_copy_files, req)).object_files)


async def test_copy_job_as_upstream_copy_job_test(env: Env) -> None:
    assert not (await env.call(copy.get_copy_job, job_req("test_copy_id"))).HasField("copy_job")
    assert len((await env.call(copy.begin_copy, begin("test_copy_id", range(20)))).filtered_object_files) == 20
    assert await copy_files(env) == 20
    assert len((await env.call(copy.get_copy_job, job_req("test_copy_id"))).copy_job.object_files) == 20
    # duplicate files are taken by the first job
    assert len((await env.call(copy.begin_copy, begin("test_copy_id_1", range(15, 30)))).filtered_object_files) == 10
    assert await copy_files(env) == 30
    await env.call(copy.finish_copy, finish("test_copy_id", pb.FinishCopyRequest.COMMIT))
    assert await copy_files(env) == 30
    await env.call(copy.finish_copy, finish("test_copy_id_1", pb.FinishCopyRequest.ABORT))
    assert await copy_files(env) == 20
    # every file already loaded: no job is stored
    assert not (await env.call(copy.begin_copy, begin("tmp_id", range(20)))).filtered_object_files
    assert not (await env.call(copy.get_copy_job, job_req("tmp_id"))).HasField("copy_job")
    job = (await env.call(copy.get_copy_job, job_req("test_copy_id"))).copy_job
    assert job.job_status == pb.CopyJobPB.FINISH and (job.start_time_ms, job.timeout_time_ms) == (200, 300)
    marker = CopyFilePB()
    marker.ParseFromString(await get(env, keys.copy_file_key(IID, STAGE_ID, TABLE, "obj_3", "obj_3_etag")) or b"")
    assert marker.copy_id == "test_copy_id"
    await expect(env, copy.finish_copy, finish("nope", pb.FinishCopyRequest.COMMIT), Code.COPY_JOB_NOT_FOUND)


async def test_filter_copy_files_as_upstream(env: Env) -> None:
    req = pb.FilterCopyFilesRequest(cloud_unique_id=CUID, stage_id=STAGE_ID, table_id=TABLE)
    for i in range(10):
        req.object_files.add(relative_path=f"obj_{i}", etag=f"obj_{i}_etag")
    assert len((await env.call(copy.filter_copy_files, req)).object_files) == 10
    await env.call(copy.begin_copy, begin("c", range(4)))
    left = (await env.call(copy.filter_copy_files, req)).object_files
    assert len(left) == 6 and left[0].relative_path == "obj_4"
    await env.call(copy.begin_copy, begin("d", range(4, 10)))
    assert not (await env.call(copy.filter_copy_files, req)).object_files


async def test_begin_copy_limits_keep_at_least_one_file(env: Env) -> None:
    req = begin("c", range(5))
    for f in req.object_files:
        f.size = 100
    req.file_num_limit = 3
    assert len((await env.call(copy.begin_copy, req)).filtered_object_files) == 3
    big = begin("d", range(10, 12))
    big.object_files[0].size = 10_000
    big.file_size_limit = 50
    assert [f.relative_path for f in (await env.call(copy.begin_copy, big)).filtered_object_files] == ["obj_10"]
    await expect(env, copy.begin_copy, pb.BeginCopyRequest(cloud_unique_id=CUID, table_id=1), Code.INVALID_ARGUMENT)


# -- routine load and streaming jobs ---------------------------------------------------------------


def rl_begin(label: str, source: int) -> pb.BeginTxnRequest:
    info = pb.TxnInfoPB(db_id=1, label=label, table_ids=[10001], timeout_ms=60_000, load_job_source_type=source)  # type: ignore[arg-type]
    return pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)


async def rl_commit(env: Env, label: str, offsets: dict[int, int], rows: int) -> None:
    txn_id = (await env.call(begin_txn, rl_begin(label, pb.LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK))).txn_id
    req = pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)
    req.commit_attachment.type = pb.TxnCommitAttachmentPB.RT_TASK_TXN_COMMIT_ATTACHMENT
    rl = req.commit_attachment.rl_task_txn_commit_attachment
    rl.job_id, rl.loaded_rows, rl.filtered_rows, rl.received_bytes = 5, rows, 1, 10 * rows
    rl.progress.partition_to_offset.update(offsets)
    await env.call(commit_txn, req)


async def test_routine_load_progress_merged_by_commits_then_reset(env: Env) -> None:
    get_req = pb.GetRLTaskCommitAttachRequest(cloud_unique_id=CUID, db_id=1, job_id=5)
    await expect(env, routine_load.get_rl_task_commit_attach, get_req, Code.ROUTINE_LOAD_PROGRESS_NOT_FOUND)
    await rl_commit(env, "t1", {0: 100, 1: 200}, rows=10)
    await rl_commit(env, "t2", {1: 250, 2: 50}, rows=5)
    attach = (await env.call(routine_load.get_rl_task_commit_attach, get_req)).commit_attach
    assert dict(attach.progress.partition_to_offset) == {0: 100, 1: 250, 2: 50}
    assert (attach.loaded_rows, attach.filtered_rows, attach.received_bytes) == (15, 2, 150)
    reset = pb.ResetRLProgressRequest(cloud_unique_id=CUID, db_id=1, job_id=5, partition_to_offset={0: 7})
    await env.call(routine_load.reset_rl_progress, reset)
    attach = (await env.call(routine_load.get_rl_task_commit_attach, get_req)).commit_attach
    assert dict(attach.progress.partition_to_offset) == {0: 7, 1: 250, 2: 50} and attach.loaded_rows == 0
    await env.call(routine_load.reset_rl_progress, pb.ResetRLProgressRequest(cloud_unique_id=CUID, db_id=1, job_id=5))
    await expect(env, routine_load.get_rl_task_commit_attach, get_req, Code.ROUTINE_LOAD_PROGRESS_NOT_FOUND)
    await expect(env, routine_load.reset_rl_progress, pb.ResetRLProgressRequest(cloud_unique_id=CUID, db_id=1),
                 Code.INVALID_ARGUMENT, "empty db_id or job_id")  # fmt: skip


async def test_a_plain_load_stores_no_progress(env: Env) -> None:
    txn_id = (await env.call(begin_txn, rl_begin("plain", pb.LOAD_JOB_SRC_TYPE_FRONTEND))).txn_id
    req = pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)
    req.commit_attachment.rl_task_txn_commit_attachment.job_id = 5
    await env.call(commit_txn, req)
    assert await get(env, keys.rl_job_progress_key(IID, 1, 5)) is None


async def test_streaming_job_offset_committed_reset_and_deleted(env: Env) -> None:
    txn_id = (await env.call(begin_txn, rl_begin("s1", pb.LOAD_JOB_SRC_TYPE_STREAMING_JOB))).txn_id
    req = pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id)
    req.commit_attachment.type = pb.TxnCommitAttachmentPB.STREAMING_TASK_TXN_COMMIT_ATTACHMENT
    req.commit_attachment.streaming_task_txn_commit_attachment.CopyFrom(
        pb.StreamingTaskCommitAttachmentPB(job_id=9, offset="o1", scanned_rows=3, num_files=1)
    )
    await env.call(commit_txn, req)
    get_req = pb.GetStreamingTaskCommitAttachRequest(cloud_unique_id=CUID, db_id=1, job_id=9)
    got = (await env.call(routine_load.get_streaming_task_commit_attach, get_req)).commit_attach
    assert (got.offset, got.scanned_rows, got.num_files) == ("o1", 3, 1)
    reset = pb.ResetStreamingJobOffsetRequest(cloud_unique_id=CUID, db_id=1, job_id=9, offset="o0")
    await env.call(routine_load.reset_streaming_job_offset, reset)
    got = (await env.call(routine_load.get_streaming_task_commit_attach, get_req)).commit_attach
    assert (got.offset, got.scanned_rows) == ("o0", 3)
    await env.call(
        routine_load.delete_streaming_job, pb.DeleteStreamingJobRequest(cloud_unique_id=CUID, db_id=1, job_id=9)
    )
    await expect(env, routine_load.get_streaming_task_commit_attach, get_req, Code.STREAMING_JOB_PROGRESS_NOT_FOUND)


# -- restore jobs ----------------------------------------------------------------------------------


def restore_req(tablet_id: int, versions: int = 3, **kw: Any) -> pb.RestoreJobRequest:
    meta = tablet_meta(tablet_id)
    meta.cumulative_layer_point = versions + 1
    for v in range(2, versions + 1):
        rs = meta.rs_metas.add(rowset_id=0, tablet_id=tablet_id, start_version=v, end_version=v, rowset_id_v2=f"rs{v}")
        rs.num_rows, rs.num_segments, rs.total_disk_size, rs.data_disk_size = 10 * v, 1, 1000 * v, 900 * v
    meta.delete_bitmap.rowset_ids.append("rs2")
    meta.delete_bitmap.versions.append(3)
    meta.delete_bitmap.segment_ids.append(0)
    meta.delete_bitmap.segment_delete_bitmaps.append(b"\x01\x02bitmap")
    return pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=tablet_id, tablet_meta=meta, expiration=600, **kw)


async def restore_state(env: Env, tablet_id: int) -> int:
    job = RestoreJobCloudPB()
    job.ParseFromString(await get(env, keys.job_restore_tablet_key(IID, tablet_id)) or b"")
    return int(job.state)


async def test_restore_prepare_commit_complete(env: Env) -> None:
    await env.call(
        create_tablets, pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=1, tablet_metas=[tablet_meta(7)])
    )
    await expect(env, restore.commit_restore_job, pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=7),
                 Code.INVALID_ARGUMENT, "restore job not exists or has been recycled")  # fmt: skip
    await env.call(restore.prepare_restore_job, restore_req(7, versions=4))
    await env.call(restore.prepare_restore_job, restore_req(7, versions=3))  # a re-prepare replaces the rowsets
    assert await restore_state(env, 7) == RestoreJobCloudPB.PREPARED
    complete = pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=7, action=pb.RestoreJobRequest.COMPLETE)
    await expect(env, restore.finish_restore_job, complete, Code.INVALID_ARGUMENT)  # only COMMITTED completes
    await env.call(restore.commit_restore_job, pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=7))
    await env.call(restore.commit_restore_job, pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=7))  # retry: OK
    rs_req = pb.GetRowsetRequest(cloud_unique_id=CUID, start_version=0, end_version=-1, base_compaction_cnt=0,
                                 cumulative_compaction_cnt=0, cumulative_point=-1)  # fmt: skip
    rs_req.idx.tablet_id = 7
    got = await env.call(get_rowset, rs_req)
    assert [(r.end_version, r.rowset_id_v2) for r in got.rowset_meta] == [(1, "init"), (2, "rs2"), (3, "rs3")]

    async def stats(txn: Any) -> pb.TabletStatsPB:
        return await read_stats(txn, IID, await load_tablet_index(txn, IID, 7))

    s = await run_txn(env.svc.kv, stats)
    assert (s.num_rows, s.num_rowsets, s.num_segments, s.data_size, s.cumulative_point) == (50, 3, 2, 5000, 4)
    # stored in the chunked layout that get_delete_bitmap reads (model/bitmaps.py)
    assert await get(env, chunk_key(keys.meta_delete_bitmap_key(IID, 7, "rs2", 3, 0), 0)) == b"\x01\x02bitmap"
    await env.call(restore.finish_restore_job, complete)
    assert await restore_state(env, 7) == RestoreJobCloudPB.COMPLETED
    await env.call(restore.finish_restore_job, complete)  # final: OK again
    await expect(env, restore.prepare_restore_job, restore_req(7), Code.INVALID_ARGUMENT)


async def test_restore_abort_drops_and_bad_requests_refused(env: Env) -> None:
    await env.call(
        create_tablets, pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=1, tablet_metas=[tablet_meta(8)])
    )
    await expect(env, restore.prepare_restore_job, restore_req(999), Code.TABLET_NOT_FOUND)
    no_rs = restore_req(8)
    no_rs.tablet_meta.ClearField("rs_metas")
    await expect(env, restore.prepare_restore_job, no_rs, Code.INVALID_ARGUMENT, "no rowset meta")
    await env.call(restore.prepare_restore_job, restore_req(8))
    await env.call(restore.finish_restore_job, pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=8,
                                                                    action=pb.RestoreJobRequest.ABORT))  # fmt: skip
    assert await restore_state(env, 8) == RestoreJobCloudPB.DROPPED
    await expect(env, restore.commit_restore_job, pb.RestoreJobRequest(cloud_unique_id=CUID, tablet_id=8),
                 Code.INVALID_ARGUMENT)  # fmt: skip
    assert await get(env, keys.meta_rowset_key(IID, 8, 2)) is None  # never committed: not the tablet's
    assert await get(env, keys.job_restore_rowset_key(IID, 8, 2)) is not None  # a job record until recycled
