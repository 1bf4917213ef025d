"""Schema-change jobs: the schema-change half of start_tablet_job and finish_tablet_job, and the
alter-version rule compactions obey while one runs (upstream meta_service_job.cpp).

A schema change converts a base tablet's rowsets into a new (shadow) tablet created NOTREADY.
start records the job (`TabletSchemaChangeJobPB`) on BOTH tablets' job records, the base
tablet's record copied to the new tablet's job key as upstream does; a second job id preempts the
first (upstream: the FE guarantees one schema change per tablet at a time). COMMIT turns the new
tablet RUNNING, sends the new tablet's rowsets [2, alter_version] (double-written loads the
conversion replaces) to the recycler, moves the converted tmp rowsets (`txn_ids`) to
`output_versions`, rewrites the new tablet's stats and clears the job on both tablets. While the
job is recorded, a compaction of either tablet must lie wholly at or below alter_version (base)
or wholly above it (cumulative): else JOB_CHECK_ALTER_VERSION with the alter_version.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model import bitmaps
from dorisctl.metaservice.model.instances import to_compact_json
from dorisctl.metaservice.model.tablets import DETACHED_FIELDS, complete_index, read_stats_parts, write_stats
from dorisctl.metaservice.ops import bitmap
from dorisctl.metaservice.ops.jobrecord import job_key, load_job
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

CJ = cloud_pb2.TabletCompactionJobPB
Action = cloud_pb2.FinishTabletJobRequest
State = olap_file_pb2.TabletStatePB


def alter_version_error(c: cloud_pb2.TabletCompactionJobPB, rec: cloud_pb2.TabletJobInfoPB) -> str | None:
    """Why compaction `c` may not run beside the schema change `rec` records (None: it may).

    No recorded alter_version (an older BE's job) and empty cumulative compactions always pass."""
    if not rec.HasField("schema_change") or not rec.schema_change.HasField("alter_version"):
        return None
    if c.type == CJ.EMPTY_CUMULATIVE:
        return None
    if len(c.input_versions) != 2 or c.input_versions[0] > c.input_versions[1]:
        return (
            "The compaction need to know [start_version, end_version], and the start_version should LE "
            f"end_version. \ncompaction job={to_compact_json(c)}"
        )
    alter = rec.schema_change.alter_version
    if (c.type == CJ.BASE and c.input_versions[1] <= alter) or (
        c.type == CJ.CUMULATIVE and c.input_versions[0] > alter
    ):
        return None
    return (
        "Check compaction input versions failed in schema change. "
        f"input_version_start={c.input_versions[0]} input_version_end={c.input_versions[1]} "
        f"schema_change_alter_version={alter}"
    )


def check_alter_version(
    c: cloud_pb2.TabletCompactionJobPB,
    rec: cloud_pb2.TabletJobInfoPB,
    result: cloud_pb2.StartTabletJobResponse | cloud_pb2.FinishTabletJobResponse,
) -> None:
    """Raise JOB_CHECK_ALTER_VERSION (the reply `result` carrying alter_version) if `c` breaks the rule."""
    why = alter_version_error(c, rec)
    if why is None:
        return
    result.alter_version = rec.schema_change.alter_version
    raise MetaServiceError(Code.JOB_CHECK_ALTER_VERSION, why, result)


async def _new_tablet(
    txn: Txn, iid: str, base_tablet_id: int, sc: cloud_pb2.TabletSchemaChangeJobPB
) -> tuple[cloud_pb2.TabletIndexPB, bytes, olap_file_pb2.TabletMetaCloudPB]:
    """The new tablet's index, meta key and meta; refuses a finished (RUNNING) or not-NOTREADY one."""
    new_id = sc.new_tablet_idx.tablet_id
    if new_id <= 0:
        raise invalid("no valid new_tablet_id given")
    if new_id == base_tablet_id:
        raise invalid("not allow new_tablet_id same with base_tablet_id")
    idx = await complete_index(txn, iid, sc.new_tablet_idx)
    key = keys.meta_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, new_id)
    raw = await txn.get(key)
    if raw is None:
        raise MetaServiceError(
            Code.TABLET_NOT_FOUND,
            f"failed to get new tablet meta (not found) instance_id={iid} tablet_id={new_id} "
            f"key={key.hex()} err=KeyNotFound",
        )
    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.ParseFromString(raw)
    if meta.tablet_state == State.PB_RUNNING:
        raise MetaServiceError(Code.JOB_ALREADY_SUCCESS, "schema_change job already success")
    if not meta.HasField("tablet_state") or meta.tablet_state != State.PB_NOTREADY:
        raise invalid("invalid new tablet state")
    return idx, key, meta


