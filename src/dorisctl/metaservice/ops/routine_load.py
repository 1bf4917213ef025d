"""Routine-load progress and streaming-job offsets: get_rl_task_commit_attach, reset_rl_progress,
get_streaming_task_commit_attach, delete_streaming_job, reset_streaming_job_offset, and
`record_load_progress`, the hook commit_txn calls for a routine-load task's or streaming job's txn.

Owns the `job <iid> "routine_load_progress" <db> <job>` (RoutineLoadProgressPB) and `job <iid>
"streaming_job" <db> <job>` (StreamingTaskCommitAttachmentPB) keys. Routine load follows upstream's
meta_service_txn.cpp (put_routine_load_progress, get_rl_task_commit_attach, reset_rl_progress):
a commit's offsets replace those of the same Kafka partitions and keep the others, its row and byte
counts add to the job's statistics; reset with offsets replaces the offsets and drops the
statistics, reset without offsets removes the progress. Streaming jobs (newer than the pinned
release's meta-service code; the RPCs and messages are in the pinned proto) do the same with one
offset string: a commit replaces the offset and adds its counters.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.proto import cloud_pb2

Source = cloud_pb2.LoadJobSourceTypePB


async def _instance(svc: Service, txn: Txn, cuid: str) -> str:
    iid = await resolve_instance_id(svc, txn, cuid)
    if not iid:
        raise invalid("empty instance_id")
    return iid


def _job_ids(req: cloud_pb2.GetRLTaskCommitAttachRequest | cloud_pb2.ResetRLProgressRequest) -> tuple[int, int]:
    if not req.HasField("db_id") or not req.HasField("job_id"):
        raise invalid("empty db_id or job_id")
    return req.db_id, req.job_id


# -- the commit_txn hook ------------------------------------------------------------------------------


async def record_load_progress(txn: Txn, iid: str, info: cloud_pb2.TxnInfoPB, req: cloud_pb2.CommitTxnRequest) -> None:
    """Called by commit_txn before it writes the now-VISIBLE txn: a routine-load task's txn
    (load_job_source_type ROUTINE_LOAD_TASK) carries the task's progress in its commit attachment;
    a streaming job's txn its offset. Without an attachment upstream commits and stores nothing."""
    if not req.HasField("commit_attachment"):
        return
    attachment = req.commit_attachment
    if info.load_job_source_type == Source.LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK:
        await _merge_rl_progress(txn, iid, info.db_id, attachment.rl_task_txn_commit_attachment)
    elif info.load_job_source_type == Source.LOAD_JOB_SRC_TYPE_STREAMING_JOB and attachment.HasField(
        "streaming_task_txn_commit_attachment"
    ):
        await _merge_streaming(txn, iid, info.db_id, attachment.streaming_task_txn_commit_attachment)


async def _load_rl(txn: Txn, key: bytes) -> cloud_pb2.RoutineLoadProgressPB | None:
    raw = await txn.get(key)
    if raw is None:
        return None
    progress = cloud_pb2.RoutineLoadProgressPB()
    progress.ParseFromString(raw)
    return progress


async def _merge_rl_progress(txn: Txn, iid: str, db_id: int, attach: cloud_pb2.RLTaskTxnCommitAttachmentPB) -> None:
    key = keys.rl_job_progress_key(iid, db_id, attach.job_id)
    prev = await _load_rl(txn, key) or cloud_pb2.RoutineLoadProgressPB()
    new = cloud_pb2.RoutineLoadProgressPB()
    new.CopyFrom(attach.progress)
    for partition, offset in prev.partition_to_offset.items():
        if partition not in new.partition_to_offset:
            new.partition_to_offset[partition] = offset
    stat = new.stat
    stat.filtered_rows = prev.stat.filtered_rows + attach.filtered_rows
    stat.loaded_rows = prev.stat.loaded_rows + attach.loaded_rows
    stat.unselected_rows = prev.stat.unselected_rows + attach.unselected_rows
    stat.received_bytes = prev.stat.received_bytes + attach.received_bytes
    stat.task_execution_time_ms = prev.stat.task_execution_time_ms + attach.task_execution_time_ms
    txn.put(key, new.SerializeToString())


async def _merge_streaming(txn: Txn, iid: str, db_id: int, attach: cloud_pb2.StreamingTaskCommitAttachmentPB) -> None:
    key = keys.streaming_job_key(iid, db_id, attach.job_id)
    prev = await _load_streaming(txn, key) or cloud_pb2.StreamingTaskCommitAttachmentPB()
    new = cloud_pb2.StreamingTaskCommitAttachmentPB(job_id=attach.job_id)
    new.offset = attach.offset if attach.HasField("offset") else prev.offset
    new.scanned_rows = prev.scanned_rows + attach.scanned_rows
    new.load_bytes = prev.load_bytes + attach.load_bytes
    new.num_files = prev.num_files + attach.num_files
    new.file_bytes = prev.file_bytes + attach.file_bytes
    txn.put(key, new.SerializeToString())


