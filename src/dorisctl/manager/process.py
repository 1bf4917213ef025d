"""The process/task engine: install steps as persisted per-host tasks with step gating, retry,
skip (prunes the host from later steps), back, cancel and installComplete; dispatch of agent tasks
through the agents' long-poll; server-side tasks (SSH bootstrap, cluster joins); agent liveness;
resume after a restart (everything lives in the DB)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dorisctl.agent.facts import DEFAULT_PORTS, parse_conf

from . import audit, doris, ssh
from .db import Store
from .models import Agent, AgentRole, KnownHost, Process, Task, utcnow
from .secretbox import SecretBox, new_token, token_hash

log = logging.getLogger("dorisctl.manager.process")

STEPS = ["INSTALL_AGENT", "INSTALL_SERVICE", "DEPLOY_CONFIG", "START_SERVICE", "BUILD_CLUSTER"]
ROLES = ("FE", "BE", "BROKER")
SERVER_TASKS = {"INSTALL_AGENT", "JOIN_FE", "JOIN_BE", "JOIN_BROKER"}
HEARTBEAT_STOP_AFTER_S = 60.0
REGISTER_WAIT_S = 30.0
_HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,253}$")


class ApiError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def bad(msg: str) -> ApiError:
    return ApiError(400, msg)


def iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+00:00"


@dataclass
class Settings:
    data_dir: Path
    port: int
    advertise_url: str | None = None
    ssh_parallel: int = 16
    agent_port: int = 9602
    start_timeout: int = 90
    heartbeat_timeout: float = HEARTBEAT_STOP_AFTER_S  # an agent silent this long is shown as STOP


# -- request parsing helpers ---------------------------------------------------------------------
def _req_str(body: dict[str, Any], key: str) -> str:
    v = body.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise bad(f"{key} is required and must be a non-empty string")
    return v.strip()


def _req_int(body: dict[str, Any], key: str, default: int | None = None) -> int:
    v = body.get(key, default)
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise bad(f"{key} is required and must be an integer")
    return v


def _host(v: Any, what: str = "host") -> str:
    if not isinstance(v, str) or not _HOST_RE.match(v.strip()):
        raise bad(f"{what} {v!r} is not a valid host name or IPv4 address")
    return v.strip()


def _role(v: Any) -> str:
    r = str(v or "").upper()
    if r not in ROLES:
        raise bad(f"role {v!r} must be one of FE, BE, BROKER")
    return r


def _list(body: dict[str, Any], key: str) -> list[Any]:
    v = body.get(key)
    if not isinstance(v, list) or not v:
        raise bad(f"{key} is required and must be a non-empty list")
    return v


class Engine:
    def __init__(self, store: Store, box: SecretBox, settings: Settings) -> None:
        self.store = store
        self.box = box
        self.settings = settings
        self._changed = asyncio.Event()
        self._bg: set[asyncio.Task[Any]] = set()
        self._sem = asyncio.Semaphore(settings.ssh_parallel)
        self._running_server_tasks: set[int] = set()
        self.zipapp = ssh.build_agent_zipapp(settings.data_dir)

    # -- plumbing -------------------------------------------------------------------------------
    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)

    async def close(self) -> None:
        for t in list(self._bg):
            t.cancel()
        if self._bg:
            await asyncio.gather(*self._bg, return_exceptions=True)

    def audit(self, actor: str, action: str, target: str, outcome: str, **detail: Any) -> None:
        audit.record(self.store, actor, action, target, outcome, detail or None)

    def _process(self, s: Session, pid: int) -> Process:
        p = s.get(Process, pid)
        if p is None:
            raise ApiError(404, f"process {pid} not found")
        return p

    def _task(self, s: Session, tid: int) -> Task:
        t = s.get(Task, tid)
        if t is None:
            raise ApiError(404, f"task {tid} not found")
        return t

    def _step_tasks(self, s: Session, pid: int, step: str, include_skipped: bool = True) -> list[Task]:
        q = select(Task).where(Task.process_id == pid, Task.process_type == step)
        if not include_skipped:
            q = q.where(Task.skip == "NO")
        return list(s.scalars(q.order_by(Task.id)))

    def _gate(self, s: Session, pid: int, step: str) -> Process:
        """Common rules of every step endpoint (spec 2.3 with the fixes of section 7)."""
        p = self._process(s, pid)
        if p.finish == "YES":
            raise ApiError(409, f"process {pid} is already finished ({p.status})")
        idx = STEPS.index(step)
        cur = STEPS.index(p.process_type)
        if cur not in (idx - 1, idx):
            raise ApiError(409, f"process {pid} is at {p.process_type}; {step} is not the next step")
        prev = self._step_tasks(s, pid, STEPS[idx - 1])
        if not prev:
            raise ApiError(409, f"step {STEPS[idx - 1]} of process {pid} has no tasks")
        unfinished = [t for t in prev if t.finish != "YES"]
        if unfinished:
            desc = ", ".join(f"{t.task_type}@{t.host}={t.status}" for t in unfinished[:5])
            raise ApiError(409, f"step {STEPS[idx - 1]} is not finished: {desc}")
        return p

    def _alive_hosts(self, s: Session, pid: int, step: str, role: str | None) -> set[str]:
        """Hosts with a finished, non-skipped task of ``step`` (for ``role``) in this process."""
        out = set()
        for t in self._step_tasks(s, pid, step, include_skipped=False):
            if t.finish == "YES" and (role is None or t.role == role):
                out.add(t.host)
        return out

    def _replace_task(
        self, s: Session, p: Process, host: str, ttype: str, role: str | None, args: dict[str, Any]
    ) -> None:
        old = s.scalars(
            select(Task).where(
                Task.process_id == p.id,
                Task.host == host,
                Task.task_type == ttype,
                Task.process_type == p.process_type,
            )
        ).first()
        if old is not None:
            if old.status == "RUNNING":
                return
            s.delete(old)
            s.flush()
        s.add(
            Task(
                process_id=p.id,
                host=host,
                process_type=p.process_type,
                task_type=ttype,
                role=role,
                task_json=json.dumps(args),
            )
        )

    # -- operator API: steps ----------------------------------------------------------------------
    async def install_agent(self, body: dict[str, Any], actor: str) -> int:
        cluster_id = _req_str(body, "clusterId")
        hosts = [_host(h) for h in _list(body, "hosts")]
        if len(set(hosts)) != len(hosts):
            raise bad("hosts contains duplicates")
        user = _req_str(body, "user")
        if not re.match(r"^[a-z_][a-z0-9_.-]{0,31}$", user):
            raise bad("user is not a valid user name")
        port = _req_int(body, "sshPort" if "sshPort" in body else "port", 22)
        if not 0 < port < 65536:
            raise bad("sshPort must be between 1 and 65535")
        key = _req_str(body, "sshKey")
        try:
            ssh.validate_private_key(key)
        except ValueError as e:
            raise bad(str(e)) from None
        url = _req_str(body, "packageUrl")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise bad("packageUrl must be an http:// or https:// URL")
        install_dir = _req_str(body, "installDir")
        if not install_dir.startswith("/") or ".." in install_dir.split("/") or "\n" in install_dir:
            raise bad("installDir must be an absolute path without '..'")
        agent_port = _req_int(body, "agentPort", self.settings.agent_port)
        with self.store.tx() as s:
            busy = s.scalars(select(Process).where(Process.cluster_id == cluster_id, Process.finish == "NO")).first()
            if busy is not None:
                raise ApiError(409, f"cluster {cluster_id} already has an unfinished process {busy.id}")
            p = Process(
                cluster_id=cluster_id,
                user=actor,
                process_type="INSTALL_AGENT",
                package_url=url,
                install_dir=install_dir.rstrip("/") or "/",
                ssh_user=user,
                ssh_port=port,
                ssh_key_sealed=self.box.seal(key, "ssh-key"),
                agent_port=agent_port,
            )
            s.add(p)
            s.flush()
            for h in hosts:
                s.add(Task(process_id=p.id, host=h, process_type="INSTALL_AGENT", task_type="INSTALL_AGENT"))
            pid = p.id
        self.audit(actor, "installAgent", f"process:{pid}", "accepted", cluster=cluster_id, hosts=hosts, user=user)
        self._run_submitted_server_tasks(pid)
        return pid

    async def install_service(self, body: dict[str, Any], actor: str) -> None:
        pid = _req_int(body, "processId")
        infos = _list(body, "installInfos")
        parsed: list[tuple[str, str, str | None]] = []
        for i in infos:
            if not isinstance(i, dict):
                raise bad("installInfos entries must be objects")
            role = _role(i.get("role"))
            nt = i.get("feNodeType")
            fe_type = str(nt or "FOLLOWER").upper() if role == "FE" else None
            if fe_type not in (None, "FOLLOWER", "OBSERVER"):
                raise bad("feNodeType must be FOLLOWER or OBSERVER")
            parsed.append((_host(i.get("host")), role, fe_type))
        with self.store.tx() as s:
            p = self._gate(s, pid, "INSTALL_SERVICE")
            ok_hosts = self._alive_hosts(s, pid, "INSTALL_AGENT", None)
            all_hosts = {t.host for t in self._step_tasks(s, pid, "INSTALL_AGENT")}
            for host, _r, _t in parsed:
                if host not in all_hosts:
                    raise bad(f"host {host} is not part of process {pid}")
            p.process_type = "INSTALL_SERVICE"
            for host, role, fe_type in parsed:
                if host not in ok_hosts:
                    continue  # skipped earlier: pruned from later steps
                args = {"role": role, "packageUrl": p.package_url, "installDir": p.install_dir}
                self._replace_task(s, p, host, f"INSTALL_{role}", role, args)
                r = s.scalars(
                    select(AgentRole).where(
                        AgentRole.cluster_id == p.cluster_id, AgentRole.host == host, AgentRole.role == role
                    )
                ).first()
                if r is None:
                    r = AgentRole(cluster_id=p.cluster_id, host=host, role=role, install_dir="", register="NO")
                    s.add(r)
                r.fe_node_type = fe_type
                r.install_dir = f"{p.install_dir}/{ {'FE': 'fe', 'BE': 'be', 'BROKER': 'apache_hdfs_broker'}[role] }"
        self.audit(actor, "installService", f"process:{pid}", "accepted", installInfos=infos)
        self.notify()

    async def deploy_config(self, body: dict[str, Any], actor: str) -> None:
        pid = _req_int(body, "processId")
        items: list[tuple[list[str], str, str]] = []
        for d in _list(body, "deployConfigs"):
            if not isinstance(d, dict):
                raise bad("deployConfigs entries must be objects")
            hosts = d.get("hosts")
            if not isinstance(hosts, list) or not hosts:
                raise bad("deployConfigs.hosts must be a non-empty list")
            conf = d.get("conf")
            if not isinstance(conf, str) or not conf.strip():
                raise bad("deployConfigs.conf must be the conf file text")
            if len(conf) > 1 << 20:
                raise bad("deployConfigs.conf is larger than 1 MiB")
            items.append(([_host(h) for h in hosts], _role(d.get("role")), conf))
        with self.store.tx() as s:
            p = self._gate(s, pid, "DEPLOY_CONFIG")
            for hosts, role, _c in items:
                installed = {t.host for t in self._step_tasks(s, pid, "INSTALL_SERVICE") if t.role == role}
                for h in hosts:
                    if h not in installed:
                        raise bad(f"{role} was not installed on {h} in process {pid}")
            p.process_type = "DEPLOY_CONFIG"
            for hosts, role, conf in items:
                ok = self._alive_hosts(s, pid, "INSTALL_SERVICE", role)
                parsed = parse_conf(conf)
                for h in hosts:
                    if h not in ok:
                        continue
                    args = {"role": role, "installDir": p.install_dir, "conf": conf}
                    self._replace_task(s, p, h, f"DEPLOY_{role}_CONFIG", role, args)
                    r = s.scalars(
                        select(AgentRole).where(
                            AgentRole.cluster_id == p.cluster_id, AgentRole.host == h, AgentRole.role == role
                        )
                    ).first()
                    if r is not None:
                        r.conf_json = json.dumps(parsed)
        self.audit(actor, "deployConfig", f"process:{pid}", "accepted", hosts=[h for i in items for h in i[0]])
        self.notify()

    async def start_service(self, body: dict[str, Any], actor: str) -> None:
        pid = _req_int(body, "processId")
        starts = []
        for d in _list(body, "dorisStarts"):
            if not isinstance(d, dict):
                raise bad("dorisStarts entries must be objects")
            starts.append((_host(d.get("host")), _role(d.get("role"))))
        with self.store.tx() as s:
            p = self._gate(s, pid, "START_SERVICE")
            for h, role in starts:
                deployed = {t.host for t in self._step_tasks(s, pid, "DEPLOY_CONFIG") if t.role == role}
                if h not in deployed:
                    raise bad(f"{role} config was not deployed on {h} in process {pid}")
            p.process_type = "START_SERVICE"
            master = None
            for h, role in starts:
                if role == "FE" and master is None:
                    r = self._role_row(s, p.cluster_id, h, "FE")
                    if r is not None and r.fe_node_type != "OBSERVER":
                        master = h
            if master is None and any(r == "FE" for _h, r in starts):
                raise bad("startService needs at least one FOLLOWER FE to start as master")
            p.master_fe = master or p.master_fe
            for h, role in starts:
                if h not in self._alive_hosts(s, pid, "DEPLOY_CONFIG", role):
                    continue
                args: dict[str, Any] = {
                    "role": role,
                    "installDir": p.install_dir,
                    "timeout": self.settings.start_timeout,
                }
                self._replace_task(s, p, h, f"START_{role}", role, args)
        self.audit(actor, "startService", f"process:{pid}", "accepted", starts=starts, masterFe=master)
        self.notify()

    async def build_cluster(self, body: dict[str, Any], actor: str) -> None:
        pid = _req_int(body, "processId")
        fe_hosts = [_host(h) for h in body.get("feHosts") or []]
        be_hosts = [_host(h) for h in body.get("beHosts") or []]
        broker_hosts = [_host(h) for h in body.get("brokerHosts") or []]
        if not isinstance(body.get("feHosts", []), list) or not isinstance(body.get("beHosts", []), list):
            raise bad("feHosts and beHosts must be lists")
        with self.store.tx() as s:
            p = self._gate(s, pid, "BUILD_CLUSTER")
            if not p.master_fe:
                raise ApiError(409, f"process {pid} started no master FE")
            started = {(t.host, t.role) for t in self._step_tasks(s, pid, "START_SERVICE", include_skipped=False)}
            if not broker_hosts:
                broker_hosts = sorted(h for h, r in started if r == "BROKER")
            for hosts, role in ((fe_hosts, "FE"), (be_hosts, "BE"), (broker_hosts, "BROKER")):
                for h in hosts:
                    if (h, role) not in started:
                        raise bad(f"{role} on {h} was not started in process {pid}")
            if not fe_hosts and not be_hosts and not broker_hosts:
                raise bad("buildCluster needs feHosts and/or beHosts")
            p.process_type = "BUILD_CLUSTER"
            for hosts, role in ((fe_hosts, "FE"), (be_hosts, "BE"), (broker_hosts, "BROKER")):
                for h in hosts:
                    self._replace_task(s, p, h, f"JOIN_{role}", role, {"role": role})
        self.audit(actor, "buildCluster", f"process:{pid}", "accepted", fe=fe_hosts, be=be_hosts, broker=broker_hosts)
        self._run_submitted_server_tasks(pid)

    # -- operator API: process control --------------------------------------------------------------
    def current_process(self, cluster_id: str | None) -> dict[str, Any] | None:
        with self.store.tx() as s:
            q = select(Process).where(Process.finish == "NO")
            if cluster_id:
                q = q.where(Process.cluster_id == cluster_id)
            p = s.scalars(q.order_by(Process.id.desc())).first()
            if p is None:
                return None
            step = STEPS.index(p.process_type)
            tasks = self._step_tasks(s, p.id, p.process_type)
            if tasks and all(t.finish == "YES" for t in tasks) and step < len(STEPS) - 1:
                step += 1
            return {
                "id": p.id,
                "clusterId": p.cluster_id,
                "processType": p.process_type,
                "processStep": step,
                "status": p.status,
                "finish": p.finish,
                "masterFe": p.master_fe,
                "createTime": iso(p.create_time),
                "updateTime": iso(p.update_time),
            }

    @staticmethod
    def task_view(t: Task, compat: bool = True) -> dict[str, Any]:
        status = "RUNNING" if (compat and t.status == "SUBMITTED") else t.status
        if t.status == "SUCCESS":
            response = t.result or f"{t.task_type.lower()} success"
        elif t.status == "FAILURE":
            response = t.result or f"{t.task_type.lower()} fail"
        else:
            response = t.result or ""
        return {
            "id": t.id,
            "processId": t.process_id,
            "host": t.host,
            "processType": t.process_type,
            "taskType": t.task_type,
            "taskRole": t.role,
            "status": status,
            "startTime": iso(t.start_time),
            "endTime": iso(t.end_time),
            "executorId": t.executor_id,
            "result": t.result,
            "finish": t.finish,
            "skip": t.skip,
            "attempts": t.attempts,
            "response": response,
        }

    def current_tasks(self, pid: int) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            p = self._process(s, pid)
            return [self.task_view(t) for t in self._step_tasks(s, pid, p.process_type, include_skipped=False)]

    def progress(self, pid: int) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            self._process(s, pid)
            q = select(Task).where(Task.process_id == pid).order_by(Task.id)
            return [self.task_view(t, compat=False) for t in s.scalars(q)]

    def task_info(self, tid: int) -> dict[str, Any]:
        with self.store.tx() as s:
            return self.task_view(self._task(s, tid), compat=False)

    def task_log(self, tid: int) -> dict[str, Any]:
        with self.store.tx() as s:
            t = self._task(s, tid)
            return {"logPath": t.log_path or "", "log": t.log or (t.result or "")}

    async def retry(self, tid: int, actor: str) -> None:
        with self.store.tx() as s:
            t = self._task(s, tid)
            p = self._process(s, t.process_id)
            if p.finish == "YES":
                raise ApiError(409, f"process {p.id} is finished")
            if t.process_type != p.process_type:
                raise ApiError(409, f"task {tid} belongs to step {t.process_type}, the process is at {p.process_type}")
            if t.status != "FAILURE" or t.finish == "YES":
                raise ApiError(409, f"task {tid} is {t.status}; only a failed task can be retried")
            t.status, t.result, t.end_time, t.start_time, t.dispatched_time = (
                "SUBMITTED",
                None,
                None,
                None,
                None,
            )
            pid, server_side = p.id, t.task_type in SERVER_TASKS
        self.audit(actor, "retryTask", f"task:{tid}", "accepted")
        if server_side:
            self._run_submitted_server_tasks(pid)
        self.notify()

    async def skip(self, tid: int, actor: str) -> None:
        with self.store.tx() as s:
            t = self._task(s, tid)
            if t.status != "FAILURE" or t.finish == "YES":
                raise ApiError(409, f"task {tid} is {t.status}; only a failed task can be skipped")
            t.finish, t.skip = "YES", "YES"
        self.audit(actor, "skipTask", f"task:{tid}", "skipped")
        self.notify()

    async def back(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self._process(s, pid)
            if p.finish == "YES":
                raise ApiError(409, f"process {pid} is finished")
            if p.process_type != "START_SERVICE":
                raise ApiError(409, f"back is only possible from START_SERVICE (process is at {p.process_type})")
            tasks = self._step_tasks(s, pid, "START_SERVICE")
            if any(t.status == "RUNNING" for t in tasks):
                raise ApiError(409, "start tasks are still running; wait for them to finish")
            s.execute(delete(Task).where(Task.process_id == pid, Task.process_type == "START_SERVICE"))
            p.process_type = "DEPLOY_CONFIG"
        self.audit(actor, "back", f"process:{pid}", "back to DEPLOY_CONFIG")
        self.notify()

    async def cancel(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self._process(s, pid)
            if p.finish == "YES":
                raise ApiError(409, f"process {pid} is already finished")
            p.status, p.finish = "FAILURE", "YES"
            for t in s.scalars(select(Task).where(Task.process_id == pid, Task.status == "SUBMITTED")):
                t.status, t.result, t.end_time = "FAILURE", "cancelled", utcnow()
        self.audit(actor, "cancel", f"process:{pid}", "cancelled")
        self.notify()

    async def install_complete(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self._process(s, pid)
            if p.finish == "YES":
                raise ApiError(409, f"process {pid} is already finished")
            if p.process_type not in ("START_SERVICE", "BUILD_CLUSTER"):
                raise ApiError(409, f"process {pid} is only at {p.process_type}")
            open_tasks = [t for t in self._step_tasks(s, pid, p.process_type) if t.finish != "YES"]
            if open_tasks:
                raise ApiError(409, f"{len(open_tasks)} task(s) of {p.process_type} are not finished")
            p.status, p.finish = "SUCCESS", "YES"
            for r in s.scalars(select(AgentRole).where(AgentRole.cluster_id == p.cluster_id)):
                started = s.scalars(
                    select(Task).where(
                        Task.process_id == pid,
                        Task.host == r.host,
                        Task.task_type == f"START_{r.role}",
                        Task.status == "SUCCESS",
                    )
                ).first()
                if started is not None:
                    r.register = "YES"
        self.audit(actor, "installComplete", f"process:{pid}", "success")

    # -- operator API: views -----------------------------------------------------------------------
    def agent_list(self, cluster_id: str | None) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(Agent).order_by(Agent.id)
            if cluster_id:
                q = q.where(Agent.cluster_id == cluster_id)
            return [
                {
                    "id": a.id,
                    "clusterId": a.cluster_id,
                    "host": a.host,
                    "port": a.port,
                    "installDir": a.install_dir,
                    "status": a.status,
                    "registerTime": iso(a.register_time),
                    "lastReportedTime": iso(a.last_reported_time),
                }
                for a in s.scalars(q)
            ]

    def hardware(self, cluster_id: str) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            out = []
            for a in s.scalars(select(Agent).where(Agent.cluster_id == cluster_id).order_by(Agent.id)):
                hw = json.loads(a.hardware_json or "{}")
                out.append({"host": a.host, **hw})
            return out

    def role_list(self, cluster_id: str | None) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(AgentRole).order_by(AgentRole.id)
            if cluster_id:
                q = q.where(AgentRole.cluster_id == cluster_id)
            return [
                {
                    "id": r.id,
                    "host": r.host,
                    "clusterId": r.cluster_id,
                    "role": r.role,
                    "feNodeType": r.fe_node_type,
                    "installDir": r.install_dir,
                    "register": r.register,
                }
                for r in s.scalars(q)
            ]

    # -- agent RPC ---------------------------------------------------------------------------------
    def _agent_by_token(self, s: Session, token: str) -> Agent | None:
        return s.scalars(select(Agent).where(Agent.token_hash == token_hash(token))).first()

    def agent_register(self, token: str, body: dict[str, Any]) -> int | None:
        with self.store.tx() as s:
            a = self._agent_by_token(s, token)
            if a is None:
                return None
            now = utcnow()
            a.status, a.register_time, a.last_reported_time = "RUNNING", now, now
            hw = body.get("hardware")
            a.hardware_json = json.dumps(hw) if isinstance(hw, dict) else a.hardware_json
            a.version = str(body.get("version") or "")[:32]
            aid, host = a.id, a.host
        log.info("agent registered host=%s agent=%s", host, aid)
        self.notify()
        return aid

    def _ready_tasks(self, s: Session, host: str) -> list[Task]:
        q = (
            select(Task)
            .join(Process, Process.id == Task.process_id)
            .where(Task.host == host, Task.status == "SUBMITTED", Process.finish == "NO")
            .order_by(Task.id)
        )
        ready = []
        for t in s.scalars(q):
            if t.task_type in SERVER_TASKS:
                continue
            p = s.get(Process, t.process_id)
            assert p is not None
            if t.process_type != p.process_type:
                continue
            if (
                t.task_type.startswith("START_")
                and p.master_fe
                and not (t.task_type == "START_FE" and t.host == p.master_fe)
            ):
                m = s.scalars(
                    select(Task).where(
                        Task.process_id == p.id,
                        Task.task_type == "START_FE",
                        Task.host == p.master_fe,
                        Task.process_type == "START_SERVICE",
                    )
                ).first()
                if m is not None and m.skip == "NO" and m.status != "SUCCESS":
                    t.result = f"waiting for master FE {p.master_fe} to start"
                    continue
            ready.append(t)
        return ready

    async def agent_poll(self, token: str, body: dict[str, Any]) -> dict[str, Any] | None:
        wait = min(max(float(body.get("wait", 10) or 0), 0.0), 10.0)
        running = {int(x) for x in body.get("running") or [] if isinstance(x, int)}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            changed = self._changed
            with self.store.tx() as s:
                a = self._agent_by_token(s, token)
                if a is None:
                    return None
                a.last_reported_time = utcnow()
                a.status = "RUNNING"
                host = a.host
                # tasks the agent no longer has (agent restarted): dispatch again, they are idempotent
                lost = s.scalars(
                    select(Task).where(Task.host == host, Task.status == "RUNNING", Task.finish == "NO")
                ).all()
                for t in lost:
                    if t.task_type in SERVER_TASKS or t.id in running or t.dispatched_time is None:
                        continue
                    if (utcnow() - t.dispatched_time).total_seconds() > 5:
                        log.warning("agent %s lost task %s; dispatching it again", host, t.id)
                        t.status = "SUBMITTED"
                ready = self._ready_tasks(s, host)
                ready_ids = [t.id for t in ready]
            if ready_ids:
                out = []
                for tid in ready_ids:
                    item = await self._dispatch(tid)
                    if item is not None:
                        out.append(item)
                if out:
                    return {"tasks": out}
            remaining = deadline - loop.time()
            if remaining <= 0:
                return {"tasks": []}
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    async def _dispatch(self, tid: int) -> dict[str, Any] | None:
        """Prepare and hand one task to its agent (FE joins happen here, before a helper start)."""
        with self.store.tx() as s:
            t = s.get(Task, tid)
            if t is None or t.status != "SUBMITTED":
                return None
            p = s.get(Process, t.process_id)
            assert p is not None
            args = json.loads(t.task_json or "{}")
            t.status, t.start_time, t.dispatched_time = "RUNNING", utcnow(), utcnow()
            t.attempts += 1
            t.result = None
            t.executor_id = f"{t.host}/{t.id}/{t.attempts}"
            need_join = t.task_type == "START_FE" and p.master_fe is not None and t.host != p.master_fe
            host, attempt, ttype, pid = t.host, t.attempts, t.task_type, p.id
            join_args = self._join_args(s, p, t.host, "FE") if need_join else None
        if join_args is not None:
            master_host, qport, kind, port, helper = join_args
            try:
                outcome = await asyncio.to_thread(doris.join, master_host, qport, kind, host, port, wait_alive=0)
                self.audit(
                    "manager",
                    "ALTER SYSTEM",
                    f"fe:{master_host}",
                    outcome,
                    statement=doris.statement(kind, host, port),
                )
            except doris.DorisError as e:
                self.audit("manager", "ALTER SYSTEM", f"fe:{master_host}", f"failed: {e}")
                self._finish(tid, "FAILURE", f"adding FE {host} to the master before its first start failed: {e}")
                return None
            args["helper"] = helper
        self.audit("manager", "dispatch", f"task:{tid}", "sent to agent", host=host, type=ttype, process=pid)
        return {"id": tid, "type": ttype, "args": args, "attempt": attempt}

    def _role_row(self, s: Session, cluster_id: str, host: str, role: str) -> AgentRole | None:
        return s.scalars(
            select(AgentRole).where(AgentRole.cluster_id == cluster_id, AgentRole.host == host, AgentRole.role == role)
        ).first()

    def _ports(self, s: Session, cluster_id: str, host: str, role: str) -> dict[str, int]:
        r = self._role_row(s, cluster_id, host, role)
        conf = json.loads(r.conf_json or "{}") if r is not None else {}
        out = {}
        for k, v in DEFAULT_PORTS.items():
            try:
                out[k] = int(conf.get(k, v))
            except ValueError:
                out[k] = v
        return out

    def _join_args(self, s: Session, p: Process, host: str, role: str) -> tuple[str, int, str, int, str]:
        master = p.master_fe
        assert master is not None
        mports = self._ports(s, p.cluster_id, master, "FE")
        ports = self._ports(s, p.cluster_id, host, role)
        if role == "FE":
            r = self._role_row(s, p.cluster_id, host, "FE")
            kind = (r.fe_node_type if r is not None else None) or "FOLLOWER"
            port = ports["edit_log_port"]
        elif role == "BE":
            kind, port = "BACKEND", ports["heartbeat_service_port"]
        else:
            kind, port = "BROKER", ports["broker_ipc_port"]
        return master, mports["query_port"], kind, port, f"{master}:{mports['edit_log_port']}"

    def _finish(
        self, tid: int, status: str, result: str, log_text: str | None = None, log_path: str | None = None
    ) -> None:
        with self.store.tx() as s:
            t = s.get(Task, tid)
            if t is None:
                return
            t.status, t.result, t.end_time = status, result[:4000], utcnow()
            t.finish = "YES" if status == "SUCCESS" else "NO"
            if log_text is not None:
                t.log = log_text[-(1 << 20) :]
            if log_path is not None:
                t.log_path = log_path
            host, ttype, pid = t.host, t.task_type, t.process_id
        self.audit("manager", "task", f"task:{tid}", f"{status}: {result[:300]}", host=host, type=ttype, process=pid)
        self.notify()

    def agent_result(self, token: str, body: dict[str, Any]) -> bool:
        tid = _req_int(body, "taskId")
        status = str(body.get("status"))
        if status not in ("SUCCESS", "FAILURE"):
            raise bad("status must be SUCCESS or FAILURE")
        with self.store.tx() as s:
            a = self._agent_by_token(s, token)
            if a is None:
                return False
            t = s.get(Task, tid)
            if t is None or t.host != a.host:
                raise ApiError(404, f"task {tid} is not a task of this agent")
            stale = t.status != "RUNNING"
        if stale:
            return True  # e.g. cancelled or already recorded; nothing to do
        self._finish(
            tid,
            status,
            str(body.get("result") or ""),
            str(body.get("log") or ""),
            str(body.get("logPath") or ""),
        )
        return True

    def agent_log(self, token: str, body: dict[str, Any]) -> bool:
        tid = _req_int(body, "taskId")
        with self.store.tx() as s:
            a = self._agent_by_token(s, token)
            if a is None:
                return False
            t = s.get(Task, tid)
            if t is None or t.host != a.host:
                raise ApiError(404, f"task {tid} is not a task of this agent")
            if t.status == "RUNNING":
                t.log = str(body.get("log") or "")[-(1 << 20) :]
                t.log_path = str(body.get("logPath") or "")[:1024]
        return True

    # -- server-side tasks ---------------------------------------------------------------------------
    def _run_submitted_server_tasks(self, pid: int) -> None:
        with self.store.tx() as s:
            tasks = s.scalars(
                select(Task)
                .where(
                    Task.process_id == pid,
                    Task.status.in_(("SUBMITTED", "RUNNING")),
                    Task.task_type.in_(SERVER_TASKS),
                )
                .order_by(Task.id)
            ).all()
            agent_tasks = [t.id for t in tasks if t.task_type == "INSTALL_AGENT"]
            join_tasks = [t.id for t in tasks if t.task_type != "INSTALL_AGENT"]
        for tid in agent_tasks:
            if tid not in self._running_server_tasks:
                self._running_server_tasks.add(tid)
                self.spawn(self._guard(tid, self._install_agent_task(tid)))
        pending_joins = [t for t in join_tasks if t not in self._running_server_tasks]
        if pending_joins:
            self._running_server_tasks.update(pending_joins)
            self.spawn(self._joins(pending_joins))

    async def _guard(self, tid: int, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as e:  # never leave a task RUNNING because of a bug
            log.exception("task %s crashed", tid)
            self._finish(tid, "FAILURE", f"internal error: {type(e).__name__}: {e}")
        finally:
            self._running_server_tasks.discard(tid)

    async def _joins(self, tids: list[int]) -> None:
        order = {"JOIN_FE": 0, "JOIN_BE": 1, "JOIN_BROKER": 2}
        with self.store.tx() as s:
            items = sorted((order[t.task_type], t.id) for t in (s.get(Task, i) for i in tids) if t is not None)
        for _o, tid in items:
            await self._guard(tid, self._join_task(tid))

    async def _join_task(self, tid: int) -> None:
        with self.store.tx() as s:
            t = s.get(Task, tid)
            if t is None or t.status not in ("SUBMITTED", "RUNNING"):
                return
            p = s.get(Process, t.process_id)
            assert p is not None and t.role is not None
            t.status, t.start_time, t.attempts = "RUNNING", utcnow(), t.attempts + 1
            master, qport, kind, port, _helper = self._join_args(s, p, t.host, t.role)
            host = t.host
        self.notify()
        if kind in ("FOLLOWER", "OBSERVER") and host == master:
            self._finish(tid, "SUCCESS", f"{host} is the master FE")
            return
        stmt = doris.statement(kind, host, port)
        try:
            outcome = await asyncio.to_thread(doris.join, master, qport, kind, host, port)
        except doris.DorisError as e:
            self.audit("manager", "ALTER SYSTEM", f"fe:{master}", f"failed: {e}", statement=stmt)
            self._finish(tid, "FAILURE", str(e), log_text=f"{stmt}\nfailed: {e}\n")
            return
        self.audit("manager", "ALTER SYSTEM", f"fe:{master}", outcome, statement=stmt)
        self._finish(tid, "SUCCESS", outcome, log_text=f"{stmt}\n{outcome}\n")

    async def _install_agent_task(self, tid: int) -> None:
        async with self._sem:
            with self.store.tx() as s:
                t = s.get(Task, tid)
                if t is None or t.status not in ("SUBMITTED", "RUNNING"):
                    return
                p = s.get(Process, t.process_id)
                assert p is not None
                t.status, t.start_time, t.attempts, t.result = "RUNNING", utcnow(), t.attempts + 1, None
                kh = s.scalars(select(KnownHost).where(KnownHost.host == t.host, KnownHost.port == p.ssh_port)).first()
                target = ssh.Target(
                    host=t.host,
                    port=p.ssh_port,
                    user=p.ssh_user,
                    key_text=self.box.open(p.ssh_key_sealed, "ssh-key"),
                    install_dir=p.install_dir,
                    agent_port=p.agent_port,
                    known_key=kh.public_key if kh is not None else None,
                )
                cluster_id = p.cluster_id
                token = new_token()
                a = s.scalars(select(Agent).where(Agent.host == t.host)).first()
                if a is None:
                    a = Agent(
                        cluster_id=cluster_id,
                        host=t.host,
                        port=p.agent_port,
                        install_dir=p.install_dir,
                        token_hash="",
                    )
                    s.add(a)
                a.cluster_id, a.port, a.install_dir = cluster_id, p.agent_port, p.install_dir
                a.token_hash, a.status, a.register_time = token_hash(token), "INIT", None
            self.notify()
            started = utcnow()

            def make_config(local_ip: str) -> dict[str, Any]:
                server = self.settings.advertise_url or f"http://{local_ip}:{self.settings.port}"
                return {
                    "server": server,
                    "token": token,
                    "host": target.host,
                    "port": target.agent_port,
                    "installDir": target.install_dir,
                }

            async def hook(host: str, cmd: str, status: int) -> None:
                self.audit("manager", "ssh", f"{target.user}@{host}:{target.port}", f"exit {status}", command=cmd)

            try:
                host_key = await ssh.install_agent(target, make_config, self.zipapp, hook)
            except ssh.InstallError as e:
                self._finish(tid, "FAILURE", str(e))
                return
            if target.known_key is None and host_key:
                with self.store.tx() as s:
                    if (
                        s.scalars(
                            select(KnownHost).where(KnownHost.host == target.host, KnownHost.port == target.port)
                        ).first()
                        is None
                    ):
                        s.add(KnownHost(host=target.host, port=target.port, public_key=host_key))
                self.audit(
                    "manager",
                    "hostkey",
                    f"{target.host}:{target.port}",
                    "recorded at first contact",
                    key=host_key.split()[0],
                )
        # wait for the agent to register (outside the ssh slot)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REGISTER_WAIT_S
        while loop.time() < deadline:
            changed = self._changed
            with self.store.tx() as s:
                a = s.scalars(select(Agent).where(Agent.host == target.host)).first()
                if a is not None and a.register_time is not None and a.register_time >= started:
                    break
            try:
                await asyncio.wait_for(changed.wait(), 1.0)
            except TimeoutError:
                pass
        else:
            tail = await ssh.agent_output_tail(target, hook)
            self._finish(
                tid,
                "FAILURE",
                f"register: the agent started but did not register within {REGISTER_WAIT_S:.0f}s "
                f"(can {target.host} reach the manager?) {tail[-500:]}",
            )
            return
        self._finish(tid, "SUCCESS", "Install Agent Success")

    # -- background loops ----------------------------------------------------------------------------
    async def resume(self) -> None:
        """After a (re)start: continue every unfinished process where it was."""
        with self.store.tx() as s:
            pids = [p.id for p in s.scalars(select(Process).where(Process.finish == "NO"))]
        for pid in pids:
            self._run_submitted_server_tasks(pid)
        if pids:
            log.info("resumed unfinished processes %s", pids)

    async def liveness_loop(self, interval: float | None = None) -> None:
        timeout = self.settings.heartbeat_timeout
        if interval is None:
            interval = min(10.0, max(timeout / 4, 0.1))
        while True:
            await asyncio.sleep(interval)
            limit = utcnow() - dt.timedelta(seconds=timeout)
            with self.store.tx() as s:
                for a in s.scalars(select(Agent).where(Agent.status == "RUNNING", Agent.last_reported_time < limit)):
                    a.status = "STOP"
                    log.warning("agent %s silent for over %gs: STOP", a.host, timeout)

    def audit_list(self, limit: int) -> list[dict[str, Any]]:
        from .models import AuditEvent

        with self.store.tx() as s:
            q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            return [
                {
                    "id": e.id,
                    "time": iso(e.time),
                    "actor": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "outcome": e.outcome,
                    "detail": json.loads(e.detail) if e.detail else None,
                }
                for e in s.scalars(q)
            ]
