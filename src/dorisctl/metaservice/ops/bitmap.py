"""Merge-on-write delete bitmaps: get/remove_delete_bitmap_update_lock, update_delete_bitmap,
get_delete_bitmap, remove_delete_bitmap, and the hooks commit_txn and finish_tablet_job call to
consume the table lock (rpc-front 2(g), trap 8).

The lock is Doris's "v1" table lock (its default): one record per table holding `lock_id` (a
load's txn id, -1 compaction, -2 schema change), the holders (`initiators`) and an expiration in
seconds. A load's bitmaps are listed under the tablet's pending key until commit_txn consumes the
lock; a retried load's stale bitmaps go when it writes again. Stored values: model/bitmaps.py.
Each operation is `async def op(svc, txn, req) -> Reply` over one KV transaction; no transport here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from dorisctl.kv import Txn, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, get_err, invalid
from dorisctl.metaservice.model import bitmaps
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.tablets import complete_index, read_stats
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

STORE_V2_UNSUPPORTED = "delete bitmap store version 2 (delta_rowset_ids) is not supported by dorisctl"


async def _instance(svc: Service, txn: Txn, cuid: str) -> str:
    """Upstream's preamble of every delete-bitmap RPC."""
    if not cuid:
        raise invalid("cloud unique id not set")
    iid = await resolve_instance_id(svc, txn, cuid)
    if not iid:
        raise invalid("empty instance_id")
    return iid


# -- the table lock -------------------------------------------------------------------------------


async def get_delete_bitmap_update_lock(
    svc: Service, txn: Txn, req: cloud_pb2.GetDeleteBitmapUpdateLockRequest
) -> Reply:
    """Take (or renew) the table lock for `lock_id`/`initiator`; an expired lock is taken over, an
    urgent load takes it from anyone but a schema change. With require_compaction_stats, the
    compaction counters and states of `tablet_indexes`, read in the same transaction."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    if req.urgent and req.lock_id < 0:
        raise invalid("only load can set urgent flag currently")
    table_id = req.table_id
    now = svc.now_s()
    lock = await bitmaps.load_lock(txn, iid, table_id)
    if lock is None:
        lock = cloud_pb2.DeleteBitmapUpdateLockPB()
    elif req.urgent and lock.lock_id != bitmaps.SCHEMA_CHANGE_LOCK_ID:
        del lock.initiators[:]  # an urgent load takes the lock over
    elif 0 < lock.expiration < now:
        del lock.initiators[:]  # expired: whoever held it lost it
    elif lock.lock_id != req.lock_id:
        raise MetaServiceError(
            Code.LOCK_CONFLICT,
            f"already be locked. request lock_id={req.lock_id} locked by lock_id={lock.lock_id} "
            f"table_id={table_id} now={now} expiration={lock.expiration}",
        )
    lock.lock_id = req.lock_id
    lock.expiration = min(now + req.expiration, keys.INT64_MAX)  # past INT64_MAX: never expires
    if req.initiator not in lock.initiators:
        lock.initiators.append(req.initiator)
    bitmaps.put_lock(txn, iid, table_id, lock)
    resp = cloud_pb2.GetDeleteBitmapUpdateLockResponse()
    if req.require_compaction_stats:
        await _compaction_stats(txn, iid, req, resp)
    return Reply(result=resp)


async def _compaction_stats(
    txn: Txn,
    iid: str,
    req: cloud_pb2.GetDeleteBitmapUpdateLockRequest,
    resp: cloud_pb2.GetDeleteBitmapUpdateLockResponse,
) -> None:
    for idx in req.tablet_indexes:
        ids = (idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
        raw = await txn.get(keys.stats_tablet_key(iid, *ids))
        if raw is None:
            raise get_err(f"failed to get tablet stats, err=KeyNotFound tablet_id={idx.tablet_id}")
        stats = cloud_pb2.TabletStatsPB()
        stats.ParseFromString(raw)
        resp.base_compaction_cnts.append(stats.base_compaction_cnt)
        resp.cumulative_compaction_cnts.append(stats.cumulative_compaction_cnt)
        resp.cumulative_points.append(stats.cumulative_point)
    for idx in req.tablet_indexes:
        ids = (idx.table_id, idx.index_id, idx.partition_id, idx.tablet_id)
        raw = await txn.get(keys.meta_tablet_key(iid, *ids))
        if raw is None:
            raise MetaServiceError(
                Code.TABLET_NOT_FOUND, f"failed to get tablet meta (not found), tablet_id={idx.tablet_id}"
            )
        meta = olap_file_pb2.TabletMetaCloudPB()
        meta.ParseFromString(raw)
        resp.tablet_states.append(int(meta.tablet_state))


async def remove_delete_bitmap_update_lock(
    svc: Service, txn: Txn, req: cloud_pb2.RemoveDeleteBitmapUpdateLockRequest
) -> Reply:
    """Drop `initiator` from the holders of `lock_id`'s lock (the record goes with the last)."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    lock = await bitmaps.check_lock(txn, iid, req.table_id, req.lock_id, req.initiator)
    bitmaps.release_initiator(txn, iid, req.table_id, lock, req.initiator)
    return Reply(result=cloud_pb2.RemoveDeleteBitmapUpdateLockResponse())


