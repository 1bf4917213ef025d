"""The tasks the manager runs itself: installing the agent on a host through a ``Connector``
(checks with clear per-host errors: python3, install dir, agent port; the agent zipapp copied and
started with the host's ``python3``; host keys recorded at first contact), and joining a node to
the cluster through the master FE (``join_node``, the one place that does it)."""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
import shutil
import tempfile
import zipapp
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from sqlalchemy import select

from . import doris
from .connector import ConnectError, Connection, Connector, Target
from .core import Core
from .models import SERVER_TASKS, Agent, AgentStatus, KnownHost, Process, Role, Status, Task, utcnow
from .secretbox import new_token, token_hash

log = logging.getLogger("dorisctl.manager.bootstrap")
COMMAND_TIMEOUT = 30.0
AGENT_FILE = "dorisctl-agent.pyz"
JOIN_ORDER = {"JOIN_FE": 0, "JOIN_BE": 1, "JOIN_BROKER": 2}
RemoteHook = Callable[[str, str, int], Awaitable[None]]  # (host, command, exit status)


def build_agent_zipapp(out_dir: Path) -> Path:
    """Build the stdlib-only agent into one zipapp file (``python3 dorisctl-agent.pyz``)."""
    src = Path(__file__).resolve().parent.parent / "agent"
    out = out_dir / AGENT_FILE
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "dorisctl_agent"
        pkg.mkdir()
        for f in src.glob("*.py"):
            shutil.copy2(f, pkg / f.name)
        (Path(tmp) / "__main__.py").write_text("import sys\nfrom dorisctl_agent.main import main\nsys.exit(main())\n")
        zipapp.create_archive(tmp, out, interpreter="/usr/bin/env python3")
    return out


async def run(conn: Connection, host: str, cmd: str, hook: RemoteHook) -> Any:
    """One remote command, recorded through ``hook``; a timeout is a ``ConnectError``."""
    try:
        res = await conn.run(cmd, COMMAND_TIMEOUT)
    except TimeoutError:
        await hook(host, cmd, -1)
        raise ConnectError("remote", f"command timed out after {COMMAND_TIMEOUT:.0f}s: {cmd}") from None
    await hook(host, cmd, res.exit_status)
    return res


async def install_agent_on(
    conn: Connection, t: Target, make_config: Callable[[str], dict[str, Any]], zipapp_path: Path, hook: RemoteHook
) -> None:
    """Every check, then copy and start the agent (re-installing stops the old agent first)."""
    config = make_config(conn.local_address())
    res = await run(
        conn, t.host, "command -v python3 && python3 -c 'import sys; print(sys.version_info >= (3, 8))'", hook
    )
    if res.exit_status != 0:
        raise ConnectError("python3", f"python3 is not installed on {t.host} (or not on the PATH)")
    if "True" not in res.stdout:
        raise ConnectError("python3", f"python3 on {t.host} is older than 3.8")
    agent_dir = f"{t.install_dir.rstrip('/')}/agent"
    q = shlex.quote(agent_dir)
    res = await run(conn, t.host, f"mkdir -p {q}/log && test -w {q} && test -w {q}/log", hook)
    if res.exit_status != 0:
        raise ConnectError("installdir", f"install dir {t.install_dir} is not writable by {t.user!r}")
    await run(
        conn,
        t.host,
        f'p=$(cat {q}/agent.pid 2>/dev/null) && kill "$p" 2>/dev/null; '
        f'for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; rm -f {q}/agent.pid; true',
        hook,
    )
    port_check = (
        "python3 -c 'import socket,sys; s=socket.socket(); "
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        's.bind(("0.0.0.0", int(sys.argv[1])))\' '
        f"{int(t.agent_port)}"
    )
    res = await run(conn, t.host, port_check, hook)
    if res.exit_status != 0:
        raise ConnectError("port", f"agent port {t.agent_port} is already in use on {t.host}")
    try:
        await conn.put(zipapp_path, f"{agent_dir}/{AGENT_FILE}")
        await conn.write_file(f"{agent_dir}/agent.json", json.dumps(config), 0o600)
    except ConnectError as e:
        raise ConnectError("copy", f"copying the agent to {t.host} failed: {e}") from None
    # the pid file is written here, before this command returns (the agent writes the same pid when
    # it starts): whoever reads it after an install gets the new agent, never the one just stopped
    start = (
        f"cd {q} || exit 1; setsid python3 {AGENT_FILE} --config agent.json "
        "</dev/null >>log/agent.out 2>&1 & echo $! > agent.pid; echo started"
    )
    res = await run(conn, t.host, start, hook)
    if res.exit_status != 0:
        raise ConnectError("start", f"starting the agent on {t.host} failed: {res.stderr}")


