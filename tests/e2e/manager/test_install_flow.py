"""End to end through the REST API: real sshd hosts in network namespaces, the real agent over SSH,
the Doris stand-in package served over HTTP, the stand-in FE checked for the ALTER SYSTEM it saw."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.fixtures import netns_hosts
from tests.fixtures.manager_server import ManagerProcess, PackageServer

pytestmark = pytest.mark.slow
INSTALL_DIR = str(netns_hosts.MNT / "doris")

FE_CONF = (
    "priority_networks = 10.231.77.0/24\nhttp_port = 8030\nquery_port = 9030\nedit_log_port = 9010\n"
    "meta_dir = ${DORIS_HOME}/doris-meta\n"
)
BE_CONF = "priority_networks = 10.231.77.0/24\nwebserver_port = 8040\nheartbeat_service_port = 9050\n" + (
    "storage_root_path = ${DORIS_HOME}/storage;" + INSTALL_DIR + "/data2,medium:ssd\n"
)
BROKER_CONF = "broker_ipc_port = 8000\n"


def install_agents(
    m: ManagerProcess,
    hs: netns_hosts.Hosts,
    pkg: PackageServer,
    cid: str,
    ips: list[str],
    key: str | None = None,
    url: str | None = None,
) -> int:
    pid = m.ok(
        "POST",
        "/api/server/installAgent",
        {
            "clusterId": cid,
            "hosts": ips,
            "user": hs.user,
            "sshPort": 22,
            "sshKey": key or hs.key_text,
            "packageUrl": url or pkg.url(),
            "installDir": INSTALL_DIR,
        },
    )
    assert isinstance(pid, int)
    return pid


def assert_all(tasks, status):
    summary = [(t["taskType"], t["host"], t["status"], t["result"]) for t in tasks]
    assert tasks and all(t["status"] == status for t in tasks), summary


def fe_alter_log(h: netns_hosts.Host) -> list[str]:
    p = h.root / "doris" / "fe" / "log" / "alter_system.log"
    return p.read_text().splitlines() if p.exists() else []


def test_full_install_three_hosts_with_failed_download_retried(manager, clean_hosts, package, cluster_id):
    m, hs = manager, clean_hosts
    h1, h2, h3 = hs.hosts
    ips = [h.ip for h in hs.hosts]

    t0 = time.monotonic()
    pid = install_agents(m, hs, package, cluster_id, ips)
    tasks = m.wait_step(pid)
    agent_install_s = time.monotonic() - t0
    assert [t["status"] for t in tasks] == ["SUCCESS"] * 3, tasks
    print(f"\ninstallAgent on 3 hosts: {agent_install_s:.2f}s")
    agents = m.ok("GET", f"/api/server/agentList?clusterId={cluster_id}")
    assert sorted(a["host"] for a in agents) == sorted(ips)
    assert all(a["status"] == "RUNNING" and a["port"] == 9602 for a in agents)
    hw = m.ok("GET", f"/api/agent/hardware/{cluster_id}")
    assert {x["host"] for x in hw} == set(ips)
    for x in hw:
        assert x["cores"] >= 1 and x["memory"] > 0 and x["kernel"] and x["os"] and x["disks"]
    assert {x["hostname"] for x in hw} == {"h1", "h2", "h3"}

    cur = m.ok("GET", f"/api/process/currentProcess?clusterId={cluster_id}")
    assert cur["id"] == pid and cur["processType"] == "INSTALL_AGENT" and cur["processStep"] == 1

    # the package is not published yet: the download fails with a clear message, then retry works
    package.published = False
    m.ok(
        "POST",
        "/api/agent/installService",
        {
            "processId": pid,
            "installInfos": [
                {"host": h1.ip, "role": "FE", "feNodeType": "FOLLOWER"},
                {"host": h2.ip, "role": "FE", "feNodeType": "OBSERVER"},
                {"host": h1.ip, "role": "BE"},
                {"host": h2.ip, "role": "BE"},
                {"host": h3.ip, "role": "BE"},
                {"host": h3.ip, "role": "BROKER"},
            ],
        },
    )
    tasks = m.wait_step(pid)
    assert len(tasks) == 6 and all(t["status"] == "FAILURE" for t in tasks), tasks
    assert all("HTTP 404" in t["result"] for t in tasks)
    log = m.ok("GET", f"/api/process/task/log/{tasks[0]['id']}")
    assert "HTTP 404" in log["log"] and log["logPath"].endswith(f"task-{tasks[0]['id']}.log")
    # gating: the next step is refused while this one has failures
    refused = m.call(
        "POST",
        "/api/agent/deployConfig",
        {"processId": pid, "deployConfigs": [{"hosts": [h1.ip], "role": "FE", "conf": FE_CONF}]},
    )
    assert refused["code"] == 409 and "not finished" in refused["msg"]

    package.published = True
    hits_before = len(package.hits)
    for t in tasks:
        m.ok("POST", f"/api/process/task/retry/{t['id']}")
    tasks = m.wait_step(pid)
    assert_all(tasks, "SUCCESS")
    assert len(package.hits) - hits_before == 3, "the package is downloaded once per host"
    assert (h1.root / "doris" / "fe" / "bin" / "start_fe.sh").exists()
    assert (h3.root / "doris" / "apache_hdfs_broker" / "bin" / "start_broker.sh").exists()

    m.ok(
        "POST",
        "/api/agent/deployConfig",
        {
            "processId": pid,
            "deployConfigs": [
                {"hosts": [h1.ip, h2.ip], "role": "FE", "conf": FE_CONF},
                {"hosts": ips, "role": "BE", "conf": BE_CONF},
                {"hosts": [h3.ip], "role": "BROKER", "conf": BROKER_CONF},
            ],
        },
    )
    tasks = m.wait_step(pid)
    assert_all(tasks, "SUCCESS")
    assert (h2.root / "doris" / "be" / "storage").is_dir() and (h2.root / "doris" / "data2").is_dir()
    assert (h1.root / "doris" / "fe" / "doris-meta").is_dir()
    assert (h1.root / "doris" / "fe" / "conf" / "fe.conf").read_text() == FE_CONF

    m.ok(
        "POST",
        "/api/agent/startService",
        {
            "processId": pid,
            "dorisStarts": [
                {"host": h1.ip, "role": "FE"},
                {"host": h2.ip, "role": "FE"},
                {"host": h1.ip, "role": "BE"},
                {"host": h2.ip, "role": "BE"},
                {"host": h3.ip, "role": "BE"},
                {"host": h3.ip, "role": "BROKER"},
            ],
        },
    )
    tasks = m.wait_step(pid, timeout=90)
    assert_all(tasks, "SUCCESS")
    # the observer was added to the master before its first start, and started with --helper
    assert fe_alter_log(h1) == [f'ALTER SYSTEM ADD OBSERVER "{h2.ip}:9010"']
    assert f"helper='{h1.ip}:9010'" in (h2.root / "doris" / "fe" / "log" / "fe.out").read_text()

    m.ok("POST", "/api/agent/buildCluster", {"processId": pid, "feHosts": [h1.ip, h2.ip], "beHosts": ips})
    tasks = m.wait_step(pid, timeout=90)
    assert_all(tasks, "SUCCESS")
    assert {t["taskType"] for t in tasks} == {"JOIN_FE", "JOIN_BE", "JOIN_BROKER"}
    stmts = fe_alter_log(h1)
    for ip in ips:
        assert f'ALTER SYSTEM ADD BACKEND "{ip}:9050"' in stmts
    assert f'ALTER SYSTEM ADD BROKER hdfs_broker "{h3.ip}:8000"' in stmts
    assert stmts.count(f'ALTER SYSTEM ADD OBSERVER "{h2.ip}:9010"') == 1  # "already a member", not re-added

    # a join retried after success-equivalent state is idempotent
    roles = m.ok("GET", f"/api/server/roleList?clusterId={cluster_id}")
    assert len(roles) == 6
    m.ok("POST", f"/api/process/installComplete/{pid}")
    assert m.ok("GET", f"/api/process/currentProcess?clusterId={cluster_id}") is None
    roles = m.ok("GET", f"/api/server/roleList?clusterId={cluster_id}")
    assert all(r["register"] == "YES" for r in roles)

    # audit: operations and remote commands recorded, no secret in it
    audit = m.ok("GET", "/api/audit?limit=1000")
    actions = {e["action"] for e in audit}
    assert {"installAgent", "ssh", "ALTER SYSTEM", "installComplete", "retryTask"} <= actions
    text = str(audit)
    assert "PRIVATE KEY" not in text and m.token not in text
    assert "PRIVATE KEY" not in m.log.read_text() and m.token not in m.log.read_text()
    # the console is served after a log-in with the token, and sends anyone else to the log-in page
    assert m.call("GET", "/api/server/agentList", token="")["_status"] == 401
    assert m.call("GET", "/api/server/agentList", token="wrong")["_status"] == 401
    login = httpx.post(f"{m.url}/login", data={"token": m.token}, timeout=10, follow_redirects=True)
    assert login.status_code == 200 and "dorisctl manager" in login.text and 'name="csrf"' in login.text
    assert httpx.get(f"{m.url}/", timeout=10, follow_redirects=False).status_code == 303


def test_unreachable_host_and_wrong_key_fail_clearly(manager, clean_hosts, package, cluster_id, tmp_path):
    m, hs = manager, clean_hosts
    h1 = hs.hosts[0]
    pid = install_agents(m, hs, package, cluster_id, [f"{netns_hosts.SUBNET}.99", h1.ip])
    tasks = {t["host"]: t for t in m.wait_step(pid, timeout=30)}
    unreachable = tasks[f"{netns_hosts.SUBNET}.99"]
    assert unreachable["status"] == "FAILURE" and "cannot reach ssh" in unreachable["result"]
    assert tasks[h1.ip]["status"] == "SUCCESS"
    # skip the dead host: it is pruned from later steps
    m.ok("POST", f"/api/process/task/skip/{unreachable['id']}")
    assert m.ok("GET", f"/api/process/currentProcess?clusterId={cluster_id}")["processStep"] == 1
    m.ok("POST", f"/api/process/cancel/{pid}")

    import subprocess

    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    pid2 = install_agents(m, hs, package, cluster_id, [h1.ip], key=other.read_text())
    (t,) = m.wait_step(pid2, timeout=30)
    assert t["status"] == "FAILURE" and "authentication" in t["result"] and "refused" in t["result"]
    bad = m.call(
        "POST",
        "/api/server/installAgent",
        {
            "clusterId": "x",
            "hosts": [h1.ip],
            "user": "u",
            "sshKey": "nope",
            "packageUrl": "ftp://x",
            "installDir": "/x",
        },
    )
    assert bad["_status"] == 400 and bad["code"] == 400


def test_server_restart_mid_install_resumes_then_back(manager, clean_hosts, package, cluster_id):
    m, hs = manager, clean_hosts
    h1 = hs.hosts[0]
    t0 = time.monotonic()
    pid = install_agents(m, hs, package, cluster_id, [h1.ip])
    assert_all(m.wait_step(pid), "SUCCESS")
    print(f"\ninstallAgent on 1 host: {time.monotonic() - t0:.2f}s")

    package.delay = 3.0  # the download is in flight when the manager dies
    m.ok(
        "POST",
        "/api/agent/installService",
        {"processId": pid, "installInfos": [{"host": h1.ip, "role": "FE"}, {"host": h1.ip, "role": "BE"}]},
    )
    deadline = time.monotonic() + 20
    while not any(t["status"] == "RUNNING" for t in m.ok("GET", f"/api/process/{pid}/progress")[1:]):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    m.kill()
    m.start()
    assert_all(m.wait_step(pid, timeout=60), "SUCCESS")

    m.ok(
        "POST",
        "/api/agent/deployConfig",
        {
            "processId": pid,
            "deployConfigs": [
                {"hosts": [h1.ip], "role": "FE", "conf": FE_CONF},
                {"hosts": [h1.ip], "role": "BE", "conf": BE_CONF},
            ],
        },
    )
    assert_all(m.wait_step(pid), "SUCCESS")
    starts = {"processId": pid, "dorisStarts": [{"host": h1.ip, "role": "FE"}, {"host": h1.ip, "role": "BE"}]}
    m.ok("POST", "/api/agent/startService", starts)
    assert_all(m.wait_step(pid), "SUCCESS")
    m.ok("POST", f"/api/process/back/{pid}")
    cur = m.ok("GET", f"/api/process/currentProcess?clusterId={cluster_id}")
    assert cur["processType"] == "DEPLOY_CONFIG"
    assert m.call("POST", f"/api/process/back/{pid}")["code"] == 409  # only from START_SERVICE
    m.ok("POST", "/api/agent/startService", starts)
    tasks = m.wait_step(pid)
    assert_all(tasks, "SUCCESS")
    log = m.ok("GET", f"/api/process/task/log/{tasks[0]['id']}")["log"]
    assert "already running" in log  # idempotent: nothing started twice
