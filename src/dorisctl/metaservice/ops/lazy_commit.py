"""Lazy commit: a commit_txn too large for one store transaction, made visible in steps, as
Doris's `commit_txn_eventually` and `TxnLazyCommitter` do (upstream meta_service_txn.cpp,
txn_lazy_committer.cpp); and the hooks by which readers complete such a commit.

When commit_txn's writes would not fit in one store transaction (`ops/largetxn.py` decides from
the store's advertised limits: on etcd more than about 15 tablets; on SQLite more than ~10 MB),
the commit runs as a sequence of sub-transactions:

1. **Commit point** (one transaction): the txn becomes COMMITTED, each of its partition versions
   gets the txn id in `pending_txn_ids` (the version itself is unchanged), and a record
   `keys.txn_lazy_commit_key` (a CommitTxnResponse: partitions, their new versions, the txn info)
   is written. From here on the commit cannot be lost: whoever finds it completes it.
2. **Conversion** (as many transactions as needed, several at a time): each tmp rowset is
   written as the visible rowset at its partition's new version and its tablet stats are
   counted; each transaction also writes a progress record (first..last tablet it converted), so
   a completer that takes over after a crash skips what is done.
3. **Visibility** (one transaction): every pending partition version steps to its new version and
   loses the pending id, table versions step, the txn becomes VISIBLE, its tmp rowsets, running
   key and lazy record go, the recycle-txn record comes.

One completer at a time: a completer holds a lease on the txn (`keys.txn_lazy_owner_key`,
`LEASE_SECONDS`, renewed while it works) and every one of its transactions reads it, so one that
lost it (it stalled and another took over) writes nothing more and stats are counted once.
Others wait for the txn to become visible, or take over when the lease runs out (its holder died).

Readers never see a half-done commit: get_version completes the txns a version names as pending;
get_rowset and get_tablet_stats complete the lazily committed txns whose record names the
tablet's partition; a commit_txn meeting a pending partition version completes it first; a
retried commit_txn of a COMMITTED txn completes it. "Completes" includes waiting for a live
completer. Each then re-runs on a fresh snapshot (by raising `Conflict`, which the runner
retries). A meta-service killed half-way leaves the record, so the next of those completes it.

The commit queue (executor: one database's commit_txn one after another) is let go right after
the commit point (`context.release_queue`): conversion and visibility run outside it, so loads
into other partitions commit meanwhile, as upstream's do. Nothing in completion relies on the
queue: the lease keeps one completer and the store's conflict checks order the rest. A commit_txn
that waits for another txn's completion (a pending partition, a COMMITTED txn retried) leaves the
queue too, and re-runs outside it.

The commit point holds every partition of the txn (read and written together), so a lazily
committed txn may touch as many partitions as one store transaction holds (etcd defaults: about
100); more is refused with a clear error before anything is written.

Test hook (documented in docs/transactions.md): with `DORISCTL_TEST_LAZY_COMMIT_KILL_AFTER=k` in
its environment, the process SIGKILLs itself after committing its k-th lazy-commit
sub-transaction, so a test can crash a meta-service half-way through a lazy commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dorisctl.kv import Conflict, KvError, Txn, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service, release_queue
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.model.tablets import INT64_MAX, add_load_stats, load_tablet_indexes
from dorisctl.metaservice.model.txnrecords import S, db_of_txn, load_info, put_info, recycle_txn
from dorisctl.metaservice.ops import bitmap, largetxn
from dorisctl.metaservice.ops.largetxn import Cost
from dorisctl.metaservice.ops.routine_load import record_load_progress
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

KILL_AFTER_ENV = "DORISCTL_TEST_LAZY_COMMIT_KILL_AFTER"
STATS_KEYS = 6  # detached tablet-stats counters a load adds to (model/tablets.py add_load_stats)
RECORD_MAX_BYTES = 90_000  # the lazy record must fit one value (100,000 bytes on every store)
LEASE_SECONDS = 5.0  # a completer's hold on a txn, renewed while it works; a dead one's runs out
WAIT_SECONDS = 60.0  # how long a request waits for another completer before answering KV_TXN_CONFLICT
WAIT_POLL_SECONDS = 0.02

_BE64 = struct.Struct(">q")

_sub_txns_committed = 0

Partition = tuple[int, int]  # (table_id, partition_id)


def _sub_txn_committed() -> None:
    """Count this process's lazy-commit sub-transactions; the test hook may kill it here."""
    global _sub_txns_committed
    _sub_txns_committed += 1
    limit = os.environ.get(KILL_AFTER_ENV)
    if limit and _sub_txns_committed >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def commit_cost(n_rowsets: int, rowset_bytes: int, n_partitions: int, n_tables: int) -> Cost:
    """What commit_txn's one-transaction path buffers (an upper estimate)."""
    return Cost(
        writes=n_rowsets * (1 + STATS_KEYS) + n_partitions + n_tables + 8,
        reads=n_rowsets * (2 + STATS_KEYS) + n_partitions + n_tables + 8,
        bytes=rowset_bytes + n_rowsets * (96 + STATS_KEYS * 64) + (n_partitions + n_tables) * 96 + 4096,
    )


