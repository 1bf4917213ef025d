"""Load transactions: begin_txn, precommit_txn, commit_txn, abort_txn, get_txn (spec 7.2, 7.3, 7.6).

Owns the txn label/info/index/running keys, partition and table versions, the move of tmp rowsets
to visible rowsets on commit, the load-side tablet stats update (spec 7.4) and the recycle-txn
record. Txn ids come from a counter in the system key space that begin_txn reads and increments in
its own KV transaction, so concurrent begins conflict and are retried instead of colliding; ids
are strictly increasing and never derived from the clock.

Each operation is `async def op(svc, txn, req) -> Reply` over one KV transaction and raises
`MetaServiceError` before anything is committed. No HTTP types here.
"""

from __future__ import annotations

from collections import defaultdict

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, get_err, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.tablets import INT64_MAX, add_load_stats, load_tablet_indexes, require_instance
from dorisctl.metaservice.model.txnrecords import (
    S,
    TxnInfoPB,
    db_of_txn,
    decode_label,
    encode_label,
    load_info,
    next_txn_id,
    put_info,
    recycle_txn,
    status_name,
)
from dorisctl.metaservice.ops import bitmap, lazy_commit
from dorisctl.metaservice.ops.routine_load import record_load_progress
from dorisctl.metaservice.ops.subtxn import commit_with_sub_txns
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2


def deadline_ms(start_ms: int, timeout_ms: int) -> int:
    """start + timeout as an int64 field holds it: a timeout near 2^63 saturates at INT64_MAX (a
    transaction that never times out) where upstream's C++ addition would wrap negative."""
    return max(min(start_ms + timeout_ms, keys.INT64_MAX), -keys.INT64_MAX - 1)


async def begin_txn(svc: Service, txn: Txn, req: cloud_pb2.BeginTxnRequest) -> Reply:
    if not req.HasField("txn_info"):
        raise invalid("invalid argument, missing txn info")
    ti = req.txn_info
    if ti.db_id < 0 or not ti.label or not ti.table_ids or not ti.HasField("timeout_ms"):
        raise invalid(f"invalid argument, label={ti.label} db_id={ti.db_id}")
    iid = await require_instance(svc, txn, req.cloud_unique_id, f" label={ti.label}")
    label_key = keys.txn_label_key(iid, ti.db_id, ti.label)
    raw_label = await txn.get(label_key)
    label_pb = decode_label(raw_label) if raw_label is not None else cloud_pb2.TxnLabelPB()
    for old_id in reversed(label_pb.txn_ids):
        old = await load_info(txn, iid, ti.db_id, old_id)
        if old is None:
            raise get_err(f"failed to get txn_info, db_id={ti.db_id} txn_id={old_id} err=KeyNotFound")
        if old.status == S.TXN_STATUS_ABORTED:
            break
        if (
            old.status in (S.TXN_STATUS_PREPARED, S.TXN_STATUS_PRECOMMITTED)
            and ti.HasField("request_id")
            and old.HasField("request_id")
            and old.request_id == ti.request_id
        ):
            dup = cloud_pb2.BeginTxnResponse(dup_txn_id=old_id)
            raise MetaServiceError(
                Code.TXN_DUPLICATED_REQ,
                f"db_id={ti.db_id} label={ti.label} txn_id={old_id} dup begin txn request.",
                dup,
            )
        used = cloud_pb2.BeginTxnResponse(txn_status=old.status)
        raise MetaServiceError(
            Code.TXN_LABEL_ALREADY_USED,
            f"Label [{ti.label}] has already been used, relate to txn [{old_id}], status=[{status_name(old.status)}]",
            used,
        )
    txn_id = await next_txn_id(svc.kv)
    if len(label_pb.txn_ids) >= svc.settings.max_num_aborted_txn:
        raise invalid(f"too many aborted txn for label={ti.label} txn_id={txn_id}, please check your data quality")
    label_pb.txn_ids.append(txn_id)
    txn.put(label_key, encode_label(label_pb, txn_id))
    info = TxnInfoPB()
    info.CopyFrom(ti)
    info.txn_id = txn_id
    info.status = S.TXN_STATUS_PREPARED
    info.prepare_time = svc.now_ms()
    put_info(txn, iid, info)
    index = cloud_pb2.TxnIndexPB()
    index.tablet_index.db_id = ti.db_id
    txn.put(keys.txn_index_key(iid, txn_id), index.SerializeToString())
    timeout_time = deadline_ms(info.prepare_time, ti.timeout_ms)
    running = cloud_pb2.TxnRunningPB(table_ids=list(ti.table_ids), timeout_time=timeout_time)
    txn.put(keys.txn_running_key(iid, ti.db_id, txn_id), running.SerializeToString())
    return Reply(result=cloud_pb2.BeginTxnResponse(txn_id=txn_id))


