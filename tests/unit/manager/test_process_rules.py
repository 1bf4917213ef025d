"""Process engine rules (spec 2.3-2.5) against a real SQLite store and the real HTTP app.

No SSH hosts: INSTALL_AGENT tasks really run and really fail (nothing listens on the ssh port used);
a successful agent install is represented by its end state in the DB (task SUCCESS + an agent row
whose token we know), and agent-side steps are then driven through the real agent RPC (poll/result)
as a stand-in agent would."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from dorisctl.manager.app import build_app
from dorisctl.manager.db import Store
from dorisctl.manager.engine import Engine, Settings
from dorisctl.manager.models import Agent, AgentRole, Process, Task, utcnow
from dorisctl.manager.secretbox import SecretBox, token_hash
from dorisctl.secrets import load_keyring

TOKEN = "unit-operator-token"
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
BE_CONF = "heartbeat_service_port = 9050\n"


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ssh_key() -> str:
    import asyncssh

    k = asyncssh.generate_private_key("ssh-ed25519")
    return bytes(k.export_private_key()).decode()


class Env:
    def __init__(self, engine: Engine, client: httpx.AsyncClient, key: str, ssh_port: int) -> None:
        self.engine = engine
        self.client = client
        self.key = key
        self.ssh_port = ssh_port

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        r = await self.client.request(method, path, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        out: dict[str, Any] = r.json()
        return r.status_code, out

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, out = await self.call(method, path, body)
        assert status == 200 and out["code"] == 0, out
        return out["data"]

    def install_body(self, cluster: str, hosts: list[str]) -> dict[str, Any]:
        return {
            "clusterId": cluster,
            "hosts": hosts,
            "user": "dmgr",
            "sshPort": self.ssh_port,
            "sshKey": self.key,
            "packageUrl": "http://127.0.0.1:1/doris.tar.gz",
            "installDir": "/opt/doris",
        }

    async def settle(self, pid: int, timeout: float = 15) -> list[dict[str, Any]]:
        """Wait until no task of the process is SUBMITTED/RUNNING on the server side."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            tasks: list[dict[str, Any]] = await self.ok("GET", f"/api/process/{pid}/progress")
            if all(t["status"] in ("SUCCESS", "FAILURE") for t in tasks if t["taskType"] == "INSTALL_AGENT"):
                return tasks
            assert loop.time() < deadline, tasks
            await asyncio.sleep(0.02)

    async def failed_install(self, cluster: str, hosts: list[str]) -> tuple[int, list[dict[str, Any]]]:
        pid = await self.ok("POST", "/api/server/installAgent", self.install_body(cluster, hosts))
        tasks = await self.settle(pid)
        assert [t["status"] for t in tasks] == ["FAILURE"] * len(hosts), tasks
        assert all("cannot reach ssh" in t["result"] for t in tasks), tasks
        return pid, tasks

    def agent_installed(self, pid: int, host: str) -> str:
        """End state of a successful INSTALL_AGENT for ``host``; returns the agent's token."""
        token = f"agent-token-{pid}-{host}"
        with self.engine.store.tx() as s:
            t = s.scalars(
                select(Task).where(Task.process_id == pid, Task.host == host, Task.task_type == "INSTALL_AGENT")
            ).one()
            t.status, t.finish, t.result = "SUCCESS", "YES", "Install Agent Success"
            p = s.get(Process, pid)
            assert p is not None
            a = s.scalars(select(Agent).where(Agent.host == host)).first()
            if a is None:
                a = Agent(cluster_id=p.cluster_id, host=host, port=9602, install_dir=p.install_dir, token_hash="")
                s.add(a)
            a.token_hash, a.status = token_hash(token), "RUNNING"
            a.register_time = a.last_reported_time = utcnow()
        return token

    async def agent_runs(self, token: str, status: str = "SUCCESS") -> list[dict[str, Any]]:
        """One poll of a stand-in agent; every task handed out is reported with ``status``."""
        got = await self.engine.dispatch.poll(token, {"wait": 0})
        assert got is not None
        for item in got["tasks"]:
            assert self.engine.dispatch.result(token, {"taskId": item["id"], "status": status, "result": status})
        out: list[dict[str, Any]] = got["tasks"]
        return out

    def count(self, model: Any) -> int:
        with self.engine.store.tx() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def env(tmp_path: Path, ssh_key: str) -> AsyncIterator[Env]:
    store = Store(f"sqlite:///{tmp_path / 'manager.db'}")
    store.migrate()
    engine = Engine(store, SecretBox(load_keyring(tmp_path)), Settings(data_dir=tmp_path, port=9601))
    app = build_app(engine, TOKEN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mgr") as client:
        yield Env(engine, client, ssh_key, closed_port())
    await engine.close()
    store.close()


async def at_deploy_done(env: Env, cluster: str, hosts: list[str]) -> tuple[int, dict[str, str]]:
    """A process whose agents are installed, BE installed and configured on every host."""
    pid, _ = await env.failed_install(cluster, hosts)
    tokens = {h: env.agent_installed(pid, h) for h in hosts}
    await env.ok(
        "POST",
        "/api/agent/installService",
        {"processId": pid, "installInfos": [{"host": h, "role": "BE"} for h in hosts]},
    )
    for h in hosts:
        assert [t["type"] for t in await env.agent_runs(tokens[h])] == ["INSTALL_BE"]
    await env.ok(
        "POST",
        "/api/agent/deployConfig",
        {"processId": pid, "deployConfigs": [{"hosts": hosts, "role": "BE", "conf": BE_CONF}]},
    )
    for h in hosts:
        assert [t["type"] for t in await env.agent_runs(tokens[h])] == ["DEPLOY_BE_CONFIG"]
    return pid, tokens


def starts(pid: int, hosts: list[str]) -> dict[str, Any]:
    return {"processId": pid, "dorisStarts": [{"host": h, "role": "BE"} for h in hosts]}


# -- gating ------------------------------------------------------------------------------------------
async def test_step_gating_refuses_a_step_before_the_previous_one_finished(env: Env) -> None:
    pid, _ = await env.failed_install("c1", HOSTS[:2])
    infos = {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "BE"}]}
    # previous step has failures -> refused, naming what is unfinished
    status, out = await env.call("POST", "/api/agent/installService", infos)
    assert status == 409 and out["code"] == 409
    assert "INSTALL_AGENT is not finished" in out["msg"] and "FAILURE" in out["msg"]
    # skipping a step is refused too
    status, out = await env.call(
        "POST",
        "/api/agent/startService",
        starts(pid, HOSTS[:1]),
    )
    assert status == 409 and "not the next step" in out["msg"]
    cur = await env.ok("GET", "/api/process/currentProcess?clusterId=c1")
    assert cur["processType"] == "INSTALL_AGENT" and cur["processStep"] == 0

    tok = {h: env.agent_installed(pid, h) for h in HOSTS[:2]}
    cur = await env.ok("GET", "/api/process/currentProcess?clusterId=c1")
    assert cur["processStep"] == 1  # all of step 0 finished: the UI goes to the next page
    await env.ok("POST", "/api/agent/installService", infos)
    # INSTALL_BE is submitted but not finished: deployConfig refused
    deploy = {"processId": pid, "deployConfigs": [{"hosts": [HOSTS[0]], "role": "BE", "conf": BE_CONF}]}
    status, out = await env.call("POST", "/api/agent/deployConfig", deploy)
    assert status == 409 and "INSTALL_SERVICE is not finished" in out["msg"]
    # the agent reports a failure: still refused
    assert [t["type"] for t in await env.agent_runs(tok[HOSTS[0]], "FAILURE")] == ["INSTALL_BE"]
    status, out = await env.call("POST", "/api/agent/deployConfig", deploy)
    assert status == 409 and "INSTALL_BE@127.0.0.1=FAILURE" in out["msg"]
    # a host outside the process is a bad request, not a silent no-op
    status, out = await env.call(
        "POST", "/api/agent/installService", {"processId": pid, "installInfos": [{"host": "10.9.9.9", "role": "BE"}]}
    )
    assert status == 400 and "not part of process" in out["msg"]


