"""Facts about the host the agent runs on: hardware, OS, Doris conf files and processes."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path
from typing import Any

ROLE_DIRS = {"FE": "fe", "BE": "be", "BROKER": "apache_hdfs_broker"}
CONF_FILES = {"FE": "fe.conf", "BE": "be.conf", "BROKER": "apache_hdfs_broker.conf"}
PID_FILES = {"FE": "fe.pid", "BE": "be.pid", "BROKER": "apache_hdfs_broker.pid"}
SCRIPTS = {"FE": "fe", "BE": "be", "BROKER": "broker"}
DEFAULT_PORTS = {
    "http_port": 8030,
    "query_port": 9030,
    "edit_log_port": 9010,
    "webserver_port": 8040,
    "heartbeat_service_port": 9050,
    "broker_ipc_port": 8000,
}


def parse_conf(text: str) -> dict[str, str]:
    """Parse a Doris ``key = value`` conf file (``#`` comments, last assignment wins)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def conf_port(conf: dict[str, str], key: str) -> int:
    try:
        return int(conf.get(key, DEFAULT_PORTS[key]))
    except ValueError:
        return DEFAULT_PORTS[key]


def resolve_dir(path: str, role_dir: Path) -> Path:
    """Resolve a conf path: ``${DORIS_HOME}`` is the role dir, relative paths are under it."""
    p = path.strip().replace("${DORIS_HOME}", str(role_dir)).replace("$DORIS_HOME", str(role_dir))
    q = Path(p)
    return q if q.is_absolute() else role_dir / q


def pid_alive(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` if that process is alive, else None."""
    try:
        pid = int(pid_file.read_text().strip().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    # a zombie counts as dead
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(") ", 1)[1].startswith("Z"):
                return None
    except (OSError, IndexError):
        pass
    return pid


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _os_name() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _disks(install_dir: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    paths = [install_dir]
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[0].startswith("/dev/"):
                    paths.append(parts[1])
    except OSError:
        pass
    for p in paths:
        try:
            st = os.statvfs(p)
        except OSError:
            continue
        key = f"{st.f_fsid}"
        if key in seen:
            continue
        seen.add(key)
        out.append({"path": p, "total": st.f_blocks * st.f_frsize, "free": st.f_bavail * st.f_frsize})
    return out


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


def hardware(install_dir: str) -> dict[str, Any]:
    mem = _mem_total()
    return {
        "hostname": socket.gethostname(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory": mem,
        "totalMemory": _human(mem),
        "disks": _disks(install_dir),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
