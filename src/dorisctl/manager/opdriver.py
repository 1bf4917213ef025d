"""Runs a lifecycle operation's process (planned by ``lifecycle``): its stages one after the other,
the next only when every task of the current one finished (succeeded or skipped), so a node that
does not come back stops the process there and no further node is touched. Agent tasks go out
through the dispatcher as ever; the manager's own tasks (wait until Doris lists a node alive,
decommission or drop it, drop meta-service clusters, remove an agent over ssh) run here. When the
last stage is done the operation's effect lands in the stored topology. No state of its own: it
reads the rows, so it resumes after a restart and follows retries and skips from anywhere. Also
submits ``scale-out`` (a deploy of the new nodes only, master FE kept)."""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
import time
from typing import Any

from sqlalchemy import delete, select

from . import api, cloud, doris, preflight
from .bootstrap import run as ssh_run
from .connector import ConnectError, Target
from .deploy import Deployer
from .errors import Conflict, ManagerError
from .lifecycle import Lifecycle, find_master, merge_fragment, node_key
from .models import OP_SERVER_TASKS, Agent, AgentRole, Cluster, Flag, KnownHost, Process, Status, Task, utcnow
from .probe import probe
from .topology import Node, Topology, parse

log = logging.getLogger("dorisctl.manager.lifecycle")
POLL_S = 0.5


