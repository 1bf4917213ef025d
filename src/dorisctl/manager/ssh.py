"""SSH bootstrap of the agent with asyncssh: per-host checks with clear errors (TCP, auth, python3,
install dir, agent port), host keys recorded on first contact and enforced after, the agent zipapp
copied over SFTP and started with the host's ``python3``. Private keys stay in memory only."""

from __future__ import annotations

import asyncio
import json
import shlex
import zipapp
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

CONNECT_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0

AGENT_FILE = "dorisctl-agent.pyz"


class InstallError(Exception):
    """Bootstrap failed at ``stage`` for a reason the operator can act on."""

    def __init__(self, stage: str, msg: str) -> None:
        super().__init__(f"{stage}: {msg}")
        self.stage = stage


def build_agent_zipapp(out_dir: Path) -> Path:
    """Build the stdlib-only agent into one zipapp file (``python3 dorisctl-agent.pyz``)."""
    import shutil
    import tempfile

    src = Path(__file__).resolve().parent.parent / "agent"
    out = out_dir / AGENT_FILE
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "dorisctl_agent"
        pkg.mkdir()
        for f in src.glob("*.py"):
            shutil.copy2(f, pkg / f.name)
        (Path(tmp) / "__main__.py").write_text("import sys\nfrom dorisctl_agent.main import main\nsys.exit(main())\n")
        zipapp.create_archive(tmp, out, interpreter="/usr/bin/env python3")
    return out


def validate_private_key(text: str) -> None:
    try:
        asyncssh.import_private_key(text)
    except (asyncssh.KeyImportError, ValueError) as e:
        raise ValueError(f"sshKey is not a usable private key: {e}") from None


@dataclass
class Target:
    host: str
    port: int
    user: str
    key_text: str
    install_dir: str
    agent_port: int
    known_key: str | None  # openssh public key line recorded at first contact


RemoteHook = Callable[[str, str, int], Awaitable[None]]  # (host, command, exit status)


def _known_hosts(t: Target) -> Any:
    if t.known_key is None:
        return None
    pattern = t.host if t.port == 22 else f"[{t.host}]:{t.port}"
    return asyncssh.import_known_hosts(f"{pattern} {t.known_key}\n")


async def _run(conn: asyncssh.SSHClientConnection, t: Target, cmd: str, hook: RemoteHook) -> Any:
    try:
        res = await asyncio.wait_for(conn.run(cmd, check=False), COMMAND_TIMEOUT)
    except TimeoutError:
        await hook(t.host, cmd, -1)
        raise InstallError("remote", f"command timed out after {COMMAND_TIMEOUT:.0f}s: {cmd}") from None
    await hook(t.host, cmd, res.exit_status if res.exit_status is not None else -1)
    return res


async def connect(t: Target) -> tuple[asyncssh.SSHClientConnection, str]:
    """Open an authenticated connection; returns it and the server's host key (openssh form)."""
    try:
        _r, w = await asyncio.wait_for(asyncio.open_connection(t.host, t.port), 5)
        w.close()
    except (OSError, TimeoutError) as e:
        reason = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise InstallError("tcp", f"cannot reach ssh at {t.host}:{t.port}: {reason}") from None
    try:
        conn = await asyncssh.connect(
            t.host,
            t.port,
            username=t.user,
            client_keys=[asyncssh.import_private_key(t.key_text)],
            known_hosts=_known_hosts(t),
            agent_path=None,
            connect_timeout=CONNECT_TIMEOUT,
            login_timeout=CONNECT_TIMEOUT,
            config=[],
        )
    except asyncssh.HostKeyNotVerifiable:
        raise InstallError(
            "hostkey", f"host key of {t.host}:{t.port} does not match the key recorded at first contact"
        ) from None
    except asyncssh.PermissionDenied:
        raise InstallError("auth", f"authentication as {t.user!r} on {t.host}:{t.port} was refused") from None
    except (OSError, TimeoutError, asyncssh.Error) as e:
        raise InstallError("ssh", f"ssh to {t.host}:{t.port} failed: {e}") from None
    key = conn.get_server_host_key()
    host_key = key.export_public_key("openssh").decode().strip() if key is not None else ""
    return conn, host_key


async def install_agent(
    t: Target, make_config: Callable[[str], dict[str, Any]], zipapp_path: Path, hook: RemoteHook
) -> str:
    """Run every check, copy and start the agent. Returns the host key seen (to record)."""
    conn, host_key = await connect(t)
    async with conn:
        config = make_config(local_address(conn))
        res = await _run(
            conn, t, "command -v python3 && python3 -c 'import sys; print(sys.version_info >= (3, 8))'", hook
        )
        if res.exit_status != 0:
            raise InstallError("python3", f"python3 is not installed on {t.host} (or not on the PATH)")
        if "True" not in str(res.stdout):
            raise InstallError("python3", f"python3 on {t.host} is older than 3.8")
        agent_dir = f"{t.install_dir.rstrip('/')}/agent"
        q = shlex.quote(agent_dir)
        res = await _run(conn, t, f"mkdir -p {q}/log && test -w {q} && test -w {q}/log", hook)
        if res.exit_status != 0:
            raise InstallError("installdir", f"install dir {t.install_dir} is not writable by {t.user!r}")
        # stop an agent we installed earlier (re-install is idempotent)
        await _run(
            conn,
            t,
            f'p=$(cat {q}/agent.pid 2>/dev/null) && kill "$p" 2>/dev/null; '
            f'for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; true',
            hook,
        )
        port_check = (
            "python3 -c 'import socket,sys; s=socket.socket(); "
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            's.bind(("0.0.0.0", int(sys.argv[1])))\' '
            f"{int(t.agent_port)}"
        )
        res = await _run(conn, t, port_check, hook)
        if res.exit_status != 0:
            raise InstallError("port", f"agent port {t.agent_port} is already in use on {t.host}")
        try:
            async with conn.start_sftp_client() as sftp:
                await sftp.put(str(zipapp_path), f"{agent_dir}/{AGENT_FILE}")
                attrs = asyncssh.SFTPAttrs(permissions=0o600)
                async with sftp.open(f"{agent_dir}/agent.json", "w", attrs) as f:
                    await f.write(json.dumps(config))
                await sftp.chmod(f"{agent_dir}/agent.json", 0o600)
        except (asyncssh.Error, OSError) as e:
            raise InstallError("copy", f"copying the agent to {t.host} failed: {e}") from None
        start = (
            f"cd {q} || exit 1; setsid -f python3 {AGENT_FILE} --config agent.json "
            "</dev/null >>log/agent.out 2>&1; echo started"
        )
        res = await _run(conn, t, start, hook)
        if res.exit_status != 0:
            raise InstallError("start", f"starting the agent on {t.host} failed: {res.stderr}")
        return host_key
    raise InstallError("ssh", "connection closed unexpectedly")  # pragma: no cover


async def agent_output_tail(t: Target, hook: RemoteHook) -> str:
    """Last lines of the agent's stdout on the host, for error messages."""
    try:
        conn, _ = await connect(t)
    except InstallError:
        return ""
    async with conn:
        q = shlex.quote(f"{t.install_dir.rstrip('/')}/agent/log/agent.out")
        res = await _run(conn, t, f"tail -n 5 {q}", hook)
        return str(res.stdout or "").strip()
    return ""  # pragma: no cover - unreachable, for the type checker


def local_address(conn: asyncssh.SSHClientConnection) -> str:
    sock = conn.get_extra_info("sockname")
    return str(sock[0]) if sock else "127.0.0.1"
