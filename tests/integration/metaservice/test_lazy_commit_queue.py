"""The commit queue during a lazy commit (metaservice/executor.py, ops/lazy_commit.py): a commit_txn
too large for one store transaction lets its database's commit queue go at its commit point, so a
small load into another table of the same database commits while the large one is still converting;
in one process (the in-process queue) and between two workers (the ProcessLocks flock).

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


async def small_load_into_another_table(svc: Service) -> int:
    """One tablet of OTHER_TABLE (same database), a txn begun on it and its loaded rowset."""
    meta = L.tablet_metas(OTHER_PARTITION, [OTHER_TABLET])[0]
    meta.table_id = OTHER_TABLE
    await L.call(svc, tablet.create_tablets, cloud_pb2.CreateTabletsRequest(
        cloud_unique_id=L.CUID, db_id=L.DB_ID, tablet_metas=[meta]
    ))  # fmt: skip
    info = cloud_pb2.TxnInfoPB(db_id=L.DB_ID, label="small", table_ids=[OTHER_TABLE], timeout_ms=3_600_000)
    begun = await L.call(svc, txn.begin_txn, cloud_pb2.BeginTxnRequest(cloud_unique_id=L.CUID, txn_info=info))
    txn_id = int(begun.txn_id)
    rs = L.loaded_rowset(txn_id, OTHER_TABLET, OTHER_PARTITION)

    async def put(t: Txn) -> None:
        t.put(keys.meta_rowset_tmp_key(L.IID, txn_id, OTHER_TABLET), rs.SerializeToString())

    await run_txn(svc.kv, put)
    return txn_id


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
    small = await small_load_into_another_table(svc)
    gate, converting = asyncio.Event(), asyncio.Event()
    convert = lazy_commit._convert

    async def gated(*args: Any) -> None:
        converting.set()
        await gate.wait()
        await convert(*args)

    monkeypatch.setattr(lazy_commit, "_convert", gated)
    if workers:  # two executors sharing the supervisor's lock directory, as --workers 2 runs them
        (tmp_path / "locks").mkdir()
        monkeypatch.setenv(READY_DIR_ENV, str(tmp_path / "locks"))
    first = Executor(svc)
    second = Executor(svc) if workers else first
    assert (second.process_locks is not None) == workers
    rpc = RPCS["commit_txn"]

    def commit(executor: Executor, txn_id: int) -> Any:
        req = cloud_pb2.CommitTxnRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID, txn_id=txn_id)
        return executor.run(rpc.handler, req, queue=rpc.queue)

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
