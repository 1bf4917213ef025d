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
from dataclasses import asdict, dataclass, field
from typing import Any

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.instances import load_instance, node_counts, open_sk
from dorisctl.metaservice.objstore import ClientOptions, DeleteStats, Location, ObjStore, ObjStoreError
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.service import Service

log = logging.getLogger("dorisctl.recycler")

InstanceInfoPB = cloud_pb2.InstanceInfoPB
JobRecyclePB = cloud_pb2.JobRecyclePB
RecycleRowsetPB = cloud_pb2.RecycleRowsetPB

INT64_MAX = (1 << 63) - 1
VERSIONSTAMP_LEN = 10
KV_DELETE_FAMILIES = ("txn", "version", "meta", "recycle", "copy")
GC_BATCH = 500  # records handled per KV transaction in routine GC
PROGRESS_LOG_SECONDS = 5.0
_NODE_INDEX_PREFIX = keys.make_key(keys.SYSTEM_SPACE, "system", "dorisctl", "node")
NODE_INDEX_RANGE = (_NODE_INDEX_PREFIX, _NODE_INDEX_PREFIX + b"\xff")


@dataclass
class RecyclerConfig:
    """Doris's recycler knobs (names and defaults as in Doris, spec 8)."""

    recycle_interval_seconds: float = 3600
    recycler_sleep_before_scheduling_seconds: float = 60
    recycle_concurrency: int = 16
    recycle_whitelist: list[str] = field(default_factory=list)
    recycle_blacklist: list[str] = field(default_factory=list)
    recycle_job_lease_expired_ms: int = 60000
    label_keep_max_second: int = 259200
    retention_seconds: int = 259200
    compacted_rowset_retention_seconds: int = 1800
    dropped_index_retention_seconds: int = 10800
    dropped_partition_retention_seconds: int = 10800
    s3_client_http_scheme: str = "http"
    s3_delete_concurrency: int = 8
    s3_connect_timeout_seconds: float = 3.0
    s3_read_timeout_seconds: float = 30.0
    s3_max_attempts: int = 3
    history_size: int = 200

    def client_options(self) -> ClientOptions:
        return ClientOptions(
            scheme=self.s3_client_http_scheme,
            connect_timeout=self.s3_connect_timeout_seconds,
            read_timeout=self.s3_read_timeout_seconds,
            max_attempts=self.s3_max_attempts,
            delete_concurrency=self.s3_delete_concurrency,
        )


@dataclass
class JobResult:
    """What one job did (shown by the status route)."""

    instance_id: str
    kind: str = ""  # destroy | gc | none
    outcome: str = "running"  # done | failed | busy | skipped | missing | lease_lost | running
    error: str = ""
    started_ms: int = 0
    finished_ms: int = 0
    seconds: float = 0.0
    objects_deleted: int = 0
    bytes_deleted: int = 0
    keys_deleted: int = 0
    txns_aborted: int = 0
    labels_expired: int = 0
    rowsets_recycled: int = 0
    indexes_recycled: int = 0
    partitions_recycled: int = 0
    tablets_recycled: int = 0
    s3_seconds: float = 0.0
    lease_renewals: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class LeaseLost(Exception):
    pass


class InstanceBusy(Exception):
    pass


def sub_range(family: str, instance_id: str, infix: str) -> tuple[bytes, bytes]:
    """All keys `family iid infix ...` for one instance."""
    return (
        keys.make_key(keys.USER_SPACE, family, instance_id, infix),
        keys.make_key(keys.USER_SPACE, family, instance_id, infix + "\x00"),
    )


def instance_delete_ranges(instance_id: str) -> list[tuple[bytes, bytes]]:
    """Spec 8 step 2, exactly."""
    out = [keys.family_range(f, instance_id) for f in KV_DELETE_FAMILIES]
    out.append((keys.stats_tablet_key(instance_id, 0, 0, 0, 0), keys.stats_tablet_key(instance_id, INT64_MAX, 0, 0, 0)))
    out.append((keys.job_tablet_key(instance_id, 0, 0, 0, 0), keys.job_tablet_key(instance_id, INT64_MAX, 0, 0, 0)))
    out.append((keys.storage_vault_key(instance_id, ""), keys.storage_vault_key(instance_id, "\xff")))
    return out


