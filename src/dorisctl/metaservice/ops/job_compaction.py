"""Compaction jobs: the compaction half of start_tablet_job and finish_tablet_job (commit, abort,
lease; spec 7.7, 7.8).

Owns the compaction entries of a tablet's job record, the stats rewrite of a compaction commit,
the move of compacted input rowsets to the recycler and of the output tmp rowset to its visible
version, and the MoW compaction lock record removed on abort. Times in job entries
(`expiration`, `lease`) are seconds, compared with the service clock. ops/job.py dispatches here.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import to_compact_json
from dorisctl.metaservice.model.tablets import DETACHED_FIELDS, read_stats_parts, write_stats
from dorisctl.metaservice.ops import bitmap
from dorisctl.metaservice.ops.job_schema_change import check_alter_version
from dorisctl.metaservice.ops.jobrecord import job_key, load_job
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

CJ = cloud_pb2.TabletCompactionJobPB
Action = cloud_pb2.FinishTabletJobRequest


def _expired(c: cloud_pb2.TabletCompactionJobPB, now: int) -> bool:
    return (c.expiration > 0 and c.expiration < now) or (c.lease > 0 and c.lease < now)


def _overlaps(a: cloud_pb2.TabletCompactionJobPB, b: cloud_pb2.TabletCompactionJobPB) -> bool:
    return a.input_versions[0] <= b.input_versions[1] and b.input_versions[0] <= a.input_versions[1]


# -- start ---------------------------------------------------------------------------------------


async def start_compaction(
    svc: Service, txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB, job: cloud_pb2.TabletJobInfoPB
) -> cloud_pb2.StartTabletJobResponse:
    """start_tablet_job of a compaction (spec 7.7): the entry appended to the tablet's job record."""
    new = CJ()
    new.CopyFrom(job.compaction[0])
    if not new.id:
        raise invalid("no job id specified")
    if not new.HasField("base_compaction_cnt") or not new.HasField("cumulative_compaction_cnt"):
        raise invalid("no valid compaction_cnt given")
    if new.expiration <= 0 and new.type != CJ.EMPTY_CUMULATIVE:
        raise invalid("no valid expiration given")
    if new.lease <= 0:
        raise invalid("no valid lease given")
    parts = await read_stats_parts(txn, iid, idx)
    if parts is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet stats not found, tablet_id={idx.tablet_id}")
    stats = parts[0]
    if new.base_compaction_cnt < stats.base_compaction_cnt or (
        new.cumulative_compaction_cnt < stats.cumulative_compaction_cnt
    ):
        raise MetaServiceError(
            Code.STALE_TABLET_CACHE,
            "could not perform compaction on expired tablet cache."
            f" req_base_compaction_cnt={new.base_compaction_cnt}, base_compaction_cnt={stats.base_compaction_cnt},"
            f" req_cumulative_compaction_cnt={new.cumulative_compaction_cnt},"
            f" cumulative_compaction_cnt={stats.cumulative_compaction_cnt}",
        )
    now = svc.now_s()
    rec = await load_job(txn, iid, idx) or cloud_pb2.TabletJobInfoPB()
    resp = cloud_pb2.StartTabletJobResponse()
    check_alter_version(new, rec, resp)
    live = [c for c in rec.compaction if not _expired(c, now)]
    if new.type == CJ.FULL:
        live = []  # a full compaction (MoW repair) takes priority: the others are cancelled
    else:
        ranged = (not new.HasField("check_input_versions_range") and len(new.input_versions) > 0) or (
            new.HasField("check_input_versions_range") and new.check_input_versions_range
        )
        for c in live:
            if c.type != new.type and c.type != CJ.FULL:
                continue
            if ranged and len(c.input_versions) > 0 and len(new.input_versions) == 2 and not _overlaps(c, new):
                continue
            if c.id == new.id:
                return resp  # the same job again: OK, idempotent
            if ranged and len(c.input_versions) > 0:
                # tell the BE which ranges are busy so it can pick another one
                for other in live:
                    if other.type == new.type or other.type == CJ.FULL:
                        resp.version_in_compaction.extend(other.input_versions)
            raise MetaServiceError(
                Code.JOB_TABLET_BUSY,
                f"compaction has already started, tablet_id={idx.tablet_id} job={to_compact_json(c)}",
                resp,
            )
    del rec.compaction[:]
    rec.compaction.extend([*live, new])
    if not rec.HasField("idx"):
        rec.idx.CopyFrom(idx)
    txn.put(job_key(iid, idx), rec.SerializeToString())
    return resp


