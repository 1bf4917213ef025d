"""Merge-on-write delete bitmaps as stored: values split into chunks as Doris splits large values,
the table-level delete-bitmap update lock record, and the pending-bitmap list of a tablet.

A value is stored at `key + encode_int64((version << 56) + chunk_index)` in chunks of
`SPLIT_SIZE` bytes (Doris's `blob_put` with version 0 and 90,000-byte chunks), below every store's
100,000-byte value limit; readers range-scan `[key, key + encode_int64(INT64_MAX))` and join the
chunks in key order, byte for byte.
"""

from __future__ import annotations

from dorisctl.kv import Limits, Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.proto import cloud_pb2

INT64_MAX = (1 << 63) - 1
SPLIT_SIZE = 90 * 1000  # Doris's split size for large values (< the 100,000-byte value limit)
SUFFIX_LEN = 9  # one encoded int64 (tag + 8 bytes)

# Lock ids with a meaning of their own (Doris's): loads use their txn id (> 0).
COMPACTION_LOCK_ID = -1
SCHEMA_CHANGE_LOCK_ID = -2
COMPACTION_WITHOUT_LOCK_ID = -3


def chunk_key(key: bytes, index: int, version: int = 0) -> bytes:
    return key + keys.encode_int64((version << 56) + index)


def chunk_end(key: bytes) -> bytes:
    """End of the chunk range of `key` (exclusive)."""
    return key + keys.encode_int64(INT64_MAX)


Piece = tuple[bytes, int, bytes]  # (bitmap key, chunk index or REMOVE, chunk bytes)
REMOVE = -1


def plan_writes(removals: list[bytes], writes: list[tuple[bytes, bytes]], limits: Limits) -> list[list[Piece]]:
    """Removals of whole bitmaps, then the chunks of `writes`, in groups that each fit one store
    transaction with room to spare (half the byte limit, the mutation limit less a margin), in
    order: a store with etcd's limits takes a large update_delete_bitmap request in several
    transactions, as Doris splits one that exceeds FoundationDB's."""
    max_bytes = limits.max_txn_bytes // 2
    max_mutations = max(6, limits.max_mutations - 24) if limits.max_mutations else 0
    groups: list[list[Piece]] = [[]]
    size = mutations = 0

    def add(piece: Piece, cost_bytes: int, cost_mutations: int) -> None:
        nonlocal size, mutations
        full = size + cost_bytes > max_bytes or (max_mutations and mutations + cost_mutations > max_mutations)
        if groups[-1] and full:
            groups.append([])
            size = mutations = 0
        groups[-1].append(piece)
        size += cost_bytes
        mutations += cost_mutations

    for key in removals:
        add((key, REMOVE, b""), 2 * (len(key) + SUFFIX_LEN), 1)
    for key, value in writes:
        chunks = [value[i : i + SPLIT_SIZE] for i in range(0, len(value), SPLIT_SIZE)] or [b""]
        for index, chunk in enumerate(chunks):
            # a put; the first chunk also removes the key's old chunks, a range etcd splits around each put
            add((key, index, chunk), len(chunk) + 3 * (len(key) + SUFFIX_LEN), 3 if index == 0 else 2)
    return groups


def write_pieces(txn: Txn, pieces: list[Piece]) -> None:
    """Apply planned pieces; a key's first chunk replaces every old chunk of that key."""
    for key, index, chunk in pieces:
        if index in (REMOVE, 0):
            txn.remove_range(key, chunk_end(key))
        if index != REMOVE:
            txn.put(chunk_key(key, index), chunk)


# -- the table lock ------------------------------------------------------------------------------


async def load_lock(txn: Txn, iid: str, table_id: int) -> cloud_pb2.DeleteBitmapUpdateLockPB | None:
    value = await txn.get(keys.meta_delete_bitmap_update_lock_key(iid, table_id))
    if value is None:
        return None
    lock = cloud_pb2.DeleteBitmapUpdateLockPB()
    lock.ParseFromString(value)
    return lock


def put_lock(txn: Txn, iid: str, table_id: int, lock: cloud_pb2.DeleteBitmapUpdateLockPB) -> None:
    txn.put(keys.meta_delete_bitmap_update_lock_key(iid, table_id), lock.SerializeToString())


async def check_lock(
    txn: Txn, iid: str, table_id: int, lock_id: int, initiator: int
) -> cloud_pb2.DeleteBitmapUpdateLockPB:
    """The lock record if `lock_id` holds it with `initiator` among its holders, else LOCK_EXPIRED
    (upstream's check_delete_bitmap_lock, v1: the expiration is not looked at here)."""
    lock = await load_lock(txn, iid, table_id)
    if lock is None:
        raise MetaServiceError(Code.LOCK_EXPIRED, "lock id key not found")
    if lock.lock_id != lock_id:
        raise MetaServiceError(Code.LOCK_EXPIRED, f"lock id not match, locked by lock_id={lock.lock_id}")
    if initiator not in lock.initiators:
        raise MetaServiceError(Code.LOCK_EXPIRED, "lock initiator not exist")
    return lock


def release_initiator(
    txn: Txn, iid: str, table_id: int, lock: cloud_pb2.DeleteBitmapUpdateLockPB, initiator: int
) -> bool:
    """Drop `initiator` from the holders; the record goes with the last one. False: not a holder."""
    if initiator not in lock.initiators:
        return False
    rest = list(lock.initiators)
    rest.remove(initiator)
    if not rest:
        txn.remove(keys.meta_delete_bitmap_update_lock_key(iid, table_id))
        return True
    del lock.initiators[:]
    lock.initiators.extend(rest)
    put_lock(txn, iid, table_id, lock)
    return True


# -- pending bitmaps of a load ---------------------------------------------------------------------


async def load_pending(txn: Txn, iid: str, tablet_id: int) -> cloud_pb2.PendingDeleteBitmapPB | None:
    value = await txn.get(keys.meta_pending_delete_bitmap_key(iid, tablet_id))
    if value is None:
        return None
    pending = cloud_pb2.PendingDeleteBitmapPB()
    pending.ParseFromString(value)
    return pending
