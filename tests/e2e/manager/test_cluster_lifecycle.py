"""A deployed cluster's whole life through the real CLI, on the netns sshd hosts with the Doris
stand-in, integrated mode (one cluster shared by the module, the tests run in order): stop/start
by role, a rolling restart never having two nodes down (from the stand-ins' own start/stop logs),
a reload restarting only the node whose conf changed, upgrade and rollback in Doris's order with
the version Doris reports, scale-out and scale-in (DECOMMISSION) of a BE, refusals that change
nothing, a restart stopped by a node that does not come back (and resumed), destroy."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.manager.test_cluster_deploy import ENV_SKIPS, base, cli, write_topology
from tests.e2e.manager.test_web_ui import CHROMIUM_ARGS, chromium, log_in, shoot, shots_dir  # noqa: F401
from tests.fixtures import netns_hosts
from tests.fixtures.doris_standin import build_package
from tests.fixtures.manager_server import ManagerProcess, PackageServer

pytestmark = pytest.mark.slow
SKIPS = [a for s in ENV_SKIPS for a in ("--skip-check", s)]
NAME = "life"


@dataclass
class Life:
    m: ManagerProcess
    hs: netns_hosts.Hosts
    package: PackageServer
    doc: dict[str, Any]
    tmp: Path

    def host(self, ip: str) -> netns_hosts.Host:
        return next(h for h in self.hs.hosts if h.ip == ip)

    def events(self) -> list[tuple[float, str, str, str]]:
        """(time, start|stop, node, version) from every stand-in's lifecycle log, in time order."""
        out = []
        for h in self.hs.hosts:
            for role, port in (("fe", 9010), ("be", 9050), ("apache_hdfs_broker", 8000)):
                f = h.root / "doris" / role / "log" / "lifecycle.log"
                if f.exists():
                    for line in f.read_text().splitlines():
                        ts, event, _kind, version = line.split()
                        out.append((float(ts), event, f"{h.ip}:{port}", version))
        return sorted(out)

    def display(self) -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in self.m.ok("GET", f"/api/cluster/{NAME}/display")["nodes"]}


def since(events: list[tuple[float, str, str, str]], t0: float) -> list[tuple[float, str, str, str]]:
    return [e for e in events if e[0] >= t0]


def max_down(events: list[tuple[float, str, str, str]]) -> int:
    down: set[str] = set()
    worst = 0
    for _ts, event, node, _v in events:
        if event == "stop":
            down.add(node)
        else:
            down.discard(node)
        worst = max(worst, len(down))
    return worst


@pytest.fixture(scope="module")
def life(hosts: netns_hosts.Hosts, package: PackageServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Life]:
    for h in hosts.hosts:
        netns_hosts.reset_host(h)
    package.published, package.delay = True, 0.0
    tmp = tmp_path_factory.mktemp("life")
    site = hosts.root / "standin-site"
    package.extra["v2.tar.gz"] = build_package(hosts.root / "doris-standin-v2.tar.gz", site, version="2.0")
    m = ManagerProcess(netns_hosts.GATEWAY, tmp / "mgr")
    m.start()
    h1, h2 = hosts.hosts[0].ip, hosts.hosts[1].ip
    doc = {
        **base(hosts, package),
        "fe": [{"host": h1}],
        "be": [{"host": h1}, {"host": h2}],
        "broker": [{"host": h2}],
    }
    r = cli(m, "deploy", NAME, write_topology(tmp / "life.yaml", doc), *SKIPS)
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        yield Life(m, hosts, package, doc, tmp)
    finally:
        m.stop()
        package.extra.clear()
        for h in hosts.hosts:
            netns_hosts.reset_host(h)


def test_stop_and_start_by_role(life: Life) -> None:
    h1, h2 = life.hs.hosts[0].ip, life.hs.hosts[1].ip
    t0 = time.time()
    r = cli(life.m, "stop", NAME, "--role", "be")
    assert r.returncode == 0 and "cluster life stopped" in r.stdout, r.stdout + r.stderr
    shown = life.display()
    assert shown[f"{h1}:9050"]["process"] == "Down" and shown[f"{h2}:9050"]["process"] == "Down"
    assert shown[f"{h1}:9010"]["process"] == "Up" and shown[f"{h2}:8000"]["process"] == "Up"
    r = cli(life.m, "start", NAME, "--role", "be")
    assert r.returncode == 0 and "cluster life started" in r.stdout, r.stdout + r.stderr
    assert "WAIT_BE" in r.stdout  # each BE waited for until Doris listed it alive
    ev = since(life.events(), t0)
    assert {(e[1], e[2]) for e in ev} == {(x, f"{h}:9050") for x in ("stop", "start") for h in (h1, h2)}
    shown = life.display()
    assert all(n["process"] == "Up" and n["doris"].startswith("Alive") for n in shown.values()), shown
    # one node by its ALTER SYSTEM id
    r = cli(life.m, "stop", NAME, "--node", f"{h2}:8000")
    assert r.returncode == 0, r.stdout + r.stderr
    assert life.display()[f"{h2}:8000"]["process"] == "Down"
    assert cli(life.m, "start", NAME, "--node", f"{h2}:8000").returncode == 0
    audit = life.m.ok("GET", "/api/audit?limit=1000")
    assert any(e["action"] == "stop" and e["outcome"] == "success" for e in audit)


