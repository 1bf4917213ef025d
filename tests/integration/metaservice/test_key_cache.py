"""The key cache (kv/keycache.py) is exact through a real server: a commit from another process
sharing the SQLite file invalidates what it changed, and the cache can be turned off."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.metaservice.model.instances import load_instance, node_counts, save_instance
from tests.fixtures.metaservice import start_meta_server
from tests.integration.metaservice.conftest import OBJ, compute_cluster, sqlite_only
from tests.integration.metaservice.test_metrics import scrape, value


def test_commit_from_another_process_invalidates_cached_reads(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    try:
        srv.ok("create_instance", {"instance_id": "cached", "name": "before", "obj_info": OBJ})
        cluster = compute_cluster("c", [("cached-be", "9.0.0.1", 9050)])
        srv.ok("add_cluster", {"instance_id": "cached", "cluster": cluster})
        by_id = {"cloud_unique_id": "cached-be", "cluster_id": "c"}
        for _ in range(3):  # warm: the same request answered again and again
            assert srv.ok("get_instance", params={"instance_id": "cached"})["result"]["name"] == "before"
            assert (
                srv.ok("get_cluster", {"cloud_unique_id": "cached-be", "cluster_id": "c"})["result"]["cluster_name"]
                == "name_c"
            )

        async def rename_behind_its_back() -> None:  # another process writing the same store
            kv = open_store(srv.store_url)

            async def op(txn: Txn) -> None:
                inst = await load_instance(txn, "cached")
                assert inst is not None
                before = node_counts(inst)
                inst.name = "after"
                inst.clusters[0].cluster_name = "renamed"
                save_instance(txn, inst, before)

            try:
                await run_txn(kv, op)
            finally:
                await kv.close()

        asyncio.run(rename_behind_its_back())
        assert srv.ok("get_instance", params={"instance_id": "cached"})["result"]["name"] == "after"
        assert srv.ok("get_cluster", by_id)["result"]["cluster_name"] == "renamed"
        # errors are never cached: a missing instance that appears is seen at once
        assert srv.call("get_instance", params={"instance_id": "late"}).status_code == 500
        srv.ok("create_instance", {"instance_id": "late", "obj_info": OBJ})
        assert srv.ok("get_instance", params={"instance_id": "late"})["result"]["instance_id"] == "late"
    finally:
        srv.stop()


def test_cache_can_be_turned_off(tmp_path: Path, ms_backend: str) -> None:
    sqlite_only(ms_backend, "the key cache and its ?cache= option are SQLite's")
    srv = start_meta_server(tmp_path / "ms", store=f"sqlite:///{tmp_path / 'nc.db'}?cache=0")
    try:
        srv.ok("create_instance", {"instance_id": "nc", "obj_info": OBJ})
        for _ in range(3):
            assert srv.ok("get_instance", params={"instance_id": "nc"})["result"]["instance_id"] == "nc"
        m = scrape(srv)
        assert value(m, "dorisctl_kv_cache_reads_total", result="miss") >= 3  # every read from the store
        assert value(m, "dorisctl_kv_cache_reads_total", result="hit") == 0
    finally:
        srv.stop()
