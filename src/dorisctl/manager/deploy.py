"""Deploying a whole cluster from a topology: resolve it (the ssh key, the meta-service endpoint and
token), run the preflight checks, then drive the ordinary install process step by step as each
one finishes (agents, packages, configs, starts, joins, complete), registering nodes in the
meta-service before their first start in cloud mode. The driver keeps no state of its own: it
reads the process rows, so it resumes after a restart and follows retries and skips made from
anywhere (CLI, web page, REST)."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from . import api, cloud, preflight
from .connector import Target
from .engine import Engine
from .errors import Conflict, Invalid, ManagerError, NotFound
from .models import Cluster, Flag, KnownHost, Process, Role, Status, Step, Task
from .topology import Node, Topology, TopologyError, load_yaml, parse, to_document

log = logging.getLogger("dorisctl.manager.deploy")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
ROLE_DIR = {"FE": "fe", "BE": "be", "BROKER": "apache_hdfs_broker"}
FILE_CACHE_BYTES = 10 << 30


def cluster_name(v: Any) -> str:
    if not isinstance(v, str) or not NAME_RE.match(v):
        raise Invalid(f"cluster name {v!r} must be a letter then letters, digits, '_' or '-' (64 at most)")
    return v


def render_conf(t: Topology, n: Node) -> dict[str, str]:
    """The conf keys dorisctl sets for one node (merged into the package's own conf file)."""
    conf: dict[str, str] = {k: str(v) for k, v in n.ports.items()}
    conf["priority_networks"] = n.priority_networks or (f"{n.host}/32" if re.match(r"^[\d.]+$", n.host) else "")
    if not conf["priority_networks"]:
        del conf["priority_networks"]
    if n.meta_dir:
        conf["meta_dir"] = n.meta_dir
    if n.storage_root_path:
        conf["storage_root_path"] = n.storage_root_path
    if t.deploy_mode == "cloud" and n.role in ("FE", "BE"):
        ms = t.meta_service
        assert ms is not None and ms.endpoint is not None
        conf["deploy_mode"] = "cloud"
        conf["meta_service_endpoint"] = ms.endpoint
        conf["cloud_unique_id"] = cloud.cloud_unique_id(ms.instance_id, n)
        if n.role == "BE":
            path = n.file_cache_path or f"{t.global_.install_dir}/be/file_cache"
            conf["file_cache_path"] = json.dumps([{"path": path, "total_size": FILE_CACHE_BYTES}])
    conf.update(n.config)
    return conf


class Deployer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.core = engine.core
        self.registrar = cloud.Registrar()
        self._driving: set[int] = set()
        # called with a process id when a process this driver runs finishes (scale-out's effect)
        self.on_finish: list[Callable[[int], None]] = []
        # runs lifecycle operations' processes (``opdriver``), which retry hands over to
        self.op_drive: Callable[[int], None] | None = None
        engine.dispatch.before_start.append(self.register_before_start)

    # -- topology with its secrets ----------------------------------------------------------------------
    @staticmethod
    def document(body: dict[str, Any]) -> tuple[Any, dict[str, int] | None]:
        """The topology of a request: ``topology`` (the JSON document) or ``topologyText`` (the YAML
        file's text, as the web console uploads it; problems then name its lines)."""
        text = body.get("topologyText")
        if text is None:
            return body.get("topology"), None
        if not isinstance(text, str):
            raise Invalid("topologyText must be the topology file's text (a string)")
        try:
            return load_yaml(text)
        except TopologyError as e:
            raise Invalid(str(e), data={"problems": e.problems}) from None

    def resolve(self, doc: Any, lines: dict[str, int] | None = None) -> Topology:
        try:
            t = parse(doc, lines)
        except TopologyError as e:
            raise Invalid(str(e), data={"problems": e.problems}) from None
        g = t.global_
        if not g.ssh_key:
            path = Path(g.ssh_key_file or "").expanduser()
            try:
                g.ssh_key = path.read_text()
            except OSError as e:
                raise Invalid(f"global.ssh_key_file: cannot read {path} on the manager: {e.strerror}") from None
        api.private_key(g.ssh_key)
        ms = t.meta_service
        if ms is not None:
            ms.endpoint = ms.endpoint or self.core.settings.meta_service_url
            if not ms.endpoint:
                raise Invalid("meta_service.endpoint is required: no meta-service runs beside this manager")
            if not ms.token and ms.token_file:
                try:
                    ms.token = Path(ms.token_file).expanduser().read_text().strip()
                except OSError as e:
                    raise Invalid(f"meta_service.token_file: cannot read {ms.token_file}: {e.strerror}") from None
            if not ms.token:
                ms.token = os.environ.get("DORISCTL_META_TOKEN") or self._default_meta_token()
        return t

    def _default_meta_token(self) -> str:
        path = self.core.settings.data_dir / "token"
        try:
            return path.read_text().strip()
        except OSError:
            raise Invalid(
                "meta_service.token_file is required: no meta-service token in the manager's data dir"
            ) from None

    def targets(self, t: Topology) -> list[Target]:
        g = t.global_
        assert g.ssh_key is not None
        with self.core.store.tx() as s:
            known = {(k.host, k.port): k.public_key for k in s.scalars(select(KnownHost))}
        return [
            Target(h, g.ssh_port, g.user, g.ssh_key, g.install_dir, g.agent_port, known.get((h, g.ssh_port)))
            for h in t.hosts
        ]

    @staticmethod
    def skip_checks(v: Any) -> set[str]:
        names = v or []
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise Invalid("skipChecks must be a list of check names")
        unknown = sorted(set(names) - set(preflight.CHECKS))
        if unknown:
            raise Invalid(f"unknown check(s) {', '.join(unknown)}; the checks are {', '.join(preflight.CHECKS)}")
        return set(names)

    # -- check and deploy -----------------------------------------------------------------------------
    async def check(self, body: dict[str, Any], actor: str) -> dict[str, Any]:
        t = self.resolve(*self.document(body))
        skip = self.skip_checks(body.get("skipChecks"))
        results = await preflight.run_checks(self.engine.bootstrap.connector, t, self.targets(t), skip)
        bad = preflight.failed(results)
        outcome = f"{len(bad)} failed" if bad else "passed"
        self.core.audit(actor, "preflight", "hosts:" + ",".join(t.hosts), outcome, skipped=sorted(skip))
        return {"ok": not bad, "checks": results}

    async def deploy(self, body: dict[str, Any], actor: str) -> dict[str, Any]:
        name = cluster_name(body.get("name"))
        t = self.resolve(*self.document(body))
        skip = self.skip_checks(body.get("skipChecks"))
        doc = to_document(t, secrets=True)
        with self.core.store.tx() as s:
            c = s.scalars(select(Cluster).where(Cluster.name == name)).first()
            if c is not None:
                self._check_redeploy(s, c, doc)
        results = await preflight.run_checks(self.engine.bootstrap.connector, t, self.targets(t), skip)
        bad = preflight.failed(results)
        self.core.audit(
            actor, "preflight", f"cluster:{name}", f"{len(bad)} failed" if bad else "passed", skipped=sorted(skip)
        )
        if bad:
            hosts = sorted({f"{r['check']}@{r['host']}" for r in bad})
            raise Conflict(f"preflight failed: {', '.join(hosts)}; nothing was deployed", data={"checks": results})
        if t.meta_service is not None:
            client = cloud.MetaClient(t.meta_service.endpoint or "", t.meta_service.token or "")
            done = await self.registrar.ensure_instance(client, t.meta_service)
            self.core.audit(actor, "meta-service", f"instance:{t.meta_service.instance_id}", done)
        g = t.global_
        assert g.ssh_key is not None
        cmd = api.InstallAgent(name, t.hosts, g.user, g.ssh_port, g.ssh_key, g.package_url, g.install_dir, g.agent_port)
        with self.core.store.tx() as s:
            c = s.scalars(select(Cluster).where(Cluster.name == name)).first()
            if c is None:
                c = Cluster(name=name, deploy_mode=t.deploy_mode, topology_sealed="")
                s.add(c)
            else:
                self._check_redeploy(s, c, doc)
            c.topology_sealed = self.core.box.seal(json.dumps(doc, sort_keys=True), f"topology:{name}")
            pid = self.engine.create_process(s, cmd, actor)
            c.process_id = pid
        self.core.audit(actor, "deploy", f"cluster:{name}", "accepted", process=pid, mode=t.deploy_mode, hosts=t.hosts)
        self.engine.bootstrap.run_submitted(pid)
        self.drive(pid)
        return {"name": name, "processId": pid, "checks": results}

    def _check_redeploy(self, s: Any, c: Cluster, doc: dict[str, Any]) -> None:
        p = s.get(Process, c.process_id) if c.process_id else None
        if p is not None and p.finish == Flag.NO:
            raise Conflict(
                f"cluster {c.name} has an unfinished deploy (process {p.id}): dorisctl cluster retry {c.name}"
            )
        if self.stored(c) != doc:
            raise Conflict(f"cluster {c.name} exists with a different topology; changing a cluster is not supported")

    def stored(self, c: Cluster) -> dict[str, Any]:
        return dict(json.loads(self.core.box.open(c.topology_sealed, f"topology:{c.name}")))

    def topology_of(self, c: Cluster) -> Topology:
        return parse(self.stored(c))

    def _cluster_for(self, pid: int, whole: bool = False) -> tuple[Cluster, Topology] | None:
        """The cluster a deploy process works on and its topology; for a scale-out, the new nodes
        only (or, ``whole``, the cluster with them: what meta-service registration needs)."""
        with self.core.store.tx() as s:
            p = s.get(Process, pid)
            if p is None:
                return None
            c = s.scalars(select(Cluster).where(Cluster.name == p.cluster_id)).first()
            if c is None or c.process_id != pid:
                return None
            plan = json.loads(p.plan_json) if p.plan_json else None
        if plan is None:
            return c, self.topology_of(c)
        if plan.get("kind") != "scale-out":
            return None
        t = parse(json.loads(self.core.box.open(plan["topology_sealed"], f"topology:{c.name}")))
        if whole:
            return c, t
        new = set(plan["nodes"])

        def keep(nodes: list[Node]) -> list[Node]:
            return [n for n in nodes if f"{n.host}:{n.main_port}" in new]

        return c, Topology(t.deploy_mode, t.global_, t.meta_service, keep(t.fe), keep(t.be), keep(t.broker))

    # -- the driver -----------------------------------------------------------------------------------
    def drive(self, pid: int) -> None:
        with self.core.store.tx() as s:
            p = s.get(Process, pid)
            op = p is not None and p.plan_json is not None and json.loads(p.plan_json).get("kind") != "scale-out"
        if op:
            if self.op_drive is not None:
                self.op_drive(pid)
            return
        if pid not in self._driving:
            self._driving.add(pid)
            self.core.spawn(self._drive(pid))

    async def _drive(self, pid: int) -> None:
        try:
            found = self._cluster_for(pid)
            if found is None:
                return
            c, t = found
            while True:
                changed = self.core.changed
                with self.core.store.tx() as s:
                    p = self.core.process(s, pid)
                    finished = p.finish == Flag.YES
                if finished:
                    for hook in self.on_finish:
                        hook(pid)
                    return
                with self.core.store.tx() as s:
                    p = self.core.process(s, pid)
                    step = Step(p.process_type)
                    tasks = self.core.step_tasks(s, pid, step)
                    done = bool(tasks) and all(x.finish == Flag.YES for x in tasks)
                    alive = {(x.host, x.role) for x in tasks if x.finish == Flag.YES and x.skip == Flag.NO}
                if done:
                    try:
                        await self._advance(pid, step, t, alive, f"deploy:{c.name}")
                    except ManagerError as e:
                        self.core.audit(f"deploy:{c.name}", "advance", f"process:{pid}", f"stopped: {e.msg}")
                        log.warning("deploy of %s stopped after %s: %s", c.name, step, e.msg)
                        return
                    continue
                await self.core.wait_change(changed, 5.0)
        finally:
            self._driving.discard(pid)

    async def _advance(self, pid: int, step: Step, t: Topology, alive: set[tuple[str, str | None]], actor: str) -> None:
        e = self.engine
        hosts = {h for h, _r in alive}

        def up(role: str) -> list[Node]:
            nodes = {"FE": t.fe, "BE": t.be, "BROKER": t.broker}[role]
            return [n for n in nodes if (n.host, role) in alive]

        if step == Step.INSTALL_AGENT:
            infos = [{"host": n.host, "role": n.role, "feNodeType": n.fe_type} for n in t.nodes if n.host in hosts]
            await e.install_service({"processId": pid, "installInfos": infos}, actor)
        elif step == Step.INSTALL_SERVICE:
            items = []
            for n in up("FE") + up("BE") + up("BROKER"):
                text = "".join(f"{k} = {v}\n" for k, v in render_conf(t, n).items())
                items.append(([n.host], Role(n.role), text))
            await e.apply_deploy_config(api.DeployConfig(pid, items, merge=True), actor)
        elif step == Step.DEPLOY_CONFIG:
            starts = [{"host": n.host, "role": n.role} for n in up("FE") + up("BE") + up("BROKER")]
            await e.start_service({"processId": pid, "dorisStarts": starts}, actor)
        elif step == Step.START_SERVICE:
            brokers = [n.host for n in up("BROKER")]
            if t.deploy_mode == "integrated":
                fes, bes = [n.host for n in up("FE")], [n.host for n in up("BE")]
                await e.build_cluster({"processId": pid, "feHosts": fes, "beHosts": bes, "brokerHosts": brokers}, actor)
            elif brokers:
                await e.build_cluster({"processId": pid, "brokerHosts": brokers}, actor)
            else:
                await e.install_complete(pid, actor)
        elif step == Step.BUILD_CLUSTER:
            await e.install_complete(pid, actor)

    # -- cloud registration, before a node's first start ---------------------------------------------
    async def register_before_start(self, pid: int, tid: int) -> str | None:
        found = self._cluster_for(pid, whole=True)
        if found is None or found[1].meta_service is None:
            return None
        c, t = found
        with self.core.store.tx() as s:
            task = self.core.task(s, tid)
            role, host = task.role, task.host
        node = next((n for n in t.nodes if n.host == host and n.role == role), None)
        if node is None or node.role == "BROKER":
            return None
        ms = t.meta_service
        assert ms is not None
        client = cloud.MetaClient(ms.endpoint or "", ms.token or "")
        try:
            done = await self.registrar.register(client, t, node)
        except ManagerError as e:
            self.core.audit(f"deploy:{c.name}", "meta-service", f"node:{node.node_id}", f"failed: {e.msg}")
            return f"registering {node.role} {host} in the meta-service failed: {e.msg}"
        self.core.audit(f"deploy:{c.name}", "meta-service", f"node:{node.node_id}", done)
        return None

    # -- retry and resume -------------------------------------------------------------------------------
    async def retry(self, name: str, actor: str) -> dict[str, Any]:
        with self.core.store.tx() as s:
            c = s.scalars(select(Cluster).where(Cluster.name == cluster_name(name))).first()
            if c is None:
                raise NotFound(f"cluster {name} not found")
            p = s.get(Process, c.process_id) if c.process_id else None
            if p is None or p.finish == Flag.YES:
                raise Conflict(f"cluster {name} has no unfinished process to retry")
            failed = [
                x.id
                for x in self.core.step_tasks(s, p.id, p.process_type)
                if x.status == Status.FAILURE and x.finish == Flag.NO
            ]
            pid = p.id
        for tid in failed:
            await self.engine.retry(tid, actor)
        self.drive(pid)
        return {"name": name, "processId": pid, "retried": failed}

    async def resume(self) -> None:
        with self.core.store.tx() as s:
            pids = [
                c.process_id
                for c in s.scalars(select(Cluster))
                if c.process_id is not None and (p := s.get(Process, c.process_id)) is not None and p.finish == Flag.NO
            ]
        for pid in pids:
            self.drive(pid)


def failed_tasks(s: Any, pid: int) -> list[Task]:
    return list(
        s.scalars(select(Task).where(Task.process_id == pid, Task.status == Status.FAILURE, Task.finish == Flag.NO))
    )
