"""Schema dictionaries of variant columns (upstream meta_service_schema.cpp): one
SchemaCloudDictionary per index, stored in chunks under `keys.meta_schema_dict_key`.

A rowset whose schema has variant columns (`has_variant_type_in_schema`) carries columns the BE
extends per load: extracted sub-columns (unique_id < 0), the sparse columns of each variant column
and indexes with an `index_suffix_name`. When such a rowset is committed without a
`schema_dict_key_list`, those items move into the index's dictionary (each distinct item stored
once, under the next id) and the rowset keeps only their ids, so the stored schema stays stable.
Readers either get the schema filled back from the dictionary (get_rowset's FILL_WITH_DICT, the
default), the dictionary itself (RETURN_DICT, and get_schema_dict), or neither (NO_DICT).
"""

from __future__ import annotations

from google.protobuf.message import Message

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.proto import olap_file_pb2

Dict = olap_file_pb2.SchemaCloudDictionary
CHUNK = 90_000  # bytes per stored chunk, as upstream splits large values
SIZE_LIMIT = 10 * 1024 * 1024  # upstream's schema_dict_kv_size_limit
VARIANT = "VARIANT"
_INT64_MAX = (1 << 63) - 1


async def read_dict(txn: Txn, iid: str, index_id: int) -> olap_file_pb2.SchemaCloudDictionary:
    """The index's dictionary (empty when it has none)."""
    base = keys.meta_schema_dict_key(iid, index_id)
    rows = await txn.get_range(base, base + keys.encode_int64(_INT64_MAX))
    out = Dict()
    if rows:
        out.ParseFromString(b"".join(v for _, v in rows))
    return out


async def _write_dict(txn: Txn, iid: str, index_id: int, value: bytes) -> None:
    base = keys.meta_schema_dict_key(iid, index_id)
    txn.remove_range(base, base + keys.encode_int64(_INT64_MAX))
    for i in range(0, max(len(value), 1), CHUNK):
        txn.put(base + keys.encode_int64(i // CHUNK), value[i : i + CHUNK])


def _canonical(item: Message) -> bytes:
    return item.SerializeToString(deterministic=True)


async def write_schema_dict(txn: Txn, iid: str, rs: olap_file_pb2.RowsetMetaCloudPB) -> None:
    """Move a variant rowset's extended columns/indexes into the index's dictionary, leaving their
    ids in `rs.schema_dict_key_list` (nothing when the BE already did so, as upstream)."""
    if rs.HasField("schema_dict_key_list") or not rs.HasField("tablet_schema"):
        return
    d = await read_dict(txn, iid, rs.index_id)
    before = (d.current_column_dict_id, d.current_index_dict_id)
    schema = rs.tablet_schema
    ids = rs.schema_dict_key_list
    sparse: list[olap_file_pb2.ColumnPB] = []
    for col in schema.column:
        if col.type == VARIANT:
            for sc in col.sparse_columns:
                sc.parent_unique_id = col.unique_id
                sparse.append(sc)
        col.ClearField("sparse_columns")
    columns = {_canonical(v): k for k, v in d.column_dict.items()}
    indexes = {_canonical(v): k for k, v in d.index_dict.items()}

    def column_id(col: olap_file_pb2.ColumnPB) -> int:
        key = _canonical(col)
        if key not in columns:
            d.current_column_dict_id += 1
            d.column_dict[d.current_column_dict_id].CopyFrom(col)
            columns[key] = d.current_column_dict_id
        return columns[key]

    kept = [c for c in schema.column if c.unique_id >= 0]
    ids.column_dict_key_list.extend(column_id(c) for c in schema.column if c.unique_id < 0)
    ids.sparse_column_dict_key_list.extend(column_id(c) for c in sparse)
    kept_indexes = [i for i in schema.index if not i.index_suffix_name]
    for index in schema.index:
        if not index.index_suffix_name:
            continue
        key = _canonical(index)
        if key not in indexes:
            d.current_index_dict_id += 1
            d.index_dict[d.current_index_dict_id].CopyFrom(index)
            indexes[key] = d.current_index_dict_id
        ids.index_info_dict_key_list.append(indexes[key])
    del schema.column[:]
    schema.column.extend(kept)
    del schema.index[:]
    schema.index.extend(kept_indexes)
    if (d.current_column_dict_id, d.current_index_dict_id) == before:
        return
    value = d.SerializeToString()
    if len(value) > SIZE_LIMIT:
        raise invalid(
            f"Failed to write dictionary for saving, txn_id={rs.txn_id}, reached the limited size threshold "
            f"of SchemaDictKeyList {SIZE_LIMIT}"
        )
    await _write_dict(txn, iid, rs.index_id, value)


def fill_schema(rs: olap_file_pb2.RowsetMetaCloudPB, d: olap_file_pb2.SchemaCloudDictionary) -> None:
    """Put a rowset's dictionary items back into its schema (upstream's fill_schema_with_dict)."""
    ids = rs.schema_dict_key_list
    schema = rs.tablet_schema
    by_uid = {c.unique_id: c for c in schema.column}

    def missing(what: str, key: int) -> MetaServiceError:
        return MetaServiceError(
            Code.SCHEMA_DICT_NOT_FOUND,
            f"schema dictionary of index {rs.index_id} has no {what} {key}, "
            f"rowset_version=[{rs.start_version}-{rs.end_version}]",
        )

    for key in ids.column_dict_key_list:
        if key not in d.column_dict:
            raise missing("column", key)
        schema.column.add().CopyFrom(d.column_dict[key])
    for key in ids.index_info_dict_key_list:
        if key not in d.index_dict:
            raise missing("index", key)
        schema.index.add().CopyFrom(d.index_dict[key])
    for key in ids.sparse_column_dict_key_list:
        if key not in d.column_dict:
            raise missing("column", key)
        sc = d.column_dict[key]
        if sc.parent_unique_id not in by_uid:
            raise missing("parent column", sc.parent_unique_id)
        by_uid[sc.parent_unique_id].sparse_columns.add().CopyFrom(sc)
