"""Large transactions on every store (ops/largetxn.py, ops/lazy_commit.py): create_tablets of a
100-bucket partition and commit_txn over 10,000 tablets on SQLite and on a 3-member etcd cluster
with etcd's default limits; readers while a lazy commit completes; a commit interrupted after its
commit point, completed by the next reader or the next commit of its partitions."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dorisctl.kv import Txn, TxnKv, open_store, run_txn
from dorisctl.kv.etcd import etcd_limits
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.ops import lazy_commit, tablet, txn
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import KeyRing
from tests.fixtures import largetxn as L


@pytest.fixture
async def svc(kv_url: str) -> AsyncIterator[Service]:
    kv = open_store(kv_url)
    await L.seed_instance(kv)
    yield Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    await kv.close()


@pytest.fixture
async def etcd_svc(etcd_cluster: Any) -> AsyncIterator[Service]:
    kv = open_store(etcd_cluster.unique_url())
    await L.seed_instance(kv)
    yield Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    await kv.close()


async def versions(svc: Service, partitions: list[int]) -> list[int]:
    req = cloud_pb2.GetVersionRequest(cloud_unique_id=L.CUID, batch_mode=True)
    for p in partitions:
        req.db_ids.append(L.DB_ID)
        req.table_ids.append(L.TABLE_ID)
        req.partition_ids.append(p)
    resp = await L.call(svc, tablet.get_version, req)
    return list(resp.versions)


async def rowsets(svc: Service, tablet_id: int) -> list[tuple[int, str]]:
    req = cloud_pb2.GetRowsetRequest(
        cloud_unique_id=L.CUID, start_version=0, end_version=-1, base_compaction_cnt=0,
        cumulative_compaction_cnt=0, cumulative_point=-1,
    )  # fmt: skip
    req.idx.tablet_id = tablet_id
    resp = await L.call(svc, tablet.get_rowset, req)
    return [(rs.end_version, rs.rowset_id_v2) for rs in resp.rowset_meta]


async def stats(svc: Service, tablet_ids: list[int]) -> list[cloud_pb2.TabletStatsPB]:
    req = cloud_pb2.GetTabletStatsRequest(cloud_unique_id=L.CUID)
    for t in tablet_ids:
        req.tablet_idx.add(tablet_id=t)
    resp = await L.call(svc, tablet.get_tablet_stats, req)
    return list(resp.tablet_stats)


async def txn_status(svc: Service, txn_id: int) -> int:
    resp = await L.call(svc, txn.get_txn, cloud_pb2.GetTxnRequest(cloud_unique_id=L.CUID, txn_id=txn_id))
    return int(resp.txn_info.status)


async def count_range(kv: TxnKv, begin: bytes, end: bytes) -> int:
    async def read(t: Txn) -> int:
        return len(await t.get_range(begin, end))

    return await run_txn(kv, read)


async def assert_visible(svc: Service, load: L.Load, *, sample: int = 20, version: int = 2) -> None:
    """Every partition at `version`, sampled tablets with the load's rowset there and counted once."""
    assert await versions(svc, load.partitions) == [version] * len(load.partitions)
    assert await txn_status(svc, load.txn_id) == cloud_pb2.TXN_STATUS_VISIBLE
    picked = random.Random(7).sample(sorted(load.tablets), min(sample, len(load.tablets)))
    for tablet_id in picked:
        got = await rowsets(svc, tablet_id)
        expected = L.loaded_rowset(load.txn_id, tablet_id, load.tablets[tablet_id]).rowset_id_v2
        assert (version, expected) in got, (tablet_id, got)
    for s in await stats(svc, picked):
        assert (s.num_rowsets, s.num_rows, s.data_size, s.num_segments) == (2, 100, 4096, 1)
    iid = L.IID
    assert await count_range(svc.kv, *keys.txn_lazy_commit_range(iid)) == 0
    tmp = (keys.meta_rowset_tmp_key(iid, load.txn_id, 0), keys.meta_rowset_tmp_key(iid, load.txn_id, 1 << 62))
    assert await count_range(svc.kv, *tmp) == 0


