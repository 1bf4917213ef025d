"""What the recycler does to one instance: destroy a DELETED one (objects under every location's
prefix, then its key ranges, then the instance key) or garbage-collect a NORMAL one (timed-out
txns, expired labels, recycled rowsets, tmp rowsets of finished txns, restore jobs, dropped
indexes and partitions, version keys of tables without tablets, COPY INTO state)."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import DecodeError

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.model.instances import load_instance, node_counts, open_sk
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.metaservice.recycler import stages
from dorisctl.metaservice.recycler.chunks import Chunked
from dorisctl.metaservice.recycler.config import GC_BATCH, PROGRESS_LOG_SECONDS, JobResult, LeaseLost, RecyclerConfig
from dorisctl.metaservice.recycler.lease import Lease
from dorisctl.metaservice.recycler.objstore import DeleteStats, Location, ObjStore, ObjStoreError
from dorisctl.metaservice.recycler.restore_jobs import recycle_restore_jobs
from dorisctl.metaservice.recycler.rowset_files import RowsetWork, SchemaIndexes, delete_rowset_objects, rowset_files
from dorisctl.metaservice.recycler.tmp_rowsets import recycle_tmp_rowsets
from dorisctl.metaservice.recycler.versions import recycle_versions

log = logging.getLogger("dorisctl.recycler")

InstanceInfoPB = cloud_pb2.InstanceInfoPB
JobRecyclePB = cloud_pb2.JobRecyclePB
RecycleRowsetPB = cloud_pb2.RecycleRowsetPB
RowsetMetaCloudPB = olap_file_pb2.RowsetMetaCloudPB

INT64_MAX = (1 << 63) - 1
_R = cloud_pb2.RecycleIndexPB
_LIVE_RECORD_STATES = (_R.PREPARED, _R.DROPPED, _R.RECYCLING)
VERSIONSTAMP_LEN = 10


class InstanceRecycler:
    def __init__(self, svc: Service, cfg: RecyclerConfig, lease: Lease) -> None:
        self.svc = svc
        self.kv: TxnKv = svc.kv
        self.cfg = cfg
        self.lease = lease

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

    async def destroy(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
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
        ranges = keys.instance_delete_ranges(iid)
        res.keys_deleted += await self._count_ranges(ranges)

        async def still_deleted(txn: Txn) -> cloud_pb2.InstanceInfoPB:
            await self.lease.check(txn, iid)
            current = await load_instance(txn, iid)
            if current is None or current.status != InstanceInfoPB.DELETED:
                raise LeaseLost(f"instance {iid} is no longer DELETED")
            return current

        async def delete_ranges(txn: Txn) -> set[bytes]:
            current = await still_deleted(txn)
            for begin, end in ranges:
                txn.remove_range(begin, end)
            return {keys.node_index_key(cuid, iid) for cuid in node_counts(current)}

        async def delete_index(txn: Txn, chunk: Sequence[bytes]) -> int:
            await still_deleted(txn)
            for k in chunk:
                txn.remove(k)
            return len(chunk)

        index = await run_txn(self.kv, delete_ranges)
        # and stale node-index entries naming it, found by a read-only scan (on etcd every key a
        # writing transaction reads is one compare: the whole index would not fit in one)
        index.update(k for k, v in await self._read_page(*keys.NODE_INDEX_RANGE) if v == iid.encode())
        # in transactions that fit the store: an instance can have more nodes than etcd's 128 ops
        await Chunked[bytes](self.kv, "removing the node index of a deleted instance").run(sorted(index), delete_index)
        log_event(log, "recycle_kv_ranges_deleted", instance_id=iid, keys=res.keys_deleted)

        async def delete_instance(txn: Txn) -> None:
            await self.lease.check(txn, iid)
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

    async def routine_gc(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
        iid = inst.instance_id
        await self._abort_timeout_txns(iid, res)
        await self._expire_labels(iid, res)
        await self._recycle_dropped(inst, res, "index")
        await self._recycle_dropped(inst, res, "partition")
        await recycle_versions(self.kv, iid, res)  # after the dropped tablets went
        await self._recycle_rowsets(inst, res)
        await recycle_tmp_rowsets(self.kv, self.cfg, iid, res, self.svc.now_s, lambda: self._locations(inst))
        tablet_locations: list[dict[str, Location]] = []

        async def delete_tablet_objects(tablet_id: int) -> None:
            if not tablet_locations:
                tablet_locations.append(await self._locations(inst))
            await self._delete_tablet_objects(iid, tablet_locations[0], res, tablet_id)

        await recycle_restore_jobs(self.kv, self.cfg, iid, res, self.svc.now_s, delete_tablet_objects)
        await stages.recycle_stages(self.svc, self.cfg, inst, res, self._location)
        await stages.recycle_copy_jobs(self.svc, self.cfg, inst, res, self._location)

    async def _scan_batches(self, begin: bytes, end: bytes) -> list[list[tuple[bytes, bytes]]]:
        rows = await self._read_page(begin, end)
        return [rows[i : i + GC_BATCH] for i in range(0, len(rows), GC_BATCH)]

    async def _abort_timeout_txns(self, iid: str, res: JobResult) -> None:
        begin, end = keys.sub_range("txn", iid, "txn_running")
        aborted = 0

        async def abort(txn: Txn, expired: Sequence[bytes]) -> int:
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

        chunked: Chunked[bytes] = Chunked(self.kv, "aborting timed-out txns")
        for batch in await self._scan_batches(begin, end):
            now = self.svc.now_ms()
            expired = []
            for k, v in batch:
                running = cloud_pb2.TxnRunningPB()
                running.ParseFromString(v)
                if running.timeout_time < now:
                    expired.append(k)
            if expired:
                aborted += await chunked.run(expired, abort, lambda n: _count(res, "txns_aborted", n=n))
        if aborted:
            log_event(log, "recycle_txns_aborted", instance_id=iid, count=aborted)

    async def _expire_labels(self, iid: str, res: JobResult) -> None:
        begin, end = keys.sub_range("recycle", iid, "txn")
        keep_ms = self.cfg.label_keep_max_second * 1000
        expired_total = 0

        async def expire(txn: Txn, expired: Sequence[bytes]) -> int:
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

        chunked: Chunked[bytes] = Chunked(self.kv, "expiring labels")
        for batch in await self._scan_batches(begin, end):
            now = self.svc.now_ms()
            expired = []
            for k, v in batch:
                rec = cloud_pb2.RecycleTxnPB()
                rec.ParseFromString(v)
                if rec.immediate or rec.creation_time + keep_ms <= now:
                    expired.append(k)
            if expired:
                expired_total += await chunked.run(expired, expire, lambda n: _count(res, "labels_expired", n=n))
        if expired_total:
            log_event(log, "recycle_labels_expired", instance_id=iid, count=expired_total)

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
        """As upstream's calculate_rowset_expired_time: `(expiration or creation_time) + retention`,
        retention = min(compacted_rowset_retention_seconds, retention_seconds) for COMPACT and DROP
        records (neither carries an expiration), retention_seconds for PREPARE."""
        base = rs.expiration if rs.expiration > 0 else rs.creation_time
        retention = self.cfg.retention_seconds
        if rs.type in (RecycleRowsetPB.COMPACT, RecycleRowsetPB.DROP):
            retention = min(self.cfg.compacted_rowset_retention_seconds, retention)
        return base + retention <= now_s

    async def _recycle_rowsets(self, inst: cloud_pb2.InstanceInfoPB, res: JobResult) -> None:
        iid = inst.instance_id
        begin, end = keys.sub_range("recycle", iid, "rowset")
        locations: dict[str, Location] | None = None
        opts = self.cfg.client_options()
        chunked: Chunked[bytes] = Chunked(self.kv, "removing recycled rowsets")
        schemas = SchemaIndexes(self.kv, iid)
        recycled = 0
        for batch in await self._scan_batches(begin, end):
            now_s = self.svc.now_s()
            # per resource: (key, rel object keys or None for "list by prefix", prefix, bytes)
            work: dict[str, list[RowsetWork]] = collections.defaultdict(list)
            bitmap_ranges: dict[bytes, tuple[bytes, bytes]] = {}  # the rowset's delete bitmaps (MoW)
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
                # segments and inverted-index files (rowset_files.py); a PREPARE rowset's files
                # cannot be named (upstream deletes it by prefix too), nor a record without meta
                rel: list[str] | None = None
                if rs.type != RecycleRowsetPB.PREPARE and rs.HasField("rowset_meta"):
                    rel = await rowset_files(meta, tablet_id, meta.rowset_id_v2 or rowset_id, schemas)
                size = meta.total_disk_size if rel is not None else 0
                work[resource].append((k, rel, f"data/{tablet_id}/{rowset_id}_", size))
                bitmap_ranges[k] = keys.meta_delete_bitmap_rowset_range(iid, tablet_id, rowset_id)
            if not work:
                continue
            if locations is None:
                locations = await self._locations(inst)
            done_keys = await delete_rowset_objects(iid, work, locations, opts, res)

            async def remove(
                txn: Txn, done: Sequence[bytes], ranges: dict[bytes, tuple[bytes, bytes]] = bitmap_ranges
            ) -> int:
                for k in done:
                    txn.remove(k)
                    txn.remove_range(*ranges[k])
                return len(done)

            recycled += await chunked.run(
                done_keys, remove, lambda n: _count(res, "rowsets_recycled", "keys_deleted", n=n)
            )
        if recycled:
            log_event(log, "recycle_rowsets_done", instance_id=iid, rowsets=recycled)

    # -- NORMAL: dropped indexes and partitions --------------------------------------------------

    def _dropped_expired(self, rec: Any, what: str, now_s: int) -> bool:
        if rec.state not in (
            cloud_pb2.RecycleIndexPB.PREPARED,
            cloud_pb2.RecycleIndexPB.DROPPED,
            cloud_pb2.RecycleIndexPB.RECYCLING,
        ):
            return False
        base = rec.expiration if rec.expiration > 0 else rec.creation_time
        retention = self.cfg.retention_seconds
        if rec.state == cloud_pb2.RecycleIndexPB.DROPPED:
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
        begin, end = keys.sub_range("recycle", iid, what)
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
                        schema_dict = keys.meta_schema_dict_key(iid, obj_id)
                        txn.remove_range(schema_dict, schema_dict + b"\xff")
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
        if rec.state == cloud_pb2.RecycleIndexPB.RECYCLING:
            return
        rec.state = cloud_pb2.RecycleIndexPB.RECYCLING

        async def mark(txn: Txn) -> None:
            if await txn.get(key) is not None:
                txn.put(key, rec.SerializeToString())

        await run_txn(self.kv, mark)

    async def _tablet_locations(self, iid: str, locations: dict[str, Location], tablet_id: int) -> list[Location]:
        """Where a tablet's objects are: the locations its rowsets (live, recycled, restored) name by
        `resource_id` (its storage vault, or the obj_info it was written to), as upstream's
        recycle_tablet; every location when none names one (a tablet that never got a rowset
        with a resource id). A resource id without a location fails the round (retried later)."""
        named: set[str] = set()
        for family, infix in (("meta", "rowset"), ("recycle", "rowset"), ("job", "restore_rowset")):
            prefix = keys.make_key(keys.USER_SPACE, family, iid, infix, tablet_id)
            for _, raw in await self._read_page(prefix, prefix + b"\xff"):
                try:
                    if family != "recycle":
                        meta = RowsetMetaCloudPB()
                        meta.ParseFromString(raw)
                        rid = meta.resource_id
                    else:
                        rec = RecycleRowsetPB()
                        rec.ParseFromString(raw)
                        rid = rec.resource_id or rec.rowset_meta.resource_id
                except DecodeError:
                    continue  # a value that names nothing: it does not narrow the locations
                if rid:
                    named.add(rid)
        if not named:
            return list(locations.values())
        missing = sorted(named - locations.keys())
        if missing:
            raise ObjStoreError(f"tablet {tablet_id}: no storage location for resource ids {missing}")
        return [locations[r] for r in sorted(named)]

    async def _delete_tablet_objects(
        self, iid: str, locations: dict[str, Location], res: JobResult, tablet_id: int
    ) -> None:
        """Every object under `<prefix>/data/<tablet_id>/` in the tablet's own locations."""
        opts = self.cfg.client_options()
        for loc in await self._tablet_locations(iid, locations, tablet_id):
            store = ObjStore(loc, opts)
            try:
                stats = await asyncio.to_thread(store.delete_prefix, f"data/{tablet_id}/")
            finally:
                store.close()
            res.objects_deleted += stats.objects
            res.bytes_deleted += stats.bytes

    async def _recycle_tablet(
        self,
        iid: str,
        locations: dict[str, Location],
        res: JobResult,
        tablet_key: bytes,
        ids: tuple[int, int, int, int],
    ) -> None:
        """All objects under `<prefix>/data/<tablet_id>/` in the tablet's own locations, then its keys."""
        table_id, index_id, partition_id, tablet_id = ids
        await self._delete_tablet_objects(iid, locations, res, tablet_id)

        def prefix_range(*fields: keys.Field) -> tuple[bytes, bytes]:
            p = keys.make_key(keys.USER_SPACE, *fields)
            return p, p + b"\xff"

        ranges = [
            prefix_range("meta", iid, "rowset", tablet_id),
            keys.meta_delete_bitmap_tablet_range(iid, tablet_id),
            prefix_range("recycle", iid, "rowset", tablet_id),
            prefix_range("stats", iid, "tablet", table_id, index_id, partition_id, tablet_id),
            prefix_range("job", iid, "restore_rowset", tablet_id),  # a restore job's, with its key below
        ]
        res.keys_deleted += await self._count_ranges(ranges) + 1

        async def remove(txn: Txn) -> None:
            for b, e in ranges:
                txn.remove_range(b, e)
            txn.remove(tablet_key)
            txn.remove(keys.meta_tablet_idx_key(iid, tablet_id))
            txn.remove(keys.meta_pending_delete_bitmap_key(iid, tablet_id))
            txn.remove(keys.job_tablet_key(iid, table_id, index_id, partition_id, tablet_id))
            txn.remove(keys.job_restore_tablet_key(iid, tablet_id))

        await run_txn(self.kv, remove)
        res.tablets_recycled += 1


def _count(res: JobResult, *fields: str, n: int) -> None:
    """Add a committed chunk's count to the job's figures (recycler/chunks.py)."""
    for f in fields:
        setattr(res, f, getattr(res, f) + n)
