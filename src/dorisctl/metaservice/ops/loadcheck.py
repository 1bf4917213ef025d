"""What prepare_rowset and commit_rowset check of a load before writing anything: its transaction
is still PREPARED (upstream's `enable_load_txn_status_check`, on by default), so a late BE retry
cannot resurrect a rowset of a load that was committed or aborted meanwhile. Rowsets without a
`load_id` (compaction, schema change) are not loads and are not checked.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import get_err, invalid
from dorisctl.metaservice.model.txnrecords import S, load_info
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2


async def require_prepared_load(svc: Service, txn: Txn, iid: str, rs: olap_file_pb2.RowsetMetaCloudPB) -> None:
    """Upstream's messages and codes; statuses are printed as numbers (TxnStatusPB), as it does."""
    if not svc.settings.enable_load_txn_status_check or not rs.HasField("load_id"):
        return
    txn_id = rs.txn_id
    raw = await txn.get(keys.txn_index_key(iid, txn_id))
    if raw is None:
        raise get_err(f"failed to get db id, txn_id={txn_id} err=KeyNotFound")
    index = cloud_pb2.TxnIndexPB()
    index.ParseFromString(raw)
    if not index.tablet_index.HasField("db_id"):
        raise invalid(f"has no db_id in TxnIndexPB, txn_id={txn_id}")
    if index.HasField("parent_txn_id"):  # a sub-transaction: its parent's status decides
        txn_id = index.parent_txn_id
    info = await load_info(txn, iid, index.tablet_index.db_id, txn_id)
    if info is None:
        raise get_err(f"failed to get txn, txn_id={txn_id}, err=KeyNotFound")
    if info.status != S.TXN_STATUS_PREPARED:
        raise invalid(
            f"txn is not in {int(S.TXN_STATUS_PREPARED)} state, txn_id={txn_id}, txn_status={int(info.status)}"
        )