def _point_cost(n_partitions: int, n_tables: int, info_bytes: int) -> Cost:
    """The larger of the commit point's and the visibility step's transaction."""
    return Cost(
        writes=n_partitions + n_tables + 9,
        reads=n_partitions + n_tables + 3,
        bytes=n_partitions * 160 + n_tables * 64 + 4 * info_bytes + 4096,
    )


async def commit_if_too_large(
    svc: Service,
    iid: str,
    info: cloud_pb2.TxnInfoPB,
    req: cloud_pb2.CommitTxnRequest,
    rowsets: Sequence[olap_file_pb2.RowsetMetaCloudPB],
    partitions: Sequence[Partition],
) -> Reply | None:
    """commit_txn's hook: None when the commit fits one store transaction; otherwise commit it
    lazily (the caller's transaction must not have written anything) and return the reply."""
    tables = {t for t, _ in partitions}
    size = sum(len(rs.SerializePartialToString()) for rs in rowsets)
    if largetxn.fits(svc.kv.limits, commit_cost(len(rowsets), size, len(partitions), len(tables))):
        return None
    return await commit_lazily(svc, iid, info, req, sorted(partitions))


async def commit_lazily(
    svc: Service, iid: str, info: cloud_pb2.TxnInfoPB, req: cloud_pb2.CommitTxnRequest, partitions: list[Partition]
) -> Reply:
    tables = {t for t, _ in partitions}
    if not largetxn.fits(
        svc.kv.limits, _point_cost(len(partitions), len(tables), len(info.SerializePartialToString()))
    ):
        raise MetaServiceError(
            Code.INVALID_ARGUMENT,
            f"txn_id={info.txn_id} touches {len(partitions)} partitions: too many for one transaction of "
            "this store, which a commit too large for one transaction needs (load fewer partitions at once)",
        )
    while True:
        outcome = await run_txn(svc.kv, lambda t: _mark_committed(svc, t, iid, info, req, partitions))
        if isinstance(outcome, list):  # another lazy commit holds some of these partitions
            release_queue()  # waiting for another txn must not hold up the database's other commits
            for other in outcome:
                await complete(svc, iid, other)
            continue
        break
    if outcome is not None:
        _sub_txn_committed()
    # Past the commit point the commit cannot be lost and whoever meets its pending partitions
    # completes it: the database's other commits need not wait for the conversion.
    release_queue()
    record = await complete(svc, iid, info.txn_id, outcome)
    return Reply(result=record)


