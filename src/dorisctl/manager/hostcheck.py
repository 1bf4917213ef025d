"""The preflight checks that run ON a host, sent by ``preflight`` as the text of this file to the
host's ``python3 -c`` (so: standard library only, Python 3.8+, imports nothing from dorisctl).
``sys.argv[1]`` is a JSON object saying what the host will run; one JSON object is printed:
check name -> {status, detail, fix}, plus ``_time`` (the host's clock)."""

import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from typing import Any

FIXES = {
    "ports": "stop what listens there, or give the role other ports in the topology",
    "install_dir": "create the install_dir and give it to the ssh user (mkdir -p DIR; chown USER DIR)",
    "memory": "use a host with more memory",
    "max_map_count": "sysctl -w vm.max_map_count=2000000 and add it to /etc/sysctl.conf",
    "swap": "swapoff -a, and remove swap from /etc/fstab",
    "open_files": "add '* soft nofile 65536' and '* hard nofile 65536' to /etc/security/limits.conf, log in again",
    "jdk": "install JDK 17 (e.g. openjdk-17-jdk-headless) and export JAVA_HOME",
    "meta_service": "make the meta-service listen on an address the hosts can reach (meta_service.endpoint)",
}


def result(status: str, detail: str, name: str) -> dict[str, str]:
    return {"status": status, "detail": detail, "fix": FIXES.get(name, "") if status == "fail" else ""}


def alive(pid_file: str) -> bool:
    try:
        with open(pid_file) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, 0)
        return True
    except (OSError, ValueError, IndexError):
        return False


def port_free(port: int) -> bool:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def ports(a: dict[str, Any]) -> dict[str, str]:
    """Every port of every role on this host; a role already running from install_dir is ours."""
    busy, running = [], []
    for role, role_dir, pid_file, role_ports in a["roles"]:
        if alive(os.path.join(a["install_dir"], role_dir, "bin", pid_file)):
            running.append(role)
            continue
        busy += [f"{port} ({what})" for port, what in role_ports if not port_free(port)]
    if not alive(os.path.join(a["install_dir"], "agent", "agent.pid")) and not port_free(a["agent_port"]):
        busy.append(f"{a['agent_port']} (agent_port)")
    note = f"; {', '.join(running)} already running here" if running else ""
    if busy:
        return result("fail", "in use: " + ", ".join(busy) + note, "ports")
    return result("pass", "all free" + note, "ports")


def install_dir(d: str) -> dict[str, str]:
    try:
        os.makedirs(d, exist_ok=True)
        ok = os.access(d, os.W_OK)
    except OSError:
        ok = False
    if not ok:
        who = os.environ.get("USER", "the ssh user")
        return result("fail", f"{d} cannot be created or written by {who}", "install_dir")
    free = shutil.disk_usage(d).free / 2**30
    if free < 1:
        return result("fail", f"{free:.1f} GiB free in {d}", "install_dir")
    if free < 10:
        return result("warn", f"only {free:.1f} GiB free in {d}", "install_dir")
    return result("pass", f"writable, {free:.0f} GiB free", "install_dir")


def memory(need: int) -> dict[str, str]:
    mem = 0.0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    if mem < need / 2:
        return result("fail", f"{mem:.1f} GiB, {need} GiB recommended", "memory")
    if mem < need:
        return result("warn", f"{mem:.1f} GiB, {need} GiB recommended", "memory")
    return result("pass", f"{mem:.1f} GiB", "memory")


def max_map_count() -> dict[str, str]:
    with open("/proc/sys/vm/max_map_count") as f:
        mmc = int(f.read())
    if mmc >= 2000000:
        return result("pass", str(mmc), "max_map_count")
    return result("fail", f"vm.max_map_count is {mmc}, BE needs >= 2000000", "max_map_count")


def swap() -> dict[str, str]:
    with open("/proc/swaps") as f:
        active = [line for line in f.read().splitlines()[1:] if line.strip()]
    if active:
        return result("fail", f"{len(active)} swap device(s) active, BE needs swap off", "swap")
    return result("pass", "off", "swap")


def open_files() -> dict[str, str]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= 60000:
        return result("pass", f"ulimit -n {soft}", "open_files")
    return result("fail", f"ulimit -n is {soft} (hard {hard}); Doris's start scripts need >= 60000", "open_files")


def jdk() -> dict[str, str]:
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return result("fail", "no java (JAVA_HOME unset and none on the PATH)", "jdk")
    try:
        text = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20).stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        text = str(e)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    major = int(m.group(1)) if m else 0
    if major == 1 and m is not None:
        major = int(m.group(2) or 0)
    if major >= 17:
        return result("pass", f"{java}: {major}", "jdk")
    return result("fail", f"{java}: version {major or 'unknown'}, FE on Doris 2.1+ needs JDK 17+", "jdk")


def meta_service(endpoint: str) -> dict[str, str]:
    host, _, port = endpoint.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        return result("pass", f"{endpoint} reachable", "meta_service")
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or e
        return result("fail", f"{endpoint} not reachable from this host: {reason}", "meta_service")


def main() -> None:
    a = json.loads(sys.argv[1])
    out: dict[str, Any] = {"ports": ports(a), "install_dir": install_dir(a["install_dir"])}
    out["memory"] = memory(a["memory_gib"])
    if a["be"]:
        out["max_map_count"] = max_map_count()
        out["swap"] = swap()
    out["open_files"] = open_files()
    if a["fe"]:
        out["jdk"] = jdk()
    if a.get("meta_service"):
        out["meta_service"] = meta_service(a["meta_service"])
    out["_time"] = time.time()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
