"""The agents' side of the engine: registration, the long poll that is also the heartbeat, handing
out ready tasks (non-master starts wait for the master FE; an FE is added to the master before its
first start with ``--helper``; ``before_start`` hooks run first), results and log tails, lost-task
re-dispatch, and the liveness loop that marks silent agents STOP."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import doris
from .api import req_int
from .bootstrap import Bootstrap
from .core import Core
from .errors import Invalid, NotFound
from .models import SERVER_TASKS, Agent, AgentStatus, Flag, Process, Role, Status, Step, Task, utcnow
from .secretbox import token_hash

log = logging.getLogger("dorisctl.manager.dispatch")
LOST_AFTER_S = 5.0
# called with (process id, task id) before a START task is handed to its agent; returns an error
# message to fail the task with, or None to go on (cloud-mode registration plugs in here)
BeforeStart = Callable[[int, int], Awaitable[str | None]]


class Dispatcher:
    def __init__(self, core: Core, bootstrap: Bootstrap) -> None:
        self.core = core
        self.bootstrap = bootstrap
        self.before_start: list[BeforeStart] = []

    @staticmethod
    def _agent_by_token(s: Session, token: str) -> Agent | None:
        return s.scalars(select(Agent).where(Agent.token_hash == token_hash(token))).first()

    def register(self, token: str, body: dict[str, Any]) -> int | None:
        with self.core.store.tx() as s:
            a = self._agent_by_token(s, token)
            if a is None:
                return None
            now = utcnow()
            a.status, a.register_time, a.last_reported_time = AgentStatus.RUNNING, now, now
            hw = body.get("hardware")
            a.hardware_json = json.dumps(hw) if isinstance(hw, dict) else a.hardware_json
            a.version = str(body.get("version") or "")[:32]
            aid, host = a.id, a.host
        log.info("agent registered host=%s agent=%s", host, aid)
        self.core.notify()
        return aid

    def _ready_tasks(self, s: Session, host: str) -> list[Task]:
        q = (
            select(Task)
            .join(Process, Process.id == Task.process_id)
            .where(Task.host == host, Task.status == Status.SUBMITTED, Process.finish == Flag.NO)
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
                        Task.process_type == Step.START_SERVICE,
                    )
                ).first()
                if m is not None and m.skip == Flag.NO and m.status != Status.SUCCESS:
                    t.result = f"waiting for master FE {p.master_fe} to start"
                    continue
            ready.append(t)
        return ready

    async def poll(self, token: str, body: dict[str, Any]) -> dict[str, Any] | None:
        wait = min(max(float(body.get("wait", 10) or 0), 0.0), 10.0)
        running = {int(x) for x in body.get("running") or [] if isinstance(x, int)}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            changed = self.core.changed
            with self.core.store.tx() as s:
                a = self._agent_by_token(s, token)
                if a is None:
                    return None
                a.last_reported_time = utcnow()
                a.status = AgentStatus.RUNNING
                host = a.host
                # tasks the agent no longer has (agent restarted): dispatch again, they are idempotent
                lost = s.scalars(
                    select(Task).where(Task.host == host, Task.status == Status.RUNNING, Task.finish == Flag.NO)
                ).all()
                for t in lost:
                    if t.task_type in SERVER_TASKS or t.id in running or t.dispatched_time is None:
                        continue
                    if (utcnow() - t.dispatched_time).total_seconds() > LOST_AFTER_S:
                        log.warning("agent %s lost task %s; dispatching it again", host, t.id)
                        t.status = Status.SUBMITTED
                ready_ids = [t.id for t in self._ready_tasks(s, host)]
            if ready_ids:
                out = []
                for tid in ready_ids:
                    item = await self._dispatch(tid)
                    if item is not None:
                        out.append(item)
                if out:
                    return {"tasks": out}
            remaining = deadline - loop.time()
            if remaining <= 0 or self.core.closing:
                return {"tasks": []}
            await self.core.wait_change(changed, remaining)

    async def _dispatch(self, tid: int) -> dict[str, Any] | None:
        """Prepare and hand one task to its agent (an FE joins the master here, before a helper start)."""
        with self.core.store.tx() as s:
            t = s.get(Task, tid)
            if t is None or t.status != Status.SUBMITTED:
                return None
            p = s.get(Process, t.process_id)
            assert p is not None
            args = json.loads(t.task_json or "{}")
            t.status, t.start_time, t.dispatched_time = Status.RUNNING, utcnow(), utcnow()
            t.attempts += 1
            t.result = None
            t.executor_id = f"{t.host}/{t.id}/{t.attempts}"
            need_join = t.task_type == "START_FE" and p.master_fe is not None and t.host != p.master_fe
            host, attempt, ttype, pid = t.host, t.attempts, t.task_type, p.id
        if ttype.startswith("START_"):
            for hook in self.before_start:
                err = await hook(pid, tid)
                if err is not None:
                    self.core.finish(tid, Status.FAILURE, err)
                    return None
        if need_join:
            try:
                await self.bootstrap.join_node(pid, host, Role.FE, wait_alive=0)
            except doris.DorisError as e:
                self.core.finish(
                    tid, Status.FAILURE, f"adding FE {host} to the master before its first start failed: {e}"
                )
                return None
            args["helper"] = self.bootstrap.helper(pid)
        self.core.audit("manager", "dispatch", f"task:{tid}", "sent to agent", host=host, type=ttype, process=pid)
        return {"id": tid, "type": ttype, "args": args, "attempt": attempt}

    def _own_task(self, s: Session, token: str, body: dict[str, Any]) -> Task | None:
        tid = req_int(body, "taskId")
        a = self._agent_by_token(s, token)
        if a is None:
            return None
        t = s.get(Task, tid)
        if t is None or t.host != a.host:
            raise NotFound(f"task {tid} is not a task of this agent")
        return t

    def result(self, token: str, body: dict[str, Any]) -> bool:
        status = str(body.get("status"))
        if status not in (Status.SUCCESS, Status.FAILURE):
            raise Invalid("status must be SUCCESS or FAILURE")
        with self.core.store.tx() as s:
            t = self._own_task(s, token, body)
            if t is None:
                return False
            tid, stale = t.id, t.status != Status.RUNNING
        if stale:
            return True  # e.g. cancelled or already recorded; nothing to do
        self.core.finish(
            tid,
            Status(status),
            str(body.get("result") or ""),
            str(body.get("log") or ""),
            str(body.get("logPath") or ""),
        )
        return True

    def log(self, token: str, body: dict[str, Any]) -> bool:
        with self.core.store.tx() as s:
            t = self._own_task(s, token, body)
            if t is None:
                return False
            if t.status == Status.RUNNING:
                t.log = str(body.get("log") or "")[-(1 << 20) :]
                t.log_path = str(body.get("logPath") or "")[:1024]
        return True

    async def liveness_loop(self, interval: float | None = None) -> None:
        timeout = self.core.settings.heartbeat_timeout
        if interval is None:
            interval = min(10.0, max(timeout / 4, 0.1))
        while True:
            await asyncio.sleep(interval)
            limit = utcnow() - dt.timedelta(seconds=timeout)
            with self.core.store.tx() as s:
                for a in s.scalars(
                    select(Agent).where(Agent.status == AgentStatus.RUNNING, Agent.last_reported_time < limit)
                ):
                    a.status = AgentStatus.STOP
                    log.warning("agent %s silent for over %gs: STOP", a.host, timeout)
