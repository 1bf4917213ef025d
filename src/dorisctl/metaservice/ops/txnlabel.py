"""Transaction look-ups and housekeeping the FE drives: get_txn_id, get_current_max_txn_id,
clean_txn_label, check_txn_conflict, abort_txn_with_coordinator (spec rpc-front 2(c)(f)).

Semantics, codes and messages follow upstream's meta_service_txn.cpp. Where upstream scans in
several KV transactions (clean_txn_label per label, the range scans page by page), dorisctl uses
the request's one transaction, so a reply reflects one snapshot and an error stores nothing.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.tablets import INT64_MAX, require_instance
from dorisctl.metaservice.model.txnrecords import (
    S,
    TxnInfoPB,
    current_max_txn_id,
    decode_label,
    encode_label,
    load_info,
)
from dorisctl.metaservice.ops.txn import mark_aborted
from dorisctl.metaservice.proto import cloud_pb2

_FINAL = (S.TXN_STATUS_ABORTED, S.TXN_STATUS_VISIBLE)


async def get_txn_id(svc: Service, txn: Txn, req: cloud_pb2.GetTxnIdRequest) -> Reply:
    """The newest txn id of a label, or the oldest one whose status is among `txn_status`."""
    if not req.HasField("db_id"):
        raise invalid("missing db id")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    not_found = MetaServiceError(Code.TXN_ID_NOT_FOUND, f"transaction not found, label={req.label}")
    raw = await txn.get(keys.txn_label_key(iid, req.db_id, req.label))
    if raw is None:
        raise not_found
    ids = list(decode_label(raw).txn_ids)
    if not ids:
        raise not_found
    if not req.txn_status:
        return Reply(result=cloud_pb2.GetTxnIdResponse(txn_id=ids[-1]))
    wanted = set(req.txn_status)
    for txn_id in ids:
        info = await load_info(txn, iid, req.db_id, txn_id)
        if info is None:
            raise MetaServiceError(
                Code.TXN_ID_NOT_FOUND, f"txn->get() failed, cur_txn_id={txn_id} label={req.label} err=KeyNotFound"
            )
        if info.status in wanted:
            return Reply(result=cloud_pb2.GetTxnIdResponse(txn_id=txn_id))
    raise not_found


async def get_current_max_txn_id(svc: Service, txn: Txn, req: cloud_pb2.GetCurrentMaxTxnRequest) -> Reply:
    """The schema-change watershed (the FE's getNextTransactionId): every txn begun before this call
    has a smaller id, every txn begun after it one at least as large, so check_txn_conflict's
    `[0, end_txn_id)` with end_txn_id = this value covers exactly the loads begun before it
    (upstream: read version << 10). The highest id handed out so far + 1."""
    if not await resolve_instance_id(svc, txn, req.cloud_unique_id):
        raise invalid("empty instance_id")
    mark = await current_max_txn_id(txn) + 1
    return Reply(result=cloud_pb2.GetCurrentMaxTxnResponse(current_max_txn_id=mark))


# -- clean_txn_label -------------------------------------------------------------------------------


async def _clean_label(txn: Txn, iid: str, db_id: int, label_key: bytes) -> None:
    """Forget the label's finished (VISIBLE/ABORTED) txns; the label key goes once none is left."""
    raw = await txn.get(label_key)
    if raw is None:
        return
    label_pb = decode_label(raw)
    survivors: list[int] = []
    for txn_id in label_pb.txn_ids:
        info = await load_info(txn, iid, db_id, txn_id)
        if info is None:
            raise MetaServiceError(Code.KV_TXN_GET_ERR, "failed to clean txn label. err=KeyNotFound")
        if info.status not in _FINAL:
            survivors.append(txn_id)
            continue
        txn.remove(keys.txn_index_key(iid, txn_id))
        txn.remove(keys.txn_info_key(iid, db_id, txn_id))
        txn.remove(keys.recycle_txn_key(iid, db_id, txn_id))
    if not survivors:
        txn.remove(label_key)
    elif len(survivors) != len(label_pb.txn_ids):
        txn.put(label_key, encode_label(cloud_pb2.TxnLabelPB(txn_ids=survivors), survivors[-1]))


async def clean_txn_label(svc: Service, txn: Txn, req: cloud_pb2.CleanTxnLabelRequest) -> Reply:
    """The first of `labels`, or every label of the db when none is given (as upstream)."""
    if not req.HasField("db_id"):
        raise invalid("missing db id")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    if req.labels:
        await _clean_label(txn, iid, req.db_id, keys.txn_label_key(iid, req.db_id, req.labels[0]))
    else:
        begin = keys.txn_label_key(iid, req.db_id, "")
        end = keys.txn_label_key(iid, req.db_id + 1, "")
        for key, _ in await txn.get_range(begin, end):
            await _clean_label(txn, iid, req.db_id, key)
    return Reply(result=cloud_pb2.CleanTxnLabelResponse())


# -- check_txn_conflict ----------------------------------------------------------------------------


async def check_txn_conflict(svc: Service, txn: Txn, req: cloud_pb2.CheckTxnConflictRequest) -> Reply:
    """finished = no running, unexpired txn of the db below end_txn_id touches one of table_ids."""
    if not req.HasField("db_id") or not req.HasField("end_txn_id") or not req.table_ids:
        raise invalid("invalid db id, end txn id or table_ids.")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    begin = keys.txn_running_key(iid, req.db_id, 0)
    end = keys.txn_running_key(iid, req.db_id, req.end_txn_id)
    now = svc.now_ms()
    tables = set(req.table_ids)
    resp = cloud_pb2.CheckTxnConflictResponse()
    for key, value in await txn.get_range(begin, end):
        running = cloud_pb2.TxnRunningPB()
        running.ParseFromString(value)
        if running.timeout_time < now or not tables.intersection(running.table_ids):
            continue
        txn_id = keys.decode_key(key)[1][-1]
        assert isinstance(txn_id, int)
        info_key = keys.txn_info_key(iid, req.db_id, txn_id)
        raw = await txn.get(info_key)
        if raw is None:
            raise MetaServiceError(
                Code.TXN_ID_NOT_FOUND, f"failed to get txn_info, conflict_txn_info_key={info_key.hex()}"
            )
        resp.conflict_txns.add().ParseFromString(raw)
    resp.finished = not resp.conflict_txns
    return Reply(result=resp)


# -- abort_txn_with_coordinator --------------------------------------------------------------------

COORDINATOR_ABORT_REASON = "Abort because coordinate be restart/stop"


async def abort_txn_with_coordinator(svc: Service, txn: Txn, req: cloud_pb2.AbortTxnWithCoordinatorRequest) -> Reply:
    """Abort the PREPARED txns a BE coordinator (id, ip) started before its restart at start_time."""
    if not req.HasField("id") or not req.HasField("ip") or not req.HasField("start_time"):
        raise invalid("invalid coordinate id, coordinate ip or coordinate start time.")
    iid = await require_instance(svc, txn, req.cloud_unique_id)
    begin = keys.txn_info_key(iid, 0, 0)
    end = keys.txn_info_key(iid, INT64_MAX, INT64_MAX)
    for _, value in await txn.get_range(begin, end):
        info = TxnInfoPB()
        info.ParseFromString(value)
        c = info.coordinator
        if (
            info.status == S.TXN_STATUS_PREPARED
            and c.sourceType == cloud_pb2.TXN_SOURCE_TYPE_BE
            and c.id == req.id
            and c.ip == req.ip
            and c.start_time < req.start_time
        ):
            mark_aborted(svc, txn, iid, info, COORDINATOR_ABORT_REASON)
    return Reply(result=cloud_pb2.AbortTxnWithCoordinatorResponse())
