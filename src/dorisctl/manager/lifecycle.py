"""A deployed cluster's later life as processes on the same engine: ``stop``, ``start``, rolling
``restart``, ``reload``, ``upgrade``, ``rollback``, ``scale-in`` and ``destroy`` are each planned
here into ordered stages of per-node tasks (agent tasks and the manager's own ``OP_SERVER_TASKS``),
stored as one process with its plan; ``opdriver`` runs the stages one after the other. Every
request is checked whole before anything is stored: an unknown node or cluster, a reload that
changes more than ``config:``, a second operation while one runs (named), all refused.
``scale-out`` goes through the deploy path (``Deployer``) with a plan naming the new nodes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import doris
from .deploy import Deployer, cluster_name, render_conf
from .errors import Conflict, Invalid, NotFound
from .models import Cluster, Flag, Process, Task
from .topology import Node, Topology, TopologyError, parse, to_document

KINDS = ("stop", "start", "restart", "reload", "upgrade", "rollback", "scale-in", "destroy")
ROLES = {"fe": "FE", "be": "BE", "broker": "BROKER"}


def node_key(n: Node) -> str:
    """A node as Doris's ALTER SYSTEM names it: FE edit_log_port, BE heartbeat port, broker IPC port."""
    return f"{n.host}:{n.main_port}"


def label(kind: str, i: int) -> str:
    return f"{kind.upper()}#{i:03d}"


@dataclass
class Plan:
    kind: str
    stages: list[list[tuple[Node | None, str, dict[str, Any]]]] = field(default_factory=list)
    effect: dict[str, Any] = field(default_factory=dict)

    def add(self, *tasks: tuple[Node | None, str, dict[str, Any]]) -> None:
        if tasks:
            self.stages.append(list(tasks))


def find_master(t: Topology) -> str:
    """The master FE's key, as Doris says (SHOW FRONTENDS IsMaster), else the first FE."""
    for fe in t.fe:
        try:
            rows = doris.member_rows(fe.host, fe.ports["query_port"])
        except doris.DorisError:
            continue
        for (role, host, port), r in rows.items():
            if role == "FE" and r["master"]:
                return f"{host}:{port}"
    return node_key(t.fe[0])


def order(t: Topology, nodes: list[Node], master: str) -> list[list[Node]]:
    """Doris's documented order, in groups: BEs, brokers, FE observers, followers, the master last."""
    want = {node_key(n) for n in nodes}
    fe = [n for n in t.fe if node_key(n) in want]
    groups = [
        [n for n in t.be if node_key(n) in want],
        [n for n in t.broker if node_key(n) in want],
        [n for n in fe if n.fe_type == "OBSERVER"],
        [n for n in fe if n.fe_type != "OBSERVER" and node_key(n) != master],
        [n for n in fe if node_key(n) == master],
    ]
    return [g for g in groups if g]


