"""Tablets as stored: the tablet index, aggregated tablet stats (aggregate record + detached
counters, spec 7.4), schemas stored once per (index, version), and resolving an instance from a
`cloud_unique_id` for the tablet, txn and job operations. The one place tablet stats are read and
written.
"""

from __future__ import annotations

import struct

from dorisctl.kv import Txn, decode_counter
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

INT64_MAX = (1 << 63) - 1
_I64 = struct.Struct("<q")  # an atomic counter's 8 bytes (kv.decode_counter, for any other length)

TabletIndexPB = cloud_pb2.TabletIndexPB
TabletStatsPB = cloud_pb2.TabletStatsPB
RowsetMetaCloudPB = olap_file_pb2.RowsetMetaCloudPB

# detached counter suffix -> TabletStatsPB field (spec 7.4)
DETACHED_FIELDS = {
    "data_size": "data_size",
    "num_rows": "num_rows",
    "num_rowsets": "num_rowsets",
    "num_segs": "num_segments",
    "index_size": "index_size",
    "segment_size": "segment_size",
}


def empty_cuid(cuid: str) -> str:
    return cuid or "(empty)"


async def require_instance(svc: Service, txn: Txn, cuid: str, suffix: str = "") -> str:
    """The instance of `cuid`, or 400 `cannot find instance_id with cloud_unique_id=<cuid><suffix>`."""
    iid = await resolve_instance_id(svc, txn, cuid)
    if not iid:
        raise invalid(f"cannot find instance_id with cloud_unique_id={empty_cuid(cuid)}{suffix}")
    return iid


async def load_tablet_index(txn: Txn, iid: str, tablet_id: int) -> cloud_pb2.TabletIndexPB:
    key = keys.meta_tablet_idx_key(iid, tablet_id)
    value = await txn.get(key)
    if value is None:
        raise MetaServiceError(
            Code.TABLET_NOT_FOUND,
            f"failed to get tablet_idx, err=KeyNotFound tablet_id={tablet_id} key={key.hex()}",
        )
    idx = TabletIndexPB()
    idx.ParseFromString(value)
    return idx


async def find_tablet_indexes(txn: Txn, iid: str, tablet_ids: list[int]) -> dict[int, cloud_pb2.TabletIndexPB]:
    """The stored indexes of those of these tablets that exist: one range read when the ids are
    dense (large loads, a partition's tablets), else one batched point read."""
    wanted = sorted(set(tablet_ids))
    out: dict[int, cloud_pb2.TabletIndexPB] = {}
    if len(wanted) > 8 and wanted[-1] - wanted[0] <= 2 * len(wanted):
        begin = keys.meta_tablet_idx_key(iid, wanted[0])
        end = keys.meta_tablet_idx_key(iid, wanted[-1]) + b"\xff"  # no id + 1: it may be INT64_MAX
        want = set(wanted)
        for _, value in await txn.get_range(begin, end):
            idx = TabletIndexPB()
            idx.ParseFromString(value)
            if idx.tablet_id in want:
                out[idx.tablet_id] = idx
        return out
    found = await txn.get_many([keys.meta_tablet_idx_key(iid, t) for t in wanted])
    for tablet_id, raw in zip(wanted, found, strict=True):
        if raw is not None:
            out[tablet_id] = TabletIndexPB.FromString(raw)
    return out


async def load_tablet_indexes(txn: Txn, iid: str, tablet_ids: list[int]) -> dict[int, cloud_pb2.TabletIndexPB]:
    """Tablet indexes of many tablets, each of which must exist (else TABLET_NOT_FOUND)."""
    out = await find_tablet_indexes(txn, iid, tablet_ids)
    for tablet_id in sorted(set(tablet_ids)):
        if tablet_id not in out:
            out[tablet_id] = await load_tablet_index(txn, iid, tablet_id)  # raises: not found
    return out


async def complete_index(txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB) -> cloud_pb2.TabletIndexPB:
    """idx itself when table/index/partition/tablet are all present, else the stored tablet index."""
    if all(idx.HasField(f) for f in ("table_id", "index_id", "partition_id", "tablet_id")):
        return idx
    return await load_tablet_index(txn, iid, idx.tablet_id)


def _stats_key(iid: str, idx: cloud_pb2.TabletIndexPB) -> bytes:
    return keys.stats_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)


async def read_stats_parts(
    txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB
) -> tuple[cloud_pb2.TabletStatsPB, dict[str, int]] | None:
    """(aggregate record, detached counters) of a tablet, or None when it has no stats."""
    begin = _stats_key(iid, idx)
    end = begin + b"\xff"  # every key under the tablet's (detached counters); no tablet_id + 1 past INT64_MAX
    rows = await txn.get_range(begin, end)
    if not rows or rows[0][0] != begin:
        return None
    agg = TabletStatsPB()
    agg.ParseFromString(rows[0][1])
    detached: dict[str, int] = {}
    start = len(begin)
    for key, value in rows[1:]:
        suffix = _ENCODED_SUFFIXES.get(key[start:])  # the usual keys, without decoding them
        if suffix is None:
            fields = keys.decode_fields(key, start)
            if len(fields) != 1 or not isinstance(fields[0][1], bytes):
                continue
            suffix = fields[0][1].decode(errors="replace")
        if suffix in DETACHED_FIELDS:
            detached[suffix] = _I64.unpack(value)[0] if len(value) == 8 else decode_counter(value)
    return agg, detached


