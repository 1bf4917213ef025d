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

import asyncio
import contextlib
import json
import logging
import secrets
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from google.protobuf import json_format, text_format
from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from dorisctl.kv import Conflict, KvError, MaybeCommitted, TooLarge, Txn, Unavailable, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import job, keys, pbparse, resource, tablet
from dorisctl.metaservice import txn as txn_ops
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.keyview import render_key_tree
from dorisctl.metaservice.pbjson import message_to_json_obj, pretty_json, pretty_message
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.resource import Reply
from dorisctl.metaservice.respcache import CachedReply, ResponseCache
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
    # Replies that are not the JSON envelope (spec 1.7): render a success / an error (incl. parse errors).
    reply: Callable[[Reply], Response] | None = None
    error_reply: Callable[[int, str], Response] | None = None
    # Read-modify-write of one instance value: such requests for the same instance queue up in
    # this process instead of conflicting (see InstanceQueue).
    per_instance: bool = False


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
    "create_instance": JsonRoute(resource.create_instance, cloud_pb2.CreateInstanceRequest, per_instance=True),
    "drop_instance": JsonRoute(resource.drop_instance, _AI, per_instance=True),
    "rename_instance": JsonRoute(resource.rename_instance, _AI, per_instance=True),
    "enable_instance_sse": JsonRoute(resource.enable_instance_sse, _AI, per_instance=True),
    "disable_instance_sse": JsonRoute(resource.disable_instance_sse, _AI, per_instance=True),
    "set_instance_status": JsonRoute(resource.set_instance_status, _AI, per_instance=True),
    "add_cluster": JsonRoute(resource.add_cluster, _AC, per_instance=True),
    "drop_cluster": JsonRoute(resource.drop_cluster, _AC, per_instance=True),
    "rename_cluster": JsonRoute(resource.rename_cluster, _AC, per_instance=True),
    "add_node": JsonRoute(resource.add_node, _AC, per_instance=True),
    "drop_node": JsonRoute(resource.drop_node, _AC, per_instance=True),
    "update_cluster_mysql_user_name": JsonRoute(resource.update_cluster_mysql_user_name, _AC, per_instance=True),
    "set_cluster_status": JsonRoute(resource.set_cluster_status, _AC, per_instance=True),
    "get_cluster": JsonRoute(resource.get_cluster, cloud_pb2.GetClusterRequest, mutates=False),
    "get_cluster_status": JsonRoute(resource.get_cluster_status, cloud_pb2.GetClusterStatusRequest, mutates=False),
    "get_obj_store_info": JsonRoute(
        resource.get_obj_store_info,
        cloud_pb2.GetObjStoreInfoRequest,
        error_result="status",
        response_type=cloud_pb2.GetObjStoreInfoResponse,
        mutates=False,
    ),
    "add_obj_info": JsonRoute(resource.add_obj_info, _AO, per_instance=True),
    "legacy_update_ak_sk": JsonRoute(resource.legacy_update_ak_sk, _AO, per_instance=True),
    "update_ak_sk": JsonRoute(resource.update_ak_sk, cloud_pb2.UpdateAkSkRequest, per_instance=True),
    "alter_ram_user": JsonRoute(resource.alter_ram_user, cloud_pb2.AlterRamUserRequest, per_instance=True),
}.items():
    register(_name, _route)


# -- transactions, tablets, rowsets, tablet jobs (docs/transactions.md) -----------------------------


def _protobuf_text_reply(reply: Reply) -> Response:
    """get_tablet_stats (spec 7.5): the response in protobuf text format plus one more newline."""
    assert reply.result is not None
    return Response((text_format.MessageToString(reply.result) + "\n").encode(), media_type="text/plain")


def _status_only_error(code: int, msg: str) -> Response:
    """get_tablet_stats errors (spec 1.7): only the HTTP status; the body is a newline."""
    return Response(b"\n", status_code=status_of(code)[0], media_type="text/plain")


def _without_result(handler: Handler) -> Handler:
    """abort_txn / abort_tablet_job answer only `{code, msg}` (spec 7.6, 7.8)."""

    async def run(svc: Service, txn: Txn, req: Any) -> Reply:
        reply = await handler(svc, txn, req)
        return Reply(msg=reply.msg)

    return run


