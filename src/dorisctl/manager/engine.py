"""The process engine: an install is a process of steps (install agent, install service, deploy
config, start service, build cluster), each a set of persisted per-host tasks. Step gating (every
task of the previous step finished), per-host chaining (a skipped host is pruned from later
steps), retry, skip, back, cancel and installComplete act on rows, so a restart resumes where it
was. ``Engine`` is what the HTTP layer talks to; agents go through ``engine.dispatch``."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dorisctl.agent.facts import parse_conf

from . import api
from .bootstrap import Bootstrap
from .connector import Connector, SshConnector
from .core import Core, Settings
from .db import Store
from .dispatch import Dispatcher
from .errors import Conflict, Invalid
from .models import (
    SERVER_TASKS,
    STEPS,
    Agent,
    AgentRole,
    AuditEvent,
    Flag,
    Process,
    Role,
    Status,
    Step,
    Task,
    utcnow,
)
from .secretbox import SecretBox

log = logging.getLogger("dorisctl.manager.engine")
ROLE_DIR = {Role.FE: "fe", Role.BE: "be", Role.BROKER: "apache_hdfs_broker"}

__all__ = ["Engine", "Settings"]


class Engine:
    def __init__(self, store: Store, box: SecretBox, settings: Settings, connector: Connector | None = None) -> None:
        self.core = Core(store, box, settings)
        self.store, self.box, self.settings = store, box, settings
        self.bootstrap = Bootstrap(self.core, connector or SshConnector())
        self.dispatch = Dispatcher(self.core, self.bootstrap)

    def notify(self) -> None:
        self.core.notify()

    async def close(self) -> None:
        await self.core.close()

    def audit(self, actor: str, action: str, target: str, outcome: str, **detail: Any) -> None:
        self.core.audit(actor, action, target, outcome, **detail)

    # -- rules shared by the steps --------------------------------------------------------------------
    def _gate(self, s: Session, pid: int, step: Step) -> Process:
        """Common rules of every step endpoint (spec 2.3 with the fixes of section 7)."""
        p = self.core.process(s, pid)
        if p.finish == Flag.YES:
            raise Conflict(f"process {pid} is already finished ({p.status})")
        idx = STEPS.index(step)
        cur = api.step_index(p.process_type)
        if cur not in (idx - 1, idx):
            raise Conflict(f"process {pid} is at {p.process_type}; {step} is not the next step")
        prev = self.core.step_tasks(s, pid, STEPS[idx - 1])
        if not prev:
            raise Conflict(f"step {STEPS[idx - 1]} of process {pid} has no tasks")
        unfinished = [t for t in prev if t.finish != Flag.YES]
        if unfinished:
            desc = ", ".join(f"{t.task_type}@{t.host}={t.status}" for t in unfinished[:5])
            raise Conflict(f"step {STEPS[idx - 1]} is not finished: {desc}")
        return p

    def _alive_hosts(self, s: Session, pid: int, step: Step, role: str | None) -> set[str]:
        """Hosts with a finished, non-skipped task of ``step`` (for ``role``) in this process."""
        return {
            t.host
            for t in self.core.step_tasks(s, pid, step, include_skipped=False)
            if t.finish == Flag.YES and (role is None or t.role == role)
        }

    @staticmethod
    def _replace_task(s: Session, p: Process, host: str, ttype: str, role: str | None, args: dict[str, Any]) -> None:
        old = s.scalars(
            select(Task).where(
                Task.process_id == p.id,
                Task.host == host,
                Task.task_type == ttype,
                Task.process_type == p.process_type,
            )
        ).first()
        if old is not None:
            if old.status == Status.RUNNING:
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

    # -- steps ------------------------------------------------------------------------------------------
    async def install_agent(self, body: dict[str, Any], actor: str) -> int:
        cmd = api.parse_install_agent(body, self.settings.agent_port)
        with self.store.tx() as s:
            pid = self.create_process(s, cmd, actor)
        self.audit(
            actor, "installAgent", f"process:{pid}", "accepted", cluster=cmd.cluster_id, hosts=cmd.hosts, user=cmd.user
        )
        self.bootstrap.run_submitted(pid)
        return pid

    def create_process(self, s: Session, cmd: api.InstallAgent, actor: str) -> int:
        """A new process at INSTALL_AGENT with one task per host (in the caller's transaction)."""
        busy = s.scalars(select(Process).where(Process.cluster_id == cmd.cluster_id, Process.finish == Flag.NO)).first()
        if busy is not None:
            raise Conflict(f"cluster {cmd.cluster_id} already has an unfinished process {busy.id}")
        p = Process(
            cluster_id=cmd.cluster_id,
            user=actor,
            process_type=Step.INSTALL_AGENT,
            package_url=cmd.package_url,
            install_dir=cmd.install_dir,
            ssh_user=cmd.user,
            ssh_port=cmd.port,
            ssh_key_sealed=self.box.seal(cmd.key, "ssh-key"),
            agent_port=cmd.agent_port,
        )
        s.add(p)
        s.flush()
        for h in cmd.hosts:
            s.add(Task(process_id=p.id, host=h, process_type=Step.INSTALL_AGENT, task_type="INSTALL_AGENT"))
        return p.id

    async def install_service(self, body: dict[str, Any], actor: str) -> None:
        cmd = api.parse_install_service(body)
        pid = cmd.process_id
        with self.store.tx() as s:
            p = self._gate(s, pid, Step.INSTALL_SERVICE)
            ok_hosts = self._alive_hosts(s, pid, Step.INSTALL_AGENT, None)
            all_hosts = {t.host for t in self.core.step_tasks(s, pid, Step.INSTALL_AGENT)}
            for host, _r, _t in cmd.items:
                if host not in all_hosts:
                    raise Invalid(f"host {host} is not part of process {pid}")
            p.process_type = Step.INSTALL_SERVICE
            for host, role, fe_type in cmd.items:
                if host not in ok_hosts:
                    continue  # skipped earlier: pruned from later steps
                args = {"role": role.value, "packageUrl": p.package_url, "installDir": p.install_dir}
                self._replace_task(s, p, host, f"INSTALL_{role}", role, args)
                r = self.core.role_row(s, p.cluster_id, host, role)
                if r is None:
                    r = AgentRole(cluster_id=p.cluster_id, host=host, role=role, install_dir="", register=Flag.NO)
                    s.add(r)
                r.fe_node_type = fe_type
                r.install_dir = f"{p.install_dir}/{ROLE_DIR[role]}"
        self.audit(actor, "installService", f"process:{pid}", "accepted", installInfos=body.get("installInfos"))
        self.notify()

    async def deploy_config(self, body: dict[str, Any], actor: str) -> None:
        await self.apply_deploy_config(api.parse_deploy_config(body), actor)

    async def apply_deploy_config(self, cmd: api.DeployConfig, actor: str) -> None:
        pid = cmd.process_id
        with self.store.tx() as s:
            p = self._gate(s, pid, Step.DEPLOY_CONFIG)
            for hosts, role, _c in cmd.items:
                installed = {t.host for t in self.core.step_tasks(s, pid, Step.INSTALL_SERVICE) if t.role == role}
                for h in hosts:
                    if h not in installed:
                        raise Invalid(f"{role} was not installed on {h} in process {pid}")
            p.process_type = Step.DEPLOY_CONFIG
            for hosts, role, conf in cmd.items:
                ok = self._alive_hosts(s, pid, Step.INSTALL_SERVICE, role)
                parsed = parse_conf(conf)
                for h in hosts:
                    if h not in ok:
                        continue
                    args: dict[str, Any] = {"role": role.value, "installDir": p.install_dir, "conf": conf}
                    if cmd.merge:
                        args = {"role": role.value, "installDir": p.install_dir, "settings": parsed}
                    self._replace_task(s, p, h, f"DEPLOY_{role}_CONFIG", role, args)
                    r = self.core.role_row(s, p.cluster_id, h, role)
                    if r is not None:
                        r.conf_json = json.dumps(parsed)
        self.audit(actor, "deployConfig", f"process:{pid}", "accepted", hosts=[h for i in cmd.items for h in i[0]])
        self.notify()

    async def start_service(self, body: dict[str, Any], actor: str) -> None:
        cmd = api.parse_start_service(body)
        pid = cmd.process_id
        with self.store.tx() as s:
            p = self._gate(s, pid, Step.START_SERVICE)
            for h, role in cmd.items:
                deployed = {t.host for t in self.core.step_tasks(s, pid, Step.DEPLOY_CONFIG) if t.role == role}
                if h not in deployed:
                    raise Invalid(f"{role} config was not deployed on {h} in process {pid}")
            p.process_type = Step.START_SERVICE
            master = p.master_fe  # preset by a scale-out: the cluster's running master stays master
            for h, role in cmd.items:
                if role == Role.FE and master is None:
                    r = self.core.role_row(s, p.cluster_id, h, Role.FE)
                    if r is not None and r.fe_node_type != "OBSERVER":
                        master = h
            if master is None and any(r == Role.FE for _h, r in cmd.items):
                raise Invalid("startService needs at least one FOLLOWER FE to start as master")
            p.master_fe = master or p.master_fe
            for h, role in cmd.items:
                if h not in self._alive_hosts(s, pid, Step.DEPLOY_CONFIG, role):
                    continue
                args: dict[str, Any] = {
                    "role": role.value,
                    "installDir": p.install_dir,
                    "timeout": self.settings.start_timeout,
                }
                self._replace_task(s, p, h, f"START_{role}", role, args)
        starts = [[h, r.value] for h, r in cmd.items]
        self.audit(actor, "startService", f"process:{pid}", "accepted", starts=starts, masterFe=master)
        self.notify()

    async def build_cluster(self, body: dict[str, Any], actor: str) -> None:
        cmd = api.parse_build_cluster(body)
        pid = cmd.process_id
        fe_hosts, be_hosts, broker_hosts = cmd.fe_hosts, cmd.be_hosts, cmd.broker_hosts
        with self.store.tx() as s:
            p = self._gate(s, pid, Step.BUILD_CLUSTER)
            if not p.master_fe:
                raise Conflict(f"process {pid} started no master FE")
            started = {
                (t.host, t.role) for t in self.core.step_tasks(s, pid, Step.START_SERVICE, include_skipped=False)
            }
            if not broker_hosts:
                broker_hosts = sorted(h for h, r in started if r == Role.BROKER)
            for hosts, role in ((fe_hosts, Role.FE), (be_hosts, Role.BE), (broker_hosts, Role.BROKER)):
                for h in hosts:
                    if (h, role) not in started:
                        raise Invalid(f"{role} on {h} was not started in process {pid}")
            if not fe_hosts and not be_hosts and not broker_hosts:
                raise Invalid("buildCluster needs feHosts and/or beHosts")
            p.process_type = Step.BUILD_CLUSTER
            for hosts, role in ((fe_hosts, Role.FE), (be_hosts, Role.BE), (broker_hosts, Role.BROKER)):
                for h in hosts:
                    self._replace_task(s, p, h, f"JOIN_{role}", role, {"role": role.value})
        self.audit(actor, "buildCluster", f"process:{pid}", "accepted", fe=fe_hosts, be=be_hosts, broker=broker_hosts)
        self.bootstrap.run_submitted(pid)

    # -- process control ----------------------------------------------------------------------------------
    async def retry(self, tid: int, actor: str) -> None:
        with self.store.tx() as s:
            t = self.core.task(s, tid)
            p = self.core.process(s, t.process_id)
            if p.finish == Flag.YES:
                raise Conflict(f"process {p.id} is finished")
            if t.process_type != p.process_type:
                raise Conflict(f"task {tid} belongs to step {t.process_type}, the process is at {p.process_type}")
            if t.status != Status.FAILURE or t.finish == Flag.YES:
                raise Conflict(f"task {tid} is {t.status}; only a failed task can be retried")
            t.status, t.result, t.end_time, t.start_time, t.dispatched_time = Status.SUBMITTED, None, None, None, None
            pid, server_side = p.id, t.task_type in SERVER_TASKS
        self.audit(actor, "retryTask", f"task:{tid}", "accepted")
        if server_side:
            self.bootstrap.run_submitted(pid)
        self.notify()

    async def skip(self, tid: int, actor: str) -> None:
        with self.store.tx() as s:
            t = self.core.task(s, tid)
            if t.status != Status.FAILURE or t.finish == Flag.YES:
                raise Conflict(f"task {tid} is {t.status}; only a failed task can be skipped")
            t.finish, t.skip = Flag.YES, Flag.YES
        self.audit(actor, "skipTask", f"task:{tid}", "skipped")
        self.notify()

    async def back(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self.core.process(s, pid)
            if p.finish == Flag.YES:
                raise Conflict(f"process {pid} is finished")
            if p.process_type != Step.START_SERVICE:
                raise Conflict(f"back is only possible from START_SERVICE (process is at {p.process_type})")
            tasks = self.core.step_tasks(s, pid, Step.START_SERVICE)
            if any(t.status == Status.RUNNING for t in tasks):
                raise Conflict("start tasks are still running; wait for them to finish")
            s.execute(delete(Task).where(Task.process_id == pid, Task.process_type == Step.START_SERVICE))
            p.process_type = Step.DEPLOY_CONFIG
        self.audit(actor, "back", f"process:{pid}", "back to DEPLOY_CONFIG")
        self.notify()

    async def cancel(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self.core.process(s, pid)
            if p.finish == Flag.YES:
                raise Conflict(f"process {pid} is already finished")
            p.status, p.finish = Status.FAILURE, Flag.YES
            for t in s.scalars(select(Task).where(Task.process_id == pid, Task.status == Status.SUBMITTED)):
                t.status, t.result, t.end_time = Status.FAILURE, "cancelled", utcnow()
        self.audit(actor, "cancel", f"process:{pid}", "cancelled")
        self.notify()

    async def install_complete(self, pid: int, actor: str) -> None:
        with self.store.tx() as s:
            p = self.core.process(s, pid)
            if p.finish == Flag.YES:
                raise Conflict(f"process {pid} is already finished")
            if p.process_type not in (Step.START_SERVICE, Step.BUILD_CLUSTER):
                raise Conflict(f"process {pid} is only at {p.process_type}")
            open_tasks = [t for t in self.core.step_tasks(s, pid, p.process_type) if t.finish != Flag.YES]
            if open_tasks:
                raise Conflict(f"{len(open_tasks)} task(s) of {p.process_type} are not finished")
            p.status, p.finish = Status.SUCCESS, Flag.YES
            for r in s.scalars(select(AgentRole).where(AgentRole.cluster_id == p.cluster_id)):
                started = s.scalars(
                    select(Task).where(
                        Task.process_id == pid,
                        Task.host == r.host,
                        Task.task_type == f"START_{r.role}",
                        Task.status == Status.SUCCESS,
                    )
                ).first()
                if started is not None:
                    r.register = Flag.YES
        self.audit(actor, "installComplete", f"process:{pid}", "success")
        self.notify()

    # -- views --------------------------------------------------------------------------------------------
    def current_process(self, cluster_id: str | None) -> dict[str, Any] | None:
        with self.store.tx() as s:
            q = select(Process).where(Process.finish == Flag.NO)
            if cluster_id:
                q = q.where(Process.cluster_id == cluster_id)
            p = s.scalars(q.order_by(Process.id.desc())).first()
            if p is None:
                return None
            step = api.step_index(p.process_type)
            tasks = self.core.step_tasks(s, p.id, p.process_type)
            install = p.plan_json is None
            if install and tasks and all(t.finish == Flag.YES for t in tasks) and step < len(STEPS) - 1:
                step += 1
            return api.process_view(p, step)

    def current_tasks(self, pid: int) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            p = self.core.process(s, pid)
            return [api.task_view(t) for t in self.core.step_tasks(s, pid, p.process_type, include_skipped=False)]

    def progress(self, pid: int) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            self.core.process(s, pid)
            q = select(Task).where(Task.process_id == pid).order_by(Task.id)
            return [api.task_view(t, compat=False) for t in s.scalars(q)]

    def task_info(self, tid: int) -> dict[str, Any]:
        with self.store.tx() as s:
            return api.task_view(self.core.task(s, tid), compat=False)

    def task_log(self, tid: int) -> dict[str, Any]:
        with self.store.tx() as s:
            t = self.core.task(s, tid)
            return {"logPath": t.log_path or "", "log": t.log or (t.result or "")}

    def task_counts(self) -> dict[str, int]:
        """Tasks by state (SKIPPED counted apart: a skipped task keeps its FAILURE state)."""
        with self.store.tx() as s:
            rows = s.execute(select(Task.status, Task.skip, func.count()).group_by(Task.status, Task.skip)).all()
        out: dict[str, int] = {}
        for status, skip, n in rows:
            key = "SKIPPED" if skip == Flag.YES else str(status)
            out[key] = out.get(key, 0) + int(n)
        return out

    def agent_list(self, cluster_id: str | None) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(Agent).order_by(Agent.id)
            if cluster_id:
                q = q.where(Agent.cluster_id == cluster_id)
            return [api.agent_view(a) for a in s.scalars(q)]

    def hardware(self, cluster_id: str | None) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(Agent).order_by(Agent.id)
            if cluster_id is not None:
                q = q.where(Agent.cluster_id == cluster_id)
            return [api.hardware_view(a) for a in s.scalars(q)]

    def role_list(self, cluster_id: str | None) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(AgentRole).order_by(AgentRole.id)
            if cluster_id:
                q = q.where(AgentRole.cluster_id == cluster_id)
            return [api.role_view(r) for r in s.scalars(q)]

    def audit_list(self, limit: int) -> list[dict[str, Any]]:
        with self.store.tx() as s:
            q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            return [api.audit_view(e) for e in s.scalars(q)]

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def resume(self) -> None:
        """After a (re)start: continue every unfinished process where it was."""
        with self.store.tx() as s:
            pids = [p.id for p in s.scalars(select(Process).where(Process.finish == Flag.NO))]
        for pid in pids:
            self.bootstrap.run_submitted(pid)
        if pids:
            log.info("resumed unfinished processes %s", pids)
