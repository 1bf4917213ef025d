"""What the operator sees of deployed clusters: the list, one cluster with its latest process step
by step and host by host (what ``cluster deploy`` follows live), and ``display``: every node with
its role, ports, process state (probed from here), Doris's own view (SHOW FRONTENDS / SHOW
BACKENDS through the master FE) and, in cloud mode, the meta-service's view of the node."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from . import api, cloud, doris
from .deploy import Deployer, cluster_name
from .errors import Conflict, ManagerError, NotFound
from .lifecycle import Lifecycle, node_key
from .models import STEPS, Agent, Cluster, Process, Task
from .opdriver import OpDriver
from .probe import probe
from .topology import Topology, to_document


class Clusters:
    def __init__(self, deployer: Deployer) -> None:
        self.deployer = deployer
        self.core = deployer.core
        self.lifecycle = Lifecycle(deployer)
        self.ops = OpDriver(self.lifecycle)
        deployer.op_drive = self.ops.drive

    def _get(self, s: Any, name: str) -> Cluster:
        c: Cluster | None = s.scalars(select(Cluster).where(Cluster.name == cluster_name(name))).first()
        if c is None:
            raise NotFound(f"cluster {name} not found")
        return c

    async def cancel(self, name: str, actor: str) -> dict[str, Any]:
        """End the cluster's unfinished process where it stands (nothing on the hosts is undone)."""
        with self.core.store.tx() as s:
            c = self._get(s, name)
            p = s.get(Process, c.process_id) if c.process_id else None
            if p is None or p.finish == "YES":
                raise Conflict(f"cluster {name} has no unfinished process to cancel")
            pid = p.id
        await self.deployer.engine.cancel(pid, actor)
        return {"name": name, "processId": pid}

    def list(self) -> list[dict[str, Any]]:
        with self.core.store.tx() as s:
            out = []
            for c in s.scalars(select(Cluster).order_by(Cluster.id)):
                p = s.get(Process, c.process_id) if c.process_id else None
                out.append(
                    {
                        "name": c.name,
                        "deployMode": c.deploy_mode,
                        "processId": c.process_id,
                        "processType": p.process_type if p else None,
                        "status": p.status if p else None,
                        "finish": p.finish if p else None,
                        "createTime": api.iso(c.create_time),
                    }
                )
            return out

    def view(self, name: str) -> dict[str, Any]:
        """The cluster, its topology (no secrets) and its latest process, step by step."""
        with self.core.store.tx() as s:
            c = self._get(s, name)
            t = self.deployer.topology_of(c)
            p = s.get(Process, c.process_id) if c.process_id else None
            process = None
            if p is not None:
                tasks = list(s.scalars(select(Task).where(Task.process_id == p.id).order_by(Task.id)))
                plan = json.loads(p.plan_json) if p.plan_json else {}
                if p.plan_json and plan.get("kind") != "scale-out":
                    labels = list(dict.fromkeys(x.process_type for x in tasks))  # every stage, in order
                else:
                    labels = [step.value for step in STEPS[: api.step_index(p.process_type) + 1]]
                steps = []
                for step in labels:
                    steps.append(
                        {
                            "step": step,
                            "tasks": [api.task_view(x, compat=False) for x in tasks if x.process_type == step],
                        }
                    )
                process = {
                    **api.process_view(p, api.step_index(p.process_type)),
                    "kind": plan.get("kind", "deploy"),
                    "steps": steps,
                }
            return {
                "name": c.name,
                "deployMode": c.deploy_mode,
                "topology": to_document(t),
                "process": process,
                "createTime": api.iso(c.create_time),
            }

    async def display(self, name: str) -> dict[str, Any]:
        with self.core.store.tx() as s:
            c = self._get(s, name)
            t = self.deployer.topology_of(c)
            agents = {a.host: a.status for a in s.scalars(select(Agent).where(Agent.cluster_id == c.name))}
        states = await asyncio.gather(*(asyncio.to_thread(probe, n) for n in t.nodes))
        fe_view, fe_error = await asyncio.to_thread(_doris_view, t)
        ms_view: dict[str, dict[str, Any]] = {}
        ms_error = None
        if t.meta_service is not None:
            ms = t.meta_service
            try:
                ms_view = await cloud.nodes_view(cloud.MetaClient(ms.endpoint or "", ms.token or ""), ms.instance_id)
            except ManagerError as e:
                ms_error = e.msg
        nodes = []
        for n, state in zip(t.nodes, states, strict=True):
            seen = fe_view.get((n.role, n.host, n.main_port))
            row: dict[str, Any] = {
                "id": node_key(n),
                "role": n.role,
                "host": n.host,
                "ports": "/".join(str(p) for p in n.ports.values()),
                "agent": agents.get(n.host, "-"),
                "process": state,
                "doris": seen["state"] if seen else "-",
                "version": (seen or {}).get("version") or "-",
            }
            if n.role == "FE":
                row["feType"] = n.fe_type
            if t.meta_service is not None:
                uid = cloud.cloud_unique_id(t.meta_service.instance_id, n)
                m = ms_view.get(uid)
                row["cloudUniqueId"] = uid if n.role != "BROKER" else None
                row["metaService"] = (
                    f"{m['cluster']} {m['nodeType'] or m['type']}"
                    if m
                    else ("-" if n.role == "BROKER" else "not registered")
                )
            nodes.append(row)
        return {
            "name": c.name,
            "deployMode": t.deploy_mode,
            "packageUrl": t.global_.package_url,
            "instanceId": t.meta_service.instance_id if t.meta_service else None,
            "nodes": nodes,
            "dorisError": fe_error,
            "metaServiceError": ms_error,
        }


def _doris_view(t: Topology) -> tuple[dict[tuple[str, str, int], dict[str, Any]], str | None]:
    """(role, host, port) -> state and version from the first FE that answers, or the error."""
    last = None
    for fe in t.fe:
        try:
            return doris.member_rows(fe.host, fe.ports["query_port"]), None
        except doris.DorisError as e:
            last = str(e)
    return {}, last
