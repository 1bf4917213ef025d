"""Sub-transactions of explicit (multi-statement) loads: begin_sub_txn, abort_sub_txn and
commit_txn with `is_txn_load` (upstream's commit_txn_with_sub_txn).

A sub-txn id is a txn id (same counter) with its own txn index key pointing at the db; its
rowsets are tmp rowsets under the sub-txn id. Committing walks the sub-txns in request order and
gives each partition one new version per sub-txn that touched it, all in one KV transaction.

Upstream answers UNDEFINED_ERR "sub_txn_num mismatch" but still stores the change; dorisctl
answers the same and stores nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.tablets import INT64_MAX, add_load_stats, load_tablet_indexes, require_instance
from dorisctl.metaservice.model.txnrecords import S, db_of_txn, load_info, next_txn_id, put_info, recycle_txn
from dorisctl.metaservice.ops import bitmap, lazy_commit
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2


def _ids(values: Iterable[int]) -> str:
    return "[" + "".join(f"{v}, " for v in values) + "]"


def _opt(req: cloud_pb2.BeginSubTxnRequest | cloud_pb2.AbortSubTxnRequest, field: str) -> int:
    return int(getattr(req, field)) if req.HasField(field) else -1


async def _prepared_info(txn: Txn, iid: str, db_id: int, txn_id: int, where: str) -> cloud_pb2.TxnInfoPB:
    info = await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(
            Code.TXN_ID_NOT_FOUND, f"failed to get txn_info, db_id={db_id} txn_id={txn_id}{where} err=KeyNotFound"
        )
    if info.status != S.TXN_STATUS_PREPARED:
        raise MetaServiceError(
            Code.TXN_INVALID_STATUS, f"transaction status is {info.status} : db_id={db_id} txn_id={txn_id}{where}"
        )
    return info


def _check_sub_txn_num(info: cloud_pb2.TxnInfoPB, expected: int, where: str) -> None:
    if len(info.sub_txn_ids) != expected:
        raise MetaServiceError(
            Code.UNDEFINED_ERR,
            f"sub_txn_num mismatch, txn_id={info.txn_id}{where}, expected sub_txn_num={expected}, "
            f"txn_info.sub_txn_ids={_ids(info.sub_txn_ids)}",
        )


async def begin_sub_txn(svc: Service, txn: Txn, req: cloud_pb2.BeginSubTxnRequest) -> Reply:
    """A new sub-txn id in the PREPARED txn: recorded in sub_txn_ids; table_ids become the request's."""
    txn_id, sub_txn_num, db_id = _opt(req, "txn_id"), _opt(req, "sub_txn_num"), _opt(req, "db_id")
    if txn_id < 0 or sub_txn_num < 0 or db_id < 0 or not req.table_ids or not req.label:
        raise invalid(
            f"invalid argument, txn_id={txn_id}, sub_txn_num={sub_txn_num} db_id={db_id}, label={req.label}, "
            f"table_ids={_ids(req.table_ids)}"
        )
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    info = await _prepared_info(txn, iid, db_id, txn_id, "")
    _check_sub_txn_num(info, sub_txn_num, "")
    sub_txn_id = await next_txn_id(svc.kv)
    info.sub_txn_ids.append(sub_txn_id)
    del info.table_ids[:]
    info.table_ids.extend(req.table_ids)
    # Upstream takes the id from a versionstamp written under the label key, then removes that key.
    txn.remove(keys.txn_label_key(iid, db_id, req.label))
    put_info(txn, iid, info)
    index = cloud_pb2.TxnIndexPB()
    index.tablet_index.db_id = db_id
    index.parent_txn_id = txn_id  # a sub txn's loads are checked against its parent (ops/loadcheck.py)
    txn.put(keys.txn_index_key(iid, sub_txn_id), index.SerializeToString())
    return Reply(result=cloud_pb2.BeginSubTxnResponse(sub_txn_id=sub_txn_id, txn_info=info))


async def abort_sub_txn(svc: Service, txn: Txn, req: cloud_pb2.AbortSubTxnRequest) -> Reply:
    """The txn's table_ids become the request's; the sub-txn id stays listed (the recycler needs it)."""
    txn_id, sub_txn_id = _opt(req, "txn_id"), _opt(req, "sub_txn_id")
    sub_txn_num, db_id = _opt(req, "sub_txn_num"), _opt(req, "db_id")
    if txn_id < 0 or sub_txn_id < 0 or sub_txn_num < 0 or db_id < 0:
        raise invalid(
            f"invalid argument, txn_id={txn_id}, sub_txn_id={sub_txn_id}, sub_txn_num={sub_txn_num} "
            f"db_id={db_id}, table_ids={_ids(req.table_ids)}"
        )
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    where = f" sub_txn_id={sub_txn_id}"
    info = await _prepared_info(txn, iid, db_id, txn_id, where)
    _check_sub_txn_num(info, sub_txn_num, f", sub_txn_id={sub_txn_id}")
    del info.table_ids[:]
    info.table_ids.extend(req.table_ids)
    put_info(txn, iid, info)
    return Reply(result=cloud_pb2.AbortSubTxnResponse(txn_info=info))


