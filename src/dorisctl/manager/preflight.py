"""Preflight checks of every host of a topology, agentless (over the ``Connector``, before anything
is installed), as Doris's start scripts and production docs require. Each check has a stable
name; a result is pass, warn or fail with the fix for a failure; ``skip`` turns a named check
into a warning (shown as skipped) for hosts that cannot meet it."""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .connector import ConnectError, Connector, Target
from .topology import Topology

CHECKS = (
    "ssh",
    "python3",
    "ports",
    "install_dir",
    "memory",
    "max_map_count",
    "swap",
    "open_files",
    "clock",
    "jdk",
    "meta_service",
)
MAX_CLOCK_OFFSET_S = 1.0
PID_FILES = {"FE": ("fe", "fe.pid"), "BE": ("be", "be.pid"), "BROKER": ("apache_hdfs_broker", "apache_hdfs_broker.pid")}
PY_CHECK = "command -v python3 && python3 -c 'import sys; print(sys.version_info >= (3, 8))'"
TIMEOUT = 30.0

REMOTE = (Path(__file__).with_name("hostcheck.py")).read_text()  # runs on the host with its python3


@dataclass
class CheckResult:
    host: str
    check: str
    status: str  # pass, warn, fail, skipped
    detail: str
    fix: str = ""


def _remote_args(t: Topology, host: str) -> dict[str, Any]:
    nodes = [n for n in t.nodes if n.host == host]
    roles = []
    for n in nodes:
        rdir, pidf = {
            "FE": ("fe", "fe.pid"),
            "BE": ("be", "be.pid"),
            "BROKER": ("apache_hdfs_broker", "apache_hdfs_broker.pid"),
        }[n.role]
        roles.append([n.role, rdir, pidf, [[p, f"{n.role.lower()}.{k}"] for k, p in n.ports.items()]])
    fe = any(n.role == "FE" for n in nodes)
    be = any(n.role == "BE" for n in nodes)
    return {
        "roles": roles,
        "install_dir": t.global_.install_dir,
        "agent_port": t.global_.agent_port,
        "fe": fe,
        "be": be,
        "memory_gib": 8 * fe + 8 * be or 1,
        "meta_service": t.meta_service.endpoint if t.meta_service is not None else None,
    }


async def check_host(connector: Connector, t: Topology, target: Target) -> list[CheckResult]:
    host = target.host
    try:
        conn = await connector.connect(target)
    except ConnectError as e:
        return [CheckResult(host, "ssh", "fail", str(e), f"make {t.global_.user}@{host}:{target.port} accept the key")]
    out = [CheckResult(host, "ssh", "pass", f"{t.global_.user}@{host}:{target.port}")]
    try:
        res = await conn.run(
            "command -v python3 && python3 -c 'import sys; print(sys.version_info >= (3, 8))'", TIMEOUT
        )
        if res.exit_status != 0 or "True" not in res.stdout:
            out.append(
                CheckResult(host, "python3", "fail", "python3 3.8+ not found", "install python3 (the agent runs on it)")
            )
            return out
        out.append(CheckResult(host, "python3", "pass", res.stdout.split()[0]))
        cmd = f"python3 -c {shlex.quote(REMOTE)} {shlex.quote(json.dumps(_remote_args(t, host)))}"
        before = time.time()
        res = await conn.run(cmd, TIMEOUT)
        after = time.time()
    except TimeoutError:
        out.append(CheckResult(host, "python3", "fail", f"the checks did not finish within {TIMEOUT:.0f}s"))
        return out
    finally:
        await conn.close()
    try:
        found = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out.append(CheckResult(host, "python3", "fail", f"the checks failed: {res.stderr.strip()[-300:]}"))
        return out
    offset = float(found.pop("_time")) - (before + after) / 2
    if abs(offset) - (after - before) / 2 > MAX_CLOCK_OFFSET_S:
        out.append(
            CheckResult(host, "clock", "fail", f"{offset:+.1f}s from the manager", "synchronise clocks (chrony or ntp)")
        )
    else:
        out.append(CheckResult(host, "clock", "pass", f"{offset:+.2f}s from the manager"))
    for name in CHECKS:
        r = found.get(name)
        if r is not None:
            out.append(CheckResult(host, name, r["status"], r["detail"], r.get("fix", "")))
    return out


async def run_checks(
    connector: Connector, t: Topology, targets: list[Target], skip: set[str], parallel: int = 16
) -> list[dict[str, Any]]:
    """Every check on every host; a failing check named in ``skip`` becomes ``skipped``."""
    sem = asyncio.Semaphore(parallel)

    async def one(target: Target) -> list[CheckResult]:
        async with sem:
            return await check_host(connector, t, target)

    results = [r for rs in await asyncio.gather(*(one(x) for x in targets)) for r in rs]
    for r in results:
        if r.check in skip and r.status in ("fail", "warn"):
            r.status = "skipped"
    order = {name: i for i, name in enumerate(CHECKS)}
    hosts = {x.host: i for i, x in enumerate(targets)}
    results.sort(key=lambda r: (hosts.get(r.host, 0), order.get(r.check, 99)))
    return [asdict(r) for r in results]


def failed(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if r["status"] == "fail"]