async def test_create_tablets_of_a_100_bucket_partition(svc: Service) -> None:
    ids = [L.FIRST_TABLET + i for i in range(100)]
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID)
    req.tablet_metas.extend(L.tablet_metas(L.FIRST_PARTITION, ids))
    # an earlier attempt that created some of them (an FE retry after a failure half-way)
    first = cloud_pb2.CreateTabletsRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID)
    first.tablet_metas.extend(L.tablet_metas(L.FIRST_PARTITION, ids[10:40]))
    await L.call(svc, tablet.create_tablets, first)
    await L.call(svc, tablet.create_tablets, req)
    await L.call(svc, tablet.create_tablets, req)  # and a plain retry
    for tablet_id in ids:
        got = await L.call(
            svc, tablet.get_tablet, cloud_pb2.GetTabletRequest(cloud_unique_id=L.CUID, tablet_id=tablet_id)
        )
        assert (got.tablet_meta.tablet_id, got.tablet_meta.partition_id) == (tablet_id, L.FIRST_PARTITION)
        assert (await rowsets(svc, tablet_id)) == [(1, f"init{tablet_id}")]
    assert [s.num_rowsets for s in await stats(svc, ids)] == [1] * 100
    idx = keys.meta_tablet_idx_key(L.IID, ids[0]), keys.meta_tablet_idx_key(L.IID, ids[-1] + 1)
    assert await count_range(svc.kv, *idx) == 100


async def test_create_tablets_rejects_bad_input_before_writing(svc: Service) -> None:
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID)
    req.tablet_metas.extend(L.tablet_metas(L.FIRST_PARTITION, range(L.FIRST_TABLET, L.FIRST_TABLET + 100)))
    req.tablet_metas[99].ClearField("schema")
    req.tablet_metas[99].ClearField("schema_version")
    with pytest.raises(MetaServiceError) as e:
        await L.call(svc, tablet.create_tablets, req)
    assert e.value.code == Code.INVALID_ARGUMENT
    idx = keys.meta_tablet_idx_key(L.IID, 0), keys.meta_tablet_idx_key(L.IID, 1 << 62)
    assert await count_range(svc.kv, *idx) == 0


@pytest.mark.slow
async def test_commit_over_10000_tablets(svc: Service) -> None:
    load = await L.create_tablets(svc, partitions=100, buckets=100)
    await L.begin_and_load(svc, load)
    resp = await L.commit(svc, load.txn_id)
    assert resp.txn_info.status == cloud_pb2.TXN_STATUS_VISIBLE
    assert sorted(zip(resp.partition_ids, resp.versions, strict=True)) == [(p, 2) for p in load.partitions]
    await assert_visible(svc, load)
    table = cloud_pb2.GetVersionRequest(
        cloud_unique_id=L.CUID, db_id=L.DB_ID, table_id=L.TABLE_ID, is_table_version=True
    )
    assert (await L.call(svc, tablet.get_version, table)).version == 1
    # a retried commit answers as the first did
    again = await L.commit(svc, load.txn_id)
    assert again.txn_info.status == cloud_pb2.TXN_STATUS_VISIBLE


class Interrupted(BaseException):
    """Stands for a crash of the committing process (not an Exception: nothing catches it)."""