def _rpc(
    handler: Handler, request_type: type[Message], response_type: type[Message], mutates: bool = True
) -> JsonRoute:
    """A brpc RPC over HTTP: result = the response message; errors carry its status and data."""
    return JsonRoute(handler, request_type, error_result="status", response_type=response_type, mutates=mutates)


_CR = cloud_pb2.CreateRowsetRequest
_CRR = cloud_pb2.CreateRowsetResponse
for _name, _route in {
    "get_tablet_stats": JsonRoute(
        tablet.get_tablet_stats,
        cloud_pb2.GetTabletStatsRequest,
        mutates=False,
        reply=_protobuf_text_reply,
        error_reply=_status_only_error,
    ),
    "abort_txn": JsonRoute(_without_result(txn_ops.abort_txn), cloud_pb2.AbortTxnRequest),
    "abort_tablet_job": JsonRoute(_without_result(job.abort_tablet_job), cloud_pb2.FinishTabletJobRequest),
    "begin_txn": _rpc(txn_ops.begin_txn, cloud_pb2.BeginTxnRequest, cloud_pb2.BeginTxnResponse),
    "precommit_txn": _rpc(txn_ops.precommit_txn, cloud_pb2.PrecommitTxnRequest, cloud_pb2.PrecommitTxnResponse),
    "commit_txn": _rpc(txn_ops.commit_txn, cloud_pb2.CommitTxnRequest, cloud_pb2.CommitTxnResponse),
    "get_txn": _rpc(txn_ops.get_txn, cloud_pb2.GetTxnRequest, cloud_pb2.GetTxnResponse, mutates=False),
    "create_tablets": _rpc(tablet.create_tablets, cloud_pb2.CreateTabletsRequest, cloud_pb2.CreateTabletsResponse),
    "get_tablet": _rpc(tablet.get_tablet, cloud_pb2.GetTabletRequest, cloud_pb2.GetTabletResponse, mutates=False),
    "prepare_rowset": _rpc(tablet.prepare_rowset, _CR, _CRR),
    "commit_rowset": _rpc(tablet.commit_rowset, _CR, _CRR),
    "get_rowset": _rpc(tablet.get_rowset, cloud_pb2.GetRowsetRequest, cloud_pb2.GetRowsetResponse, mutates=False),
    "get_version": _rpc(tablet.get_version, cloud_pb2.GetVersionRequest, cloud_pb2.GetVersionResponse, mutates=False),
    "start_tablet_job": _rpc(job.start_tablet_job, cloud_pb2.StartTabletJobRequest, cloud_pb2.StartTabletJobResponse),
    "finish_tablet_job": _rpc(
        job.finish_tablet_job, cloud_pb2.FinishTabletJobRequest, cloud_pb2.FinishTabletJobResponse
    ),
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


_CODE_NAMES: dict[int, str] = {v.number: v.name for v in Code.DESCRIPTOR.values}


def status_of(code: int) -> tuple[int, str]:
    """(HTTP status, envelope code) for a MetaServiceCode (spec 1.6)."""
    return _ENVELOPE_CODES.get(code, (500, "INTERNAL_ERROR"))


def envelope(code: int, msg: str, result: dict[str, Any] | Message | None = None) -> Response:
    """The JSON envelope `{code, msg[, result]}` in Doris's layout, with its HTTP status."""
    http_status, name = status_of(code)
    body = '{\n    "code": ' + pretty_json(name) + ',\n    "msg": ' + pretty_json(msg)
    if isinstance(result, Message):
        body += ',\n    "result": ' + pretty_message(result, "    ")
    elif result is not None:
        body += ',\n    "result": ' + pretty_json(result, "    ")
    body += "\n}\n"
    return Response(body.encode(), status_code=http_status, media_type="text/plain")


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


def _header(request: Request, name: bytes) -> bytes | None:
    for key, value in request.scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused past `limit` (read straight from ASGI: no form decoding, ever)."""
    declared = _header(request, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            break  # the client went away; what arrived is parsed and fails if incomplete
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def strip_trailing_commas(text: str) -> str:
    """Drop commas that directly precede `}` or `]` outside strings."""
    out: list[str] = []
    in_string = escaped = False
    pending_comma = -1
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "}]" and pending_comma >= 0:
            out[pending_comma] = ""
        if ch == ",":
            pending_comma = len(out)
        elif not ch.isspace():
            pending_comma = -1
        if ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


def parse_request(body: bytes, message_type: type[Message], route_path: str) -> Message:
    """The protobuf JSON mapping, strict first, then ignoring unknown fields and enum names (spec 1.5)."""
    prefix = f"parse http request '{route_path}': "
    try:
        data = json.loads(body)
    except ValueError as e:
        try:  # the API reference's own examples carry trailing commas; accept those, nothing else
            data = json.loads(strip_trailing_commas(body.decode()))
        except ValueError:
            raise invalid(prefix + f"invalid JSON: {e}") from None
    if not isinstance(data, dict):
        raise invalid(prefix + "the body must be a JSON object")
    msg = message_type()
    try:
        pbparse.fill(msg, data)
        return msg
    except pbparse.Irregular:
        pass
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


def _instance_hint(req: Message) -> str:
    """The instance a resource request names (by id or by a node's cloud_unique_id)."""
    return str(getattr(req, "instance_id", "") or getattr(req, "cloud_unique_id", ""))


class InstanceQueue:
    """FIFO locks by instance, for requests that read-modify-write one instance value.

    Under optimistic concurrency two such requests for one instance in the same commit batch
    always conflict; the loser backs off and can keep losing to the winner's next request until
    its retries run out (measured: 32-282 of ~30,000 writes failed in bench/meta_http.py). Queuing
    them in the process removes those conflicts and is fair; other processes are still kept
    correct by the store's conflict checks. The key is a hint: requests naming one instance in two
    ways (id, cloud_unique_id) may still meet as optimistic conflicts, which stay correct.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _query_token(query: bytes) -> str:
    """The last `token=` query parameter, percent-decoded (what Starlette's query_params gives)."""
    found = ""
    for part in query.split(b"&"):
        if part[:6] == b"token=":
            found = urllib.parse.unquote_plus(part[6:].decode("latin-1"), encoding="utf-8", errors="replace")
    return found


class MetaServiceHttp:
    def __init__(self, svc: Service, token: str) -> None:
        self.svc = svc
        self._token = token.encode()
        self.cache = ResponseCache(svc.settings.response_cache_entries)
        self.instance_queue = InstanceQueue()

    def token_ok(self, request: Request) -> tuple[bool, bool]:
        """(valid, given)."""
        sent = _query_token(request.scope["query_string"])
        if not sent:
            auth = (_header(request, b"authorization") or b"").decode("latin-1")
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
            if route is not None and route.error_reply is not None:
                response = route.error_reply(e.code, e.msg)
            else:
                response = envelope(e.code, e.msg, _error_result(route, e.code, e.msg, e.result) if route else None)
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
            code=_CODE_NAMES.get(code, code),
            ms=round((time.perf_counter() - started) * 1000, 2),
            msg=msg[:300],
        )
        return response

    async def _route(self, request: Request, name: str, raw_route: str) -> Response:
        route = ROUTES.get(name)
        cacheable = self.cache.enabled and (name == "get_instance" or (route is not None and not route.mutates))
        version = self.svc.kv.committed_version() if cacheable else None
        if version is None:
            return await self._compute(request, name, raw_route, route)
        body = await read_body(request) if route is not None else b""
        query = b"&".join(p for p in request.scope["query_string"].split(b"&") if p[:6] != b"token=")
        key = (raw_route, query, body)
        hit = self.cache.get(key, version)
        if hit is not None:
            return Response(hit.body, status_code=hit.status, media_type=hit.media_type)
        response = await self._compute(request, name, raw_route, route, body)
        if response.status_code == 200 and self.svc.kv.committed_version() == version:
            self.cache.put(key, CachedReply(version, 200, bytes(response.body), response.media_type or "text/plain"))
        return response

    async def _compute(
        self, request: Request, name: str, raw_route: str, route: JsonRoute | None, body: bytes | None = None
    ) -> Response:
        if route is not None:
            if body is None:
                body = await read_body(request)
            req = parse_request(body, route.request_type, raw_route)
            svc = self.svc
            try:
                if route.per_instance:
                    async with self.instance_queue.hold(_instance_hint(req)):
                        reply = await run_txn(svc.kv, lambda txn: route.handler(svc, txn, req))
                else:
                    reply = await run_txn(svc.kv, lambda txn: route.handler(svc, txn, req))
            except KvError as e:
                raise kv_error_to_ms(e) from None
            if route.reply is not None:
                return route.reply(reply)
            return envelope(Code.OK, reply.msg, reply.result)
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
        return envelope(Code.OK, "", reply.result)

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
