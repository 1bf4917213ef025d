"""The commit queue during a lazy commit (metaservice/executor.py, ops/lazy_commit.py): a commit_txn
too large for one store transaction lets its database's commit queue go at its commit point, so a
small load into another table of the same database commits while the large one is still converting;
in one process (the in-process queue) and between two workers (the ProcessLocks flock). A commit
that must wait for the lazy one (its partition's version is pending) waits outside the queue too.

The conversion is held at a gate (lazy_commit._convert wrapped), so "still converting" is a fact,
not a timing; the store is a real SQLite file told etcd's limits, so 60 tablets commit lazily."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.kv.etcd import etcd_limits
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.executor import Executor
from dorisctl.metaservice.ops import lazy_commit, tablet, txn
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.rpc import RPCS
from dorisctl.metaservice.workers import READY_DIR_ENV
from dorisctl.secrets import KeyRing
from tests.fixtures import largetxn as L

OTHER_TABLE = 3000
OTHER_PARTITION = 3001
OTHER_TABLET = 300_000


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Service]:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    kv.limits = etcd_limits(128, 1536 * 1024)
    await L.seed_instance(kv)
    yield Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    await kv.close()


async def small_load(svc: Service, label: str, table_id: int, partition_id: int, tablet_id: int) -> int:
    """A txn begun on one tablet (created first unless it exists) and its loaded rowset."""

    async def exists(t: Txn) -> bool:
        return await t.get(keys.meta_tablet_idx_key(L.IID, tablet_id)) is not None

    if not await run_txn(svc.kv, exists):
        meta = L.tablet_metas(partition_id, [tablet_id])[0]
        meta.table_id = table_id
        await L.call(svc, tablet.create_tablets, cloud_pb2.CreateTabletsRequest(
            cloud_unique_id=L.CUID, db_id=L.DB_ID, tablet_metas=[meta]
        ))  # fmt: skip
    info = cloud_pb2.TxnInfoPB(db_id=L.DB_ID, label=label, table_ids=[table_id], timeout_ms=3_600_000)
    begun = await L.call(svc, txn.begin_txn, cloud_pb2.BeginTxnRequest(cloud_unique_id=L.CUID, txn_info=info))
    txn_id = int(begun.txn_id)
    rs = L.loaded_rowset(txn_id, tablet_id, partition_id)

    async def put(t: Txn) -> None:
        t.put(keys.meta_rowset_tmp_key(L.IID, txn_id, tablet_id), rs.SerializeToString())

    await run_txn(svc.kv, put)
    return txn_id


def commit(executor: Executor, txn_id: int) -> Any:
    rpc = RPCS["commit_txn"]
    req = cloud_pb2.CommitTxnRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID, txn_id=txn_id)
    return executor.run(rpc.handler, req, queue=rpc.queue)


def gate_conversion(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """(gate, converting): conversion waits for the gate; `converting` says one reached it."""
    gate, converting = asyncio.Event(), asyncio.Event()
    convert = lazy_commit._convert

    async def gated(*args: Any) -> None:
        converting.set()
        await gate.wait()
        await convert(*args)

    monkeypatch.setattr(lazy_commit, "_convert", gated)
    return gate, converting


async def version(svc: Service, table_id: int, partition_id: int) -> int:
    req = cloud_pb2.GetVersionRequest(
        cloud_unique_id=L.CUID, db_id=L.DB_ID, table_id=table_id, partition_id=partition_id
    )
    return int((await L.call(svc, tablet.get_version, req)).version)


@pytest.mark.parametrize("workers", [False, True], ids=["one-process", "two-workers"])
async def test_small_commit_of_another_table_goes_on_while_a_lazy_commit_converts(
    svc: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    load = await L.create_tablets(svc, partitions=1, buckets=60)
    await L.begin_and_load(svc, load)
    small = await small_load(svc, "small", OTHER_TABLE, OTHER_PARTITION, OTHER_TABLET)
    gate, converting = gate_conversion(monkeypatch)
    if workers:  # two executors sharing the supervisor's lock directory, as --workers 2 runs them
        (tmp_path / "locks").mkdir()
        monkeypatch.setenv(READY_DIR_ENV, str(tmp_path / "locks"))
    first = Executor(svc)
    second = Executor(svc) if workers else first
    assert (second.process_locks is not None) == workers

    large = asyncio.ensure_future(commit(first, load.txn_id))
    try:
        await asyncio.wait_for(converting.wait(), 30)  # past its commit point, held in conversion
        # Before the queue was let go at the commit point, this waited for the whole lazy commit.
        reply = await asyncio.wait_for(commit(second, small), 10)
        assert not large.done()
        assert reply.result.txn_info.status == cloud_pb2.TXN_STATUS_VISIBLE
        assert list(reply.result.versions) == [2]
        assert await version(svc, OTHER_TABLE, OTHER_PARTITION) == 2
    finally:
        gate.set()
        done = await asyncio.wait_for(large, 60)
    assert done.result.txn_info.status == cloud_pb2.TXN_STATUS_VISIBLE
    assert list(done.result.versions) == [2]
    assert await version(svc, L.TABLE_ID, L.FIRST_PARTITION) == 2
    # the queue is usable again (nothing released twice): a retried commit of each answers
    again = await asyncio.wait_for(commit(second, load.txn_id), 10)
    assert again.result.txn_info.status == cloud_pb2.TXN_STATUS_VISIBLE


async def test_a_commit_waiting_for_the_lazy_one_does_not_hold_up_the_others(
    svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small load into the lazy commit's own partition must wait for it (its version is pending);
    it waits outside the queue, so a load into another table still commits meanwhile."""
    load = await L.create_tablets(svc, partitions=1, buckets=60)
    await L.begin_and_load(svc, load)
    same = await small_load(svc, "same", L.TABLE_ID, L.FIRST_PARTITION, L.FIRST_TABLET)
    other = await small_load(svc, "other", OTHER_TABLE, OTHER_PARTITION, OTHER_TABLET)
    gate, converting = gate_conversion(monkeypatch)
    executor = Executor(svc)
    large = asyncio.ensure_future(commit(executor, load.txn_id))
    waiting = None
    try:
        await asyncio.wait_for(converting.wait(), 30)
        waiting = asyncio.ensure_future(commit(executor, same))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # its partition's version is pending: it waits for the lazy commit
        reply = await asyncio.wait_for(commit(executor, other), 10)
        assert list(reply.result.versions) == [2]
        assert not large.done() and not waiting.done()
    finally:
        gate.set()
        await asyncio.wait_for(large, 60)
        if waiting is not None:
            await asyncio.wait_for(waiting, 60)
    assert waiting is not None
    assert list(waiting.result().result.versions) == [3]  # after the lazy commit's version 2
    assert await version(svc, L.TABLE_ID, L.FIRST_PARTITION) == 3
