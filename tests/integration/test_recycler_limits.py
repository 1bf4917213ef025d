"""The recycler's transactions fit the store (recycler/chunks.py), on every store kind: more due
records of each kind than one etcd transaction can hold (etcd's --max-txn-ops, 128 operations)
are all handled in one pass, each record whole; a record that cannot fit even alone fails the
round with a clear message and nothing written."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from dorisctl.kv import Txn, TxnKv, decode_counter, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.recycler import Recycler
from dorisctl.metaservice.recycler.chunks import Chunked
from dorisctl.secrets import load_keyring
from tests.fixtures.s3 import WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import create_instance, fast_cfg, list_keys, put_objects, txn_info

N = 300  # of each kind: more than twice what one etcd transaction holds
DAY_MS = 86400 * 1000


@pytest.fixture
async def store(kv_url: str, tmp_path: Path) -> AsyncIterator[Service]:
    kv = open_store(kv_url)
    yield Service(kv=kv, keyring=load_keyring(tmp_path, env={}))
    await kv.close()


async def put_many(kv: TxnKv, items: dict[bytes, bytes], per_txn: int = 100) -> None:
    rows = list(items.items())
    for i in range(0, len(rows), per_txn):
        page = rows[i : i + per_txn]

        async def write(txn: Txn, page: list[tuple[bytes, bytes]] = page) -> None:
            for k, v in page:
                txn.put(k, v)

        await run_txn(kv, write)


async def read_instance(kv: TxnKv, iid: str) -> dict[bytes, bytes]:
    """Every key of the instance's families the test writes, read page by page."""
    out: dict[bytes, bytes] = {}
    for family in ("txn", "recycle", "meta", "copy"):
        lo = keys.make_key(keys.USER_SPACE, family, iid)
        hi = lo + b"\xff"
        while True:

            async def page(txn: Txn, lo: bytes = lo, hi: bytes = hi) -> list[tuple[bytes, bytes]]:
                return list(await txn.get_range(lo, hi, limit=100))

            rows = await run_txn(kv, page)
            out.update(rows)
            if len(rows) < 100:
                break
            lo = rows[-1][0] + b"\x00"
    return out


def recycled_rowset(tablet: int, rid: str, creation_s: int) -> bytes:
    rs = pb.RecycleRowsetPB(
        tablet_id=tablet, resource_id="1", creation_time=creation_s, type=pb.RecycleRowsetPB.COMPACT
    )
    rs.rowset_meta.rowset_id = 0
    rs.rowset_meta.rowset_id_v2 = rid
    rs.rowset_meta.tablet_id = tablet
    rs.rowset_meta.num_segments = 1
    rs.rowset_meta.total_disk_size = 100
    rs.rowset_meta.tablet_schema.schema_version = 0  # no inverted index: its files are named exactly
    return rs.SerializeToString()