# -- hooks of commit_txn and finish_tablet_job ----------------------------------------------------


async def _load_lock_of(txn: Txn, iid: str, txn_id: int, table_id: int) -> cloud_pb2.DeleteBitmapUpdateLockPB:
    """The table's lock, which a committing load must still hold (else LOCK_EXPIRED)."""
    lock = await bitmaps.load_lock(txn, iid, table_id)
    if lock is None:
        key = keys.meta_delete_bitmap_update_lock_key(iid, table_id)
        raise MetaServiceError(
            Code.LOCK_EXPIRED,
            f"get delete bitmap update lock info, lock is expired table_id={table_id} key={key.hex()}",
        )
    if lock.lock_id != txn_id:
        raise MetaServiceError(Code.LOCK_EXPIRED, "lock is expired")
    return lock


async def consume_load_locks(
    txn: Txn, iid: str, txn_id: int, mow_table_ids: Iterable[int], indexes: dict[int, cloud_pb2.TabletIndexPB]
) -> None:
    """commit_txn of a load on MoW tables: each table's lock must still be the txn's; it goes, and
    so do the pending-bitmap lists of the txn's tablets of that table (their bitmaps stay)."""
    for table_id in mow_table_ids:
        await _load_lock_of(txn, iid, txn_id, table_id)
        txn.remove(keys.meta_delete_bitmap_update_lock_key(iid, table_id))
        for tablet_id, idx in indexes.items():
            if idx.table_id == table_id:
                txn.remove(keys.meta_pending_delete_bitmap_key(iid, tablet_id))


# A commit too large for one store transaction (ops/lazy_commit.py) cannot drop every tablet's
# pending list at its commit point; it keeps the table locks until the txn is visible instead, so
# no other load can take a lock (and remove this load's bitmaps as "its earlier attempt's") while
# the pending lists go, a few in each conversion step.


async def hold_load_locks(txn: Txn, iid: str, txn_id: int, mow_table_ids: Iterable[int]) -> None:
    """Lazy commit point: each lock must still be the txn's; it is kept, without expiry, until visible."""
    for table_id in mow_table_ids:
        lock = await _load_lock_of(txn, iid, txn_id, table_id)
        lock.expiration = keys.INT64_MAX
        bitmaps.put_lock(txn, iid, table_id, lock)


async def drop_held_pending(
    txn: Txn, iid: str, txn_id: int, tablets: Iterable[int], indexes: dict[int, cloud_pb2.TabletIndexPB]
) -> None:
    """Lazy conversion step: the pending lists of the given tablets whose table the txn holds."""
    held: dict[int, bool] = {}
    for tablet_id in tablets:
        table_id = indexes[tablet_id].table_id
        if table_id not in held:
            lock = await bitmaps.load_lock(txn, iid, table_id)
            held[table_id] = lock is not None and lock.lock_id == txn_id
        if held[table_id]:
            txn.remove(keys.meta_pending_delete_bitmap_key(iid, tablet_id))


async def release_held_locks(txn: Txn, iid: str, txn_id: int, table_ids: Iterable[int]) -> None:
    """Lazy visibility step: the locks the txn kept go."""
    for table_id in sorted(set(table_ids)):
        lock = await bitmaps.load_lock(txn, iid, table_id)
        if lock is not None and lock.lock_id == txn_id:
            txn.remove(keys.meta_delete_bitmap_update_lock_key(iid, table_id))


