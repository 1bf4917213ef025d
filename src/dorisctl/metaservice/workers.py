"""Worker processes of one meta-service (`dorisctl meta-service --workers N`).

A supervisor process starts N workers, each a complete meta-service (`dorisctl meta-service` with
a hidden `--worker-index`), and serves nothing itself:

* every worker binds the one port with SO_REUSEPORT, so the kernel spreads connections (HTTP,
  gRPC and baidu_std alike: the listener sniffs each connection in the worker that accepted it);
* they share the store: on SQLite the one file in WAL mode, each worker with its own group commit
  (`BEGIN IMMEDIATE` serializes the processes' batches); on etcd each is a client. A commit is
  acknowledged only once durable in the store, so a read after it sees it whichever worker answers;
* the in-process recycler runs in worker 0 only (and its lease keeps other recyclers out);
* `/metrics` is one service's: workers run in prometheus_client's multiprocess mode over one
  directory the supervisor owns (see dorisctl/metrics.py);
* logs: workers write to the supervisor's stderr, each line tagged `worker=<i>`;
* SIGTERM / SIGINT to the supervisor is passed to every worker, each drains its in-flight requests,
  and the supervisor exits when all have; a worker that dies otherwise is started again. Workers
  ask the kernel to kill them if the supervisor dies (PR_SET_PDEATHSIG), so none outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from dorisctl import metrics
from dorisctl.logs import log_event

log = logging.getLogger("dorisctl.metaservice.workers")

SUPERVISOR_ENV = "DORISCTL_SUPERVISOR_PID"
READY_DIR_ENV = "DORISCTL_WORKERS_READY_DIR"
TOKEN_ENV = "DORISCTL_META_TOKEN"
RESTART_DELAY = 1.0
STARTUP_GRACE = 10.0  # a worker dying sooner than this after its start fails the service
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def port_free(host: str, port: int) -> bool:
    """True if nothing listens on (host, port) yet (bound without SO_REUSEPORT, so a server of
    someone else's on the port is found, not silently shared)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def become_worker(index: int) -> None:
    """In a worker: die with the supervisor, and tag every log line with the worker's index."""
    parent = os.environ.get(SUPERVISOR_ENV, "")
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent.isdigit() and os.getppid() != int(parent):  # the supervisor died before prctl
        os._exit(1)

    class _Tag(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            fields = getattr(record, "fields", None)
            if isinstance(fields, dict) and "worker" not in fields:
                record.fields = {**fields, "worker": index}
            return True

    for handler in logging.getLogger().handlers:
        handler.addFilter(_Tag())


def mark_ready(index: int) -> None:
    """In a worker: tell the supervisor this worker is serving."""
    directory = os.environ.get(READY_DIR_ENV, "")
    if directory:
        with contextlib.suppress(OSError):
            open(os.path.join(directory, f"ready-{index}"), "w").close()


@dataclass
class WorkerPool:
    """The supervisor's side: start, watch (restart), stop."""

    count: int
    argv: Sequence[str]  # `dorisctl` arguments of a worker, without --worker-index
    token: str
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: bool = False
    metrics_dir: str = ""
    failed: int | None = None  # exit code of a worker that died right after starting
    started_at: dict[int, float] = field(default_factory=dict)
    on_failure: asyncio.Event | None = None

    def start(self) -> None:
        self.metrics_dir = tempfile.mkdtemp(prefix="dorisctl-ms-metrics-")
        for i in range(self.count):
            self._spawn(i)
        pids = ",".join(str(p.pid) for p in self.procs.values())
        log_event(log, "meta_service_workers", workers=self.count, pids=pids)

    def _spawn(self, index: int) -> None:
        env = dict(os.environ)
        env.update(self.env)
        env[metrics.MULTIPROCESS_ENV] = self.metrics_dir
        env[SUPERVISOR_ENV] = str(os.getpid())
        env[READY_DIR_ENV] = self.metrics_dir
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(self.metrics_dir, f"ready-{index}"))
        env[TOKEN_ENV] = self.token  # not on the command line, where `ps` would show it
        cmd = [sys.executable, "-m", "dorisctl", *self.argv, "--worker-index", str(index)]
        self.procs[index] = subprocess.Popen(cmd, env=env)
        self.started_at[index] = time.monotonic()

    async def wait_ready(self, timeout: float = 120) -> bool:
        """Until every worker serves (True), or one exited or `timeout` passed (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs.values()):
                return False
            if all(os.path.exists(os.path.join(self.metrics_dir, f"ready-{i}")) for i in self.procs):
                log_event(log, "meta_service_workers_ready", workers=self.count)
                return True
            await asyncio.sleep(0.05)
        return False

    async def watch(self) -> None:
        """Start again any worker that exits while the pool is not stopping."""
        while not self.stopping:
            await asyncio.sleep(0.2)
            for index, proc in list(self.procs.items()):
                if self.stopping or proc.poll() is None:
                    continue
                log_event(log, "worker_exited", logging.ERROR, worker=index, pid=proc.pid, code=proc.returncode)
                with contextlib.suppress(OSError):
                    metrics.forget_process(proc.pid)
                if time.monotonic() - self.started_at[index] < STARTUP_GRACE:
                    # it could not start (port taken, bad configuration): restarting would loop
                    self.failed = proc.returncode or 1
                    if self.on_failure is not None:
                        self.on_failure.set()
                    return
                await asyncio.sleep(RESTART_DELAY)
                if not self.stopping:
                    self._spawn(index)

    def signal_all(self, sig: int) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)

    async def stop(self, timeout: float = 60) -> int:
        """SIGTERM every worker, wait until all drained and exited (SIGKILL past `timeout`);
        the first non-zero exit code, else 0."""
        self.stopping = True
        self.signal_all(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(p.poll() is None for p in self.procs.values()):
            if time.monotonic() > deadline:
                self.signal_all(signal.SIGKILL)
            await asyncio.sleep(0.05)
        # A worker still starting when told to stop dies of SIGTERM: it had nothing to drain.
        codes = [0 if p.returncode == -signal.SIGTERM else p.returncode for p in self.procs.values()]
        if self.metrics_dir:
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
        log_event(log, "meta_service_workers_stopped", codes=",".join(str(c) for c in codes))
        return next((c for c in codes if c), 0)

    async def serve(self) -> int:
        """Run until SIGTERM / SIGINT (or every worker failed to start): the supervisor's main."""
        loop = asyncio.get_running_loop()
        done = asyncio.Event()
        self.on_failure = done
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, done.set)
        self.start()
        watcher = asyncio.create_task(self.watch())
        if not await self.wait_ready():
            self.failed = 1
            done.set()
        try:
            await done.wait()
        finally:
            code = await self.stop()
            watcher.cancel()
            if self.failed is not None:
                code = self.failed
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        return code
