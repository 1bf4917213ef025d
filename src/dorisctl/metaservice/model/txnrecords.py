"""Load-transaction records as stored: txn ids from a shared counter (allocated in batches),
label values, txn infos and their index, the recycle-txn record.

Txn ids come from a counter in the system key space; ids are strictly increasing across
processes and never derived from the clock.
"""

from __future__ import annotations

import asyncio
import struct
import weakref

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import REQUEST_SCRATCH
from dorisctl.metaservice.proto import cloud_pb2

TxnInfoPB = cloud_pb2.TxnInfoPB
S = cloud_pb2.TxnStatusPB

TXN_ID_COUNTER_KEY = keys.TXN_ID_COUNTER_KEY
VERSIONSTAMP_BYTES = 10
_BE64 = struct.Struct(">Q")


def status_name(status: int) -> str:
    return S.Name(status) if status in S.values() else str(status)


# -- label and info records ---------------------------------------------------------------------


def encode_label(label_pb: cloud_pb2.TxnLabelPB, txn_id: int) -> bytes:
    """TxnLabelPB + a 10-byte stamp standing in for Doris's versionstamp (the txn id, big-endian)."""
    return label_pb.SerializeToString() + _BE64.pack(txn_id) + b"\x00\x00"


def decode_label(value: bytes) -> cloud_pb2.TxnLabelPB:
    label_pb = cloud_pb2.TxnLabelPB()
    label_pb.ParseFromString(value[: max(len(value) - VERSIONSTAMP_BYTES, 0)])
    return label_pb


class _IdBatcher:
    """Txn ids from one counter key in the store, strictly increasing in allocation order.

    Allocation is its own small transaction, not part of begin_txn's: begin_txn calls waiting at
    the same time share one allocation transaction (counter += k, k consecutive ids handed out in
    arrival order), so concurrent begins neither conflict with each other nor redo their work.
    Processes sharing a store serialize on the counter key through the store's conflict checks,
    so ids are unique and increasing across all of them. An id whose begin_txn then fails is
    skipped (ids may have gaps, as Doris's versionstamp ids do).
    """

    def __init__(self, kv: TxnKv) -> None:
        self.kv = kv
        self.waiting: list[asyncio.Future[int]] = []
        self.running = False

    async def next_id(self) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        if not self.running:
            self.running = True
            asyncio.get_running_loop().create_task(self._allocate())
        return await future

    async def _allocate(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []

                async def reserve(txn: Txn, count: int = len(batch)) -> int:
                    current = await txn.get(TXN_ID_COUNTER_KEY)
                    first = (_BE64.unpack(current)[0] if current else 0) + 1
                    txn.put(TXN_ID_COUNTER_KEY, _BE64.pack(first + count - 1))
                    return first

                try:
                    first = await run_txn(self.kv, reserve, attempts=50)
                except Exception as e:
                    for f in batch:
                        if not f.done():
                            f.set_exception(e)
                    continue
                for i, f in enumerate(batch):
                    if not f.done():
                        f.set_result(first + i)
        finally:
            self.running = False


_batchers: weakref.WeakKeyDictionary[TxnKv, _IdBatcher] = weakref.WeakKeyDictionary()


async def next_txn_id(kv: TxnKv, slot: str = "txn_id") -> int:
    """A fresh txn id; within one request (see context.REQUEST_SCRATCH) the same id for `slot` on
    every re-run of the operation, so a retried begin_txn never steps the counter twice."""
    scratch = REQUEST_SCRATCH.get()
    if scratch is not None and slot in scratch:
        return int(scratch[slot])
    batcher = _batchers.get(kv)
    if batcher is None:
        batcher = _batchers[kv] = _IdBatcher(kv)
    txn_id = await batcher.next_id()
    if scratch is not None:
        scratch[slot] = txn_id
    return txn_id


async def current_max_txn_id(txn: Txn) -> int:
    """The highest txn id handed out so far (0 before the first): every later begin_txn gets more."""
    current = await txn.get(TXN_ID_COUNTER_KEY)
    return int(_BE64.unpack(current)[0]) if current else 0


async def load_info(txn: Txn, iid: str, db_id: int, txn_id: int) -> cloud_pb2.TxnInfoPB | None:
    value = await txn.get(keys.txn_info_key(iid, db_id, txn_id))
    if value is None:
        return None
    info = TxnInfoPB()
    info.ParseFromString(value)
    return info


async def db_of_txn(txn: Txn, iid: str, txn_id: int) -> int | None:
    value = await txn.get(keys.txn_index_key(iid, txn_id))
    if value is None:
        return None
    index = cloud_pb2.TxnIndexPB()
    index.ParseFromString(value)
    return index.tablet_index.db_id


def put_info(txn: Txn, iid: str, info: cloud_pb2.TxnInfoPB) -> None:
    txn.put(keys.txn_info_key(iid, info.db_id, info.txn_id), info.SerializeToString())


def recycle_txn(txn: Txn, iid: str, info: cloud_pb2.TxnInfoPB, creation_time: int) -> None:
    rec = cloud_pb2.RecycleTxnPB(creation_time=creation_time, label=info.label)
    txn.put(keys.recycle_txn_key(iid, info.db_id, info.txn_id), rec.SerializeToString())


# -- begin_txn ----------------------------------------------------------------------------------------