async def _mark_committed(
    svc: Service,
    txn: Txn,
    iid: str,
    given: cloud_pb2.TxnInfoPB,
    req: cloud_pb2.CommitTxnRequest,
    partitions: list[Partition],
) -> list[int] | cloud_pb2.CommitTxnResponse | None:
    """The commit point: the record, or the other txns to complete first, or None if the txn is
    already COMMITTED or VISIBLE."""
    info = await load_info(txn, iid, given.db_id, given.txn_id)
    if info is None:
        raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{given.txn_id}] not found, db_id={given.db_id}")
    if info.status == S.TXN_STATUS_ABORTED:
        raise MetaServiceError(
            Code.TXN_ALREADY_ABORTED, f"transaction [{info.txn_id}] is already aborted, db_id={info.db_id}"
        )
    if info.status in (S.TXN_STATUS_COMMITTED, S.TXN_STATUS_VISIBLE):
        return None
    versions: list[tuple[bytes, cloud_pb2.VersionPB]] = []
    others: set[int] = set()
    for table_id, partition_id in partitions:
        key = keys.partition_version_key(iid, info.db_id, table_id, partition_id)
        ver = cloud_pb2.VersionPB()
        stored = await txn.get(key)
        if stored is not None:
            ver.ParseFromString(stored)
        others.update(t for t in ver.pending_txn_ids if t != info.txn_id)
        versions.append((key, ver))
    if others:
        return sorted(others)
    now = svc.now_ms()
    record = cloud_pb2.CommitTxnResponse()
    for (table_id, partition_id), (key, ver) in zip(partitions, versions, strict=True):
        record.table_ids.append(table_id)
        record.partition_ids.append(partition_id)
        record.versions.append((ver.version if ver.HasField("version") else 1) + 1)
        if not ver.HasField("version"):
            ver.version = 1
        ver.pending_txn_ids.append(info.txn_id)
        txn.put(key, ver.SerializeToString())
    info.status = S.TXN_STATUS_COMMITTED
    info.commit_time = now
    if req.HasField("commit_attachment"):
        info.commit_attachment.CopyFrom(req.commit_attachment)
    if req.mow_table_ids:  # merge-on-write: the locks are kept until the txn is visible (ops/bitmap.py)
        await bitmap.hold_load_locks(txn, iid, info.txn_id, req.mow_table_ids)
    await record_load_progress(txn, iid, info, req)  # routine-load / streaming-job progress, at the commit point
    put_info(txn, iid, info)
    record.txn_info.CopyFrom(info)
    value = record.SerializeToString()
    if len(value) > RECORD_MAX_BYTES:
        raise MetaServiceError(
            Code.INVALID_ARGUMENT, f"txn_id={info.txn_id} touches too many partitions ({len(partitions)}) to commit"
        )
    txn.put(keys.txn_lazy_commit_key(iid, info.txn_id), value)
    return record


# -- completion ------------------------------------------------------------------------------------


class _NotOwner(Exception):
    """Another completer holds the txn's lease: this one stops and waits."""


@dataclass
class _Owner:
    txn_id: int
    me: bytes = field(default_factory=lambda: uuid.uuid4().bytes)


def _lease_value(owner: _Owner) -> bytes:
    return owner.me + _BE64.pack(int((time.time() + LEASE_SECONDS) * 1000))


def _lease_holder(value: bytes | None) -> tuple[bytes, float] | None:
    """(owner id, lease end in seconds) of a stored lease, None when absent or unreadable."""
    if value is None or len(value) != 24:
        return None
    return value[:16], _BE64.unpack(value[16:])[0] / 1000


async def _check_owner(txn: Txn, iid: str, owner: _Owner) -> None:
    holder = _lease_holder(await txn.get(keys.txn_lazy_owner_key(iid, owner.txn_id)))
    if holder is None or holder[0] != owner.me:
        raise _NotOwner


