"""The manager's store on every supported database: SQLite, and real PostgreSQL and MariaDB servers.

Each test gets an empty database (a fresh file, or a fresh database on the session's server, used
through a non-superuser login with only the documented privileges). Checked: the Alembic migrations
run from empty and are idempotent; the schema matches the models; the process engine's rows written
through the real HTTP app read back identically (including datetimes to the microsecond and long
logs); retry/skip update the rows; and a new Store/Engine on the same URL resumes where it was."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from dorisctl.manager.app import build_app
from dorisctl.manager.db import Store
from dorisctl.manager.engine import Engine, Settings
from dorisctl.manager.models import Agent, Base, Process, Task, utcnow
from dorisctl.manager.secretbox import SecretBox, token_hash
from dorisctl.secrets import load_keyring
from tests.fixtures.sqldb import SqlServer
from tests.unit.manager.test_process_rules import HOSTS, TOKEN, Env, closed_port

BACKENDS = ["sqlite", "postgresql", "mysql"]


@pytest.fixture(scope="module")
def ssh_key() -> str:
    import asyncssh

    k = asyncssh.generate_private_key("ssh-ed25519")
    return bytes(k.export_private_key()).decode()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'manager.db'}"
    server: SqlServer = request.getfixturevalue(
        "postgres_server" if request.param == "postgresql" else "mariadb_server"
    )
    return server.fresh_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    s.migrate()
    yield s
    s.close()


class Manager:
    """One manager incarnation (Store + Engine + app) over a URL; several may run one after the other."""

    def __init__(self, url: str, data_dir: Path, key: str, ssh_port: int) -> None:
        self.store = Store(url)
        self.store.migrate()
        self.engine = Engine(self.store, SecretBox(load_keyring(data_dir)), Settings(data_dir=data_dir, port=9601))
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app(self.engine, TOKEN)), base_url="http://mgr"
        )
        self.env = Env(self.engine, self.client, key, ssh_port)

    async def close(self) -> None:
        await self.client.aclose()
        await self.engine.close()
        self.store.close()


def rows(store: Store, pid: int) -> dict[str, Any]:
    """Every column of the process and its tasks, as read in a fresh transaction."""
    with store.tx() as s:
        p = s.get(Process, pid)
        assert p is not None
        tasks = s.scalars(select(Task).where(Task.process_id == pid).order_by(Task.id)).all()
        cols = lambda o: {c.key: getattr(o, c.key) for c in inspect(o).mapper.column_attrs}  # noqa: E731
        return {"process": cols(p), "tasks": [cols(t) for t in tasks]}


# -- migrations -------------------------------------------------------------------------------------
def test_migrations_from_empty_are_idempotent_and_match_the_models(db_url: str) -> None:
    first = Store(db_url)
    try:
        first.migrate()
        names = set(inspect(first.engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"} <= names
        with first.engine.connect() as c:
            head = c.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
        assert diff == [], diff  # the migrated schema is exactly what the models declare
    finally:
        first.close()
    second = Store(db_url)  # a second start on the same database: nothing to do, nothing breaks
    try:
        second.migrate()
        second.migrate()
        with second.engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == head
        assert len(head) == 1
    finally:
        second.close()


# -- round trips --------------------------------------------------------------------------------------
def test_values_read_back_identically(store: Store) -> None:
    """Microsecond datetimes, long texts (a 1 MiB agent log, big task_json), max-length strings."""
    stamp = dt.datetime(2026, 11, 22, 13, 45, 6, 789012)
    big_log = "x" * (1 << 20)
    with store.tx() as s:
        p = Process(
            cluster_id="c" * 64,
            process_type="INSTALL_AGENT",
            package_url="http://127.0.0.1/" + "p" * 2000,
            install_dir="/" + "d" * 1023,
            ssh_user="dmgr",
            ssh_port=22,
            ssh_key_sealed="k" * 4000,
            agent_port=9602,
            create_time=stamp,
            update_time=stamp,
        )
        s.add(p)
        s.flush()
        t = Task(
            process_id=p.id,
            host="h" * 255,
            process_type="INSTALL_AGENT",
            task_type="INSTALL_AGENT",
            task_json='{"k": "' + "v" * 100_000 + '"}',
            log=big_log,
            result="r" * 70_000,
            start_time=stamp,
            end_time=stamp + dt.timedelta(microseconds=1),
        )
        s.add(t)
        s.flush()
        pid, tid = p.id, t.id
    with store.tx() as s:
        got = s.get(Task, tid)
        assert got is not None
        assert got.log == big_log and got.result == "r" * 70_000 and len(got.task_json) == 100_009
        assert got.start_time == stamp and got.end_time == stamp + dt.timedelta(microseconds=1)
        assert got.host == "h" * 255
        gp = s.get(Process, pid)
        assert gp is not None and gp.create_time == stamp and gp.install_dir == "/" + "d" * 1023
        assert gp.package_url.endswith("p" * 2000)


# -- the process engine ---------------------------------------------------------------------------------
@pytest.fixture
async def manager(db_url: str, tmp_path: Path, ssh_key: str) -> AsyncIterator[Manager]:
    m = Manager(db_url, tmp_path, ssh_key, closed_port())
    yield m
    await m.close()


async def test_process_rows_persist_and_a_restart_resumes(
    manager: Manager, db_url: str, tmp_path: Path, ssh_key: str
) -> None:
    env = manager.env
    pid = await env.ok("POST", "/api/server/installAgent", env.install_body("c1", HOSTS[:3]))
    tasks = await env.settle(pid)
    assert [(t["host"], t["status"], t["attempts"]) for t in tasks] == [(h, "FAILURE", 1) for h in HOSTS[:3]]
    before = rows(manager.store, pid)
    assert [(t["status"], t["finish"], t["skip"]) for t in before["tasks"]] == [
        ("FAILURE", "NO", "NO")
    ] * 3  # failed = not finished until retried/skipped
    assert all(t["start_time"] <= t["end_time"] for t in before["tasks"])
    assert before["process"]["status"] == "RUNNING" and before["process"]["finish"] == "NO"
    # what the API shows is what is stored
    api = {t["id"]: t for t in await env.ok("GET", f"/api/process/{pid}/progress")}
    for r in before["tasks"]:
        assert api[r["id"]]["status"] == r["status"] and api[r["id"]]["result"] == r["result"]

    # retry updates the same row (attempts 2, new times); skip marks it finished+skipped
    t0, t1, t2 = (t["id"] for t in before["tasks"])
    await env.ok("POST", f"/api/process/task/retry/{t0}")
    await env.settle(pid)
    await env.ok("POST", f"/api/process/task/skip/{t1}")
    after = rows(manager.store, pid)
    r0, r1, r2 = after["tasks"]
    assert (r0["id"], r0["attempts"], r0["status"]) == (t0, 2, "FAILURE")
    assert r0["start_time"] >= before["tasks"][0]["start_time"]
    assert (r1["skip"], r1["finish"], r1["status"]) == ("YES", "YES", "FAILURE")
    assert r2 == before["tasks"][2]  # untouched rows are untouched, to the microsecond

    # host 0 "installed" (its end state); host 2 left mid-flight as the crash happened
    env.agent_installed(pid, HOSTS[0])
    with manager.store.tx() as s:
        t = s.get(Task, t2)
        assert t is not None
        t.status, t.finish, t.result = "SUBMITTED", "NO", None
    snapshot = rows(manager.store, pid)
    await manager.close()

    # restart: a new Store/Engine on the same URL sees the same rows and continues
    again = Manager(db_url, tmp_path, ssh_key, manager.env.ssh_port)
    try:
        assert rows(again.store, pid) == snapshot
        cur = await again.env.ok("GET", "/api/process/currentProcess?clusterId=c1")
        assert cur["processType"] == "INSTALL_AGENT" and cur["processStep"] == 0
        await again.engine.resume()  # the interrupted INSTALL_AGENT runs again (and fails again: no sshd)
        tasks = await again.env.settle(pid)
        by_id = {t["id"]: t for t in tasks}
        assert by_id[t2]["status"] == "FAILURE" and by_id[t2]["attempts"] == 2
        await again.env.ok("POST", f"/api/process/task/skip/{t2}")
        cur = await again.env.ok("GET", "/api/process/currentProcess?clusterId=c1")
        assert cur["processStep"] == 1
        await again.env.ok(
            "POST",
            "/api/agent/installService",
            {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "BE"}]},
        )
        token = f"agent-token-{pid}-{HOSTS[0]}"
        (sent,) = await again.env.agent_runs(token)
        assert sent["type"] == "INSTALL_BE"
        final = rows(again.store, pid)
        (be,) = [t for t in final["tasks"] if t["task_type"] == "INSTALL_BE"]
        assert (be["status"], be["finish"], be["host"]) == ("SUCCESS", "YES", HOSTS[0])
        assert final["process"]["process_type"] == "INSTALL_SERVICE"
    finally:
        manager.store = again.store  # the fixture closes the last incarnation
        manager.engine, manager.client = again.engine, again.client


async def test_agent_log_and_heartbeat_times_persist(manager: Manager) -> None:
    env = manager.env
    pid = await env.ok("POST", "/api/server/installAgent", env.install_body("c1", HOSTS[:1]))
    await env.settle(pid)
    token = env.agent_installed(pid, HOSTS[0])
    await env.ok(
        "POST", "/api/agent/installService", {"processId": pid, "installInfos": [{"host": HOSTS[0], "role": "BE"}]}
    )
    got = await manager.engine.dispatch.poll(token, {"wait": 0})
    assert got is not None
    (item,) = got["tasks"]
    log = "line of install output\n" * 40_000  # ~900 KiB: more than a MySQL TEXT holds
    assert manager.engine.dispatch.log(token, {"taskId": item["id"], "log": log, "logPath": "/opt/doris/be.out"})
    assert (await env.ok("GET", f"/api/process/task/log/{item['id']}"))["log"] == log
    with manager.store.tx() as s:
        a = s.scalars(select(Agent).where(Agent.token_hash == token_hash(token))).one()
        seen = a.last_reported_time
        assert seen is not None and abs(seen - utcnow()) < dt.timedelta(seconds=30)
    await asyncio.sleep(0)
    with manager.store.tx() as s:
        assert s.scalars(select(Agent.last_reported_time).where(Agent.host == HOSTS[0])).one() == seen