def _passes_lists(cfg: RecyclerConfig, iid: str) -> bool:
    if cfg.recycle_whitelist:
        return iid in cfg.recycle_whitelist
    return iid not in cfg.recycle_blacklist


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
                log_event(log, "recycler_scan_failed", logging.WARNING, error=f"{type(e).__name__}: {e}")

    async def scan_and_enqueue(self) -> list[str]:
        begin, end = keys.instance_range()

        async def scan(txn: Txn) -> list[str]:
            out = []
            for k, _ in await txn.get_range(begin, end):
                _, fields = keys.decode_key(k)
                if len(fields) == 2 and isinstance(fields[1], bytes):
                    out.append(fields[1].decode())
            return out

        ids = [i for i in await run_txn(self.kv, scan) if _passes_lists(self.cfg, i)]
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

    async def acquire_lease(self, iid: str, *, force: bool = True) -> bool:
        """Take `job <iid> recycle`; False if busy (or, unless forced, recycled this interval)."""
        key = keys.job_recycle_key(iid)
        lease_ms = self.cfg.recycle_job_lease_expired_ms
        interval_ms = int(self.cfg.recycle_interval_seconds * 1000)

        async def take(txn: Txn) -> bool:
            now = self.svc.now_ms()
            job = JobRecyclePB()
            raw = await txn.get(key)
            if raw is not None:
                job.ParseFromString(raw)
                if job.status == JobRecyclePB.BUSY and job.expiration_time_ms > now:
                    raise InstanceBusy(f"held by {job.ip_port} until {job.expiration_time_ms}")
                if not force and job.last_ctime_ms and now - job.last_ctime_ms < interval_ms:
                    return False
            job.instance_id = iid
            job.ip_port = self.ip_port
            job.status = JobRecyclePB.BUSY
            job.last_ctime_ms = now
            job.expiration_time_ms = now + lease_ms
            txn.put(key, job.SerializeToString())
            return True

        return await run_txn(self.kv, take)

    async def _renew_lease(self, iid: str) -> None:
        key = keys.job_recycle_key(iid)

        async def renew(txn: Txn) -> None:
            job = await self.check_lease(txn, iid)
            job.expiration_time_ms = self.svc.now_ms() + self.cfg.recycle_job_lease_expired_ms
            txn.put(key, job.SerializeToString())

        await run_txn(self.kv, renew)

    async def check_lease(self, txn: Txn, iid: str) -> JobRecyclePB:
        """The lease record, which must still be ours (the read is also the transaction's conflict
        guard: a destructive commit fails if another recycler took the lease meanwhile)."""
        raw = await txn.get(keys.job_recycle_key(iid))
        job = JobRecyclePB()
        if raw is not None:
            job.ParseFromString(raw)
        if raw is None or job.ip_port != self.ip_port or job.status != JobRecyclePB.BUSY:
            raise LeaseLost(f"lease of {iid} is now held by {job.ip_port or 'nobody'}")
        return job

    async def release_lease(self, iid: str, success: bool) -> None:
        key = keys.job_recycle_key(iid)

        async def release(txn: Txn) -> None:
            raw = await txn.get(key)
            job = JobRecyclePB()
            if raw is not None:
                job.ParseFromString(raw)
            if raw is None or job.ip_port != self.ip_port:
                return
            now = self.svc.now_ms()
            job.status = JobRecyclePB.IDLE
            job.last_finish_time_ms = now
            if success:
                job.last_success_time_ms = now
            txn.put(key, job.SerializeToString())

        await run_txn(self.kv, release)

    # -- one job ---------------------------------------------------------------------------------

    async def recycle_instance(self, iid: str, *, force: bool = True) -> JobResult:
        """Run one job for an instance now (under the lease) and return what it did."""
        res = JobResult(instance_id=iid, started_ms=self.svc.now_ms())
        started = time.perf_counter()
        if iid in self._running:
            res.outcome = "busy"
            res.error = "already running in this recycler"
            return res
        try:
            if not await self.acquire_lease(iid, force=force):
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
            res.outcome, res.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await renewer
            self._running.pop(iid, None)
            res.finished_ms = self.svc.now_ms()
            res.seconds = round(time.perf_counter() - started, 3)
            self.history.append(res)
            with contextlib.suppress(Exception):
                await self.release_lease(iid, success)
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
                await self._renew_lease(iid)
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
            await self._destroy(inst, res)
        elif inst.status == InstanceInfoPB.NORMAL:
            res.kind = "gc"
            await self._routine_gc(inst, res)
        else:
            res.kind = "none"
            log_event(log, "recycle_invalid_instance_status", instance_id=iid, status=int(inst.status))
        res.outcome = "done"

    # -- storage locations -----------------------------------------------------------------------

    def _location(self, obj: cloud_pb2.ObjectStoreInfoPB, label: str) -> Location:
        return Location(
            endpoint=obj.endpoint,
            region=obj.region,
            bucket=obj.bucket,
            prefix=obj.prefix,
            ak=obj.ak,
            sk=open_sk(self.svc, obj) if obj.ak else "",
            use_path_style=obj.use_path_style,
            label=label,
        )

    async def _locations(self, inst: cloud_pb2.InstanceInfoPB) -> dict[str, Location]:
        """Resource id -> location, for obj_info entries and S3 storage vaults."""
        out: dict[str, Location] = {}
        for obj in inst.obj_info:
            out[obj.id] = self._location(obj, f"obj_info {obj.id}")
        begin, end = keys.storage_vault_key(inst.instance_id, ""), keys.storage_vault_key(inst.instance_id, "\xff")
        for _, raw in await self._read_page(begin, end):
            vault = cloud_pb2.StorageVaultPB()
            vault.ParseFromString(raw)
            if vault.HasField("obj_info"):
                out[vault.id] = self._location(vault.obj_info, f"vault {vault.id}")
            elif vault.HasField("hdfs_info"):
                raise ObjStoreError(f"vault {vault.id}: HDFS vaults are not supported by dorisctl's recycler")
        return out

    # -- DELETED: destroy ------------------------------------------------------------------------

    async def _destroy(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
        iid = inst.instance_id
        opts = self.cfg.client_options()
        for loc in (await self._locations(inst)).values():
            if not loc.prefix.strip("/"):
                raise ObjStoreError(f"{loc!r}: refusing to delete a location without a prefix (whole bucket)")
            store = ObjStore(loc, opts)
            last_log = [time.monotonic()]
            base = res.objects_deleted

            def progress(
                stats: DeleteStats, loc: Location = loc, last_log: list[float] = last_log, base: int = base
            ) -> None:
                res.objects_deleted = base + stats.objects  # live figure for the status route
                if time.monotonic() - last_log[0] >= PROGRESS_LOG_SECONDS:
                    last_log[0] = time.monotonic()
                    log_event(
                        log, "recycle_delete_progress", instance_id=iid, location=loc.label, objects=stats.objects
                    )

            try:
                stats = await asyncio.to_thread(store.delete_prefix, "", progress)
            finally:
                store.close()
            res.objects_deleted = base + stats.objects
            res.bytes_deleted += stats.bytes
            res.s3_seconds += round(stats.seconds, 3)
            log_event(
                log,
                "recycle_location_emptied",
                instance_id=iid,
                location=loc.label,
                bucket=loc.bucket,
                prefix=loc.key_prefix,
                objects=stats.objects,
                bytes=stats.bytes,
                seconds=round(stats.seconds, 3),
                objects_per_s=round(stats.objects / stats.seconds) if stats.seconds > 0 else 0,
            )
        ranges = instance_delete_ranges(iid)
        res.keys_deleted += await self._count_ranges(ranges)

        async def delete_ranges(txn: Txn) -> None:
            await self.check_lease(txn, iid)
            current = await load_instance(txn, iid)
            if current is None or current.status != InstanceInfoPB.DELETED:
                raise LeaseLost(f"instance {iid} is no longer DELETED")
            for begin, end in ranges:
                txn.remove_range(begin, end)
            for cuid in node_counts(current):
                txn.remove(keys.node_index_key(cuid, iid))
            # stale node-index entries naming this instance (the index is small: one key per node)
            begin, end = NODE_INDEX_RANGE
            for k, v in await txn.get_range(begin, end):
                if v == iid.encode():
                    txn.remove(k)

        await run_txn(self.kv, delete_ranges)
        log_event(log, "recycle_kv_ranges_deleted", instance_id=iid, keys=res.keys_deleted)

        async def delete_instance(txn: Txn) -> None:
            await self.check_lease(txn, iid)
            current = await load_instance(txn, iid)
            if current is None:
                return
            if current.status != InstanceInfoPB.DELETED:
                raise LeaseLost(f"instance {iid} is no longer DELETED")
            txn.remove(keys.instance_key(iid))

        await run_txn(self.kv, delete_instance)
        res.keys_deleted += 1
        log_event(log, "recycle_instance_key_deleted", instance_id=iid)

    async def _count_ranges(self, ranges: list[tuple[bytes, bytes]], page: int = 10000) -> int:
        """Keys in the ranges, counted in pages of read-only transactions just before deletion."""
        total = 0
        for begin, end in ranges:
            lo = begin
            while True:
                rows = await self._read_page(lo, end, page)
                total += len(rows)
                if len(rows) < page:
                    break
                lo = rows[-1][0] + b"\x00"
        return total

    async def _read_page(self, begin: bytes, end: bytes, limit: int = 0) -> list[tuple[bytes, bytes]]:
        async def read(txn: Txn) -> list[tuple[bytes, bytes]]:
            return [(k, v) for k, v in await txn.get_range(begin, end, limit=limit)]

        return await run_txn(self.kv, read)

    # -- NORMAL: routine GC ----------------------------------------------------------------------

    async def _routine_gc(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
        iid = inst.instance_id
        res.txns_aborted += await self._abort_timeout_txns(iid)
        res.labels_expired += await self._expire_labels(iid)
        await self._recycle_dropped(inst, res, "index")
        await self._recycle_dropped(inst, res, "partition")
        await self._recycle_rowsets(inst, res)

    async def _scan_batches(self, begin: bytes, end: bytes) -> list[list[tuple[bytes, bytes]]]:
        rows = await self._read_page(begin, end)
        return [rows[i : i + GC_BATCH] for i in range(0, len(rows), GC_BATCH)]

    async def _abort_timeout_txns(self, iid: str) -> int:
        begin, end = sub_range("txn", iid, "txn_running")
        aborted = 0
        for batch in await self._scan_batches(begin, end):
            now = self.svc.now_ms()
            expired = []
            for k, v in batch:
                running = cloud_pb2.TxnRunningPB()
                running.ParseFromString(v)
                if running.timeout_time < now:
                    expired.append(k)
            if not expired:
                continue

            async def abort(txn: Txn, expired: list[bytes] = expired) -> int:
                n = 0
                now_ms = self.svc.now_ms()
                for k in expired:
                    raw = await txn.get(k)
                    if raw is None:
                        continue
                    running = cloud_pb2.TxnRunningPB()
                    running.ParseFromString(raw)
                    if running.timeout_time >= now_ms:
                        continue
                    _, fields = keys.decode_key(k)
                    db_id, txn_id = int(fields[3]), int(fields[4])
                    info_key = keys.txn_info_key(iid, db_id, txn_id)
                    raw_info = await txn.get(info_key)
                    if raw_info is None:
                        txn.remove(k)
                        continue
                    info = cloud_pb2.TxnInfoPB()
                    info.ParseFromString(raw_info)
                    if info.status not in (cloud_pb2.TXN_STATUS_PREPARED, cloud_pb2.TXN_STATUS_PRECOMMITTED):
                        continue  # committed/visible/aborted: the producer finishes it
                    info.status = cloud_pb2.TXN_STATUS_ABORTED
                    info.finish_time = now_ms
                    info.reason = "timeout by recycler"
                    txn.put(info_key, info.SerializeToString())
                    txn.remove(k)
                    rec = cloud_pb2.RecycleTxnPB(creation_time=now_ms, label=info.label)
                    txn.put(keys.recycle_txn_key(iid, db_id, txn_id), rec.SerializeToString())
                    n += 1
                return n

            aborted += await run_txn(self.kv, abort)
        if aborted:
            log_event(log, "recycle_txns_aborted", instance_id=iid, count=aborted)
        return aborted

    async def _expire_labels(self, iid: str) -> int:
        begin, end = sub_range("recycle", iid, "txn")
        keep_ms = self.cfg.label_keep_max_second * 1000
        expired_total = 0
        for batch in await self._scan_batches(begin, end):
            now = self.svc.now_ms()
            expired = []
            for k, v in batch:
                rec = cloud_pb2.RecycleTxnPB()
                rec.ParseFromString(v)
                if rec.immediate or rec.creation_time + keep_ms <= now:
                    expired.append(k)
            if not expired:
                continue

            async def expire(txn: Txn, expired: list[bytes] = expired) -> int:
                n = 0
                for k in expired:
                    if await txn.get(k) is None:
                        continue
                    _, fields = keys.decode_key(k)
                    db_id, txn_id = int(fields[3]), int(fields[4])
                    info_key = keys.txn_info_key(iid, db_id, txn_id)
                    raw_info = await txn.get(info_key)
                    if raw_info is not None:
                        info = cloud_pb2.TxnInfoPB()
                        info.ParseFromString(raw_info)
                        await self._drop_from_label(txn, iid, db_id, info.label, txn_id)
                        txn.remove(info_key)
                    txn.remove(keys.txn_index_key(iid, txn_id))
                    txn.remove(k)
                    n += 1
                return n

            expired_total += await run_txn(self.kv, expire)
        if expired_total:
            log_event(log, "recycle_labels_expired", instance_id=iid, count=expired_total)
        return expired_total

    @staticmethod
    async def _drop_from_label(txn: Txn, iid: str, db_id: int, label: str, txn_id: int) -> None:
        if not label:
            return
        label_key = keys.txn_label_key(iid, db_id, label)
        raw = await txn.get(label_key)
        if raw is None:
            return
        body, stamp = (raw[:-VERSIONSTAMP_LEN], raw[-VERSIONSTAMP_LEN:]) if len(raw) >= VERSIONSTAMP_LEN else (raw, b"")
        pb = cloud_pb2.TxnLabelPB()
        pb.ParseFromString(body)
        ids = [i for i in pb.txn_ids if i != txn_id]
        if not ids:
            txn.remove(label_key)
        elif len(ids) != len(pb.txn_ids):
            txn.put(label_key, cloud_pb2.TxnLabelPB(txn_ids=ids).SerializeToString() + stamp)

    def _rowset_expired(self, rs: cloud_pb2.RecycleRowsetPB, now_s: int) -> bool:
        base = rs.expiration if rs.expiration > 0 else rs.creation_time
        if rs.type == RecycleRowsetPB.COMPACT:
            retention = self.cfg.compacted_rowset_retention_seconds
        else:
            retention = self.cfg.retention_seconds
        return base + retention <= now_s

    async def _recycle_rowsets(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
        iid = inst.instance_id
        begin, end = sub_range("recycle", iid, "rowset")
        locations: dict[str, Location] | None = None
        opts = self.cfg.client_options()
        for batch in await self._scan_batches(begin, end):
            now_s = self.svc.now_s()
            # per resource: (key, rel object keys or None for "list by prefix", prefix, bytes)
            work: dict[str, list[tuple[bytes, list[str] | None, str, int]]] = collections.defaultdict(list)
            for k, v in batch:
                rs = RecycleRowsetPB()
                rs.ParseFromString(v)
                if not self._rowset_expired(rs, now_s):
                    continue
                _, fields = keys.decode_key(k)
                tablet_id = int(fields[3])
                rowset_id = fields[4].decode() if isinstance(fields[4], bytes) else str(fields[4])
                meta = rs.rowset_meta
                resource = rs.resource_id or meta.resource_id
                if rs.HasField("rowset_meta") and meta.HasField("num_segments"):
                    rid = meta.rowset_id_v2 or rowset_id
                    rel: list[str] | None = [f"data/{tablet_id}/{rid}_{seg}.dat" for seg in range(meta.num_segments)]
                    size = meta.total_disk_size
                else:
                    rel, size = None, 0
                work[resource].append((k, rel, f"data/{tablet_id}/{rowset_id}_", size))
            if not work:
                continue
            if locations is None:
                locations = await self._locations(inst)
            done_keys: list[bytes] = []
            for resource, items in work.items():
                loc = locations.get(resource)
                if loc is None:
                    log_event(
                        log, "recycle_rowset_unknown_resource", logging.WARNING, instance_id=iid, resource=resource
                    )
                    continue
                store = ObjStore(loc, opts)
                try:
                    listed = [rel for _, rel, _, _ in items if rel is not None]
                    flat = [key for rel in listed for key in rel]
                    if flat:
                        stats = await asyncio.to_thread(store.delete_keys, flat)
                        res.objects_deleted += stats.objects
                    for _, rel, prefix, size in items:
                        if rel is None:
                            stats = await asyncio.to_thread(store.delete_prefix, prefix)
                            res.objects_deleted += stats.objects
                            res.bytes_deleted += stats.bytes
                        else:
                            res.bytes_deleted += size
                finally:
                    store.close()
                done_keys.extend(k for k, _, _, _ in items)

            async def remove(txn: Txn, done_keys: list[bytes] = done_keys) -> None:
                for k in done_keys:
                    txn.remove(k)

            await run_txn(self.kv, remove)
            res.rowsets_recycled += len(done_keys)
            res.keys_deleted += len(done_keys)
        if res.rowsets_recycled:
            log_event(log, "recycle_rowsets_done", instance_id=iid, rowsets=res.rowsets_recycled)

    # -- NORMAL: dropped indexes and partitions --------------------------------------------------

    def _dropped_expired(self, rec: Any, what: str, now_s: int) -> bool:
        if rec.state not in (cloud_pb2.PREPARED, cloud_pb2.DROPPED, cloud_pb2.RECYCLING):
            return False
        base = rec.expiration if rec.expiration > 0 else rec.creation_time
        retention = self.cfg.retention_seconds
        if rec.state == cloud_pb2.DROPPED:
            dropped = (
                self.cfg.dropped_index_retention_seconds
                if what == "index"
                else self.cfg.dropped_partition_retention_seconds
            )
            retention = min(dropped, retention)
        return bool(base + retention <= now_s)

    async def _recycle_dropped(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult, what: str) -> None:
        """Expired `recycle index` / `recycle partition` records: every tablet's objects and keys, then the record."""
        iid = inst.instance_id
        begin, end = sub_range("recycle", iid, what)
        locations: dict[str, Location] | None = None
        for batch in await self._scan_batches(begin, end):
            now_s = self.svc.now_s()
            for k, v in batch:
                rec: Any = cloud_pb2.RecycleIndexPB() if what == "index" else cloud_pb2.RecyclePartitionPB()
                rec.ParseFromString(v)
                if not self._dropped_expired(rec, what, now_s):
                    continue
                _, fields = keys.decode_key(k)
                obj_id = int(fields[3])
                await self._mark_recycling(k, rec)
                if what == "index":
                    ranges = [
                        (
                            keys.meta_tablet_key(iid, rec.table_id, obj_id, 0, 0),
                            keys.meta_tablet_key(iid, rec.table_id, obj_id, INT64_MAX, 0),
                        )
                    ]
                else:
                    ranges = [
                        (
                            keys.meta_tablet_key(iid, rec.table_id, index_id, obj_id, 0),
                            keys.meta_tablet_key(iid, rec.table_id, index_id, obj_id, INT64_MAX),
                        )
                        for index_id in rec.index_id
                    ]
                tablets: list[tuple[bytes, int, int, int, int]] = []
                for tb, te in ranges:
                    for tk, _ in await self._read_page(tb, te):
                        _, tf = keys.decode_key(tk)
                        tablets.append((tk, int(tf[3]), int(tf[4]), int(tf[5]), int(tf[6])))
                if tablets and locations is None:
                    locations = await self._locations(inst)
                for tablet_key, table_id, index_id, partition_id, tablet_id in tablets:
                    await self._recycle_tablet(
                        iid, locations or {}, res, tablet_key, (table_id, index_id, partition_id, tablet_id)
                    )

                async def finish(txn: Txn, k: bytes = k, rec: Any = rec, obj_id: int = obj_id) -> None:
                    txn.remove(k)
                    if what == "index":
                        schema = keys.make_key(keys.USER_SPACE, "meta", iid, "schema", obj_id)
                        txn.remove_range(schema, schema + b"\xff")
                    elif rec.db_id:
                        txn.remove(keys.partition_version_key(iid, rec.db_id, rec.table_id, obj_id))

                await run_txn(self.kv, finish)
                res.keys_deleted += 1
                if what == "index":
                    res.indexes_recycled += 1
                else:
                    res.partitions_recycled += 1
                log_event(log, f"recycle_{what}_done", instance_id=iid, id=obj_id, tablets=len(tablets))

    async def _mark_recycling(self, key: bytes, rec: Any) -> None:
        if rec.state == cloud_pb2.RECYCLING:
            return
        rec.state = cloud_pb2.RECYCLING

        async def mark(txn: Txn) -> None:
            if await txn.get(key) is not None:
                txn.put(key, rec.SerializeToString())

        await run_txn(self.kv, mark)

    async def _recycle_tablet(
        self,
        iid: str,
        locations: dict[str, Location],
        res: JobResult,
        tablet_key: bytes,
        ids: tuple[int, int, int, int],
    ) -> None:
        """All objects under `<prefix>/data/<tablet_id>/` in every location, then the tablet's keys."""
        table_id, index_id, partition_id, tablet_id = ids
        opts = self.cfg.client_options()
        for loc in locations.values():
            store = ObjStore(loc, opts)
            try:
                stats = await asyncio.to_thread(store.delete_prefix, f"data/{tablet_id}/")
            finally:
                store.close()
            res.objects_deleted += stats.objects
            res.bytes_deleted += stats.bytes

        def prefix_range(*fields: keys.Field) -> tuple[bytes, bytes]:
            p = keys.make_key(keys.USER_SPACE, *fields)
            return p, p + b"\xff"

        ranges = [
            prefix_range("meta", iid, "rowset", tablet_id),
            prefix_range("meta", iid, "delete_bitmap", tablet_id),
            prefix_range("recycle", iid, "rowset", tablet_id),
            prefix_range("stats", iid, "tablet", table_id, index_id, partition_id, tablet_id),
        ]
        res.keys_deleted += await self._count_ranges(ranges) + 1

        async def remove(txn: Txn) -> None:
            for b, e in ranges:
                txn.remove_range(b, e)
            txn.remove(tablet_key)
            txn.remove(keys.meta_tablet_idx_key(iid, tablet_id))
            txn.remove(keys.job_tablet_key(iid, table_id, index_id, partition_id, tablet_id))

        await run_txn(self.kv, remove)
        res.tablets_recycled += 1
