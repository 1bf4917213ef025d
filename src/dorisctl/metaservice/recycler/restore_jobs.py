"""Routine GC of restore jobs (`job <iid> "restore_tablet" <tablet_id>` -> RestoreJobCloudPB and its
`job <iid> "restore_rowset" <tablet_id> <version>` rowset metas, ops/restore.py), as upstream's
`InstanceRecycler::recycle_restore_jobs` and `calculate_restore_job_expired_time` (apache/doris
cloud/src/recycler/recycler.cpp):

* a COMPLETED or DROPPED job is due at once; any other is due `retention_seconds` after
  `(mtime_s, or ctime_s when unset) + expired_at_s` (the FE gives up on a restore long before);
* a due job still PREPARED or COMMITTED (its BE never finished it) becomes DROPPED with
  `need_recycle_data` — that is all this round; the next round recycles it;
* any other due job is marked RECYCLING (a finish or a new prepare now fails), then, when
  `need_recycle_data` (a dropped restore), the tablet's data goes as upstream's recycle_tablet:
  every object under `<prefix>/data/<tablet_id>/` in the tablet's locations, then its rowset,
  recycled-rowset and delete-bitmap keys and its pending-bitmap key (the tablet key itself, its
  index and stats stay: they go with the tablet's index or partition); finally the job's
  restore-rowset keys and the job key, in one transaction.

Objects go before keys, so a failed deletion leaves the job (RECYCLING) to the next round.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from google.protobuf.message import DecodeError

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto.loadjob_records_pb2 import RestoreJobCloudPB
from dorisctl.metaservice.recycler.chunks import pages
from dorisctl.metaservice.recycler.config import GC_BATCH, JobResult, RecyclerConfig

log = logging.getLogger("dorisctl.recycler")

State = RestoreJobCloudPB.State


def restore_job_due(cfg: RecyclerConfig, job: RestoreJobCloudPB, now_s: int) -> bool:
    if job.state in (State.DROPPED, State.COMPLETED):
        return True
    last = job.mtime_s if job.HasField("mtime_s") else job.ctime_s
    expiration = last + job.expired_at_s if job.expired_at_s > 0 else last
    return now_s >= expiration + cfg.retention_seconds


def _prefix(*fields: keys.Field) -> tuple[bytes, bytes]:
    p = keys.make_key(keys.USER_SPACE, *fields)
    return p, p + b"\xff"


def _ranges(iid: str, tablet_id: int, with_data: bool) -> list[tuple[bytes, bytes]]:
    """The key ranges a recycled restore job takes with it (its job key aside)."""
    out = [_prefix("job", iid, "restore_rowset", tablet_id)]
    if with_data:
        out += [
            _prefix("meta", iid, "rowset", tablet_id),
            _prefix("recycle", iid, "rowset", tablet_id),
            keys.meta_delete_bitmap_tablet_range(iid, tablet_id),
        ]
    return out


async def recycle_restore_jobs(
    kv: TxnKv,
    cfg: RecyclerConfig,
    iid: str,
    res: JobResult,
    now_s: Callable[[], int],
    delete_tablet_objects: Callable[[int], Awaitable[None]],
) -> None:
    begin, end = keys.sub_range("job", iid, "restore_tablet")
    async for batch in pages(kv, begin, end, GC_BATCH):
        for k, v in batch:
            job = RestoreJobCloudPB()
            try:
                job.ParseFromString(v)
            except DecodeError:
                log_event(log, "recycle_restore_job_malformed", logging.WARNING, instance_id=iid, key=k.hex())
                continue
            if restore_job_due(cfg, job, now_s()):
                await _recycle_one(kv, iid, res, k, delete_tablet_objects)
        if len(batch) < GC_BATCH:
            break


async def _recycle_one(
    kv: TxnKv, iid: str, res: JobResult, key: bytes, delete_tablet_objects: Callable[[int], Awaitable[None]]
) -> None:
    _, fields = keys.decode_key(key)  # "job" iid "restore_tablet" tablet_id
    tablet_id = int(fields[3])

    async def mark(txn: Txn) -> RestoreJobCloudPB | None:
        raw = await txn.get(key)
        if raw is None:
            return None  # recycled meanwhile
        job = RestoreJobCloudPB()
        job.ParseFromString(raw)
        if job.state in (State.PREPARED, State.COMMITTED):
            job.state = State.DROPPED  # timed out: the next round recycles it with its data
            job.need_recycle_data = True
            txn.put(key, job.SerializeToString())
        elif job.state != State.RECYCLING:
            job.state = State.RECYCLING
            txn.put(key, job.SerializeToString())
        return job

    job = await run_txn(kv, mark)
    if job is None:
        return
    if job.state == State.DROPPED:
        res.restore_jobs_aborted += 1
        log_event(log, "recycle_restore_job_aborted", instance_id=iid, tablet_id=tablet_id)
        return
    if job.need_recycle_data:
        await delete_tablet_objects(tablet_id)
    ranges = _ranges(iid, tablet_id, job.need_recycle_data)

    async def count(txn: Txn) -> int:
        total = 0
        for b, e in ranges:
            total += len(await txn.get_range(b, e))
        return total

    n = await run_txn(kv, count)

    async def remove(txn: Txn) -> None:
        for b, e in ranges:
            txn.remove_range(b, e)
        if job.need_recycle_data:
            txn.remove(keys.meta_pending_delete_bitmap_key(iid, tablet_id))
        txn.remove(key)

    await run_txn(kv, remove)
    res.keys_deleted += n + 1
    res.restore_jobs_recycled += 1
    log_event(log, "recycle_restore_job_done", instance_id=iid, tablet_id=tablet_id, with_data=job.need_recycle_data)
