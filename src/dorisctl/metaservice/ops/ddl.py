"""DDL operations of the FE: prepare_index, commit_index, drop_index, prepare_partition,
commit_partition, drop_partition and check_kv (docs/ddl.md, spec rpc-front 2(b)).

The FE brackets every tablet creation with a `recycle index` / `recycle partition` record (spec
6.3): prepare_xxx writes it in state PREPARED, so that the recycler reclaims the tablets if the FE
never commits; commit_xxx removes it (the tablets become live); drop_xxx writes it in state DROPPED,
after which the recycler removes the tablets' objects and keys. check_kv tells the FE whether a
record survived its commit. Ids are never reused, so the states only move forward:

    absent --prepare--> PREPARED --commit--> absent (tablets live)
    absent / PREPARED --drop--> DROPPED --recycler--> RECYCLING --> absent (tablets gone)

Doris's checks, codes and messages (including its typos), in Doris's order. An operation that
fails raises before anything is stored. No transport types here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.message import DecodeError

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, already_existed, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.proto import cloud_pb2

IndexState = cloud_pb2.RecycleIndexPB
PartState = cloud_pb2.RecyclePartitionPB
# Doris commits a commit_partition request in transactions of this many partitions.
COMMIT_PARTITION_BATCH = 1000


async def _instance(svc: Service, txn: Txn, cuid: str) -> str:
    iid = await resolve_instance_id(svc, txn, cuid)
    if not iid:
        raise invalid("empty instance_id")
    return iid


async def _has_tablet(txn: Txn, iid: str, table_id: int, index_id: int, partition_id: int | None) -> bool:
    """Whether any tablet of the index (or of one partition of it) exists: the "already created" test."""
    if partition_id is None:
        begin = keys.meta_tablet_key(iid, table_id, index_id, 0, 0)
        end = keys.meta_tablet_key(iid, table_id, index_id, keys.INT64_MAX, 0)
    else:
        begin = keys.meta_tablet_key(iid, table_id, index_id, partition_id, 0)
        end = keys.meta_tablet_key(iid, table_id, index_id, partition_id, keys.INT64_MAX)
    return bool(await txn.get_range(begin, end, limit=1))


async def _read_record(txn: Txn, key: bytes, record: Any) -> Any | None:
    value = await txn.get(key)
    if value is None:
        return None
    try:
        record.ParseFromString(value)
    except (DecodeError, RuntimeError):
        what = "index" if isinstance(record, IndexState) else "partition"
        raise MetaServiceError(Code.PROTOBUF_PARSE_ERR, f"malformed recycle {what} value") from None
    return record


def _bump_table_version(txn: Txn, iid: str, db_id: int, table_id: int) -> None:
    """Doris's update_table_version: the table's version counter + 1 (created at 1)."""
    txn.atomic_add(keys.table_version_key(iid, db_id, table_id), 1)


# -- indexes ---------------------------------------------------------------------------------------


def _check_index_request(req: cloud_pb2.IndexRequest) -> None:
    if not req.index_ids or not req.HasField("table_id"):
        raise invalid("empty index_ids or table_id")


def _index_record(svc: Service, req: cloud_pb2.IndexRequest, state: cloud_pb2.RecycleIndexPB.State) -> bytes:
    rec = IndexState(table_id=req.table_id, creation_time=svc.now_s(), expiration=req.expiration, state=state)
    if state == IndexState.DROPPED:
        rec.db_id = req.db_id
    return rec.SerializeToString()


async def prepare_index(svc: Service, txn: Txn, req: cloud_pb2.IndexRequest) -> Reply:
    """A PREPARED record per index; ALREADY_EXISTED once the (first) index has tablets. A repeated
    prepare is OK; an index already dropped is INVALID_ARGUMENT."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    _check_index_request(req)
    if await _has_tablet(txn, iid, req.table_id, req.index_ids[0], None):
        raise already_existed("index already existed")
    value = _index_record(svc, req, IndexState.PREPARED)
    for index_id in req.index_ids:
        key = keys.recycle_index_key(iid, index_id)
        rec = await _read_record(txn, key, IndexState())
        if rec is None:
            txn.put(key, value)
        elif rec.state != IndexState.PREPARED:
            raise invalid(f"invalid recycle index state: {IndexState.State.Name(rec.state)}")
    return Reply(result=cloud_pb2.IndexResponse())


