"""The meta-service HTTP layer: the only place that knows URLs, tokens, status codes and envelopes.

Transport rules (spec 1, and where dorisctl is stricter):
* `/MetaService/http/<route>` and `/MetaService/http/v1/<route>`; any other `v<N>/` prefix, any
  unknown route: 404 `http path not found or not allowed`. Any HTTP method works (spec 1.2).
* Token first (spec 1.3): `?token=` or `Authorization: Bearer`, compared in constant time; a
  failure is 403 `incorrect token` in plain text and never echoes what was sent.
* JSON-body routes read the raw body whatever the Content-Type (never form-decoded), at most
  4 MiB, parse it strictly and then leniently with the protobuf JSON mapping, 400 on failure.
* Replies: the pretty-printed envelope `{code, msg[, result]}` with Doris's status mapping
  (spec 1.6); `decode_key`, `encode_key` answer plain text.
* No traceback ever reaches a client; no token, query string or body is ever logged.
"""

from __future__ import annotations

import logging
import secrets
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute

from dorisctl import metrics
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.admission import QPS_MSG
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.executor import Executor
from dorisctl.metaservice.ops import instance
from dorisctl.metaservice.rpc import READ_ONLY_HANDLERS
from dorisctl.metaservice.transport.http.envelope import CODE_NAMES, envelope
from dorisctl.metaservice.transport.http.keyview import encode_key_from_query, render_key_tree
from dorisctl.metaservice.transport.http.parse import (
    MAX_BODY_BYTES,
    BodyIncomplete,
    BodyTooLarge,
    header,
    parse_request,
    read_body,
)
from dorisctl.metaservice.transport.http.pbjson import message_to_json_obj
from dorisctl.metaservice.transport.http.routes import ROUTES, JsonRoute, QueryRoute, register

log = logging.getLogger("dorisctl.metaservice.http")

PREFIX = "/MetaService/http/"
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def _error_result(route: JsonRoute, code: int, msg: str, partial: Message | None = None) -> dict[str, Any] | None:
    if partial is not None and route.error_result == "status":
        resp = type(partial)()
        resp.CopyFrom(partial)
        resp.status.code = code  # type: ignore[attr-defined]
        resp.status.msg = msg  # type: ignore[attr-defined]
        return message_to_json_obj(resp)
    if route.error_result == "empty":
        return {}
    if route.error_result == "status" and route.response_type is not None:
        resp = route.response_type()
        status = resp.status  # type: ignore[attr-defined]
        status.code = code
        status.msg = msg
        return message_to_json_obj(resp)
    return None


def _query_token(query: bytes) -> str:
    """The last `token=` query parameter, percent-decoded (what Starlette's query_params gives)."""
    found = ""
    for part in query.split(b"&"):
        if part[:6] == b"token=":
            found = urllib.parse.unquote_plus(part[6:].decode("latin-1"), encoding="utf-8", errors="replace")
    return found


class TokenCheck:
    """The API token (spec 1.3): `?token=` or `Authorization: Bearer`, compared in constant time; a
    refusal is 403 plain text that never echoes what was sent. Shared by every HTTP service."""

    def __init__(self, token: str, log: logging.Logger) -> None:
        self._token = token.encode()
        self._log = log

    def token_ok(self, request: Request) -> tuple[bool, bool]:
        """(valid, given)."""
        sent = _query_token(request.scope["query_string"])
        if not sent:
            auth = (header(request, b"authorization") or b"").decode("latin-1")
            if auth[:7].lower() == "bearer ":
                sent = auth[7:].strip()
        if not sent:
            return False, False
        return secrets.compare_digest(sent.encode(), self._token), True

    def refusal(self, request: Request, route: str) -> Response | None:
        """None when the token is right, else the 403 to send."""
        ok, given = self.token_ok(request)
        if ok:
            return None
        log_event(self._log, "request_refused", logging.WARNING, reason="incorrect token", route=route[:100])
        text = "incorrect token\n" if given else "incorrect token, token=(not given)\n"
        return PlainTextResponse(text, status_code=403)


