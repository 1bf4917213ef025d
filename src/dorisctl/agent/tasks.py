"""The fixed task types the agent runs, each idempotent: look at the facts first, then change only
what is needed. Commands are argument lists, never shell strings built from input."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .facts import CONF_FILES, PID_FILES, ROLE_DIRS, SCRIPTS, conf_port, parse_conf, pid_alive, resolve_dir

HTTP_TIMEOUT = 30.0
DOWNLOAD_LIMIT_S = 1800.0
SCRIPT_TIMEOUT = 120.0


class TaskError(Exception):
    """A task failed with a message meant for the operator."""


class TaskLog:
    """One log file per task; the agent uploads its tail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def write(self, msg: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            for line in msg.rstrip("\n").splitlines() or [""]:
                f.write(f"{stamp} {line}\n")

    def tail(self, limit: int = 1 << 20) -> str:
        try:
            with open(self.path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - limit))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


_download_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _download_locks.setdefault(key, threading.Lock())


def _role(args: dict[str, Any]) -> str:
    role = str(args.get("role", "")).upper()
    if role not in ROLE_DIRS:
        raise TaskError(f"unknown role {role!r}")
    return role


def _role_dir(args: dict[str, Any]) -> Path:
    install_dir = Path(str(args["installDir"]))
    return install_dir / ROLE_DIRS[_role(args)]


def download_once(url: str, cache_dir: Path, log: TaskLog) -> Path:
    """Download ``url`` into the per-host cache unless it is already there (one download per host)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".pkg")
    with _lock_for(str(target)):
        if target.exists():
            log.write(f"package already downloaded: {target}")
            return target
        part = target.with_suffix(".part")
        log.write(f"downloading {url}")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as resp, open(part, "wb") as out:
                total = 0
                while True:
                    chunk = resp.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    total += len(chunk)
                    if time.monotonic() - started > DOWNLOAD_LIMIT_S:
                        raise TaskError(f"download of {url} took longer than {DOWNLOAD_LIMIT_S:.0f}s")
        except urllib.error.HTTPError as e:
            part.unlink(missing_ok=True)
            raise TaskError(f"download of {url} failed: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            part.unlink(missing_ok=True)
            reason = getattr(e, "reason", e)
            raise TaskError(f"download of {url} failed: {reason}") from None
        os.replace(part, target)
        log.write(f"downloaded {total} bytes in {time.monotonic() - started:.1f}s")
        return target


def _safe_extract(pkg: Path, dest: Path) -> None:
    try:
        with tarfile.open(pkg, "r:*") as tar:
            for m in tar.getmembers():
                name = m.name
                if name.startswith("/") or ".." in Path(name).parts:
                    raise TaskError(f"package has an unsafe path: {name}")
                if not (m.isfile() or m.isdir() or m.issym()):
                    raise TaskError(f"package has an unsupported member: {name}")
                if m.issym() and (m.linkname.startswith("/") or ".." in Path(m.linkname).parts):
                    raise TaskError(f"package has an unsafe link: {name} -> {m.linkname}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - older interpreters; members were checked above
                tar.extractall(dest)
    except tarfile.TarError as e:
        raise TaskError(f"package is not a readable tarball: {e}") from None


def _find_role_source(unpacked: Path, role: str) -> Path:
    tops = [p for p in unpacked.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise TaskError(f"package must hold exactly one top directory, found {len(tops)}")
    top = tops[0]
    candidates = {
        "FE": [top / "fe"],
        "BE": [top / "be"],
        "BROKER": [top / "apache_hdfs_broker", top / "extensions" / "apache_hdfs_broker"],
    }[role]
    for c in candidates:
        if c.is_dir():
            return c
    raise TaskError(f"package has no {ROLE_DIRS[role]}/ directory for role {role}")


def _merge_tree(src: Path, dst: Path, log: TaskLog) -> None:
    """Copy ``src`` over ``dst`` without deleting anything; existing conf files are kept."""
    kept = 0
    for root, _dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            s = Path(root) / name
            d = dst / rel / name
            if d.exists() and rel.parts[:1] == ("conf",):
                kept += 1
                continue
            if d.is_symlink():
                d.unlink()
            shutil.copy2(s, d, follow_symlinks=False)
    if kept:
        log.write(f"kept {kept} existing conf file(s)")


def install(args: dict[str, Any], log: TaskLog) -> str:
    role = _role(args)
    url = str(args["packageUrl"])
    install_dir = Path(str(args["installDir"]))
    role_dir = _role_dir(args)
    marker = role_dir / ".dorisctl-install.json"
    script = role_dir / "bin" / f"start_{SCRIPTS[role]}.sh"
    try:
        done = json.loads(marker.read_text())
    except (OSError, ValueError):
        done = {}
    if done.get("packageUrl") == url and script.exists():
        log.write(f"{role} already installed in {role_dir} from {url}")
        return f"{role} already installed"
    pkg = download_once(url, install_dir / ".dorisctl" / "packages", log)
    tmp = install_dir / ".dorisctl" / f"unpack-{role.lower()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        log.write(f"unpacking {pkg.name}")
        _safe_extract(pkg, tmp)
        src = _find_role_source(tmp, role)
        role_dir.mkdir(parents=True, exist_ok=True)
        _merge_tree(src, role_dir, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    marker.write_text(json.dumps({"packageUrl": url, "time": time.time()}))
    log.write(f"{role} installed in {role_dir}")
    return f"install {role.lower()} success"


def _conf_path(args: dict[str, Any]) -> Path:
    return _role_dir(args) / "conf" / CONF_FILES[_role(args)]


def _read_conf(args: dict[str, Any]) -> dict[str, str]:
    try:
        return parse_conf(_conf_path(args).read_text())
    except OSError:
        return {}


MANAGED_MARK = "# set by dorisctl"


def merge_conf(current: str, settings: dict[str, str]) -> str:
    """``current`` with every key of ``settings`` set: an existing assignment is rewritten in place
    (later duplicates dropped), the others appended once under a marker. Applying it twice gives
    the same text, so a re-deploy leaves the file alone."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in current.splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key = line.partition("=")[0].strip()
            if key in settings:
                if key not in seen:
                    out.append(f"{key} = {settings[key]}")
                    seen.add(key)
                continue
        out.append(raw)
    missing = [k for k in settings if k not in seen]
    if missing:
        if MANAGED_MARK not in out:
            out.append(MANAGED_MARK)
        out.extend(f"{k} = {settings[k]}" for k in missing)
    return "\n".join(out) + "\n"


