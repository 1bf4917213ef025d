"""A meta-service on the 3-member etcd cluster SIGKILLed half-way through a lazy commit (a commit_txn
too large for one etcd transaction): the commit is not lost, and the first reader after a restart
completes it, counting every tablet's stats exactly once.

The kill comes from the documented test hook DORISCTL_TEST_LAZY_COMMIT_KILL_AFTER (the process
SIGKILLs itself after its k-th lazy-commit sub-transaction), so "half-way" is exact, not timing.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf import json_format, text_format

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.ops import lazy_commit
from dorisctl.metaservice.proto import cloud_pb2
from tests.fixtures import largetxn as L
from tests.fixtures.etcd import EtcdCluster
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ

pytestmark = pytest.mark.slow

PARTITIONS, BUCKETS = 2, 100


def as_json(msg: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    return doc


def setup_load(srv: MetaServer) -> tuple[int, dict[int, int], list[int]]:
    srv.ok("create_instance", {"instance_id": L.IID, "name": "n", "user_id": "u", "obj_info": OBJ})
    tablets: dict[int, int] = {}
    partitions = [L.FIRST_PARTITION + p for p in range(PARTITIONS)]
    for p, partition_id in enumerate(partitions):
        ids = [L.FIRST_TABLET + p * BUCKETS + b for b in range(BUCKETS)]
        metas = [as_json(m) for m in L.tablet_metas(partition_id, ids)]
        srv.ok("create_tablets", {"cloud_unique_id": L.CUID, "db_id": L.DB_ID, "tablet_metas": metas})
        tablets.update(dict.fromkeys(ids, partition_id))
    info = {"db_id": L.DB_ID, "label": "big", "table_ids": [L.TABLE_ID], "timeout_ms": 3_600_000}
    txn_id = int(srv.ok("begin_txn", {"cloud_unique_id": L.CUID, "txn_info": info})["result"]["txn_id"])

    def commit_rowset(tablet_id: int) -> None:
        rs = as_json(L.loaded_rowset(txn_id, tablet_id, tablets[tablet_id]))
        srv.ok("commit_rowset", {"cloud_unique_id": L.CUID, "rowset_meta": rs})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(commit_rowset, sorted(tablets)))
    return txn_id, tablets, partitions


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
    srv = start_meta_server(tmp_path / "ms", store=url)
    try:
        txn_id, tablets, partitions = setup_load(srv)
    finally:
        srv.stop()
    monkeypatch.setenv(lazy_commit.KILL_AFTER_ENV, "6")  # commit point + 5 of ~20 conversions
    srv = start_meta_server(tmp_path / "ms", store=url)
    monkeypatch.delenv(lazy_commit.KILL_AFTER_ENV)
    with pytest.raises(httpx.TransportError):
        srv.call("commit_txn", {"cloud_unique_id": L.CUID, "txn_id": txn_id})
    assert srv.proc.wait(10) == -9
    srv.stop()
    has_record, converted = store_state(url, txn_id, tablets)
    assert has_record and 0 < converted < len(tablets), converted

    srv = start_meta_server(tmp_path / "ms", store=url)
    try:
        some = max(tablets)
        req = {"cloud_unique_id": L.CUID, "idx": {"tablet_id": some}, "start_version": 0, "end_version": -1,
               "base_compaction_cnt": 0, "cumulative_compaction_cnt": 0, "cumulative_point": -1}  # fmt: skip
        got = srv.ok("get_rowset", req)["result"]["rowset_meta"]
        expected = L.loaded_rowset(txn_id, some, tablets[some]).rowset_id_v2
        assert [(int(r["end_version"]), r["rowset_id_v2"]) for r in got] == [(1, f"init{some}"), (2, expected)]
        for partition_id in partitions:
            ver = {"cloud_unique_id": L.CUID, "db_id": L.DB_ID, "table_id": L.TABLE_ID, "partition_id": partition_id}
            assert srv.ok("get_version", ver)["result"]["version"] == "2"
        status = srv.ok("get_txn", {"cloud_unique_id": L.CUID, "txn_id": txn_id})["result"]["txn_info"]["status"]
        assert status == "TXN_STATUS_VISIBLE"
        r = srv.call("get_tablet_stats", {"cloud_unique_id": L.CUID, "tablet_idx": [{"tablet_id": t} for t in tablets]})
        assert r.status_code == 200, r.text
        stats = text_format.Parse(r.text, cloud_pb2.GetTabletStatsResponse()).tablet_stats
        assert len(stats) == len(tablets)
        assert {(s.num_rowsets, s.num_rows, s.data_size) for s in stats} == {(2, 100, 4096)}
        assert store_state(url, txn_id, tablets) == (False, len(tablets))
    finally:
        assert srv.stop() == 0