# -- retry ----------------------------------------------------------------------------------------
async def test_retry_reruns_a_failed_task_and_refuses_other_states(env: Env) -> None:
    pid, (t,) = await env.failed_install("c1", HOSTS[:1])
    assert t["attempts"] == 1
    await env.ok("POST", f"/api/process/task/retry/{t['id']}")
    tasks = await env.settle(pid)
    assert tasks[0]["id"] == t["id"] and tasks[0]["attempts"] == 2  # same row, run again
    assert tasks[0]["status"] == "FAILURE" and "cannot reach ssh" in tasks[0]["result"]

    token = env.agent_installed(pid, HOSTS[0])
    status, out = await env.call("POST", f"/api/process/task/retry/{t['id']}")
    assert status == 409 and "only a failed task can be retried" in out["msg"]

    await env.ok(
        "POST", "/api/agent/installService", {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "BE"}]}
    )
    (be,) = await env.ok("GET", f"/api/process/{pid}/currentTasks")
    status, out = await env.call("POST", f"/api/process/task/retry/{be['id']}")  # not failed yet
    assert status == 409
    # an old step's task cannot be retried once the process moved on
    status, out = await env.call("POST", f"/api/process/task/retry/{t['id']}")
    assert status == 409
    (sent,) = await env.agent_runs(token, "FAILURE")
    assert (await env.ok("GET", f"/api/process/task/info/{be['id']}"))["status"] == "FAILURE"
    await env.ok("POST", f"/api/process/task/retry/{be['id']}")
    (again,) = await env.agent_runs(token, "SUCCESS")
    assert again["id"] == be["id"] and again["attempt"] == sent["attempt"] + 1
    info = await env.ok("GET", f"/api/process/task/info/{be['id']}")
    assert info["status"] == "SUCCESS" and info["finish"] == "YES"
    status, out = await env.call("POST", "/api/process/task/retry/99999")
    assert status == 404


