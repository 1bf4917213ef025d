"""``dorisctl cluster check|deploy|display`` end to end: the real CLI against the real manager, on
the network-namespace sshd hosts with the Doris stand-in, and (cloud mode) a real meta-service
on the test bridge. 1 FE + 2 BE on 2 hosts registered in the meta-service with ids matching the
conf files; a re-run changes nothing; a taken port fails preflight with its fix and blocks the
deploy; an integrated-mode deploy runs the reference flow from the file alone."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures import netns_hosts
from tests.fixtures.manager_server import ManagerProcess, MetaServiceProcess, PackageServer

pytestmark = pytest.mark.slow
INSTALL_DIR = str(netns_hosts.MNT / "doris")
# what these hosts cannot meet: they share the machine's kernel settings, limits and have no JDK
ENV_SKIPS = ["max_map_count", "swap", "open_files", "jdk", "memory"]
OBJ = {
    "ak": "AK1",
    "sk": "SK-secret-1",
    "bucket": "b",
    "prefix": "e2e",
    "endpoint": "s3.example",
    "region": "r1",
    "provider": "S3",
}


@pytest.fixture
def meta(clean_hosts: netns_hosts.Hosts, tmp_path: Path) -> Iterator[MetaServiceProcess]:
    ms = MetaServiceProcess(netns_hosts.GATEWAY, tmp_path / "ms")
    yield ms
    ms.stop()


def cli(m: ManagerProcess, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "dorisctl", "cluster", *args, "--manager", m.url, "--token", m.token]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def write_topology(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return str(path)


def base(hs: netns_hosts.Hosts, package: PackageServer) -> dict[str, Any]:
    return {
        "global": {
            "user": hs.user,
            "ssh_port": 22,
            "ssh_key_file": str(hs.key_path),
            "install_dir": INSTALL_DIR,
            "package_url": package.url(),
        }
    }


def cloud_topology(hs: netns_hosts.Hosts, package: PackageServer, ms: MetaServiceProcess) -> dict[str, Any]:
    h1, h2 = hs.hosts[0].ip, hs.hosts[1].ip
    return {
        "deploy_mode": "cloud",
        **base(hs, package),
        "meta_service": {
            "endpoint": ms.endpoint,
            "token_file": str(ms.token_file),
            "instance_id": "e2e_inst",
            "obj_info": OBJ,
        },
        "fe": [{"host": h1, "config": {"sys_log_level": "INFO"}}],
        "be": [{"host": h1, "compute_group": "cg1"}, {"host": h2, "compute_group": "cg1"}],
    }


def conf(h: netns_hosts.Host, role: str) -> dict[str, str]:
    out = {}
    for line in (h.root / "doris" / role / "conf" / f"{role}.conf").read_text().splitlines():
        if "=" in line and not line.strip().startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def instance(ms: MetaServiceProcess) -> dict[str, Any]:
    got = ms.call("get_instance", instance_id="e2e_inst")
    assert got["code"] == "OK", got
    result: dict[str, Any] = got["result"]
    return result


def test_cloud_deploy_registers_every_node_and_a_rerun_changes_nothing(
    manager: ManagerProcess,
    clean_hosts: netns_hosts.Hosts,
    package: PackageServer,
    meta: MetaServiceProcess,
    tmp_path: Path,
) -> None:
    hs = clean_hosts
    h1, h2 = hs.hosts[0], hs.hosts[1]
    topo = write_topology(tmp_path / "cloud.yaml", cloud_topology(hs, package, meta))
    skips = [a for s in ENV_SKIPS for a in ("--skip-check", s)]
    check = cli(manager, "check", topo, *skips)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "skipped" in check.stdout and "meta_service" in check.stdout

    r = cli(manager, "deploy", "prod", topo, *skips)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "cluster prod deployed" in r.stdout
    assert "START_FE" in r.stdout and "INSTALL_AGENT" in r.stdout  # live progress, one line per change

    inst = instance(meta)
    assert inst["obj_info"][0]["bucket"] == "b" and inst["obj_info"][0]["external_endpoint"] == "s3.example"
    clusters = {c["cluster_name"]: c for c in inst["clusters"]}
    assert set(clusters) == {"RESERVED_CLUSTER_NAME_FOR_SQL_SERVER", "cg1"}
    (fe_node,) = clusters["RESERVED_CLUSTER_NAME_FOR_SQL_SERVER"]["nodes"]
    assert fe_node["node_type"] == "FE_MASTER" and fe_node["ip"] == h1.ip and fe_node["edit_log_port"] == 9010
    fe_conf = conf(h1, "fe")
    assert fe_node["cloud_unique_id"] == fe_conf["cloud_unique_id"]
    assert fe_conf["deploy_mode"] == "cloud" and fe_conf["meta_service_endpoint"] == meta.endpoint
    assert fe_conf["sys_log_level"] == "INFO" and fe_conf["priority_networks"] == f"{h1.ip}/32"
    be_nodes = {n["ip"]: n for n in clusters["cg1"]["nodes"]}
    assert set(be_nodes) == {h1.ip, h2.ip}
    for h in (h1, h2):
        be_conf = conf(h, "be")
        assert be_nodes[h.ip]["cloud_unique_id"] == be_conf["cloud_unique_id"]
        assert be_nodes[h.ip]["heartbeat_port"] == 9050
        assert json.loads(be_conf["file_cache_path"])[0]["path"] == f"{INSTALL_DIR}/be/file_cache"
    assert not (h1.root / "doris" / "fe" / "log" / "alter_system.log").exists()  # no ALTER SYSTEM in cloud mode

    shown = cli(manager, "display", "prod")
    assert shown.returncode == 0, shown.stderr
    lines = [ln for ln in shown.stdout.splitlines() if ln.startswith(netns_hosts.SUBNET)]
    assert len(lines) == 3 and all(" Up " in ln for ln in lines), shown.stdout
    assert sum("cg1 COMPUTE" in ln for ln in lines) == 2 and "FE_MASTER" in shown.stdout

    # the same command again: every task finds its work done, the meta-service is untouched
    confs = {(h.name, role): conf(h, role) for h, role in ((h1, "fe"), (h1, "be"), (h2, "be"))}
    again = cli(manager, "deploy", "prod", topo, *skips)
    assert again.returncode == 0, again.stdout + again.stderr
    assert instance(meta)["clusters"] == inst["clusters"]
    assert {(h.name, role): conf(h, role) for h, role in ((h1, "fe"), (h1, "be"), (h2, "be"))} == confs
    audit = manager.ok("GET", "/api/audit?limit=1000")
    assert any("already registered" in e["outcome"] for e in audit if e["action"] == "meta-service")

    # a different topology under the same name is refused, nothing changes
    doc = cloud_topology(hs, package, meta)
    doc["be"].pop()
    changed = cli(manager, "deploy", "prod", write_topology(tmp_path / "other.yaml", doc), *skips)
    assert changed.returncode == 1 and "different topology" in changed.stderr


@pytest.fixture
def port_taken(clean_hosts: netns_hosts.Hosts) -> Iterator[netns_hosts.Host]:
    h2 = clean_hosts.hosts[1]
    code = (
        "import socket,time\ns=socket.socket(); s.bind(('0.0.0.0', 9050)); s.listen()\n"
        "print('up', flush=True); time.sleep(300)\n"
    )
    p = subprocess.Popen(["ip", "netns", "exec", h2.ns, "python3", "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "up"
    yield h2
    p.kill()
    p.wait()


def test_a_taken_port_fails_preflight_with_its_fix_and_blocks_deploy(
    manager: ManagerProcess,
    clean_hosts: netns_hosts.Hosts,
    package: PackageServer,
    meta: MetaServiceProcess,
    port_taken: netns_hosts.Host,
    tmp_path: Path,
) -> None:
    topo = write_topology(tmp_path / "cloud.yaml", cloud_topology(clean_hosts, package, meta))
    skips = [a for s in ENV_SKIPS for a in ("--skip-check", s)]
    check = cli(manager, "check", topo, *skips)
    assert check.returncode == 1
    row = next(ln for ln in check.stdout.splitlines() if ln.startswith(port_taken.ip) and " ports " in ln)
    assert "FAIL" in row and "9050 (be.heartbeat_service_port)" in row and "stop what listens there" in row
    r = cli(manager, "deploy", "prod", topo, *skips)
    assert r.returncode == 1 and "preflight failed: ports@" in r.stderr
    assert "9050 (be.heartbeat_service_port)" in r.stdout  # the table is shown with the refusal
    assert manager.ok("GET", "/api/cluster") == []
    assert manager.ok("GET", "/api/server/agentList") == []  # nothing was installed anywhere
    assert meta.call("get_instance", instance_id="e2e_inst")["code"] != "OK"  # no instance created


def test_integrated_deploy_from_the_file_alone(
    manager: ManagerProcess, clean_hosts: netns_hosts.Hosts, package: PackageServer, tmp_path: Path
) -> None:
    hs = clean_hosts
    h1, h2 = hs.hosts[0], hs.hosts[1]
    doc = {
        **base(hs, package),
        "fe": [{"host": h1.ip}],
        "be": [{"host": h1.ip}, {"host": h2.ip}],
        "broker": [{"host": h2.ip}],
    }
    topo = write_topology(tmp_path / "integrated.yaml", doc)
    r = cli(manager, "deploy", "dev", topo, *[a for s in ENV_SKIPS for a in ("--skip-check", s)])
    assert r.returncode == 0, r.stdout + r.stderr
    statements = (h1.root / "doris" / "fe" / "log" / "alter_system.log").read_text()
    assert f'ALTER SYSTEM ADD BACKEND "{h1.ip}:9050"' in statements
    assert f'ALTER SYSTEM ADD BACKEND "{h2.ip}:9050"' in statements and "ADD BROKER" in statements
    assert "deploy_mode" not in conf(h1, "fe")
    shown = cli(manager, "display", "dev")
    rows = [ln for ln in shown.stdout.splitlines() if ln.startswith(netns_hosts.SUBNET)]
    assert len(rows) == 4 and all(" Up " in ln and "Alive" in ln for ln in rows), shown.stdout
