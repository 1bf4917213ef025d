"""The operator API's shapes: request bodies parsed into commands (``Invalid`` naming the field on
bad input, before anything is stored) and rows turned into the reference's JSON views."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .connector import validate_private_key
from .errors import Invalid
from .models import Agent, AgentRole, AuditEvent, Process, Role, Status, Step, Task

_HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,253}$")
_USER_RE = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
MAX_CONF = 1 << 20


def iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+00:00"


# -- field parsers -----------------------------------------------------------------------------------
def req_str(body: dict[str, Any], key: str) -> str:
    v = body.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise Invalid(f"{key} is required and must be a non-empty string")
    return v.strip()


def req_int(body: dict[str, Any], key: str, default: int | None = None) -> int:
    v = body.get(key, default)
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise Invalid(f"{key} is required and must be an integer")
    return v


def host(v: Any, what: str = "host") -> str:
    if not isinstance(v, str) or not _HOST_RE.match(v.strip()):
        raise Invalid(f"{what} {v!r} is not a valid host name or IPv4 address")
    return v.strip()


def role(v: Any) -> Role:
    r = str(v or "").upper()
    if r not in Role.__members__:
        raise Invalid(f"role {v!r} must be one of FE, BE, BROKER")
    return Role(r)


def non_empty_list(body: dict[str, Any], key: str) -> list[Any]:
    v = body.get(key)
    if not isinstance(v, list) or not v:
        raise Invalid(f"{key} is required and must be a non-empty list")
    return v


def ssh_user(v: str) -> str:
    if not _USER_RE.match(v):
        raise Invalid("user is not a valid user name")
    return v


def ssh_port(v: int) -> int:
    if not 0 < v < 65536:
        raise Invalid("sshPort must be between 1 and 65535")
    return v


def private_key(v: str) -> str:
    try:
        validate_private_key(v)
    except ValueError as e:
        raise Invalid(str(e)) from None
    return v


def package_url(v: str) -> str:
    parsed = urlparse(v)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise Invalid("packageUrl must be an http:// or https:// URL")
    return v


def install_dir(v: str) -> str:
    if not v.startswith("/") or ".." in v.split("/") or "\n" in v:
        raise Invalid("installDir must be an absolute path without '..'")
    return v.rstrip("/") or "/"


# -- commands ----------------------------------------------------------------------------------------
@dataclass
class InstallAgent:
    cluster_id: str
    hosts: list[str]
    user: str
    port: int
    key: str
    package_url: str
    install_dir: str
    agent_port: int


def parse_install_agent(body: dict[str, Any], default_agent_port: int) -> InstallAgent:
    cluster_id = req_str(body, "clusterId")
    hosts = [host(h) for h in non_empty_list(body, "hosts")]
    if len(set(hosts)) != len(hosts):
        raise Invalid("hosts contains duplicates")
    user = ssh_user(req_str(body, "user"))
    port = ssh_port(req_int(body, "sshPort" if "sshPort" in body else "port", 22))
    key = private_key(req_str(body, "sshKey"))
    url = package_url(req_str(body, "packageUrl"))
    idir = install_dir(req_str(body, "installDir"))
    agent_port = req_int(body, "agentPort", default_agent_port)
    return InstallAgent(cluster_id, hosts, user, port, key, url, idir, agent_port)


@dataclass
class InstallService:
    process_id: int
    items: list[tuple[str, Role, str | None]]  # host, role, FE node type


def parse_install_service(body: dict[str, Any]) -> InstallService:
    pid = req_int(body, "processId")
    items: list[tuple[str, Role, str | None]] = []
    for i in non_empty_list(body, "installInfos"):
        if not isinstance(i, dict):
            raise Invalid("installInfos entries must be objects")
        r = role(i.get("role"))
        nt = i.get("feNodeType")
        fe_type = str(nt or "FOLLOWER").upper() if r == Role.FE else None
        if fe_type not in (None, "FOLLOWER", "OBSERVER"):
            raise Invalid("feNodeType must be FOLLOWER or OBSERVER")
        items.append((host(i.get("host")), r, fe_type))
    return InstallService(pid, items)


@dataclass
class DeployConfig:
    process_id: int
    items: list[tuple[list[str], Role, str]]  # hosts, role, conf file text
    merge: bool = False  # True: the text's keys are set in the package's own conf file


def parse_deploy_config(body: dict[str, Any]) -> DeployConfig:
    pid = req_int(body, "processId")
    items: list[tuple[list[str], Role, str]] = []
    for d in non_empty_list(body, "deployConfigs"):
        if not isinstance(d, dict):
            raise Invalid("deployConfigs entries must be objects")
        hosts = d.get("hosts")
        if not isinstance(hosts, list) or not hosts:
            raise Invalid("deployConfigs.hosts must be a non-empty list")
        conf = d.get("conf")
        if not isinstance(conf, str) or not conf.strip():
            raise Invalid("deployConfigs.conf must be the conf file text")
        if len(conf) > MAX_CONF:
            raise Invalid("deployConfigs.conf is larger than 1 MiB")
        items.append(([host(h) for h in hosts], role(d.get("role")), conf))
    return DeployConfig(pid, items)


@dataclass
class StartService:
    process_id: int
    items: list[tuple[str, Role]]


def parse_start_service(body: dict[str, Any]) -> StartService:
    pid = req_int(body, "processId")
    items = []
    for d in non_empty_list(body, "dorisStarts"):
        if not isinstance(d, dict):
            raise Invalid("dorisStarts entries must be objects")
        items.append((host(d.get("host")), role(d.get("role"))))
    return StartService(pid, items)


@dataclass
class BuildCluster:
    process_id: int
    fe_hosts: list[str]
    be_hosts: list[str]
    broker_hosts: list[str]


def parse_build_cluster(body: dict[str, Any]) -> BuildCluster:
    pid = req_int(body, "processId")
    for key in ("feHosts", "beHosts", "brokerHosts"):
        if not isinstance(body.get(key) or [], list):
            raise Invalid("feHosts and beHosts must be lists")
    fe = [host(h) for h in body.get("feHosts") or []]
    be = [host(h) for h in body.get("beHosts") or []]
    broker = [host(h) for h in body.get("brokerHosts") or []]
    return BuildCluster(pid, fe, be, broker)


# -- views -------------------------------------------------------------------------------------------
def process_view(p: Process, step: int) -> dict[str, Any]:
    return {
        "id": p.id,
        "clusterId": p.cluster_id,
        "processType": p.process_type,
        "processStep": step,
        "status": p.status,
        "finish": p.finish,
        "masterFe": p.master_fe,
        "createTime": iso(p.create_time),
        "updateTime": iso(p.update_time),
    }


def task_view(t: Task, compat: bool = True) -> dict[str, Any]:
    status = Status.RUNNING.value if (compat and t.status == Status.SUBMITTED) else t.status
    if t.status == Status.SUCCESS:
        response = t.result or f"{t.task_type.lower()} success"
    elif t.status == Status.FAILURE:
        response = t.result or f"{t.task_type.lower()} fail"
    else:
        response = t.result or ""
    return {
        "id": t.id,
        "processId": t.process_id,
        "host": t.host,
        "processType": t.process_type,
        "taskType": t.task_type,
        "taskRole": t.role,
        "status": status,
        "startTime": iso(t.start_time),
        "endTime": iso(t.end_time),
        "executorId": t.executor_id,
        "result": t.result,
        "finish": t.finish,
        "skip": t.skip,
        "attempts": t.attempts,
        "response": response,
    }


def agent_view(a: Agent) -> dict[str, Any]:
    return {
        "id": a.id,
        "clusterId": a.cluster_id,
        "host": a.host,
        "port": a.port,
        "installDir": a.install_dir,
        "status": a.status,
        "registerTime": iso(a.register_time),
        "lastReportedTime": iso(a.last_reported_time),
    }


def hardware_view(a: Agent) -> dict[str, Any]:
    return {"host": a.host, **json.loads(a.hardware_json or "{}")}


def role_view(r: AgentRole) -> dict[str, Any]:
    return {
        "id": r.id,
        "host": r.host,
        "clusterId": r.cluster_id,
        "role": r.role,
        "feNodeType": r.fe_node_type,
        "installDir": r.install_dir,
        "register": r.register,
    }


def audit_view(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "time": iso(e.time),
        "actor": e.actor,
        "action": e.action,
        "target": e.target,
        "outcome": e.outcome,
        "detail": json.loads(e.detail) if e.detail else None,
    }


def step_index(step: str) -> int:
    """The index of an install step, or of a lifecycle operation's stage (``RESTART#004`` -> 4)."""
    if "#" in step:
        return int(step.rpartition("#")[2])
    return list(Step).index(Step(step))