# -- start ---------------------------------------------------------------------------------------


async def start_schema_change(
    txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB, job: cloud_pb2.TabletJobInfoPB
) -> cloud_pb2.StartTabletJobResponse:
    sc = job.schema_change
    if not sc.id:
        raise invalid("no job id specified")
    if not sc.HasField("initiator"):
        raise invalid("no initiator specified")
    new_idx, _, _ = await _new_tablet(txn, iid, idx.tablet_id, sc)
    resp = cloud_pb2.StartTabletJobResponse()
    rec = await load_job(txn, iid, idx) or cloud_pb2.TabletJobInfoPB()
    old = rec.schema_change
    if (
        rec.HasField("schema_change")
        and old.HasField("alter_version")
        and (old.id, old.initiator)
        == (
            sc.id,
            sc.initiator,
        )
    ):
        resp.alter_version = old.alter_version  # the same job restarted: idempotent
        return resp
    rec.idx.CopyFrom(idx)
    rec.schema_change.CopyFrom(sc)  # preempts any earlier schema change of this tablet, as upstream
    rec.schema_change.new_tablet_idx.CopyFrom(new_idx)
    value = rec.SerializeToString()
    txn.put(job_key(iid, idx), value)
    txn.put(job_key(iid, new_idx), value)
    resp.alter_version = sc.alter_version
    return resp


# -- finish --------------------------------------------------------------------------------------


async def finish_schema_change(
    svc: Service,
    txn: Txn,
    iid: str,
    idx: cloud_pb2.TabletIndexPB,
    req: cloud_pb2.FinishTabletJobRequest,
    rec: cloud_pb2.TabletJobInfoPB,
) -> cloud_pb2.FinishTabletJobResponse:
    sc = req.job.schema_change
    new_idx, new_key, new_meta = await _new_tablet(txn, iid, idx.tablet_id, sc)
    if not rec.HasField("schema_change"):
        raise invalid(f"there is no running schema_change, tablet_id={idx.tablet_id}")
    recorded = rec.schema_change
    now = svc.now_s()
    if recorded.expiration > 0 and recorded.expiration < now:
        raise MetaServiceError(
            Code.JOB_EXPIRED, f"expired schema_change job, tablet_id={idx.tablet_id} job={to_compact_json(recorded)}"
        )
    if sc.id != recorded.id or sc.initiator != recorded.initiator:
        raise invalid(
            f"unmatched job id or initiator, recorded_id={recorded.id} given_id={sc.id} "
            f"recorded_job={to_compact_json(recorded)} given_job={to_compact_json(sc)}"
        )
    if req.action not in (Action.COMMIT, Action.ABORT):
        raise invalid(f"unsupported action, tablet_id={idx.tablet_id} action={int(req.action)}")
    new_rec = await load_job(txn, iid, new_idx)
    resp = cloud_pb2.FinishTabletJobResponse()
    if req.action == Action.ABORT:
        # Upstream compares the request's (completed) new tablet with the recorded one; another one: OK, no change.
        if (new_idx.index_id, new_idx.tablet_id) == (
            recorded.new_tablet_idx.index_id,
            recorded.new_tablet_idx.tablet_id,
        ):
            _clear(txn, iid, idx, rec, new_idx, new_rec)
        return resp
    if new_meta.enable_unique_key_merge_on_write:  # MoW: the job must still hold the table's lock (-2)
        await bitmap.release_compaction_lock(
            txn, iid, new_idx.table_id, sc.delete_bitmap_lock_initiator, lock_id=bitmaps.SCHEMA_CHANGE_LOCK_ID
        )
    new_meta.tablet_state = State.PB_RUNNING
    new_meta.cumulative_layer_point = sc.output_cumulative_point
    txn.put(new_key, new_meta.SerializeToString())
    if not sc.HasField("alter_version"):
        raise invalid("invalid alter_version")
    if sc.alter_version < 2:
        return resp  # nothing converted: upstream keeps the job records and the stats as they are
    resp.stats.CopyFrom(await _replace_rowsets(svc, txn, iid, new_idx, sc))
    _clear(txn, iid, idx, rec, new_idx, new_rec)
    return resp


