"""Which objects a rowset owns: its segments and its inverted-index files, named as upstream's
recycler names them (apache/doris cloud/src/recycler/util.h `segment_path`,
`inverted_index_path_v1`, `inverted_index_path_v2`, `rowset_path_prefix`; the choice is
recycler.cpp `InstanceRecycler::delete_rowset_data(const RowsetMetaCloudPB&)` and its batch
variant), relative to the location's `<prefix>/`:

* segment `seg`: `data/<tablet>/<rowset>_<seg>.dat`;
* inverted-index storage format V1 (the default when the schema does not say): one file per
  INVERTED index per segment, `data/<tablet>/<rowset>_<seg>_<index_id>[@<suffix>].idx`
  (`@<index_suffix_name>` only when the index has one);
* any later format (V2, V3): one file per segment, `data/<tablet>/<rowset>_<seg>.idx`, when the
  schema has an INVERTED index.

The index list comes from the rowset meta's `tablet_schema` when it carries one; otherwise from
the schema stored for its `(index_id, schema_version)` (`meta schema` keys, model/tablets.py),
looked up once per pair (upstream's InvertedIndexInfoCache). When that schema is gone (its index
was dropped) the V2 file is deleted as well, as upstream does "to reduce the chance of a leak"
(V1 names cannot be guessed then). A rowset whose file names cannot be derived — no
`num_segments`, a BEGIN_PARTIAL_UPDATE rowset (it may have more segments than it says), or
neither a schema nor `(index_id, schema_version)` — is deleted by its prefix
`data/<tablet>/<rowset>_` instead, which covers every file of it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice.model.tablets import get_schema
from dorisctl.metaservice.proto import olap_file_pb2
from dorisctl.metaservice.recycler.config import JobResult
from dorisctl.metaservice.recycler.objstore import ClientOptions, Location, ObjStore

log = logging.getLogger("dorisctl.recycler")

RowsetMetaCloudPB = olap_file_pb2.RowsetMetaCloudPB
TabletSchemaCloudPB = olap_file_pb2.TabletSchemaCloudPB
V1 = olap_file_pb2.InvertedIndexStorageFormatPB.V1
V2 = olap_file_pb2.InvertedIndexStorageFormatPB.V2


def segment_path(tablet_id: int, rowset_id: str, seg: int) -> str:
    return f"data/{tablet_id}/{rowset_id}_{seg}.dat"


def index_path_v1(tablet_id: int, rowset_id: str, seg: int, index_id: int, suffix: str) -> str:
    at = f"@{suffix}" if suffix else ""
    return f"data/{tablet_id}/{rowset_id}_{seg}_{index_id}{at}.idx"


def index_path_v2(tablet_id: int, rowset_id: str, seg: int) -> str:
    return f"data/{tablet_id}/{rowset_id}_{seg}.idx"


def rowset_prefix(tablet_id: int, rowset_id: str) -> str:
    return f"data/{tablet_id}/{rowset_id}_"


@dataclass(frozen=True)
class IndexInfo:
    """A schema's inverted indexes as far as file names go."""

    storage_format: int  # InvertedIndexStorageFormatPB
    indexes: tuple[tuple[int, str], ...]  # (index_id, index_suffix_name) of INVERTED indexes
    schema_missing: bool = False  # the schema key is gone: guess the V2 file


def index_info(schema: olap_file_pb2.TabletSchemaCloudPB) -> IndexInfo:
    fmt = schema.inverted_index_storage_format if schema.HasField("inverted_index_storage_format") else V1
    indexes = tuple(
        (i.index_id, i.index_suffix_name)
        for i in schema.index
        if i.HasField("index_type") and i.index_type == olap_file_pb2.INVERTED
    )
    return IndexInfo(fmt, indexes)


SCHEMA_GONE = IndexInfo(V2, (), schema_missing=True)


class SchemaIndexes:
    """Stored schemas' index lists, read once per (index_id, schema_version) for one pass."""

    def __init__(self, kv: TxnKv, instance_id: str) -> None:
        self.kv = kv
        self.iid = instance_id
        self._seen: dict[tuple[int, int], IndexInfo] = {}

    async def get(self, index_id: int, schema_version: int) -> IndexInfo:
        key = (index_id, schema_version)
        if key not in self._seen:

            async def read(txn: Txn) -> olap_file_pb2.TabletSchemaCloudPB | None:
                return await get_schema(txn, self.iid, index_id, schema_version)

            schema = await run_txn(self.kv, read)
            self._seen[key] = SCHEMA_GONE if schema is None else index_info(schema)
        return self._seen[key]


async def rowset_files(
    meta: olap_file_pb2.RowsetMetaCloudPB, tablet_id: int, rowset_id: str, schemas: SchemaIndexes
) -> list[str] | None:
    """The rowset's objects (relative keys), or None when it must be deleted by prefix."""
    if not meta.HasField("num_segments") or meta.rowset_state == olap_file_pb2.BEGIN_PARTIAL_UPDATE:
        return None
    if meta.num_segments <= 0:
        return []
    if meta.HasField("tablet_schema"):
        info = index_info(meta.tablet_schema)
    elif meta.HasField("index_id") and meta.HasField("schema_version"):
        info = await schemas.get(meta.index_id, meta.schema_version)
    else:
        return None
    out: list[str] = []
    for seg in range(meta.num_segments):
        out.append(segment_path(tablet_id, rowset_id, seg))
        if info.storage_format == V1:
            out.extend(index_path_v1(tablet_id, rowset_id, seg, i, sfx) for i, sfx in info.indexes)
        elif info.indexes or info.schema_missing:
            out.append(index_path_v2(tablet_id, rowset_id, seg))
    return out


# (record key, the rowset's files or None for "by prefix", its prefix, its bytes)
RowsetWork = tuple[bytes, list[str] | None, str, int]


async def delete_rowset_objects(
    iid: str, work: dict[str, list[RowsetWork]], locations: dict[str, Location], opts: ClientOptions, res: JobResult
) -> list[bytes]:
    """Delete each rowset's objects from the location its resource id names; return the record
    keys whose objects are gone (a resource id without a location keeps its records: logged)."""
    done: list[bytes] = []
    for resource, items in work.items():
        loc = locations.get(resource)
        if loc is None:
            log_event(log, "recycle_rowset_unknown_resource", logging.WARNING, instance_id=iid, resource=resource)
            continue
        store = ObjStore(loc, opts)
        try:
            flat = [key for _, rel, _, _ in items if rel is not None for key in rel]
            if flat:
                stats = await asyncio.to_thread(store.delete_keys, flat)
                res.objects_deleted += stats.objects
            for _, rel, prefix, size in items:
                if rel is None:
                    stats = await asyncio.to_thread(store.delete_prefix, prefix)
                    res.objects_deleted += stats.objects
                    res.bytes_deleted += stats.bytes
                else:
                    res.bytes_deleted += size
        finally:
            store.close()
        done.extend(k for k, _, _, _ in items)
    return done