async def release_compaction_lock(
    txn: Txn, iid: str, table_id: int, initiator: int, lock_id: int = bitmaps.COMPACTION_LOCK_ID
) -> None:
    """finish_tablet_job COMMIT of a MoW compaction (lock id -1; a schema change passes -2): the job
    must hold the lock under its initiator, which is then released (upstream's
    check_and_remove_delete_bitmap_update_lock)."""
    lock = await bitmaps.load_lock(txn, iid, table_id)
    if lock is None:
        key = keys.meta_delete_bitmap_update_lock_key(iid, table_id)
        raise get_err(
            f"failed to get delete bitmap update lock key, instance_id={iid} table_id={table_id} "
            f"key={key.hex()} err=KeyNotFound"
        )
    if lock.lock_id != lock_id:
        raise MetaServiceError(Code.LOCK_EXPIRED, "lock id not match")
    if not bitmaps.release_initiator(txn, iid, table_id, lock, initiator):
        raise MetaServiceError(Code.LOCK_EXPIRED, "lock initiator not exist")


async def drop_compaction_lock(txn: Txn, iid: str, table_id: int, initiator: int) -> None:
    """finish_tablet_job ABORT: release the compaction's hold on the lock if it has one, quietly."""
    lock = await bitmaps.load_lock(txn, iid, table_id)
    if lock is not None and lock.lock_id == bitmaps.COMPACTION_LOCK_ID:
        bitmaps.release_initiator(txn, iid, table_id, lock, initiator)


# -- update_delete_bitmap -------------------------------------------------------------------------


def _check_update(req: cloud_pb2.UpdateDeleteBitmapRequest) -> None:
    n = len(req.rowset_ids)
    if req.without_lock and req.pre_rowset_agg_end_version > 0 and n != len(req.pre_rowset_versions):
        raise invalid(f"pre rowset version size={len(req.pre_rowset_versions)} not equal to rowset size={n}")
    if len(req.delta_rowset_ids) != len(req.delete_bitmap_storages):
        raise invalid(
            f"delta_rowset_ids size={len(req.delta_rowset_ids)} not equal to delete_bitmap_storages "
            f"size={len(req.delete_bitmap_storages)}"
        )
    store_version = req.store_version if req.HasField("store_version") else 1
    if store_version not in (1, 2, 3):
        raise invalid("delete bitmap store version must be 1, 2, 3")
    if req.delta_rowset_ids:
        raise invalid(STORE_V2_UNSUPPORTED)
    if not n == len(req.segment_ids) == len(req.versions) == len(req.segment_delete_bitmaps):
        raise invalid(
            f"rowset_ids size={n}, segment_ids size={len(req.segment_ids)}, versions size={len(req.versions)} "
            f"and segment_delete_bitmaps size={len(req.segment_delete_bitmaps)} differ"
        )


async def _check_partition_version(txn: Txn, iid: str, req: cloud_pb2.UpdateDeleteBitmapRequest) -> None:
    """A load's bitmaps must be for the version it is about to publish (VERSION_NOT_MATCH)."""
    if req.partition_id <= 0:
        return
    raw = await txn.get(keys.txn_index_key(iid, req.txn_id))
    if raw is None:
        raise get_err(f"failed to get db id, txn_id={req.txn_id} err=KeyNotFound")
    index = cloud_pb2.TxnIndexPB()
    index.ParseFromString(raw)
    if not index.tablet_index.HasField("db_id"):
        return
    ver_raw = await txn.get(keys.partition_version_key(iid, index.tablet_index.db_id, req.table_id, req.partition_id))
    current = 1
    if ver_raw is not None:
        ver = cloud_pb2.VersionPB()
        ver.ParseFromString(ver_raw)
        current = ver.version + len(ver.pending_txn_ids)
    if current + 1 != req.next_visible_version:
        raise MetaServiceError(
            Code.VERSION_NOT_MATCH,
            f"check version failed when update_delete_bitmap, txn={req.txn_id}, table_id={req.table_id}, "
            f"partition_id={req.partition_id}, tablet_id={req.tablet_id}, found partition's max version is "
            f"{current}, but request next_visible_version is {req.next_visible_version}",
        )


async def _rowset_gone(txn: Txn, iid: str, tablet_id: int, version: int, rowset_id: str) -> bool:
    raw = await txn.get(keys.meta_rowset_key(iid, tablet_id, version))
    if raw is None:
        return True
    rs = olap_file_pb2.RowsetMetaCloudPB()
    rs.ParseFromString(raw)
    return rs.rowset_id_v2 != rowset_id


