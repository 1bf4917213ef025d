"""What the two binary protocols (gRPC for FE, baidu_std for BE) share: finding an RPC by name in
the one table, parsing its request, running it and building its response.

Cached read RPCs are answered from the reply cache (metaservice/replycache.py) when their request
bytes were answered before and nothing the answer read has changed since, before any parsing and
without a task: the transports ask `from_cache` where a request's bytes complete.

Application outcomes travel in the response's `status` with transport success, exactly as Doris
(a handler that ran always answers; spec trap 1): `status.code` is a MetaServiceCode of the pinned
contract and `status.msg` Doris's message. Requests are parsed as proto2 with unknown fields kept
(a newer FE/BE may send fields we do not know) and responses carry any data the operation gave.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Sized

from google.protobuf.message import DecodeError, Message

from dorisctl import metrics
from dorisctl.kv import KvError
from dorisctl.kv.base import REQUEST_RECEIVED
from dorisctl.logs import log_event
from dorisctl.metaservice.admission import QPS_MSG
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.executor import Executor, instance_hint
from dorisctl.metaservice.replycache import CachedReply, ReplyCache
from dorisctl.metaservice.rpc import RPCS, Rpc
from dorisctl.metaservice.transport.wirecheck import first_non_utf8_field, missing_required_fields

log = logging.getLogger("dorisctl.metaservice.rpc")

SERVICE = "doris.cloud.MetaService"
SERVICE_NAMES = (SERVICE, "MetaService")
CODE_NAMES: dict[int, str] = {v.number: v.name for v in Code.DESCRIPTOR.values}


def _log_incident(rpc: Rpc) -> str:
    """Log the exception being handled under a fresh incident id; the message that names it."""
    incident = uuid.uuid4().hex[:12]
    log.exception("unhandled error", extra={"fields": {"rpc": rpc.name, "incident": incident}})
    return f"internal error, incident={incident} (see the meta-service log)"


class BadRequest(Exception):
    """The request bytes do not parse as the RPC's request message."""


class Next(enum.Enum):
    """What the full path does after the reply cache did not answer (RpcFront.from_cache)."""

    KEEP = "keep"  # build the reply and keep it
    PASS = "pass"  # build the reply, keep nothing
    REFUSE = "refuse"  # over the QPS limit: answer MAX_QPS_LIMIT