async def _acquire(txn: Txn, iid: str, owner: _Owner) -> bool:
    key = keys.txn_lazy_owner_key(iid, owner.txn_id)
    holder = _lease_holder(await txn.get(key))
    if holder is not None and holder[0] != owner.me and holder[1] > time.time():
        return False
    txn.put(key, _lease_value(owner))
    return True


async def _renew(txn: Txn, iid: str, owner: _Owner) -> None:
    await _check_owner(txn, iid, owner)
    txn.put(keys.txn_lazy_owner_key(iid, owner.txn_id), _lease_value(owner))


async def _keep_lease(svc: Service, iid: str, owner: _Owner) -> None:
    while True:
        await asyncio.sleep(LEASE_SECONDS / 4)
        with contextlib.suppress(_NotOwner, KvError):  # a lost lease shows in the next write
            await run_txn(svc.kv, lambda t: _renew(t, iid, owner))


async def complete(
    svc: Service, iid: str, txn_id: int, known: cloud_pb2.CommitTxnResponse | None = None
) -> cloud_pb2.CommitTxnResponse:
    """Make a lazily committed txn visible and return the commit's reply (partitions, new versions,
    the txn info as it ends). One completer at a time holds the txn's lease (others wait, and take
    over when a lease runs out: its holder died); every write of the holder checks the lease, so
    one that lost it writes nothing more. Progress records say which rowsets are visible already.
    `known`: the lazy record as the caller saw it, for the reply's partitions and versions if
    another completer finishes first (the record is gone then)."""
    owner = _Owner(txn_id)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        record = await run_txn(svc.kv, lambda t: _record(t, iid, txn_id))
        if record.txn_info.status == S.TXN_STATUS_VISIBLE:
            if known is not None and not record.partition_ids:
                info = record.txn_info
                record.CopyFrom(known)
                record.txn_info.CopyFrom(info)
                record.version_update_time_ms = info.finish_time
            return record
        known = record
        if await run_txn(svc.kv, lambda t: _acquire(t, iid, owner)):
            try:
                return await _complete_owned(svc, iid, owner, record)
            except _NotOwner:
                pass
        if time.monotonic() > deadline:
            raise MetaServiceError(
                Code.KV_TXN_CONFLICT, f"txn_id={txn_id} is still being made visible by another request; retry"
            )
        await asyncio.sleep(WAIT_POLL_SECONDS)


async def _complete_owned(
    svc: Service, iid: str, owner: _Owner, record: cloud_pb2.CommitTxnResponse
) -> cloud_pb2.CommitTxnResponse:
    renewer = asyncio.ensure_future(_keep_lease(svc, iid, owner))
    try:
        rowsets, indexes = await run_txn(svc.kv, lambda t: _to_convert(t, iid, record))

        async def convert(txn: Txn, chunk: Sequence[olap_file_pb2.RowsetMetaCloudPB]) -> None:
            await _check_owner(txn, iid, owner)
            await _convert(svc, txn, iid, chunk, indexes)

        await largetxn.run_batched(svc.kv, rowsets, convert, after_commit=_sub_txn_committed)
        final = await run_txn(svc.kv, lambda t: _make_visible(svc, t, iid, record, owner))
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
    _sub_txn_committed()
    return final


async def _record(txn: Txn, iid: str, txn_id: int) -> cloud_pb2.CommitTxnResponse:
    """The lazy record; for a txn without one (VISIBLE already), a record with just its info."""
    raw = await txn.get(keys.txn_lazy_commit_key(iid, txn_id))
    record = cloud_pb2.CommitTxnResponse()
    if raw is not None:
        record.ParseFromString(raw)
        return record
    db_id = await db_of_txn(txn, iid, txn_id)
    info = None if db_id is None else await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{txn_id}] not found")
    if info.status != S.TXN_STATUS_VISIBLE:
        raise MetaServiceError(
            Code.TXN_INVALID_STATUS, f"transaction [{txn_id}] is not committed lazily, status={info.status}"
        )
    record.txn_info.CopyFrom(info)
    return record


