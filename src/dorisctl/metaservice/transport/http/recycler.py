"""The recycler's HTTP routes (`/RecyclerService/http/<route>`, also under `v1/`).

* `recycle_instance`: body `{"instance_ids": [...]}` queues the instances now. Unknown ids are
  reported (400 INVALID_ARGUMENT, one `failed to get instance, instance_id=<id>, err=KeyNotFound`
  per line); the known ones are queued anyway.
* `recycle_status` (alias `statistics_recycle`): queued/running jobs and the recent history with
  counts (objects, bytes, keys, txns, labels, rowsets) and timing.
Same token rules as the meta-service (`?token=` or Bearer; 403 plain text). The routes are mounted
on the meta-service's app when the recycler runs in-process, or on the recycler's own listener.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from dorisctl.logs import log_event
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.recycler import Recycler
from dorisctl.metaservice.transport.http.app import ALL_METHODS, METRICS_ROUTES, TokenCheck, health
from dorisctl.metaservice.transport.http.envelope import envelope
from dorisctl.metaservice.transport.http.parse import BodyIncomplete, BodyTooLarge, load_json, read_body

log = logging.getLogger("dorisctl.recycler.http")

PREFIX = "/RecyclerService/http/"


class RecyclerHttp:
    def __init__(self, recycler: Recycler, token: str) -> None:
        self.recycler = recycler
        self.auth = TokenCheck(token, log)

    async def dispatch(self, request: Request) -> Response:
        raw = request.path_params["route"]
        refused = self.auth.refusal(request, raw)
        if refused is not None:
            return refused
        name = raw[3:] if raw.startswith("v1/") else raw
        if name == "recycle_instance":
            return await self._recycle_instance(request)
        if name in ("recycle_status", "statistics_recycle"):
            return envelope(Code.OK, "", self.recycler.status())
        return PlainTextResponse("http path not found or not allowed\n", status_code=404)

    async def _recycle_instance(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            doc: Any = load_json(body) if body.strip() else {}
        except BodyTooLarge:
            return envelope(Code.INVALID_ARGUMENT, "request body too large")
        except BodyIncomplete as e:
            return envelope(Code.INVALID_ARGUMENT, f"request not executed: {e.reason}")
        except MetaServiceError as e:
            return envelope(e.code, e.msg)
        ids = doc.get("instance_ids") if isinstance(doc, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            return envelope(Code.INVALID_ARGUMENT, "instance_ids must be a non-empty list of instance ids")
        errors = await self.recycler.enqueue(ids)
        log_event(log, "recycle_instance_requested", instances=len(ids), unknown=len(errors))
        if errors:
            return envelope(Code.INVALID_ARGUMENT, "\n".join(errors))
        return envelope(Code.OK, "")


def recycler_routes(recycler: Recycler, token: str) -> list[BaseRoute]:
    h = RecyclerHttp(recycler, token)
    return [Route(PREFIX + "{route:path}", h.dispatch, methods=ALL_METHODS)]


def build_recycler_app(recycler: Recycler, token: str) -> Starlette:
    """The standalone recycler's listener."""
    return Starlette(
        routes=[Route("/health", health, methods=["GET", "HEAD"]), *METRICS_ROUTES, *recycler_routes(recycler, token)]
    )
