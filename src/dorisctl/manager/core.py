"""What every part of the process engine shares: the store, the secret box, the settings, the
change notification that wakes long polls and waiters, background work, the audit trail, the
lookups of processes, tasks and roles, and finishing a task. Nothing here decides a step."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dorisctl.agent.facts import DEFAULT_PORTS
from dorisctl.metrics import MANAGER_TASK_SECONDS

from . import audit
from .db import Store
from .errors import NotFound
from .models import AgentRole, Flag, Process, Status, Task, utcnow
from .secretbox import SecretBox

log = logging.getLogger("dorisctl.manager.engine")
HEARTBEAT_STOP_AFTER_S = 60.0


@dataclass
class Settings:
    data_dir: Path
    port: int
    advertise_url: str | None = None
    ssh_parallel: int = 16
    agent_port: int = 9602
    start_timeout: int = 90
    heartbeat_timeout: float = HEARTBEAT_STOP_AFTER_S  # an agent silent this long is shown as STOP
    register_wait: float = 30.0  # how long a freshly started agent has to register
    meta_service_url: str | None = None  # the meta-service running beside this manager (dorisctl up)
    tls_cert: str | None = None  # served over HTTPS: agents are given this certificate to trust


class Core:
    def __init__(self, store: Store, box: SecretBox, settings: Settings) -> None:
        self.store = store
        self.box = box
        self.settings = settings
        self._changed = asyncio.Event()
        self._bg: set[asyncio.Task[Any]] = set()
        self.closing = False  # the server is shutting down: long polls answer at once

    # -- notification and background work -------------------------------------------------------------
    @property
    def changed(self) -> asyncio.Event:
        """An event set at the next change (take it before reading state, then wait on it)."""
        return self._changed

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, changed: asyncio.Event, timeout: float) -> None:
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass

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

    # -- lookups ----------------------------------------------------------------------------------------
    @staticmethod
    def process(s: Session, pid: int) -> Process:
        p = s.get(Process, pid)
        if p is None:
            raise NotFound(f"process {pid} not found")
        return p

    @staticmethod
    def task(s: Session, tid: int) -> Task:
        t = s.get(Task, tid)
        if t is None:
            raise NotFound(f"task {tid} not found")
        return t

    @staticmethod
    def step_tasks(s: Session, pid: int, step: str, include_skipped: bool = True) -> list[Task]:
        q = select(Task).where(Task.process_id == pid, Task.process_type == step)
        if not include_skipped:
            q = q.where(Task.skip == Flag.NO)
        return list(s.scalars(q.order_by(Task.id)))

    @staticmethod
    def role_row(s: Session, cluster_id: str, host: str, role: str) -> AgentRole | None:
        return s.scalars(
            select(AgentRole).where(AgentRole.cluster_id == cluster_id, AgentRole.host == host, AgentRole.role == role)
        ).first()

    @classmethod
    def ports(cls, s: Session, cluster_id: str, host: str, role: str) -> dict[str, int]:
        """The role's ports on the host, from the config deployed there (Doris's defaults otherwise)."""
        r = cls.role_row(s, cluster_id, host, role)
        conf = json.loads(r.conf_json or "{}") if r is not None else {}
        out = {}
        for k, v in DEFAULT_PORTS.items():
            try:
                out[k] = int(conf.get(k, v))
            except ValueError:
                out[k] = v
        return out

    # -- task outcome -------------------------------------------------------------------------------------
    def finish(
        self, tid: int, status: Status, result: str, log_text: str | None = None, log_path: str | None = None
    ) -> None:
        with self.store.tx() as s:
            t = s.get(Task, tid)
            if t is None:
                return
            t.status, t.result, t.end_time = status, result[:4000], utcnow()
            t.finish = Flag.YES if status == Status.SUCCESS else Flag.NO
            if log_text is not None:
                t.log = log_text[-(1 << 20) :]
            if log_path is not None:
                t.log_path = log_path
            host, ttype, pid = t.host, t.task_type, t.process_id
            if t.start_time is not None:
                MANAGER_TASK_SECONDS.labels(str(ttype)).observe(max(0.0, (t.end_time - t.start_time).total_seconds()))
        self.audit("manager", "task", f"task:{tid}", f"{status}: {result[:300]}", host=host, type=ttype, process=pid)
        self.notify()