def _clear(
    txn: Txn,
    iid: str,
    idx: cloud_pb2.TabletIndexPB,
    rec: cloud_pb2.TabletJobInfoPB,
    new_idx: cloud_pb2.TabletIndexPB,
    new_rec: cloud_pb2.TabletJobInfoPB | None,
) -> None:
    """The schema change cleared from the base tablet's record and, if it has one, the new tablet's."""
    rec.ClearField("schema_change")
    txn.put(job_key(iid, idx), rec.SerializeToString())
    if new_rec is not None:
        new_rec.ClearField("schema_change")
        txn.put(job_key(iid, new_idx), new_rec.SerializeToString())


async def _replace_rowsets(
    svc: Service, txn: Txn, iid: str, new_idx: cloud_pb2.TabletIndexPB, sc: cloud_pb2.TabletSchemaChangeJobPB
) -> cloud_pb2.TabletStatsPB:
    """New tablet: rowsets [2, alter_version] to the recycler (DROP), its stats rewritten, the
    converted tmp rowsets made visible at the output versions. Returns the merged stats."""
    tablet_id = new_idx.tablet_id
    begin = keys.meta_rowset_key(iid, tablet_id, 2)
    end = keys.meta_rowset_key(iid, tablet_id, min(sc.alter_version, keys.INT64_MAX - 1) + 1)
    removed = {"num_rows": 0, "data_size": 0, "num_rowsets": 0, "num_segments": 0, "index_size": 0, "segment_size": 0}
    for _, value in await txn.get_range(begin, end):
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(value)
        removed["num_rows"] += rs.num_rows
        removed["data_size"] += rs.total_disk_size
        removed["num_rowsets"] += 1
        removed["num_segments"] += rs.num_segments
        removed["index_size"] += rs.index_disk_size
        removed["segment_size"] += rs.data_disk_size
        r = cloud_pb2.RecycleRowsetPB(creation_time=svc.now_s(), type=cloud_pb2.RecycleRowsetPB.DROP)
        r.rowset_meta.CopyFrom(rs)
        txn.put(keys.recycle_rowset_key(iid, tablet_id, rs.rowset_id_v2), r.SerializeToString())
    txn.remove_range(begin, end)
    parts = await read_stats_parts(txn, iid, new_idx)
    if parts is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet stats not found, tablet_id={tablet_id}")
    agg, detached = parts
    agg.cumulative_point = sc.output_cumulative_point
    agg.num_rows += sc.num_output_rows - removed["num_rows"]
    agg.data_size += sc.size_output_rowsets - removed["data_size"]
    agg.num_rowsets += sc.num_output_rowsets - removed["num_rowsets"]
    agg.num_segments += sc.num_output_segments - removed["num_segments"]
    agg.index_size += sc.index_size_output_rowsets - removed["index_size"]
    agg.segment_size += sc.segment_size_output_rowsets - removed["segment_size"]
    write_stats(txn, iid, agg)
    merged = cloud_pb2.TabletStatsPB()
    merged.CopyFrom(agg)
    for suffix, field in DETACHED_FIELDS.items():
        setattr(merged, field, getattr(agg, field) + detached.get(suffix, 0))
    if not sc.txn_ids or not sc.output_versions:
        raise invalid("empty txn_ids or output_versions")
    if len(sc.output_versions) < len(sc.txn_ids):
        raise invalid(
            f"fewer output_versions than txn_ids, txn_ids_size={len(sc.txn_ids)} "
            f"output_versions_size={len(sc.output_versions)}"
        )
    for txn_id, version in zip(sc.txn_ids, sc.output_versions, strict=False):
        tmp_key = keys.meta_rowset_tmp_key(iid, txn_id, tablet_id)
        tmp = await txn.get(tmp_key)
        if tmp is None:
            raise MetaServiceError(
                Code.UNDEFINED_ERR,
                f"failed to get tmp rowset key (not found), tablet_id={tablet_id} "
                f"tmp_rowset_key={tmp_key.hex()}, err=KeyNotFound",
            )
        txn.put(keys.meta_rowset_key(iid, tablet_id, version), tmp)
        txn.remove(tmp_key)
    return merged