async def update_delete_bitmap(svc: Service, txn: Txn, req: cloud_pb2.UpdateDeleteBitmapRequest) -> Reply:
    """Store the segment bitmaps of a tablet. Unless `without_lock`, the caller must hold the table
    lock; a load (lock id > 0) or schema change (-2) first drops the bitmaps its earlier attempt
    left pending and records the new ones as pending until commit_txn. A request too large for one
    store transaction is done in several, each checking the lock again (as Doris does): the old
    pending bitmaps go first, the new pending list comes with the first new bitmap, so a retry
    after a failure half-way finds and removes what was written."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    _check_update(req)
    tablet_id = req.tablet_id
    bitmap_keys = [
        keys.meta_delete_bitmap_key(iid, tablet_id, rowset_id, version, segment_id)
        for rowset_id, version, segment_id in zip(req.rowset_ids, req.versions, req.segment_ids, strict=True)
    ]
    if not req.without_lock:
        await bitmaps.check_lock(txn, iid, req.table_id, req.lock_id, req.initiator)
    if req.lock_id > 0 and req.HasField("txn_id") and req.partition_id and req.HasField("next_visible_version"):
        await _check_partition_version(txn, iid, req)
    explicit = req.is_explicit_txn
    first_sub_txn = explicit and req.txn_id == req.lock_id
    old_pending = await bitmaps.load_pending(txn, iid, tablet_id)
    removals: list[bytes] = []
    if not req.without_lock and (not explicit or first_sub_txn) and old_pending is not None:
        removals = list(old_pending.delete_bitmap_keys)
    skipped: set[str] = set()
    writes: list[tuple[bytes, bytes]] = []
    for i, key in enumerate(bitmap_keys):
        rowset_id = req.rowset_ids[i]
        check = req.without_lock and req.pre_rowset_agg_end_version > 0
        if check and (
            rowset_id in skipped or await _rowset_gone(txn, iid, tablet_id, req.pre_rowset_versions[i], rowset_id)
        ):
            skipped.add(rowset_id)  # the rowset was compacted away meanwhile: its bitmap is not needed
            continue
        writes.append((key, req.segment_delete_bitmaps[i]))
    groups = bitmaps.plan_writes(removals, writes, svc.kv.limits)
    pending: bytes | None = None
    if req.lock_id > 0 or req.lock_id == bitmaps.SCHEMA_CHANGE_LOCK_ID:
        pending_pb = cloud_pb2.PendingDeleteBitmapPB()
        if explicit and not first_sub_txn and old_pending is not None:
            pending_pb.CopyFrom(old_pending)
        pending_pb.delete_bitmap_keys.extend(bitmap_keys)
        pending = pending_pb.SerializeToString()
    with_pending = next((i for i, g in enumerate(groups) if any(p[1] != bitmaps.REMOVE for p in g)), len(groups) - 1)

    last = len(groups) - 1
    start, end = req.pre_rowset_agg_start_version, req.pre_rowset_agg_end_version
    agg = req.HasField("pre_rowset_agg_start_version") and req.HasField("pre_rowset_agg_end_version") and start < end

    async def apply(t: Txn, n: int) -> None:
        if t is not txn and not req.without_lock:
            await bitmaps.check_lock(t, iid, req.table_id, req.lock_id, req.initiator)
        bitmaps.write_pieces(t, groups[n])
        if n == with_pending and pending is not None:
            t.put(keys.meta_pending_delete_bitmap_key(iid, tablet_id), pending)
        for rowset_id in dict.fromkeys(req.rowset_ids) if agg and n == last else ():
            if rowset_id not in skipped:  # the versions merged into an aggregated bitmap go
                t.remove_range(
                    keys.meta_delete_bitmap_key(iid, tablet_id, rowset_id, start, 0),
                    keys.meta_delete_bitmap_key(iid, tablet_id, rowset_id, end, 0),
                )

    if not last:
        await apply(txn, 0)  # the common case: one atomic transaction
    else:  # larger than one store transaction: the request's own (which read the pending list) writes nothing
        for n in range(len(groups)):
            await run_txn(svc.kv, functools.partial(apply, n=n))
    return Reply(result=cloud_pb2.UpdateDeleteBitmapResponse())


# -- get / remove ---------------------------------------------------------------------------------


def _check_ranges(req: cloud_pb2.GetDeleteBitmapRequest | cloud_pb2.RemoveDeleteBitmapRequest) -> None:
    if not len(req.rowset_ids) == len(req.begin_versions) == len(req.end_versions):
        raise invalid(
            f"rowset and version size not match.  rowset_size={len(req.rowset_ids)} "
            f"begin_version_size={len(req.begin_versions)} end_version_size={len(req.end_versions)}"
        )


async def get_delete_bitmap(svc: Service, txn: Txn, req: cloud_pb2.GetDeleteBitmapRequest) -> Reply:
    """Every segment bitmap of each (rowset, [begin, end]) version range, chunks joined; stops
    early (`has_more`) once `dbm_bytes_threshold` bytes are returned. With `idx`, the caller's
    compaction counters and cumulative point must be current, else ROWSETS_EXPIRED."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    store_version = req.store_version if req.HasField("store_version") else 1
    if store_version not in (1, 2, 3):
        raise invalid("delete bitmap store version must be 1, 2, 3")
    _check_ranges(req)
    tablet_id = req.tablet_id
    threshold = req.dbm_bytes_threshold if req.HasField("dbm_bytes_threshold") else bitmaps.INT64_MAX
    resp = cloud_pb2.GetDeleteBitmapResponse(tablet_id=tablet_id)
    returned_bytes = 0
    n = len(req.rowset_ids)
    for i, rowset_id in enumerate(req.rowset_ids):
        if store_version in (1, 3):  # version 2 bitmaps are never stored here (refused on update)
            begin = keys.meta_delete_bitmap_key(iid, tablet_id, rowset_id, req.begin_versions[i], 0)
            end = bitmaps.chunk_end(
                keys.meta_delete_bitmap_key(iid, tablet_id, rowset_id, req.end_versions[i], bitmaps.INT64_MAX)
            )
            last: bytes | None = None
            for key, value in await txn.get_range(begin, end):
                base = key[: -bitmaps.SUFFIX_LEN]
                if base != last:
                    _, fields = keys.decode_key(base)
                    resp.rowset_ids.append(rowset_id)
                    resp.versions.append(int(fields[5]))
                    resp.segment_ids.append(int(fields[6]))
                    resp.segment_delete_bitmaps.append(value)
                    last = base
                else:
                    resp.segment_delete_bitmaps[-1] += value
                returned_bytes += len(value)
        resp.returned_rowset_ids.append(rowset_id)
        if returned_bytes >= threshold and i < n - 1:
            resp.has_more = True
            break
    if req.HasField("idx"):
        stats = await read_stats(txn, iid, await complete_index(txn, iid, req.idx))
        if (
            req.base_compaction_cnt != stats.base_compaction_cnt
            or req.cumulative_compaction_cnt != stats.cumulative_compaction_cnt
            or req.cumulative_point != stats.cumulative_point
        ):
            raise MetaServiceError(Code.ROWSETS_EXPIRED, "rowsets are expired")
    return Reply(result=resp)