def _file_cache_dirs(value: str) -> list[str]:
    """The paths of a BE's ``file_cache_path`` (a JSON list of {"path": ...})."""
    try:
        entries = json.loads(value)
    except ValueError:
        return []
    return (
        [str(e["path"]) for e in entries if isinstance(e, dict) and e.get("path")] if isinstance(entries, list) else []
    )


def deploy_config(args: dict[str, Any], log: TaskLog) -> str:
    role = _role(args)
    role_dir = _role_dir(args)
    if not role_dir.is_dir():
        raise TaskError(f"{role} is not installed in {role_dir}")
    path = _conf_path(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = path.read_text()
    except OSError:
        current = None
    settings = args.get("settings")
    if isinstance(settings, dict):
        text = merge_conf(current or "", {str(k): str(v) for k, v in settings.items()})
    else:
        text = str(args["conf"])
    if not text.endswith("\n"):
        text += "\n"
    if current == text:
        log.write(f"{path} already up to date")
    else:
        tmp = path.with_suffix(".dorisctl-tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
        log.write(f"wrote {path} ({len(text)} bytes)")
    conf = parse_conf(text)
    dirs: list[Path] = []
    if role == "FE":
        dirs.append(resolve_dir(conf.get("meta_dir", "${DORIS_HOME}/doris-meta"), role_dir))
    elif role == "BE":
        for entry in conf.get("storage_root_path", "${DORIS_HOME}/storage").split(";"):
            if entry.strip():
                dirs.append(resolve_dir(entry.split(",")[0], role_dir))
        dirs.extend(resolve_dir(p, role_dir) for p in _file_cache_dirs(conf.get("file_cache_path", "")))
    for d in dirs:
        if d.is_dir():
            log.write(f"directory exists: {d}")
        else:
            try:
                d.mkdir(parents=True)
            except OSError as e:
                raise TaskError(f"cannot create {d}: {e.strerror}") from None
            log.write(f"created directory {d}")
    return f"deploy {role.lower()} config success"


def _healthy(role: str, conf: dict[str, str]) -> bool:
    try:
        if role == "BROKER":
            with socket.create_connection(("127.0.0.1", conf_port(conf, "broker_ipc_port")), timeout=2):
                return True
        if role == "FE":
            url = f"http://127.0.0.1:{conf_port(conf, 'http_port')}/api/bootstrap"
        else:
            url = f"http://127.0.0.1:{conf_port(conf, 'webserver_port')}/api/health"
        with urllib.request.urlopen(url, timeout=3) as resp:
            body = json.loads(resp.read() or b"{}")
        if role == "FE":
            return bool(resp.status == 200 and body.get("code", 0) == 0)
        return bool(resp.status == 200 and str(body.get("status", "")).upper() == "OK")
    except (OSError, ValueError):
        return False


def _wait(cond: Callable[[], bool], timeout: float, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def _run_script(cmd: list[str], cwd: Path, log: TaskLog) -> None:
    log.write("run: " + " ".join(cmd))
    env = dict(os.environ)
    env["DORIS_HOME"] = str(cwd)
    with open(log.path, "a", encoding="utf-8") as out:
        try:
            proc = subprocess.run(
                cmd,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=SCRIPT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TaskError(f"{cmd[1]} did not return within {SCRIPT_TIMEOUT:.0f}s") from None
        except OSError as e:
            raise TaskError(f"cannot run {cmd[1]}: {e.strerror}") from None
    if proc.returncode != 0:
        raise TaskError(f"{Path(cmd[1]).name} exited with status {proc.returncode}")


def _pid_file(role: str, role_dir: Path) -> Path:
    return role_dir / "bin" / PID_FILES[role]


def start(args: dict[str, Any], log: TaskLog) -> str:
    role = _role(args)
    role_dir = _role_dir(args)
    conf = _read_conf(args)
    timeout = float(args.get("timeout", 90))
    pid_file = _pid_file(role, role_dir)
    if pid_alive(pid_file):
        log.write(f"{role} already running (pid file {pid_file})")
    else:
        script = role_dir / "bin" / f"start_{SCRIPTS[role]}.sh"
        if not script.exists():
            raise TaskError(f"{script} not found: is {role} installed?")
        cmd = ["bash", str(script), "--daemon"]
        helper = args.get("helper")
        if role == "FE" and helper:
            cmd += ["--helper", str(helper)]
        _run_script(cmd, role_dir, log)
    dead_since: list[float] = []

    def up() -> bool:
        if pid_alive(pid_file) is None:
            dead_since.append(time.monotonic())
            if dead_since[-1] - dead_since[0] > 3:
                raise TaskError(f"{role} exited right after start; see {role_dir / 'log'}")
            return False
        dead_since.clear()
        return _healthy(role, conf)

    if not _wait(up, timeout):
        alive = pid_alive(pid_file) is not None
        state = "running but its health endpoint does not answer" if alive else "not running"
        raise TaskError(f"{role} did not become healthy within {timeout:.0f}s ({state})")
    log.write(f"{role} is up and healthy")
    return f"start {role.lower()} success"


def stop(args: dict[str, Any], log: TaskLog) -> str:
    role = _role(args)
    role_dir = _role_dir(args)
    pid_file = _pid_file(role, role_dir)
    if pid_alive(pid_file) is None:
        log.write(f"{role} is not running")
        return f"{role.lower()} not running"
    _run_script(["bash", str(role_dir / "bin" / f"stop_{SCRIPTS[role]}.sh")], role_dir, log)
    if not _wait(lambda: pid_alive(pid_file) is None, 30):
        raise TaskError(f"{role} still running 30s after stop")
    log.write(f"{role} stopped")
    return f"stop {role.lower()} success"


TASKS: dict[str, Callable[[dict[str, Any], TaskLog], str]] = {}
for _r in ("FE", "BE", "BROKER"):
    TASKS[f"INSTALL_{_r}"] = install
    TASKS[f"DEPLOY_{_r}_CONFIG"] = deploy_config
    TASKS[f"START_{_r}"] = start
    TASKS[f"STOP_{_r}"] = stop