async def test_one_pass_handles_more_records_than_one_transaction_holds(store: Service, s3: WeedMini) -> None:  # noqa: F811
    svc = store
    iid = f"lim{uuid.uuid4().hex[:8]}"
    client = s3.client()
    await create_instance(svc, iid, s3.endpoint, iid)
    now = svc.now_ms()
    prepared, visible = pb.TXN_STATUS_PREPARED, pb.TXN_STATUS_VISIBLE
    records: dict[bytes, bytes] = {}
    # N timed-out running txns (1..N) and one still running (N + 1)
    for t in range(1, N + 2):
        timeout = now - 1000 if t <= N else now + 3_600_000
        records[keys.txn_info_key(iid, 1, t)] = txn_info(1, t, f"run{t}", prepared)
        records[keys.txn_running_key(iid, 1, t)] = pb.TxnRunningPB(timeout_time=timeout).SerializeToString()
    # N expired labels' txns (10001..10000+N), two per label, and one recent txn sharing the last label
    stamp = b"\x00" * 8 + b"\x00\x07"
    first, recent = 10001, 10001 + N
    for t in range(first, recent + 1):
        label = f"old{(t - first) // 2}"
        created = now if t == recent else now - 4 * DAY_MS
        records[keys.txn_info_key(iid, 1, t)] = txn_info(1, t, label, visible)
        records[keys.txn_index_key(iid, t)] = b"i"
        records[keys.recycle_txn_key(iid, 1, t)] = pb.RecycleTxnPB(
            creation_time=created, label=label
        ).SerializeToString()
    for j in range(N // 2):
        ids = [first + 2 * j, first + 2 * j + 1] + ([recent] if j == N // 2 - 1 else [])
        records[keys.txn_label_key(iid, 1, f"old{j}")] = pb.TxnLabelPB(txn_ids=ids).SerializeToString() + stamp
    # N expired recycled rowsets with one object each and a delete bitmap each, plus one fresh rowset
    now_s = svc.now_s()
    objects = [f"{iid}/data/{100 + r % 7}/r{r}_0.dat" for r in range(N + 1)]
    for r in range(N + 1):
        tablet = 100 + r % 7
        records[keys.recycle_rowset_key(iid, tablet, f"r{r}")] = recycled_rowset(
            tablet, f"r{r}", now_s - (r < N) * 9000
        )
        records[keys.meta_delete_bitmap_key(iid, tablet, f"r{r}", 3, 0) + keys.encode_int64(0)] = b"bm"
    # a timed-out COPY INTO job of an external stage holding N loading files
    job = pb.CopyJobPB(stage_type=pb.StagePB.EXTERNAL, job_status=pb.CopyJobPB.LOADING, timeout_time_ms=1)
    for f in range(N):
        job.object_files.add(relative_path=f"f{f}.csv", etag=f"e{f}")
        records[keys.copy_file_key(iid, "ext", 5, f"f{f}.csv", f"e{f}")] = b"f"
    records[keys.copy_job_key(iid, "ext", 5, "c", 0)] = job.SerializeToString()
    await put_many(svc.kv, records)
    put_objects(client, objects)

    res = await Recycler(svc, fast_cfg(recycle_interval_seconds=0), ip_port="a:1").recycle_instance(iid)
    assert res.outcome == "done", res.error
    assert (res.txns_aborted, res.labels_expired, res.rowsets_recycled) == (N, N, N)

    after = await read_instance(svc.kv, iid)
    for t in range(1, N + 1):  # aborted whole: status, running key, recycle record
        info = pb.TxnInfoPB.FromString(after[keys.txn_info_key(iid, 1, t)])
        assert (info.status, info.reason) == (pb.TXN_STATUS_ABORTED, "timeout by recycler")
        assert keys.txn_running_key(iid, 1, t) not in after
        assert pb.RecycleTxnPB.FromString(after[keys.recycle_txn_key(iid, 1, t)]).label == f"run{t}"
    still = pb.TxnInfoPB.FromString(after[keys.txn_info_key(iid, 1, N + 1)])
    assert still.status == prepared and keys.txn_running_key(iid, 1, N + 1) in after
    for t in range(first, recent):  # expired whole: info, index, record
        for gone in (keys.txn_info_key(iid, 1, t), keys.txn_index_key(iid, t), keys.recycle_txn_key(iid, 1, t)):
            assert gone not in after
    labels = {k for k in after if k.startswith(keys.make_key(keys.USER_SPACE, "txn", iid, "txn_label"))}
    last = keys.txn_label_key(iid, 1, f"old{N // 2 - 1}")
    assert labels == {last}  # every other label lost all its txns; the last keeps the recent one
    assert after[last].endswith(stamp) and list(pb.TxnLabelPB.FromString(after[last][:-10]).txn_ids) == [recent]
    assert keys.txn_info_key(iid, 1, recent) in after and keys.recycle_txn_key(iid, 1, recent) in after
    rowsets = [k for k in after if k.startswith(keys.make_key(keys.USER_SPACE, "recycle", iid, "rowset"))]
    assert rowsets == [keys.recycle_rowset_key(iid, 100 + N % 7, f"r{N}")]
    bitmaps = [k for k in after if k.startswith(keys.make_key(keys.USER_SPACE, "meta", iid, "delete_bitmap"))]
    assert len(bitmaps) == 1 and bitmaps[0].startswith(keys.meta_delete_bitmap_key(iid, 100 + N % 7, f"r{N}", 3, 0))
    assert list_keys(client, f"{iid}/") == [objects[N]]
    assert not [k for k in after if k.startswith(keys.make_key(keys.USER_SPACE, "copy", iid))]
    client.delete_object(Bucket="test-bucket", Key=objects[N])


async def test_a_record_too_large_for_any_transaction_fails_clearly(etcd_cluster: object, tmp_path: Path) -> None:
    """On an etcd store taking requests of at most 256 KiB (about 170 KB of keys and values), a
    timed-out txn whose label is 95 KB cannot be aborted in any transaction (its info and its
    recycle record each carry the label): the 60 timed-out txns before it in the batch are aborted
    (in chunks) and counted, then the round fails naming the step and the limit, and that txn is
    left as it was."""
    url = etcd_cluster.unique_url() + "?max_request_bytes=262144"  # type: ignore[attr-defined]
    kv = open_store(url)
    try:
        svc = Service(kv=kv, keyring=load_keyring(tmp_path, env={}))
        iid = "toolarge"
        running = pb.TxnRunningPB(timeout_time=1).SerializeToString()
        info = txn_info(1, 999, "x" * 95_000, pb.TXN_STATUS_PREPARED)
        records = {keys.instance_key(iid): pb.InstanceInfoPB(instance_id=iid).SerializeToString()}
        for t in range(1, 61):
            records[keys.txn_info_key(iid, 1, t)] = txn_info(1, t, f"l{t}", pb.TXN_STATUS_PREPARED)
            records[keys.txn_running_key(iid, 1, t)] = running
        await put_many(kv, records)
        await put_many(kv, {keys.txn_info_key(iid, 1, 999): info, keys.txn_running_key(iid, 1, 999): running})

        res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
        assert res.outcome == "failed"
        assert "aborting timed-out txns: one record does not fit in a transaction" in res.error, res.error
        assert res.txns_aborted == 60
        after = await read_instance(kv, iid)
        for t in range(1, 61):
            assert pb.TxnInfoPB.FromString(after[keys.txn_info_key(iid, 1, t)]).status == pb.TXN_STATUS_ABORTED
            assert keys.txn_running_key(iid, 1, t) not in after and keys.recycle_txn_key(iid, 1, t) in after
        assert after[keys.txn_info_key(iid, 1, 999)] == info and after[keys.txn_running_key(iid, 1, 999)] == running
        assert keys.recycle_txn_key(iid, 1, 999) not in after
    finally:
        await kv.close()


async def test_chunks_start_whole_halve_on_too_large_and_keep_the_size_that_fits(store: Service) -> None:
    """`Chunked` directly: a batch of 500 one-write records is one transaction where the store
    takes it (SQLite, PostgreSQL) and is halved until it fits on etcd (120 writes); every record is
    written exactly once either way, and the next batch starts at the size that fit."""
    kv = store.kv
    prefix = b"\x01chunks/" + uuid.uuid4().hex.encode() + b"/"
    calls: list[int] = []

    async def write(txn: Txn, chunk: Sequence[int]) -> int:
        calls.append(len(chunk))
        for i in chunk:
            txn.atomic_add(prefix + b"%04d" % i, 1)
        return len(chunk)

    chunked: Chunked[int] = Chunked(kv, "test records")
    assert await chunked.run(list(range(500)), write) == 500
    counters = await run_txn(kv, lambda txn: txn.get_range(prefix, prefix + b"\xff"))
    assert [k for k, _ in counters] == [prefix + b"%04d" % i for i in range(500)]
    assert {decode_counter(v) for _, v in counters} == {1}  # no record written twice
    if kv.limits.max_mutations:  # etcd: 500, 250, 125 fail; 62-record chunks fit
        assert calls[:3] == [500, 250, 125] and chunked.splits == 3 and chunked.size == 62
        assert chunked.transactions == 9 and sum(calls[3:]) == 500
        calls.clear()
        assert await chunked.run(list(range(500, 600)), write) == 100
        assert calls == [62, 38]  # the second batch starts at the size that fit
    else:
        assert calls == [500] and chunked.transactions == 1 and chunked.splits == 0


async def test_destroy_removes_a_node_index_larger_than_one_transaction(store: Service) -> None:
    """A DELETED instance with 200 nodes and 100 stale node-index entries: its 300 entries go
    (with its key ranges and instance key) in one round; another instance's entries stay."""
    svc = store
    iid, other = f"big{uuid.uuid4().hex[:8]}", f"oth{uuid.uuid4().hex[:8]}"
    nodes = [pb.NodeInfoPB(cloud_unique_id=f"1:{iid}:be{n}", ip="127.0.0.1", heartbeat_port=9050) for n in range(200)]
    inst = pb.InstanceInfoPB(instance_id=iid, status=pb.InstanceInfoPB.DELETED)
    inst.clusters.add(cluster_id="c1", cluster_name="c1", type=pb.ClusterPB.COMPUTE, nodes=nodes)
    index = {keys.node_index_key(n.cloud_unique_id, iid): iid.encode() for n in nodes}
    index |= {keys.node_index_key(f"stale{n}", iid): iid.encode() for n in range(100)}
    others = {keys.node_index_key(f"stale{n}", other): other.encode() for n in range(3)}
    mine = {keys.txn_info_key(iid, 1, t): b"v" for t in range(150)}
    await put_many(svc.kv, {keys.instance_key(iid): inst.SerializeToString()} | index | others | mine)

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(iid)
    assert (res.outcome, res.kind) == ("done", "destroy"), res.error
    assert res.keys_deleted == len(mine) + 1
    left = await run_txn(svc.kv, lambda txn: txn.get_range(*keys.NODE_INDEX_RANGE))
    assert dict(left) == others
    assert await run_txn(svc.kv, lambda txn: txn.get(keys.instance_key(iid))) is None
    assert await read_instance(svc.kv, iid) == {}