async def remove_delete_bitmap(svc: Service, txn: Txn, req: cloud_pb2.RemoveDeleteBitmapRequest) -> Reply:
    """Remove the bitmaps of each (rowset, [begin, end]) version range (a BE's cleanup of old ones).
    More ranges than one store transaction takes (etcd: its operation limit) go in several."""
    iid = await _instance(svc, txn, req.cloud_unique_id)
    _check_ranges(req)
    ranges = [
        (
            keys.meta_delete_bitmap_key(iid, req.tablet_id, rowset_id, begin, 0),
            keys.meta_delete_bitmap_key(iid, req.tablet_id, rowset_id, end, bitmaps.INT64_MAX),
        )
        for rowset_id, begin, end in zip(req.rowset_ids, req.begin_versions, req.end_versions, strict=True)
    ]
    per_txn = max(1, svc.kv.limits.max_mutations - 24) if svc.kv.limits.max_mutations else len(ranges) or 1

    async def remove(t: Txn, part: list[tuple[bytes, bytes]]) -> None:
        for begin, end in part:
            t.remove_range(begin, end)

    parts = [ranges[i : i + per_txn] for i in range(0, len(ranges), per_txn)] or [[]]
    if len(parts) == 1:
        await remove(txn, parts[0])
    else:  # removing is idempotent: a failure half-way is completed by the BE's retry
        for part in parts:
            await run_txn(svc.kv, functools.partial(remove, part=part))
    return Reply(result=cloud_pb2.RemoveDeleteBitmapResponse())