async def _to_convert(
    txn: Txn, iid: str, record: cloud_pb2.CommitTxnResponse
) -> tuple[list[olap_file_pb2.RowsetMetaCloudPB], dict[int, cloud_pb2.TabletIndexPB]]:
    """(tmp rowsets not yet visible, at their new versions, in tablet order; their tablet
    indexes); read-only. Rowsets of partitions no longer pending, or recorded done, are left out."""
    txn_id, db_id = record.txn_info.txn_id, record.txn_info.db_id
    new_version: dict[Partition, int] = {}
    for table_id, partition_id in zip(record.table_ids, record.partition_ids, strict=True):
        stored = await txn.get(keys.partition_version_key(iid, db_id, table_id, partition_id))
        ver = cloud_pb2.VersionPB()
        if stored is not None:
            ver.ParseFromString(stored)
        if txn_id in ver.pending_txn_ids:
            new_version[(table_id, partition_id)] = ver.version + 1
    if not new_version:
        return [], {}
    done: list[tuple[int, int]] = []
    for key, value in await txn.get_range(*keys.txn_lazy_progress_range(iid, txn_id)):
        first = int(keys.decode_fields(key, len(keys.txn_lazy_progress_key(iid, txn_id, 0)) - 9)[0][1])
        done.append((first, _BE64.unpack(value)[0]))
    tmp_begin, tmp_end = keys.meta_rowset_tmp_key(iid, txn_id, 0), keys.meta_rowset_tmp_key(iid, txn_id, INT64_MAX)
    tmp: list[olap_file_pb2.RowsetMetaCloudPB] = []
    for _, value in await txn.get_range(tmp_begin, tmp_end):
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(value)
        if not any(first <= rs.tablet_id <= last for first, last in done):
            tmp.append(rs)
    indexes = await load_tablet_indexes(txn, iid, [rs.tablet_id for rs in tmp])
    todo = []
    for rs in tmp:
        idx = indexes[rs.tablet_id]
        version = new_version.get((idx.table_id, idx.partition_id))
        if version is not None:
            rs.start_version = version
            rs.end_version = version
            todo.append(rs)
    return todo, indexes


async def _convert(
    svc: Service,
    txn: Txn,
    iid: str,
    chunk: Sequence[olap_file_pb2.RowsetMetaCloudPB],
    indexes: dict[int, cloud_pb2.TabletIndexPB],
) -> None:
    """Step 2 for some rowsets (in tablet order): each visible at its version, its tablet's stats
    counted, and the progress record saying so, in one transaction."""
    for rs in chunk:
        txn.put(keys.meta_rowset_key(iid, rs.tablet_id, rs.end_version), rs.SerializeToString())
        await add_load_stats(svc, txn, iid, indexes[rs.tablet_id], [rs])
    txn_id = chunk[0].txn_id
    await bitmap.drop_held_pending(txn, iid, txn_id, sorted({rs.tablet_id for rs in chunk}), indexes)
    txn.put(keys.txn_lazy_progress_key(iid, txn_id, chunk[0].tablet_id), _BE64.pack(chunk[-1].tablet_id))