class Lifecycle:
    def __init__(self, deployer: Deployer) -> None:
        self.deployer = deployer
        self.core = deployer.core
        self.driver: Any = None  # opdriver.OpDriver, set by it

    # -- lookups ------------------------------------------------------------------------------------
    def cluster(self, s: Session, name: str) -> Cluster:
        c: Cluster | None = s.scalars(select(Cluster).where(Cluster.name == cluster_name(name))).first()
        if c is None:
            raise NotFound(f"cluster {name} not found")
        return c

    def busy(self, s: Session, name: str) -> None:
        p = s.scalars(
            select(Process).where(Process.cluster_id == name, Process.finish == Flag.NO).order_by(Process.id)
        ).first()
        if p is not None:
            kind = json.loads(p.plan_json)["kind"] if p.plan_json else "deploy"
            raise Conflict(
                f"cluster {name} is busy: process {p.id} ({kind}) is still running at {p.process_type}; "
                f"wait for it, resume it with 'dorisctl cluster retry {name}' or cancel it with "
                f"'dorisctl cluster cancel {name}'"
            )

    def topology(self, name: str) -> Topology:
        with self.core.store.tx() as s:
            c = self.cluster(s, name)
            self.busy(s, name)
            return self.deployer.topology_of(c)

    @staticmethod
    def select(t: Topology, role: Any, node: Any) -> list[Node]:
        nodes = t.nodes
        if role not in (None, ""):
            r = ROLES.get(str(role).lower())
            if r is None:
                raise Invalid(f"role must be fe, be or broker, not {role!r}")
            nodes = [n for n in nodes if n.role == r]
        if node not in (None, ""):
            nodes = [find_node(t, node)]
            if role not in (None, "") and nodes[0].role != ROLES.get(str(role).lower()):
                raise Invalid(f"node {node} is a {nodes[0].role}, not a {str(role).upper()}")
        if not nodes:
            raise Invalid(f"cluster has no {role} node")
        return nodes

    # -- planning -----------------------------------------------------------------------------------
    def _start_tasks(self, t: Topology, group: list[Node]) -> list[list[tuple[Node | None, str, dict[str, Any]]]]:
        timeout = self.core.settings.start_timeout
        start: list[tuple[Node | None, str, dict[str, Any]]] = [
            (n, f"START_{n.role}", self._args(t, n, timeout=timeout)) for n in group
        ]
        wait: list[tuple[Node | None, str, dict[str, Any]]] = [
            (n, f"WAIT_{n.role}", {"node": node_key(n), "timeout": timeout}) for n in group
        ]
        return [start, wait]

    @staticmethod
    def _args(t: Topology, n: Node, **extra: Any) -> dict[str, Any]:
        return {"role": n.role, "installDir": t.global_.install_dir, **extra}

    def _rolling(self, plan: Plan, t: Topology, groups: list[list[Node]], middle: Any = None) -> None:
        """One node at a time: stop, (the change), start, wait until Doris lists it alive."""
        for group in groups:
            for n in group:
                plan.add((n, f"STOP_{n.role}", self._args(t, n)))
                if middle is not None:
                    plan.add(*middle(n))
                for stage in self._start_tasks(t, [n]):
                    plan.add(*stage)

    async def plan(self, name: str, kind: str, body: dict[str, Any]) -> tuple[Topology, Plan]:
        if kind not in KINDS:
            raise NotFound(f"unknown cluster operation {kind}; the operations are {', '.join(KINDS)}")
        t = self.topology(name)
        master = await asyncio.to_thread(find_master, t)
        plan = Plan(kind)
        if kind in ("stop", "start", "restart"):
            groups = order(t, self.select(t, body.get("role"), body.get("node")), master)
            if kind == "stop":
                for g in groups:
                    plan.add(*[(n, f"STOP_{n.role}", self._args(t, n)) for n in g])
            elif kind == "start":
                for g in reversed(groups):
                    for stage in self._start_tasks(t, g):
                        plan.add(*stage)
            else:
                self._rolling(plan, t, groups)
        elif kind == "reload":
            self._plan_reload(name, t, body, plan, master)
        elif kind in ("upgrade", "rollback"):
            await self._plan_package(name, t, body, plan, master)
        elif kind == "scale-in":
            self._plan_scale_in(t, body, plan, master)
        else:
            self._plan_destroy(name, t, body, plan)
        return t, plan

    def _plan_reload(self, name: str, t: Topology, body: dict[str, Any], plan: Plan, master: str) -> None:
        new = self.deployer.resolve(*self.deployer.document(body))

        def shape(x: Topology) -> dict[str, Any]:
            doc = to_document(x)
            for key in ("fe", "be", "broker"):
                for d in doc.get(key, []):
                    d.pop("config", None)
            return doc

        old_nodes, new_nodes = {(n.role, node_key(n)) for n in t.nodes}, {(n.role, node_key(n)) for n in new.nodes}
        if old_nodes != new_nodes:
            added = sorted(f"{r} {k}" for r, k in new_nodes - old_nodes)
            gone = sorted(f"{r} {k}" for r, k in old_nodes - new_nodes)
            raise Invalid(
                "reload changes only config: values; this file changes hosts or roles "
                f"(new: {', '.join(added) or '-'}; missing: {', '.join(gone) or '-'}): "
                f"use 'dorisctl cluster scale-out {name}' / 'dorisctl cluster scale-in {name} --node HOST:PORT'"
            )
        if shape(t) != shape(new):
            raise Invalid("reload changes only config: values; ports, dirs, package or settings differ")
        by_key = {node_key(n): n for n in new.nodes}
        changed = [n for n in t.nodes if render_conf(t, n) != render_conf(new, by_key[node_key(n)])]
        doc = to_document(new, secrets=True)
        plan.effect = {"topology_sealed": self.core.box.seal(json.dumps(doc, sort_keys=True), f"topology:{name}")}
        plan.effect["changed"] = [node_key(n) for n in changed]

        def conf(n: Node) -> list[tuple[Node | None, str, dict[str, Any]]]:
            settings = render_conf(new, by_key[node_key(n)])
            return [(n, f"DEPLOY_{n.role}_CONFIG", self._args(t, n, settings=settings))]

        self._rolling(plan, t, order(t, changed, master), conf)

    async def _plan_package(self, name: str, t: Topology, body: dict[str, Any], plan: Plan, master: str) -> None:
        current = t.global_.package_url
        if plan.kind == "upgrade":
            url = str(body.get("packageUrl") or "")
            if not url.startswith(("http://", "https://")):
                raise Invalid("packageUrl must be an http:// or https:// URL")
            if url == current:
                raise Invalid(f"cluster {name} already runs {url}")
            sha = str(body.get("sha256") or "").lower()
            if sha and (len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha)):
                raise Invalid("sha256 must be 64 hex digits")
            await asyncio.to_thread(reachable, url)
            roles: dict[str, list[str]] = {}
            for n in t.nodes:
                roles.setdefault(n.host, []).append(n.role)
            fetch = {"installDir": t.global_.install_dir, "packageUrl": url, "sha256": sha}
            plan.add(*[(_host_node(t, h), "FETCH_PACKAGE", {**fetch, "roles": r}) for h, r in roles.items()])
            plan.effect = {"from": current, "to": url}
        else:
            prev = self.last_upgrade(name)
            if prev is None:
                raise Conflict(f"cluster {name} has no upgrade to roll back (or it was rolled back already)")
            url = prev["from"]
            plan.effect = {"from": current, "to": url}
        kind = plan.kind.upper()

        def swap(n: Node) -> list[tuple[Node | None, str, dict[str, Any]]]:
            return [(n, f"{kind}_{n.role}", self._args(t, n, packageUrl=url))]

        self._rolling(plan, t, order(t, t.nodes, master), swap)

    def last_upgrade(self, name: str) -> dict[str, Any] | None:
        """The effect of the cluster's last successful upgrade, unless a rollback came after it."""
        with self.core.store.tx() as s:
            q = select(Process).where(Process.cluster_id == name, Process.plan_json.is_not(None))
            for p in s.scalars(q.order_by(Process.id.desc())):
                plan = json.loads(p.plan_json or "{}")
                if p.status != "SUCCESS" or plan.get("kind") not in ("upgrade", "rollback"):
                    continue
                return dict(plan["effect"]) if plan["kind"] == "upgrade" else None
        return None

    def _plan_scale_in(self, t: Topology, body: dict[str, Any], plan: Plan, master: str) -> None:
        if not body.get("node"):
            raise Invalid("scale-in needs node: HOST:PORT (FE edit_log_port, BE heartbeat port, broker IPC port)")
        n = find_node(t, body["node"])
        force, purge = bool(body.get("force")), bool(body.get("purgeData"))
        key = node_key(n)
        if not force:
            if n.role == "FE" and len(t.fe) == 1:
                raise Conflict(f"{key} is the last FE of the cluster; use --force to remove it anyway")
            if n.role == "FE" and key == master:
                raise Conflict(f"{key} is the master FE; use --force to remove it anyway")
            if n.role == "BE":
                group = [b for b in t.be if b.compute_group == n.compute_group]
                if len(group) == 1:
                    where = f"compute group {n.compute_group}" if n.compute_group else "the cluster"
                    raise Conflict(f"{key} is the last BE of {where}; use --force to remove it anyway")
        if n.role == "BE" and t.meta_service is None:
            plan.add((n, "DROP_BE" if force else "DECOMMISSION_BE", {"node": key, "force": force}))
        else:
            plan.add((n, f"DROP_{n.role}", {"node": key, "force": force}))
        plan.add((n, f"STOP_{n.role}", self._args(t, n)))
        plan.add((n, f"REMOVE_{n.role}", self._args(t, n, purgeData=purge)))
        if not any(x.host == n.host for x in t.nodes if x is not n):
            plan.add((n, "REMOVE_AGENT", {"purgeData": purge}))  # the host's last node: its agent goes too
        plan.effect = {"remove": key, "role": n.role}

    def _plan_destroy(self, name: str, t: Topology, body: dict[str, Any], plan: Plan) -> None:
        if body.get("confirm") != name:
            raise Invalid(f"destroy needs confirm: {name} (the cluster's name), so nothing is destroyed by mistake")
        purge = bool(body.get("purgeData"))
        for g in order(t, t.nodes, node_key(t.fe[0])):
            plan.add(*[(n, f"STOP_{n.role}", self._args(t, n)) for n in g])
        plan.add(*[(n, f"REMOVE_{n.role}", self._args(t, n, purgeData=purge)) for n in t.nodes])
        if t.meta_service is not None:
            plan.add((None, "DROP_META_CLUSTERS", {"dropInstance": bool(body.get("dropInstance"))}))
        plan.add(*[(_host_node(t, h), "REMOVE_AGENT", {"purgeData": purge}) for h in t.hosts])
        plan.effect = {"destroy": True}

    # -- submitting --------------------------------------------------------------------------------
    async def submit(self, name: str, kind: str, body: dict[str, Any], actor: str) -> dict[str, Any]:
        t, plan = await self.plan(name, kind, body)
        if not plan.stages:
            self.core.audit(actor, kind, f"cluster:{name}", "nothing to do")
            return {"name": name, "kind": kind, "processId": None, "stages": 0, "changed": []}
        g = t.global_
        assert g.ssh_key is not None
        with self.core.store.tx() as s:
            c = self.cluster(s, name)
            self.busy(s, name)
            doc = {"kind": kind, "stages": len(plan.stages), "effect": plan.effect, "request": _public(body)}
            p = Process(
                cluster_id=name,
                user=actor,
                process_type=label(kind, 0),
                package_url=g.package_url,
                install_dir=g.install_dir,
                ssh_user=g.user,
                ssh_port=g.ssh_port,
                ssh_key_sealed=self.core.box.seal(g.ssh_key, "ssh-key"),
                agent_port=g.agent_port,
                plan_json=json.dumps(doc),
            )
            s.add(p)
            s.flush()
            for i, stage in enumerate(plan.stages):
                for n, ttype, args in stage:
                    s.add(
                        Task(
                            process_id=p.id,
                            host=n.host if n is not None else (t.fe[0].host if t.fe else ""),
                            process_type=label(kind, i),
                            task_type=ttype,
                            role=n.role if n is not None and not ttype.endswith(("_PACKAGE", "_AGENT")) else None,
                            task_json=json.dumps(args),
                        )
                    )
            c.process_id = pid = p.id
        self.core.audit(actor, kind, f"cluster:{name}", "accepted", process=pid, request=_public(body))
        self.core.notify()
        if self.driver is not None:
            self.driver.drive(pid)
        return {"name": name, "kind": kind, "processId": pid, "stages": len(plan.stages), **_summary(plan)}


