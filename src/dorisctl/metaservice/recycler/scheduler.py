"""The recycler (spec 8): destroys DELETED instances and garbage-collects NORMAL ones.

Scheduling: after `recycler_sleep_before_scheduling_seconds`, every `recycle_interval_seconds`
all instance keys are scanned and instances passing the white/black lists are queued;
`recycle_concurrency` workers take them. `enqueue()` (HTTP `recycle_instance`) queues at once.

One recycler per instance at a time, across processes: the lease record `job <iid> "recycle"`
(JobRecyclePB) is taken in a KV transaction (a BUSY unexpired lease blocks everybody, including
a restarted process with the same ip_port, until it expires), renewed every third of
`recycle_job_lease_expired_ms` while the job runs, and set IDLE at the end. Scheduled rounds skip
an instance whose last job started less than `recycle_interval_seconds` ago; manual requests
(`force=True`) do not, but still respect the lease. The destructive KV transaction re-reads the
lease, so a recycler that lost its lease cannot commit the deletion.

DELETED instance: (1) delete every object under every location's `<prefix>/` (obj_info entries
and S3 storage vaults; a location with an empty prefix is refused — it would be a whole bucket);
(2) one KV transaction removing the txn/version/meta/recycle/copy families, tablet stats, job
tablet keys, storage vault keys and the instance's node-index entries (`job X recycle/check`
are kept); (3) the instance key in a separate transaction. A failure at any step leaves the rest
for the next round. NORMAL instance: abort timed-out txns, expire txn labels/infos after
`label_keep_max_second`, delete the objects and keys of expired recycled rowsets.
OVERDUE: nothing.

The store is read and written only through TxnKv; S3 calls run in threads (objstore.py).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
import uuid
from typing import Any

from dorisctl import metrics
from dorisctl.kv import KvError, Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.model.instances import load_instance
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.recycler.config import InstanceBusy, JobResult, LeaseLost, RecyclerConfig, passes_lists
from dorisctl.metaservice.recycler.instance import InstanceRecycler
from dorisctl.metaservice.recycler.lease import Lease
from dorisctl.metaservice.recycler.objstore import ObjStoreError

log = logging.getLogger("dorisctl.recycler")

InstanceInfoPB = cloud_pb2.InstanceInfoPB
JobRecyclePB = cloud_pb2.JobRecyclePB
RecycleRowsetPB = cloud_pb2.RecycleRowsetPB


class Recycler:
    def __init__(self, svc: Service, cfg: RecyclerConfig | None = None, ip_port: str = "127.0.0.1:0") -> None:
        self.svc = svc
        self.kv: TxnKv = svc.kv
        self.cfg = cfg or RecyclerConfig()
        self.ip_port = ip_port
        self._queue: asyncio.Queue[tuple[str, bool]] = asyncio.Queue()
        self._queued: set[str] = set()
        self._running: dict[str, JobResult] = {}
        self.history: collections.deque[JobResult] = collections.deque(maxlen=self.cfg.history_size)
        self.rounds = 0
        self.last_scan_ms = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self.lease = Lease(svc, self.cfg, ip_port)
        self.instances = InstanceRecycler(svc, self.cfg, self.lease)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._scheduler(), name="recycler-scheduler"))
        for i in range(max(1, self.cfg.recycle_concurrency)):
            self._tasks.append(asyncio.create_task(self._worker(), name=f"recycler-worker-{i}"))
        log_event(
            log,
            "recycler_started",
            ip_port=self.ip_port,
            interval_s=self.cfg.recycle_interval_seconds,
            concurrency=self.cfg.recycle_concurrency,
            first_scan_in_s=self.cfg.recycler_sleep_before_scheduling_seconds,
        )

    async def stop(self) -> None:
        self._stopping = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()
        log_event(log, "recycler_stopped", ip_port=self.ip_port)

    async def _scheduler(self) -> None:
        delay = self.cfg.recycler_sleep_before_scheduling_seconds
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))
            self._wake.clear()
            delay = self.cfg.recycle_interval_seconds
            try:
                await self.scan_and_enqueue()
            except Exception as e:
                log_event(log, "recycler_scan_failed", logging.WARNING, error=describe_failure(e, ""))

    async def scan_and_enqueue(self) -> list[str]:
        begin, end = keys.instance_range()

        async def scan(txn: Txn) -> list[str]:
            out = []
            for k, _ in await txn.get_range(begin, end):
                _, fields = keys.decode_key(k)
                if len(fields) == 2 and isinstance(fields[1], bytes):
                    out.append(fields[1].decode())
            return out

        ids = [i for i in await run_txn(self.kv, scan) if passes_lists(self.cfg, i)]
        self.rounds += 1
        self.last_scan_ms = self.svc.now_ms()
        for iid in ids:
            self._put(iid, force=False)
        log_event(log, "recycler_scan", instances=len(ids), queued=len(self._queued))
        return ids

    def _put(self, iid: str, force: bool) -> None:
        if iid in self._queued:
            return
        self._queued.add(iid)
        self._queue.put_nowait((iid, force))

    async def enqueue(self, instance_ids: list[str]) -> list[str]:
        """Queue instances now (manual request); return an error text per unknown id."""

        async def exists(txn: Txn) -> list[bool]:
            return [await txn.get(keys.instance_key(i)) is not None for i in instance_ids]

        found = await run_txn(self.kv, exists)
        errors = []
        for iid, ok in zip(instance_ids, found, strict=True):
            if ok:
                self._put(iid, force=True)
            else:
                errors.append(f"failed to get instance, instance_id={iid}, err=KeyNotFound")
        return errors

    async def _worker(self) -> None:
        while True:
            iid, force = await self._queue.get()
            self._queued.discard(iid)
            try:
                await self.recycle_instance(iid, force=force)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # recycle_instance records its failures; this is a bug guard
                log.exception("recycler worker error", extra={"fields": {"instance_id": iid, "error": str(e)}})

    def status(self) -> dict[str, Any]:
        return {
            "ip_port": self.ip_port,
            "rounds": self.rounds,
            "last_scan_ms": self.last_scan_ms,
            "queued": sorted(self._queued),
            "running": [r.as_json() for r in self._running.values()],
            "history": [r.as_json() for r in reversed(self.history)],
        }

    # -- the lease -------------------------------------------------------------------------------

    async def recycle_instance(self, iid: str, *, force: bool = True) -> JobResult:
        """Run one job for an instance now (under the lease) and return what it did."""
        res = JobResult(instance_id=iid, started_ms=self.svc.now_ms())
        started = time.perf_counter()
        if iid in self._running:
            res.outcome = "busy"
            res.error = "already running in this recycler"
            return res
        try:
            if not await self.lease.acquire(iid, force=force):
                res.outcome = "skipped"
                return res
        except InstanceBusy as e:
            res.outcome, res.error = "busy", str(e)
            log_event(log, "recycle_instance_busy", instance_id=iid, holder=str(e))
            return res
        self._running[iid] = res
        renewer = asyncio.create_task(self._renew_loop(iid, asyncio.current_task()))
        success = False
        try:
            await self._run_job(iid, res)
            success = res.outcome == "done"
        except LeaseLost as e:
            res.outcome, res.error = "lease_lost", str(e)
        except asyncio.CancelledError:
            if renewer.done() and not renewer.cancelled() and renewer.exception() is not None:
                res.outcome, res.error = "lease_lost", str(renewer.exception())
                current = asyncio.current_task()
                if current is not None:
                    current.uncancel()
            else:
                raise
        except Exception as e:
            res.outcome, res.error = "failed", describe_failure(e, iid)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await renewer
            self._running.pop(iid, None)
            res.finished_ms = self.svc.now_ms()
            res.seconds = round(time.perf_counter() - started, 3)
            self.history.append(res)
            _record_metrics(res)
            with contextlib.suppress(Exception):
                await self.lease.release(iid, success)
            log_event(
                log,
                "recycle_instance_finished",
                logging.INFO if res.outcome == "done" else logging.WARNING,
                instance_id=iid,
                kind=res.kind,
                outcome=res.outcome,
                seconds=res.seconds,
                objects=res.objects_deleted,
                bytes=res.bytes_deleted,
                keys=res.keys_deleted,
                txns_aborted=res.txns_aborted,
                labels_expired=res.labels_expired,
                rowsets=res.rowsets_recycled,
                indexes=res.indexes_recycled,
                partitions=res.partitions_recycled,
                tablets=res.tablets_recycled,
                error=res.error[:300],
            )
        return res

    async def _renew_loop(self, iid: str, job_task: asyncio.Task[Any] | None) -> None:
        period = self.cfg.recycle_job_lease_expired_ms / 3000
        while True:
            await asyncio.sleep(period)
            try:
                await self.lease.renew(iid)
                job = self._running.get(iid)
                if job is not None:
                    job.lease_renewals += 1
            except LeaseLost:
                log_event(log, "recycle_lease_lost", logging.WARNING, instance_id=iid)
                if job_task is not None:
                    job_task.cancel()
                raise
            except Exception as e:  # the store hiccupped: try again next period
                log_event(log, "recycle_lease_renew_failed", logging.WARNING, instance_id=iid, error=str(e))

    async def _run_job(self, iid: str, res: JobResult) -> None:
        inst = await run_txn(self.kv, lambda txn: load_instance(txn, iid))
        if inst is None:
            res.kind, res.outcome = "none", "missing"
            return
        log_event(log, "recycle_instance_started", instance_id=iid, status=InstanceInfoPB.Status.Name(inst.status))
        if inst.status == InstanceInfoPB.DELETED:
            res.kind = "destroy"
            await self.instances.destroy(inst, res)
        elif inst.status == InstanceInfoPB.NORMAL:
            res.kind = "gc"
            await self.instances.routine_gc(inst, res)
        else:
            res.kind = "none"
            log_event(log, "recycle_invalid_instance_status", instance_id=iid, status=int(inst.status))
        res.outcome = "done"


def describe_failure(e: Exception, iid: str) -> str:
    """What an operator reads in recycle_status: the failing component and its message, never a
    Python class name; an unexpected failure points at the log line that has the traceback."""
    if isinstance(e, ObjStoreError):
        return f"object storage: {e}"
    if isinstance(e, KvError):
        return f"meta store: {e}"
    incident = uuid.uuid4().hex[:12]
    log.error(
        "recycle job failed unexpectedly",
        exc_info=e,
        extra={"fields": {"instance_id": iid, "incident": incident}},
    )
    return f"internal error, incident={incident} (see the recycler log)"


def _record_metrics(res: JobResult) -> None:
    metrics.RECYCLER_JOBS.labels(res.kind or "none", res.outcome).inc()
    metrics.RECYCLER_DELETED.labels("objects").inc(res.objects_deleted)
    metrics.RECYCLER_DELETED.labels("bytes").inc(res.bytes_deleted)
    metrics.RECYCLER_DELETED.labels("keys").inc(res.keys_deleted)
    if res.outcome == "done":
        metrics.RECYCLER_LAST_SUCCESS.set(time.time())
