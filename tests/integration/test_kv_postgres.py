"""PostgreSQL backend specifics on a real PostgreSQL (the conformance suite covers the contract):
URL and password handling, schema versioning, lost commit replies resolved through real dropped
connections, and the one-line start-up errors of a real meta-service process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from dorisctl.kv import MaybeCommitted, StoreOpenError, Unavailable, open_store
from dorisctl.kv.pg_pool import parse_pg_url, redact_url
from dorisctl.kv.postgres import PostgresKv
from tests.fixtures.metaservice import free_port
from tests.fixtures.sqldb import PASSWORD, SqlServer


def store_url(server: SqlServer, *, password: str | None = PASSWORD, options: str = "") -> str:
    import uuid

    db = server.shared_database("kv")
    auth = f"dorisctl:{password}" if password is not None else "dorisctl"
    query = f"schema=p_{uuid.uuid4().hex[:10]}" + (f"&{options}" if options else "")
    return f"postgresql://{auth}@127.0.0.1:{server.port}/{db}?{query}"


async def blind_write(kv: PostgresKv, key: bytes, value: bytes) -> None:
    """A write-only transaction: its connection is back in the pool when commit returns."""
    txn = await kv.begin()
    txn.put(key, value)
    await txn.commit()


async def roundtrip(kv: PostgresKv, key: bytes = b"k", value: bytes = b"v") -> bytes | None:
    txn = await kv.begin()
    txn.put(key, value)
    await txn.commit()
    txn = await kv.begin()
    try:
        return await txn.get(key)
    finally:
        await txn.discard()


def test_url_parsing_and_redaction() -> None:
    t = parse_pg_url("postgresql://u:s3cret@db.example:6543/meta?schema=ms1&pool=8&timeout=2&sslmode=disable")
    assert (t.host, t.port, t.dbname, t.user, t.schema, t.pool, t.timeout) == (
        "db.example",
        "6543",
        "meta",
        "u",
        "ms1",
        8,
        2.0,
    )
    assert "s3cret" not in t.redacted and t.redacted.startswith("postgresql://u@db.example:6543/meta?")
    assert "sslmode=disable" in t.conninfo and "schema" not in t.conninfo
    assert redact_url("postgresql://u@h/d?password=x&sslmode=require") == "postgresql://u@h/d?sslmode=require"
    for bad in ("postgresql://h/d?schema=a-b", "postgresql://h/d?pool=1", "postgresql://h/d?timeout=x", "mysql://h/d"):
        with pytest.raises(ValueError):
            parse_pg_url(bad)
    with pytest.raises(ValueError) as e:
        open_store("postgres-ish://u:pw@h/d")
    assert "pw" not in str(e.value)


async def test_password_from_pgpassword_or_a_passfile(
    postgres_server: SqlServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = store_url(postgres_server, password=None)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))  # not the user's own ~/.pgpass
    kv = PostgresKv(url)
    with pytest.raises(StoreOpenError, match=rf"127\.0\.0\.1:{postgres_server.port}, database 'dorisctl_kv'"):
        await kv.open()
    await kv.close()

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    kv = PostgresKv(url)
    assert await roundtrip(kv) == b"v"
    await kv.close()
    monkeypatch.delenv("PGPASSWORD")

    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres_server.port}:*:dorisctl:{PASSWORD}\n")
    passfile.chmod(0o600)
    kv = PostgresKv(url + f"&passfile={passfile}")
    assert await roundtrip(kv) == b"v"
    assert PASSWORD not in kv.url
    await kv.close()


async def test_schema_is_created_once_and_a_newer_layout_is_refused(postgres_server: SqlServer) -> None:
    url = store_url(postgres_server)
    stores = [PostgresKv(url) for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))  # concurrent first starts: one creates
    assert await roundtrip(stores[0]) == b"v"
    for s in stores:
        await s.close()
    target = parse_pg_url(url)
    with psycopg.connect(target.conninfo, autocommit=True) as c:
        c.execute(f"UPDATE {target.schema}.dorisctl_kv_meta SET value = 2 WHERE name = 'schema'")
    kv = PostgresKv(url)
    with pytest.raises(StoreOpenError, match="layout version 2"):
        await kv.open()
    await kv.close()


class LossyProxy:
    """A TCP proxy in front of PostgreSQL that loses, on the connections open when armed, every
    byte in one direction from then on and drops those connections (new connections pass)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"  # "drop_request" | "drop_reply"
        self.armed: set[int] = set()
        self.arm_new = False
        self.open: set[int] = set()
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def arm(self, mode: str, *, new_too: bool = False) -> None:
        self.mode, self.armed, self.arm_new = mode, set(self.open), new_too

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ident = id(writer)
        self.open.add(ident)
        if self.arm_new:
            self.armed.add(ident)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, lose: str) -> None:
            try:
                while data := await src.read(65536):
                    if self.mode == lose and ident in self.armed:
                        break
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                writer.close()
                up_writer.close()
                self.open.discard(ident)

        for coro in (pump(reader, up_writer, "drop_request"), pump(up_reader, writer, "drop_reply")):
            task = asyncio.create_task(coro)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)


