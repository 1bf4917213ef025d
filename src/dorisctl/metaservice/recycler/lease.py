"""The per-instance recycle lease (`job <iid> "recycle"`, JobRecyclePB): one recycler per instance
at a time, across processes. Taken in a KV transaction (a BUSY unexpired lease blocks everybody,
including a restarted process with the same ip_port, until it expires), renewed while the job
runs, set IDLE at the end; `check` inside a destructive transaction makes it fail if the lease
was lost."""

from __future__ import annotations

import logging

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.recycler.config import InstanceBusy, LeaseLost, RecyclerConfig

log = logging.getLogger("dorisctl.recycler")

InstanceInfoPB = cloud_pb2.InstanceInfoPB
JobRecyclePB = cloud_pb2.JobRecyclePB
RecycleRowsetPB = cloud_pb2.RecycleRowsetPB


class Lease:
    def __init__(self, svc: Service, cfg: RecyclerConfig, ip_port: str) -> None:
        self.svc = svc
        self.kv: TxnKv = svc.kv
        self.cfg = cfg
        self.ip_port = ip_port

    async def acquire(self, iid: str, *, force: bool = True) -> bool:
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

    async def renew(self, iid: str) -> None:
        key = keys.job_recycle_key(iid)

        async def renew(txn: Txn) -> None:
            job = await self.check(txn, iid)
            job.expiration_time_ms = self.svc.now_ms() + self.cfg.recycle_job_lease_expired_ms
            txn.put(key, job.SerializeToString())

        await run_txn(self.kv, renew)

    async def check(self, txn: Txn, iid: str) -> JobRecyclePB:
        """The lease record, which must still be ours (the read is also the transaction's conflict
        guard: a destructive commit fails if another recycler took the lease meanwhile)."""
        raw = await txn.get(keys.job_recycle_key(iid))
        job = JobRecyclePB()
        if raw is not None:
            job.ParseFromString(raw)
        if raw is None or job.ip_port != self.ip_port or job.status != JobRecyclePB.BUSY:
            raise LeaseLost(f"lease of {iid} is now held by {job.ip_port or 'nobody'}")
        return job

    async def release(self, iid: str, success: bool) -> None:
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