# -- skip -----------------------------------------------------------------------------------------
async def test_skip_finishes_a_failed_task_and_prunes_the_host_from_later_steps(env: Env) -> None:
    pid, tasks = await env.failed_install("c1", HOSTS[:2])
    dead = tasks[1]
    env.agent_installed(pid, HOSTS[0])
    await env.ok("POST", f"/api/process/task/skip/{dead['id']}")
    info = await env.ok("GET", f"/api/process/task/info/{dead['id']}")
    assert info["finish"] == "YES" and info["skip"] == "YES" and info["status"] == "FAILURE"
    assert [t["host"] for t in await env.ok("GET", f"/api/process/{pid}/currentTasks")] == [HOSTS[0]]
    # skipping a task that did not fail is refused
    status, out = await env.call("POST", f"/api/process/task/skip/{tasks[0]['id']}")
    assert status == 409 and "only a failed task can be skipped" in out["msg"]

    cur = await env.ok("GET", "/api/process/currentProcess?clusterId=c1")
    assert cur["processStep"] == 1  # skipped counts as finished for the gate
    await env.ok(
        "POST",
        "/api/agent/installService",
        {"processId": pid, "installInfos": [{"host": h, "role": "BE"} for h in HOSTS[:2]]},
    )
    later = await env.ok("GET", f"/api/process/{pid}/currentTasks")
    assert [(t["taskType"], t["host"]) for t in later] == [("INSTALL_BE", HOSTS[0])]


# -- back -----------------------------------------------------------------------------------------
async def test_back_only_from_start_service(env: Env) -> None:
    pid, _ = await env.failed_install("c1", HOSTS[:1])
    status, out = await env.call("POST", f"/api/process/back/{pid}")
    assert status == 409 and "only possible from START_SERVICE" in out["msg"]
    await env.ok("POST", f"/api/process/cancel/{pid}")

    pid, tokens = await at_deploy_done(env, "c2", HOSTS[:2])
    status, out = await env.call("POST", f"/api/process/back/{pid}")
    assert status == 409 and "DEPLOY_CONFIG" in out["msg"]
    await env.ok("POST", "/api/agent/startService", starts(pid, HOSTS[:2]))
    # start tasks handed to an agent (RUNNING) block back
    got = await env.engine.dispatch.poll(tokens[HOSTS[0]], {"wait": 0})
    assert got is not None
    running = got["tasks"]
    assert [t["type"] for t in running] == ["START_BE"]
    status, out = await env.call("POST", f"/api/process/back/{pid}")
    assert status == 409 and "still running" in out["msg"]
    env.engine.dispatch.result(tokens[HOSTS[0]], {"taskId": running[0]["id"], "status": "FAILURE"})

    await env.ok("POST", f"/api/process/back/{pid}")
    cur = await env.ok("GET", "/api/process/currentProcess?clusterId=c2")
    assert cur["processType"] == "DEPLOY_CONFIG" and cur["processStep"] == 3
    progress = await env.ok("GET", f"/api/process/{pid}/progress")
    assert not [t for t in progress if t["processType"] == "START_SERVICE"]  # start rows deleted
    # and the start step can be entered again
    await env.ok("POST", "/api/agent/startService", starts(pid, HOSTS[:2]))
    assert len(await env.ok("GET", f"/api/process/{pid}/currentTasks")) == 2


