"""Routine GC of COPY INTO state (as upstream's recycler recycle_stage / recycle_copy_jobs):

* dropped internal stages (`recycle <iid> "stage" <stage_id>`, written by drop_stage): every
  object under the stage's prefix (`<obj_info prefix>/stage/<user>/<user id>/`) is deleted from the
  obj_info the stage lived in, then the record goes;
* copy jobs (`copy <iid> "job" ...`): a LOADING job past its timeout_time_ms is dropped with its
  loading_file keys (the files may be loaded again); a FINISH job of an internal stage has its
  loaded files deleted from the stage and goes with its file keys; a FINISH job of an external
  stage (whose files are not ours) goes `copy_job_max_retention_second` after it finished
  (started, for jobs without a finish time), which frees its files for another COPY.

Object deletions happen before the keys go, so a failed deletion is retried next round.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence

from dorisctl.kv import Txn, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.proto.loadjob_records_pb2 import RecycleStagePB
from dorisctl.metaservice.recycler.chunks import Chunked
from dorisctl.metaservice.recycler.config import JobResult, RecyclerConfig
from dorisctl.metaservice.recycler.objstore import Location, ObjStore, ObjStoreError

log = logging.getLogger("dorisctl.recycler")

LocationOf = Callable[[cloud_pb2.ObjectStoreInfoPB, str], Location]
CopyJobPB = cloud_pb2.CopyJobPB


def _stage_location(inst: cloud_pb2.InstanceInfoPB, stage: cloud_pb2.StagePB, location_of: LocationOf) -> Location:
    """Where an internal stage's objects are: its obj_info, narrowed to the stage's prefix."""
    try:
        idx = int(stage.obj_info.id)
    except ValueError:
        idx = 0
    if not 1 <= idx <= len(inst.obj_info) or not stage.obj_info.prefix.strip("/"):
        raise ObjStoreError(f"stage {stage.stage_id}: no obj_info {stage.obj_info.id!r} or no prefix")
    loc = location_of(inst.obj_info[idx - 1], f"stage {stage.stage_id}")
    return dataclasses.replace(loc, prefix=stage.obj_info.prefix)


async def _read(svc: Service, begin: bytes, end: bytes) -> list[tuple[bytes, bytes]]:
    async def read(txn: Txn) -> list[tuple[bytes, bytes]]:
        return [(k, v) for k, v in await txn.get_range(begin, end)]

    return await run_txn(svc.kv, read)


async def _remove(svc: Service, doomed: list[bytes]) -> None:
    """In order, in transactions that fit the store (chunks.py; etcd's default limit is 128
    operations): the keys of a chunk go together, and a chunk goes only after the ones before it."""

    async def remove(txn: Txn, chunk: Sequence[bytes]) -> int:
        for k in chunk:
            txn.remove(k)
        return len(chunk)

    await Chunked[bytes](svc.kv, "removing COPY INTO keys").run(doomed, remove)


async def recycle_stages(
    svc: Service, cfg: RecyclerConfig, inst: cloud_pb2.InstanceInfoPB, res: JobResult, location_of: LocationOf
) -> None:
    iid = inst.instance_id
    begin, end = keys.sub_range("recycle", iid, "stage")
    for k, v in await _read(svc, begin, end):
        record = RecycleStagePB()
        record.ParseFromString(v)
        if record.stage.type != cloud_pb2.StagePB.INTERNAL:
            await _remove(svc, [k])
            continue
        store = ObjStore(_stage_location(inst, record.stage, location_of), cfg.client_options())
        try:
            stats = await asyncio.to_thread(store.delete_prefix, "")
        finally:
            store.close()
        res.objects_deleted += stats.objects
        res.bytes_deleted += stats.bytes
        await _remove(svc, [k])
        res.keys_deleted += 1
        log_event(log, "recycle_stage_done", instance_id=iid, stage_id=record.stage.stage_id, objects=stats.objects)


def _job_done(cfg: RecyclerConfig, job: cloud_pb2.CopyJobPB, now_ms: int) -> bool:
    if job.job_status == CopyJobPB.LOADING:
        return now_ms > job.timeout_time_ms
    if job.job_status != CopyJobPB.FINISH:
        return False
    if job.stage_type == cloud_pb2.StagePB.INTERNAL:
        return True
    finished = job.finish_time_ms if job.finish_time_ms > 0 else job.start_time_ms
    return now_ms >= finished + cfg.copy_job_max_retention_second * 1000


async def recycle_copy_jobs(
    svc: Service, cfg: RecyclerConfig, inst: cloud_pb2.InstanceInfoPB, res: JobResult, location_of: LocationOf
) -> None:
    iid = inst.instance_id
    stages = {s.stage_id: s for s in inst.stages}
    begin, end = keys.sub_range("copy", iid, "job")
    recycled = 0
    for k, v in await _read(svc, begin, end):
        job = CopyJobPB()
        job.ParseFromString(v)
        if not _job_done(cfg, job, svc.now_ms()):
            continue
        _, fields = keys.decode_key(k)  # "copy" iid "job" stage_id table_id copy_id group_id
        stage_id = fields[3].decode(errors="replace") if isinstance(fields[3], bytes) else str(fields[3])
        table_id = int(fields[4])
        stage = stages.get(stage_id)
        if job.job_status == CopyJobPB.FINISH and job.stage_type == cloud_pb2.StagePB.INTERNAL and stage is not None:
            store = ObjStore(_stage_location(inst, stage, location_of), cfg.client_options())
            try:
                stats = await asyncio.to_thread(store.delete_keys, [f.relative_path for f in job.object_files])
            finally:
                store.close()
            res.objects_deleted += stats.objects
        doomed = [keys.copy_file_key(iid, stage_id, table_id, f.relative_path, f.etag) for f in job.object_files]
        doomed.append(k)  # the job last: a round cut short leaves the job, and the next one finishes it
        await _remove(svc, doomed)
        res.keys_deleted += len(doomed)
        recycled += 1
    if recycled:
        log_event(log, "recycle_copy_jobs_done", instance_id=iid, jobs=recycled)