def test_bad_input_is_refused_and_changes_nothing(life: Life) -> None:
    h1 = life.hs.hosts[0].ip
    before = life.m.ok("GET", f"/api/cluster/{NAME}")["topology"]
    r = cli(life.m, "stop", "nosuch")
    assert r.returncode == 1 and "cluster nosuch not found" in r.stderr
    r = cli(life.m, "restart", NAME, "--node", f"{h1}:1234")
    assert r.returncode == 1 and f"no node {h1}:1234" in r.stderr and f"{h1}:9050 (BE)" in r.stderr
    r = cli(life.m, "upgrade", NAME, life.package.url("missing.bin"))
    assert r.returncode == 1 and "is not reachable: HTTP 404" in r.stderr
    r = cli(life.m, "scale-in", NAME, "--node", f"{h1}:9010")
    assert r.returncode == 1 and "last FE" in r.stderr
    moved = {**life.doc, "be": [{"host": h1}, {"host": life.hs.hosts[2].ip}]}
    r = cli(life.m, "reload", NAME, write_topology(life.tmp / "moved.yaml", moved))
    assert r.returncode == 1 and "scale-out" in r.stderr and "scale-in" in r.stderr
    clash = {"broker": [{"host": h1, "broker_ipc_port": 9050}]}  # the BE's heartbeat port on h1
    r = cli(life.m, "scale-out", NAME, write_topology(life.tmp / "clash.yaml", clash))
    assert r.returncode == 1 and "broker[1].broker_ipc_port: port 9050" in r.stderr, r.stderr
    dup = {"be": [{"host": h1}]}
    r = cli(life.m, "scale-out", NAME, write_topology(life.tmp / "dup.yaml", dup))
    assert r.returncode == 1 and "already has a BE" in r.stderr, r.stderr
    r = cli(life.m, "destroy", NAME)  # no terminal here, no --yes
    assert r.returncode == 1 and "--yes" in r.stderr
    # a second operation while one runs is refused, naming the running process
    pid = life.m.ok("POST", f"/api/cluster/{NAME}/restart", {"node": f"{life.hs.hosts[1].ip}:8000"})["processId"]
    second = life.m.call("POST", f"/api/cluster/{NAME}/stop", {})
    assert second["_status"] == 409 and f"process {pid} (restart)" in second["msg"], second
    deadline = time.monotonic() + 120
    while life.m.ok("GET", f"/api/cluster/{NAME}")["process"]["finish"] != "YES":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert life.m.ok("GET", f"/api/cluster/{NAME}")["topology"] == before


def test_rolling_restart_never_has_two_nodes_down(life: Life) -> None:
    h1, h2 = life.hs.hosts[0].ip, life.hs.hosts[1].ip
    t0 = time.time()
    r = cli(life.m, "restart", NAME)
    assert r.returncode == 0 and "cluster life restarted" in r.stdout, r.stdout + r.stderr
    ev = since(life.events(), t0)
    assert len(ev) == 8 and max_down(ev) == 1, ev
    stops = [e[2] for e in ev if e[1] == "stop"]
    # Doris's order: BEs, the broker, the (master) FE last
    assert set(stops[:2]) == {f"{h1}:9050", f"{h2}:9050"} and stops[2:] == [f"{h2}:8000", f"{h1}:9010"]


def test_reload_restarts_only_the_node_whose_conf_changed(life: Life) -> None:
    h1, h2 = life.hs.hosts[0].ip, life.hs.hosts[1].ip
    doc = {**life.doc, "be": [{"host": h1}, {"host": h2, "config": {"max_compaction_threads": 3}}]}
    t0 = time.time()
    r = cli(life.m, "reload", NAME, write_topology(life.tmp / "reload.yaml", doc))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"conf changed on {h2}:9050" in r.stdout
    ev = since(life.events(), t0)
    assert [(e[1], e[2]) for e in ev] == [("stop", f"{h2}:9050"), ("start", f"{h2}:9050")]
    conf = (life.host(h2).root / "doris" / "be" / "conf" / "be.conf").read_text()
    assert "max_compaction_threads = 3" in conf and "heartbeat_service_port = 9050" in conf
    stored = life.m.ok("GET", f"/api/cluster/{NAME}")["topology"]
    assert stored["be"][1]["config"] == {"max_compaction_threads": "3"}
    again = cli(life.m, "reload", NAME, write_topology(life.tmp / "reload.yaml", doc))
    assert again.returncode == 0 and "nothing to reload" in again.stdout
    life.doc = doc