@pytest.mark.parametrize("lose", ["drop_request", "drop_reply"])
async def test_lost_commit_reply_is_resolved_exactly(postgres_server: SqlServer, lose: str) -> None:
    proxy = LossyProxy(postgres_server.port)
    await proxy.start()
    kv = PostgresKv(store_url(postgres_server).replace(f":{postgres_server.port}/", f":{proxy.port}/"))
    try:
        await blind_write(kv, b"warm", b"1")  # one idle pooled connection through the proxy
        proxy.arm(lose)
        txn = await kv.begin()
        txn.put(b"k", b"v")  # a blind write: BEGIN, the writes, the marker and COMMIT in one round trip
        if lose == "drop_request":
            with pytest.raises(Unavailable, match="not applied"):
                await txn.commit()
            assert kv.stats == {"resolved_not_committed": 1}
            expect = None
        else:
            await txn.commit()  # the reply was lost, but the commit applied: success
            assert kv.stats == {"resolved_committed": 1}
            expect = b"v"
        check = await kv.begin()
        assert await check.get(b"k") == expect
        await check.discard()
    finally:
        await kv.close()
        await proxy.stop()


async def test_undecidable_outcome_is_maybe_committed(postgres_server: SqlServer) -> None:
    proxy = LossyProxy(postgres_server.port)
    await proxy.start()
    url = store_url(postgres_server, options="timeout=0.5&resolve_timeout=1")
    kv = PostgresKv(url.replace(f":{postgres_server.port}/", f":{proxy.port}/"))
    try:
        await blind_write(kv, b"warm", b"1")
        proxy.arm("drop_reply", new_too=True)  # every reply lost, the resolution's too
        txn = await kv.begin()
        txn.put(b"k", b"v")
        with pytest.raises(MaybeCommitted):
            await txn.commit()
        assert kv.stats.get("maybe_committed") == 1
    finally:
        await kv.close()
        await proxy.stop()


def start_failure(data_dir: Path, store: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    run_env.update(env or {})
    args = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", str(data_dir)]
    args += ["--port", str(free_port()), "--store", store]
    proc = subprocess.run(args, capture_output=True, timeout=60, env=run_env)
    return proc.returncode, proc.stderr.decode(errors="replace")


def test_start_up_errors_are_one_clear_line(postgres_server: SqlServer, tmp_path: Path) -> None:
    port = postgres_server.port
    dead = free_port()
    cases = {
        "unreachable": (f"postgresql://dorisctl:{PASSWORD}@127.0.0.1:{dead}/dorisctl_kv", f"127.0.0.1:{dead}"),
        "bad password": (f"postgresql://dorisctl:wrong-pw@127.0.0.1:{port}/dorisctl_kv", "password"),
        "missing db": (f"postgresql://dorisctl:{PASSWORD}@127.0.0.1:{port}/no_such_db", "does not exist"),
    }
    postgres_server.shared_database("kv")
    for name, (url, says) in cases.items():
        code, err = start_failure(tmp_path / name.replace(" ", "_"), url)
        lines = [ln for ln in err.splitlines() if ln.startswith("dorisctl: error")]
        assert code != 0, name
        assert "Traceback" not in err, (name, err)
        assert len(lines) == 1, (name, err)
        assert says in lines[0] and f":{dead if name == 'unreachable' else port}" in lines[0], (name, lines[0])
        db = "no_such_db" if name == "missing db" else "dorisctl_kv"
        assert f"database '{db}'" in lines[0], (name, lines[0])
        assert "wrong-pw" not in err and PASSWORD not in err, name


async def test_hot_counter_adders_take_turns_instead_of_failing(postgres_server: SqlServer) -> None:
    kv = PostgresKv(store_url(postgres_server))

    async def add(i: int) -> None:
        txn = await kv.begin()
        await txn.get(b"other/%d" % i)  # a read, so the commit validates in a serializable transaction
        txn.atomic_add(b"table-version", 1)
        txn.put(b"row/%d" % i, b"x")
        await txn.commit()

    try:
        await asyncio.gather(*(add(i) for i in range(24)))
        txn = await kv.begin()
        from dorisctl.kv import decode_counter

        assert decode_counter(await txn.get(b"table-version")) == 24
        await txn.discard()
        assert kv.advisory_locks and kv.stats.get("retried_serialization", 0) == 0, kv.stats
    finally:
        await kv.close()


async def test_key_check_refuses_a_foreign_key_ring(postgres_server: SqlServer) -> None:
    from dorisctl.keycheck import KeyRingMismatch, ensure_key_ring
    from dorisctl.secrets import KeyRing

    url = store_url(postgres_server)
    kv = PostgresKv(url)
    try:
        assert await ensure_key_ring(kv, KeyRing({1: b"a" * 32})) == [1]  # first start: the check is made
        with pytest.raises(KeyRingMismatch, match=r"key 1: different key") as e:
            await ensure_key_ring(kv, KeyRing({1: b"b" * 32}))  # another process, another key 1
        assert PASSWORD not in str(e.value) and "postgresql://dorisctl@127.0.0.1" in str(e.value)
        assert await ensure_key_ring(kv, KeyRing({1: b"a" * 32})) == [1]  # the right ring still starts
    finally:
        await kv.close()


async def test_exhausted_pool_fails_fast_and_recovers(postgres_server: SqlServer) -> None:
    import time

    kv = PostgresKv(store_url(postgres_server, options="pool=2&timeout=0.5"))
    try:
        held = [await kv.begin() for _ in range(2)]
        for t in held:
            await t.get(b"a")  # each holds a connection for its snapshot
        third = await kv.begin()
        started = time.monotonic()
        with pytest.raises(Unavailable, match=r"connections .* stayed busy"):
            await third.get(b"a")
        assert time.monotonic() - started < 3
        await third.discard()
        await held[0].discard()
        assert await roundtrip(kv) == b"v"  # a freed connection serves the next transaction
        await held[1].discard()
    finally:
        await kv.close()
