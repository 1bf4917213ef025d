"""Talking to Doris itself: joins nodes through the master FE's MySQL port with PyMySQL
(``ALTER SYSTEM ADD FOLLOWER|OBSERVER|BACKEND|BROKER``), treats "already exists" per node, and
verifies with ``SHOW FRONTENDS`` / ``SHOW BACKENDS`` / ``SHOW BROKER``. Blocking; run it in a thread."""

from __future__ import annotations

import re
import time
from typing import Any

import pymysql
import pymysql.cursors

_HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-:]*$")
KINDS = ("FOLLOWER", "OBSERVER", "BACKEND", "BROKER")
BROKER_NAME = "hdfs_broker"


class DorisError(Exception):
    pass


def _connect(fe_host: str, query_port: int, user: str, password: str) -> pymysql.connections.Connection[Any]:
    try:
        return pymysql.connect(
            host=fe_host,
            port=query_port,
            user=user,
            password=password,
            connect_timeout=5,
            read_timeout=15,
            write_timeout=15,
            autocommit=True,
            cursorclass=pymysql.cursors.DictCursor,
        )
    except pymysql.MySQLError as e:
        raise DorisError(f"cannot connect to FE {fe_host}:{query_port}: {e}") from None


def statement(kind: str, host: str, port: int) -> str:
    if kind not in KINDS:
        raise DorisError(f"unknown node kind {kind}")
    if not _HOST_RE.match(host) or not 0 < port < 65536:
        raise DorisError(f"invalid node address {host}:{port}")
    if kind == "BROKER":
        return f'ALTER SYSTEM ADD BROKER {BROKER_NAME} "{host}:{port}"'
    return f'ALTER SYSTEM ADD {kind} "{host}:{port}"'


def _rows(cur: Any, sql: str) -> list[dict[str, Any]]:
    cur.execute(sql)
    return list(cur.fetchall())


def _listed(cur: Any, kind: str, host: str, port: int) -> dict[str, Any] | None:
    if kind in ("FOLLOWER", "OBSERVER"):
        rows, port_col = _rows(cur, "SHOW FRONTENDS"), "EditLogPort"
    elif kind == "BACKEND":
        rows, port_col = _rows(cur, "SHOW BACKENDS"), "HeartbeatPort"
    else:
        rows, port_col = _rows(cur, "SHOW BROKER"), "Port"
    for r in rows:
        if str(r.get("Host", r.get("IP", ""))) == host and str(r.get(port_col, "")) == str(port):
            return r
    return None


def _alive(row: dict[str, Any]) -> bool:
    return str(row.get("Alive", "true")).lower() == "true"


def join(
    fe_host: str,
    query_port: int,
    kind: str,
    host: str,
    port: int,
    *,
    user: str = "root",
    password: str = "",
    wait_alive: float = 20.0,
) -> str:
    """Add one node and verify it is listed (and alive, within ``wait_alive`` seconds)."""
    sql = statement(kind, host, port)
    conn = _connect(fe_host, query_port, user, password)
    try:
        with conn.cursor() as cur:
            if _listed(cur, kind, host, port) is not None:
                outcome = "already a member"
            else:
                try:
                    cur.execute(sql)
                    outcome = "added"
                except pymysql.MySQLError as e:
                    if "already exist" not in str(e).lower():
                        raise DorisError(f"{sql} failed: {e}") from None
                    outcome = "already a member"
            deadline = time.monotonic() + wait_alive
            while True:
                row = _listed(cur, kind, host, port)
                if row is not None and wait_alive <= 0:
                    return f"{kind.lower()} {host}:{port} {outcome}, verified listed"
                if row is not None and _alive(row):
                    return f"{kind.lower()} {host}:{port} {outcome}, verified alive"
                if time.monotonic() >= deadline:
                    if row is None:
                        raise DorisError(f"{kind.lower()} {host}:{port} not listed by the FE after {sql}")
                    raise DorisError(f"{kind.lower()} {host}:{port} is listed but not alive after {wait_alive:.0f}s")
                time.sleep(0.5)
    except pymysql.MySQLError as e:
        raise DorisError(f"FE {fe_host}:{query_port}: {e}") from None
    finally:
        conn.close()


def members(
    fe_host: str, query_port: int, *, user: str = "root", password: str = ""
) -> dict[tuple[str, str, int], str]:
    """(role, host, port) -> "Alive" / "Dead" (" (master)") for every node the FE lists."""
    return {k: v["state"] for k, v in member_rows(fe_host, query_port, user=user, password=password).items()}


def member_rows(
    fe_host: str, query_port: int, *, user: str = "root", password: str = ""
) -> dict[tuple[str, str, int], dict[str, Any]]:
    """(role, host, port) -> {state, alive, master, joined, version, decommissioned} per listed node."""
    conn = _connect(fe_host, query_port, user, password)
    out: dict[tuple[str, str, int], dict[str, Any]] = {}
    try:
        with conn.cursor() as cur:
            for sql, role, port_col in (
                ("SHOW FRONTENDS", "FE", "EditLogPort"),
                ("SHOW BACKENDS", "BE", "HeartbeatPort"),
                ("SHOW BROKER", "BROKER", "Port"),
            ):
                for r in _rows(cur, sql):
                    host = str(r.get("Host", r.get("IP", "")))
                    master = str(r.get("IsMaster", "")).lower() == "true"
                    out[(role, host, int(r.get(port_col) or 0))] = {
                        "state": ("Alive" if _alive(r) else "Dead") + (" (master)" if master else ""),
                        "alive": _alive(r),
                        "master": master,
                        "joined": str(r.get("Join", "true")).lower() == "true",
                        "version": str(r.get("Version") or ""),
                        "decommissioned": str(r.get("SystemDecommissioned", "false")).lower() == "true",
                    }
    except pymysql.MySQLError as e:
        raise DorisError(f"FE {fe_host}:{query_port}: {e}") from None
    finally:
        conn.close()
    return out


def execute(fe_host: str, query_port: int, sql: str, *, user: str = "root", password: str = "") -> None:
    """Run one statement on the FE (``ALTER SYSTEM DROP ...``, ``DECOMMISSION ...``)."""
    conn = _connect(fe_host, query_port, user, password)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    except pymysql.MySQLError as e:
        raise DorisError(f"{sql} failed on FE {fe_host}:{query_port}: {e}") from None
    finally:
        conn.close()


def address(host: str, port: int) -> str:
    """``"host:port"`` as ALTER SYSTEM takes it (checked: nothing but a host name and a port)."""
    if not _HOST_RE.match(host) or not 0 < port < 65536:
        raise DorisError(f"invalid node address {host}:{port}")
    return f'"{host}:{port}"'