# the key tail of each detached counter -> its suffix: a tail decodes to one of these names exactly
# when it equals its encoding (the codec has one encoding for a string without NUL bytes)
_ENCODED_SUFFIXES = {keys.encode_bytes(suffix): suffix for suffix in DETACHED_FIELDS}


async def read_stats(txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB) -> cloud_pb2.TabletStatsPB:
    """The merged stats of spec 7.4: aggregate + detached counters; TABLET_NOT_FOUND if absent."""
    parts = await read_stats_parts(txn, iid, idx)
    if parts is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet stats not found, tablet_id={idx.tablet_id}")
    merged, detached = parts  # the aggregate is this call's own message: merged in place
    # each of the six fields set (present even when 0), in DETACHED_FIELDS' order, data_size last
    # clamped at 0; written out, not by getattr/setattr over the table (the same assignments)
    get = detached.get
    merged.data_size = merged.data_size + get("data_size", 0)
    merged.num_rows = merged.num_rows + get("num_rows", 0)
    merged.num_rowsets = merged.num_rowsets + get("num_rowsets", 0)
    merged.num_segments = merged.num_segments + get("num_segs", 0)
    merged.index_size = merged.index_size + get("index_size", 0)
    merged.segment_size = merged.segment_size + get("segment_size", 0)
    merged.data_size = max(merged.data_size, 0)
    return merged


def write_stats(txn: Txn, iid: str, stats: cloud_pb2.TabletStatsPB) -> None:
    txn.put(_stats_key(iid, stats.idx), stats.SerializeToString())


# -- schemas ------------------------------------------------------------------------------------


_LAST_CHUNK = keys.encode_int64(INT64_MAX)


def _schema_chunk_key(iid: str, index_id: int, schema_version: int) -> bytes:
    return keys.meta_schema_key(iid, index_id, schema_version) + keys.encode_int64(0)


async def put_schema_once(
    txn: Txn, iid: str, index_id: int, schema_version: int, schema: olap_file_pb2.TabletSchemaCloudPB
) -> None:
    """Store a schema (one chunk) unless that index/version already has one."""
    base = keys.meta_schema_key(iid, index_id, schema_version)
    if await txn.get_range(base, base + keys.encode_int64(INT64_MAX), limit=1):
        return
    txn.put(_schema_chunk_key(iid, index_id, schema_version), schema.SerializeToString())


async def get_schema(
    txn: Txn, iid: str, index_id: int, schema_version: int
) -> olap_file_pb2.TabletSchemaCloudPB | None:
    base = keys.meta_schema_key(iid, index_id, schema_version)
    rows = await txn.get_range(base, base + _LAST_CHUNK)
    if not rows:
        return None
    schema = olap_file_pb2.TabletSchemaCloudPB()
    schema.ParseFromString(b"".join(v for _, v in rows))
    return schema


async def detach_schema(txn: Txn, iid: str, rs: olap_file_pb2.RowsetMetaCloudPB) -> None:
    """Move an embedded tablet_schema to the schema key, leaving index_id/schema_version behind."""
    if not rs.HasField("tablet_schema"):
        return
    if not rs.HasField("schema_version"):
        rs.schema_version = rs.tablet_schema.schema_version
    await put_schema_once(txn, iid, rs.index_id, rs.schema_version, rs.tablet_schema)
    rs.ClearField("tablet_schema")


# -- create_tablets / get_tablet ------------------------------------------------------------------


async def add_load_stats(
    svc: Service, txn: Txn, iid: str, idx: cloud_pb2.TabletIndexPB, rowsets: list[RowsetMetaCloudPB]
) -> None:
    """Spec 7.4: detached atomic counters when split_tablet_stats, else read-modify-write."""
    deltas = {
        "data_size": sum(r.total_disk_size for r in rowsets),
        "num_rows": sum(r.num_rows for r in rowsets),
        "num_segs": sum(r.num_segments for r in rowsets),
        "index_size": sum(r.index_disk_size for r in rowsets),
        "segment_size": sum(r.data_disk_size for r in rowsets),
    }
    with_segments = deltas["num_segs"] > 0
    if svc.settings.split_tablet_stats:
        base = keys.stats_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
        if with_segments:
            for suffix, delta in deltas.items():
                txn.atomic_add(base + keys.encode_bytes(suffix), delta)
        txn.atomic_add(base + keys.encode_bytes("num_rowsets"), len(rowsets))
        return
    parts = await read_stats_parts(txn, iid, idx)
    if parts is None:
        raise MetaServiceError(Code.TABLET_NOT_FOUND, f"tablet stats not found, tablet_id={idx.tablet_id}")
    agg = parts[0]
    agg.data_size += deltas["data_size"]
    agg.num_rows += deltas["num_rows"]
    agg.num_segments += deltas["num_segs"]
    agg.index_size += deltas["index_size"]
    agg.segment_size += deltas["segment_size"]
    agg.num_rowsets += len(rowsets)
    txn.put(
        keys.stats_tablet_key(iid, idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id), agg.SerializeToString()
    )
