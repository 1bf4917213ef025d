"""The manager's REST API as an OpenAPI 3.1 document (served at ``/api/openapi.json``): every
operator endpoint of the reference, the cluster endpoints (deploy and the lifecycle operations),
the agents' RPC and the health/metrics pages. One table, ``OPERATIONS``; a test checks it against
the application's routes both ways, so an endpoint cannot be added without being described."""

from __future__ import annotations

from typing import Any

from .lifecycle import KINDS

Schema = dict[str, Any]
OBJ: Schema = {"type": "object"}
ANY: Schema = {}
STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}


def obj(required: tuple[str, ...] = (), **props: Schema) -> Schema:
    out: Schema = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


TOPOLOGY = obj(
    topology={"type": "object", "description": "the topology document (the YAML file's data)"},
    topologyText={"type": "string", "description": "the topology file's text (YAML); problems name its lines"},
)
FILTER = obj(
    role={"type": ["string", "null"], "enum": ["fe", "be", "broker", None]},
    node={"type": ["string", "null"], "description": "HOST:PORT as ALTER SYSTEM names the node"},
)
STARTED = obj(name=STR, kind=STR, processId={"type": ["integer", "null"]}, stages=INT, changed=arr(STR), nodes=arr(STR))
LIFECYCLE: dict[str, tuple[str, Schema]] = {
    "stop": ("Stop nodes: BEs, brokers, then FEs (the master last)", FILTER),
    "start": ("Start nodes (the master first), each until Doris lists it alive", FILTER),
    "restart": ("Rolling restart, one node at a time", FILTER),
    "reload": ("Write changed config: values, restart only the nodes whose conf changed", TOPOLOGY),
    "upgrade": (
        "Fetch and verify a package on every host, then upgrade node by node in Doris's order",
        obj(("packageUrl",), packageUrl=STR, sha256={"type": ["string", "null"]}),
    ),
    "rollback": ("Put back the install the last upgrade replaced", OBJ),
    "scale-in": (
        "Decommission / drop a node, stop it and remove its install",
        obj(("node",), node=STR, force=BOOL, purgeData=BOOL),
    ),
    "destroy": (
        "Stop every node and remove every install (confirm with the cluster's name)",
        obj(("confirm",), confirm=STR, purgeData=BOOL, dropInstance=BOOL),
    ),
}

# (path, method, tag, summary, request body schema or None, response data schema)
OPERATIONS: list[tuple[str, str, str, str, Schema | None, Schema]] = [
    ("/api/server/installAgent", "post", "install", "Start an install process: the agent on each host", OBJ, INT),
    ("/api/server/agentList", "get", "install", "Agents (of a cluster)", None, arr(OBJ)),
    ("/api/server/agentList", "post", "install", "Agents (of a cluster)", OBJ, arr(OBJ)),
    ("/api/server/roleList", "get", "install", "Doris roles installed per host", None, arr(OBJ)),
    ("/api/server/roleList", "post", "install", "Doris roles installed per host", OBJ, arr(OBJ)),
    ("/api/agent/installService", "post", "install", "Step 1: install FE/BE/broker packages", OBJ, ANY),
    ("/api/agent/deployConfig", "post", "install", "Step 2: write the conf files", OBJ, ANY),
    ("/api/agent/startService", "post", "install", "Step 3: start the services", OBJ, ANY),
    ("/api/agent/buildCluster", "post", "install", "Step 4: ALTER SYSTEM ADD the nodes", OBJ, ANY),
    ("/api/agent/hardware/{cid}", "get", "install", "Hardware of a cluster's agents", None, arr(OBJ)),
    ("/api/agent/hardware/{cid}", "post", "install", "Hardware of a cluster's agents", None, arr(OBJ)),
    ("/api/process/installComplete/{pid}", "post", "process", "Mark an install process complete", None, ANY),
    ("/api/process/currentProcess", "get", "process", "The unfinished process (of a cluster)", None, ANY),
    ("/api/process/currentProcess", "post", "process", "The unfinished process (of a cluster)", OBJ, ANY),
    ("/api/process/{pid}/currentTasks", "get", "process", "Tasks of the process's current step", None, arr(OBJ)),
    ("/api/process/{pid}/currentTasks", "post", "process", "Tasks of the process's current step", None, arr(OBJ)),
    ("/api/process/{pid}/progress", "get", "process", "Every task of a process", None, arr(OBJ)),
    ("/api/process/task/info/{tid}", "get", "process", "One task", None, OBJ),
    ("/api/process/task/log/{tid}", "get", "process", "A task's log tail", None, obj(logPath=STR, log=STR)),
    ("/api/process/task/retry/{tid}", "post", "process", "Retry a failed task", None, ANY),
    ("/api/process/task/skip/{tid}", "post", "process", "Skip a failed task", None, ANY),
    ("/api/process/back/{pid}", "post", "process", "Back from START_SERVICE to DEPLOY_CONFIG", None, ANY),
    ("/api/process/cancel/{pid}", "post", "process", "End a process where it stands", None, ANY),
    ("/api/audit", "get", "process", "The audit trail, newest first", None, arr(OBJ)),
    ("/api/cluster", "get", "cluster", "The clusters deployed from a topology", None, arr(OBJ)),
    ("/api/cluster/check", "post", "cluster", "Preflight checks of a topology", TOPOLOGY, OBJ),
    ("/api/cluster/deploy", "post", "cluster", "Check, then deploy a cluster", TOPOLOGY, OBJ),
    ("/api/cluster/{name}", "get", "cluster", "A cluster, its topology and its latest process", None, OBJ),
    (
        "/api/cluster/{name}/display",
        "get",
        "cluster",
        "Every node: process, Doris's and the meta-service's view",
        None,
        OBJ,
    ),
    ("/api/cluster/{name}/retry", "post", "cluster", "Retry the failed tasks of the cluster's process", None, OBJ),
    ("/api/cluster/{name}/cancel", "post", "cluster", "Cancel the cluster's unfinished process", None, OBJ),
    ("/api/cluster/{name}/scale-out", "post", "cluster", "Add the nodes of a topology fragment", TOPOLOGY, STARTED),
    *((f"/api/cluster/{{name}}/{k}", "post", "cluster", LIFECYCLE[k][0], LIFECYCLE[k][1], STARTED) for k in KINDS),
    ("/api/agent-rpc/register", "post", "agent", "An agent registers (agent token)", OBJ, OBJ),
    ("/api/agent-rpc/poll", "post", "agent", "Long poll for tasks; also the heartbeat", OBJ, OBJ),
    ("/api/agent-rpc/result", "post", "agent", "A task's result", OBJ, ANY),
    ("/api/agent-rpc/log", "post", "agent", "A running task's log tail", OBJ, ANY),
    ("/api/openapi.json", "get", "meta", "This document", None, OBJ),
]
PUBLIC = {"/api/openapi.json", "/healthz", "/metrics"}