async def commit_index(svc: Service, txn: Txn, req: cloud_pb2.IndexRequest) -> Reply:
    """Remove the PREPARED records (the indexes become live); with is_new_table, the table's version
    goes up by one. A record already gone while the index has tablets means a repeated commit: OK,
    and nothing at all is written (Doris returns before committing)."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    _check_index_request(req)
    if not req.HasField("db_id"):
        raise invalid("db_id is required for versioned write, please upgrade your FE version")
    committed: list[bytes] = []
    for index_id in req.index_ids:
        key = keys.recycle_index_key(iid, index_id)
        # An index listed twice finds its record gone the second time, as in Doris.
        rec = None if key in committed else await _read_record(txn, key, IndexState())
        if rec is None:
            # Doris tests the request's first index here, whichever index lacks a record.
            if await _has_tablet(txn, iid, req.table_id, req.index_ids[0], None):
                return Reply(result=cloud_pb2.IndexResponse())
            raise invalid("index has been recycled")
        if rec.state != IndexState.PREPARED:
            raise invalid(f"invalid recycle index state: {IndexState.State.Name(rec.state)}")
        committed.append(key)
    for key in committed:
        txn.remove(key)
    if req.is_new_table:
        _bump_table_version(txn, iid, req.db_id, req.table_id)
    return Reply(result=cloud_pb2.IndexResponse())


async def drop_index(svc: Service, txn: Txn, req: cloud_pb2.IndexRequest) -> Reply:
    """A DROPPED record per index not yet dropped (absent or PREPARED); DROPPED/RECYCLING stay."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    _check_index_request(req)
    value = _index_record(svc, req, IndexState.DROPPED)
    for index_id in req.index_ids:
        key = keys.recycle_index_key(iid, index_id)
        rec = await _read_record(txn, key, IndexState())
        if rec is None or rec.state == IndexState.PREPARED:
            txn.put(key, value)
        elif rec.state not in (IndexState.DROPPED, IndexState.RECYCLING):
            raise invalid(f"invalid recycle index state: {IndexState.State.Name(rec.state)}")
    return Reply(result=cloud_pb2.IndexResponse())


# -- partitions ------------------------------------------------------------------------------------


def _partition_record(
    svc: Service, req: cloud_pb2.PartitionRequest, state: cloud_pb2.RecyclePartitionPB.State
) -> bytes:
    rec = PartState(
        table_id=req.table_id,
        index_id=req.index_ids,
        creation_time=svc.now_s(),
        expiration=req.expiration,
        state=state,
    )
    if req.db_id > 0:
        rec.db_id = req.db_id
    return rec.SerializeToString()


async def _partition_exists(txn: Txn, iid: str, req: cloud_pb2.PartitionRequest) -> bool:
    """Doris's partition_exists: tablets of the request's first index in its first partition."""
    return await _has_tablet(txn, iid, req.table_id, req.index_ids[0], req.partition_ids[0])


