"""`dorisctl up` (what `make run` starts): meta-service and manager in one process, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fixtures.metaservice import free_port


def test_up_serves_both_and_stops_cleanly(tmp_path: Path) -> None:
    ms_port, mgr_port = free_port(), free_port()
    args = [sys.executable, "-m", "dorisctl", "up", "--data-dir", str(tmp_path), "--port", str(ms_port),
            "--manager-host", "127.0.0.1", "--manager-port", str(mgr_port)]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{mgr_port}/api/server/agentList", timeout=1).status_code == 401:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        ms_token = (tmp_path / "token").read_text().strip()
        mgr_token = (tmp_path / "manager-token").read_text().strip()
        assert httpx.get(f"http://127.0.0.1:{ms_port}/health").status_code == 200
        r = httpx.post(f"http://127.0.0.1:{ms_port}/MetaService/http/get_cluster_status?token={ms_token}",
                       content=b'{"instance_ids": ["none"]}')  # fmt: skip
        assert r.status_code == 200 and r.json()["code"] == "OK"
        r = httpx.get(
            f"http://127.0.0.1:{mgr_port}/api/server/agentList", headers={"Authorization": f"Bearer {mgr_token}"}
        )
        assert r.status_code == 200 and r.json()["code"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out.decode()
    text = out.decode()
    assert f"meta-service token: {ms_token}" in text and mgr_token in text  # each printed once, at creation
    assert "dorisctl_up" in text and "dorisctl_stopped" in text
