"""The lifecycle in cloud mode, against a real meta-service on the test bridge: stop/start of the
BEs by role, a rolling restart, scale-out of a BE registered in its compute group before its first
start (the meta-service's view checked), scale-in dropping it from the meta-service, and destroy
with --drop-instance."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.manager.test_cluster_deploy import ENV_SKIPS, cli, cloud_topology, conf, write_topology
from tests.e2e.manager.test_cluster_lifecycle import max_down
from tests.fixtures import netns_hosts
from tests.fixtures.manager_server import ManagerProcess, MetaServiceProcess, PackageServer

pytestmark = pytest.mark.slow
SKIPS = [a for s in ENV_SKIPS for a in ("--skip-check", s)]
NAME = "sky"


class Sky:
    def __init__(self, m: ManagerProcess, ms: MetaServiceProcess, hs: netns_hosts.Hosts, tmp: Path) -> None:
        self.m, self.ms, self.hs, self.tmp = m, ms, hs, tmp

    def compute_nodes(self) -> dict[str, str]:
        """ip -> cloud_unique_id of cg1's nodes, as the meta-service holds them."""
        got = self.ms.call("get_instance", instance_id="e2e_inst")
        assert got["code"] == "OK", got
        cg = next(c for c in got["result"]["clusters"] if c["cluster_name"] == "cg1")
        return {n["ip"]: n["cloud_unique_id"] for n in cg["nodes"]}

    def events(self) -> list[tuple[float, str, str, str]]:
        out = []
        for h in self.hs.hosts:
            f = h.root / "doris" / "be" / "log" / "lifecycle.log"
            if f.exists():
                for line in f.read_text().splitlines():
                    ts, event, _kind, version = line.split()
                    out.append((float(ts), event, f"{h.ip}:9050", version))
        return sorted(out)


@pytest.fixture(scope="module")
def sky(hosts: netns_hosts.Hosts, package: PackageServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sky]:
    for h in hosts.hosts:
        netns_hosts.reset_host(h)
    package.published, package.delay = True, 0.0
    tmp = tmp_path_factory.mktemp("sky")
    # Doris refuses to drop the FEs' cluster for 300 s after they registered; a few seconds here
    ms = MetaServiceProcess(netns_hosts.GATEWAY, tmp / "ms", extra_args=["--ms-config", "fe_drop_safe_seconds=2"])
    m = ManagerProcess(netns_hosts.GATEWAY, tmp / "mgr")
    try:
        m.start()
        doc: dict[str, Any] = cloud_topology(hosts, package, ms)
        r = cli(m, "deploy", NAME, write_topology(tmp / "sky.yaml", doc), *SKIPS)
        assert r.returncode == 0, r.stdout + r.stderr
        yield Sky(m, ms, hosts, tmp)
    finally:
        m.stop()
        ms.stop()
        for h in hosts.hosts:
            netns_hosts.reset_host(h)


def test_cloud_stop_start_and_rolling_restart(sky: Sky) -> None:
    h1, h2 = sky.hs.hosts[0].ip, sky.hs.hosts[1].ip
    t0 = time.time()
    assert cli(sky.m, "stop", NAME, "--role", "be").returncode == 0
    shown = {n["id"]: n for n in sky.m.ok("GET", f"/api/cluster/{NAME}/display")["nodes"]}
    assert shown[f"{h1}:9050"]["process"] == "Down" and shown[f"{h1}:9010"]["process"] == "Up"
    r = cli(sky.m, "start", NAME, "--role", "be")
    assert r.returncode == 0, r.stdout + r.stderr
    r = cli(sky.m, "restart", NAME, "--role", "be")
    assert r.returncode == 0 and "cluster sky restarted" in r.stdout, r.stdout + r.stderr
    ev = [e for e in sky.events() if e[0] >= t0]
    assert len(ev) == 8 and max_down(ev[4:]) == 1  # the restart: one BE at a time
    assert set(sky.compute_nodes()) == {h1, h2}  # the meta-service's view unchanged


def test_cloud_scale_out_and_in_of_a_be(sky: Sky) -> None:
    h3 = sky.hs.hosts[2]
    frag = write_topology(sky.tmp / "out.yaml", {"be": [{"host": h3.ip, "compute_group": "cg1"}]})
    r = cli(sky.m, "scale-out", NAME, frag, *SKIPS)
    assert r.returncode == 0 and "cluster sky scaled out" in r.stdout, r.stdout + r.stderr
    nodes = sky.compute_nodes()
    assert h3.ip in nodes and nodes[h3.ip] == conf(h3, "be")["cloud_unique_id"]
    shown = {n["id"]: n for n in sky.m.ok("GET", f"/api/cluster/{NAME}/display")["nodes"]}
    assert shown[f"{h3.ip}:9050"]["process"] == "Up" and shown[f"{h3.ip}:9050"]["metaService"] == "cg1 COMPUTE"

    r = cli(sky.m, "scale-in", NAME, "--node", f"{h3.ip}:9050", "--purge-data")
    assert r.returncode == 0 and "cluster sky scaled in" in r.stdout, r.stdout + r.stderr
    assert h3.ip not in sky.compute_nodes()
    assert not (h3.root / "doris" / "be").exists()  # install and (purged) data gone
    assert netns_hosts.ns_pids(h3.ns) == [netns_hosts.sshd_pid(h3)]  # its agent went with its last node
    # the compute group's last BEs are guarded
    sky_be = sky.m.ok("GET", f"/api/cluster/{NAME}")["topology"]["be"]
    assert [b["host"] for b in sky_be] == [sky.hs.hosts[0].ip, sky.hs.hosts[1].ip]


def test_cloud_destroy_drops_the_instance(sky: Sky) -> None:
    r = cli(sky.m, "destroy", NAME, "--yes", "--drop-instance")
    assert r.returncode == 0 and "cluster sky destroyed" in r.stdout, r.stdout + r.stderr
    got = sky.ms.call("get_instance", instance_id="e2e_inst")
    assert got["code"] != "OK" or got["result"].get("status") == "DELETED", got
    assert sky.m.ok("GET", "/api/cluster") == []
    for h in sky.hs.hosts[:2]:
        assert netns_hosts.ns_pids(h.ns) == [netns_hosts.sshd_pid(h)]
