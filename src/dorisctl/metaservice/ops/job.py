"""Tablet jobs: start_tablet_job, finish_tablet_job and the HTTP abort_tablet_job (spec 7.7, 7.8).

The checks every job request shares (instance, a job given, its tablet resolved and not dropped,
for finish the recorded job), then the job's own half: compactions in ops/job_compaction.py,
schema changes in ops/job_schema_change.py (a request naming both is a compaction, as upstream).
Each operation is `async def op(svc, txn, req) -> Reply`; no HTTP types here.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.model.instances import to_compact_json
from dorisctl.metaservice.model.tablets import require_instance
from dorisctl.metaservice.ops.job_compaction import finish_compaction, start_compaction
from dorisctl.metaservice.ops.job_schema_change import finish_schema_change, start_schema_change
from dorisctl.metaservice.ops.jobrecord import load_job, resolve_tablet
from dorisctl.metaservice.proto import cloud_pb2

Action = cloud_pb2.FinishTabletJobRequest


async def start_tablet_job(svc: Service, txn: Txn, req: cloud_pb2.StartTabletJobRequest) -> Reply:
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    job = req.job
    if not req.HasField("job") or (not job.compaction and not job.HasField("schema_change")):
        raise invalid("no valid job specified")
    idx = await resolve_tablet(txn, iid, job)
    if not job.compaction:
        return Reply(result=await start_schema_change(txn, iid, idx, job))
    return Reply(result=await start_compaction(svc, txn, iid, idx, job))


async def finish_tablet_job(svc: Service, txn: Txn, req: cloud_pb2.FinishTabletJobRequest) -> Reply:
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    job = req.job
    if not req.HasField("job") or (not job.compaction and not job.HasField("schema_change")):
        raise invalid("no valid job specified")
    idx = await resolve_tablet(txn, iid, job)
    rec = await load_job(txn, iid, idx)
    if rec is None:
        raise invalid(
            f"job not found, instance_id={iid} tablet_id={idx.tablet_id} job={to_compact_json(job)} err=KeyNotFound"
        )
    if not job.compaction:
        return Reply(result=await finish_schema_change(svc, txn, iid, idx, req, rec))
    return Reply(result=await finish_compaction(svc, txn, iid, idx, req, rec))


async def abort_tablet_job(svc: Service, txn: Txn, req: cloud_pb2.FinishTabletJobRequest) -> Reply:
    """Spec 7.8: finish_tablet_job with the action forced to ABORT."""
    forced = cloud_pb2.FinishTabletJobRequest()
    forced.CopyFrom(req)
    forced.action = Action.ABORT
    return await finish_tablet_job(svc, txn, forced)
