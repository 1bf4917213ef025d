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

import json
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from google.protobuf import json_format
from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from dorisctl.kv import Conflict, KvError, MaybeCommitted, TooLarge, Txn, Unavailable, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys, resource
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.keyview import render_key_tree
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.resource import Reply
from dorisctl.metaservice.service import Service

log = logging.getLogger("dorisctl.metaservice.http")

MAX_BODY_BYTES = 4 * 1024 * 1024
PREFIX = "/MetaService/http/"

Handler = Callable[[Service, Txn, Any], Awaitable[Reply]]
ErrorResult = Literal["none", "empty", "status"]


@dataclass(frozen=True)
class JsonRoute:
    """A JSON-body route: the body is `request_type` in protobuf JSON; one transaction runs `handler`.

    error_result: what `result` an error reply carries (spec trap 8): nothing, `{}`, or the
    response message holding only its `status`.
    """

    handler: Handler
    request_type: type[Message]
    error_result: ErrorResult = "none"
    response_type: type[Message] | None = None
    mutates: bool = True


ROUTES: dict[str, JsonRoute] = {}


def register(name: str, route: JsonRoute) -> None:
    """Add a JSON-body route (other modules register theirs the same way)."""
    if name in ROUTES:
        raise ValueError(f"route {name} registered twice")
    ROUTES[name] = route


_AI = cloud_pb2.AlterInstanceRequest
_AC = cloud_pb2.AlterClusterRequest
_AO = cloud_pb2.AlterObjStoreInfoRequest
for _name, _route in {
    "create_instance": JsonRoute(resource.create_instance, cloud_pb2.CreateInstanceRequest),
    "drop_instance": JsonRoute(resource.drop_instance, _AI),
    "rename_instance": JsonRoute(resource.rename_instance, _AI),
    "enable_instance_sse": JsonRoute(resource.enable_instance_sse, _AI),
    "disable_instance_sse": JsonRoute(resource.disable_instance_sse, _AI),
    "set_instance_status": JsonRoute(resource.set_instance_status, _AI),
    "add_cluster": JsonRoute(resource.add_cluster, _AC),
    "drop_cluster": JsonRoute(resource.drop_cluster, _AC),
    "rename_cluster": JsonRoute(resource.rename_cluster, _AC),
    "add_node": JsonRoute(resource.add_node, _AC),
    "drop_node": JsonRoute(resource.drop_node, _AC),
    "update_cluster_mysql_user_name": JsonRoute(resource.update_cluster_mysql_user_name, _AC),
    "set_cluster_status": JsonRoute(resource.set_cluster_status, _AC),
    "get_cluster": JsonRoute(resource.get_cluster, cloud_pb2.GetClusterRequest, mutates=False),
    "get_cluster_status": JsonRoute(resource.get_cluster_status, cloud_pb2.GetClusterStatusRequest, mutates=False),
    "get_obj_store_info": JsonRoute(
        resource.get_obj_store_info,
        cloud_pb2.GetObjStoreInfoRequest,
        error_result="status",
        response_type=cloud_pb2.GetObjStoreInfoResponse,
        mutates=False,
    ),
    "add_obj_info": JsonRoute(resource.add_obj_info, _AO),
    "legacy_update_ak_sk": JsonRoute(resource.legacy_update_ak_sk, _AO),
    "update_ak_sk": JsonRoute(resource.update_ak_sk, cloud_pb2.UpdateAkSkRequest),
    "alter_ram_user": JsonRoute(resource.alter_ram_user, cloud_pb2.AlterRamUserRequest),
}.items():
    register(_name, _route)


# -- replies -------------------------------------------------------------------------------------

_ENVELOPE_CODES: dict[int, tuple[int, str]] = {
    Code.OK: (200, "OK"),
    Code.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    Code.PROTOBUF_PARSE_ERR: (400, "INVALID_ARGUMENT"),
    Code.CLUSTER_NOT_FOUND: (404, "NOT_FOUND"),
    Code.TABLET_NOT_FOUND: (404, "NOT_FOUND"),
    Code.ALREADY_EXISTED: (409, "ALREADY_EXISTED"),
}