# -- cancel ---------------------------------------------------------------------------------------
async def test_cancel_finishes_the_process_and_its_pending_tasks(env: Env) -> None:
    pid, _ = await env.failed_install("c1", HOSTS[:1])
    env.agent_installed(pid, HOSTS[0])
    await env.ok(
        "POST", "/api/agent/installService", {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "BE"}]}
    )
    await env.ok("POST", f"/api/process/cancel/{pid}")
    with env.engine.store.tx() as s:
        p = s.get(Process, pid)
        assert p is not None and (p.status, p.finish) == ("FAILURE", "YES")
    (be,) = [t for t in await env.ok("GET", f"/api/process/{pid}/progress") if t["taskType"] == "INSTALL_BE"]
    assert be["status"] == "FAILURE" and be["result"] == "cancelled"
    assert await env.ok("GET", "/api/process/currentProcess?clusterId=c1") is None
    # a cancelled process accepts nothing more
    for method, path, body in (
        ("POST", f"/api/process/cancel/{pid}", None),
        ("POST", f"/api/process/installComplete/{pid}", None),
        ("POST", f"/api/process/back/{pid}", None),
        ("POST", f"/api/process/task/retry/{be['id']}", None),
        (
            "POST",
            "/api/agent/deployConfig",
            {"processId": pid, "deployConfigs": [{"hosts": [HOSTS[0]], "role": "BE", "conf": BE_CONF}]},
        ),
    ):
        status, out = await env.call(method, path, body)
        assert status == 409 and "finished" in out["msg"], (path, out)
    # the agent is not handed the cancelled task
    token = f"agent-token-{pid}-{HOSTS[0]}"
    assert await env.agent_runs(token) == []
    status, out = await env.call("POST", "/api/process/cancel/424242")
    assert status == 404


# -- installComplete ----------------------------------------------------------------------------
async def test_install_complete_only_after_all_starts_finished(env: Env) -> None:
    pid, tokens = await at_deploy_done(env, "c1", HOSTS[:2])
    status, out = await env.call("POST", f"/api/process/installComplete/{pid}")
    assert status == 409 and "only at DEPLOY_CONFIG" in out["msg"]
    await env.ok("POST", "/api/agent/startService", starts(pid, HOSTS[:2]))
    await env.agent_runs(tokens[HOSTS[0]])
    status, out = await env.call("POST", f"/api/process/installComplete/{pid}")
    assert status == 409 and "1 task(s) of START_SERVICE are not finished" in out["msg"]
    await env.agent_runs(tokens[HOSTS[1]])
    await env.ok("POST", f"/api/process/installComplete/{pid}")
    with env.engine.store.tx() as s:
        p = s.get(Process, pid)
        assert p is not None and (p.status, p.finish) == ("SUCCESS", "YES")
        roles = s.scalars(select(AgentRole).where(AgentRole.cluster_id == "c1")).all()
        assert sorted((r.host, r.register) for r in roles) == [(HOSTS[0], "YES"), (HOSTS[1], "YES")]
    assert await env.ok("GET", "/api/process/currentProcess?clusterId=c1") is None
    status, out = await env.call("POST", f"/api/process/installComplete/{pid}")
    assert status == 409 and "already finished" in out["msg"]


# -- one unfinished process per cluster -------------------------------------------------------------
async def test_one_unfinished_process_per_cluster(env: Env) -> None:
    pid, _ = await env.failed_install("c1", HOSTS[:1])
    status, out = await env.call("POST", "/api/server/installAgent", env.install_body("c1", HOSTS[1:2]))
    assert status == 409 and f"unfinished process {pid}" in out["msg"]
    assert env.count(Process) == 1 and env.count(Task) == 1
    other, _ = await env.failed_install("c2", HOSTS[1:2])  # another cluster is independent
    assert other != pid
    await env.ok("POST", f"/api/process/cancel/{pid}")
    again, _ = await env.failed_install("c1", HOSTS[1:2])  # once finished, a new one is accepted
    assert again not in (pid, other)


# -- bad input ------------------------------------------------------------------------------------
BAD_INSTALL: list[tuple[dict[str, Any], str]] = [
    ({"clusterId": ""}, "clusterId is required"),
    ({"hosts": []}, "hosts is required"),
    ({"hosts": "127.0.0.1"}, "hosts is required"),
    ({"hosts": ["127.0.0.1", "127.0.0.1"]}, "duplicates"),
    ({"hosts": ["bad host;rm -rf /"]}, "not a valid host"),
    ({"user": "Root User"}, "user is not a valid user name"),
    ({"sshPort": 70000}, "sshPort must be between"),
    ({"sshPort": "twenty-two"}, "sshPort is required and must be an integer"),
    ({"sshKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n"}, "sshKey is not a usable private key"),
    ({"packageUrl": "ftp://mirror/doris.tar.gz"}, "packageUrl must be an http"),
    ({"installDir": "relative/doris"}, "installDir must be an absolute path"),
    ({"installDir": "/opt/../etc"}, "installDir must be an absolute path"),
]


