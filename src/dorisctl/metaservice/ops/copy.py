"""COPY INTO bookkeeping: begin_copy, finish_copy, get_copy_job, get_copy_files, filter_copy_files,
as upstream's copy logic (meta_service.cpp; cloud/test/meta_service_test.cpp CopyJobTest,
FilterCopyFilesTest).

Owns the `copy <iid> "job" <stage_id> <table_id> <copy_id> <group_id>` keys (CopyJobPB) and the
`copy <iid> "loading_file" <stage_id> <table_id> <relative_path> <etag>` keys (CopyFilePB naming
the job that loads or loaded the file). A file is loaded into a table at most once: begin_copy
takes only the request's files no job of the table holds yet, up to the request's limits
(file_num_limit, file_size_limit, file_meta_size_limit; the first file is always taken so a big
file is not refused forever), and answers them as `filtered_object_files`; with none it stores no
job. finish_copy COMMIT marks the job FINISH (its files stay taken: the recycler frees them after
`copy_job_max_retention_second`); ABORT and REMOVE drop the job and free its files.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.proto.loadjob_records_pb2 import CopyFilePB

CopyJobPB = cloud_pb2.CopyJobPB
Action = cloud_pb2.FinishCopyRequest.Action

CopyRequest = (
    cloud_pb2.BeginCopyRequest
    | cloud_pb2.FinishCopyRequest
    | cloud_pb2.GetCopyJobRequest
    | cloud_pb2.GetCopyFilesRequest
    | cloud_pb2.FilterCopyFilesRequest
)


async def _instance(svc: Service, txn: Txn, req: CopyRequest) -> str:
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    if not req.stage_id:
        raise invalid("stage id not set")
    if not req.HasField("table_id"):
        raise invalid("table id not set")
    return iid


def _job_key(
    iid: str, req: cloud_pb2.BeginCopyRequest | cloud_pb2.FinishCopyRequest | cloud_pb2.GetCopyJobRequest
) -> bytes:
    if not req.copy_id:
        raise invalid("copy id not set")
    return keys.copy_job_key(iid, req.stage_id, req.table_id, req.copy_id, req.group_id)


def _file_key(iid: str, stage_id: str, table_id: int, f: cloud_pb2.ObjectFilePB) -> bytes:
    return keys.copy_file_key(iid, stage_id, table_id, f.relative_path, f.etag)


async def _load_job(txn: Txn, key: bytes) -> cloud_pb2.CopyJobPB | None:
    raw = await txn.get(key)
    if raw is None:
        return None
    job = CopyJobPB()
    job.ParseFromString(raw)
    return job


def _over_limit(req: cloud_pb2.BeginCopyRequest, taken: int, size: int, meta_size: int) -> bool:
    if taken == 0:
        return False
    if req.file_num_limit > 0 and taken + 1 > req.file_num_limit:
        return True
    if req.file_size_limit > 0 and size > req.file_size_limit:
        return True
    return req.file_meta_size_limit > 0 and meta_size > req.file_meta_size_limit


async def begin_copy(svc: Service, txn: Txn, req: cloud_pb2.BeginCopyRequest) -> Reply:
    iid = await _instance(svc, txn, req)
    job_key = _job_key(iid, req)
    marker = CopyFilePB(copy_id=req.copy_id, group_id=req.group_id).SerializeToString()
    resp = cloud_pb2.BeginCopyResponse()
    seen: set[bytes] = set()
    size = meta_size = 0
    for f in req.object_files:
        key = _file_key(iid, req.stage_id, req.table_id, f)
        if key in seen or await txn.get(key) is not None:
            continue  # loading or loaded by a job of this table
        if _over_limit(req, len(resp.filtered_object_files), size + f.size, meta_size + f.ByteSize()):
            break
        seen.add(key)
        size += f.size
        meta_size += f.ByteSize()
        txn.put(key, marker)
        resp.filtered_object_files.add().CopyFrom(f)
    if not resp.filtered_object_files:
        return Reply(result=resp)
    job = CopyJobPB(
        stage_type=req.stage_type,
        job_status=CopyJobPB.LOADING,
        start_time_ms=req.start_time_ms,
        timeout_time_ms=req.timeout_time_ms,
    )
    job.object_files.extend(resp.filtered_object_files)
    txn.put(job_key, job.SerializeToString())
    return Reply(result=resp)


async def finish_copy(svc: Service, txn: Txn, req: cloud_pb2.FinishCopyRequest) -> Reply:
    iid = await _instance(svc, txn, req)
    job_key = _job_key(iid, req)
    job = await _load_job(txn, job_key)
    if job is None:
        raise MetaServiceError(
            Code.COPY_JOB_NOT_FOUND,
            f"copy job not found, stage_id={req.stage_id} table_id={req.table_id} "
            f"copy_id={req.copy_id} group_id={req.group_id}",
        )
    if req.action == Action.COMMIT:
        job.job_status = CopyJobPB.FINISH
        if req.HasField("finish_time_ms"):
            job.finish_time_ms = req.finish_time_ms
        txn.put(job_key, job.SerializeToString())
    elif req.action in (Action.ABORT, Action.REMOVE):
        txn.remove(job_key)
        for f in job.object_files:
            txn.remove(_file_key(iid, req.stage_id, req.table_id, f))
    else:
        raise invalid(f"Unhandled action: {Action.Name(req.action) if req.action in Action.values() else req.action}")
    return Reply(result=cloud_pb2.FinishCopyResponse())


async def get_copy_job(svc: Service, txn: Txn, req: cloud_pb2.GetCopyJobRequest) -> Reply:
    """The job, or OK without `copy_job` when there is none (a copy whose files were all loaded)."""
    iid = await _instance(svc, txn, req)
    job = await _load_job(txn, _job_key(iid, req))
    resp = cloud_pb2.GetCopyJobResponse()
    if job is not None:
        resp.copy_job.CopyFrom(job)
    return Reply(result=resp)


async def get_copy_files(svc: Service, txn: Txn, req: cloud_pb2.GetCopyFilesRequest) -> Reply:
    """Every file of the table's copy jobs from the stage, loading or loaded."""
    iid = await _instance(svc, txn, req)
    begin, end = keys.copy_table_range(iid, "job", req.stage_id, req.table_id)
    resp = cloud_pb2.GetCopyFilesResponse()
    for _, raw in await txn.get_range(begin, end):
        job = CopyJobPB()
        job.ParseFromString(raw)
        resp.object_files.extend(job.object_files)
    return Reply(result=resp)


async def filter_copy_files(svc: Service, txn: Txn, req: cloud_pb2.FilterCopyFilesRequest) -> Reply:
    """The request's files that no job of the table loads or loaded, in request order."""
    iid = await _instance(svc, txn, req)
    resp = cloud_pb2.FilterCopyFilesResponse()
    for f in req.object_files:
        if await txn.get(_file_key(iid, req.stage_id, req.table_id, f)) is None:
            resp.object_files.add().CopyFrom(f)
    return Reply(result=resp)