def status_of(code: int) -> tuple[int, str]:
    """(HTTP status, envelope code) for a MetaServiceCode (spec 1.6)."""
    return _ENVELOPE_CODES.get(code, (500, "INTERNAL_ERROR"))


def message_to_json_obj(msg: Message) -> dict[str, Any]:
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def envelope(code: int, msg: str, result: dict[str, Any] | None = None) -> Response:
    http_status, name = status_of(code)
    doc: dict[str, Any] = {"code": name, "msg": msg}
    if result is not None:
        doc["result"] = result
    body = json.dumps(doc, indent=4, ensure_ascii=False) + "\n"
    return Response(body.encode(), status_code=http_status, media_type="text/plain")


def _error_result(route: JsonRoute, code: int, msg: str) -> dict[str, Any] | None:
    if route.error_result == "empty":
        return {}
    if route.error_result == "status" and route.response_type is not None:
        resp = route.response_type()
        status = resp.status  # type: ignore[attr-defined]
        status.code = code
        status.msg = msg
        return message_to_json_obj(resp)
    return None


def kv_error_to_ms(e: KvError) -> MetaServiceError:
    if isinstance(e, Conflict):
        return MetaServiceError(Code.KV_TXN_CONFLICT, f"failed to commit kv txn, err={e.name}: retries exhausted")
    if isinstance(e, TooLarge):
        return MetaServiceError(Code.KV_TXN_COMMIT_ERR, f"failed to commit kv txn, err={e.name}: {e}")
    if isinstance(e, MaybeCommitted):
        return MetaServiceError(
            Code.KV_TXN_COMMIT_ERR,
            "failed to commit kv txn, err=MaybeCommitted: the outcome is unknown; read the state before retrying",
        )
    if isinstance(e, Unavailable):
        return MetaServiceError(Code.KV_TXN_STORE_COMMIT_RETRYABLE, f"kv store unavailable, retry later: {e}")
    return MetaServiceError(Code.KV_TXN_COMMIT_ERR, f"kv error: {e}")


# -- request parsing -------------------------------------------------------------------------------


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_request(body: bytes, message_type: type[Message], route_path: str) -> Message:
    """The protobuf JSON mapping, strict first, then ignoring unknown fields and enum names (spec 1.5)."""
    prefix = f"parse http request '{route_path}': "
    try:
        data = json.loads(body)
    except ValueError as e:
        raise invalid(prefix + f"invalid JSON: {e}") from None
    if not isinstance(data, dict):
        raise invalid(prefix + "the body must be a JSON object")
    msg = message_type()
    try:
        json_format.ParseDict(data, msg)
        return msg
    except Exception:
        pass
    msg = message_type()
    try:
        json_format.ParseDict(data, msg, ignore_unknown_fields=True)
    except Exception as e:
        raise invalid(prefix + str(e)) from None
    return msg


# -- the application --------------------------------------------------------------------------------


