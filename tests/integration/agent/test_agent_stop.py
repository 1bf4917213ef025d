"""The agent stops promptly on SIGTERM even while its long poll to the manager is in flight."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.fixtures.metaservice import free_port


class _SlowManager(BaseHTTPRequestHandler):
    """Answers register at once and holds every poll open for 30 s (a quiet manager)."""

    polls = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.endswith("/poll"):
            type(self).polls.set()
            time.sleep(30)
        body = json.dumps({"code": 0, "msg": "success", "data": {"tasks": []}}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_sigterm_during_a_long_poll_exits_within_a_second(tmp_path: Path) -> None:
    manager = ThreadingHTTPServer(("127.0.0.1", 0), _SlowManager)
    manager.daemon_threads = True
    threading.Thread(target=manager.serve_forever, daemon=True).start()
    cfg = {
        "server": f"http://127.0.0.1:{manager.server_address[1]}",
        "token": "t",
        "installDir": str(tmp_path),
        "host": "127.0.0.1",
        "port": free_port(),
    }
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent.json").write_text(json.dumps(cfg))
    agent = subprocess.Popen(
        [sys.executable, "-m", "dorisctl.agent", "--config", str(tmp_path / "agent.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert _SlowManager.polls.wait(20), "the agent never polled"
        time.sleep(0.3)  # the poll is now blocked in the agent's socket read
        started = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        code = agent.wait(10)
        took = time.monotonic() - started
    finally:
        if agent.poll() is None:
            agent.kill()
        manager.shutdown()
    assert code == 0
    assert took < 1.5, f"the agent took {took:.1f} s to stop"