# -- finish --------------------------------------------------------------------------------------


async def finish_compaction(
    svc: Service,
    txn: Txn,
    iid: str,
    idx: cloud_pb2.TabletIndexPB,
    req: cloud_pb2.FinishTabletJobRequest,
    rec: cloud_pb2.TabletJobInfoPB,
) -> cloud_pb2.FinishTabletJobResponse:
    """finish_tablet_job of a compaction (spec 7.7): COMMIT, ABORT or LEASE of the entry `rec` holds."""
    given = req.job.compaction[0]
    if not rec.compaction:
        raise invalid(f"there is no running compaction, tablet_id={idx.tablet_id}")
    pos = next((i for i, c in enumerate(rec.compaction) if c.id == given.id), -1)
    if pos < 0:
        raise invalid(f"unmatched job id, recorded_job={to_compact_json(rec)} given_job={to_compact_json(given)}")
    recorded = rec.compaction[pos]
    now = svc.now_s()
    if recorded.expiration > 0 and recorded.expiration < now:
        raise MetaServiceError(
            Code.JOB_EXPIRED, f"expired compaction job, tablet_id={idx.tablet_id} job={to_compact_json(recorded)}"
        )
    if req.action not in (Action.COMMIT, Action.ABORT, Action.LEASE):
        raise invalid(f"unsupported action, tablet_id={idx.tablet_id} action={int(req.action)}")
    resp = cloud_pb2.FinishTabletJobResponse()
    if req.action == Action.COMMIT:
        # Upstream also drops the entry and commits with this answer; dorisctl stores nothing (the
        # BE aborts the job after the refusal, or its lease runs out).
        check_alter_version(given, rec, resp)
    key = job_key(iid, idx)
    if req.action == Action.ABORT:
        del rec.compaction[pos]
        txn.put(key, rec.SerializeToString())
        if given.HasField("delete_bitmap_lock_initiator"):
            txn.remove(keys.mow_tablet_job_key(iid, idx.table_id, given.delete_bitmap_lock_initiator))
            await bitmap.drop_compaction_lock(txn, iid, idx.table_id, given.delete_bitmap_lock_initiator)
        return resp
    if req.action == Action.LEASE:
        if given.lease <= 0 or recorded.lease > given.lease:
            raise invalid(f"invalid lease. recoreded_lease={recorded.lease} req_lease={given.lease}")
        recorded.lease = given.lease
        txn.put(key, rec.SerializeToString())
        return resp
    resp.stats.CopyFrom(await _commit_compaction(svc, txn, iid, idx, given))
    del rec.compaction[pos]
    txn.put(key, rec.SerializeToString())
    if given.type != CJ.EMPTY_CUMULATIVE:
        sc = rec.schema_change
        resp.alter_version = sc.alter_version if rec.HasField("schema_change") and sc.HasField("alter_version") else -1
    return resp


def _apply_compaction_stats(agg: cloud_pb2.TabletStatsPB, c: cloud_pb2.TabletCompactionJobPB, now_ms: int) -> None:
    """Upstream's per-type stats update: counters, cumulative point (never moved back, except that
    an empty cumulative compaction sets it), last-compaction time, and output-input size deltas."""
    if c.type == CJ.EMPTY_CUMULATIVE:
        agg.cumulative_compaction_cnt += 1
        agg.cumulative_point = c.output_cumulative_point
        agg.last_cumu_compaction_time_ms = now_ms
        return
    if c.type == CJ.CUMULATIVE:
        agg.cumulative_compaction_cnt += 1
        agg.last_cumu_compaction_time_ms = now_ms
    elif c.type == CJ.BASE:
        agg.base_compaction_cnt += 1
        agg.last_base_compaction_time_ms = now_ms
    elif c.type == CJ.FULL:
        agg.base_compaction_cnt += 1
        agg.last_full_compaction_time_ms = now_ms
    else:
        raise invalid("invalid compaction type")
    if c.type != CJ.BASE and c.output_cumulative_point > agg.cumulative_point:
        agg.cumulative_point = c.output_cumulative_point
    agg.num_rows += c.num_output_rows - c.num_input_rows
    agg.data_size += c.size_output_rowsets - c.size_input_rowsets
    agg.num_rowsets += c.num_output_rowsets - c.num_input_rowsets
    agg.num_segments += c.num_output_segments - c.num_input_segments
    agg.index_size += c.index_size_output_rowsets - c.index_size_input_rowsets
    agg.segment_size += c.segment_size_output_rowsets - c.segment_size_input_rowsets


