"""Agent bootstrap over the ``LocalConnector``: the same commands the ssh path runs, on this machine
(the agent really gets copied and started here), and the per-stage errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from dorisctl.manager.bootstrap import AGENT_FILE, build_agent_zipapp, install_agent_on
from dorisctl.manager.connector import ConnectError, LocalConnector, Target

COMMANDS: list[tuple[str, int]] = []


async def hook(host: str, cmd: str, status: int) -> None:
    COMMANDS.append((cmd, status))


def target(install_dir: Path, agent_port: int) -> Target:
    return Target("127.0.0.1", 22, "u", "", str(install_dir), agent_port, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(_ip: str, port: int, install_dir: Path) -> dict[str, Any]:
    # a manager that is not there: the agent keeps retrying its registration, which is all we need
    return {
        "server": f"http://127.0.0.1:{free_port()}",
        "token": "t",
        "host": "127.0.0.1",
        "port": port,
        "installDir": str(install_dir),
    }


async def test_install_copies_and_starts_the_agent(tmp_path: Path) -> None:
    app = build_agent_zipapp(tmp_path)
    idir, port = tmp_path / "doris", free_port()
    conn = await LocalConnector().connect(target(idir, port))
    await install_agent_on(conn, target(idir, port), lambda ip: config(ip, port, idir), app, hook)
    agent_dir = idir / "agent"
    assert (agent_dir / AGENT_FILE).read_bytes() == app.read_bytes()
    assert (agent_dir / "agent.json").stat().st_mode & 0o777 == 0o600
    assert json.loads((agent_dir / "agent.json").read_text())["port"] == port
    deadline = time.monotonic() + 10
    while not (agent_dir / "agent.pid").exists():
        assert time.monotonic() < deadline, (agent_dir / "log" / "agent.out").read_text()
        time.sleep(0.05)
    pid = int((agent_dir / "agent.pid").read_text())
    pids = {pid}
    try:
        os.kill(pid, 0)
        # the agent's port is now in use: installing again stops the old agent first, so it succeeds
        await install_agent_on(conn, target(idir, port), lambda ip: config(ip, port, idir), app, hook)
        # the pid file names the new agent as soon as the install returns (it was read too early before)
        new = int((agent_dir / "agent.pid").read_text())
        pids.add(new)
        assert new != pid
        os.kill(new, 0)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the old agent was stopped (and reaped: it is not our child)
    finally:
        for p in pids:
            try:
                os.kill(p, signal.SIGTERM)
            except ProcessLookupError:
                pass


async def test_agent_port_in_use_is_a_port_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        idir = tmp_path / "doris"
        conn = await LocalConnector().connect(target(idir, port))
        with pytest.raises(ConnectError) as e:
            await install_agent_on(conn, target(idir, port), lambda ip: config(ip, port, idir), tmp_path / "x", hook)
    assert e.value.stage == "port" and f"agent port {port} is already in use" in str(e.value)
    assert not (idir / "agent" / AGENT_FILE).exists()


async def test_unwritable_install_dir_is_an_installdir_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        idir = Path("/proc/dorisctl-cannot-exist")  # not even root can create this
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        idir = ro / "doris"
    conn = await LocalConnector().connect(target(idir, 1))
    with pytest.raises(ConnectError) as e:
        await install_agent_on(conn, target(idir, 1), lambda ip: config(ip, 1, idir), tmp_path / "x", hook)
    assert e.value.stage == "installdir"
