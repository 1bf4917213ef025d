"""The store's format version, and converting a format-1 store on start.

Format 1 (dorisctl before the RPC front) numbered a few stored fields differently from Doris:
`RowsetMetaCloudPB.empty` 19 and `creation_time` 21 (Doris: 17 and 20; Doris's 19 is
`delete_flag`), `TabletSchemaCloudPB.schema_version` 20 (Doris: 13) and
`ClusterPolicy.cache_warmup_jobids` as int64 (Doris: string). Read with Doris's numbering those
values would be misread (an empty rowset would become a delete rowset), so a store without the
format key that holds data is converted before the service starts: every instance, rowset,
tmp rowset, tablet, schema and recycled-rowset value is parsed with the format-1 schema and
rewritten field by field (by name) in Doris's numbering. The conversion runs in batches, each
one KV transaction that also records the last converted key, so a process killed mid-way
resumes where it stopped and never converts a value twice; other processes wait for it.
A fresh store is stamped with the current format.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.model import legacy_v1
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

log = logging.getLogger("dorisctl.metaservice.storeformat")

CURRENT = 2
BATCH = 500

# (family, subtype or None) -> (format-1 message name, current class)
_CONVERTED: dict[tuple[str, str | None], tuple[str, type[Message]]] = {
    ("instance", None): ("doris.cloud.InstanceInfoPB", cloud_pb2.InstanceInfoPB),
    ("meta", "rowset"): ("doris.RowsetMetaCloudPB", olap_file_pb2.RowsetMetaCloudPB),
    ("meta", "rowset_tmp"): ("doris.RowsetMetaCloudPB", olap_file_pb2.RowsetMetaCloudPB),
    ("meta", "tablet"): ("doris.TabletMetaCloudPB", olap_file_pb2.TabletMetaCloudPB),
    ("meta", "schema"): ("doris.TabletSchemaCloudPB", olap_file_pb2.TabletSchemaCloudPB),
    ("recycle", "rowset"): ("doris.cloud.RecycleRowsetPB", cloud_pb2.RecycleRowsetPB),
}

_legacy: dict[str, type[Message]] = {}


class StoreFormatError(Exception):
    pass


def legacy_class(full_name: str) -> type[Message]:
    if not _legacy:
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(base64.b64decode("".join(legacy_v1.DESCRIPTOR_SET)))
        pool = descriptor_pool.DescriptorPool()
        for f in fds.file:
            pool.Add(f)
        for name, _ in _CONVERTED.values():
            _legacy[name] = message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
    return _legacy[full_name]


def _kind(key: bytes) -> tuple[str, str | None] | None:
    try:
        _, fields = keys.decode_key(key)
    except keys.KeyDecodeError:
        return None
    if not fields or not isinstance(fields[0], bytes):
        return None
    family = fields[0].decode(errors="replace")
    if family == "instance" and len(fields) == 2:
        return ("instance", None)
    if len(fields) >= 3 and isinstance(fields[2], bytes):
        kind = (family, fields[2].decode(errors="replace"))
        return kind if kind in _CONVERTED else None
    return None


def convert_value(kind: tuple[str, str | None], raw: bytes) -> bytes:
    """A format-1 value re-encoded in Doris's numbering (fields matched by name)."""
    legacy_name, cls = _CONVERTED[kind]
    old = legacy_class(legacy_name)()
    old.ParseFromString(raw)
    doc = json_format.MessageToDict(old, preserving_proto_field_name=True)
    new = cls()
    json_format.ParseDict(doc, new)
    return new.SerializeToString()


async def read_format(kv: TxnKv) -> int | None:
    async def read(txn: Txn) -> int | None:
        raw = await txn.get(keys.STORE_FORMAT_KEY)
        return int(raw) if raw is not None else None

    return await run_txn(kv, read)


async def _has_data(kv: TxnKv) -> bool:
    begin, end = keys.user_space_range()

    async def read(txn: Txn) -> bool:
        return bool(await txn.get_range(begin, end, limit=1))

    return await run_txn(kv, read)


async def upgrade(kv: TxnKv) -> int:
    """Bring the store to the current format; returns how many values were converted."""
    fmt = await read_format(kv)
    if fmt == CURRENT:
        return 0
    if fmt is not None and fmt > CURRENT:
        raise StoreFormatError(
            f"the store is in format {fmt}, newer than this dorisctl understands ({CURRENT}): upgrade dorisctl"
        )
    if fmt is None and not await _has_data(kv):

        async def stamp(txn: Txn) -> None:
            if await txn.get(keys.STORE_FORMAT_KEY) is None:
                txn.put(keys.STORE_FORMAT_KEY, str(CURRENT).encode())

        await run_txn(kv, stamp)
        return 0
    return await _convert(kv)


async def _convert(kv: TxnKv) -> int:
    started = time.monotonic()
    begin, end = keys.user_space_range()
    converted = 0
    log_event(log, "store_format_upgrade_started", from_format=1, to_format=CURRENT)

    async def batch(txn: Txn) -> tuple[int, bool]:
        if await txn.get(keys.STORE_FORMAT_KEY) is not None:
            return 0, True  # another process finished it
        progress = await txn.get(keys.STORE_FORMAT_PROGRESS_KEY)
        lo = progress + b"\x00" if progress is not None else begin
        rows = await txn.get_range(lo, end, limit=BATCH)
        n = 0
        for key, raw in rows:
            kind = _kind(key)
            if kind is not None:
                txn.put(key, convert_value(kind, raw))
                n += 1
        if len(rows) < BATCH:
            txn.put(keys.STORE_FORMAT_KEY, str(CURRENT).encode())
            txn.remove(keys.STORE_FORMAT_PROGRESS_KEY)
            return n, True
        txn.put(keys.STORE_FORMAT_PROGRESS_KEY, rows[-1][0])
        return n, False

    while True:
        n, done = await run_txn(kv, batch)
        converted += n
        if done:
            break
        await asyncio.sleep(0)
    log_event(
        log,
        "store_format_upgraded",
        to_format=CURRENT,
        values=converted,
        seconds=round(time.monotonic() - started, 3),
    )
    return converted