# -- routine load RPCs --------------------------------------------------------------------------------


async def get_rl_task_commit_attach(svc: Service, txn: Txn, req: cloud_pb2.GetRLTaskCommitAttachRequest) -> Reply:
    """The job's progress as a commit attachment: offsets, and the statistics as its counters."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    db_id, job_id = _job_ids(req)
    progress = await _load_rl(txn, keys.rl_job_progress_key(iid, db_id, job_id))
    if progress is None:
        raise MetaServiceError(
            Code.ROUTINE_LOAD_PROGRESS_NOT_FOUND,
            f"progress info not found, db_id={db_id} job_id={job_id} err=KeyNotFound",
        )
    resp = cloud_pb2.GetRLTaskCommitAttachResponse()
    attach = resp.commit_attach
    attach.progress.CopyFrom(progress)
    if progress.HasField("stat"):
        attach.filtered_rows = progress.stat.filtered_rows
        attach.loaded_rows = progress.stat.loaded_rows
        attach.unselected_rows = progress.stat.unselected_rows
        attach.received_bytes = progress.stat.received_bytes
        attach.task_execution_time_ms = progress.stat.task_execution_time_ms
    return Reply(result=resp)


async def reset_rl_progress(svc: Service, txn: Txn, req: cloud_pb2.ResetRLProgressRequest) -> Reply:
    """ALTER ROUTINE LOAD ... offsets: the given partitions' offsets replace the stored ones (the
    statistics go, as upstream); no offsets at all removes the job's progress."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    db_id, job_id = _job_ids(req)
    key = keys.rl_job_progress_key(iid, db_id, job_id)
    if not req.partition_to_offset:
        txn.remove(key)
        return Reply(result=cloud_pb2.ResetRLProgressResponse())
    prev = await _load_rl(txn, key) or cloud_pb2.RoutineLoadProgressPB()
    new = cloud_pb2.RoutineLoadProgressPB()
    for partition, offset in req.partition_to_offset.items():
        new.partition_to_offset[partition] = offset
    for partition, offset in prev.partition_to_offset.items():
        if partition not in new.partition_to_offset:
            new.partition_to_offset[partition] = offset
    txn.put(key, new.SerializeToString())
    return Reply(result=cloud_pb2.ResetRLProgressResponse())


# -- streaming job RPCs -------------------------------------------------------------------------------


async def _load_streaming(txn: Txn, key: bytes) -> cloud_pb2.StreamingTaskCommitAttachmentPB | None:
    raw = await txn.get(key)
    if raw is None:
        return None
    attach = cloud_pb2.StreamingTaskCommitAttachmentPB()
    attach.ParseFromString(raw)
    return attach


StreamingRequest = (
    cloud_pb2.GetStreamingTaskCommitAttachRequest
    | cloud_pb2.DeleteStreamingJobRequest
    | cloud_pb2.ResetStreamingJobOffsetRequest
)


async def _streaming_key(svc: Service, txn: Txn, req: StreamingRequest) -> tuple[bytes, int, int]:
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if not req.HasField("db_id") or not req.HasField("job_id"):
        raise invalid("empty db_id or job_id")
    return keys.streaming_job_key(iid, req.db_id, req.job_id), req.db_id, req.job_id


async def get_streaming_task_commit_attach(
    svc: Service, txn: Txn, req: cloud_pb2.GetStreamingTaskCommitAttachRequest
) -> Reply:
    key, db_id, job_id = await _streaming_key(svc, txn, req)
    attach = await _load_streaming(txn, key)
    if attach is None:
        raise MetaServiceError(
            Code.STREAMING_JOB_PROGRESS_NOT_FOUND,
            f"streaming job progress not found, db_id={db_id} job_id={job_id} err=KeyNotFound",
        )
    return Reply(result=cloud_pb2.GetStreamingTaskCommitAttachResponse(commit_attach=attach))


async def delete_streaming_job(svc: Service, txn: Txn, req: cloud_pb2.DeleteStreamingJobRequest) -> Reply:
    """Removes the job's offset record; a job without one answers OK (a retried drop)."""
    key, _, _ = await _streaming_key(svc, txn, req)
    txn.remove(key)
    return Reply(result=cloud_pb2.DeleteStreamingJobResponse())


async def reset_streaming_job_offset(svc: Service, txn: Txn, req: cloud_pb2.ResetStreamingJobOffsetRequest) -> Reply:
    """ALTER JOB ... offset: the stored offset becomes the given one; the counters stay."""
    key, _, job_id = await _streaming_key(svc, txn, req)
    if not req.HasField("offset"):
        raise invalid("empty offset")
    attach = await _load_streaming(txn, key) or cloud_pb2.StreamingTaskCommitAttachmentPB(job_id=job_id)
    attach.offset = req.offset
    txn.put(key, attach.SerializeToString())
    return Reply(result=cloud_pb2.ResetStreamingJobOffsetResponse())