class OpDriver:
    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lc = lifecycle
        lifecycle.driver = self
        self.deployer: Deployer = lifecycle.deployer
        self.core = lifecycle.core
        self._driving: set[int] = set()
        self._running: set[int] = set()
        self.deployer.on_finish.append(self._scale_out_done)

    # -- the loop ---------------------------------------------------------------------------------
    def drive(self, pid: int) -> None:
        if pid not in self._driving:
            self._driving.add(pid)
            self.core.spawn(self._drive(pid))

    async def _drive(self, pid: int) -> None:
        try:
            while True:
                changed = self.core.changed
                with self.core.store.tx() as s:
                    p = self.core.process(s, pid)
                    if p.finish == Flag.YES or not p.plan_json:
                        return
                    plan = json.loads(p.plan_json)
                    stage = api.step_index(p.process_type)
                    tasks = self.core.step_tasks(s, pid, p.process_type)
                    pending = [
                        t.id
                        for t in tasks
                        if t.task_type in OP_SERVER_TASKS and t.status in (Status.SUBMITTED, Status.RUNNING)
                    ]
                    done = all(t.finish == Flag.YES for t in tasks)
                    if done and stage + 1 < plan["stages"]:
                        p.process_type = f"{p.process_type.rpartition('#')[0]}#{stage + 1:03d}"
                        done = False
                        self.core.notify()
                        continue
                    name = p.cluster_id
                if done:
                    self._finish(pid, name, plan)
                    return
                for tid in pending:
                    if tid not in self._running:
                        self._running.add(tid)
                        self.core.spawn(self._server_task(tid))
                await self.core.wait_change(changed, 5.0)
        finally:
            self._driving.discard(pid)

    def _finish(self, pid: int, name: str, plan: dict[str, Any]) -> None:
        effect = plan.get("effect") or {}
        with self.core.store.tx() as s:
            p = self.core.process(s, pid)
            p.status, p.finish = Status.SUCCESS, Flag.YES
            c = s.scalars(select(Cluster).where(Cluster.name == name)).first()
            if c is not None:
                self._apply(s, c, plan["kind"], effect)
        self.core.audit(f"{plan['kind']}:{name}", plan["kind"], f"cluster:{name}", "success", process=pid)
        self.core.notify()

    def _apply(self, s: Any, c: Cluster, kind: str, effect: dict[str, Any]) -> None:
        doc = self.deployer.stored(c)
        if kind == "reload":
            c.topology_sealed = effect["topology_sealed"]
            return
        if kind in ("upgrade", "rollback"):
            doc["global"]["package_url"] = effect["to"]
        elif kind == "scale-in":
            t = parse(doc)
            key = effect["remove"]
            gone = next((n for n in t.nodes if node_key(n) == key), None)
            field = {"FE": "fe", "BE": "be", "BROKER": "broker"}[effect["role"]]
            doc[field] = [d for d, n in zip(doc[field], getattr(t, field), strict=True) if node_key(n) != key]
            if gone is not None:
                if not any(n.host == gone.host for n in t.nodes if node_key(n) != key):
                    s.execute(delete(Agent).where(Agent.cluster_id == c.name, Agent.host == gone.host))
                s.execute(
                    delete(AgentRole).where(
                        AgentRole.cluster_id == c.name, AgentRole.host == gone.host, AgentRole.role == gone.role
                    )
                )
        elif kind == "destroy":
            s.execute(delete(AgentRole).where(AgentRole.cluster_id == c.name))
            s.execute(delete(Agent).where(Agent.cluster_id == c.name))
            s.delete(c)
            return
        else:
            return
        c.topology_sealed = self.core.box.seal(json.dumps(doc, sort_keys=True), f"topology:{c.name}")

    # -- the manager's own tasks ------------------------------------------------------------------
    async def _server_task(self, tid: int) -> None:
        try:
            with self.core.store.tx() as s:
                t = s.get(Task, tid)
                if t is None or t.status not in (Status.SUBMITTED, Status.RUNNING):
                    return
                p = self.core.process(s, t.process_id)
                c = s.scalars(select(Cluster).where(Cluster.name == p.cluster_id)).first()
                t.status, t.start_time, t.attempts, t.result = Status.RUNNING, utcnow(), t.attempts + 1, None
                ttype, args, host = t.task_type, json.loads(t.task_json or "{}"), t.host
                topo = self.deployer.topology_of(c) if c is not None else None
            self.core.notify()
            if topo is None:
                self.core.finish(tid, Status.FAILURE, "the cluster is gone")
                return
            try:
                result = await self._run(ttype, args, host, topo)
            except (ManagerError, doris.DorisError, ConnectError) as e:
                msg = e.msg if isinstance(e, ManagerError) else str(e)
                self.core.finish(tid, Status.FAILURE, msg, log_text=f"failed: {msg}\n")
                return
            except Exception as e:  # never leave a task RUNNING because of a bug
                log.exception("task %s crashed", tid)
                self.core.finish(tid, Status.FAILURE, f"internal error: {type(e).__name__}: {e}")
                return
            self.core.finish(tid, Status.SUCCESS, result, log_text=result + "\n")
        finally:
            self._running.discard(tid)

    async def _run(self, ttype: str, args: dict[str, Any], host: str, t: Topology) -> str:
        if ttype.startswith("WAIT_"):
            return await asyncio.to_thread(wait_alive, t, args["node"], float(args.get("timeout", 90)))
        if ttype == "DECOMMISSION_BE":
            return await asyncio.to_thread(decommission, t, args["node"], float(args.get("timeout", 300)))
        if ttype.startswith("DROP_") and ttype != "DROP_META_CLUSTERS":
            return await self._drop(t, args["node"])
        if ttype == "DROP_META_CLUSTERS":
            return await self._drop_meta(t, bool(args.get("dropInstance")))
        if ttype == "REMOVE_AGENT":
            return await self._remove_agent(t, host, bool(args.get("purgeData")))
        raise Conflict(f"unknown server task {ttype}")

    async def _drop(self, t: Topology, key: str) -> str:
        n = next(x for x in t.nodes if node_key(x) == key)
        done = []
        if t.meta_service is not None and n.role != "BROKER":
            done.append(await drop_from_meta(t, n))
        sql = {
            "FE": f"ALTER SYSTEM DROP {n.fe_type or 'FOLLOWER'} {doris.address(n.host, n.main_port)}",
            "BE": f"ALTER SYSTEM DROPP BACKEND {doris.address(n.host, n.main_port)}",
            "BROKER": f"ALTER SYSTEM DROP BROKER {doris.BROKER_NAME} {doris.address(n.host, n.main_port)}",
        }[n.role]
        done.append(await asyncio.to_thread(drop_listed, t, n, sql))
        self.core.audit("manager", "ALTER SYSTEM", f"node:{key}", "; ".join(done), statement=sql)
        return "; ".join(done)

    async def _drop_meta(self, t: Topology, drop_instance: bool) -> str:
        ms = t.meta_service
        assert ms is not None
        client = cloud.MetaClient(ms.endpoint or "", ms.token or "")
        inst = await client.instance(ms.instance_id)
        if inst is None:
            return f"instance {ms.instance_id} is already gone"
        done: list[str] = []
        # compute clusters first, the FEs' SQL cluster last (the meta-service may refuse that one for a
        # while after its FEs registered: the task then fails saying so, and a retry later goes on)
        clusters = sorted(inst.get("clusters") or [], key=lambda c: c.get("cluster_id") == cloud.SQL_CLUSTER_ID)
        for c in clusters:
            body = {"instance_id": ms.instance_id, "cluster": {"cluster_id": c.get("cluster_id")}}
            r = await client.call("drop_cluster", body)
            if r.code != "OK":
                raise Conflict(
                    f"meta-service drop_cluster {c.get('cluster_name')} failed: {r.code} {r.msg[:300]} "
                    f"(dropped so far: {', '.join(done) or 'nothing'})"
                )
            done.append(f"dropped cluster {c.get('cluster_name')}")
        if drop_instance:
            await client.ok("drop_instance", {"instance_id": ms.instance_id})
            done.append(f"dropped instance {ms.instance_id} (the recycler reclaims its objects)")
        return "; ".join(done) or "nothing registered"

    async def _remove_agent(self, t: Topology, host: str, purge: bool) -> str:
        g = t.global_
        assert g.ssh_key is not None
        with self.core.store.tx() as s:
            kh = s.scalars(select(KnownHost).where(KnownHost.host == host, KnownHost.port == g.ssh_port)).first()
            known = kh.public_key if kh is not None else None
        target = Target(host, g.ssh_port, g.user, g.ssh_key, g.install_dir, g.agent_port, known)
        conn = await self.deployer.engine.bootstrap.connector.connect(target)
        q = shlex.quote(g.install_dir.rstrip("/"))
        cmd = (
            f'p=$(cat {q}/agent/agent.pid 2>/dev/null) && kill "$p" 2>/dev/null; '
            f'for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; '
            f"rm -rf {q}/agent {q}/.dorisctl; rmdir {q} 2>/dev/null; true"
        )
        try:
            res = await ssh_run(conn, host, cmd, self.deployer.engine.bootstrap.ssh_hook(target))
        finally:
            await conn.close()
        if res.exit_status != 0:
            raise Conflict(f"removing the agent on {host} failed: {res.stderr}")
        return f"agent stopped and removed from {host}"

    # -- scale-out ----------------------------------------------------------------------------------
    async def scale_out(self, name: str, body: dict[str, Any], actor: str) -> dict[str, Any]:
        dep = self.deployer
        fragment, _lines = dep.document(body)
        skip = dep.skip_checks(body.get("skipChecks"))
        with self.core.store.tx() as s:
            c = self.lc.cluster(s, name)
            self.lc.busy(s, name)
            stored = dep.stored(c)
        merged, whole, part = merge_fragment(stored, fragment)
        results = await preflight.run_checks(dep.engine.bootstrap.connector, part, dep.targets(part), skip)
        bad = preflight.failed(results)
        self.core.audit(actor, "preflight", f"cluster:{name}", f"{len(bad)} failed" if bad else "passed")
        if bad:
            hosts = sorted({f"{r['check']}@{r['host']}" for r in bad})
            raise Conflict(f"preflight failed: {', '.join(hosts)}; nothing was changed", data={"checks": results})
        master = await asyncio.to_thread(find_master, whole)
        g = whole.global_
        assert g.ssh_key is not None
        cmd = api.InstallAgent(
            name, part.hosts, g.user, g.ssh_port, g.ssh_key, g.package_url, g.install_dir, g.agent_port
        )
        new_keys = [node_key(n) for n in part.nodes]
        with self.core.store.tx() as s:
            c = self.lc.cluster(s, name)
            self.lc.busy(s, name)
            pid = dep.engine.create_process(s, cmd, actor)
            p = self.core.process(s, pid)
            p.master_fe = master.rpartition(":")[0]
            sealed = self.core.box.seal(json.dumps(merged, sort_keys=True), f"topology:{name}")
            p.plan_json = json.dumps({"kind": "scale-out", "nodes": new_keys, "topology_sealed": sealed})
            c.process_id = pid
        self.core.audit(actor, "scale-out", f"cluster:{name}", "accepted", process=pid, nodes=new_keys)
        dep.engine.bootstrap.run_submitted(pid)
        dep.drive(pid)
        return {"name": name, "kind": "scale-out", "processId": pid, "nodes": new_keys, "checks": results}

    def _scale_out_done(self, pid: int) -> None:
        with self.core.store.tx() as s:
            p = self.core.process(s, pid)
            plan = json.loads(p.plan_json or "{}")
            if plan.get("kind") != "scale-out" or p.status != Status.SUCCESS:
                return
            c = s.scalars(select(Cluster).where(Cluster.name == p.cluster_id)).first()
            if c is None or plan.get("applied"):
                return
            c.topology_sealed = plan["topology_sealed"]
            plan["applied"] = True
            p.plan_json = json.dumps(plan)
        self.core.audit(f"scale-out:{p.cluster_id}", "scale-out", f"cluster:{p.cluster_id}", "success", process=pid)

    # -- resume -----------------------------------------------------------------------------------
    async def resume(self) -> None:
        with self.core.store.tx() as s:
            pids = [
                p.id
                for p in s.scalars(select(Process).where(Process.finish == Flag.NO, Process.plan_json.is_not(None)))
                if json.loads(p.plan_json or "{}").get("kind") != "scale-out"
            ]
        for pid in pids:
            self.drive(pid)