def _operation(path: str, method: str, tag: str, summary: str, body: Schema | None, data: Schema) -> dict[str, Any]:
    schema: Schema = {"$ref": "#/components/schemas/Envelope"}
    if data:
        schema = {"allOf": [schema, obj(data=data)]}
    responses: dict[str, Any] = {
        "200": {"description": "success (code 0)", "content": {"application/json": {"schema": schema}}}
    }
    if path != "/api/openapi.json":
        for code, what in (
            ("400", "bad input, nothing changed"),
            ("401", "no token, or a wrong one"),
            ("404", "no such cluster, process, task or node"),
            ("409", "conflicts with the state (busy, finished, refused)"),
        ):
            responses[code] = {"description": what, "content": _error_content()}
    op: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "responses": responses,
    }
    params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
    if params:
        op["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": INT if p in ("pid", "tid") else STR} for p in params
        ]
    if body is not None:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    if path.startswith("/api/agent-rpc/"):
        op["security"] = [{"agentToken": []}]
    elif path in PUBLIC:
        op["security"] = []
    return op


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}


def document(version: str = "0.1.0") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, method, tag, summary, body, data in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(path, method, tag, summary, body, data)
    text = {"content": {"text/plain": {"schema": STR}}}
    paths["/healthz"] = {
        "get": {"tags": ["meta"], "summary": "Liveness", "operationId": "get_healthz", "security": [],
                "responses": {"200": {"description": "up", "content": _error_content()}}}
    }  # fmt: skip
    paths["/metrics"] = {
        "get": {"tags": ["meta"], "summary": "Prometheus metrics", "operationId": "get_metrics", "security": [],
                "responses": {"200": {"description": "exposition format", **text}}}
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dorisctl manager",
            "version": version,
            "description": "Operator REST API (the Doris Manager reference's envelope {msg, code, data}; code 0 "
            "is success, otherwise the HTTP status), cluster lifecycle, and the agents' RPC.",
        },
        "servers": [{"url": "/"}],
        "security": [{"operatorToken": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "operatorToken": {"type": "http", "scheme": "bearer", "description": "the operator token"},
                "agentToken": {"type": "http", "scheme": "bearer", "description": "an agent's own token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "dorisctl_session"},
            },
            "schemas": {
                "Envelope": obj(("msg", "code"), msg=STR, code=INT, data=ANY),
            },
        },
    }
