"""The manager SIGKILLed mid-deploy on the netns sshd hosts: restarted on the same data dir and
port, the deploy resumes and finishes, and no start script ran twice on any host (the stand-in
counts every run of its start scripts), no agent was installed twice, no join was repeated."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.fixtures import netns_hosts
from tests.fixtures.manager_server import ManagerProcess, PackageServer

pytestmark = pytest.mark.slow
INSTALL_DIR = str(netns_hosts.MNT / "doris")
ENV_SKIPS = ["max_map_count", "swap", "open_files", "jdk", "memory"]


def cluster(m: ManagerProcess, name: str) -> dict[str, Any]:
    out: dict[str, Any] = m.ok("GET", f"/api/cluster/{name}")
    return out


def tasks_of(view: dict[str, Any]) -> list[dict[str, Any]]:
    p = view["process"] or {"steps": []}
    return [t for s in p["steps"] for t in s["tasks"]]


def invocations(h: netns_hosts.Host, role: str) -> list[str]:
    f = h.root / "doris" / role / "log" / "start_invocations.log"
    return f.read_text().splitlines() if f.exists() else []


def test_manager_killed_mid_deploy_resumes_without_running_a_start_twice(
    manager: ManagerProcess, clean_hosts: netns_hosts.Hosts, package: PackageServer
) -> None:
    m, hs = manager, clean_hosts
    h1, h2 = hs.hosts[0], hs.hosts[1]
    topology = {
        "global": {
            "user": hs.user,
            "ssh_port": 22,
            "ssh_key_file": str(hs.key_path),
            "install_dir": INSTALL_DIR,
            "package_url": package.url(),
        },
        "fe": [{"host": h1.ip}],
        "be": [{"host": h1.ip}, {"host": h2.ip}],
    }
    got = m.ok("POST", "/api/cluster/deploy", {"name": "crash", "topology": topology, "skipChecks": ENV_SKIPS})
    pid = got["processId"]

    # kill -9 as soon as a start has been handed to an agent (the step where a re-run would hurt)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ts = tasks_of(cluster(m, "crash"))
        if any(t["taskType"].startswith("START_") and t["status"] != "SUBMITTED" for t in ts):
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"no start began: {ts}")
    t_kill = time.monotonic()
    m.kill()
    killed_at = [(t["taskType"], t["host"], t["status"]) for t in ts]

    m.start()  # same data dir, same port: agents reconnect by themselves
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        view = cluster(m, "crash")
        if view["process"]["finish"] == "YES":
            break
        assert not any(t["status"] == "FAILURE" for t in tasks_of(view)), tasks_of(view)
        time.sleep(0.2)
    else:
        raise AssertionError(f"deploy did not resume to the end: {tasks_of(view)}")
    resumed_s = time.monotonic() - t_kill
    assert view["process"]["id"] == pid and view["process"]["status"] == "SUCCESS", view["process"]
    ts = tasks_of(view)
    assert ts and all(t["status"] == "SUCCESS" for t in ts), ts

    # exactly one run of each start script per host, whatever the kill interrupted
    assert len(invocations(h1, "fe")) == 1, (invocations(h1, "fe"), killed_at)
    assert len(invocations(h1, "be")) == 1 and len(invocations(h2, "be")) == 1, killed_at
    for h, roles in ((h1, ("fe", "be")), (h2, ("be",))):
        for role in roles:
            assert (
                sum(
                    "stand-in up" in ln
                    for ln in (h.root / "doris" / role / "log" / f"{role}.out").read_text().splitlines()
                )
                == 1
            )
    # every task row ran once per host: one per (type, host), nothing re-created or retried
    keys = [(t["taskType"], t["host"]) for t in ts]
    assert len(keys) == len(set(keys)), keys
    starts = [t for t in ts if t["taskType"].startswith("START_")]
    assert all(t["attempts"] <= 1 for t in starts), starts
    statements = (h1.root / "doris" / "fe" / "log" / "alter_system.log").read_text().splitlines()
    adds = [s for s in statements if "ADD BACKEND" in s]
    assert sorted(adds) == sorted(f'ALTER SYSTEM ADD BACKEND "{h.ip}:9050"' for h in (h1, h2)), statements
    print(f"killed at {killed_at}; resumed to the end in {resumed_s:.1f} s")
