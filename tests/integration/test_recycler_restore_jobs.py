"""Restore jobs are recycled (recycler/restore_jobs.py, upstream's recycle_restore_jobs) on every
store kind (SQLite, PostgreSQL, etcd) with a real S3 (SeaweedFS), driven through the restore
operations: a completed job leaves its keys, a dropped one also its tablet's data; a running one
stays until it times out, then is dropped first and recycled the round after."""

from __future__ import annotations

from typing import Any

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.ops import restore
from dorisctl.metaservice.ops import tablet as tablet_ops
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as ofp
from dorisctl.metaservice.proto.loadjob_records_pb2 import RestoreJobCloudPB
from dorisctl.metaservice.recycler import Recycler
from tests.fixtures.s3 import BUCKET, WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import (  # noqa: F401 - fixture
    count_range,
    create_instance,
    empty_prefix,
    fast_cfg,
    get_kv,
    list_keys,
    put_kv,
    put_objects,
    store,
)

IID = "rst"
CUID = f"1:{IID}:be"
TABLE, INDEX, PART = 5, 7, 20
RETENTION = 259200
Req = pb.RestoreJobRequest


def restore_meta(tablet_id: int) -> ofp.TabletMetaCloudPB:
    meta = ofp.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=tablet_id,
                                 schema_version=0)  # fmt: skip
    meta.schema.CopyFrom(ofp.TabletSchemaCloudPB(keys_type=ofp.DUP_KEYS, schema_version=0))
    rs = meta.rs_metas.add(rowset_id=0, rowset_id_v2=f"r{tablet_id}", tablet_id=tablet_id, start_version=2,
                           end_version=2, resource_id="1")  # fmt: skip
    rs.num_rows, rs.num_segments, rs.total_disk_size = 10, 1, 100
    return meta


async def call(svc: Service, op: Any, req: Any) -> None:
    await run_txn(svc.kv, lambda txn: op(svc, txn, req))


def restore_keys(tablet_id: int) -> list[bytes]:
    return [keys.job_restore_tablet_key(IID, tablet_id), keys.job_restore_rowset_key(IID, tablet_id, 2)]


async def test_restore_jobs_are_recycled(store: Service, s3: WeedMini) -> None:  # noqa: F811
    svc = store
    client = s3.client()
    empty_prefix(client, f"{IID}/")
    await create_instance(svc, IID, s3.endpoint, IID)
    tablets = [1001, 1002, 1003, 1004]
    create = pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=3, tablet_metas=[restore_meta(t) for t in tablets])
    await call(svc, tablet_ops.create_tablets, create)
    for t in tablets:
        await call(svc, restore.prepare_restore_job, Req(cloud_unique_id=CUID, tablet_id=t, tablet_meta=restore_meta(t),
                                                         expiration=600))  # fmt: skip
    # 1001 committed and completed; 1002 aborted before commit; 1003 still preparing; 1004 preparing, stale
    await call(svc, restore.commit_restore_job, Req(cloud_unique_id=CUID, tablet_id=1001))
    await call(svc, restore.finish_restore_job, Req(cloud_unique_id=CUID, tablet_id=1001, action=Req.COMPLETE))
    await call(svc, restore.finish_restore_job, Req(cloud_unique_id=CUID, tablet_id=1002, action=Req.ABORT))
    stale = RestoreJobCloudPB.FromString(await get_kv(svc.kv, keys.job_restore_tablet_key(IID, 1004)) or b"")
    stale.ctime_s = svc.now_s() - 600 - RETENTION - 10  # past ctime + expired_at_s + retention_seconds
    await put_kv(svc.kv, {keys.job_restore_tablet_key(IID, 1004): stale.SerializeToString()})
    objs = {t: [f"{IID}/data/{t}/r{t}_0.dat", f"{IID}/data/{t}/r{t}_0.idx"] for t in tablets}
    put_objects(client, [o for v in objs.values() for o in v])
    bitmap_1002 = keys.meta_delete_bitmap_key(IID, 1002, "r1002", 2, 0) + keys.encode_int64(0)
    await put_kv(svc.kv, {bitmap_1002: b"bm"})

    rec = Recycler(svc, fast_cfg(recycle_interval_seconds=0), ip_port="a:1")
    res = await rec.recycle_instance(IID)

    assert res.outcome == "done", res.error
    assert (res.restore_jobs_recycled, res.restore_jobs_aborted) == (2, 1)
    # completed: its keys go, the restored tablet's rowsets and objects stay
    for k in restore_keys(1001):
        assert await get_kv(svc.kv, k) is None
    assert await get_kv(svc.kv, keys.meta_rowset_key(IID, 1001, 2)) is not None
    # dropped: its tablet's objects and rowset / bitmap keys go too; the tablet key stays
    for k in [*restore_keys(1002), bitmap_1002]:
        assert await get_kv(svc.kv, k) is None
    assert await get_kv(svc.kv, keys.meta_tablet_idx_key(IID, 1002)) is not None
    # stale: dropped this round (data to recycle), kept with its objects; fresh: untouched
    job = RestoreJobCloudPB.FromString(await get_kv(svc.kv, keys.job_restore_tablet_key(IID, 1004)) or b"")
    assert job.state == RestoreJobCloudPB.DROPPED and job.need_recycle_data
    job = RestoreJobCloudPB.FromString(await get_kv(svc.kv, keys.job_restore_tablet_key(IID, 1003)) or b"")
    assert job.state == RestoreJobCloudPB.PREPARED
    assert await get_kv(svc.kv, keys.job_restore_rowset_key(IID, 1003, 2)) is not None
    assert sorted(list_keys(client, f"{IID}/")) == sorted(objs[1001] + objs[1003] + objs[1004])

    res = await rec.recycle_instance(IID)  # the next round recycles the dropped one with its data
    assert res.outcome == "done", res.error
    assert (res.restore_jobs_recycled, res.restore_jobs_aborted) == (1, 0)
    for k in restore_keys(1004):
        assert await get_kv(svc.kv, k) is None
    assert sorted(list_keys(client, f"{IID}/")) == sorted(objs[1001] + objs[1003])
    assert await count_range(svc.kv, *keys.sub_range("job", IID, "restore_tablet")) == 1
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in objs[1001] + objs[1003]]})