def _public(body: dict[str, Any]) -> dict[str, Any]:
    """What of a request goes into the audit trail and the plan (never a topology with its keys)."""
    return {k: v for k, v in body.items() if k not in ("topology", "topologyText")}


def _summary(plan: Plan) -> dict[str, Any]:
    return {"changed": plan.effect.get("changed", [])} if plan.kind == "reload" else {}


def _host_node(t: Topology, host: str) -> Node:
    return next(n for n in t.nodes if n.host == host)


def find_node(t: Topology, spec: Any) -> Node:
    key = str(spec).strip()
    host, _, port = key.rpartition(":")
    if not host or not port.isdigit():
        raise Invalid(f"node {spec!r} must be HOST:PORT (FE edit_log_port, BE heartbeat port, broker IPC port)")
    for n in t.nodes:
        if node_key(n) == key:
            return n
    known = ", ".join(f"{node_key(n)} ({n.role})" for n in t.nodes)
    raise NotFound(f"cluster has no node {key}; its nodes are {known}")


def reachable(url: str) -> None:
    """The package URL answers from here (a HEAD, then a ranged GET); refused with the reason."""
    import urllib.error
    import urllib.request

    for method in ("HEAD", "GET"):
        req = urllib.request.Request(url.split("#")[0], method=method, headers={"Range": "bytes=0-0"})
        try:
            with urllib.request.urlopen(req, timeout=10):
                return
        except urllib.error.HTTPError as e:
            if method == "GET" or e.code not in (405, 501):
                raise Invalid(f"package URL {url} is not reachable: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise Invalid(f"package URL {url} is not reachable: {getattr(e, 'reason', e)}") from None


def merge_fragment(stored: dict[str, Any], fragment: Any) -> tuple[dict[str, Any], Topology, Topology]:
    """(merged document, merged topology, topology of the new nodes only) for a scale-out: the
    fragment holds only fe/be/broker lists; the merged whole is validated (a taken port or an
    existing node is refused, naming the field)."""
    if not isinstance(fragment, dict) or not fragment:
        raise Invalid("a scale-out topology must be a mapping with fe:, be: and/or broker: lists of new nodes")
    extra = sorted(set(fragment) - {"fe", "be", "broker"})
    if extra:
        raise Invalid(f"a scale-out topology holds only new nodes (fe, be, broker); not {', '.join(extra)}")
    merged = json.loads(json.dumps(stored))
    new_ids: set[tuple[str, str]] = set()
    for key in ("fe", "be", "broker"):
        items = fragment.get(key) or []
        if not isinstance(items, list):
            raise Invalid(f"{key} must be a list of nodes")
        merged.setdefault(key, [])
        for item in items:
            merged[key].append(item)
            if isinstance(item, dict):
                new_ids.add((key.upper(), str(item.get("host", "")).strip()))
    if not new_ids:
        raise Invalid("the scale-out topology names no new node")
    try:
        whole = parse(merged)
    except TopologyError as e:
        raise Invalid(str(e).replace("invalid topology", "scale-out refused"), data={"problems": e.problems}) from None
    old = parse(stored)
    existing = {(n.role, n.host) for n in old.nodes}
    taken = sorted(f"{r} on {h}" for r, h in new_ids & existing)
    if taken:
        raise Invalid(f"scale-out refused: the cluster already has {', '.join(taken)}")
    part = Topology(
        whole.deploy_mode,
        whole.global_,
        whole.meta_service,
        [n for n in whole.fe if (n.role, n.host) in new_ids],
        [n for n in whole.be if (n.role, n.host) in new_ids],
        [n for n in whole.broker if (n.role, n.host) in new_ids],
    )
    return merged, whole, part
