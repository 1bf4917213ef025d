"""Three stateless meta-service processes on one real 3-member etcd cluster: no lost update.

Many clients change nodes of the same instances through different processes at once. Afterwards
every acknowledged change is present and nothing else: each instance holds exactly the nodes whose
add was acknowledged and whose drop was not.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.fixtures.etcd import EtcdCluster
from tests.fixtures.metaservice import MetaServer, start_meta_server

INSTANCES = 4
CLIENTS = 12
NODES_PER_CLIENT = 12


def test_no_lost_update_across_processes(etcd_cluster: EtcdCluster, tmp_path: Path) -> None:
    url = etcd_cluster.unique_url()
    data = tmp_path / "shared"  # one root key ring and token for all processes
    servers: list[MetaServer] = [start_meta_server(data, store=url) for _ in range(3)]
    try:
        obj = {"ak": "a", "sk": "s", "bucket": "b", "prefix": "p", "endpoint": "e", "region": "r",
               "external_endpoint": "e", "provider": "S3"}  # fmt: skip
        for i in range(INSTANCES):
            servers[i % 3].ok("create_instance", {"instance_id": f"mp{i}", "obj_info": obj})
            cluster = {"cluster_id": "c", "cluster_name": "c", "type": "COMPUTE", "nodes": []}
            servers[(i + 1) % 3].ok("add_cluster", {"instance_id": f"mp{i}", "cluster": cluster})

        present: dict[str, set[str]] = {f"mp{i}": set() for i in range(INSTANCES)}
        unknown: set[str] = set()
        lock = threading.Lock()

        def node(cuid: str, k: int, j: int) -> dict[str, object]:
            return {"cloud_unique_id": cuid, "ip": f"10.7.{k}.{j}", "heartbeat_port": 9050}

        def client(k: int) -> None:
            iid = f"mp{k % INSTANCES}"
            with httpx.Client(timeout=60) as http:
                for j in range(NODES_PER_CLIENT):
                    cuid = f"{iid}-k{k}-n{j}"
                    body = {"instance_id": iid, "cluster": {"cluster_id": "c", "type": "COMPUTE",
                                                             "nodes": [node(cuid, k, j)]}}  # fmt: skip
                    srv = servers[(k + j) % 3]
                    r = http.post(f"{srv.url}/MetaService/http/add_node", params={"token": srv.token}, json=body)
                    with lock:
                        if r.status_code == 200:
                            present[iid].add(cuid)
                        elif "MaybeCommitted" in r.text:
                            unknown.add(cuid)
                    if j % 3 == 0 and r.status_code == 200:
                        srv = servers[(k + j + 1) % 3]
                        r = http.post(f"{srv.url}/MetaService/http/drop_node", params={"token": srv.token}, json=body)
                        with lock:
                            if r.status_code == 200:
                                present[iid].discard(cuid)
                            elif "MaybeCommitted" in r.text:
                                unknown.add(cuid)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)
        assert not any(t.is_alive() for t in threads)
        acknowledged = sum(len(v) for v in present.values())
        assert acknowledged >= CLIENTS * NODES_PER_CLIENT // 2  # the load really went through
        for i in range(INSTANCES):
            iid = f"mp{i}"
            got = servers[i % 3].ok("get_instance", params={"instance_id": iid})["result"]
            nodes = {n["cloud_unique_id"] for n in got["clusters"][0].get("nodes", [])}
            assert nodes - unknown == present[iid] - unknown, iid
    finally:
        for s in servers:
            s.stop()
