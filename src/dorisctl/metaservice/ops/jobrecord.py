"""The job-tablet record of one tablet (TabletJobInfoPB: its running compactions and its
schema-change job) and resolving the tablet a job names (spec 7.7): shared by the compaction and
schema-change halves of start/finish_tablet_job and by the rowset checks of a job's rowsets.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.tablets import complete_index, load_tablet_index
from dorisctl.metaservice.proto import cloud_pb2

_DROPPED = (cloud_pb2.RecycleIndexPB.DROPPED, cloud_pb2.RecycleIndexPB.RECYCLING)
_DROPPED_PARTITION = (cloud_pb2.RecyclePartitionPB.DROPPED, cloud_pb2.RecyclePartitionPB.RECYCLING)


async def resolve_tablet(txn: Txn, iid: str, job: cloud_pb2.TabletJobInfoPB) -> cloud_pb2.TabletIndexPB:
    """The job's complete tablet index; refuses unknown and dropped tablets."""
    tablet_id = job.idx.tablet_id
    if tablet_id <= 0:
        raise invalid("no valid tablet_id given")
    idx = await complete_index(txn, iid, job.idx)
    raw_index = await txn.get(keys.recycle_index_key(iid, idx.index_id))
    if raw_index is not None:
        rec = cloud_pb2.RecycleIndexPB()
        rec.ParseFromString(raw_index)
        if rec.state in _DROPPED:
            raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet {tablet_id} has been dropped")
    raw_part = await txn.get(keys.recycle_partition_key(iid, idx.partition_id))
    if raw_part is not None:
        prec = cloud_pb2.RecyclePartitionPB()
        prec.ParseFromString(raw_part)
        if prec.state in _DROPPED_PARTITION:
            raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet {tablet_id} has been dropped")
    return idx


def job_key(iid: str, idx: cloud_pb2.TabletIndexPB) -> bytes:
    return keys.job_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)


async def load_job(txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB) -> cloud_pb2.TabletJobInfoPB | None:
    value = await txn.get(job_key(iid, idx))
    if value is None:
        return None
    rec = cloud_pb2.TabletJobInfoPB()
    rec.ParseFromString(value)
    return rec


async def check_job_rowset(txn: Txn, iid: str, tablet_id: int, rowset_id: str, job_id: str) -> None:
    """prepare/commit_rowset of a compaction or schema change (`tablet_job_id` given): the tablet
    must still run that job, else STALE_PREPARE_ROWSET (a late retry of a finished or preempted
    job must not bring its rowset back). Upstream's enable_tablet_job_check, on by default."""
    idx = await load_tablet_index(txn, iid, tablet_id)
    rec = await load_job(txn, iid, idx)
    if rec is None:
        raise MetaServiceError(
            Code.STALE_PREPARE_ROWSET,
            f"job not found, instance_id={iid} tablet_id={tablet_id} rowset_id={rowset_id} err=KeyNotFound",
        )
    running = {c.id for c in rec.compaction}
    if rec.HasField("schema_change"):
        running.add(rec.schema_change.id)
    if job_id not in running:
        raise MetaServiceError(
            Code.STALE_PREPARE_ROWSET,
            f" stale perpare rowset request, instance_id={iid} tablet_id={tablet_id} job id={job_id} "
            f"rowset_id={rowset_id}",
        )