class Bootstrap:
    def __init__(self, core: Core, connector: Connector) -> None:
        self.core = core
        self.connector = connector
        self._sem = asyncio.Semaphore(core.settings.ssh_parallel)
        self._running: set[int] = set()
        self.zipapp = build_agent_zipapp(core.settings.data_dir)

    def run_submitted(self, pid: int) -> None:
        """Start every server-side task of the process that is waiting (or was cut off by a restart)."""
        with self.core.store.tx() as s:
            tasks = s.scalars(
                select(Task)
                .where(
                    Task.process_id == pid,
                    Task.status.in_((Status.SUBMITTED, Status.RUNNING)),
                    Task.task_type.in_(SERVER_TASKS),
                )
                .order_by(Task.id)
            ).all()
            agent_tasks = [t.id for t in tasks if t.task_type == "INSTALL_AGENT"]
            join_tasks = [t.id for t in tasks if t.task_type in JOIN_ORDER]  # lifecycle tasks run elsewhere
        for tid in agent_tasks:
            if tid not in self._running:
                self._running.add(tid)
                self.core.spawn(self._guard(tid, self._install_agent_task(tid)))
        pending = [t for t in join_tasks if t not in self._running]
        if pending:
            self._running.update(pending)
            self.core.spawn(self._joins(pending))

    async def _guard(self, tid: int, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as e:  # never leave a task RUNNING because of a bug
            log.exception("task %s crashed", tid)
            self.core.finish(tid, Status.FAILURE, f"internal error: {type(e).__name__}: {e}")
        finally:
            self._running.discard(tid)

    # -- joining ------------------------------------------------------------------------------------------
    async def join_node(self, pid: int, host: str, role: str, *, wait_alive: float = 20.0) -> tuple[str, str]:
        """Add ``host``'s ``role`` to the cluster through the master FE (``ALTER SYSTEM ADD ...``),
        idempotently, verified with SHOW FRONTENDS/BACKENDS/BROKER. Returns (statement, outcome);
        raises ``doris.DorisError``."""
        with self.core.store.tx() as s:
            p = self.core.process(s, pid)
            master = p.master_fe
            if master is None:
                raise doris.DorisError(f"process {pid} started no master FE")
            qport = self.core.ports(s, p.cluster_id, master, Role.FE)["query_port"]
            ports = self.core.ports(s, p.cluster_id, host, role)
            if role == Role.FE:
                r = self.core.role_row(s, p.cluster_id, host, Role.FE)
                kind, port = (r.fe_node_type if r is not None else None) or "FOLLOWER", ports["edit_log_port"]
            elif role == Role.BE:
                kind, port = "BACKEND", ports["heartbeat_service_port"]
            else:
                kind, port = "BROKER", ports["broker_ipc_port"]
        if role == Role.FE and host == master:
            return "", f"{host} is the master FE"
        stmt = doris.statement(kind, host, port)
        try:
            outcome = await asyncio.to_thread(doris.join, master, qport, kind, host, port, wait_alive=wait_alive)
        except doris.DorisError as e:
            self.core.audit("manager", "ALTER SYSTEM", f"fe:{master}", f"failed: {e}", statement=stmt)
            raise
        self.core.audit("manager", "ALTER SYSTEM", f"fe:{master}", outcome, statement=stmt)
        return stmt, outcome

    def helper(self, pid: int) -> str:
        """``master:edit_log_port``, what a non-master FE is first started with."""
        with self.core.store.tx() as s:
            p = self.core.process(s, pid)
            assert p.master_fe is not None
            port = self.core.ports(s, p.cluster_id, p.master_fe, Role.FE)["edit_log_port"]
            return f"{p.master_fe}:{port}"

    async def _joins(self, tids: list[int]) -> None:
        with self.core.store.tx() as s:
            items = sorted((JOIN_ORDER[t.task_type], t.id) for t in (s.get(Task, i) for i in tids) if t is not None)
        for _o, tid in items:
            await self._guard(tid, self._join_task(tid))

    async def _join_task(self, tid: int) -> None:
        with self.core.store.tx() as s:
            t = s.get(Task, tid)
            if t is None or t.status not in (Status.SUBMITTED, Status.RUNNING):
                return
            assert t.role is not None
            t.status, t.start_time, t.attempts = Status.RUNNING, utcnow(), t.attempts + 1
            pid, host, role = t.process_id, t.host, t.role
        self.core.notify()
        try:
            stmt, outcome = await self.join_node(pid, host, role)
        except doris.DorisError as e:
            self.core.finish(tid, Status.FAILURE, str(e), log_text=f"failed: {e}\n")
            return
        self.core.finish(tid, Status.SUCCESS, outcome, log_text=f"{stmt}\n{outcome}\n" if stmt else None)

    # -- agent install ------------------------------------------------------------------------------------
    async def _install_agent_task(self, tid: int) -> None:
        core = self.core
        async with self._sem:
            with core.store.tx() as s:
                t = s.get(Task, tid)
                if t is None or t.status not in (Status.SUBMITTED, Status.RUNNING):
                    return
                p = s.get(Process, t.process_id)
                assert p is not None
                t.status, t.start_time, t.attempts, t.result = Status.RUNNING, utcnow(), t.attempts + 1, None
                kh = s.scalars(select(KnownHost).where(KnownHost.host == t.host, KnownHost.port == p.ssh_port)).first()
                target = Target(
                    host=t.host,
                    port=p.ssh_port,
                    user=p.ssh_user,
                    key_text=core.box.open(p.ssh_key_sealed, "ssh-key"),
                    install_dir=p.install_dir,
                    agent_port=p.agent_port,
                    known_key=kh.public_key if kh is not None else None,
                )
                token = new_token()
                a = s.scalars(select(Agent).where(Agent.host == t.host)).first()
                if a is None:
                    a = Agent(
                        cluster_id=p.cluster_id,
                        host=t.host,
                        port=p.agent_port,
                        install_dir=p.install_dir,
                        token_hash="",
                    )
                    s.add(a)
                a.cluster_id, a.port, a.install_dir = p.cluster_id, p.agent_port, p.install_dir
                a.token_hash, a.status, a.register_time = token_hash(token), AgentStatus.INIT, None
            core.notify()
            started = utcnow()

            tls_pem = Path(core.settings.tls_cert).read_text() if core.settings.tls_cert else None

            def make_config(local_ip: str) -> dict[str, Any]:
                scheme = "https" if tls_pem else "http"
                server = core.settings.advertise_url or f"{scheme}://{local_ip}:{core.settings.port}"
                cfg = {
                    "server": server,
                    "token": token,
                    "host": target.host,
                    "port": target.agent_port,
                    "installDir": target.install_dir,
                }
                if tls_pem:
                    cfg["serverCa"] = tls_pem  # trusted besides the system's CAs: a self-signed cert works
                return cfg

            try:
                conn = await self.connector.connect(target)
                try:
                    await install_agent_on(conn, target, make_config, self.zipapp, self.ssh_hook(target))
                finally:
                    await conn.close()
            except ConnectError as e:
                core.finish(tid, Status.FAILURE, str(e))
                return
            if target.known_key is None and conn.host_key:
                self._record_host_key(target, conn.host_key)
        if not await self._wait_registered(target.host, started):
            tail = await self._agent_output_tail(target)
            core.finish(
                tid,
                Status.FAILURE,
                f"register: the agent started but did not register within {core.settings.register_wait:.0f}s "
                f"(can {target.host} reach the manager?) {tail[-500:]}",
            )
            return
        core.finish(tid, Status.SUCCESS, "Install Agent Success")

    def ssh_hook(self, target: Target) -> RemoteHook:
        async def hook(host: str, cmd: str, status: int) -> None:
            self.core.audit("manager", "ssh", f"{target.user}@{host}:{target.port}", f"exit {status}", command=cmd)

        return hook

    def _record_host_key(self, target: Target, host_key: str) -> None:
        with self.core.store.tx() as s:
            known = s.scalars(
                select(KnownHost).where(KnownHost.host == target.host, KnownHost.port == target.port)
            ).first()
            if known is None:
                s.add(KnownHost(host=target.host, port=target.port, public_key=host_key))
        self.core.audit(
            "manager", "hostkey", f"{target.host}:{target.port}", "recorded at first contact", key=host_key.split()[0]
        )

    async def _wait_registered(self, host: str, since: Any) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.core.settings.register_wait
        while loop.time() < deadline:
            changed = self.core.changed
            with self.core.store.tx() as s:
                a = s.scalars(select(Agent).where(Agent.host == host)).first()
                if a is not None and a.register_time is not None and a.register_time >= since:
                    return True
            await self.core.wait_change(changed, 1.0)
        return False

    async def _agent_output_tail(self, t: Target) -> str:
        """Last lines of the agent's stdout on the host, for error messages."""
        try:
            conn = await self.connector.connect(t)
        except ConnectError:
            return ""
        try:
            q = shlex.quote(f"{t.install_dir.rstrip('/')}/agent/log/agent.out")
            res = await run(conn, t.host, f"tail -n 5 {q}", self.ssh_hook(t))
            return str(res.stdout or "").strip()
        finally:
            await conn.close()
