"""How the manager reaches a host to run commands and copy files: one ``Connector`` interface, the
asyncssh one used in production (host keys recorded on first contact and enforced after, private
keys in memory only) and ``LocalConnector``, which runs the same commands on this machine (unit
tests of bootstrap and preflight logic without sshd). Errors are ``ConnectError`` with a stage
name (tcp, hostkey, auth, ssh) the operator can act on."""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .sshlib import asyncssh as _ssh

if TYPE_CHECKING:
    import asyncssh

CONNECT_TIMEOUT = 10.0


class ConnectError(Exception):
    """Reaching or using the host failed at ``stage`` for a reason the operator can act on."""

    def __init__(self, stage: str, msg: str) -> None:
        super().__init__(f"{stage}: {msg}")
        self.stage = stage


@dataclass
class Target:
    host: str
    port: int
    user: str
    key_text: str
    install_dir: str
    agent_port: int
    known_key: str | None  # openssh public key line recorded at first contact


@dataclass
class Result:
    exit_status: int
    stdout: str
    stderr: str


class Connection(Protocol):
    host_key: str  # the server's host key as an openssh line ("" when there is none)

    async def run(self, cmd: str, timeout: float) -> Result:
        """Run a shell command; raises TimeoutError after ``timeout`` seconds."""

    async def put(self, local: Path, remote: str) -> None: ...

    async def write_file(self, remote: str, text: str, mode: int) -> None: ...

    def local_address(self) -> str:
        """This machine's address as the host sees it (where an agent can reach the manager)."""

    async def close(self) -> None: ...


class Connector(Protocol):
    async def connect(self, t: Target) -> Connection: ...


def validate_private_key(text: str) -> None:
    ssh = _ssh()
    try:
        ssh.import_private_key(text)
    except (ssh.KeyImportError, ValueError) as e:
        raise ValueError(f"sshKey is not a usable private key: {e}") from None


# -- asyncssh -----------------------------------------------------------------------------------------
class _SshConnection:
    def __init__(self, conn: asyncssh.SSHClientConnection, host_key: str) -> None:
        self._conn = conn
        self.host_key = host_key

    async def run(self, cmd: str, timeout: float) -> Result:
        res = await asyncio.wait_for(self._conn.run(cmd, check=False), timeout)
        status = res.exit_status if res.exit_status is not None else -1
        return Result(status, str(res.stdout or ""), str(res.stderr or ""))

    async def put(self, local: Path, remote: str) -> None:
        try:
            async with self._conn.start_sftp_client() as sftp:
                await sftp.put(str(local), remote)
        except (_ssh().Error, OSError) as e:
            raise ConnectError("copy", f"copying {local.name} failed: {e}") from None

    async def write_file(self, remote: str, text: str, mode: int) -> None:
        ssh = _ssh()
        try:
            async with self._conn.start_sftp_client() as sftp:
                async with sftp.open(remote, "w", ssh.SFTPAttrs(permissions=mode)) as f:
                    await f.write(text)
                await sftp.chmod(remote, mode)
        except (ssh.Error, OSError) as e:
            raise ConnectError("copy", f"writing {remote} failed: {e}") from None

    def local_address(self) -> str:
        sock = self._conn.get_extra_info("sockname")
        return str(sock[0]) if sock else "127.0.0.1"

    async def close(self) -> None:
        self._conn.close()
        await self._conn.wait_closed()


def _known_hosts(t: Target) -> Any:
    if t.known_key is None:
        return None
    pattern = t.host if t.port == 22 else f"[{t.host}]:{t.port}"
    return _ssh().import_known_hosts(f"{pattern} {t.known_key}\n")


class SshConnector:
    """asyncssh, key authentication only, no ssh config files or agents consulted."""

    async def connect(self, t: Target) -> Connection:
        try:
            _r, w = await asyncio.wait_for(asyncio.open_connection(t.host, t.port), 5)
            w.close()
        except (OSError, TimeoutError) as e:
            reason = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
            raise ConnectError("tcp", f"cannot reach ssh at {t.host}:{t.port}: {reason}") from None
        ssh = _ssh()
        try:
            conn = await ssh.connect(
                t.host,
                t.port,
                username=t.user,
                client_keys=[ssh.import_private_key(t.key_text)],
                known_hosts=_known_hosts(t),
                agent_path=None,
                connect_timeout=CONNECT_TIMEOUT,
                login_timeout=CONNECT_TIMEOUT,
                config=[],
            )
        except ssh.HostKeyNotVerifiable:
            raise ConnectError(
                "hostkey", f"host key of {t.host}:{t.port} does not match the key recorded at first contact"
            ) from None
        except ssh.PermissionDenied:
            raise ConnectError("auth", f"authentication as {t.user!r} on {t.host}:{t.port} was refused") from None
        except (OSError, TimeoutError, ssh.Error) as e:
            raise ConnectError("ssh", f"ssh to {t.host}:{t.port} failed: {e}") from None
        key = conn.get_server_host_key()
        host_key = key.export_public_key("openssh").decode().strip() if key is not None else ""
        return _SshConnection(conn, host_key)


# -- this machine ---------------------------------------------------------------------------------------
class _LocalConnection:
    host_key = ""

    async def run(self, cmd: str, timeout: float) -> Result:
        proc = await asyncio.create_subprocess_shell(
            cmd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        return Result(proc.returncode if proc.returncode is not None else -1, out.decode(), err.decode())

    async def put(self, local: Path, remote: str) -> None:
        await asyncio.to_thread(shutil.copyfile, local, remote)

    async def write_file(self, remote: str, text: str, mode: int) -> None:
        def write() -> None:
            fd = os.open(remote, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.chmod(remote, mode)

        await asyncio.to_thread(write)

    def local_address(self) -> str:
        return "127.0.0.1"

    async def close(self) -> None:
        return None


class LocalConnector:
    """Runs every command on this machine as the current user (the target's host is ignored)."""

    async def connect(self, t: Target) -> Connection:
        return _LocalConnection()