# -- commit_txn with sub-txns ----------------------------------------------------------------------


async def commit_with_sub_txns(svc: Service, txn: Txn, iid: str, req: cloud_pb2.CommitTxnRequest) -> Reply:
    txn_id = req.txn_id
    db_id = await db_of_txn(txn, iid, txn_id)
    if db_id is None:
        raise MetaServiceError(Code.KV_TXN_GET_ERR, f"failed to get db id, txn_id={txn_id} err=KeyNotFound")
    per_sub: list[tuple[list[bytes], list[olap_file_pb2.RowsetMetaCloudPB]]] = []
    for sub in req.sub_txn_infos:
        begin = keys.meta_rowset_tmp_key(iid, sub.sub_txn_id, 0)
        end = keys.meta_rowset_tmp_key(iid, sub.sub_txn_id, INT64_MAX)
        rows = await txn.get_range(begin, end)
        metas = []
        for _, value in rows:
            rs = olap_file_pb2.RowsetMetaCloudPB()
            rs.ParseFromString(value)
            metas.append(rs)
        per_sub.append(([k for k, _ in rows], metas))
    info = await load_info(txn, iid, db_id, txn_id)
    if info is None:
        raise MetaServiceError(
            Code.TXN_ID_NOT_FOUND, f"failed to get txn_info, db_id={db_id} txn_id={txn_id} err=KeyNotFound"
        )
    where = f"db_id={db_id} txn_id={txn_id}"
    if info.status == S.TXN_STATUS_ABORTED:
        raise MetaServiceError(Code.TXN_ALREADY_ABORTED, f"transaction is already aborted: {where}")
    if info.status == S.TXN_STATUS_VISIBLE:
        return Reply(msg=f"transaction is already visible: {where}", result=cloud_pb2.CommitTxnResponse(txn_info=info))
    indexes = await load_tablet_indexes(txn, iid, [rs.tablet_id for _, metas in per_sub for rs in metas])
    if req.mow_table_ids:  # merge-on-write: the delete-bitmap locks are consumed (ops/bitmap.py)
        await bitmap.consume_load_locks(txn, iid, txn_id, req.mow_table_ids, indexes)
    versions: dict[tuple[int, int], int] = {}
    for _, metas in per_sub:
        for rs in metas:
            idx = indexes[rs.tablet_id]
            part = (idx.table_id, idx.partition_id)
            if part not in versions:
                stored = await txn.get(keys.partition_version_key(iid, db_id, *part))
                ver = cloud_pb2.VersionPB()
                if stored is not None:
                    ver.ParseFromString(stored)
                    await lazy_commit.settle_pending(svc, iid, ver.pending_txn_ids)
                versions[part] = ver.version if stored is not None else 1
    per_tablet: dict[int, list[olap_file_pb2.RowsetMetaCloudPB]] = defaultdict(list)
    for _, metas in per_sub:
        bumped: set[tuple[int, int]] = set()
        for rs in metas:
            idx = indexes[rs.tablet_id]
            part = (idx.table_id, idx.partition_id)
            if part not in bumped:
                bumped.add(part)
                versions[part] += 1
            rs.start_version = rs.end_version = versions[part]
            txn.put(keys.meta_rowset_key(iid, rs.tablet_id, rs.end_version), rs.SerializeToString())
            per_tablet[rs.tablet_id].append(rs)
    resp = cloud_pb2.CommitTxnResponse()
    for (table_id, partition_id), version in sorted(versions.items()):
        txn.put(
            keys.partition_version_key(iid, db_id, table_id, partition_id),
            cloud_pb2.VersionPB(version=version).SerializeToString(),
        )
        resp.table_ids.append(table_id)
        resp.partition_ids.append(partition_id)
        resp.versions.append(version)
    for table_id in sorted({t for t, _ in versions}):
        txn.atomic_add(keys.table_version_key(iid, db_id, table_id), 1)
    now = svc.now_ms()
    if info.prepare_time + info.timeout_ms < now:
        raise MetaServiceError(Code.UNDEFINED_ERR, f"txn is expired, not allow to commit txn_id={txn_id}")
    info.status = S.TXN_STATUS_VISIBLE
    info.commit_time = info.finish_time = now
    if req.HasField("commit_attachment"):
        info.commit_attachment.CopyFrom(req.commit_attachment)
    put_info(txn, iid, info)
    for tablet_id, rowsets in per_tablet.items():
        await add_load_stats(svc, txn, iid, indexes[tablet_id], rowsets)
    for tmp_keys, _ in per_sub:
        for key in tmp_keys:
            txn.remove(key)
    txn.remove(keys.txn_running_key(iid, db_id, txn_id))
    recycle_txn(txn, iid, info, now)
    resp.txn_info.CopyFrom(info)
    return Reply(result=resp)