def test_upgrade_in_doris_order_then_rollback(life: Life) -> None:
    h1, h2 = life.hs.hosts[0].ip, life.hs.hosts[1].ip
    order = [f"{h1}:9050", f"{h2}:9050", f"{h2}:8000", f"{h1}:9010"]
    t0 = time.time()
    bad = cli(life.m, "upgrade", NAME, life.package.url("v2.tar.gz"), "--sha256", "0" * 64)
    assert bad.returncode == 1 and "checksum mismatch" in bad.stdout and "FETCH_PACKAGE" in bad.stdout
    assert "dorisctl cluster retry life" in bad.stdout
    assert since(life.events(), t0) == []  # nothing was stopped
    assert cli(life.m, "cancel", NAME).returncode == 0
    t0 = time.time()
    r = cli(life.m, "upgrade", NAME, life.package.url("v2.tar.gz"))
    assert r.returncode == 0 and "cluster life upgraded" in r.stdout, r.stdout + r.stderr
    ev = since(life.events(), t0)
    assert [e[2] for e in ev if e[1] == "stop"] == order and max_down(ev) == 1
    assert {e[3] for e in ev if e[1] == "start"} == {"2.0"}
    shown = life.display()
    assert {shown[k]["version"] for k in (f"{h1}:9010", f"{h1}:9050", f"{h2}:9050")} == {"2.0"}
    conf = (life.host(h2).root / "doris" / "be" / "conf" / "be.conf").read_text()
    assert "max_compaction_threads = 3" in conf  # conf kept
    assert (life.host(h1).root / "doris" / "fe" / "doris-meta" / "standin-state.json").exists()  # meta kept
    assert life.m.ok("GET", f"/api/cluster/{NAME}")["topology"]["global"]["package_url"].endswith("v2.tar.gz")

    t1 = time.time()
    r = cli(life.m, "rollback", NAME)
    assert r.returncode == 0 and "cluster life rolled back" in r.stdout, r.stdout + r.stderr
    ev = since(life.events(), t1)
    assert [e[2] for e in ev if e[1] == "stop"] == order
    assert {e[3] for e in ev if e[1] == "start"} == {"0.0"}
    assert life.display()[f"{h1}:9010"]["version"] == "0.0"
    again = cli(life.m, "rollback", NAME)
    assert again.returncode == 1 and "no upgrade to roll back" in again.stderr


def test_scale_out_and_scale_in_a_be_and_an_observer(life: Life) -> None:
    h1, h3 = life.hs.hosts[0].ip, life.hs.hosts[2]
    frag = write_topology(life.tmp / "out.yaml", {"fe": [{"host": h3.ip, "role": "OBSERVER"}], "be": [{"host": h3.ip}]})
    r = cli(life.m, "scale-out", NAME, frag, *SKIPS)
    assert r.returncode == 0 and "cluster life scaled out" in r.stdout, r.stdout + r.stderr
    statements = (life.host(h1).root / "doris" / "fe" / "log" / "alter_system.log").read_text()
    assert f'ALTER SYSTEM ADD BACKEND "{h3.ip}:9050"' in statements
    assert f'ALTER SYSTEM ADD OBSERVER "{h3.ip}:9010"' in statements  # added to the master before its start
    started = (h3.root / "doris" / "fe" / "log" / "start_invocations.log").read_text()
    assert f"--helper {h1}:9010" in started
    shown = life.display()
    assert shown[f"{h3.ip}:9050"]["process"] == "Up" and shown[f"{h3.ip}:9050"]["doris"] == "Alive"
    assert shown[f"{h3.ip}:9010"]["doris"] == "Alive" and shown[f"{h1}:9010"]["doris"] == "Alive (master)"
    topo = life.m.ok("GET", f"/api/cluster/{NAME}")["topology"]
    assert len(topo["be"]) == 3 and topo["fe"][1] == {**topo["fe"][1], "host": h3.ip, "role": "OBSERVER"}

    r = cli(life.m, "scale-in", NAME, "--node", f"{h3.ip}:9010")
    assert r.returncode == 0 and "cluster life scaled in" in r.stdout, r.stdout + r.stderr
    r = cli(life.m, "scale-in", NAME, "--node", f"{h3.ip}:9050")
    assert r.returncode == 0 and "cluster life scaled in" in r.stdout, r.stdout + r.stderr
    statements = (life.host(h1).root / "doris" / "fe" / "log" / "alter_system.log").read_text()
    assert f'ALTER SYSTEM DROP OBSERVER "{h3.ip}:9010"' in statements
    assert f'ALTER SYSTEM DECOMMISSION BACKEND "{h3.ip}:9050"' in statements
    shown = life.display()
    assert f"{h3.ip}:9050" not in shown and f"{h3.ip}:9010" not in shown
    topo = life.m.ok("GET", f"/api/cluster/{NAME}")["topology"]
    assert [b["host"] for b in topo["be"]] == [h1, life.hs.hosts[1].ip] and len(topo["fe"]) == 1
    be_dir = h3.root / "doris" / "be"
    assert not (be_dir / "bin").exists() and (be_dir / "storage").is_dir()  # install gone, data kept
    assert netns_hosts.ns_pids(h3.ns) == [netns_hosts.sshd_pid(h3)]  # no stand-in, and the agent went too


