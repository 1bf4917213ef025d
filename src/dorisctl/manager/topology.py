"""The topology file: one declarative description of a Doris cluster (YAML, or the same document
as JSON over the REST API), parsed into a ``Topology`` and validated as a whole. Every problem is
reported at once, each naming the field (``be[1].heartbeat_service_port``) and, for YAML, the line;
unknown keys are refused. Defaults are Doris's own (ports) and TiUP's habits (ssh port 22)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MODES = ("integrated", "cloud")
FE_PORTS = {"http_port": 8030, "rpc_port": 9020, "query_port": 9030, "edit_log_port": 9010}
BE_PORTS = {"be_port": 9060, "webserver_port": 8040, "heartbeat_service_port": 9050, "brpc_port": 8060}
BROKER_PORTS = {"broker_ipc_port": 8000}
OBJ_KEYS = ("ak", "sk", "bucket", "prefix", "endpoint", "region", "provider", "external_endpoint")
OBJ_REQUIRED = ("ak", "sk", "bucket", "endpoint", "region", "provider")
DEFAULT_GROUP = "default_compute_group"
# conf keys the manager writes itself: set them with the topology's own fields
MANAGED = {
    *FE_PORTS,
    *BE_PORTS,
    *BROKER_PORTS,
    "deploy_mode",
    "meta_service_endpoint",
    "cloud_unique_id",
    "priority_networks",
}
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,253}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_INSTANCE = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
_USER = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
_CONF_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class TopologyError(ValueError):
    """The topology is invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid topology:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass
class Global:
    user: str
    ssh_port: int
    ssh_key_file: str | None
    ssh_key: str | None  # the private key text (the CLI reads ssh_key_file and sends it)
    install_dir: str
    package_url: str
    agent_port: int


@dataclass
class MetaService:
    endpoint: str | None
    token_file: str | None
    token: str | None
    instance_id: str
    obj_info: dict[str, str]


@dataclass
class Node:
    role: str  # FE, BE, BROKER
    host: str
    ports: dict[str, int]
    config: dict[str, str]
    fe_type: str | None = None  # FOLLOWER or OBSERVER for FEs
    compute_group: str | None = None  # BEs in cloud mode
    priority_networks: str | None = None
    storage_root_path: str | None = None
    file_cache_path: str | None = None
    meta_dir: str | None = None

    @property
    def main_port(self) -> int:
        """The port that identifies the node to the cluster (edit log, heartbeat, broker ipc)."""
        key = {"FE": "edit_log_port", "BE": "heartbeat_service_port", "BROKER": "broker_ipc_port"}[self.role]
        return self.ports[key]

    @property
    def node_id(self) -> str:
        """Stable name of the node inside its instance (the tail of its cloud_unique_id)."""
        return f"{self.role.lower()}_{self.host.replace('.', '_').replace('-', '_')}_{self.main_port}"


@dataclass
class Topology:
    deploy_mode: str
    global_: Global
    meta_service: MetaService | None
    fe: list[Node]
    be: list[Node]
    broker: list[Node] = field(default_factory=list)

    @property
    def nodes(self) -> list[Node]:
        return [*self.fe, *self.be, *self.broker]

    @property
    def hosts(self) -> list[str]:
        return list(dict.fromkeys(n.host for n in self.nodes))

    def compute_groups(self) -> dict[str, list[Node]]:
        out: dict[str, list[Node]] = {}
        for n in self.be:
            out.setdefault(n.compute_group or DEFAULT_GROUP, []).append(n)
        return out


# -- YAML with line numbers ----------------------------------------------------------------------------
def load_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Parse YAML into plain data plus the line of every field path (``be[1].host`` -> 12)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise TopologyError([f"{where}not valid YAML: {getattr(e, 'problem', None) or e}"]) from None
    lines: dict[str, int] = {}
    problems: list[str] = []
    scalars = yaml.SafeLoader("")

    def convert(node: yaml.Node, path: str) -> Any:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for k, v in node.value:
                key = str(k.value)
                sub = f"{path}.{key}" if path else key
                if key in out:
                    problems.append(f"line {k.start_mark.line + 1}: {sub}: duplicate key")
                out[key] = convert(v, sub)
                lines[sub] = k.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
        return scalars.construct_object(node, deep=True)

    data = convert(root, "") if root is not None else {}
    if problems:
        raise TopologyError(problems)
    return data, lines


def parse_yaml(text: str) -> Topology:
    data, lines = load_yaml(text)
    return parse(data, lines)


