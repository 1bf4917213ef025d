"""The manager's /metrics: Prometheus text without a token, tasks by state and task durations by
type, nothing secret in it. A real manager process runs an installAgent whose hosts' ssh port is
closed (both tasks really fail), then one is skipped; a scrape is parsed with prometheus_client."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import asyncssh
import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.manager_server import ManagerProcess


def scrape(m: ManagerProcess) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    r = httpx.get(m.url + "/metrics", timeout=10)  # no token: counts and timings only
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text
    assert m.token not in r.text
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for fam in text_string_to_metric_families(r.text):
        for s in fam.samples:
            out.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return out


def test_manager_metrics_tasks_by_state_and_durations(tmp_path: Path) -> None:
    m = ManagerProcess("127.0.0.1", tmp_path / "mgr")
    m.start()
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        key = bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key()).decode()
        before = scrape(m).get("dorisctl_manager_task_seconds_count", {})
        assert before.get((("type", "INSTALL_AGENT"),), 0) == 0
        pid = m.ok(
            "POST",
            "/api/server/installAgent",
            {
                "clusterId": "c-metrics",
                "hosts": ["127.0.0.1", "127.0.0.2"],
                "user": "u",
                "sshPort": port,
                "sshKey": key,
                "packageUrl": "http://127.0.0.1:1/doris.tar.gz",
                "installDir": "/opt/doris",
            },
        )
        tasks = m.wait_step(pid, timeout=30)
        assert [t["status"] for t in tasks] == ["FAILURE", "FAILURE"]
        m.ok("POST", f"/api/process/task/skip/{tasks[0]['id']}")
        deadline = time.monotonic() + 10
        while True:
            got = scrape(m)
            tasks_by_state = {dict(k)["state"]: v for k, v in got["dorisctl_manager_tasks"].items()}
            if tasks_by_state.get("SKIPPED") == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert tasks_by_state == {"SUBMITTED": 0, "RUNNING": 0, "FAILURE": 1, "SUCCESS": 0, "SKIPPED": 1}, got
        count = got["dorisctl_manager_task_seconds_count"][(("type", "INSTALL_AGENT"),)]
        total = got["dorisctl_manager_task_seconds_sum"][(("type", "INSTALL_AGENT"),)]
        assert count == 2 and 0 <= total < 30, (count, total)
        buckets = {dict(k)["le"]: v for k, v in got["dorisctl_manager_task_seconds_bucket"].items()}
        assert buckets["+Inf"] == 2
        assert httpx.post(m.url + "/metrics").status_code == 405
    finally:
        m.stop()