class MetaServiceHttp:
    def __init__(self, svc: Service, token: str) -> None:
        self.svc = svc
        self._token = token.encode()

    def token_ok(self, request: Request) -> tuple[bool, bool]:
        """(valid, given)."""
        sent = request.query_params.get("token", "")
        if not sent:
            auth = request.headers.get("authorization", "")
            if auth[:7].lower() == "bearer ":
                sent = auth[7:].strip()
        if not sent:
            return False, False
        return secrets.compare_digest(sent.encode(), self._token), True

    async def dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        raw_route = request.path_params["route"]
        ok, given = self.token_ok(request)
        if not ok:
            log_event(log, "request_refused", logging.WARNING, reason="incorrect token", route=raw_route[:100])
            text = "incorrect token\n" if given else "incorrect token, token=(not given)\n"
            return PlainTextResponse(text, status_code=403)
        name = raw_route
        first, sep, rest = raw_route.partition("/")
        if sep and first[:1] == "v" and first[1:].isdigit():
            name = rest if first == "v1" else ""
        code: int = Code.OK
        msg = ""
        response: Response | None = None
        try:
            response = await self._route(request, name, raw_route)
        except MetaServiceError as e:
            code, msg = e.code, e.msg
            route = ROUTES.get(name)
            response = envelope(e.code, e.msg, _error_result(route, e.code, e.msg) if route else None)
        except BodyTooLarge:
            code, msg = Code.INVALID_ARGUMENT, f"request body too large: the limit is {MAX_BODY_BYTES} bytes"
            response = envelope(code, msg)
        except Exception:
            incident = uuid.uuid4().hex[:12]
            log.exception("unhandled error", extra={"fields": {"route": name, "incident": incident}})
            code, msg = Code.UNDEFINED_ERR, f"internal error, incident={incident} (see the meta-service log)"
            response = envelope(code, msg)
        if response.status_code == 404 and code == Code.OK:
            level = logging.INFO
        else:
            level = logging.INFO if name in ROUTES and ROUTES[name].mutates else logging.DEBUG
            if code != Code.OK:
                level = logging.INFO
        log_event(
            log,
            "request",
            level,
            route=name or raw_route[:100],
            status=response.status_code,
            code=Code.Name(code) if code in Code.values() else code,
            ms=round((time.perf_counter() - started) * 1000, 2),
            msg=msg[:300],
        )
        return response

    async def _route(self, request: Request, name: str, raw_route: str) -> Response:
        route = ROUTES.get(name)
        if route is not None:
            body = await read_body(request)
            req = parse_request(body, route.request_type, raw_route)
            svc = self.svc
            try:
                reply = await run_txn(svc.kv, lambda txn: route.handler(svc, txn, req))
            except KvError as e:
                raise kv_error_to_ms(e) from None
            result = None if reply.result is None else message_to_json_obj(reply.result)
            return envelope(Code.OK, reply.msg, result)
        if name == "get_instance":
            return await self._get_instance(request)
        if name == "decode_key":
            return self._decode_key(request)
        if name == "encode_key":
            return self._encode_key(request)
        return PlainTextResponse("http path not found or not allowed\n", status_code=404)

    async def _get_instance(self, request: Request) -> Response:
        q = request.query_params
        svc = self.svc
        try:
            reply = await run_txn(
                svc.kv,
                lambda txn: resource.get_instance(svc, txn, q.get("instance_id", ""), q.get("cloud_unique_id", "")),
            )
        except MetaServiceError as e:
            return envelope(e.code, e.msg, {})
        except KvError as e:
            err = kv_error_to_ms(e)
            return envelope(err.code, err.msg, {})
        assert reply.result is not None
        return envelope(Code.OK, "", message_to_json_obj(reply.result))

    @staticmethod
    def _decode_key(request: Request) -> Response:
        text = request.query_params.get("key", "")
        if not text:
            raise invalid("no key to decode")
        unicode = request.query_params.get("unicode", "") != "false"
        try:
            tree = render_key_tree(text, unicode)
        except keys.KeyDecodeError:
            raise invalid(f"failed to decode key, key={text}") from None
        return Response(tree + b"\n", media_type="text/plain; charset=utf-8")

    @staticmethod
    def _encode_key(request: Request) -> Response:
        from dorisctl.metaservice.keyview import encode_key_from_query

        try:
            key = encode_key_from_query(dict(request.query_params))
        except ValueError as e:
            return PlainTextResponse(f"{e}\n", status_code=400)
        return PlainTextResponse(key.hex() + "\n")


async def health(request: Request) -> Response:
    return PlainTextResponse("ok\n")


def build_app(svc: Service, token: str, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The meta-service app; `extra_routes` mounts other services (e.g. the in-process recycler)."""
    http = MetaServiceHttp(svc, token)
    all_methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    routes = [
        Route("/health", health, methods=["GET", "HEAD"]),
        Route(PREFIX + "{route:path}", http.dispatch, methods=all_methods),
        *extra_routes,
    ]
    return Starlette(routes=routes)
