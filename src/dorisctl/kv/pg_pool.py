"""A small asyncio connection pool for the PostgreSQL backend (kv/postgres.py), and its URL.

URL: `postgresql://[user[:password]@]host[:port][,host2:port2...]/dbname[?option=value...]`
(`postgres://` too). Options of our own, removed before the rest goes to libpq:

* `schema` (default `public`): the PostgreSQL schema holding the store's tables (created if
  missing), so several stores can share one database;
* `pool` (default 32): most connections this process opens;
* `timeout` (seconds, default 5): bound on every round trip and on connecting; a round trip that
  takes longer fails with `Unavailable` and its connection is dropped;
* `resolve_timeout` (seconds, default 10): how long a commit whose reply was lost keeps trying to
  find out whether it applied.

Everything else is libpq's (`sslmode`, `passfile`, `target_session_attrs`, ...). The password may
be in the URL or, as libpq reads them, in `PGPASSWORD`, `~/.pgpass` or the file named by
`passfile`; it is never logged: `redacted_url()` is what the store reports as its URL.

The pool: connections in autocommit mode (transactions are explicit), created on demand up to
`pool`, kept idle afterwards. A caller that finds every connection in use waits up to `timeout`,
then gets `Unavailable` (a nested transaction never waits forever on its parent's connection).
When a connection fails at the network level every idle one is closed too: after a database
restart they are all dead, and the next acquire connects afresh, so service resumes by itself.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dorisctl.kv.errors import Unavailable

OUR_OPTIONS = ("schema", "pool", "timeout", "resolve_timeout")
DEFAULT_POOL = 32
DEFAULT_TIMEOUT = 5.0
DEFAULT_RESOLVE_TIMEOUT = 10.0
IDLE_IN_TXN_TIMEOUT_MS = 60_000  # the server ends a transaction whose client went quiet


@dataclass(frozen=True)
class PgTarget:
    """A parsed store URL: what to connect to, what to call it in messages, our options."""

    conninfo: str  # for libpq (may hold the password: never print it)
    redacted: str  # the URL without credentials
    host: str
    port: str
    dbname: str
    user: str
    schema: str
    pool: int
    timeout: float
    resolve_timeout: float

    def where(self) -> str:
        return f"PostgreSQL at {self.host}:{self.port}, database {self.dbname!r}"


def parse_pg_url(url: str) -> PgTarget:
    """Split our options off a `postgresql://` URL and let libpq check the rest (ValueError if bad)."""
    if not (url.startswith("postgresql://") or url.startswith("postgres://")):
        raise ValueError("not a PostgreSQL URL (want postgresql://user@host:port/db)")
    base, _, query = url.partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    ours = {k: v for k, v in pairs if k in OUR_OPTIONS}
    theirs = [(k, v) for k, v in pairs if k not in OUR_OPTIONS]
    try:
        params = conninfo_to_dict(base + ("?" + urllib.parse.urlencode(theirs) if theirs else ""))
    except psycopg.Error as e:
        raise ValueError(f"bad PostgreSQL URL: {_first_line(str(e))}") from None
    schema = ours.get("schema", "public")
    if not schema or len(schema) > 63 or not all(c.isalnum() or c == "_" for c in schema) or schema[0].isdigit():
        raise ValueError("postgresql option schema must be a plain identifier (letters, digits, _)")
    try:
        pool = int(ours.get("pool", DEFAULT_POOL))
        timeout = float(ours.get("timeout", DEFAULT_TIMEOUT))
        resolve_timeout = float(ours.get("resolve_timeout", DEFAULT_RESOLVE_TIMEOUT))
    except ValueError:
        raise ValueError("postgresql options pool, timeout and resolve_timeout must be numbers") from None
    if pool < 2 or not 0.1 <= timeout <= 600 or not 0 <= resolve_timeout <= 3600:
        raise ValueError("postgresql option pool must be >= 2, timeout in [0.1, 600] s, resolve_timeout <= 3600 s")
    user = str(params.get("user") or os.environ.get("PGUSER") or _os_user())
    host = str(params.get("host") or os.environ.get("PGHOST") or "localhost")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    dbname = str(params.get("dbname") or os.environ.get("PGDATABASE") or user)
    params.setdefault("application_name", "dorisctl")
    params.setdefault("connect_timeout", str(max(1, round(timeout))))
    timeouts = f"-c idle_in_transaction_session_timeout={IDLE_IN_TXN_TIMEOUT_MS}"
    params["options"] = f"{params['options']} {timeouts}" if params.get("options") else timeouts
    return PgTarget(
        conninfo=make_conninfo("", **params),
        redacted=redact_url(url),
        host=host,
        port=port,
        dbname=dbname,
        user=user,
        schema=schema,
        pool=pool,
        timeout=timeout,
        resolve_timeout=resolve_timeout,
    )


def redact_url(url: str) -> str:
    """The URL without a password (in the authority or as a `password=` option)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{hosts}"
    query = urllib.parse.urlencode(
        [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "postgres"


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"


def describe_connect_error(target: PgTarget, error: BaseException) -> str:
    """One line saying why connecting failed, naming host, port and database (never the password)."""
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        return f"cannot reach {target.where()}: no answer within {target.timeout:g} s"
    text = " ".join(ln.strip() for ln in str(error).splitlines() if ln.strip())
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
        return (
            f"cannot log in to {target.where()} as user {target.user!r}: {_fatal(text)} "
            "(give the password in the URL, PGPASSWORD, ~/.pgpass or a passfile= option)"
        )
    if "does not exist" in low and "database" in low:
        return f"cannot open {target.where()}: the database does not exist (create it: createdb {target.dbname})"
    if "connection refused" in low or "could not connect" in low or "timeout expired" in low:
        return f"cannot reach {target.where()}: {_fatal(text)}"
    return f"cannot open {target.where()}: {_fatal(text)}"


def _fatal(text: str) -> str:
    """The server's reason out of a libpq message (which repeats the host and port)."""
    for marker in ("FATAL:", "failed:"):
        if marker in text:
            text = text.rsplit(marker, 1)[1].strip()
    return text[:300]


Conn = psycopg.AsyncConnection[Any]


class PgPool:
    """Connections to one database; see the module docstring."""

    def __init__(self, target: PgTarget) -> None:
        self.target = target
        self._idle: list[Conn] = []
        self._open = 0  # connections open or being opened
        self._waiters: collections.deque[asyncio.Future[Conn | None]] = collections.deque()
        self._closed = False

    async def connect(self) -> Conn:
        """One new connection (raises psycopg errors or TimeoutError)."""
        # No server-side prepared statements: a pipeline aborted by a serialization failure would
        # leave psycopg believing in statements the server never prepared.
        conn: Conn = await asyncio.wait_for(
            psycopg.AsyncConnection.connect(self.target.conninfo, autocommit=True, prepare_threshold=None),
            self.target.timeout,
        )
        return conn

    async def acquire(self) -> Conn:
        if self._closed:
            raise Unavailable("store is closed")
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and not conn.broken:
                return conn
            self._open -= 1
        if self._open < self.target.pool:
            self._open += 1
            try:
                return await self.connect()
            except BaseException as e:
                self._open -= 1
                self._wake()
                if isinstance(e, asyncio.CancelledError):
                    raise
                self.drop_idle()
                raise Unavailable(describe_connect_error(self.target, e)) from None
        future: asyncio.Future[Conn | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            conn_or_none = await asyncio.wait_for(future, self.target.timeout)
        except TimeoutError:
            handed = future.result() if future.done() and not future.cancelled() else None
            if handed is not None:
                self.release(handed)  # handed over just as the wait ran out
            raise Unavailable(
                f"all {self.target.pool} connections to {self.target.where()} stayed busy for "
                f"{self.target.timeout:g} s (raise ?pool=)"
            ) from None
        finally:
            if future in self._waiters:
                self._waiters.remove(future)
        if conn_or_none is None:  # a slot freed up: open a connection of our own
            return await self.acquire()
        return conn_or_none

    def release(self, conn: Conn) -> None:
        """Give back a connection with no transaction open (a broken one is closed instead)."""
        if self._closed or conn.closed or conn.broken:
            self.discard(conn)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def discard(self, conn: Conn) -> None:
        """Close a connection whose state is unknown (failed or cancelled mid-request)."""
        self._open -= 1
        _close_quietly(conn)
        self._wake()

    def drop_idle(self) -> None:
        """A connection failed at the network level: the idle ones are probably dead too."""
        idle, self._idle = self._idle, []
        for conn in idle:
            self._open -= 1
            _close_quietly(conn)

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), self.target.timeout)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)


def _close_quietly(conn: Conn) -> None:
    """Close without waiting (psycopg's close of an async connection only drops the socket)."""
    conn._closed = True  # what AsyncConnection.close() does before finishing the libpq connection
    with contextlib.suppress(Exception):
        conn.pgconn.finish()