class MetaServiceHttp:
    def __init__(self, svc: Service, token: str, executor: Executor | None = None) -> None:
        self.svc = svc
        self.auth = TokenCheck(token, log)
        self.executor = executor or Executor(svc)
        self.read_timeout = float(svc.settings.request_read_timeout_seconds)

    async def dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        raw_route = request.path_params["route"]
        refused = self.auth.refusal(request, raw_route)
        if refused is not None:
            return refused
        name = raw_route
        first, sep, rest = raw_route.partition("/")
        if sep and first[:1] == "v" and first[1:].isdigit():
            name = rest if first == "v1" else ""
        code: int = Code.OK
        msg = ""
        response: Response | None = None
        route = ROUTES.get(name)
        admission = self.executor.admission
        admitted = route is not None and admission.enter(name)
        try:
            if route is not None and not admitted:
                raise MetaServiceError(Code.MAX_QPS_LIMIT, QPS_MSG)
            response = await self._route(request, name, raw_route)
        except MetaServiceError as e:
            code, msg = e.code, e.msg
            if isinstance(route, JsonRoute) and route.error_reply is not None:
                response = route.error_reply(e.code, e.msg)
            else:
                result = _error_result(route, e.code, e.msg, e.result) if isinstance(route, JsonRoute) else None
                response = envelope(e.code, e.msg, result)
        except BodyTooLarge:
            code, msg = Code.INVALID_ARGUMENT, f"request body too large: the limit is {MAX_BODY_BYTES} bytes"
            response = envelope(code, msg)
        except BodyIncomplete as e:  # nothing was executed; the client is gone or stalled
            code, msg = Code.INVALID_ARGUMENT, f"request not executed: {e.reason}"
            response = envelope(code, msg)
            response.status_code = 408
        except Exception:
            incident = uuid.uuid4().hex[:12]
            log.exception("unhandled error", extra={"fields": {"route": name, "incident": incident}})
            code, msg = Code.UNDEFINED_ERR, f"internal error, incident={incident} (see the meta-service log)"
            response = envelope(code, msg)
        finally:
            if admitted:
                admission.leave()
        code = getattr(response, "ms_code", code)  # a route that answered an error envelope itself
        if response.status_code == 404 and code == Code.OK:
            level = logging.INFO
        else:
            level = logging.INFO if isinstance(route, JsonRoute) and route.mutates else logging.DEBUG
            if code != Code.OK:
                level = logging.INFO
        metrics.observe_request("http", name if route is not None else "unknown", CODE_NAMES.get(code, "?"), started)
        metrics.flush()  # counted before the reply leaves (a no-op in one process)
        log_event(
            log,
            "request",
            level,
            route=name or raw_route[:100],
            status=response.status_code,
            code=CODE_NAMES.get(code, code),
            ms=round((time.perf_counter() - started) * 1000, 2),
            msg=msg[:300],
        )
        return response

    async def _route(self, request: Request, name: str, raw_route: str) -> Response:
        return await self._compute(request, raw_route, ROUTES.get(name))

    async def _compute(
        self, request: Request, raw_route: str, route: JsonRoute | QueryRoute | None, body: bytes | None = None
    ) -> Response:
        if isinstance(route, QueryRoute):
            return await route.serve(self, request)
        if route is None:
            return PlainTextResponse("http path not found or not allowed\n", status_code=404)
        if body is None:
            body = await read_body(request, timeout=self.read_timeout)
        req = parse_request(body, route.request_type, raw_route)
        if route.adjust is not None:
            route.adjust(req)
        reply = await self.executor.run(
            route.handler,
            req,
            per_instance=route.per_instance,
            queue=route.queue,
            read_only=route.handler in READ_ONLY_HANDLERS,
        )
        if route.reply is not None:
            return route.reply(reply)
        return envelope(Code.OK, reply.msg, reply.result)


# -- query-string routes ------------------------------------------------------------------------------


def coded(response: Response, code: int) -> Response:
    """A reply a route built itself for an error: `dispatch` counts and logs it with this code."""
    response.ms_code = code  # type: ignore[attr-defined]
    return response


async def _get_instance(http: MetaServiceHttp, request: Request) -> Response:
    q = request.query_params
    iid, cuid = q.get("instance_id", ""), q.get("cloud_unique_id", "")
    try:
        reply = await http.executor.run(lambda svc, txn, _: instance.get_instance(svc, txn, iid, cuid), None)
    except MetaServiceError as e:
        return coded(envelope(e.code, e.msg, {}), e.code)
    assert reply.result is not None
    return envelope(Code.OK, "", reply.result)


async def _decode_key(http: MetaServiceHttp, request: Request) -> Response:
    text = request.query_params.get("key", "")
    if not text:
        raise invalid("no key to decode")
    unicode = request.query_params.get("unicode", "") != "false"
    try:
        tree = render_key_tree(text, unicode)
    except keys.KeyDecodeError:
        raise invalid(f"failed to decode key, key={text}") from None
    return Response(tree + b"\n", media_type="text/plain; charset=utf-8")


async def _encode_key(http: MetaServiceHttp, request: Request) -> Response:
    try:
        key = encode_key_from_query(dict(request.query_params))
    except ValueError as e:
        return coded(PlainTextResponse(f"{e}\n", status_code=400), Code.INVALID_ARGUMENT)
    return PlainTextResponse(key.hex() + "\n")


register("get_instance", QueryRoute(_get_instance))
register("decode_key", QueryRoute(_decode_key))
register("encode_key", QueryRoute(_encode_key))


async def health(request: Request) -> Response:
    return PlainTextResponse("ok\n")


async def metrics_page(request: Request) -> Response:
    """Prometheus text (also at /brpc_metrics, where Doris's dashboards scrape a meta-service)."""
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


METRICS_ROUTES = [
    StarletteRoute("/metrics", metrics_page, methods=["GET"]),
    StarletteRoute("/brpc_metrics", metrics_page, methods=["GET"]),
]


def build_app(
    svc: Service, token: str, extra_routes: Sequence[BaseRoute] = (), executor: Executor | None = None
) -> Starlette:
    """The meta-service app; `extra_routes` mounts other services (e.g. the in-process recycler)."""
    http = MetaServiceHttp(svc, token, executor)
    routes = [
        StarletteRoute("/health", health, methods=["GET", "HEAD"]),
        *METRICS_ROUTES,
        StarletteRoute(PREFIX + "{route:path}", http.dispatch, methods=ALL_METHODS),
        *extra_routes,
    ]
    return Starlette(routes=routes)
