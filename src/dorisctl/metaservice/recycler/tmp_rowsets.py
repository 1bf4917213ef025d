"""Routine GC of tmp rowsets (`meta <iid> "rowset_tmp" <txn_id> <tablet_id>` -> RowsetMetaCloudPB,
written by commit_rowset) whose load will never publish them, as upstream's
`InstanceRecycler::recycle_tmp_rowsets` (apache/doris cloud/src/recycler/recycler.cpp):

* due when `now >= (txn_expiration if > 0 else creation_time) + retention_seconds` (seconds;
  upstream's calculate_tmp_rowset_expired_time) **and** its txn is finished (upstream's
  is_txn_finished): the txn index key is gone, or names no db, or the txn info is gone, or the
  txn is ABORTED or VISIBLE. A PREPARED / PRECOMMITTED / COMMITTED txn (a lazy commit still
  converting) keeps its tmp rowsets however old they are. (A VISIBLE txn's own tmp rowsets went
  with its commit; one still there was written after it and is referenced by nothing.)
* its objects go first — segments and inverted-index files named as for recycled rowsets
  (rowset_files.py), from the location its `resource_id` names; a rowset without a resource id
  and without segments (a delete-predicate rowset) has none — then its key, in transactions that
  fit the store (chunks.py). A rowset whose resource id names no location, or that has segments
  but no resource id, is kept (logged), as upstream.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Awaitable, Callable, Sequence

from google.protobuf.message import DecodeError

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.metaservice.recycler.chunks import Chunked, pages
from dorisctl.metaservice.recycler.config import GC_BATCH, JobResult, RecyclerConfig
from dorisctl.metaservice.recycler.objstore import Location
from dorisctl.metaservice.recycler.rowset_files import (
    RowsetWork,
    SchemaIndexes,
    delete_rowset_objects,
    rowset_files,
    rowset_prefix,
)

log = logging.getLogger("dorisctl.recycler")

_FINISHED = (cloud_pb2.TXN_STATUS_ABORTED, cloud_pb2.TXN_STATUS_VISIBLE)


async def txn_finished(kv: TxnKv, iid: str, txn_id: int) -> bool:
    """Upstream's is_txn_finished: nothing will publish this txn's tmp rowsets any more."""

    async def read(txn: Txn) -> bool:
        raw = await txn.get(keys.txn_index_key(iid, txn_id))
        if raw is None:
            return True  # the txn was recycled
        index = cloud_pb2.TxnIndexPB()
        try:
            index.ParseFromString(raw)
        except DecodeError:
            return False
        if not index.tablet_index.HasField("db_id"):
            return True
        raw_info = await txn.get(keys.txn_info_key(iid, index.tablet_index.db_id, txn_id))
        if raw_info is None:
            return True
        info = cloud_pb2.TxnInfoPB()
        try:
            info.ParseFromString(raw_info)
        except DecodeError:
            return False
        return info.status in _FINISHED

    return await run_txn(kv, read)


def tmp_rowset_due(cfg: RecyclerConfig, rs: olap_file_pb2.RowsetMetaCloudPB, now_s: int) -> bool:
    base = rs.txn_expiration if rs.txn_expiration > 0 else rs.creation_time
    return now_s >= base + cfg.retention_seconds


async def recycle_tmp_rowsets(
    kv: TxnKv,
    cfg: RecyclerConfig,
    iid: str,
    res: JobResult,
    now_s: Callable[[], int],
    locations_of: Callable[[], Awaitable[dict[str, Location]]],
) -> None:
    begin, end = keys.sub_range("meta", iid, "rowset_tmp")
    opts = cfg.client_options()
    chunked: Chunked[bytes] = Chunked(kv, "removing tmp rowsets")
    schemas = SchemaIndexes(kv, iid)
    finished: dict[int, bool] = {}
    locations: dict[str, Location] | None = None
    recycled = 0

    async def remove(txn: Txn, chunk: Sequence[bytes]) -> int:
        for k in chunk:
            txn.remove(k)
        return len(chunk)

    async for batch in pages(kv, begin, end, GC_BATCH):
        now = now_s()
        work: dict[str, list[RowsetWork]] = collections.defaultdict(list)
        no_data: list[bytes] = []
        for k, v in batch:
            rs = olap_file_pb2.RowsetMetaCloudPB()
            try:
                rs.ParseFromString(v)
            except DecodeError:
                log_event(log, "recycle_tmp_rowset_malformed", logging.WARNING, instance_id=iid, key=k.hex())
                continue
            if not tmp_rowset_due(cfg, rs, now):
                continue
            _, fields = keys.decode_key(k)  # "meta" iid "rowset_tmp" txn_id tablet_id
            txn_id, tablet_id = int(fields[3]), int(fields[4])
            if txn_id not in finished:
                finished[txn_id] = await txn_finished(kv, iid, txn_id)
            if not finished[txn_id]:
                continue
            if not rs.HasField("resource_id") or not rs.rowset_id_v2:
                if rs.num_segments > 0:
                    log_event(log, "recycle_tmp_rowset_no_resource", logging.WARNING, instance_id=iid, key=k.hex())
                else:
                    no_data.append(k)  # e.g. a delete-predicate rowset: no objects
                continue
            rel = await rowset_files(rs, tablet_id, rs.rowset_id_v2, schemas)
            size = rs.total_disk_size if rel is not None else 0
            work[rs.resource_id].append((k, rel, rowset_prefix(tablet_id, rs.rowset_id_v2), size))
        done = list(no_data)
        if work:
            if locations is None:
                locations = await locations_of()
            done += await delete_rowset_objects(iid, work, locations, opts, res)
        if done:
            recycled += await chunked.run(sorted(done), remove, lambda n: _count(res, n))
        if len(batch) < GC_BATCH:
            break
    if recycled:
        log_event(log, "recycle_tmp_rowsets_done", instance_id=iid, rowsets=recycled)


def _count(res: JobResult, n: int) -> None:
    res.tmp_rowsets_recycled += n
    res.keys_deleted += n