async def prepare_partition(svc: Service, txn: Txn, req: cloud_pb2.PartitionRequest) -> Reply:
    """A PREPARED record per partition and, for `partition_versions` > 1, the partition's version."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if not req.partition_ids or not req.index_ids or not req.HasField("table_id"):
        raise invalid("empty partition_ids or index_ids or table_id")
    n = len(req.partition_ids)
    if req.partition_versions and len(req.partition_versions) != n:
        # (sic) Doris prints the partition_ids count for both sizes.
        raise invalid(f"size is not equal, partition_versions size={n} partition_ids size={n}")
    if await _partition_exists(txn, iid, req):
        raise already_existed("index already existed")
    value = _partition_record(svc, req, PartState.PREPARED)
    for i, partition_id in enumerate(req.partition_ids):
        key = keys.recycle_partition_key(iid, partition_id)
        rec = await _read_record(txn, key, PartState())
        if rec is None:
            txn.put(key, value)
            if req.partition_versions and req.partition_versions[i] > 1:
                ver = cloud_pb2.VersionPB(version=req.partition_versions[i], update_time_ms=svc.now_ms())
                txn.put(keys.partition_version_key(iid, req.db_id, req.table_id, partition_id), ver.SerializeToString())
        elif rec.state != PartState.PREPARED:
            # (sic) "index" in Doris's message for partitions.
            raise invalid(f"invalid recycle index state: {PartState.State.Name(rec.state)}")
    return Reply(result=cloud_pb2.PartitionResponse())


def _batches(ids: Iterable[int], size: int) -> list[list[int]]:
    out: list[list[int]] = []
    for pid in ids:
        if not out or len(out[-1]) == size:
            out.append([])
        out[-1].append(pid)
    return out


async def commit_partition(svc: Service, txn: Txn, req: cloud_pb2.PartitionRequest) -> Reply:
    """Remove the PREPARED records; the table's version goes up by one per batch of 1000 partitions
    that committed any. A record already gone is a repeated commit (OK) when the request names
    indexes and the first partition has tablets, else INVALID_ARGUMENT."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if not req.partition_ids or not req.HasField("table_id"):
        raise invalid("empty partition_ids or index_ids or table_id")
    for batch in _batches(req.partition_ids, COMMIT_PARTITION_BATCH):
        committed = 0
        for partition_id in batch:
            key = keys.recycle_partition_key(iid, partition_id)
            rec = await _read_record(txn, key, PartState())
            if rec is None:
                if req.index_ids and await _partition_exists(txn, iid, req):
                    continue
                raise invalid("partition has been recycled")
            if rec.state != PartState.PREPARED:
                raise invalid(f"invalid recycle partition state: {PartState.State.Name(rec.state)}")
            txn.remove(key)
            committed += 1
        if committed:
            _bump_table_version(txn, iid, req.db_id, req.table_id)
    return Reply(result=cloud_pb2.PartitionResponse())


async def drop_partition(svc: Service, txn: Txn, req: cloud_pb2.PartitionRequest) -> Reply:
    """A DROPPED record per partition not yet dropped; with need_update_table_version (the FE sets
    it when a dropped partition had data) the table's version goes up by one, only if some record
    was written."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if not req.partition_ids or not req.index_ids or not req.HasField("table_id"):
        raise invalid("empty partition_ids or index_ids or table_id")
    if not req.HasField("db_id"):
        raise invalid("missing db_id for drop_partition")
    value = _partition_record(svc, req, PartState.DROPPED)
    written = False
    for partition_id in req.partition_ids:
        key = keys.recycle_partition_key(iid, partition_id)
        rec = await _read_record(txn, key, PartState())
        if rec is None or rec.state == PartState.PREPARED:
            txn.put(key, value)
            written = True
        elif rec.state not in (PartState.DROPPED, PartState.RECYCLING):
            raise invalid(f"invalid recycle partition state: {PartState.State.Name(rec.state)}")
    if written and req.need_update_table_version:
        _bump_table_version(txn, iid, req.db_id, req.table_id)
    return Reply(result=cloud_pb2.PartitionResponse())


# -- check_kv --------------------------------------------------------------------------------------


async def check_kv(svc: Service, txn: Txn, req: cloud_pb2.CheckKVRequest) -> Reply:
    """After the FE committed a CREATE: no recycle record of the created indexes (or partitions) may
    remain. One that does is UNDEFINED_ERR, as in Doris; dorisctl also lists every such id in
    `bad_keys` (Doris leaves it empty). Reads only."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if not req.HasField("op"):
        raise invalid("op not given")
    if not req.HasField("check_keys"):
        raise invalid("empty check keys")
    op = cloud_pb2.CheckKVRequest
    key_of: Callable[[str, int], bytes]
    if req.op == op.CREATE_INDEX_AFTER_FE_COMMIT:
        ids, key_of, field = list(req.check_keys.index_ids), keys.recycle_index_key, "index_ids"
    elif req.op == op.CREATE_PARTITION_AFTER_FE_COMMIT:
        ids, key_of, field = list(req.check_keys.partition_ids), keys.recycle_partition_key, "partition_ids"
    else:
        raise invalid("not support op")
    if not ids:
        raise invalid("empty keys")
    remained = [i for i in ids if await txn.get(key_of(iid, i)) is not None]
    resp = cloud_pb2.CheckKVResponse()
    if remained:
        getattr(resp.bad_keys, field).extend(remained)
        raise MetaServiceError(Code.UNDEFINED_ERR, "prepare and commit rpc not match, recycle key remained", resp)
    return Reply(result=resp)
