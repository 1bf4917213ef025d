"""Tablet operations: create_tablets, get_tablet, update_tablet, prepare_rowset, commit_rowset,
update_tmp_rowset, get_rowset, get_version (single and batch) and get_tablet_stats (spec 7.3-7.5,
rpc-front 2(c)(d)(f) and trap 7).

Each operation is `async def op(svc, txn, req) -> Reply` over one KV transaction; failures raise
`MetaServiceError` before anything is committed. No transport types here.
"""

from __future__ import annotations

from collections.abc import Sequence

from dorisctl.kv import Txn, decode_counter
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.retired import RETIRED_TABLET_FIELDS, set_retired_field
from dorisctl.metaservice.model.tablets import (
    INT64_MAX,
    RowsetMetaCloudPB,
    TabletIndexPB,
    TabletStatsPB,
    complete_index,
    detach_schema,
    find_tablet_indexes,
    get_schema,
    load_tablet_index,
    put_schema_once,
    read_stats,
    require_instance,
    write_stats,
)
from dorisctl.metaservice.ops import largetxn, lazy_commit, vault
from dorisctl.metaservice.ops.jobrecord import check_job_rowset
from dorisctl.metaservice.ops.loadcheck import require_prepared_load
from dorisctl.metaservice.ops.schemadict import apply_schema_dict, store_variant_schema
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2


async def create_tablets(svc: Service, txn: Txn, req: cloud_pb2.CreateTabletsRequest) -> Reply:
    """Spec 7.3. A tablet whose tablet-index key already exists is left as it is (retry-safe).

    More tablets than one store transaction holds (etcd: about 20) are created in consecutive
    sub-transactions (ops/largetxn.py); each tablet is whole or absent, and an FE retry after a
    failure half-way creates only the missing ones."""
    if not req.tablet_metas:
        raise invalid("no tablet meta")
    for meta in req.tablet_metas:
        if not meta.HasField("schema") and not meta.HasField("schema_version"):
            raise invalid("tablet_meta must have either schema or schema_version")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    resp = await vault.vault_for_tablets(svc, txn, iid, req)  # read-only: the batched path writes elsewhere
    db_id = req.db_id if req.HasField("db_id") else None
    estimate = sum(
        (largetxn.Cost(5, 3, len(m.SerializePartialToString()) + 512) for m in req.tablet_metas), largetxn.Cost()
    )
    if not largetxn.fits(svc.kv.limits, estimate):

        async def step(sub: Txn, chunk: Sequence[olap_file_pb2.TabletMetaCloudPB]) -> None:
            schemas: set[tuple[int, int]] = set()
            existing = await find_tablet_indexes(sub, iid, [m.tablet_id for m in chunk])
            for source in chunk:
                if source.tablet_id not in existing:
                    await _create_tablet(sub, iid, source, schemas, db_id)

        await largetxn.run_batched(svc.kv, list(req.tablet_metas), step)
        return Reply(result=resp)
    schemas_done: set[tuple[int, int]] = set()
    for source in req.tablet_metas:
        if await txn.get(keys.meta_tablet_idx_key(iid, source.tablet_id)) is None:
            await _create_tablet(txn, iid, source, schemas_done, db_id)
    return Reply(result=resp)