# -- precommit_txn ---------------------------------------------------------------------------------


async def _info_by_id(txn: Txn, iid: str, db_id: int, txn_id: int) -> cloud_pb2.TxnInfoPB:
    """precommit_txn / get_txn: db_id < 0 means "read it from the txn index" (upstream's wording)."""
    if db_id < 0:
        found = await db_of_txn(txn, iid, txn_id)
        if found is None:
            raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"failed to get db id with txn_id={txn_id} err=KeyNotFound")
        db_id = found
    info = await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(
            Code.TXN_ID_NOT_FOUND, f"failed to get db id with db_id={db_id} txn_id={txn_id} err=KeyNotFound"
        )
    return info


async def precommit_txn(svc: Service, txn: Txn, req: cloud_pb2.PrecommitTxnRequest) -> Reply:
    """2PC: -> PRECOMMITTED; the running key's timeout becomes now + the txn's precommit_timeout_ms.

    Upstream sets TXN_ALREADY_VISIBLE / TXN_ALREADY_PRECOMMITED and still rewrites the txn; dorisctl
    answers the same codes and writes nothing (no state changes behind an error reply).
    """
    txn_id = req.txn_id if req.HasField("txn_id") else -1
    db_id = req.db_id if req.HasField("db_id") else -1
    if txn_id < 0 and db_id < 0:
        raise invalid(f"invalid argument, txn_id={txn_id} db_id={db_id}")
    iid = await require_instance(svc, txn, req.cloud_unique_id, f" txn_id={txn_id}")
    info = await _info_by_id(txn, iid, db_id, txn_id)
    where = f"db_id={info.db_id} txn_id={info.txn_id}"
    if info.status == S.TXN_STATUS_ABORTED:
        raise MetaServiceError(Code.TXN_ALREADY_ABORTED, f"transaction is already aborted: {where}")
    if info.status == S.TXN_STATUS_VISIBLE:
        raise MetaServiceError(Code.TXN_ALREADY_VISIBLE, f"transaction is already visible: {where}")
    if info.status == S.TXN_STATUS_PRECOMMITTED:
        raise MetaServiceError(Code.TXN_ALREADY_PRECOMMITED, f"transaction is already precommited: {where}")
    now = svc.now_ms()
    info.status = S.TXN_STATUS_PRECOMMITTED
    info.precommit_time = now
    if req.HasField("commit_attachment"):
        info.commit_attachment.CopyFrom(req.commit_attachment)
    put_info(txn, iid, info)
    timeout_time = deadline_ms(now, info.precommit_timeout_ms)
    running = cloud_pb2.TxnRunningPB(table_ids=list(info.table_ids), timeout_time=timeout_time)
    txn.put(keys.txn_running_key(iid, info.db_id, info.txn_id), running.SerializeToString())
    return Reply(result=cloud_pb2.PrecommitTxnResponse())


# -- commit_txn ----------------------------------------------------------------------------------