async def _commit_compaction(
    svc: Service, txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB, c: cloud_pb2.TabletCompactionJobPB
) -> cloud_pb2.TabletStatsPB:
    """Stats rewritten; the input rowsets to the recycler; the output tmp rowset made visible at the
    output version (trap 7: exactly 2 input versions, 1 output version, 1 output rowset id and one
    txn id > 0 whose tmp rowset is committed). An empty cumulative compaction only moves counters."""
    parts = await read_stats_parts(txn, iid, idx)
    if parts is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet stats not found, tablet_id={idx.tablet_id}")
    agg = parts[0]
    now_s = svc.now_s()
    _apply_compaction_stats(agg, c, now_s * 1000)
    write_stats(txn, iid, agg)
    merged = cloud_pb2.TabletStatsPB()
    merged.CopyFrom(agg)
    for suffix, field in DETACHED_FIELDS.items():
        setattr(merged, field, getattr(agg, field) + parts[1].get(suffix, 0))
    if c.type == CJ.EMPTY_CUMULATIVE:
        return merged
    if c.HasField("delete_bitmap_lock_initiator"):  # MoW: the compaction must still hold the table lock
        await bitmap.release_compaction_lock(txn, iid, idx.table_id, c.delete_bitmap_lock_initiator)
    if len(c.input_versions) != 2 or len(c.output_versions) != 1 or len(c.output_rowset_ids) != 1:
        raise invalid(
            f"invalid input or output versions, input_versions_size={len(c.input_versions)} "
            f"output_versions_size={len(c.output_versions)} output_rowset_ids_size={len(c.output_rowset_ids)}"
        )
    begin = keys.meta_rowset_key(iid, idx.tablet_id, c.input_versions[0])
    end = keys.meta_rowset_key(iid, idx.tablet_id, c.input_versions[1]) + b"\xff"  # inclusive; no INT64_MAX + 1
    inputs = await txn.get_range(begin, end)
    if not inputs:
        # Upstream also drops the job and commits with this answer; dorisctl stores nothing.
        raise MetaServiceError(
            Code.UNDEFINED_ERR, f"too few input rowsets, tablet_id={idx.tablet_id} num_rowsets={len(inputs)}"
        )
    if len(c.txn_id) != 1:
        raise invalid(f"invalid txn_id, txn_id_size={len(c.txn_id)}")
    txn_id, rowset_id = c.txn_id[0], c.output_rowset_ids[0]
    if txn_id <= 0 or not rowset_id:
        raise invalid(f"invalid txn_id or rowset_id, tablet_id={idx.tablet_id} txn_id={txn_id} rowset_id={rowset_id}")
    tmp_key = keys.meta_rowset_tmp_key(iid, txn_id, idx.tablet_id)
    tmp = await txn.get(tmp_key)
    if tmp is None:
        raise MetaServiceError(
            Code.UNDEFINED_ERR,
            f"failed to get tmp rowset key (not found), tablet_id={idx.tablet_id} "
            f"tmp_rowset_key={tmp_key.hex()}, err=KeyNotFound",
        )
    out = olap_file_pb2.RowsetMetaCloudPB()
    out.ParseFromString(tmp)
    if out.txn_id <= 0:
        raise invalid(f"invalid txn_id in output tmp rowset meta, tablet_id={idx.tablet_id} txn_id={out.txn_id}")
    for _, value in inputs:
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(value)
        if not rs.rowset_id_v2:
            continue  # nothing to recycle (no data files); the key is removed below
        r = cloud_pb2.RecycleRowsetPB(
            tablet_id=idx.tablet_id, creation_time=now_s, type=cloud_pb2.RecycleRowsetPB.COMPACT
        )
        if rs.HasField("resource_id"):
            r.resource_id = rs.resource_id
        r.rowset_meta.CopyFrom(rs)
        txn.put(keys.recycle_rowset_key(iid, idx.tablet_id, rs.rowset_id_v2), r.SerializeToString())
    txn.remove_range(begin, end)
    txn.remove(tmp_key)
    txn.put(keys.meta_rowset_key(iid, idx.tablet_id, c.output_versions[0]), tmp)
    return merged
