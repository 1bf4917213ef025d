"""HTTP layer of the manager: the operator REST API of the reference (envelope ``{msg, code, data}``),
the agent RPC endpoints and the web console. The only place that knows about HTTP, tokens in
requests and status codes (each error kind of ``errors`` maps to one here); everything else is in
``engine``. Operators authenticate with ``Authorization: Bearer <token>`` (CLI, REST) or with the
session cookie of ``web`` (browser; state-changing requests also carry the session's CSRF token);
a token in the URL is refused, bad tokens are throttled per address (``websession.Throttle``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dorisctl.metrics import CONTENT_TYPE, MANAGER_TASKS, exposition

from . import openapi
from .clusters import Clusters
from .deploy import Deployer
from .engine import Engine
from .errors import Conflict, Invalid, ManagerError, NotFound, TooLarge, Unavailable
from .lifecycle import KINDS as LIFECYCLE_KINDS
from .models import Status
from .webui import WebAuth, web_routes

log = logging.getLogger("dorisctl.manager.http")
MAX_BODY = 2 << 20
Handler = Callable[[Request], Awaitable[Any]]
STATUS: dict[type[ManagerError], int] = {Invalid: 400, NotFound: 404, Conflict: 409, TooLarge: 413, Unavailable: 503}


def error_response(e: ManagerError) -> JSONResponse:
    """The one mapping of an error kind to its HTTP status (also the envelope's ``code``)."""
    status = next((code for kind, code in STATUS.items() if isinstance(e, kind)), 500)
    return envelope(e.data, code=status, msg=e.msg, status=status)


def envelope(data: Any = None, code: int = 0, msg: str = "success", status: int = 200) -> JSONResponse:
    return JSONResponse({"msg": msg, "code": code, "data": data}, status_code=status)


def _bearer(request: Request) -> str:
    h = request.headers.get("authorization", "")
    if h.lower().startswith("bearer "):
        return h[7:].strip()
    return ""


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise TooLarge("request body too large")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise Invalid("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object")
    return body


def _int_path(request: Request, key: str) -> int:
    v = request.path_params[key]
    if not str(v).isdigit():
        raise Invalid(f"{key} must be an integer")
    return int(v)


def build_app(
    engine: Engine,
    operator_token: str,
    clusters: Clusters | None = None,
    auth: WebAuth | None = None,
) -> Starlette:
    if clusters is None:
        clusters = Clusters(Deployer(engine))
    deployer = clusters.deployer
    web = auth or WebAuth(operator_token)

    def operator(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            refused = web.check(request)
            if refused is not None:
                status, msg, headers = refused
                out = envelope(code=status, msg=msg, status=status)
                out.headers.update(headers)
                return out
            try:
                out = await fn(request)
            except ManagerError as e:
                return error_response(e)
            except Exception:
                log.exception("operator request %s %s failed", request.method, request.url.path)
                return envelope(code=500, msg="server error", status=500)
            if isinstance(out, Response):
                return out
            return envelope(out)

        return wrapped

    def agent_rpc(
        fn: Callable[[str, dict[str, Any]], Awaitable[Any]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            token = _bearer(request)
            if not token:
                return envelope(code=401, msg="unauthorized", status=401)
            try:
                out = await fn(token, await _json(request))
            except ManagerError as e:
                return error_response(e)
            except Exception:
                log.exception("agent request %s failed", request.url.path)
                return envelope(code=500, msg="server error", status=500)
            if out is None or out is False:
                return envelope(code=401, msg="unauthorized: unknown agent token", status=401)
            return envelope(out if isinstance(out, dict) else None)

        return wrapped

    def actor(request: Request) -> str:
        return f"operator@{request.client.host if request.client else '?'}"

    # -- operator endpoints ------------------------------------------------------------------------
    async def install_agent(r: Request) -> Any:
        return await engine.install_agent(await _json(r), actor(r))

    async def agent_list(r: Request) -> Any:
        return engine.agent_list(r.query_params.get("clusterId"))

    async def role_list(r: Request) -> Any:
        return engine.role_list(r.query_params.get("clusterId"))

    async def install_service(r: Request) -> Any:
        await engine.install_service(await _json(r), actor(r))

    async def deploy_config(r: Request) -> Any:
        await engine.deploy_config(await _json(r), actor(r))

    async def start_service(r: Request) -> Any:
        await engine.start_service(await _json(r), actor(r))

    async def build_cluster(r: Request) -> Any:
        await engine.build_cluster(await _json(r), actor(r))

    async def install_complete(r: Request) -> Any:
        await engine.install_complete(_int_path(r, "pid"), actor(r))

    async def current_process(r: Request) -> Any:
        cluster = r.query_params.get("clusterId")
        if cluster is None and r.method == "POST":
            cluster = (await _json(r)).get("clusterId")
        return engine.current_process(str(cluster) if cluster is not None else None)

    async def current_tasks(r: Request) -> Any:
        return engine.current_tasks(_int_path(r, "pid"))

    async def progress(r: Request) -> Any:
        return engine.progress(_int_path(r, "pid"))

    async def task_info(r: Request) -> Any:
        return engine.task_info(_int_path(r, "tid"))

    async def task_log(r: Request) -> Any:
        return engine.task_log(_int_path(r, "tid"))

    async def retry(r: Request) -> Any:
        await engine.retry(_int_path(r, "tid"), actor(r))

    async def skip(r: Request) -> Any:
        await engine.skip(_int_path(r, "tid"), actor(r))

    async def hardware(r: Request) -> Any:
        return engine.hardware(str(r.path_params["cid"]))

    async def back(r: Request) -> Any:
        await engine.back(_int_path(r, "pid"), actor(r))

    async def cancel(r: Request) -> Any:
        await engine.cancel(_int_path(r, "pid"), actor(r))

    async def audit_list(r: Request) -> Any:
        limit = min(int(r.query_params.get("limit", "200") or 200), 1000)
        return engine.audit_list(limit)

    # -- clusters from a topology --------------------------------------------------------------------
    async def cluster_check(r: Request) -> Any:
        return await deployer.check(await _json(r), actor(r))

    async def cluster_deploy(r: Request) -> Any:
        return await deployer.deploy(await _json(r), actor(r))

    async def cluster_list(r: Request) -> Any:
        return clusters.list()

    async def cluster_view(r: Request) -> Any:
        return clusters.view(str(r.path_params["name"]))

    async def cluster_display(r: Request) -> Any:
        return await clusters.display(str(r.path_params["name"]))

    async def cluster_retry(r: Request) -> Any:
        return await deployer.retry(str(r.path_params["name"]), actor(r))

    def cluster_op(kind: str) -> Handler:
        async def handler(r: Request) -> Any:
            return await clusters.lifecycle.submit(str(r.path_params["name"]), kind, await _json(r), actor(r))

        return handler

    async def cluster_scale_out(r: Request) -> Any:
        return await clusters.ops.scale_out(str(r.path_params["name"]), await _json(r), actor(r))

    async def cluster_cancel(r: Request) -> Any:
        return await clusters.cancel(str(r.path_params["name"]), actor(r))

    # -- agent rpc ---------------------------------------------------------------------------------
    async def rpc_register(token: str, body: dict[str, Any]) -> Any:
        aid = engine.dispatch.register(token, body)
        return None if aid is None else {"agentId": aid}

    async def rpc_poll(token: str, body: dict[str, Any]) -> Any:
        return await engine.dispatch.poll(token, body)

    async def rpc_result(token: str, body: dict[str, Any]) -> Any:
        return engine.dispatch.result(token, body)

    async def rpc_log(token: str, body: dict[str, Any]) -> Any:
        return engine.dispatch.log(token, body)

    async def openapi_doc(_r: Request) -> Response:
        # no token, as /healthz: it describes the API, it holds nothing of a deployment
        return JSONResponse(openapi.document())

    async def health(_r: Request) -> Response:
        return envelope({"status": "OK"})

    async def metrics(_r: Request) -> Response:
        # no token, as the meta-service's: counts and timings only (tasks by state, durations by type)
        counts = await asyncio.to_thread(engine.task_counts)
        for state in [*(x.value for x in Status), "SKIPPED"]:
            MANAGER_TASKS.labels(state).set(counts.get(state, 0))
        return Response(exposition(), media_type=CONTENT_TYPE)

    g, p = ["GET"], ["POST"]
    gp = ["GET", "POST"]
    routes = [
        Route("/api/server/installAgent", operator(install_agent), methods=p),
        Route("/api/server/agentList", operator(agent_list), methods=gp),
        Route("/api/server/roleList", operator(role_list), methods=gp),
        Route("/api/agent/installService", operator(install_service), methods=p),
        Route("/api/agent/deployConfig", operator(deploy_config), methods=p),
        Route("/api/agent/startService", operator(start_service), methods=p),
        Route("/api/agent/buildCluster", operator(build_cluster), methods=p),
        Route("/api/agent/hardware/{cid}", operator(hardware), methods=gp),
        Route("/api/process/installComplete/{pid}", operator(install_complete), methods=p),
        Route("/api/process/currentProcess", operator(current_process), methods=gp),
        Route("/api/process/{pid}/currentTasks", operator(current_tasks), methods=gp),
        Route("/api/process/{pid}/progress", operator(progress), methods=g),
        Route("/api/process/task/info/{tid}", operator(task_info), methods=g),
        Route("/api/process/task/log/{tid}", operator(task_log), methods=g),
        Route("/api/process/task/retry/{tid}", operator(retry), methods=p),
        Route("/api/process/task/skip/{tid}", operator(skip), methods=p),
        Route("/api/process/back/{pid}", operator(back), methods=p),
        Route("/api/process/cancel/{pid}", operator(cancel), methods=p),
        Route("/api/audit", operator(audit_list), methods=g),
        Route("/api/cluster", operator(cluster_list), methods=g),
        Route("/api/cluster/check", operator(cluster_check), methods=p),
        Route("/api/cluster/deploy", operator(cluster_deploy), methods=p),
        Route("/api/cluster/{name}", operator(cluster_view), methods=g),
        Route("/api/cluster/{name}/display", operator(cluster_display), methods=g),
        Route("/api/cluster/{name}/retry", operator(cluster_retry), methods=p),
        Route("/api/cluster/{name}/cancel", operator(cluster_cancel), methods=p),
        Route("/api/cluster/{name}/scale-out", operator(cluster_scale_out), methods=p),
        *(Route(f"/api/cluster/{{name}}/{k}", operator(cluster_op(k)), methods=p) for k in LIFECYCLE_KINDS),
        *web_routes(web),
        Route("/api/agent-rpc/register", agent_rpc(rpc_register), methods=p),
        Route("/api/agent-rpc/poll", agent_rpc(rpc_poll), methods=p),
        Route("/api/agent-rpc/result", agent_rpc(rpc_result), methods=p),
        Route("/api/agent-rpc/log", agent_rpc(rpc_log), methods=p),
        Route("/api/openapi.json", openapi_doc, methods=g),
        Route("/healthz", health, methods=g),
        Route("/metrics", metrics, methods=g),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return envelope(code=404, msg=f"no such endpoint: {request.method} {request.url.path}", status=404)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return envelope(code=405, msg=f"method {request.method} not allowed here", status=405)

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