async def _interrupt_after(monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    count = 0

    def hook() -> None:
        nonlocal count
        count += 1
        if count >= k:
            raise Interrupted

    monkeypatch.setattr(lazy_commit, "_sub_txn_committed", hook)
    monkeypatch.setattr(lazy_commit, "LEASE_SECONDS", 1.0)  # the "dead" committer's lease runs out soon


async def test_commit_interrupted_half_way_is_completed_by_the_next_reader(
    etcd_svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = etcd_svc
    load = await L.create_tablets(svc, partitions=3, buckets=60)
    await L.begin_and_load(svc, load)
    await _interrupt_after(monkeypatch, 4)  # the commit point and 3 conversion transactions
    with pytest.raises(Interrupted):
        await L.commit(svc, load.txn_id)
    monkeypatch.setattr(lazy_commit, "_sub_txn_committed", lambda: None)
    assert await count_range(svc.kv, *keys.txn_lazy_commit_range(L.IID)) == 1
    raw = await txn_status(svc, load.txn_id)
    assert raw == cloud_pb2.TXN_STATUS_COMMITTED
    with pytest.raises(MetaServiceError) as e:  # a committed txn is not aborted any more
        await L.call(svc, txn.abort_txn, cloud_pb2.AbortTxnRequest(cloud_unique_id=L.CUID, txn_id=load.txn_id))
    assert e.value.code == Code.TXN_INVALID_STATUS
    # the first reader of one tablet completes the whole commit
    some = sorted(load.tablets)[-1]
    got = await rowsets(svc, some)
    assert (2, L.loaded_rowset(load.txn_id, some, load.tablets[some]).rowset_id_v2) in got
    await assert_visible(svc, load, sample=len(load.tablets))


async def test_interrupted_commit_is_completed_by_the_next_commit_of_its_partition(
    etcd_svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = etcd_svc
    load = await L.create_tablets(svc, partitions=2, buckets=40)
    await L.begin_and_load(svc, load)
    await _interrupt_after(monkeypatch, 2)
    with pytest.raises(Interrupted):
        await L.commit(svc, load.txn_id)
    monkeypatch.setattr(lazy_commit, "_sub_txn_committed", lambda: None)
    # a small load into one tablet of the first partition: one store transaction
    small = L.Load(partitions=[load.partitions[0]], tablets={L.FIRST_TABLET: load.partitions[0]})
    await L.begin_and_load(svc, small, label="small")
    resp = await L.commit(svc, small.txn_id)
    assert list(resp.versions) == [3]
    await assert_visible(svc, L.Load(load.partitions[1:], {}, load.txn_id))
    assert await versions(svc, load.partitions) == [3, 2]
    got = await rowsets(svc, L.FIRST_TABLET)
    assert [v for v, _ in got] == [1, 2, 3]


async def test_readers_during_a_lazy_commit_see_before_or_after_never_half(etcd_svc: Service) -> None:
    svc = etcd_svc
    load = await L.create_tablets(svc, partitions=2, buckets=100)
    await L.begin_and_load(svc, load)
    tablets = sorted(load.tablets)
    seen: list[tuple[list[int], bool]] = []
    done = asyncio.Event()

    async def reader(seed: int) -> None:
        rnd = random.Random(seed)
        while not done.is_set():
            vs = await versions(svc, load.partitions)
            t = rnd.choice(tablets)
            has = any(v == 2 for v, _ in await rowsets(svc, t))
            seen.append((vs, has))
            # once a partition version says 2, every tablet of the load has its rowset there
            if 2 in vs:
                assert vs == [2, 2]
                assert has, t
                done.set()

    async def committer() -> None:
        await asyncio.sleep(0.05)
        resp = await L.commit(svc, load.txn_id)
        done.set()
        # the reply names every partition at its new version even when a reader finished first
        assert sorted(zip(resp.partition_ids, resp.versions, strict=True)) == [(p, 2) for p in load.partitions]

    await asyncio.gather(committer(), reader(1), reader(2))
    await assert_visible(svc, load)
    assert seen, "the readers never read"


async def test_lazy_commit_on_sqlite_with_small_limits(tmp_path: Any) -> None:
    """The lazy path is the store's limits' choice, not etcd's: SQLite told etcd's limits takes it."""
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    kv.limits = etcd_limits(128, 1536 * 1024)
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    try:
        await L.seed_instance(kv)
        load = await L.create_tablets(svc, partitions=2, buckets=100)
        await L.begin_and_load(svc, load)
        committed: list[int] = []
        original = lazy_commit._sub_txn_committed
        lazy_commit._sub_txn_committed = lambda: committed.append(1)
        try:
            resp = await L.commit(svc, load.txn_id)
        finally:
            lazy_commit._sub_txn_committed = original
        assert len(committed) > 10  # the commit point, conversions, the visibility step
        assert list(resp.versions) == [2, 2]
        await assert_visible(svc, load, sample=len(load.tablets))
    finally:
        await kv.close()


async def test_readers_wait_for_a_live_completer_then_see_it_all(
    etcd_svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = etcd_svc
    load = await L.create_tablets(svc, partitions=2, buckets=30)
    await L.begin_and_load(svc, load)
    gate = asyncio.Event()
    convert = lazy_commit._convert

    async def gated(*args: Any) -> None:
        await gate.wait()
        await convert(*args)

    monkeypatch.setattr(lazy_commit, "_convert", gated)
    committing = asyncio.ensure_future(L.commit(svc, load.txn_id))
    while await count_range(svc.kv, *keys.txn_lazy_commit_range(L.IID)) == 0:  # the commit point
        await asyncio.sleep(0.01)
    last = max(load.tablets)
    got_versions = asyncio.ensure_future(versions(svc, load.partitions))
    got_rowsets = asyncio.ensure_future(rowsets(svc, last))
    got_stats = asyncio.ensure_future(stats(svc, [last]))
    await asyncio.sleep(0.5)
    # committed, not visible: they wait for the completer
    assert not any(r.done() for r in (got_versions, got_rowsets, got_stats))
    gate.set()
    assert await got_versions == [2, 2]
    assert (2, L.loaded_rowset(load.txn_id, last, load.tablets[last]).rowset_id_v2) in await got_rowsets
    assert (await got_stats)[0].num_rowsets == 2
    assert list((await committing).versions) == [2, 2]
    await assert_visible(svc, load, sample=len(load.tablets))


async def test_lazy_commit_of_a_merge_on_write_load(tmp_path: Any) -> None:
    """A MoW load too large for one transaction: its table lock is held (no other load may take it)
    until the txn is visible, then released; every tablet's pending list goes, its bitmaps stay."""
    from dorisctl.metaservice.ops import bitmap

    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    kv.limits = etcd_limits(128, 1536 * 1024)
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    try:
        await L.seed_instance(kv)
        load = await L.create_tablets(svc, partitions=1, buckets=60)
        txn_id = await L.begin_and_load(svc, load)
        lock = cloud_pb2.GetDeleteBitmapUpdateLockRequest(
            cloud_unique_id=L.CUID, table_id=L.TABLE_ID, lock_id=txn_id, initiator=-1, expiration=60
        )
        await L.call(svc, bitmap.get_delete_bitmap_update_lock, lock)
        for tablet_id in sorted(load.tablets):
            upd = cloud_pb2.UpdateDeleteBitmapRequest(
                cloud_unique_id=L.CUID, table_id=L.TABLE_ID, partition_id=load.tablets[tablet_id],
                tablet_id=tablet_id, lock_id=txn_id, initiator=-1,
                rowset_ids=[f"r{tablet_id}"], segment_ids=[0], versions=[2], segment_delete_bitmaps=[b"bm"],
            )  # fmt: skip
            await L.call(svc, bitmap.update_delete_bitmap, upd)
        pending = keys.meta_pending_delete_bitmap_key
        assert await count_range(kv, pending(L.IID, min(load.tablets)), pending(L.IID, max(load.tablets)) + b"\xff")
        seen_lock: list[int] = []
        original = lazy_commit._sub_txn_committed

        async def lock_holder() -> None:
            async def read(t: Txn) -> bytes | None:
                return await t.get(keys.meta_delete_bitmap_update_lock_key(L.IID, L.TABLE_ID))

            raw = await run_txn(kv, read)
            if raw is not None:
                seen_lock.append(cloud_pb2.DeleteBitmapUpdateLockPB.FromString(raw).lock_id)

        holders: list[asyncio.Task[None]] = []
        lazy_commit._sub_txn_committed = lambda: holders.append(asyncio.ensure_future(lock_holder()))
        try:
            req = cloud_pb2.CommitTxnRequest(
                cloud_unique_id=L.CUID, db_id=L.DB_ID, txn_id=txn_id, mow_table_ids=[L.TABLE_ID]
            )
            resp = await L.call(svc, txn.commit_txn, req)
        finally:
            lazy_commit._sub_txn_committed = original
        await asyncio.gather(*holders)
        assert len(holders) > 3 and seen_lock[: len(holders) - 1] == [txn_id] * (len(holders) - 1)
        assert list(resp.versions) == [2]
        assert await count_range(kv, *keys.meta_delete_bitmap_tablet_range(L.IID, min(load.tablets))) == 1
        assert not await count_range(kv, pending(L.IID, min(load.tablets)), pending(L.IID, max(load.tablets)) + b"\xff")
        assert not await count_range(
            kv,
            keys.meta_delete_bitmap_update_lock_key(L.IID, L.TABLE_ID),
            keys.meta_delete_bitmap_update_lock_key(L.IID, L.TABLE_ID) + b"\xff",
        )
        other = cloud_pb2.GetDeleteBitmapUpdateLockRequest(
            cloud_unique_id=L.CUID, table_id=L.TABLE_ID, lock_id=txn_id + 1000, initiator=-1, expiration=60
        )
        await L.call(svc, bitmap.get_delete_bitmap_update_lock, other)  # free again once visible
    finally:
        await kv.close()
