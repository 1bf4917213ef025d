"""Tablet operations: create_tablets, get_tablet, prepare_rowset, commit_rowset, get_rowset,
get_version and get_tablet_stats (spec 7.3, 7.4, 7.5).

Each operation is `async def op(svc, txn, req) -> Reply` over one KV transaction; failures raise
`MetaServiceError` before anything is committed. No transport types here.
"""

from __future__ import annotations

from dorisctl.kv import Txn, decode_counter
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.tablets import (
    INT64_MAX,
    RowsetMetaCloudPB,
    TabletIndexPB,
    TabletStatsPB,
    complete_index,
    detach_schema,
    get_schema,
    load_tablet_index,
    put_schema_once,
    read_stats,
    require_instance,
    write_stats,
)
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2


async def create_tablets(svc: Service, txn: Txn, req: cloud_pb2.CreateTabletsRequest) -> Reply:
    """Spec 7.3. A tablet whose tablet-index key already exists is left as it is (retry-safe)."""
    if not req.tablet_metas:
        raise invalid("no tablet meta")
    for meta in req.tablet_metas:
        if not meta.HasField("schema") and not meta.HasField("schema_version"):
            raise invalid("tablet_meta must have either schema or schema_version")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    schemas_done: set[tuple[int, int]] = set()
    for source in req.tablet_metas:
        if await txn.get(keys.meta_tablet_idx_key(iid, source.tablet_id)) is not None:
            continue
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
        if req.HasField("db_id"):
            idx.db_id = req.db_id
        txn.put(keys.meta_tablet_idx_key(iid, meta.tablet_id), idx.SerializeToString())
        stats = TabletStatsPB(
            num_rowsets=1, num_segments=0, base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=2
        )
        stats.idx.CopyFrom(idx)
        write_stats(txn, iid, stats)
    return Reply(result=cloud_pb2.CreateTabletsResponse())


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
    schema = await get_schema(txn, iid, idx.index_id, resp.tablet_meta.schema_version)
    if schema is not None:
        resp.tablet_meta.schema.CopyFrom(schema)
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


async def prepare_rowset(svc: Service, txn: Txn, req: cloud_pb2.CreateRowsetRequest) -> Reply:
    """Spec 7.3: record the rowset for the recycler (type PREPARE) until it is committed."""
    rs = _check_rowset_meta(req)
    iid = await require_instance(svc, txn, req.cloud_unique_id)
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
    tmp_key = keys.meta_rowset_tmp_key(iid, rs.txn_id, rs.tablet_id)
    tmp = await txn.get(tmp_key)
    if tmp is not None:
        existing = RowsetMetaCloudPB()
        existing.ParseFromString(tmp)
        if existing.rowset_id_v2 == rs.rowset_id_v2:
            return Reply(result=cloud_pb2.CreateRowsetResponse())
        raise _existed(existing)
    await detach_schema(txn, iid, rs)
    txn.remove(keys.recycle_rowset_key(iid, rs.tablet_id, rs.rowset_id_v2))
    txn.put(tmp_key, rs.SerializeToString())
    return Reply(result=cloud_pb2.CreateRowsetResponse())


async def get_rowset(svc: Service, txn: Txn, req: cloud_pb2.GetRowsetRequest) -> Reply:
    """Committed rowsets of a tablet whose end version lies in [start_version, end_version], and its stats."""
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    if req.idx.tablet_id <= 0:
        raise invalid("no valid tablet_id given")
    if req.start_version < 0 or req.end_version < req.start_version:
        raise invalid(f"invalid version range [{req.start_version}-{req.end_version}]")
    idx = await complete_index(txn, iid, req.idx)
    resp = cloud_pb2.GetRowsetResponse()
    resp.stats.CopyFrom(await read_stats(txn, iid, idx))
    end = min(req.end_version, INT64_MAX - 1) + 1
    rows = await txn.get_range(
        keys.meta_rowset_key(iid, idx.tablet_id, req.start_version), keys.meta_rowset_key(iid, idx.tablet_id, end)
    )
    for _, value in rows:
        resp.rowset_meta.add().ParseFromString(value)
    return Reply(result=resp)


async def get_version(svc: Service, txn: Txn, req: cloud_pb2.GetVersionRequest) -> Reply:
    """A partition's visible version (VersionPB) or, with is_table_version, the table's counter."""
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    resp = cloud_pb2.GetVersionResponse()
    if req.is_table_version:
        if not req.HasField("db_id") or not req.HasField("table_id"):
            raise invalid(f"invalid db_id or table_id, db_id={req.db_id} table_id={req.table_id}")
        value = await txn.get(keys.table_version_key(iid, req.db_id, req.table_id))
        if value is None:
            raise MetaServiceError(Code.VERSION_NOT_FOUND, "not found")
        resp.version = decode_counter(value)
        return Reply(result=resp)
    if not req.HasField("db_id") or not req.HasField("table_id") or not req.HasField("partition_id"):
        raise invalid(
            f"invalid db_id, table_id or partition_id, db_id={req.db_id} table_id={req.table_id} "
            f"partition_id={req.partition_id}"
        )
    value = await txn.get(keys.partition_version_key(iid, req.db_id, req.table_id, req.partition_id))
    if value is None:
        raise MetaServiceError(Code.VERSION_NOT_FOUND, "not found")
    ver = cloud_pb2.VersionPB()
    ver.ParseFromString(value)
    resp.version = ver.version
    if ver.HasField("update_time_ms"):
        resp.version_update_time_ms.append(ver.update_time_ms)
    return Reply(result=resp)


# -- get_tablet_stats --------------------------------------------------------------------------------


async def get_tablet_stats(svc: Service, txn: Txn, req: cloud_pb2.GetTabletStatsRequest) -> Reply:
    """Spec 7.5: merged stats of each requested tablet; the first error fails the whole request."""
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    resp = cloud_pb2.GetTabletStatsResponse()
    for requested in req.tablet_idx:
        idx = await complete_index(txn, iid, requested)
        resp.tablet_stats.append(await read_stats(txn, iid, idx))
    resp.status.code = Code.OK
    resp.status.msg = ""
    return Reply(result=resp)
