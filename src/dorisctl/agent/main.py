"""Agent process: register, long-poll the manager for tasks (the poll is the heartbeat), run each
task in its own thread, upload log tails while it runs and deliver results until the server takes
them (so a manager restart loses nothing)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import ssl
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import VERSION
from .facts import hardware
from .lifecycle import LIFECYCLE_TASKS
from .tasks import TASKS, TaskError, TaskLog

log = logging.getLogger("dorisctl.agent")
POLL_WAIT_S = 10


class Client:
    def __init__(self, server: str, token: str, ca_pem: str | None = None) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.context: ssl.SSLContext | None = None
        if self.server.startswith("https:"):
            # the system's CAs, plus the manager's own certificate when it gave one (self-signed)
            self.context = ssl.create_default_context()
            if ca_pem:
                self.context.load_verify_locations(cadata=ca_pem)

    def post(self, path: str, body: dict[str, Any], timeout: float = 15.0) -> dict[str, Any]:
        req = urllib.request.Request(
            self.server + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=timeout, context=self.context) as resp:
            out = json.loads(resp.read() or b"{}")
        if out.get("code") != 0:
            raise RuntimeError(f"server said {out.get('code')}: {out.get('msg')}")
        data = out.get("data")
        return data if isinstance(data, dict) else {}


class Agent:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.client = Client(cfg["server"], cfg["token"], cfg.get("serverCa"))
        self.install_dir = str(cfg["installDir"])
        self.log_dir = Path(self.install_dir) / "agent" / "log"
        self.running: dict[int, threading.Thread] = {}
        self.outbox: dict[int, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    # -- server calls -------------------------------------------------------------------------
    def register(self) -> None:
        delay = 1.0
        while not self.stop.is_set():
            try:
                self.client.post(
                    "/api/agent-rpc/register",
                    {
                        "host": self.cfg["host"],
                        "port": self.cfg["port"],
                        "installDir": self.install_dir,
                        "version": VERSION,
                        "hardware": hardware(self.install_dir),
                    },
                )
                log.info("registered with %s", self.client.server)
                return
            except (OSError, RuntimeError, ValueError) as e:
                log.warning("register failed: %s; retrying in %.0fs", e, delay)
                self.stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def deliver(self) -> None:
        with self.lock:
            pending = list(self.outbox.items())
        for task_id, body in pending:
            try:
                self.client.post("/api/agent-rpc/result", body)
            except (OSError, RuntimeError, ValueError) as e:
                log.warning("result of task %s not delivered yet: %s", task_id, e)
                return
            with self.lock:
                self.outbox.pop(task_id, None)
                self.running.pop(task_id, None)

    def poll_once(self) -> None:
        with self.lock:
            running = sorted(self.running)
        data = self.client.post(
            "/api/agent-rpc/poll", {"running": running, "wait": POLL_WAIT_S}, timeout=POLL_WAIT_S + 15
        )
        for task in data.get("tasks", []):
            self.start_task(task)

    # -- tasks --------------------------------------------------------------------------------
    def start_task(self, task: dict[str, Any]) -> None:
        task_id = int(task["id"])
        with self.lock:
            if task_id in self.running:
                return
            t = threading.Thread(target=self.run_task, args=(task,), name=f"task-{task_id}", daemon=True)
            self.running[task_id] = t
        t.start()

    def run_task(self, task: dict[str, Any]) -> None:
        task_id = int(task["id"])
        ttype = str(task["type"])
        tlog = TaskLog(self.log_dir / f"task-{task_id}.log")
        tlog.write(f"task {task_id} {ttype} attempt {task.get('attempt', 1)} started")
        done = threading.Event()
        uploader = threading.Thread(target=self.upload_loop, args=(task_id, tlog, done), daemon=True)
        uploader.start()
        fn = TASKS.get(ttype) or LIFECYCLE_TASKS.get(ttype)
        try:
            if fn is None:
                raise TaskError(f"unknown task type {ttype}")
            result = fn(dict(task.get("args") or {}), tlog)
            status = "SUCCESS"
        except TaskError as e:
            result, status = str(e), "FAILURE"
        except Exception as e:  # a bug in a task must not kill the agent
            result, status = f"internal error: {type(e).__name__}: {e}", "FAILURE"
        tlog.write(f"task {task_id} {status}: {result}")
        done.set()
        body = {
            "taskId": task_id,
            "status": status,
            "result": result,
            "log": tlog.tail(),
            "logPath": str(tlog.path),
        }
        with self.lock:
            self.outbox[task_id] = body
        self.deliver()

    def upload_loop(self, task_id: int, tlog: TaskLog, done: threading.Event) -> None:
        while not done.wait(2.0):
            try:
                self.client.post(
                    "/api/agent-rpc/log", {"taskId": task_id, "log": tlog.tail(), "logPath": str(tlog.path)}
                )
            except (OSError, RuntimeError, ValueError):
                pass

    # -- main loop ----------------------------------------------------------------------------
    def serve_health(self) -> ThreadingHTTPServer:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b'{"status":"OK"}' if self.path == "/health" else b'{"status":"NOT_FOUND"}'
                self.send_response(200 if self.path == "/health" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        srv = ThreadingHTTPServer(("0.0.0.0", int(self.cfg["port"])), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        return srv

    def run(self) -> int:
        """Serve /health, then register and poll in a worker thread until asked to stop.

        The main thread only waits for the stop flag: a blocked long poll sits in a socket read
        that Python resumes after a signal handler runs, so polling on the main thread made
        SIGTERM wait for the poll to return (up to POLL_WAIT_S). Now the agent exits within a
        fraction of a second; a task still running is re-dispatched by the manager (tasks are
        idempotent).
        """
        srv = self.serve_health()
        worker = threading.Thread(target=self.work, name="poll", daemon=True)
        worker.start()
        while not self.stop.wait(0.2):
            if not worker.is_alive():
                break
        srv.shutdown()
        log.info("agent stopped")
        return 0

    def work(self) -> None:
        self.register()
        failures = 0
        while not self.stop.is_set():
            self.deliver()
            try:
                self.poll_once()
                failures = 0
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    log.error("the manager rejected this agent's token; re-registering")
                    self.register()
                failures += 1
            except (OSError, RuntimeError, ValueError) as e:
                failures += 1
                log.warning("poll failed (%s); retrying", e)
            if failures:
                self.stop.wait(min(10.0, 0.5 * 2 ** min(failures, 5)) * random.uniform(0.8, 1.2))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="dorisctl-agent")
    p.add_argument("--config", required=True, help="agent.json written by the manager at install")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with open(a.config) as f:
        cfg = json.load(f)
    agent = Agent(cfg)
    pid_file = Path(cfg["installDir"]) / "agent" / "agent.pid"
    pid_file.write_text(str(os.getpid()))

    def _stop(_sig: int, _frame: object) -> None:
        agent.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return agent.run()
