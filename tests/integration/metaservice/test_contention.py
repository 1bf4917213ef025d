"""Many clients changing one instance through one server: every request succeeds.

Requests that read-modify-write one instance queue in the process (InstanceQueue) instead of
losing optimistic races until their retries run out; the final state holds exactly the nodes
each client left behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.fixtures.metaservice import start_meta_server
from tests.integration.metaservice.conftest import OBJ, compute_cluster

INSTANCES = 1
CLIENTS = 64
PAIRS = 4


def test_contended_node_changes_all_succeed(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    try:
        for i in range(INSTANCES):
            srv.ok("create_instance", {"instance_id": f"hot{i}", "obj_info": OBJ})
            srv.ok("add_cluster", {"instance_id": f"hot{i}", "cluster": compute_cluster("c", [])})

        async def client(k: int, http: httpx.AsyncClient) -> list[int]:
            statuses = []
            iid = f"hot{k % INSTANCES}"
            for j in range(PAIRS):
                node = {"cloud_unique_id": f"{iid}-k{k}", "ip": f"10.5.{k}.1", "heartbeat_port": 9050}
                body = {"instance_id": iid, "cluster": {"cluster_id": "c", "type": "COMPUTE", "nodes": [node]}}
                for route in ("add_node", "drop_node") if j < PAIRS - 1 else ("add_node",):
                    r = await http.post(f"/MetaService/http/{route}", params={"token": srv.token}, json=body)
                    statuses.append(r.status_code)
            return statuses

        async def run() -> list[int]:
            async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
                results = await asyncio.gather(*(client(k, http) for k in range(CLIENTS)))
            return [s for r in results for s in r]

        statuses = asyncio.run(run())
        assert statuses.count(200) == len(statuses) == CLIENTS * (2 * PAIRS - 1)
        for i in range(INSTANCES):
            got = srv.ok("get_instance", params={"instance_id": f"hot{i}"})["result"]
            nodes = {n["cloud_unique_id"] for n in got["clusters"][0].get("nodes", [])}
            assert nodes == {f"hot{i}-k{k}" for k in range(CLIENTS) if k % INSTANCES == i}
    finally:
        srv.stop()
