"""A meta-service on the 3-member etcd cluster SIGKILLed half-way through a lazy commit (a commit_txn
too large for one etcd transaction): the commit is not lost, and the first reader after a restart
completes it, counting every tablet's stats exactly once. FE calls go over gRPC, BE calls over
baidu_std, as Doris sends them.

The kill comes from the documented test hook DORISCTL_TEST_LAZY_COMMIT_KILL_AFTER (the process
SIGKILLs itself after its k-th lazy-commit sub-transaction), so "half-way" is exact, not timing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.ops import lazy_commit
from dorisctl.metaservice.proto import cloud_pb2 as pb
from tests.fixtures import largetxn as L
from tests.fixtures.etcd import EtcdCluster
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.integration.metaservice.conftest import OBJ

pytestmark = pytest.mark.slow

PARTITIONS, BUCKETS = 2, 100


def port_of(srv: MetaServer) -> int:
    return int(srv.url.rsplit(":", 1)[1])


async def setup_load(srv: MetaServer) -> tuple[int, dict[int, int], list[int]]:
    srv.ok("create_instance", {"instance_id": L.IID, "name": "n", "user_id": "u", "obj_info": OBJ})
    stub, channel = grpc_stub(port_of(srv))
    be = await BaiduStdClient.connect(port_of(srv))
    try:
        tablets: dict[int, int] = {}
        partitions = [L.FIRST_PARTITION + p for p in range(PARTITIONS)]
        for p, partition_id in enumerate(partitions):  # one 100-bucket partition a call, as the FE
            ids = [L.FIRST_TABLET + p * BUCKETS + b for b in range(BUCKETS)]
            req = pb.CreateTabletsRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID)
            req.tablet_metas.extend(L.tablet_metas(partition_id, ids))
            assert stub.create_tablets(req, timeout=60).status.code == pb.OK
            tablets.update(dict.fromkeys(ids, partition_id))
        info = pb.TxnInfoPB(db_id=L.DB_ID, label="big", table_ids=[L.TABLE_ID], timeout_ms=3_600_000)
        begun = stub.begin_txn(pb.BeginTxnRequest(cloud_unique_id=L.CUID, txn_info=info), timeout=30)
        txn_id = int(begun.txn_id)
        replies = await asyncio.gather(
            *(
                be.call(
                    "commit_rowset",
                    pb.CreateRowsetRequest(cloud_unique_id=L.CUID, rowset_meta=L.loaded_rowset(txn_id, t, tablets[t])),
                    pb.CreateRowsetResponse,
                )
                for t in sorted(tablets)
            )
        )
        assert {r.status.code for r in replies} == {pb.OK}
        return txn_id, tablets, partitions
    finally:
        await be.close()
        channel.close()


def store_state(url: str, txn_id: int, tablets: dict[int, int]) -> tuple[bool, int]:
    """(is the lazy record there, how many tablets already have their rowset at version 2)."""

    async def read() -> tuple[bool, int]:
        kv = open_store(url)

        async def body(t: Txn) -> tuple[bool, int]:
            record = await t.get(keys.txn_lazy_commit_key(L.IID, txn_id))
            found = await asyncio.gather(*(t.get(keys.meta_rowset_key(L.IID, tid, 2)) for tid in tablets))
            return record is not None, sum(v is not None for v in found)

        try:
            return await run_txn(kv, body)
        finally:
            await kv.close()

    return asyncio.run(read())


def test_sigkill_half_way_through_a_lazy_commit_then_the_next_reader_completes_it(
    etcd_cluster: EtcdCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = etcd_cluster.unique_url()
    data = tmp_path / "ms"
    srv = start_meta_server(data, store=url)
    try:
        txn_id, tablets, partitions = asyncio.run(setup_load(srv))
    finally:
        srv.stop()

    monkeypatch.setenv(lazy_commit.KILL_AFTER_ENV, "6")  # the commit point + 5 of ~20 conversions
    srv = start_meta_server(data, store=url, extra_args=["--workers", "1"])  # the process that dies is the server
    monkeypatch.delenv(lazy_commit.KILL_AFTER_ENV)
    stub, channel = grpc_stub(port_of(srv))
    with pytest.raises(grpc.RpcError) as e:
        stub.commit_txn(pb.CommitTxnRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID, txn_id=txn_id), timeout=60)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    channel.close()
    assert srv.proc.wait(10) == -9
    srv.stop()
    has_record, converted = store_state(url, txn_id, tablets)
    assert has_record and 0 < converted < len(tablets), converted  # half-way, and not lost

    srv = start_meta_server(data, store=url)
    try:
        asyncio.run(check_completed_by_readers(srv, txn_id, tablets, partitions))
        assert store_state(url, txn_id, tablets) == (False, len(tablets))
    finally:
        assert srv.stop() == 0


async def check_completed_by_readers(
    srv: MetaServer, txn_id: int, tablets: dict[int, int], partitions: list[int]
) -> None:
    stub, channel = grpc_stub(port_of(srv))
    be = await BaiduStdClient.connect(port_of(srv))
    try:
        # a BE syncing one tablet is the first reader: it completes the commit (after the dead
        # process's lease on it runs out) and sees its rowset
        some = max(tablets)
        req = pb.GetRowsetRequest(
            cloud_unique_id=L.CUID, start_version=0, end_version=-1, base_compaction_cnt=0,
            cumulative_compaction_cnt=0, cumulative_point=-1,
        )  # fmt: skip
        req.idx.tablet_id = some
        got = await be.call("get_rowset", req, pb.GetRowsetResponse)
        assert got.status.code == pb.OK, got.status
        expected = L.loaded_rowset(txn_id, some, tablets[some]).rowset_id_v2
        assert [(r.end_version, r.rowset_id_v2) for r in got.rowset_meta] == [(1, f"init{some}"), (2, expected)]
        for partition_id in partitions:
            ver = pb.GetVersionRequest(
                cloud_unique_id=L.CUID, db_id=L.DB_ID, table_id=L.TABLE_ID, partition_id=partition_id
            )
            assert stub.get_version(ver, timeout=30).version == 2
        got_txn = stub.get_txn(pb.GetTxnRequest(cloud_unique_id=L.CUID, txn_id=txn_id), timeout=30)
        assert got_txn.txn_info.status == pb.TXN_STATUS_VISIBLE
        stats_req = pb.GetTabletStatsRequest(cloud_unique_id=L.CUID)
        for t in tablets:
            stats_req.tablet_idx.add(tablet_id=t)
        stats = await be.call("get_tablet_stats", stats_req, pb.GetTabletStatsResponse)
        assert len(stats.tablet_stats) == len(tablets)
        # each tablet's load counted exactly once, across the crash
        assert {(s.num_rowsets, s.num_rows, s.data_size) for s in stats.tablet_stats} == {(2, 100, 4096)}
        # the FE's retry of the commit answers as the first commit would have
        again = stub.commit_txn(pb.CommitTxnRequest(cloud_unique_id=L.CUID, db_id=L.DB_ID, txn_id=txn_id), timeout=30)
        assert again.status.code == pb.OK and again.txn_info.status == pb.TXN_STATUS_VISIBLE
    finally:
        await be.close()
        channel.close()
