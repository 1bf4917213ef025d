"""The agent's tasks for a deployed cluster's later life: fetch and verify a package before anything
is stopped (``FETCH_PACKAGE``), swap a stopped node's install to another package keeping its conf,
data, meta and logs (``UPGRADE_<role>``) and swap it back (``ROLLBACK_<role>``), and remove a node's
install (``REMOVE_<role>``, data dirs kept unless purged). Each looks at the host first, so a retry
after a crash finds its work done."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

from .facts import CONF_FILES, ROLE_DIRS, parse_conf, resolve_dir
from .tasks import TaskError, TaskLog, _find_role_source, _role, _role_dir, _safe_extract, download_once

MARKER = ".dorisctl-install.json"
KEEP = {"conf", "log", MARKER}


def _cache(args: dict[str, Any]) -> Path:
    return Path(str(args["installDir"])) / ".dorisctl" / "packages"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _version_of(pkg: Path) -> str:
    """The release name of a package: its one top directory (``apache-doris-2.1.7-bin-x64``)."""
    try:
        with tarfile.open(pkg, "r:*") as tar:
            tops = {m.name.split("/")[0] for m in tar.getmembers() if m.name}
    except tarfile.TarError as e:
        raise TaskError(f"package is not a readable tarball: {e}") from None
    if len(tops) != 1:
        raise TaskError(f"package must hold exactly one top directory, found {len(tops)}")
    return tops.pop()


def fetch_package(args: dict[str, Any], log: TaskLog) -> str:
    """Download the package once per host and check it: sha256 (when given), a tarball holding a
    directory for every role this host runs. Nothing on the host is stopped or changed."""
    url = str(args["packageUrl"])
    pkg = download_once(url, _cache(args), log)
    want = str(args.get("sha256") or "").lower()
    if want:
        got = _sha256(pkg)
        if got != want:
            pkg.unlink(missing_ok=True)  # a later fetch downloads it again
            raise TaskError(f"checksum mismatch for {url}: sha256 {got}, expected {want}")
        log.write(f"sha256 {got} verified")
    tmp = Path(str(args["installDir"])) / ".dorisctl" / "verify"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _safe_extract(pkg, tmp)
        for role in args.get("roles") or []:
            _find_role_source(tmp, _role({"role": role}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    version = _version_of(pkg)
    log.write(f"package {version} verified for {', '.join(args.get('roles') or []) or 'this host'}")
    return f"fetched {version}"


def _kept_names(role: str, role_dir: Path) -> set[str]:
    """Top-level names of the role dir that hold conf, logs or data (never swapped or removed)."""
    keep = set(KEEP)
    for d in _data_dirs(role, role_dir):
        try:
            keep.add(d.relative_to(role_dir).parts[0])
        except (ValueError, IndexError):
            continue
    return keep


def _data_dirs(role: str, role_dir: Path) -> list[Path]:
    try:
        conf = parse_conf((role_dir / "conf" / CONF_FILES[role]).read_text())
    except OSError:
        conf = {}
    if role == "FE":
        return [resolve_dir(conf.get("meta_dir", "${DORIS_HOME}/doris-meta"), role_dir)]
    if role == "BE":
        out = [
            resolve_dir(e.split(",")[0], role_dir)
            for e in conf.get("storage_root_path", "${DORIS_HOME}/storage").split(";")
            if e.strip()
        ]
        try:
            cache = json.loads(conf.get("file_cache_path", "[]"))
        except ValueError:
            cache = []
        if isinstance(cache, list):
            out += [resolve_dir(str(e["path"]), role_dir) for e in cache if isinstance(e, dict) and e.get("path")]
        return out
    return []


def _backup_dir(args: dict[str, Any]) -> Path:
    return Path(str(args["installDir"])) / ".dorisctl" / "rollback" / ROLE_DIRS[_role(args)]


def _marker(role_dir: Path) -> dict[str, Any]:
    try:
        out = json.loads((role_dir / MARKER).read_text())
        return out if isinstance(out, dict) else {}
    except (OSError, ValueError):
        return {}


def _move_swappable(role_dir: Path, dest: Path, keep: set[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for p in role_dir.iterdir():
        if p.name not in keep:
            os.replace(p, dest / p.name)


def upgrade(args: dict[str, Any], log: TaskLog) -> str:
    """Swap a stopped node's program files for the package's: the old ones move to the rollback
    dir (replacing an older backup), conf/log/data stay, new conf files are added, existing kept."""
    role = _role(args)
    role_dir = _role_dir(args)
    url = str(args["packageUrl"])
    if not role_dir.is_dir():
        raise TaskError(f"{role} is not installed in {role_dir}")
    current = _marker(role_dir)
    if current.get("packageUrl") == url:
        log.write(f"{role} already runs {url}")
        return f"{role} already upgraded"
    pkg = download_once(url, _cache(args), log)
    backup = _backup_dir(args)
    tmp = backup.parent / f"unpack-{role.lower()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _safe_extract(pkg, tmp)
        src = _find_role_source(tmp, role)
        keep = _kept_names(role, role_dir)
        shutil.rmtree(backup, ignore_errors=True)
        _move_swappable(role_dir, backup, keep)
        (backup / MARKER).write_text(json.dumps(current))
        for p in src.iterdir():
            if p.name == "conf":
                continue
            os.replace(p, role_dir / p.name)
        (role_dir / "conf").mkdir(exist_ok=True)
        for f in (src / "conf").glob("*") if (src / "conf").is_dir() else []:
            if not (role_dir / "conf" / f.name).exists():
                shutil.copy2(f, role_dir / "conf" / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    version = _version_of(pkg)
    (role_dir / MARKER).write_text(json.dumps({"packageUrl": url, "version": version, "time": time.time()}))
    log.write(f"{role} upgraded to {version}; the previous install is in {backup}")
    return f"upgrade {role.lower()} to {version} success"


def rollback(args: dict[str, Any], log: TaskLog) -> str:
    """Put back the install the last upgrade replaced (conf, log and data untouched)."""
    role = _role(args)
    role_dir = _role_dir(args)
    backup = _backup_dir(args)
    previous = _marker(backup) if backup.is_dir() else {}
    if not previous:
        want = str(args.get("packageUrl") or "")
        if want and _marker(role_dir).get("packageUrl") == want:
            log.write(f"{role} already runs {want}")
            return f"{role} already rolled back"
        raise TaskError(f"no previous install of {role} to roll back to in {backup}")
    keep = _kept_names(role, role_dir)
    trash = backup.parent / f"trash-{role.lower()}"
    shutil.rmtree(trash, ignore_errors=True)
    _move_swappable(role_dir, trash, keep)
    for p in backup.iterdir():
        if p.name != MARKER:
            os.replace(p, role_dir / p.name)
    (role_dir / MARKER).write_text(json.dumps(previous))
    shutil.rmtree(backup, ignore_errors=True)
    shutil.rmtree(trash, ignore_errors=True)
    log.write(f"{role} rolled back to {previous.get('packageUrl')}")
    return f"rollback {role.lower()} success"


def remove(args: dict[str, Any], log: TaskLog) -> str:
    """Remove a stopped node's install; its data dirs stay unless ``purgeData``."""
    role = _role(args)
    role_dir = _role_dir(args)
    purge = bool(args.get("purgeData"))
    shutil.rmtree(_backup_dir(args), ignore_errors=True)
    if not role_dir.exists():
        log.write(f"{role_dir} already removed")
        return f"{role.lower()} already removed"
    data = _data_dirs(role, role_dir)
    keep = set() if purge else (_kept_names(role, role_dir) - KEEP)
    for p in role_dir.iterdir():
        if p.name in keep:
            log.write(f"kept data dir {p}")
            continue
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    if purge:
        for d in data:
            shutil.rmtree(d, ignore_errors=True)
            log.write(f"purged {d}")
    if not any(role_dir.iterdir()):
        role_dir.rmdir()
    log.write(f"{role} install removed from {role_dir}")
    return f"remove {role.lower()} success" + (" (data purged)" if purge else " (data kept)")


LIFECYCLE_TASKS = {"FETCH_PACKAGE": fetch_package}
for _r in ("FE", "BE", "BROKER"):
    LIFECYCLE_TASKS[f"UPGRADE_{_r}"] = upgrade
    LIFECYCLE_TASKS[f"ROLLBACK_{_r}"] = rollback
    LIFECYCLE_TASKS[f"REMOVE_{_r}"] = remove
