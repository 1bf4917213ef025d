"""Cloud mode against dorisctl's meta-service, over its HTTP API like any other client: the
instance created with its object storage, the SQL cluster (FEs) and one COMPUTE cluster per
compute group, each node under ``cloud_unique_id = 1:<instance>:<node>``. Every call checks
first and adds only what is missing, so a re-run or a retry never registers a node twice."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from .errors import Unavailable
from .topology import MetaService, Node, Topology

log = logging.getLogger("dorisctl.manager.cloud")
SQL_CLUSTER_ID = "RESERVED_CLUSTER_ID_FOR_SQL_SERVER"
SQL_CLUSTER_NAME = "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER"
TIMEOUT = 15.0


def cloud_unique_id(instance_id: str, node: Node) -> str:
    return f"1:{instance_id}:{node.node_id}"


def fe_node_types(t: Topology) -> dict[str, str]:
    """node id -> node_type. Doris's meta-service takes either one FE_MASTER (the rest observers)
    or only followers ("multi follower mode"): the first FE is FE_MASTER unless another FE is a
    FOLLOWER too, then every follower is FE_FOLLOWER; observers are FE_OBSERVER."""
    followers = [n for n in t.fe if n.fe_type == "FOLLOWER"]
    multi = len(followers) > 1
    out = {}
    for i, n in enumerate(t.fe):
        if n.fe_type == "OBSERVER":
            out[n.node_id] = "FE_OBSERVER"
        else:
            out[n.node_id] = "FE_FOLLOWER" if multi else ("FE_MASTER" if i == 0 else "FE_FOLLOWER")
    return out


def compute_cluster_id(group: str) -> str:
    return f"{group}_id"


@dataclass
class Reply:
    code: str
    msg: str
    result: Any


class MetaClient:
    """The meta-service's ``/MetaService/http/<route>`` API (token in the query string, as Doris)."""

    def __init__(self, endpoint: str, token: str) -> None:
        self.base = endpoint if endpoint.startswith("http") else f"http://{endpoint}"
        self.endpoint = endpoint
        self._token = token

    async def call(self, route: str, body: dict[str, Any] | None = None, **params: str) -> Reply:
        url = f"{self.base}/MetaService/http/{route}"
        query = {"token": self._token, **params}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as http,
                http.post(url, params=query, data=json.dumps(body or {})) as resp,
            ):
                text = await resp.text()
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            raise Unavailable(f"meta-service {self.endpoint} is not reachable: {e or type(e).__name__}") from None
        try:
            doc = json.loads(text)
        except ValueError:
            raise Unavailable(
                f"meta-service {self.endpoint} answered {route} with non-JSON (HTTP {resp.status})"
            ) from None
        if resp.status == 401 or doc.get("code") == "UNAUTHORIZED":
            raise Unavailable(f"meta-service {self.endpoint} refused the token")
        return Reply(str(doc.get("code", "")), str(doc.get("msg", "")), doc.get("result"))

    async def ok(self, route: str, body: dict[str, Any] | None = None, **params: str) -> Any:
        r = await self.call(route, body, **params)
        if r.code != "OK":
            raise Unavailable(f"meta-service {route} failed: {r.code} {r.msg}")
        return r.result

    async def instance(self, instance_id: str) -> dict[str, Any] | None:
        r = await self.call("get_instance", instance_id=instance_id)
        if r.code == "NOT_FOUND" or "KeyNotFound" in r.msg:  # Doris answers INTERNAL_ERROR ... KeyNotFound
            return None
        if r.code != "OK":
            raise Unavailable(f"meta-service get_instance failed: {r.code} {r.msg}")
        return r.result if isinstance(r.result, dict) else {}


class Registrar:
    """Idempotent registration of one cluster's nodes (serialized: one change at a time)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def ensure_instance(self, client: MetaClient, ms: MetaService) -> str:
        async with self._lock:
            if await client.instance(ms.instance_id) is not None:
                return f"instance {ms.instance_id} exists"
            body = {
                "instance_id": ms.instance_id,
                "name": ms.instance_id,
                "user_id": "dorisctl",
                "obj_info": ms.obj_info,
            }
            r = await client.call("create_instance", body)
            if r.code not in ("OK", "ALREADY_EXISTED"):
                raise Unavailable(f"meta-service create_instance failed: {r.code} {r.msg}")
            return f"instance {ms.instance_id} created"

    async def register(self, client: MetaClient, t: Topology, node: Node) -> str:
        """Make sure ``node`` is in its cluster; returns what was done."""
        assert t.meta_service is not None
        iid = t.meta_service.instance_id
        async with self._lock:
            inst = await client.instance(iid)
            if inst is None:
                raise Unavailable(f"instance {iid} does not exist in the meta-service")
            if node.role == "FE":
                cid, cname, ctype = SQL_CLUSTER_ID, SQL_CLUSTER_NAME, "SQL"
                members = t.fe
                types = fe_node_types(t)
            else:
                group = node.compute_group or "default_compute_group"
                cid, cname, ctype = compute_cluster_id(group), group, "COMPUTE"
                members = [node]
                types = {}

            def entry(n: Node) -> dict[str, Any]:
                e: dict[str, Any] = {"cloud_unique_id": cloud_unique_id(iid, n), "ip": n.host}
                if n.role == "FE":
                    e.update(edit_log_port=n.ports["edit_log_port"], node_type=types[n.node_id])
                else:
                    e["heartbeat_port"] = n.ports["heartbeat_service_port"]
                return e

            cluster = next((c for c in inst.get("clusters") or [] if c.get("cluster_id") == cid), None)
            uid = cloud_unique_id(iid, node)
            if cluster is None:
                # the SQL cluster is registered whole at the master's first start (the meta-service
                # checks its master/follower mix as one); compute nodes join one by one
                nodes = [entry(n) for n in members]
                body = {"instance_id": iid, "cluster": {"cluster_id": cid, "cluster_name": cname, "type": ctype}}
                body["cluster"]["nodes"] = nodes  # type: ignore[index]
                r = await client.call("add_cluster", body)
                if r.code != "OK":
                    raise Unavailable(f"meta-service add_cluster {cname} failed: {r.code} {r.msg}")
                return f"registered {ctype} cluster {cname} with {', '.join(n['cloud_unique_id'] for n in nodes)}"
            if any(n.get("cloud_unique_id") == uid for n in cluster.get("nodes") or []):
                return f"{uid} already registered in {cname}"
            body = {"instance_id": iid, "cluster": {"cluster_id": cid, "type": ctype, "nodes": [entry(node)]}}
            r = await client.call("add_node", body)
            if r.code != "OK":
                raise Unavailable(f"meta-service add_node {uid} failed: {r.code} {r.msg}")
            return f"registered {uid} in {cname}"


async def nodes_view(client: MetaClient, instance_id: str) -> dict[str, dict[str, Any]]:
    """cloud_unique_id -> {cluster, type, ip, port, node_type} as the meta-service holds them."""
    inst = await client.instance(instance_id)
    out: dict[str, dict[str, Any]] = {}
    for c in (inst or {}).get("clusters") or []:
        for n in c.get("nodes") or []:
            out[str(n.get("cloud_unique_id"))] = {
                "cluster": c.get("cluster_name"),
                "type": c.get("type"),
                "ip": n.get("ip"),
                "port": n.get("edit_log_port") or n.get("heartbeat_port"),
                "nodeType": n.get("node_type"),
            }
    return out
