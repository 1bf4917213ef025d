"""Routine GC of the version keys of tables that no longer exist, as upstream's
`InstanceRecycler::recycle_versions` (apache/doris cloud/src/recycler/recycler.cpp):

* the partition version keys (`version <iid> "partition" <db> <table> <partition>`) are scanned in
  key order; each table met there is checked once;
* a table that still has a tablet stats key (`stats <iid> "tablet" <table> ...`, written with
  every tablet by create_tablets and removed with the tablet when its index or partition is
  recycled) is live and left alone;
* otherwise, in one transaction that re-reads the stats range (so a tablet created meanwhile
  conflicts or keeps the table): all its partition version keys of that db, its table version
  key (`version <iid> "table" <db> <table>`), its merge-on-write delete-bitmap update lock
  (`meta <iid> "delete_bitmap_lock" <table> -1`) and its `meta <iid> "mow_tablet_job" <table> *`
  keys go.

There is no retention: the table's tablets are gone already (the dropped index/partition GC ran
after its own retention). A table version key without any partition version key is not reached,
as upstream. A dropped partition's own version key goes with its `recycle partition` record
(instance.py), while the table lives on.
"""

from __future__ import annotations

import logging

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.recycler.config import JobResult

log = logging.getLogger("dorisctl.recycler")

PAGE = 1000  # partition version keys read per read-only transaction


async def recycle_versions(kv: TxnKv, iid: str, res: JobResult) -> None:
    begin, end = keys.sub_range("version", iid, "partition")
    last_table: int | None = None
    recycled = 0
    lo = begin
    while True:

        async def page(txn: Txn, lo: bytes = lo) -> list[bytes]:
            return [k for k, _ in await txn.get_range(lo, end, limit=PAGE)]

        rows = await run_txn(kv, page)
        for k in rows:
            _, fields = keys.decode_key(k)
            db_id, table_id = int(fields[3]), int(fields[4])
            if table_id == last_table:
                continue  # each table once, as upstream (its keys are adjacent)
            last_table = table_id
            removed = await _remove_if_orphan(kv, iid, db_id, table_id)
            if removed:
                recycled += 1
                res.versions_recycled += 1
                res.keys_deleted += removed
        if len(rows) < PAGE:
            break
        lo = rows[-1] + b"\x00"
    if recycled:
        log_event(log, "recycle_versions_done", instance_id=iid, tables=recycled)


async def _remove_if_orphan(kv: TxnKv, iid: str, db_id: int, table_id: int) -> int:
    """The keys removed (0 when the table still has a tablet)."""
    stats = (
        keys.stats_tablet_key(iid, table_id, 0, 0, 0),
        keys.stats_tablet_key(iid, table_id, keys.INT64_MAX, 0, 0),
    )
    versions = (
        keys.partition_version_key(iid, db_id, table_id, 0),
        keys.partition_version_key(iid, db_id, table_id, keys.INT64_MAX),
    )
    jobs = (keys.mow_tablet_job_key(iid, table_id, 0), keys.mow_tablet_job_key(iid, table_id, keys.INT64_MAX))

    async def remove(txn: Txn) -> int:
        if await txn.get_range(*stats, limit=1):
            return 0  # the table is live
        # counted for the status route (read in this transaction: what the removal takes)
        n = len(await txn.get_range(*versions)) + len(await txn.get_range(*jobs))
        table_key = keys.table_version_key(iid, db_id, table_id)
        lock_key = keys.meta_delete_bitmap_update_lock_key(iid, table_id, -1)
        n += sum([await txn.get(table_key) is not None, await txn.get(lock_key) is not None])
        txn.remove_range(*versions)
        txn.remove(table_key)
        txn.remove(lock_key)
        txn.remove_range(*jobs)
        return n

    removed = await run_txn(kv, remove)
    if removed:
        log_event(log, "recycle_table_versions_removed", instance_id=iid, db_id=db_id, table_id=table_id)
    return removed
