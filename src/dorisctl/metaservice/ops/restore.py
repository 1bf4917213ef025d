"""Restore of a tablet from a backup (BE-driven): prepare_restore_job, commit_restore_job,
finish_restore_job, as upstream's meta_service.cpp (the RestoreJobCloudPB state machine).

Owns `job <iid> "restore_tablet" <tablet_id>` (RestoreJobCloudPB: the tablet meta without its
rowsets, the state, the expected totals) and `job <iid> "restore_rowset" <tablet_id> <version>`
(the restored rowset metas, keyed by end version).

    prepare (again while PREPARED: version + 1)  ->  PREPARED
    commit: PREPARED -> COMMITTED: the rowsets, delete bitmaps, tablet meta and stats become the
            tablet's (checked against the prepared totals first); COMMITTED again answers OK
    finish: COMPLETE: COMMITTED -> COMPLETED; otherwise (ABORT, unset): PREPARED/COMMITTED ->
            DROPPED (need_recycle_data); DROPPED/COMPLETED again answer OK; RECYCLING is refused

The pinned proto says COMPLETE vs ABORT with `action`; newer upstream with `is_completed` - both
mean the same choice. Where upstream writes in batches of transactions dorisctl uses the
request's one transaction, so a failed prepare or commit leaves nothing half-written; a re-prepare
also clears the previous attempt's rowsets (upstream overwrites them by version, and a re-prepare
with fewer rowsets would then fail its commit on the count). The tablet's stats after a commit are
exactly the restored rowsets' totals (aggregate record rewritten, detached counters cleared).
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.model import bitmaps as bitmap_store
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.tablets import INT64_MAX, detach_schema, load_tablet_index, put_schema_once
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.metaservice.proto.loadjob_records_pb2 import RestoreJobCloudPB

State = RestoreJobCloudPB.State
Action = cloud_pb2.RestoreJobRequest.Action


async def _start(svc: Service, txn: Txn, req: cloud_pb2.RestoreJobRequest) -> tuple[str, cloud_pb2.TabletIndexPB]:
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    return iid, await load_tablet_index(txn, iid, req.tablet_id)


async def _load_job(txn: Txn, key: bytes) -> RestoreJobCloudPB | None:
    raw = await txn.get(key)
    if raw is None:
        return None
    job = RestoreJobCloudPB()
    job.ParseFromString(raw)
    return job


def _rowset_range(iid: str, tablet_id: int) -> tuple[bytes, bytes]:
    return keys.job_restore_rowset_key(iid, tablet_id, 0), keys.job_restore_rowset_key(iid, tablet_id, INT64_MAX)


def _state(job: RestoreJobCloudPB) -> str:
    return str(State.Name(job.state))


async def prepare_restore_job(svc: Service, txn: Txn, req: cloud_pb2.RestoreJobRequest) -> Reply:
    if not req.HasField("tablet_id"):
        raise invalid("empty tablet_id")
    if not req.HasField("tablet_meta") or not req.tablet_meta.rs_metas:
        raise invalid("no tablet meta" if not req.HasField("tablet_meta") else "no rowset meta")
    if not req.tablet_meta.HasField("schema") and not req.tablet_meta.HasField("schema_version"):
        raise invalid("tablet_meta must have either schema or schema_version")
    iid, idx = await _start(svc, txn, req)
    key = keys.job_restore_tablet_key(iid, idx.tablet_id)
    old = await _load_job(txn, key)
    version = 0
    if old is not None:
        if old.state == State.RECYCLING:
            raise invalid(f"restore tablet {idx.tablet_id} is recycling, state: {_state(old)}")
        if old.state != State.PREPARED:
            raise invalid(f"restore tablet {idx.tablet_id} already exists, state: {_state(old)}")
        version = old.version + 1
        txn.remove_range(*_rowset_range(iid, idx.tablet_id))
    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.CopyFrom(req.tablet_meta)
    rowsets = list(meta.rs_metas)
    meta.ClearField("rs_metas")
    job = RestoreJobCloudPB(
        tablet_id=idx.tablet_id,
        ctime_s=svc.now_s(),
        expired_at_s=req.expiration,
        state=State.PREPARED,
        total_rowset_num=len(rowsets),
        total_row_num=sum(r.num_rows for r in rowsets),
        total_segment_num=sum(r.num_segments for r in rowsets),
        total_disk_size=sum(r.total_disk_size for r in rowsets),
        committed_rowset_num=0,
        version=version,
    )
    job.tablet_meta.CopyFrom(meta)
    txn.put(key, job.SerializeToString())
    for rs in rowsets:
        txn.put(keys.job_restore_rowset_key(iid, idx.tablet_id, rs.end_version), rs.SerializeToString())
    return Reply(result=cloud_pb2.RestoreJobResponse())


async def _recorded_job(
    svc: Service, txn: Txn, req: cloud_pb2.RestoreJobRequest
) -> tuple[str, cloud_pb2.TabletIndexPB, bytes, RestoreJobCloudPB]:
    """commit and finish: the instance, the tablet, and the restore job recorded for it (its key too)."""
    if not req.HasField("tablet_id"):
        raise invalid("empty tablet_id")
    iid, idx = await _start(svc, txn, req)
    key = keys.job_restore_tablet_key(iid, req.tablet_id)
    job = await _load_job(txn, key)
    if job is None:
        raise invalid("restore job not exists or has been recycled")
    return iid, idx, key, job


async def commit_restore_job(svc: Service, txn: Txn, req: cloud_pb2.RestoreJobRequest) -> Reply:
    iid, idx, key, job = await _recorded_job(svc, txn, req)
    if job.state == State.COMMITTED:
        return Reply(result=cloud_pb2.RestoreJobResponse())  # a retry of a commit that succeeded
    if job.state == State.RECYCLING:
        raise invalid(f"restore tablet {idx.tablet_id} is recycling, state: {_state(job)}")
    if job.state != State.PREPARED:
        raise invalid(f"restore tablet {idx.tablet_id} with invalid state: {_state(job)}")
    rows = await txn.get_range(*_rowset_range(iid, idx.tablet_id))
    if len(rows) != job.total_rowset_num:
        raise invalid(f"rowset num mismatch, total_rowset_num={job.total_rowset_num}, rs_metas_size={len(rows)}")
    stats = cloud_pb2.TabletStatsPB(base_compaction_cnt=0, cumulative_compaction_cnt=0)
    stats.idx.CopyFrom(cloud_pb2.TabletIndexPB(
        table_id=idx.table_id, index_id=idx.index_id, partition_id=idx.partition_id, tablet_id=idx.tablet_id
    ))  # fmt: skip
    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.CopyFrom(job.tablet_meta)
    if meta.HasField("schema"):
        meta.schema_version = meta.schema.schema_version
    for _, raw in rows:
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(raw)
        rs.index_id = idx.index_id
        if not rs.HasField("tablet_schema") and not rs.HasField("schema_version"):
            rs.schema_version = meta.schema_version  # a rowset without its own schema has the tablet's
        await detach_schema(txn, iid, rs)
        txn.put(keys.meta_rowset_key(iid, idx.tablet_id, rs.end_version), rs.SerializeToString())
        stats.data_size += rs.total_disk_size
        stats.num_rows += rs.num_rows
        stats.num_segments += rs.num_segments
        stats.index_size += rs.index_disk_size
        stats.segment_size += rs.data_disk_size
        stats.num_rowsets += 1
    if (job.total_row_num, job.total_segment_num, job.total_disk_size) != (
        stats.num_rows,
        stats.num_segments,
        stats.data_size,
    ):
        raise invalid(f"commit restore job verification failed, tablet_id={idx.tablet_id}")
    bitmaps = meta.delete_bitmap
    for rowset_id, version, segment_id, bitmap in zip(
        bitmaps.rowset_ids, bitmaps.versions, bitmaps.segment_ids, bitmaps.segment_delete_bitmaps, strict=False
    ):
        # in ops/bitmap.py's chunked layout, so get_delete_bitmap reads them as any other bitmap
        bitmap_key = keys.meta_delete_bitmap_key(iid, idx.tablet_id, rowset_id, version, segment_id)
        chunks = [bitmap[i : i + bitmap_store.SPLIT_SIZE] for i in range(0, len(bitmap), bitmap_store.SPLIT_SIZE)]
        bitmap_store.write_pieces(txn, [(bitmap_key, n, chunk) for n, chunk in enumerate(chunks or [b""])])
    meta.ClearField("delete_bitmap")
    if meta.HasField("schema"):
        await put_schema_once(txn, iid, meta.index_id, meta.schema_version, meta.schema)
        meta.ClearField("schema")
    txn.put(
        keys.meta_tablet_key(iid, meta.table_id, meta.index_id, meta.partition_id, meta.tablet_id),
        meta.SerializeToString(),
    )
    stats.cumulative_point = meta.cumulative_layer_point
    base = keys.stats_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
    txn.remove_range(base + b"\x00", base + b"\xff")  # the detached counters (keys below the aggregate's)
    txn.put(base, stats.SerializeToString())
    job.mtime_s = svc.now_s()
    job.state = State.COMMITTED
    job.committed_rowset_num = len(rows)
    txn.put(key, job.SerializeToString())
    return Reply(result=cloud_pb2.RestoreJobResponse())


async def finish_restore_job(svc: Service, txn: Txn, req: cloud_pb2.RestoreJobRequest) -> Reply:
    _, idx, key, job = await _recorded_job(svc, txn, req)
    if job.state in (State.DROPPED, State.COMPLETED):
        return Reply(result=cloud_pb2.RestoreJobResponse())  # already final
    if job.state == State.RECYCLING:
        raise invalid(f"restore tablet {idx.tablet_id} is recycling, state: {_state(job)}")
    completed = req.action == Action.COMPLETE
    if completed and job.state != State.COMMITTED:
        raise invalid(f"restore tablet {idx.tablet_id} in invalid state to complete, state: {_state(job)}")
    job.state = State.COMPLETED if completed else State.DROPPED
    job.need_recycle_data = not completed
    job.mtime_s = svc.now_s()
    txn.put(key, job.SerializeToString())
    return Reply(result=cloud_pb2.RestoreJobResponse())