async def _create_tablet(
    txn: Txn,
    iid: str,
    source: olap_file_pb2.TabletMetaCloudPB,
    schemas_done: set[tuple[int, int]],
    db_id: int | None,
) -> None:
    """One new tablet (the caller checked it is absent): meta, index, initial rowset, stats."""
    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.CopyFrom(source)
    if not meta.HasField("schema_version"):
        meta.schema_version = meta.schema.schema_version
    if meta.HasField("schema") and (meta.index_id, meta.schema_version) not in schemas_done:
        schemas_done.add((meta.index_id, meta.schema_version))
        await put_schema_once(txn, iid, meta.index_id, meta.schema_version, meta.schema)
    if meta.rs_metas:
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.CopyFrom(meta.rs_metas[0])
        rs.ClearField("tablet_schema")
        rs.index_id = meta.index_id
        rs.schema_version = meta.schema_version
        txn.put(keys.meta_rowset_key(iid, meta.tablet_id, rs.end_version), rs.SerializeToString())
    meta.ClearField("rs_metas")
    meta.ClearField("schema")
    txn.put(
        keys.meta_tablet_key(iid, meta.table_id, meta.index_id, meta.partition_id, meta.tablet_id),
        meta.SerializeToString(),
    )
    idx = TabletIndexPB(
        table_id=meta.table_id, index_id=meta.index_id, partition_id=meta.partition_id, tablet_id=meta.tablet_id
    )
    if db_id is not None:
        idx.db_id = db_id
    txn.put(keys.meta_tablet_idx_key(iid, meta.tablet_id), idx.SerializeToString())
    stats = TabletStatsPB(
        num_rowsets=1, num_segments=0, base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=2
    )
    stats.idx.CopyFrom(idx)
    write_stats(txn, iid, stats)


async def get_tablet(svc: Service, txn: Txn, req: cloud_pb2.GetTabletRequest) -> Reply:
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    idx = await load_tablet_index(txn, iid, req.tablet_id)
    key = keys.meta_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
    value = await txn.get(key)
    if value is None:
        raise MetaServiceError(
            Code.TABLET_NOT_FOUND, f"failed to get tablet, err=KeyNotFound tablet_id={req.tablet_id} key={key.hex()}"
        )
    resp = cloud_pb2.GetTabletResponse()
    resp.tablet_meta.ParseFromString(value)
    stub = resp.tablet_meta.schema  # update_tablet's disable_auto_compaction, if any
    disable = stub.disable_auto_compaction if stub.HasField("disable_auto_compaction") else None
    schema = await get_schema(txn, iid, idx.index_id, resp.tablet_meta.schema_version)
    if schema is not None:
        resp.tablet_meta.schema.CopyFrom(schema)
        if disable is not None:
            resp.tablet_meta.schema.disable_auto_compaction = disable
    return Reply(result=resp)


# -- rowsets ---------------------------------------------------------------------------------------


def _check_rowset_meta(req: cloud_pb2.CreateRowsetRequest) -> olap_file_pb2.RowsetMetaCloudPB:
    if not req.HasField("rowset_meta"):
        raise invalid("no rowset meta")
    rs = req.rowset_meta
    if rs.tablet_id <= 0:
        raise invalid(f"invalid tablet_id={rs.tablet_id}")
    if not rs.rowset_id_v2:
        raise invalid("no rowset_id_v2")
    if rs.txn_id <= 0:
        raise invalid(f"invalid txn_id={rs.txn_id}")
    copy = olap_file_pb2.RowsetMetaCloudPB()
    copy.CopyFrom(rs)
    return copy


def _existed(existing: olap_file_pb2.RowsetMetaCloudPB) -> MetaServiceError:
    resp = cloud_pb2.CreateRowsetResponse()
    resp.existed_rowset_meta.CopyFrom(existing)
    return MetaServiceError(Code.ALREADY_EXISTED, "rowset already exists", resp)


async def _check_writer(
    svc: Service, txn: Txn, iid: str, rs: RowsetMetaCloudPB, req: cloud_pb2.CreateRowsetRequest
) -> None:
    """The rowset's writer may still write it: a tablet job's the tablet still runs (else
    STALE_PREPARE_ROWSET), a load's whose txn is still PREPARED (ops/loadcheck.py)."""
    if req.tablet_job_id:
        await check_job_rowset(txn, iid, rs.tablet_id, rs.rowset_id_v2, req.tablet_job_id)
    await require_prepared_load(svc, txn, iid, rs)