@pytest.mark.parametrize(("override", "msg"), BAD_INSTALL, ids=[m for _o, m in BAD_INSTALL])
async def test_bad_install_agent_input_is_a_clear_400_and_stores_nothing(
    env: Env, override: dict[str, Any], msg: str
) -> None:
    body = {**env.install_body("c1", HOSTS[:1]), **override}
    status, out = await env.call("POST", "/api/server/installAgent", body)
    assert status == 400 and out["code"] == 400 and msg in out["msg"], out
    assert "PRIVATE KEY" not in out["msg"]
    assert env.count(Process) == 0 and env.count(Task) == 0


async def test_bad_step_input_is_a_clear_4xx_and_changes_nothing(env: Env) -> None:
    status, out = await env.call("POST", "/api/server/installAgent", None)
    assert status == 400 and "clusterId is required" in out["msg"]
    r = await env.client.post(
        "/api/server/installAgent", content=b"{not json", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 400 and "not valid JSON" in r.json()["msg"]
    r = await env.client.post("/api/server/installAgent", json=env.install_body("c1", HOSTS[:1]))
    assert r.status_code == 401
    assert env.count(Process) == 0

    pid, _ = await env.failed_install("c1", HOSTS[:1])
    env.agent_installed(pid, HOSTS[0])
    before = await env.ok("GET", f"/api/process/{pid}/progress")
    cases: list[tuple[str, Any, int, str]] = [
        ("/api/agent/installService", {"processId": pid}, 400, "installInfos is required"),
        ("/api/agent/installService", {"installInfos": [{}]}, 400, "processId is required"),
        (
            "/api/agent/installService",
            {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "MASTER"}]},
            400,
            "role 'MASTER' must be one of",
        ),
        (
            "/api/agent/installService",
            {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "FE", "feNodeType": "LEADER"}]},
            400,
            "feNodeType must be FOLLOWER or OBSERVER",
        ),
        ("/api/agent/installService", {"processId": pid, "installInfos": ["x"]}, 400, "must be objects"),
        (
            "/api/agent/installService",
            {"processId": 9999, "installInfos": [{"host": HOSTS[0], "role": "BE"}]},
            404,
            "process 9999 not found",
        ),
        ("/api/process/task/skip/abc", None, 400, "tid must be an integer"),
    ]
    for path, body, code, msg in cases:
        status, out = await env.call("POST", path, body)
        assert status == code and out["code"] == code and msg in out["msg"], (path, out)
    assert await env.ok("GET", f"/api/process/{pid}/progress") == before
    cur = await env.ok("GET", "/api/process/currentProcess?clusterId=c1")
    assert cur["processType"] == "INSTALL_AGENT"
    with env.engine.store.tx() as s:
        assert s.scalar(select(func.count()).select_from(AgentRole)) == 0


# -- agent liveness ---------------------------------------------------------------------------------
async def test_silent_agent_is_shown_as_stop_after_the_heartbeat_timeout(tmp_path: Path, ssh_key: str) -> None:
    store = Store(f"sqlite:///{tmp_path / 'manager.db'}")
    store.migrate()
    engine = Engine(
        store, SecretBox(load_keyring(tmp_path)), Settings(data_dir=tmp_path, port=9601, heartbeat_timeout=0.5)
    )
    assert Settings(data_dir=tmp_path, port=9601).heartbeat_timeout == 60.0  # the default stays 60 s
    app = build_app(engine, TOKEN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mgr") as client:
        env = Env(engine, client, ssh_key, closed_port())
        pid, _ = await env.failed_install("c1", HOSTS[:2])
        quiet, talking = env.agent_installed(pid, HOSTS[0]), env.agent_installed(pid, HOSTS[1])
        del quiet
        loop = asyncio.create_task(engine.dispatch.liveness_loop())
        try:
            for _ in range(10):  # 1 s: twice the timeout; one agent keeps polling, one is silent
                assert await engine.dispatch.poll(talking, {"wait": 0}) is not None
                await asyncio.sleep(0.1)
            agents = {a["host"]: a["status"] for a in await env.ok("GET", "/api/server/agentList?clusterId=c1")}
            assert agents == {HOSTS[0]: "STOP", HOSTS[1]: "RUNNING"}
        finally:
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)
            await engine.close()
            store.close()