# -- Doris and the meta-service, blocking helpers ---------------------------------------------------
def _any_fe(t: Topology, exclude: str | None = None) -> tuple[dict[tuple[str, str, int], dict[str, Any]], str]:
    last = "no FE to ask"
    for fe in t.fe:
        if node_key(fe) == exclude:
            continue
        try:
            return doris.member_rows(fe.host, fe.ports["query_port"]), f"{fe.host}:{fe.ports['query_port']}"
        except doris.DorisError as e:
            last = str(e)
    raise doris.DorisError(last)


def wait_alive(t: Topology, key: str, timeout: float) -> str:
    """Until Doris lists the node alive (an FE also joined). In cloud mode an FE learns its BEs from
    the meta-service: a BE it does not list counts as up when its own health endpoint answers."""
    n = next(x for x in t.nodes if node_key(x) == key)
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            rows, via = _any_fe(t)
            r = rows.get((n.role, n.host, n.main_port))
            if r is not None and r["alive"] and r["joined"]:
                return f"{n.role} {key} is alive in Doris (asked FE {via})"
            if r is None and t.meta_service is not None and n.role != "FE" and _healthy(n):
                return f"{n.role} {key} answers its health check (cloud mode: FE {via} does not list it)"
            last = f"FE {via} lists it as {r['state'] if r else 'absent'}"
        except doris.DorisError as e:
            last = str(e)
        if time.monotonic() >= deadline:
            raise doris.DorisError(f"{n.role} {key} did not come back within {timeout:.0f}s: {last}")
        time.sleep(POLL_S)