async def _make_visible(
    svc: Service, txn: Txn, iid: str, record: cloud_pb2.CommitTxnResponse, owner: _Owner
) -> cloud_pb2.CommitTxnResponse:
    """Step 3: every partition at its new version, the txn VISIBLE, its leftovers gone."""
    await _check_owner(txn, iid, owner)
    txn_id = record.txn_info.txn_id
    db_id = record.txn_info.db_id
    out = cloud_pb2.CommitTxnResponse()
    out.CopyFrom(record)
    info = await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{txn_id}] not found, db_id={db_id}")
    if info.status == S.TXN_STATUS_VISIBLE:  # another completer was first
        out.txn_info.CopyFrom(info)
        return out
    now = svc.now_ms()
    for table_id, partition_id in zip(record.table_ids, record.partition_ids, strict=True):
        key = keys.partition_version_key(iid, db_id, table_id, partition_id)
        stored = await txn.get(key)
        ver = cloud_pb2.VersionPB()
        if stored is not None:
            ver.ParseFromString(stored)
        if txn_id not in ver.pending_txn_ids:
            continue
        remaining = [t for t in ver.pending_txn_ids if t != txn_id]
        ver.ClearField("pending_txn_ids")
        ver.pending_txn_ids.extend(remaining)
        ver.version += 1
        ver.update_time_ms = now
        txn.put(key, ver.SerializeToString())
    for table_id in sorted(set(record.table_ids)):
        txn.atomic_add(keys.table_version_key(iid, db_id, table_id), 1)
    await bitmap.release_held_locks(txn, iid, txn_id, record.table_ids)
    info.status = S.TXN_STATUS_VISIBLE
    info.finish_time = now
    put_info(txn, iid, info)
    txn.remove_range(keys.meta_rowset_tmp_key(iid, txn_id, 0), keys.meta_rowset_tmp_key(iid, txn_id, INT64_MAX))
    txn.remove(keys.txn_running_key(iid, db_id, txn_id))
    txn.remove(keys.txn_lazy_commit_key(iid, txn_id))
    txn.remove(keys.txn_lazy_owner_key(iid, txn_id))
    txn.remove_range(*keys.txn_lazy_progress_range(iid, txn_id))
    recycle_txn(txn, iid, info, now)
    out.txn_info.CopyFrom(info)
    out.version_update_time_ms = now
    return out


# -- hooks for commit_txn and the readers --------------------------------------------------------


async def finish_committed(svc: Service, iid: str, info: cloud_pb2.TxnInfoPB) -> Reply:
    """commit_txn of a txn that is COMMITTED (a lazy commit whose committer died or is still at
    work): complete it, out of the commit queue, and answer as the first commit would have."""
    release_queue()
    return Reply(result=await complete(svc, iid, info.txn_id))


async def refuse_abort(txn: Txn, iid: str, info: cloud_pb2.TxnInfoPB) -> None:
    """abort_txn's hook: a lazily committed txn is becoming visible and cannot be aborted."""
    if info.status == S.TXN_STATUS_COMMITTED and await txn.get(keys.txn_lazy_commit_key(iid, info.txn_id)):
        raise MetaServiceError(
            Code.TXN_INVALID_STATUS,
            f"transaction [{info.txn_id}] is committed and becoming visible, db_id={info.db_id}",
        )


async def settle_pending(svc: Service, iid: str, pending_txn_ids: Iterable[int]) -> None:
    """A reader met a partition version with pending txns: complete them, then re-run the reader
    on a fresh snapshot (Conflict is retried by the runner). No pending txns: nothing happens.
    A queued caller (commit_txn) leaves its queue first: the database's other commits go on."""
    todo = sorted(set(pending_txn_ids))
    if not todo:
        return
    release_queue()
    for txn_id in todo:
        await complete(svc, iid, txn_id)
    raise Conflict(f"completed lazily committed txn(s) {todo}; reading again")


async def settle_partitions(svc: Service, txn: Txn, iid: str, partitions: Iterable[Partition]) -> None:
    """A reader of tablets in these partitions: complete the lazily committed txns touching any
    of them (one range read, empty unless a lazy commit is under way), then re-run the reader."""
    begin, end = keys.txn_lazy_commit_range(iid)
    rows = await txn.get_range(begin, end)
    if not rows:
        return
    wanted = set(partitions)
    todo = []
    for _, value in rows:
        record = cloud_pb2.CommitTxnResponse()
        record.ParseFromString(value)
        if wanted.intersection(zip(record.table_ids, record.partition_ids, strict=True)):
            todo.append(record.txn_info.txn_id)
    await settle_pending(svc, iid, todo)