async def commit_txn(svc: Service, txn: Txn, req: cloud_pb2.CommitTxnRequest) -> Reply:
    """Spec 7.3: make the txn's tmp rowsets visible at new partition versions, atomically.

    A retried commit of a VISIBLE txn answers OK with its txn_info (2PC: TXN_ALREADY_VISIBLE);
    `is_txn_load` (explicit transactions) commits every sub-txn's rowsets (ops/subtxn.py).
    """
    if not req.HasField("txn_id"):
        raise invalid("invalid argument, missing txn id")
    txn_id = req.txn_id
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    if req.is_txn_load:
        return await commit_with_sub_txns(svc, txn, iid, req)
    db_id = await db_of_txn(txn, iid, txn_id)
    if db_id is None:
        raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{txn_id}] not found")
    info = await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{txn_id}] not found, db_id={db_id}")
    if info.status == S.TXN_STATUS_ABORTED:
        raise MetaServiceError(Code.TXN_ALREADY_ABORTED, f"transaction [{txn_id}] is already aborted, db_id={db_id}")
    if info.status == S.TXN_STATUS_VISIBLE:
        if req.is_2pc:
            raise MetaServiceError(
                Code.TXN_ALREADY_VISIBLE,
                f"transaction [{txn_id}] is already visible, not pre-committed.",
                cloud_pb2.CommitTxnResponse(txn_info=info),
            )
        return Reply(
            msg=f"transaction is already visible: db_id={db_id} txn_id={txn_id}",
            result=cloud_pb2.CommitTxnResponse(txn_info=info),
        )
    if info.status == S.TXN_STATUS_COMMITTED:  # committed lazily, not yet visible: complete it
        return await lazy_commit.finish_committed(svc, iid, info)
    if req.is_2pc and info.status == S.TXN_STATUS_PREPARED:
        raise MetaServiceError(
            Code.TXN_INVALID_STATUS, f"transaction is prepare, not pre-committed: db_id={db_id} txn_id{txn_id}"
        )
    now = svc.now_ms()
    if info.prepare_time + info.timeout_ms < now:
        raise MetaServiceError(Code.UNDEFINED_ERR, f"txn is expired, not allow to commit txn_id={txn_id}")

    tmp_begin = keys.meta_rowset_tmp_key(iid, txn_id, 0)
    tmp_end = keys.meta_rowset_tmp_key(iid, txn_id, INT64_MAX)
    tmp_rows = await txn.get_range(tmp_begin, tmp_end)

    tmp_rowsets: list[olap_file_pb2.RowsetMetaCloudPB] = []
    for _, value in tmp_rows:
        rs = olap_file_pb2.RowsetMetaCloudPB()
        rs.ParseFromString(value)
        tmp_rowsets.append(rs)
    indexes = await load_tablet_indexes(txn, iid, [rs.tablet_id for rs in tmp_rowsets])
    by_partition: dict[tuple[int, int], list[olap_file_pb2.RowsetMetaCloudPB]] = defaultdict(list)
    for rs in tmp_rowsets:
        idx = indexes[rs.tablet_id]
        by_partition[(idx.table_id, idx.partition_id)].append(rs)
    # Too large for one store transaction: committed in steps, which take the MoW locks and the
    # routine-load progress at their commit point; this transaction must then write nothing.
    lazy = await lazy_commit.commit_if_too_large(svc, iid, info, req, tmp_rowsets, list(by_partition))
    if lazy is not None:
        return lazy
    if req.mow_table_ids:  # merge-on-write: the loads' delete-bitmap locks are consumed (ops/bitmap.py)
        await bitmap.consume_load_locks(txn, iid, txn_id, req.mow_table_ids, indexes)

    resp = cloud_pb2.CommitTxnResponse()
    per_tablet: dict[int, list[olap_file_pb2.RowsetMetaCloudPB]] = defaultdict(list)
    tables: set[int] = set()
    for (table_id, partition_id), rowsets in sorted(by_partition.items()):
        ver_key = keys.partition_version_key(iid, db_id, table_id, partition_id)
        stored = await txn.get(ver_key)
        ver = cloud_pb2.VersionPB()
        if stored is not None:
            ver.ParseFromString(stored)
        await lazy_commit.settle_pending(svc, iid, ver.pending_txn_ids)
        new_version = (ver.version if ver.HasField("version") else 1) + 1
        ver.version = new_version
        ver.update_time_ms = now
        txn.put(ver_key, ver.SerializeToString())
        for rs in rowsets:
            rs.start_version = new_version
            rs.end_version = new_version
            txn.put(keys.meta_rowset_key(iid, rs.tablet_id, new_version), rs.SerializeToString())
            per_tablet[rs.tablet_id].append(rs)
        tables.add(table_id)
        resp.table_ids.append(table_id)
        resp.partition_ids.append(partition_id)
        resp.versions.append(new_version)
    resp.version_update_time_ms = now
    for table_id in sorted(tables):
        txn.atomic_add(keys.table_version_key(iid, db_id, table_id), 1)
    for tablet_id, rowsets in per_tablet.items():
        await add_load_stats(svc, txn, iid, indexes[tablet_id], rowsets)

    info.status = S.TXN_STATUS_VISIBLE
    info.commit_time = now
    info.finish_time = now
    if req.HasField("commit_attachment"):
        info.commit_attachment.CopyFrom(req.commit_attachment)
    await record_load_progress(txn, iid, info, req)  # routine-load / streaming-job progress
    put_info(txn, iid, info)
    if tmp_rows:
        txn.remove_range(tmp_begin, tmp_end)
    txn.remove(keys.txn_running_key(iid, db_id, txn_id))
    recycle_txn(txn, iid, info, now)
    resp.txn_info.CopyFrom(info)
    return Reply(result=resp)


# -- abort_txn -------------------------------------------------------------------------------------


def _opt(req: cloud_pb2.AbortTxnRequest, field: str) -> int:
    return int(getattr(req, field)) if req.HasField(field) else -1