# -- validation ----------------------------------------------------------------------------------------
class _Check:
    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.problems: list[str] = []

    def bad(self, path: str, msg: str) -> None:
        line = self.lines.get(path)
        if line is None and "." in path:
            line = self.lines.get(path.rsplit(".", 1)[0])
        self.problems.append(f"{f'line {line}: ' if line else ''}{path}: {msg}")

    def mapping(
        self, v: Any, path: str, allowed: set[str], required: frozenset[str] | set[str] = frozenset()
    ) -> dict[str, Any]:
        if v is None:
            v = {}
        if not isinstance(v, dict):
            self.bad(path, "must be a mapping")
            return {}
        for k in v:
            if k not in allowed:
                self.bad(f"{path}.{k}" if path else k, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for k in sorted(required):
            if v.get(k) is None:
                self.bad(f"{path}.{k}" if path else k, "is required")
        return v

    def string(self, v: Any, path: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, str | int | float) or not str(v).strip():
            self.bad(path, "must be a non-empty string")
            return None
        s = str(v).strip()
        if pattern is not None and not pattern.match(s):
            self.bad(path, f"{s!r} is not a valid {what}")
            return None
        return s

    def port(self, v: Any, path: str, default: int) -> int:
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 65536:
            self.bad(path, "must be a port number between 1 and 65535")
            return default
        return v

    def config(self, v: Any, path: str) -> dict[str, str]:
        if v is None:
            return {}
        if not isinstance(v, dict):
            self.bad(path, "must be a mapping of conf keys to values")
            return {}
        out = {}
        for k, val in v.items():
            sub = f"{path}.{k}"
            if not _CONF_KEY.match(str(k)):
                self.bad(sub, "is not a valid conf key")
            elif k in MANAGED:
                self.bad(sub, "is written by dorisctl; set it with the node's own field")
            elif isinstance(val, dict | list) or val is None or "\n" in str(val):
                self.bad(sub, "must be a single-line value")
            else:
                out[str(k)] = str(val).lower() if isinstance(val, bool) else str(val)
        return out


def _node(c: _Check, v: Any, path: str, role: str, cloud: bool) -> Node | None:
    ports = {"FE": FE_PORTS, "BE": BE_PORTS, "BROKER": BROKER_PORTS}[role]
    extra = {
        "FE": {"role", "meta_dir"},
        "BE": {"compute_group", "storage_root_path", "file_cache_path"},
        "BROKER": set(),
    }[role]
    m = c.mapping(v, path, {"host", "config", "priority_networks", *ports, *extra}, {"host"})
    host = c.string(m.get("host"), f"{path}.host", _HOST, "host name or IPv4 address")
    node = Node(
        role=role,
        host=host or "",
        ports={k: c.port(m.get(k), f"{path}.{k}", d) for k, d in ports.items()},
        config=c.config(m.get("config"), f"{path}.config"),
    )
    pn = c.string(m.get("priority_networks"), f"{path}.priority_networks")
    if pn is not None:
        for net in pn.split(";"):
            try:
                ipaddress.ip_network(net.strip(), strict=False)
            except ValueError:
                c.bad(f"{path}.priority_networks", f"{net!r} is not a CIDR network")
        node.priority_networks = pn
    for key in ("meta_dir", "storage_root_path", "file_cache_path"):
        if key in extra:
            p = c.string(m.get(key), f"{path}.{key}")
            if p is not None and not p.startswith("/"):
                c.bad(f"{path}.{key}", "must be an absolute path")
            setattr(node, key, p)
    if role == "FE":
        t = str(m.get("role") or "FOLLOWER").upper()
        if t not in ("FOLLOWER", "OBSERVER"):
            c.bad(f"{path}.role", "must be FOLLOWER or OBSERVER")
        node.fe_type = t
    if role == "BE":
        g = c.string(m.get("compute_group"), f"{path}.compute_group", _NAME, "compute group name")
        if g is not None and not cloud:
            c.bad(f"{path}.compute_group", "is only for deploy_mode: cloud")
        node.compute_group = (g or DEFAULT_GROUP) if cloud else None
    return node if host else None


def parse(data: Any, lines: dict[str, int] | None = None) -> Topology:
    """Validate a topology document (the YAML's data, or the REST API's JSON)."""
    c = _Check(lines or {})
    top = c.mapping(data, "", {"deploy_mode", "global", "meta_service", "fe", "be", "broker"}, {"global", "fe", "be"})
    mode = str(top.get("deploy_mode") or "integrated")
    if mode not in MODES:
        c.bad("deploy_mode", "must be cloud or integrated")
    cloud = mode == "cloud"
    g = c.mapping(
        top.get("global"),
        "global",
        {"user", "ssh_port", "ssh_key_file", "ssh_key", "install_dir", "package_url", "agent_port"},
        {"user", "package_url"},
    )
    install_dir = c.string(g.get("install_dir"), "global.install_dir") or "/opt/doris"
    if not install_dir.startswith("/") or ".." in install_dir.split("/"):
        c.bad("global.install_dir", "must be an absolute path without '..'")
    url = c.string(g.get("package_url"), "global.package_url") or ""
    if url and not re.match(r"^https?://[^/\s]+", url):
        c.bad("global.package_url", "must be an http:// or https:// URL")
    if g.get("ssh_key_file") is None and g.get("ssh_key") is None and "global" in top:
        c.bad("global.ssh_key_file", "is required (the private key the manager logs in with)")
    glob = Global(
        user=c.string(g.get("user"), "global.user", _USER, "user name") or "",
        ssh_port=c.port(g.get("ssh_port"), "global.ssh_port", 22),
        ssh_key_file=c.string(g.get("ssh_key_file"), "global.ssh_key_file"),
        ssh_key=c.string(g.get("ssh_key"), "global.ssh_key"),
        install_dir=install_dir.rstrip("/") or "/",
        package_url=url,
        agent_port=c.port(g.get("agent_port"), "global.agent_port", 9602),
    )
    ms = None
    if "meta_service" in top and not cloud:
        c.bad("meta_service", "is only for deploy_mode: cloud")
    if cloud:
        m = c.mapping(
            top.get("meta_service"),
            "meta_service",
            {"endpoint", "token_file", "token", "instance_id", "obj_info"},
            {"instance_id", "obj_info"},
        )
        endpoint = c.string(m.get("endpoint"), "meta_service.endpoint")
        if endpoint is not None and not re.match(r"^[A-Za-z0-9.\-]+:\d{1,5}$", endpoint):
            c.bad("meta_service.endpoint", "must be host:port")
        obj = c.mapping(m.get("obj_info"), "meta_service.obj_info", set(OBJ_KEYS), set(OBJ_REQUIRED))
        obj_info = {k: s for k in OBJ_KEYS if (s := c.string(obj.get(k), f"meta_service.obj_info.{k}")) is not None}
        obj_info.setdefault("prefix", "")
        if "endpoint" in obj_info:
            obj_info.setdefault("external_endpoint", obj_info["endpoint"])
        ms = MetaService(
            endpoint=endpoint,
            token_file=c.string(m.get("token_file"), "meta_service.token_file"),
            token=c.string(m.get("token"), "meta_service.token"),
            instance_id=c.string(m.get("instance_id"), "meta_service.instance_id", _INSTANCE, "instance id") or "",
            obj_info=obj_info,
        )
    groups: dict[str, list[Node]] = {}
    for key, role in (("fe", "FE"), ("be", "BE"), ("broker", "BROKER")):
        raw = top.get(key)
        if raw is None:
            groups[key] = []
            continue
        if not isinstance(raw, list) or (not raw and key != "broker"):
            c.bad(key, "must be a non-empty list of nodes")
            groups[key] = []
            continue
        nodes = [_node(c, v, f"{key}[{i}]", role, cloud) for i, v in enumerate(raw)]
        groups[key] = [n for n in nodes if n is not None]
        seen: dict[str, int] = {}
        for i, n in enumerate(nodes):
            if n is None:
                continue
            if n.host in seen:
                c.bad(f"{key}[{i}].host", f"{n.host} already has a {role} ({key}[{seen[n.host]}]); one per host")
            seen[n.host] = i
    if groups["fe"] and groups["fe"][0].fe_type != "FOLLOWER":
        c.bad("fe[0].role", "the first FE becomes the master and must be a FOLLOWER")
    _port_clashes(c, groups)
    if c.problems:
        raise TopologyError(c.problems)
    return Topology(mode, glob, ms, groups["fe"], groups["be"], groups["broker"])


def _port_clashes(c: _Check, groups: dict[str, list[Node]]) -> None:
    used: dict[tuple[str, int], str] = {}
    for key in ("fe", "be", "broker"):
        for i, n in enumerate(groups[key]):
            for pk, port in n.ports.items():
                where = f"{key}[{i}].{pk}"
                other = used.get((n.host, port))
                if other is not None:
                    c.bad(where, f"port {port} on {n.host} is also {other}")
                used[(n.host, port)] = where


def to_document(t: Topology, secrets: bool = False) -> dict[str, Any]:
    """The topology as a document again (what ``parse`` reads); secrets left out unless asked."""
    g = t.global_
    glob: dict[str, Any] = {
        "user": g.user,
        "ssh_port": g.ssh_port,
        "install_dir": g.install_dir,
        "package_url": g.package_url,
        "agent_port": g.agent_port,
    }
    if g.ssh_key_file:
        glob["ssh_key_file"] = g.ssh_key_file
    if secrets and g.ssh_key:
        glob["ssh_key"] = g.ssh_key
    doc: dict[str, Any] = {"deploy_mode": t.deploy_mode, "global": glob}
    if t.meta_service is not None:
        ms = t.meta_service
        obj = {k: v for k, v in ms.obj_info.items() if secrets or k not in ("ak", "sk")}
        doc["meta_service"] = {"instance_id": ms.instance_id, "obj_info": obj}
        if ms.endpoint:
            doc["meta_service"]["endpoint"] = ms.endpoint
        if secrets and ms.token:
            doc["meta_service"]["token"] = ms.token
    for key, nodes in (("fe", t.fe), ("be", t.be), ("broker", t.broker)):
        out = []
        for n in nodes:
            d: dict[str, Any] = {"host": n.host, **n.ports}
            for attr in ("priority_networks", "meta_dir", "storage_root_path", "file_cache_path", "compute_group"):
                if getattr(n, attr):
                    d[attr] = getattr(n, attr)
            if n.role == "FE":
                d["role"] = n.fe_type
            if n.config:
                d["config"] = dict(n.config)
            out.append(d)
        if out or key != "broker":
            doc[key] = out
    return doc