def test_a_node_that_does_not_come_back_stops_the_restart(life: Life) -> None:
    h1, h2 = life.hs.hosts[0], life.hs.hosts[1]
    storage = h2.root / "doris" / "be" / "storage"
    hidden = storage.with_name("storage.away")
    storage.rename(hidden)  # the stand-in BE refuses to start without its storage root
    try:
        t0 = time.time()
        r = cli(life.m, "restart", NAME)
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"FAILED: START_BE on {h2.ip}" in r.stdout and "dorisctl cluster retry life" in r.stdout
        ev = since(life.events(), t0)
        # h1's BE went round, h2's BE was stopped and did not come back: nothing after it was touched
        assert [(e[1], e[2]) for e in ev] == [
            ("stop", f"{h1.ip}:9050"),
            ("start", f"{h1.ip}:9050"),
            ("stop", f"{h2.ip}:9050"),
        ]
        busy = cli(life.m, "stop", NAME)
        assert busy.returncode == 1 and "(restart) is still running" in busy.stderr
    finally:
        hidden.rename(storage)
    r = cli(life.m, "retry", NAME)
    assert r.returncode == 0 and "cluster life restarted" in r.stdout, r.stdout + r.stderr
    assert max_down(since(life.events(), t0)) == 1


def test_console_buttons(chromium: str, life: Life, tmp_path: Path) -> None:  # noqa: F811
    """The cluster page's operation buttons in headless Chromium: stop the BEs, start them again,
    a refusal shown as an error; the nodes table follows (process state, Doris's view, version)."""
    from playwright.sync_api import expect, sync_playwright

    h1 = life.hs.hosts[0].ip
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(tmp_path)}
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            log_in(page, life.m, life.m.token)
            page.goto(life.m.url + f"/#/cluster/{NAME}")
            be = page.locator(f'#nodes tr[data-node="{h1}:9050"]')
            expect(be.locator("td.proc")).to_have_text("Up", timeout=15000)
            expect(be.locator("td.version")).to_have_text("0.0")
            page.select_option("#op-role", "be")
            page.click("#op-stop")
            expect(page.locator("#op-status")).to_contain_text("stop: process")
            expect(page.locator("#process")).to_contain_text("SUCCESS", timeout=60000)
            # the table follows on its next refresh; a starved machine (the suite beside benchmarks)
            # once took over 20 s for it: a minute, as for the process itself
            expect(be.locator("td.proc")).to_have_text("Down", timeout=60000)
            assert page.locator('tr.task td.task:text-is("STOP_BE")').count() == 2
            shoot(page, shots_dir(tmp_path), "lifecycle-stopped")
            page.click("#op-start")
            expect(page.locator("#op-status")).to_contain_text("start: process")
            expect(page.locator("#process")).to_contain_text("SUCCESS", timeout=60000)
            expect(be.locator("td.proc")).to_have_text("Up", timeout=60000)
            expect(be.locator("td.doris")).to_have_text("Alive", timeout=60000)
            # a refusal: scale-in of the only FE (the master) without force
            page.select_option("#op-node", f"{h1}:9010")
            page.click("#op-scale-in")
            expect(page.locator("#error")).to_contain_text("last FE")
            assert problems == []
        finally:
            browser.close()
    shown = life.display()
    assert all(n["process"] == "Up" for n in shown.values()), shown


def test_destroy(life: Life) -> None:
    r = cli(life.m, "destroy", NAME, "--yes")
    assert r.returncode == 0 and "cluster life destroyed" in r.stdout, r.stdout + r.stderr
    assert life.m.ok("GET", "/api/cluster") == []
    for h in life.hs.hosts:
        assert netns_hosts.ns_pids(h.ns) == [netns_hosts.sshd_pid(h)]  # no stand-in, no agent left
        assert not (h.root / "doris" / "agent").exists() and not (h.root / "doris" / "fe" / "bin").exists()
    assert (life.hs.hosts[0].root / "doris" / "fe" / "doris-meta").is_dir()  # data kept without --purge-data