async def prepare_rowset(svc: Service, txn: Txn, req: cloud_pb2.CreateRowsetRequest) -> Reply:
    """Spec 7.3: record the rowset for the recycler (type PREPARE) until it is committed."""
    rs = _check_rowset_meta(req)
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    await _check_writer(svc, txn, iid, rs, req)
    tmp = await txn.get(keys.meta_rowset_tmp_key(iid, rs.txn_id, rs.tablet_id))
    if tmp is not None:
        existing = RowsetMetaCloudPB()
        existing.ParseFromString(tmp)
        raise _existed(existing)
    rs.ClearField("tablet_schema")
    rec = cloud_pb2.RecycleRowsetPB(
        tablet_id=rs.tablet_id,
        creation_time=svc.now_s(),
        expiration=rs.txn_expiration,
        type=cloud_pb2.RecycleRowsetPB.PREPARE,
    )
    if rs.HasField("resource_id"):
        rec.resource_id = rs.resource_id
    rec.rowset_meta.CopyFrom(rs)
    txn.put(keys.recycle_rowset_key(iid, rs.tablet_id, rs.rowset_id_v2), rec.SerializeToString())
    return Reply(result=cloud_pb2.CreateRowsetResponse())


async def commit_rowset(svc: Service, txn: Txn, req: cloud_pb2.CreateRowsetRequest) -> Reply:
    """Spec 7.3: the tmp rowset (txn, tablet); a retry with the same rowset_id_v2 is OK."""
    rs = _check_rowset_meta(req)
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    await _check_writer(svc, txn, iid, rs, req)
    tmp_key = keys.meta_rowset_tmp_key(iid, rs.txn_id, rs.tablet_id)
    tmp = await txn.get(tmp_key)
    if tmp is not None:
        existing = RowsetMetaCloudPB()
        existing.ParseFromString(tmp)
        if existing.rowset_id_v2 == rs.rowset_id_v2:
            return Reply(result=cloud_pb2.CreateRowsetResponse())
        raise _existed(existing)
    await store_variant_schema(txn, iid, rs)
    await detach_schema(txn, iid, rs)
    txn.remove(keys.recycle_rowset_key(iid, rs.tablet_id, rs.rowset_id_v2))
    txn.put(tmp_key, rs.SerializeToString())
    return Reply(result=cloud_pb2.CreateRowsetResponse())