def _healthy(n: Node) -> bool:
    return probe(n) == "Up"


def decommission(t: Topology, key: str, timeout: float) -> str:
    """ALTER SYSTEM DECOMMISSION BACKEND, then wait until Doris has dropped it."""
    n = next(x for x in t.nodes if node_key(x) == key)
    rows, via = _any_fe(t)
    if (n.role, n.host, n.main_port) not in rows:
        return f"BE {key} is not a member (already dropped)"
    host, _, qport = via.rpartition(":")
    row = rows[(n.role, n.host, n.main_port)]
    if not row["decommissioned"]:
        doris.execute(host, int(qport), f"ALTER SYSTEM DECOMMISSION BACKEND {doris.address(n.host, n.main_port)}")
    deadline = time.monotonic() + timeout
    while (n.role, n.host, n.main_port) in doris.member_rows(host, int(qport)):
        if time.monotonic() >= deadline:
            raise doris.DorisError(f"BE {key} is still decommissioning after {timeout:.0f}s (its tablets move away)")
        time.sleep(POLL_S)
    return f"BE {key} decommissioned and dropped by Doris"


def drop_listed(t: Topology, n: Node, sql: str) -> str:
    rows, via = _any_fe(t, exclude=node_key(n))
    if (n.role, n.host, n.main_port) not in rows:
        return f"{n.role} {node_key(n)} is not listed by FE {via}"
    host, _, qport = via.rpartition(":")
    doris.execute(host, int(qport), sql)
    return f"{sql} on FE {via}"


async def drop_from_meta(t: Topology, n: Node) -> str:
    ms = t.meta_service
    assert ms is not None
    client = cloud.MetaClient(ms.endpoint or "", ms.token or "")
    uid = cloud.cloud_unique_id(ms.instance_id, n)
    view = await cloud.nodes_view(client, ms.instance_id)
    if uid not in view:
        return f"{uid} is not registered in the meta-service"
    entry: dict[str, Any] = {"cloud_unique_id": uid, "ip": n.host}
    if n.role == "FE":
        entry["edit_log_port"] = n.main_port
        cid, ctype = cloud.SQL_CLUSTER_ID, "SQL"
    else:
        entry["heartbeat_port"] = n.main_port
        cid, ctype = cloud.compute_cluster_id(n.compute_group or "default_compute_group"), "COMPUTE"
    body = {"instance_id": ms.instance_id, "cluster": {"cluster_id": cid, "type": ctype, "nodes": [entry]}}
    await client.ok("drop_node", body)
    return f"dropped {uid} from the meta-service"