class RpcFront:
    """Runs RPCs for the binary transports; one per server process."""

    def __init__(self, executor: Executor, *, max_message_bytes: int) -> None:
        self.executor = executor
        self.max_message_bytes = max_message_bytes
        settings = executor.svc.settings
        entries, mb = settings.reply_cache_entries, settings.reply_cache_mb
        self.replies = ReplyCache(entries, mb << 20) if entries > 0 and mb > 0 else None

    def from_cache(self, rpc: Rpc, payload: bytes, protocol: str, peer: str, received: float | None) -> bytes | Next:
        """A cached RPC's reply from the reply cache, answered at once: nothing is awaited, so a
        transport asks where a request's bytes complete, before it creates a task for the request.
        Otherwise what the full path (`call`) does with the reply it builds: keep it (KEEP: a miss,
        or a stale entry, dropped), not (PASS: not a cached RPC, the cache off or passed by), or
        refuse the request (REFUSE: over its QPS limit, answered MAX_QPS_LIMIT as on the full path).

        A hit is checked first: the store's key cache brought to a version read after the request
        arrived (`received`), every entry the reply read must still be there (kv.reads_unchanged)."""
        replies = self.replies
        if not rpc.cached or replies is None:
            return Next.PASS
        if not replies.wanted(rpc.name):
            metrics.inc(_REPLY_BYPASS)
            return Next.PASS
        entry = replies.get(rpc.name, payload)
        if entry is None:
            metrics.inc(_REPLY_MISS)
            return Next.KEEP
        admission = self.executor.admission
        if not admission.enter(rpc.name, entry.instance):
            return Next.REFUSE
        started = time.perf_counter()
        try:
            # not behind the read gate: a check costs at most one SELECT and a lookup per read, the
            # price of parsing a request or two, and a stale one then queues there as any read does
            unchanged = self.executor.svc.kv.reads_unchanged(entry.reads, received)
        except KvError:
            unchanged = False  # the full path answers with the store's error code
        except Exception:  # never out of a transport's read callback: the full path answers
            log.exception("reply cache check failed", extra={"fields": {"rpc": rpc.name}})
            unchanged = False
        finally:
            admission.leave()
        replies.checked(rpc.name, unchanged)
        if not unchanged:
            replies.drop(rpc.name, payload)
            metrics.inc(_REPLY_STALE)
            return Next.KEEP
        metrics.inc(_REPLY_HIT)
        metrics.observe_request(protocol, rpc.name, "OK", started)
        if log.isEnabledFor(logging.DEBUG):
            log_event(log, "rpc", logging.DEBUG, protocol=protocol, rpc=rpc.name, code="OK", cached=True, peer=peer)
        return entry.response

    async def call(
        self,
        rpc: Rpc,
        payload: bytes,
        protocol: str,
        peer: str = "",
        *,
        received: float | None = None,
        cache: bytes | Next | None = None,
    ) -> bytes:
        """The serialized response to a serialized request (raises BadRequest if it does not parse).

        Admission first (every request counts), then the operation. `received`: when the request's
        last byte was read (time.perf_counter()): a read-only RPC's store may answer from what it
        read after that (kv.REQUEST_RECEIVED). Writes always read the latest version: one that
        waited for another worker's commit to the same keys would otherwise meet it as a conflict.
        `cache`: what `from_cache` answered for this request, if the transport asked it already."""
        if cache is None:
            cache = self.from_cache(rpc, payload, protocol, peer, received)
        if isinstance(cache, bytes):
            return cache
        if cache is Next.REFUSE:
            refused = await self.invoke(rpc, self.parse(rpc, payload), protocol, peer, refused=True)
            return refused.SerializeToString()
        keep = cache is Next.KEEP
        if received is None or rpc.mutates:
            return await self._call(rpc, payload, protocol, peer, keep)
        token = REQUEST_RECEIVED.set(received)
        try:
            return await self._call(rpc, payload, protocol, peer, keep)
        finally:
            REQUEST_RECEIVED.reset(token)

    async def _call(self, rpc: Rpc, payload: bytes, protocol: str, peer: str, keep: bool) -> bytes:
        req = self.parse(rpc, payload)
        try:
            return await self._answer(rpc, req, payload, protocol, peer, keep)
        except Exception:  # a reply that cannot be built: still answered, never a silent hang
            resp = rpc.response_type()
            resp.status.code = Code.UNDEFINED_ERR  # type: ignore[attr-defined]
            resp.status.msg = _log_incident(rpc)  # type: ignore[attr-defined]
            return resp.SerializePartialToString()

    async def _answer(
        self, rpc: Rpc, req: Message, payload: bytes, protocol: str, peer: str, keep: bool = False
    ) -> bytes:
        admission = self.executor.admission
        instance = instance_hint(req)
        if not admission.enter(rpc.name, instance):
            refused = await self.invoke(rpc, req, protocol, peer, refused=True)
            return refused.SerializeToString()
        try:
            reads: list[Sized] | None = [] if keep else None  # the read set, for the reply kept
            resp = await self.invoke(rpc, req, protocol, peer, reads=reads)
            data = resp.SerializeToString()
            if reads and self.replies is not None and resp.status.code == _OK:  # type: ignore[attr-defined]
                self.replies.put(rpc.name, payload, CachedReply(data, reads[0], instance))
            return data
        finally:
            admission.leave()

    @staticmethod
    def lookup(method: str) -> Rpc | None:
        return RPCS.get(method)

    @staticmethod
    def parse(rpc: Rpc, payload: bytes) -> Message:
        req = rpc.request_type()
        try:
            req.ParseFromString(payload)
        except (DecodeError, RuntimeError, ValueError) as e:
            raise BadRequest(f"failed to parse {rpc.request_type.DESCRIPTOR.full_name}: {e}") from None
        name = rpc.request_type.DESCRIPTOR.full_name
        bad = first_non_utf8_field(req)
        if bad is not None:
            raise BadRequest(f"failed to parse {name}: {bad} is not valid UTF-8")
        missing = missing_required_fields(req)
        if missing is not None:
            raise BadRequest(f"failed to parse {name}: missing required fields: {missing}")
        return req

    async def invoke(
        self,
        rpc: Rpc,
        req: Message,
        protocol: str,
        peer: str = "",
        *,
        refused: bool = False,
        reads: list[Sized] | None = None,
    ) -> Message:
        """The RPC's response with `status` filled (OK included), never an exception; `refused`:
        admission said no, so the answer is MAX_QPS_LIMIT and nothing runs; `reads`: receives the
        answering transaction's read set (Executor.run)."""
        started = time.perf_counter()
        resp: Message
        code: int
        try:
            if refused:
                raise MetaServiceError(Code.MAX_QPS_LIMIT, QPS_MSG)
            reply = await self.executor.run(
                rpc.handler,
                req,
                per_instance=rpc.per_instance,
                queue=rpc.queue,
                read_only=not rpc.mutates,
                reads=reads,
            )
            resp = rpc.respond(reply)
            code, msg = _OK, reply.msg
        except MetaServiceError as e:
            resp = rpc.response_type()
            if e.result is not None and isinstance(e.result, rpc.response_type):
                resp.CopyFrom(e.result)
            code, msg = e.code, e.msg
        except Exception:
            resp = rpc.response_type()
            code, msg = Code.UNDEFINED_ERR, _log_incident(rpc)
        status = resp.status  # type: ignore[attr-defined]
        status.code = code
        status.msg = msg
        name = CODE_NAMES.get(code, str(code))
        metrics.observe_request(protocol, rpc.name, name, started)
        level = logging.INFO if rpc.mutates or code != _OK else logging.DEBUG
        if log.isEnabledFor(level):  # an OK read is logged at DEBUG: most requests build no fields
            log_event(
                log,
                "rpc",
                level,
                protocol=protocol,
                rpc=rpc.name,
                code=name,
                ms=round((time.perf_counter() - started) * 1000, 2),
                peer=peer,
                msg=msg[:300],
            )
        return resp


_OK = Code.OK  # read once: an enum wrapper's attribute is looked up in Python each time
_REPLY_HIT = metrics.REPLY_CACHE.labels("hit")
_REPLY_STALE = metrics.REPLY_CACHE.labels("stale")
_REPLY_MISS = metrics.REPLY_CACHE.labels("miss")
_REPLY_BYPASS = metrics.REPLY_CACHE.labels("bypass")