def sync_ranges(
    req_bc: int, bc: int, req_cc: int, cc: int, req_cp: int, cp: int, start: int, end: int
) -> list[tuple[int, int]]:
    """Version ranges a BE must (re)read: the query range plus what compactions since its last sync
    replaced (upstream's calc_sync_versions): everything below the cumulative point after a base
    compaction; [its cumulative point, new point - 1] after exactly one cumulative compaction that
    moved the point, else everything from its cumulative point on. Overlapping ranges merge."""
    ranges: list[tuple[int, int]] = []

    def merge(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
        if a[1] + 1 < b[0] or b[1] + 1 < a[0]:
            return None
        return min(a[0], b[0]), max(a[1], b[1])

    if req_bc < bc:
        ranges.append((0, cp - 1))
    if req_cc < cc:
        cc_range = (req_cp, cp - 1) if req_cp < cp and req_cc + 1 == cc else (req_cp, INT64_MAX - 1)
        merged = merge(ranges[0], cc_range) if ranges else None
        if merged is None:
            ranges.append(cc_range)
        else:
            ranges[0] = merged
    query = (start, end)
    for i, r in enumerate(ranges):
        merged = merge(r, query)
        if merged is not None:
            ranges[i] = merged
            break
    else:
        ranges.append(query)
    return sorted(ranges)


async def get_rowset(svc: Service, txn: Txn, req: cloud_pb2.GetRowsetRequest) -> Reply:
    """A tablet's stats and the committed rowsets a BE needs (trap 7): the requested versions plus
    the ranges compactions replaced since the BE's counters and cumulative point (all required; the
    point may be -1 on a BE's first sync). Counters above the server's are INVALID_ARGUMENT. Each
    rowset carries index_id and its tablet_schema, completed from the schema dictionary per
    `schema_op` (ops/schemadict.py)."""
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    tablet_id = req.idx.tablet_id if req.idx.HasField("tablet_id") else -1
    if tablet_id <= 0:
        raise invalid("no valid tablet_id given")
    has = req.HasField
    if not (has("base_compaction_cnt") and has("cumulative_compaction_cnt") and has("cumulative_point")):
        raise invalid("no valid compaction_cnt or cumulative_point given")
    idx = await load_tablet_index(txn, iid, tablet_id)
    await lazy_commit.settle_partitions(svc, txn, iid, [(idx.table_id, idx.partition_id)])
    stats = await read_stats(txn, iid, idx)
    resp = cloud_pb2.GetRowsetResponse()
    resp.stats.CopyFrom(stats)
    bc, cc, cp = stats.base_compaction_cnt, stats.cumulative_compaction_cnt, stats.cumulative_point
    req_bc, req_cc, req_cp = req.base_compaction_cnt, req.cumulative_compaction_cnt, req.cumulative_point
    if req_bc > bc or req_cc > cc or req_cp > cp:
        raise MetaServiceError(
            Code.INVALID_ARGUMENT,
            f"no valid compaction_cnt or cumulative_point given. req_bc_cnt={req_bc}, bc_cnt={bc}, "
            f"req_cc_cnt={req_cc}, cc_cnt={cc}, req_cp={req_cp}, cp={cp}",
        )
    end = req.end_version if req.end_version >= 0 else INT64_MAX - 1
    prefix = keys.meta_rowset_prefix(iid, tablet_id)  # + the version: keys.meta_rowset_key
    for first, last in sync_ranges(req_bc, bc, req_cc, cc, req_cp, cp, req.start_version, end):
        if first > last + 1:
            continue
        rows = await txn.get_range(
            prefix + keys.encode_int64(first), prefix + keys.encode_int64(min(last, INT64_MAX - 1) + 1)
        )
        for _, value in rows:
            resp.rowset_meta.add().ParseFromString(value)
    schemas: dict[int, olap_file_pb2.TabletSchemaCloudPB] = {}
    uses_dict = False  # a rowset with dictionary keys (apply_schema_dict has nothing to do without one)
    for rs in resp.rowset_meta:
        if rs.HasField("tablet_schema"):
            schemas.setdefault(rs.tablet_schema.schema_version, rs.tablet_schema)
            rs.schema_version = rs.tablet_schema.schema_version
        rs.index_id = idx.index_id
        uses_dict = uses_dict or rs.HasField("schema_dict_key_list")
    for rs in resp.rowset_meta:
        if rs.HasField("tablet_schema"):
            continue
        if not rs.HasField("schema_version"):
            raise invalid(
                "rowset_meta must have either schema or schema_version, "
                f"rowset_version=[{rs.start_version}-{rs.end_version}]"
            )
        if rs.schema_version not in schemas:
            schema = await get_schema(txn, iid, idx.index_id, rs.schema_version)
            if schema is None:
                raise MetaServiceError(
                    Code.KV_TXN_GET_ERR,
                    f"failed to get schema, schema_version={rs.schema_version}, "
                    f"rowset_version=[{rs.start_version}-{rs.end_version}]: KeyNotFound",
                )
            schemas[rs.schema_version] = schema
        rs.tablet_schema.CopyFrom(schemas[rs.schema_version])
    if uses_dict:
        await apply_schema_dict(txn, iid, idx.index_id, resp, req.schema_op)
    return Reply(result=resp)


async def update_tmp_rowset(svc: Service, txn: Txn, req: cloud_pb2.CreateRowsetRequest) -> Reply:
    """Partial update: replace the committed tmp rowset of (txn, tablet) with the request's meta."""
    if not req.HasField("rowset_meta"):
        raise invalid("no rowset meta")
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    rs = olap_file_pb2.RowsetMetaCloudPB()
    rs.CopyFrom(req.rowset_meta)
    if not rs.HasField("tablet_schema") and not rs.HasField("schema_version"):
        raise invalid("rowset_meta must have either schema or schema_version")
    key = keys.meta_rowset_tmp_key(iid, rs.txn_id, rs.tablet_id)
    if await txn.get(key) is None:
        raise MetaServiceError(Code.ROWSET_META_NOT_FOUND, "can't find the rowset")
    await store_variant_schema(txn, iid, rs)
    txn.put(key, rs.SerializeToString())
    return Reply(result=cloud_pb2.CreateRowsetResponse())


# -- versions --------------------------------------------------------------------------------------


async def get_version(svc: Service, txn: Txn, req: cloud_pb2.GetVersionRequest) -> Reply:
    """A partition's visible version (VersionPB) or, with is_table_version, the table's counter;
    batch_mode answers parallel id lists in request order, -1 where there is no version."""
    if req.batch_mode:
        return await _batch_get_version(svc, txn, req)
    db_id = req.db_id if req.HasField("db_id") else -1
    table_id = req.table_id if req.HasField("table_id") else -1
    partition_id = req.partition_id if req.HasField("partition_id") else -1
    is_table = req.is_table_version
    if db_id == -1 or table_id == -1 or (not is_table and partition_id == -1):
        raise invalid(
            f"params error, db_id={db_id} table_id={table_id} partition_id={partition_id} "
            f"is_table_version={int(is_table)}"
        )
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    resp = cloud_pb2.GetVersionResponse()
    if is_table:
        value = await txn.get(keys.table_version_key(iid, db_id, table_id))
        if value is None:
            raise MetaServiceError(Code.VERSION_NOT_FOUND, "not found")
        resp.version = decode_counter(value)
        return Reply(result=resp)
    value = await txn.get(keys.partition_version_key(iid, db_id, table_id, partition_id))
    ver = cloud_pb2.VersionPB()
    if value is not None:
        ver.ParseFromString(value)
        await lazy_commit.settle_pending(svc, iid, ver.pending_txn_ids)
    if value is None or not ver.HasField("version"):
        raise MetaServiceError(Code.VERSION_NOT_FOUND, "not found")
    resp.version = ver.version
    resp.version_update_time_ms.append(ver.update_time_ms)
    return Reply(result=resp)


_DECODED_VERSIONS: dict[bytes, tuple[int, int]] = {}  # stored VersionPB bytes -> (version, update_time_ms)


async def _batch_get_version(svc: Service, txn: Txn, req: cloud_pb2.GetVersionRequest) -> Reply:
    n_db, n_table, n_part = len(req.db_ids), len(req.table_ids), len(req.partition_ids)
    is_table = req.is_table_version
    if n_db == 0 or n_table == 0 or (not is_table and (n_table != n_part or n_db != n_part)):
        raise invalid(
            f"param error, num db_ids={n_db} num table_ids={n_table} num partition_ids={n_part} "
            f"is_table_version={int(is_table)}"
        )
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    resp = cloud_pb2.GetVersionResponse(db_ids=req.db_ids, table_ids=req.table_ids)
    if is_table:
        wanted = [keys.table_version_key(iid, d, t) for d, t in zip(req.db_ids, req.table_ids, strict=False)]
        resp.versions.extend(decode_counter(v) if v is not None else -1 for v in await txn.get_many(wanted))
        return Reply(result=resp)
    resp.partition_ids.extend(req.partition_ids)
    wanted = keys.partition_version_keys(iid, req.db_ids, req.table_ids, req.partition_ids)
    versions: list[int] = []
    times: list[int] = []
    parsed = _DECODED_VERSIONS  # a value (bytes) decodes the same every time: remembered, bounded
    if len(parsed) > 100_000:
        parsed.clear()
    ver = cloud_pb2.VersionPB()
    for value in await txn.get_many(wanted):
        if value is None:
            versions.append(-1)
            times.append(-1)
            continue
        pair = parsed.get(value)
        if pair is None:
            ver.ParseFromString(value)
            if ver.pending_txn_ids:  # a lazy commit: complete it, read again
                await lazy_commit.settle_pending(svc, iid, ver.pending_txn_ids)
            pair = parsed[value] = (ver.version, ver.update_time_ms)
        versions.append(pair[0])
        times.append(pair[1])
    resp.versions.extend(versions)
    resp.version_update_time_ms.extend(times)
    return Reply(result=resp)


# -- update_tablet ---------------------------------------------------------------------------------

# TabletMetaInfoPB field -> TabletMetaCloudPB field. Upstream applies only the FIRST property
# present in each entry (an if/else-if chain, in this order; Doris 3.0's, whose group-commit and
# light-delete fields newer protos reserve: model/retired.py keeps them in the stored bytes).
_TABLET_PROPERTIES = (
    "is_in_memory",
    "is_persistent",
    "ttl_seconds",
    "group_commit_interval_ms",
    "group_commit_data_bytes",
    "compaction_policy",
    "time_series_compaction_goal_size_mbytes",
    "time_series_compaction_file_count_threshold",
    "time_series_compaction_time_threshold_seconds",
    "time_series_compaction_empty_rowsets_threshold",
    "time_series_compaction_level_threshold",
)


async def update_tablet(svc: Service, txn: Txn, req: cloud_pb2.UpdateTabletRequest) -> Reply:
    """Property-only ALTERs: each entry sets one property of its tablet's meta (the first given).
    disable_auto_compaction lives in the schema: it is kept on the stored meta's (otherwise empty)
    schema, and get_tablet lays it over the schema it returns."""
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    for info in req.tablet_meta_infos:
        key, meta = await _stored_tablet(txn, iid, info.tablet_id)
        field = next((f for f in _TABLET_PROPERTIES if info.HasField(f)), None)
        if field is not None and field in RETIRED_TABLET_FIELDS:  # Doris 3.0's fields, reserved in newer protos
            txn.put(key, set_retired_field(meta.SerializeToString(), field, getattr(info, field)))
            continue
        if field is not None:
            setattr(meta, field, getattr(info, field))
        elif info.HasField("disable_auto_compaction"):
            meta.schema.disable_auto_compaction = info.disable_auto_compaction
        elif info.HasField("enable_mow_light_delete"):
            light_delete = info.enable_mow_light_delete
            txn.put(key, set_retired_field(meta.SerializeToString(), "enable_mow_light_delete", light_delete))
            continue
        txn.put(key, meta.SerializeToString())
    return Reply(result=cloud_pb2.UpdateTabletResponse())


async def _stored_tablet(txn: Txn, iid: str, tablet_id: int) -> tuple[bytes, olap_file_pb2.TabletMetaCloudPB]:
    idx = await load_tablet_index(txn, iid, tablet_id)
    key = keys.meta_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
    value = await txn.get(key)
    if value is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, "failed to get tablet, err=not found")
    meta = olap_file_pb2.TabletMetaCloudPB()
    meta.ParseFromString(value)
    return key, meta


# -- get_tablet_stats --------------------------------------------------------------------------------


async def get_tablet_stats(svc: Service, txn: Txn, req: cloud_pb2.GetTabletStatsRequest) -> Reply:
    """Spec 7.5: merged stats of each requested tablet; the first error fails the whole request."""
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    resp = cloud_pb2.GetTabletStatsResponse()
    indexes = [await complete_index(txn, iid, requested) for requested in req.tablet_idx]
    await lazy_commit.settle_partitions(svc, txn, iid, [(i.table_id, i.partition_id) for i in indexes])
    for idx in indexes:
        resp.tablet_stats.append(await read_stats(txn, iid, idx))
    resp.status.code = Code.OK
    resp.status.msg = ""
    return Reply(result=resp)