async def abort_txn(svc: Service, txn: Txn, req: cloud_pb2.AbortTxnRequest) -> Reply:
    """Spec 7.6, by txn_id (any non-final status) or by db_id + label (PREPARED/PRECOMMITTED)."""
    txn_id = _opt(req, "txn_id")
    db_id = _opt(req, "db_id")
    if txn_id < 0 and (not req.label or db_id < 0):
        raise invalid(f"invalid txn id and label, db_id={db_id} txn_id={txn_id} label={req.label}")
    iid = await require_instance(svc, txn, req.cloud_unique_id, f" label={req.label} txn_id={txn_id}")
    if txn_id > 0:
        db = req.db_id
        if not db:
            found = await db_of_txn(txn, iid, txn_id)
            if found is None:
                raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction [{txn_id}] not found")
            db = found
        info = await load_info(txn, iid, db, txn_id)
        if info is None:
            raise MetaServiceError(
                Code.TXN_ID_NOT_FOUND, f"failed to get txn_info, db_id={db}txn_id={txn_id}err=KeyNotFound"
            )
        if info.status == S.TXN_STATUS_ABORTED:
            raise MetaServiceError(Code.TXN_ALREADY_ABORTED, f"transaction [{txn_id}] is already aborted, db_id={db}")
        if info.status == S.TXN_STATUS_VISIBLE:
            raise MetaServiceError(Code.TXN_ALREADY_VISIBLE, f"transaction [{txn_id}] is already VISIBLE, db_id={db}")
        await lazy_commit.refuse_abort(txn, iid, info)
    else:
        raw = await txn.get(keys.txn_label_key(iid, req.db_id, req.label))
        if raw is None:
            raise get_err(f"txn->get() failed, label={req.label} err=KeyNotFound")
        chosen: cloud_pb2.TxnInfoPB | None = None
        for candidate_id in decode_label(raw).txn_ids:
            candidate = await load_info(txn, iid, req.db_id, candidate_id)
            if candidate is not None and candidate.status in (S.TXN_STATUS_PREPARED, S.TXN_STATUS_PRECOMMITTED):
                chosen = candidate
                break
        if chosen is None:
            raise MetaServiceError(
                Code.TXN_INVALID_STATUS, f"running transaction not found, db_id={req.db_id} label={req.label}"
            )
        info = chosen
    if req.HasField("commit_attachment"):
        info.commit_attachment.CopyFrom(req.commit_attachment)
    mark_aborted(svc, txn, iid, info, req.reason if req.HasField("reason") else "User Abort")
    return Reply(result=cloud_pb2.AbortTxnResponse(txn_info=info))


def mark_aborted(svc: Service, txn: Txn, iid: str, info: cloud_pb2.TxnInfoPB, reason: str) -> None:
    """ABORTED with finish_time and reason; the running key goes, the recycle-txn record comes."""
    now = svc.now_ms()
    info.status = S.TXN_STATUS_ABORTED
    info.finish_time = now
    info.reason = reason
    put_info(txn, iid, info)
    txn.remove(keys.txn_running_key(iid, info.db_id, info.txn_id))
    recycle_txn(txn, iid, info, now)


# -- get_txn -------------------------------------------------------------------------------------------


async def get_txn(svc: Service, txn: Txn, req: cloud_pb2.GetTxnRequest) -> Reply:
    """The TxnInfoPB of txn_id, or of the highest txn id under db_id + label."""
    txn_id = req.txn_id if req.HasField("txn_id") else -1
    db_id = req.db_id if req.HasField("db_id") else -1
    if txn_id < 0 and not req.label:
        raise invalid(f"invalid txn_id, it may be not given or set properly, txn_id={txn_id}")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    if req.label:
        raw = await txn.get(keys.txn_label_key(iid, db_id, req.label))
        if raw is None:
            raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"Label [{req.label}] has not found")
        txn_id = max([txn_id, *decode_label(raw).txn_ids])
    if db_id < 0:
        found = await db_of_txn(txn, iid, txn_id)
        if found is None:
            raise MetaServiceError(Code.TXN_ID_NOT_FOUND, f"failed to get db id with txn_id={txn_id} err=KeyNotFound")
        if found <= 0:
            raise MetaServiceError(Code.UNDEFINED_ERR, f"internal error: unexpected db_id {found}")
        db_id = found
    info = await _info_by_id(txn, iid, db_id, txn_id)
    return Reply(result=cloud_pb2.GetTxnResponse(txn_info=info))
