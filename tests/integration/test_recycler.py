"""The recycler against a real store (SQLite) and a real S3 (SeaweedFS `weed mini`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dorisctl.kv import Txn, TxnKv, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.model.instances import load_instance
from dorisctl.metaservice.ops import cluster as cluster_ops
from dorisctl.metaservice.ops import ddl
from dorisctl.metaservice.ops import instance as instance_ops
from dorisctl.metaservice.ops import tablet as tablet_ops
from dorisctl.metaservice.ops import vault as vault_ops
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.metaservice.recycler import LeaseLost, Recycler, RecyclerConfig
from dorisctl.metaservice.transport.http.app import build_app
from dorisctl.metaservice.transport.http.recycler import build_recycler_app, recycler_routes
from dorisctl.secrets import load_keyring
from tests.fixtures.s3 import AK, BUCKET, SK, WeedMini, s3  # noqa: F401 - fixture

TOKEN = "test-token"
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Service]:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    yield Service(kv=kv, keyring=load_keyring(tmp_path, env={}))
    await kv.close()


@pytest.fixture
async def store(kv_url: str, tmp_path: Path) -> AsyncIterator[Service]:
    """A Service on each store kind (SQLite, PostgreSQL, etcd: tests/fixtures/kv.py)."""
    kv = open_store(kv_url)
    yield Service(kv=kv, keyring=load_keyring(tmp_path, env={}))
    await kv.close()


def empty_prefix(client: Any, prefix: str, bucket: str = BUCKET) -> None:
    """Remove what an earlier (failed) run left under the prefix of the shared bucket."""
    stale = list_keys(client, prefix, bucket)
    for i in range(0, len(stale), 1000):
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[i : i + 1000]]})


def fast_cfg(**kw: Any) -> RecyclerConfig:
    base: dict[str, Any] = {"recycler_sleep_before_scheduling_seconds": 0, "recycle_concurrency": 2}
    base.update(kw)
    return RecyclerConfig(**base)


# -- helpers ---------------------------------------------------------------------------------------


def put_objects(client: Any, keys_: list[str], bucket: str = BUCKET) -> None:
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: client.put_object(Bucket=bucket, Key=k, Body=b"x" * 100), keys_))


def list_keys(client: Any, prefix: str = "", bucket: str = BUCKET) -> list[str]:
    out: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.extend(c["Key"] for c in page.get("Contents", []))
    return out


async def create_instance(svc: Service, iid: str, endpoint: str, prefix: str) -> None:
    req = cloud_pb2.CreateInstanceRequest(
        instance_id=iid,
        user_id="u",
        name=iid,
        obj_info=ObjectStoreInfoPB(
            ak=AK,
            sk=SK,
            bucket=BUCKET,
            prefix=prefix,
            endpoint=endpoint,
            external_endpoint=endpoint,
            region="us-east-1",
            provider=ObjectStoreInfoPB.S3,
            use_path_style=True,
        ),
    )
    await run_txn(svc.kv, lambda txn: instance_ops.create_instance(svc, txn, req))


async def add_and_drop_cluster_then_drop(svc: Service, iid: str) -> None:
    cluster = cloud_pb2.ClusterPB(
        cluster_id="c1",
        cluster_name="c1",
        type=cloud_pb2.ClusterPB.COMPUTE,
        nodes=[cloud_pb2.NodeInfoPB(cloud_unique_id=f"1:{iid}:be", ip="127.0.0.1", heartbeat_port=9050)],
    )
    add = cloud_pb2.AlterClusterRequest(instance_id=iid, cluster=cluster)
    await run_txn(svc.kv, lambda txn: cluster_ops.add_cluster(svc, txn, add))
    drop = cloud_pb2.AlterClusterRequest(instance_id=iid, cluster=cloud_pb2.ClusterPB(cluster_id="c1"))
    await run_txn(svc.kv, lambda txn: cluster_ops.drop_cluster(svc, txn, drop))
    dropi = cloud_pb2.AlterInstanceRequest(instance_id=iid)
    await run_txn(svc.kv, lambda txn: instance_ops.drop_instance(svc, txn, dropi))


def instance_records(iid: str) -> dict[bytes, bytes]:
    """One key in every per-instance family the recycler must delete, plus the kept job keys."""
    v = b"v"
    return {
        keys.txn_info_key(iid, 1, 2): v,
        keys.txn_label_key(iid, 1, "l"): v,
        keys.partition_version_key(iid, 1, 2, 3): v,
        keys.meta_rowset_key(iid, 5, 2): v,
        keys.meta_tablet_key(iid, 1, 2, 3, 5): v,
        keys.recycle_rowset_key(iid, 5, "r"): v,
        keys.make_key(keys.USER_SPACE, "copy", iid, "job", "s", 1, "c", 0): v,
        keys.stats_tablet_key(iid, 1, 2, 3, 5): v,
        keys.stats_tablet_detached_key(iid, 1, 2, 3, 5, "num_rows"): v,
        keys.job_tablet_key(iid, 1, 2, 3, 5): v,
        keys.storage_vault_key(iid, "9"): cloud_pb2.StorageVaultPB(id="9", name="n").SerializeToString(),
    }


async def put_kv(kv: TxnKv, items: dict[bytes, bytes]) -> None:
    async def write(txn: Txn) -> None:
        for k, val in items.items():
            txn.put(k, val)

    await run_txn(kv, write)


async def get_kv(kv: TxnKv, key: bytes) -> bytes | None:
    return await run_txn(kv, lambda txn: txn.get(key))


async def count_range(kv: TxnKv, begin: bytes, end: bytes) -> int:
    return len(await run_txn(kv, lambda txn: txn.get_range(begin, end)))


# -- DELETED instances -----------------------------------------------------------------------------


async def test_drop_instance_deletes_exactly_its_objects_and_keys(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    client = s3.client()
    mine = [f"p/data/{t}/r{i}_0.dat" for t in range(3) for i in range(700)]  # 2100: three list pages
    others = [f"p2/data/1/r{i}_0.dat" for i in range(30)] + ["pfile", "p-x/a", "px/data/1/r_0.dat"]
    put_objects(client, mine + others)
    await create_instance(svc, "inst1", s3.endpoint, "p")
    await create_instance(svc, "inst10", s3.endpoint, "p2")  # "inst1" is a prefix of it
    await put_kv(svc.kv, instance_records("inst1") | instance_records("inst10"))
    extra = {
        keys.job_check_key("inst1"): b"c",
        keys.node_index_key("stray", "inst1"): b"inst1",
        keys.node_index_key("stray", "inst10"): b"inst10",
    }
    await put_kv(svc.kv, extra)
    await add_and_drop_cluster_then_drop(svc, "inst1")

    rec = Recycler(svc, fast_cfg(), ip_port="127.0.0.1:1")
    res = await rec.recycle_instance("inst1")

    assert res.outcome == "done", res.error
    assert res.kind == "destroy"
    assert res.objects_deleted == len(mine)
    assert res.bytes_deleted == 100 * len(mine)
    assert res.keys_deleted == len(instance_records("inst1")) + 1
    assert list_keys(client, "p/") == []
    assert sorted(list_keys(client)) == sorted(others)
    for begin, end in keys.instance_delete_ranges("inst1"):
        assert await count_range(svc.kv, begin, end) == 0
    assert await get_kv(svc.kv, keys.instance_key("inst1")) is None
    assert await get_kv(svc.kv, keys.job_check_key("inst1")) == b"c"
    assert await get_kv(svc.kv, keys.node_index_key("stray", "inst1")) is None
    assert await get_kv(svc.kv, keys.node_index_key("stray", "inst10")) == b"inst10"
    job = cloud_pb2.JobRecyclePB.FromString(await get_kv(svc.kv, keys.job_recycle_key("inst1")) or b"")
    assert job.status == cloud_pb2.JobRecyclePB.IDLE and job.last_success_time_ms > 0
    # the other instance is untouched
    assert await get_kv(svc.kv, keys.instance_key("inst10")) is not None
    for k in instance_records("inst10"):
        assert await get_kv(svc.kv, k) is not None
    # a NORMAL instance run does nothing destructive; a gone instance is "missing"
    assert (await rec.recycle_instance("inst10")).kind == "gc"
    assert (await rec.recycle_instance("inst1")).outcome == "missing"
    assert len(list_keys(client, "p2/")) == 30
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in others]})


async def test_s3_outage_leaves_everything_for_the_next_round(svc: Service, tmp_path: Path) -> None:
    weed = WeedMini(tmp_path / "weed")
    try:
        weed.start()
        client = weed.client()
        client.create_bucket(Bucket=BUCKET)
        put_objects(client, [f"q/data/1/r{i}_0.dat" for i in range(300)])
        await create_instance(svc, "outage", weed.endpoint, "q")
        await put_kv(svc.kv, instance_records("outage"))
        await add_and_drop_cluster_then_drop(svc, "outage")
        weed.stop()

        rec = Recycler(svc, fast_cfg(s3_max_attempts=1, s3_connect_timeout_seconds=1), ip_port="127.0.0.1:1")
        res = await rec.recycle_instance("outage")
        assert res.outcome == "failed"
        assert "prefix=q" in res.error and SK not in res.error
        assert await get_kv(svc.kv, keys.instance_key("outage")) is not None
        for k in instance_records("outage"):
            assert await get_kv(svc.kv, k) is not None
        job = cloud_pb2.JobRecyclePB.FromString(await get_kv(svc.kv, keys.job_recycle_key("outage")) or b"")
        assert job.status == cloud_pb2.JobRecyclePB.IDLE and job.last_success_time_ms == 0

        weed.start()
        res = await rec.recycle_instance("outage")
        assert res.outcome == "done", res.error
        assert res.objects_deleted == 300
        assert list_keys(weed.client(), "q/") == []
        assert await get_kv(svc.kv, keys.instance_key("outage")) is None
    finally:
        weed.cleanup()


async def test_location_without_prefix_is_refused(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    client = s3.client()
    put_objects(client, ["nopfx/data/1/r_0.dat"])
    await create_instance(svc, "noprefix", s3.endpoint, "")
    await add_and_drop_cluster_then_drop(svc, "noprefix")
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance("noprefix")
    assert res.outcome == "failed" and "refusing" in res.error
    assert list_keys(client, "nopfx/") == ["nopfx/data/1/r_0.dat"]
    assert await get_kv(svc.kv, keys.instance_key("noprefix")) is not None
    client.delete_object(Bucket=BUCKET, Key="nopfx/data/1/r_0.dat")


# -- the lease ------------------------------------------------------------------------------------------


async def test_lease_keeps_a_second_recycler_out(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    put_objects(s3.client(), [f"lease/data/1/r{i}_0.dat" for i in range(400)])
    await create_instance(svc, "leased", s3.endpoint, "lease")
    await add_and_drop_cluster_then_drop(svc, "leased")
    a = Recycler(svc, fast_cfg(), ip_port="10.0.0.1:5000")
    b = Recycler(svc, fast_cfg(), ip_port="10.0.0.2:5000")

    assert await a.lease.acquire("leased")
    res_b = await b.recycle_instance("leased")
    assert res_b.outcome == "busy" and "10.0.0.1:5000" in res_b.error
    assert len(list_keys(s3.client(), "lease/")) == 400
    await a.lease.release("leased", success=False)

    results = await asyncio.gather(a.recycle_instance("leased"), b.recycle_instance("leased"))
    outcomes = sorted(r.outcome for r in results)
    assert outcomes in (["busy", "done"], ["done", "missing"]), outcomes
    assert sum(r.objects_deleted for r in results) == 400
    assert list_keys(s3.client(), "lease/") == []


async def test_lease_expires_and_scheduled_rounds_respect_the_interval(svc: Service) -> None:
    await put_kv(svc.kv, {keys.instance_key("x"): cloud_pb2.InstanceInfoPB(instance_id="x").SerializeToString()})
    a = Recycler(svc, fast_cfg(recycle_job_lease_expired_ms=300), ip_port="a:1")
    b = Recycler(svc, fast_cfg(recycle_job_lease_expired_ms=300), ip_port="b:1")
    assert await a.lease.acquire("x")
    assert (await b.recycle_instance("x")).outcome == "busy"
    await asyncio.sleep(0.4)  # a "crashed": its lease expires
    assert (await b.recycle_instance("x")).outcome == "done"
    # a scheduled (not forced) job within recycle_interval_seconds of the last one is skipped
    assert (await b.recycle_instance("x", force=False)).outcome == "skipped"


async def test_lease_is_renewed_and_a_lost_lease_stops_the_holder(svc: Service) -> None:
    await put_kv(svc.kv, {keys.instance_key("x"): cloud_pb2.InstanceInfoPB(instance_id="x").SerializeToString()})
    a = Recycler(svc, fast_cfg(recycle_job_lease_expired_ms=300), ip_port="a:1")
    b = Recycler(svc, fast_cfg(recycle_job_lease_expired_ms=300), ip_port="b:1")
    assert await a.lease.acquire("x")
    renewer = asyncio.create_task(a._renew_loop("x", None))
    try:
        await asyncio.sleep(0.5)  # past the first expiry: renewed every 100 ms
        assert (await b.recycle_instance("x")).outcome == "busy"
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
    await asyncio.sleep(0.35)  # a stops renewing: the lease expires and b takes it
    assert await b.lease.acquire("x")
    with pytest.raises(LeaseLost):
        await a.lease.renew("x")
    txn = await svc.kv.begin()
    try:
        with pytest.raises(LeaseLost):
            await a.lease.check(txn, "x")
    finally:
        await txn.discard()


# -- routine GC of NORMAL instances ----------------------------------------------------------------------


def txn_info(db: int, txn_id: int, label: str, status: cloud_pb2.TxnStatusPB) -> bytes:
    return cloud_pb2.TxnInfoPB(db_id=db, txn_id=txn_id, label=label, status=status, timeout_ms=1000).SerializeToString()


async def test_gc_aborts_timed_out_txns_and_expires_labels(svc: Service) -> None:
    iid = "gc1"
    now = svc.now_ms()
    await put_kv(svc.kv, {keys.instance_key(iid): cloud_pb2.InstanceInfoPB(instance_id=iid).SerializeToString()})
    stamp = b"\x00" * 8 + b"\x00\x07"
    prepared, visible = cloud_pb2.TXN_STATUS_PREPARED, cloud_pb2.TXN_STATUS_VISIBLE
    await put_kv(
        svc.kv,
        {
            # txn 100 timed out, txn 101 still running, txn 102 already visible (left to its producer)
            keys.txn_info_key(iid, 1, 100): txn_info(1, 100, "a", prepared),
            keys.txn_running_key(iid, 1, 100): cloud_pb2.TxnRunningPB(timeout_time=now - 1000).SerializeToString(),
            keys.txn_info_key(iid, 1, 101): txn_info(1, 101, "b", prepared),
            keys.txn_running_key(iid, 1, 101): cloud_pb2.TxnRunningPB(timeout_time=now + 60000).SerializeToString(),
            keys.txn_info_key(iid, 1, 102): txn_info(1, 102, "c", visible),
            keys.txn_running_key(iid, 1, 102): cloud_pb2.TxnRunningPB(timeout_time=now - 1000).SerializeToString(),
            # label "old" holds txns 200 (expired) and 201 (recent)
            keys.txn_label_key(iid, 1, "old"): cloud_pb2.TxnLabelPB(txn_ids=[200, 201]).SerializeToString() + stamp,
            keys.txn_info_key(iid, 1, 200): txn_info(1, 200, "old", visible),
            keys.txn_index_key(iid, 200): b"i",
            keys.recycle_txn_key(iid, 1, 200): cloud_pb2.RecycleTxnPB(
                creation_time=now - 4 * 86400 * 1000, label="old"
            ).SerializeToString(),
            keys.txn_info_key(iid, 1, 201): txn_info(1, 201, "old", visible),
            keys.txn_index_key(iid, 201): b"i",
            keys.recycle_txn_key(iid, 1, 201): cloud_pb2.RecycleTxnPB(
                creation_time=now, label="old"
            ).SerializeToString(),
        },
    )
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done" and res.kind == "gc"
    assert res.txns_aborted == 1 and res.labels_expired == 1

    info = cloud_pb2.TxnInfoPB.FromString(await get_kv(svc.kv, keys.txn_info_key(iid, 1, 100)) or b"")
    assert info.status == cloud_pb2.TXN_STATUS_ABORTED and info.reason == "timeout by recycler"
    assert await get_kv(svc.kv, keys.txn_running_key(iid, 1, 100)) is None
    assert await get_kv(svc.kv, keys.recycle_txn_key(iid, 1, 100)) is not None
    assert await get_kv(svc.kv, keys.txn_running_key(iid, 1, 101)) is not None
    assert await get_kv(svc.kv, keys.txn_running_key(iid, 1, 102)) is not None
    for gone in (keys.txn_info_key(iid, 1, 200), keys.txn_index_key(iid, 200), keys.recycle_txn_key(iid, 1, 200)):
        assert await get_kv(svc.kv, gone) is None
    label = await get_kv(svc.kv, keys.txn_label_key(iid, 1, "old")) or b""
    assert label.endswith(stamp)
    assert list(cloud_pb2.TxnLabelPB.FromString(label[:-10]).txn_ids) == [201]
    assert await get_kv(svc.kv, keys.txn_info_key(iid, 1, 201)) is not None


async def test_overdue_instance_is_left_alone(svc: Service) -> None:
    iid = "overdue"
    inst = cloud_pb2.InstanceInfoPB(instance_id=iid, status=cloud_pb2.InstanceInfoPB.OVERDUE)
    running = cloud_pb2.TxnRunningPB(timeout_time=1).SerializeToString()
    await put_kv(
        svc.kv,
        {
            keys.instance_key(iid): inst.SerializeToString(),
            keys.txn_info_key(iid, 1, 5): txn_info(1, 5, "a", cloud_pb2.TXN_STATUS_PREPARED),
            keys.txn_running_key(iid, 1, 5): running,
        },
    )
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done" and res.kind == "none"
    assert await get_kv(svc.kv, keys.txn_running_key(iid, 1, 5)) == running


async def test_gc_deletes_objects_of_expired_recycled_rowsets(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    iid = "gcrs"
    client = s3.client()
    objs = {
        "r1": ["gcrs/data/10/r1_0.dat", "gcrs/data/10/r1_1.dat"],  # COMPACT, old -> deleted
        "r10": ["gcrs/data/10/r10_0.dat"],  # COMPACT, fresh -> kept (and not matched by r1_)
        "r3": ["gcrs/data/11/r3_0.dat"],  # PREPARE, expired long ago -> deleted
        "r4": ["gcrs/data/12/r4_0.dat", "gcrs/data/12/r4_1.dat"],  # DROP without meta -> by prefix
    }
    put_objects(client, [k for v in objs.values() for k in v])
    await create_instance(svc, iid, s3.endpoint, "gcrs")
    now = svc.now_s()

    def rowset(tablet: int, rid: str, typ: Any, creation: int, expiration: int = 0, segs: int | None = None) -> bytes:
        rs = cloud_pb2.RecycleRowsetPB(tablet_id=tablet, resource_id="1", creation_time=creation, type=typ)
        if expiration:
            rs.expiration = expiration
        if segs is not None:
            rs.rowset_meta.rowset_id = 0
            rs.rowset_meta.rowset_id_v2 = rid
            rs.rowset_meta.tablet_id = tablet
            rs.rowset_meta.num_segments = segs
            rs.rowset_meta.total_disk_size = 100 * segs
        return rs.SerializeToString()

    compact, prepare, drop = (
        cloud_pb2.RecycleRowsetPB.COMPACT,
        cloud_pb2.RecycleRowsetPB.PREPARE,
        cloud_pb2.RecycleRowsetPB.DROP,
    )
    await put_kv(
        svc.kv,
        {
            keys.recycle_rowset_key(iid, 10, "r1"): rowset(10, "r1", compact, now - 2000, segs=2),
            keys.recycle_rowset_key(iid, 10, "r10"): rowset(10, "r10", compact, now, segs=1),
            keys.recycle_rowset_key(iid, 11, "r3"): rowset(11, "r3", prepare, now - 10, now - 300000, segs=1),
            keys.recycle_rowset_key(iid, 12, "r4"): rowset(12, "r4", drop, now - 300000),
        },
    )
    # merge-on-write delete bitmaps (chunked values) of recycled and of live rowsets
    bitmap_of = {(t, rid): keys.meta_delete_bitmap_key(iid, t, rid, 3, 0) for t, rid in
                 ((10, "r1"), (10, "r10"), (10, "r2"), (11, "r3"), (12, "r4"))}  # fmt: skip
    await put_kv(svc.kv, {k + keys.encode_int64(i): b"bm" for k in bitmap_of.values() for i in (0, 1)})
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done", res.error
    assert res.rowsets_recycled == 3 and res.objects_deleted == 5
    assert list_keys(client, "gcrs/") == objs["r10"]
    assert await get_kv(svc.kv, keys.recycle_rowset_key(iid, 10, "r10")) is not None
    for tablet, rid in ((10, "r1"), (11, "r3"), (12, "r4")):
        assert await get_kv(svc.kv, keys.recycle_rowset_key(iid, tablet, rid)) is None
        assert await count_range(svc.kv, *keys.meta_delete_bitmap_rowset_range(iid, tablet, rid)) == 0
    for tablet, rid in ((10, "r10"), (10, "r2")):  # not recycled (yet): their bitmaps stay
        assert await count_range(svc.kv, *keys.meta_delete_bitmap_rowset_range(iid, tablet, rid)) == 2
    client.delete_object(Bucket=BUCKET, Key=objs["r10"][0])


def tablet_records(iid: str, table: int, index: int, partition: int, tablet: int) -> dict[bytes, bytes]:
    v = b"v"
    return {
        keys.meta_tablet_key(iid, table, index, partition, tablet): v,
        keys.meta_tablet_idx_key(iid, tablet): v,
        keys.meta_rowset_key(iid, tablet, 2): v,
        keys.meta_delete_bitmap_key(iid, tablet, "r", 2, 0) + keys.encode_int64(0): v,
        keys.meta_delete_bitmap_key(iid, tablet, "r", 2, 0) + keys.encode_int64(1): v,
        keys.meta_pending_delete_bitmap_key(iid, tablet): v,
        keys.stats_tablet_key(iid, table, index, partition, tablet): v,
        keys.stats_tablet_detached_key(iid, table, index, partition, tablet, "num_rows"): v,
        keys.job_tablet_key(iid, table, index, partition, tablet): v,
        keys.job_restore_tablet_key(iid, tablet): v,  # a restore job of the tablet goes with it
        keys.job_restore_rowset_key(iid, tablet, 2): v,
    }


async def test_gc_recycles_expired_dropped_indexes_and_partitions(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    iid = "drp"
    client = s3.client()
    gone_objs = ["drp/data/1001/a_0.dat", "drp/data/1002/b_0.dat", "drp/data/2101/c_0.dat"]
    kept_objs = ["drp/data/10010/d_0.dat", "drp/data/2001/e_0.dat", "drp/data/2201/f_0.dat"]
    put_objects(client, gone_objs + kept_objs)
    await create_instance(svc, iid, s3.endpoint, "drp")
    now = svc.now_s()
    old = now - 300000
    dropped = cloud_pb2.RecycleIndexPB.DROPPED
    part_dropped = cloud_pb2.RecyclePartitionPB.DROPPED
    gone = (
        tablet_records(iid, 5, 7, 9, 1001)
        | tablet_records(iid, 5, 7, 10, 1002)
        | tablet_records(iid, 5, 8, 21, 2101)
        | {keys.partition_version_key(iid, 3, 5, 21): b"v", keys.meta_schema_key(iid, 7, 0): b"s"}
        | {keys.meta_schema_dict_key(iid, 7) + keys.encode_int64(0): b"d"}
    )
    kept = (
        tablet_records(iid, 5, 8, 9, 10010)
        | tablet_records(iid, 5, 8, 9, 2001)
        | tablet_records(iid, 5, 8, 20, 2201)
        | {keys.meta_schema_key(iid, 8, 0): b"s", keys.meta_schema_dict_key(iid, 8) + keys.encode_int64(0): b"d"}
    )
    idx = cloud_pb2.RecycleIndexPB(table_id=5, creation_time=now - 20000, state=dropped)
    p20 = cloud_pb2.RecyclePartitionPB(table_id=5, index_id=[8], creation_time=now, state=part_dropped, db_id=3)
    p21 = cloud_pb2.RecyclePartitionPB(
        table_id=5, index_id=[8], creation_time=old, state=cloud_pb2.RecyclePartitionPB.PREPARED, db_id=3
    )
    await put_kv(
        svc.kv,
        gone
        | kept
        | {
            keys.recycle_index_key(iid, 7): idx.SerializeToString(),
            keys.recycle_partition_key(iid, 20): p20.SerializeToString(),
            keys.recycle_partition_key(iid, 21): p21.SerializeToString(),
        },
    )
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done", res.error
    assert (res.indexes_recycled, res.partitions_recycled, res.tablets_recycled) == (1, 1, 3)
    assert res.objects_deleted == 3
    assert sorted(list_keys(client, "drp/")) == sorted(kept_objs)
    for k in gone:
        assert await get_kv(svc.kv, k) is None, keys.decode_key(k)
    for k in kept:
        assert await get_kv(svc.kv, k) is not None, keys.decode_key(k)
    assert await get_kv(svc.kv, keys.recycle_index_key(iid, 7)) is None
    assert await get_kv(svc.kv, keys.recycle_partition_key(iid, 21)) is None
    assert await get_kv(svc.kv, keys.recycle_partition_key(iid, 20)) is not None
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in kept_objs]})


# -- scheduling and HTTP ----------------------------------------------------------------------------------


async def test_scheduler_recycles_dropped_instance_and_http_routes(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    put_objects(s3.client(), [f"sched/data/1/r{i}_0.dat" for i in range(50)])
    await create_instance(svc, "sched", s3.endpoint, "sched")
    await create_instance(svc, "black", s3.endpoint, "black")
    rec = Recycler(svc, fast_cfg(recycle_interval_seconds=0.2, recycle_blacklist=["black"]), ip_port="a:1")
    app = build_app(svc, TOKEN, recycler_routes(rec, TOKEN))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.post("/RecyclerService/http/recycle_status")
        assert r.status_code == 403 and r.text == "incorrect token, token=(not given)\n"
        r = await http.post(
            f"/RecyclerService/http/recycle_instance?token={TOKEN}", content=b'{"instance_ids": ["nope", "sched"]}'
        )
        assert r.status_code == 400
        assert r.json()["msg"] == "failed to get instance, instance_id=nope, err=KeyNotFound"
        await add_and_drop_cluster_then_drop(svc, "sched")
        await add_and_drop_cluster_then_drop(svc, "black")
        rec.start()
        try:
            deadline = time.monotonic() + 15
            while await get_kv(svc.kv, keys.instance_key("sched")) is not None:
                assert time.monotonic() < deadline, "the scheduler did not recycle the instance"
                await asyncio.sleep(0.05)
            r = await http.get(
                "/RecyclerService/http/v1/statistics_recycle", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert r.status_code == 200
            hist = [h for h in r.json()["result"]["history"] if h["instance_id"] == "sched"]
            assert hist and hist[0]["outcome"] == "done" and hist[0]["objects_deleted"] == 50
            assert all(h["instance_id"] != "black" for h in r.json()["result"]["history"])
            assert rec.rounds >= 1
            # the meta-service routes still answer on the same app
            r = await http.get(f"/MetaService/http/get_instance?token={TOKEN}&instance_id=black")
            assert r.status_code == 200
        finally:
            await rec.stop()
    assert list_keys(s3.client(), "sched/") == []
    inst = await run_txn(svc.kv, lambda txn: load_instance(txn, "black"))
    assert inst is not None and inst.status == cloud_pb2.InstanceInfoPB.DELETED


async def test_standalone_recycler_app(svc: Service) -> None:
    rec = Recycler(svc, fast_cfg(), ip_port="a:1")
    transport = httpx.ASGITransport(app=build_recycler_app(rec, TOKEN))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/health")).status_code == 200
        r = await http.post("/RecyclerService/http/recycle_instance?token=wrong", content=b"{}")
        assert r.status_code == 403 and r.text == "incorrect token\n"
        r = await http.post(f"/RecyclerService/http/recycle_instance?token={TOKEN}", content=b"{}")
        assert r.status_code == 400
        r = await http.post(f"/RecyclerService/http/nope?token={TOKEN}")
        assert r.status_code == 404


async def test_gc_reclaims_a_create_table_that_never_committed(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    """What prepare_index/prepare_partition write is what routine GC reclaims: the tablets of a DDL
    the FE prepared but never committed go after retention; committed ones stay."""
    iid, cuid = "ddlgc", "1:ddlgc:fe"
    client = s3.client()
    await create_instance(svc, iid, s3.endpoint, "ddlgc")

    async def call(op: Any, req: Any) -> None:
        await run_txn(svc.kv, lambda txn: op(svc, txn, req))

    async def tablets(index_id: int, partition_id: int, tablet_id: int) -> None:
        meta = olap_file_pb2.TabletMetaCloudPB(
            table_id=5, index_id=index_id, partition_id=partition_id, tablet_id=tablet_id, schema_version=0
        )
        meta.schema.CopyFrom(olap_file_pb2.TabletSchemaCloudPB(schema_version=0))
        await call(
            tablet_ops.create_tablets,
            cloud_pb2.CreateTabletsRequest(cloud_unique_id=cuid, db_id=3, tablet_metas=[meta]),
        )

    # index 7 committed (table created), index 8 prepared only; partition 21 of index 7 prepared only
    await call(ddl.prepare_index, cloud_pb2.IndexRequest(cloud_unique_id=cuid, table_id=5, index_ids=[7, 8]))
    await tablets(7, 20, 1001)
    await tablets(8, 20, 1002)
    await call(ddl.commit_index, cloud_pb2.IndexRequest(cloud_unique_id=cuid, db_id=3, table_id=5, index_ids=[7]))
    part = cloud_pb2.PartitionRequest(cloud_unique_id=cuid, db_id=3, table_id=5, index_ids=[7], partition_ids=[21])
    await call(ddl.prepare_partition, part)
    await tablets(7, 21, 1003)
    put_objects(client, [f"ddlgc/data/{t}/r_0.dat" for t in (1001, 1002, 1003)])

    # before retention nothing moves
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert (res.indexes_recycled, res.partitions_recycled, res.tablets_recycled) == (0, 0, 0)
    res = await Recycler(svc, fast_cfg(retention_seconds=0), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done", res.error
    assert (res.indexes_recycled, res.partitions_recycled, res.tablets_recycled) == (1, 1, 2)
    assert list_keys(client, "ddlgc/") == ["ddlgc/data/1001/r_0.dat"]
    assert await get_kv(svc.kv, keys.meta_tablet_idx_key(iid, 1001)) is not None
    for t in (1002, 1003):
        assert await get_kv(svc.kv, keys.meta_tablet_idx_key(iid, t)) is None
    assert await get_kv(svc.kv, keys.recycle_index_key(iid, 8)) is None
    assert await get_kv(svc.kv, keys.recycle_partition_key(iid, 21)) is None
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "ddlgc/data/1001/r_0.dat"}]})


async def test_dropped_tablets_are_reclaimed_from_their_own_vault(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    """A vault instance: each tablet's objects go from the vault its rowsets name (resource_id),
    and only from there; a rowset naming a vault the instance no longer has fails the round and
    keeps the tablet (retried), as upstream's recycle_tablet."""
    iid, cuid = "vgc", "1:vgc:fe"
    client = s3.client()
    await run_txn(
        svc.kv,
        lambda txn: instance_ops.create_instance(svc, txn, cloud_pb2.CreateInstanceRequest(instance_id=iid, name="n")),
    )
    for name, prefix in (("va", "vgc_a"), ("vb", "vgc_b")):
        req = cloud_pb2.AlterObjStoreInfoRequest(
            cloud_unique_id=cuid, op=cloud_pb2.AlterObjStoreInfoRequest.ADD_S3_VAULT
        )
        req.vault.name = name
        req.vault.obj_info.CopyFrom(
            ObjectStoreInfoPB(ak=AK, sk=SK, bucket=BUCKET, prefix=prefix, endpoint=s3.endpoint, region="us-east-1",
                              external_endpoint=s3.endpoint, provider=ObjectStoreInfoPB.S3, use_path_style=True)
        )  # fmt: skip
        await run_txn(svc.kv, functools.partial(vault_ops.alter_storage_vault, svc, req=req))
    # dropped index 7: tablets 1 (vault 1) and 2 (vault 2); dropped index 9: tablet 3, whose rowset
    # names a vault "7" that does not exist; live index 8: tablet 4 (vault 2)
    records: dict[bytes, bytes] = {}
    for tablet, index, resource in ((1, 7, "1"), (2, 7, "2"), (3, 9, "7"), (4, 8, "2")):
        records |= tablet_records(iid, 5, index, 9, tablet)
        rs = olap_file_pb2.RowsetMetaCloudPB(
            rowset_id=0, tablet_id=tablet, rowset_id_v2=f"r{tablet}", resource_id=resource
        )
        records[keys.meta_rowset_key(iid, tablet, 2)] = rs.SerializeToString()
    old = svc.now_s() - 300000
    for index in (7, 9):
        rec = cloud_pb2.RecycleIndexPB(table_id=5, creation_time=old, state=cloud_pb2.RecycleIndexPB.DROPPED)
        records[keys.recycle_index_key(iid, index)] = rec.SerializeToString()
    await put_kv(svc.kv, records)
    objs = ["vgc_a/data/1/r1_0.dat", "vgc_b/data/2/r2_0.dat", "vgc_b/data/1/other_0.dat", "vgc_b/data/4/r4_0.dat",
            "vgc_a/data/3/r3_0.dat"]  # fmt: skip
    put_objects(client, objs)

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "failed" and "no storage location for resource ids ['7']" in res.error, res.error
    assert res.indexes_recycled == 1 and res.tablets_recycled == 2
    # tablet 1 left vault a only, tablet 2 vault b; tablet 3 (unknown vault) and index 8 untouched
    assert sorted(list_keys(client, "vgc_")) == sorted(
        ["vgc_b/data/1/other_0.dat", "vgc_b/data/4/r4_0.dat", "vgc_a/data/3/r3_0.dat"]
    )
    for tablet in (1, 2):
        assert await get_kv(svc.kv, keys.meta_tablet_idx_key(iid, tablet)) is None
    for tablet in (3, 4):
        assert await get_kv(svc.kv, keys.meta_tablet_idx_key(iid, tablet)) is not None
    assert await get_kv(svc.kv, keys.recycle_index_key(iid, 9)) is not None
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in objs]})
