"""gRPC over h2c (prior knowledge, no TLS) for Doris FEs: service `doris.cloud.MetaService`, one
unary method per RPC of the table (`/doris.cloud.MetaService/<rpc>`, also `/MetaService/<rpc>` as
brpc routes it).

Built on our own HTTP/2 framing (http2.py, with `hpack` for header blocks) rather than a gRPC
server library, because the port is shared: the listener hands this protocol an already-accepted
connection whose first bytes were the HTTP/2 preface. grpcio's aio server binds its own sockets
in its C core and cannot take one; grpclib's server only serves sockets it listens on itself.
The `h2` library could (the first version used it), but its framing and HPACK cost ~300 us per
call, more than the operations themselves. Unary calls need little of gRPC: a 5-byte length
prefix, `grpc-timeout`, and the status in trailers.

Rules: an unknown service or method answers UNIMPLEMENTED; a request that does not parse
INVALID_ARGUMENT; messages up to `max_message_bytes` in (default 1 GiB; Doris's FE allows 2 GiB),
RESOURCE_EXHAUSTED past it; a call past its `grpc-timeout` deadline answers DEADLINE_EXCEEDED
(the operation still finishes or fails on its own, it is never cut mid-commit). A handler that ran
answers `grpc-status: 0` with the outcome in the response's `status`. A connection that breaks
the HTTP/2 protocol is closed; the server stays up.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import struct
import time
import urllib.parse
from typing import Any

from dorisctl import metrics
from dorisctl.logs import log_event
from dorisctl.metaservice.rpc import unserved_reason
from dorisctl.metaservice.transport import http2
from dorisctl.metaservice.transport.binary import SERVICE_NAMES, BadRequest, RpcFront
from dorisctl.metaservice.transport.http2 import CONTENT_TYPE_GRPC, PREFACE, STATUS_200, Stream

__all__ = ["PREFACE", "GrpcProtocol", "parse_timeout"]

log = logging.getLogger("dorisctl.metaservice.grpc")

_LEN = struct.Struct(">BI")

# gRPC status codes
OK = 0
CANCELLED = 1
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
RESOURCE_EXHAUSTED = 8
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14

_TIMEOUT_UNITS = {b"H": 3600.0, b"M": 60.0, b"S": 1.0, b"m": 1e-3, b"u": 1e-6, b"n": 1e-9}
_RESPONSE_HEADERS = STATUS_200 + CONTENT_TYPE_GRPC
_TRAILERS_OK = http2.literal(b"grpc-status", b"0")


def parse_timeout(value: bytes) -> float | None:
    """`grpc-timeout` (at most 8 digits and a unit) in seconds; None if absent or malformed."""
    if len(value) < 2 or not value[:-1].isdigit() or len(value) > 9:
        return None
    unit = _TIMEOUT_UNITS.get(value[-1:])
    return None if unit is None else int(value[:-1]) * unit


class GrpcProtocol(asyncio.Protocol):
    def __init__(self, front: RpcFront, connections: set[Any]) -> None:
        self.front = front
        self.connections = connections
        self.conn = http2.Http2Server(front.max_message_bytes + 5, self._window_changed)
        self.transport: asyncio.Transport | None = None
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.peer = ""
        self._window_open = asyncio.Event()
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._closing = False
        self._flush_scheduled = False

    # -- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport subclasses
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else ""
        self.connections.add(self)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
        self._window_open.set()
        self._can_write.set()

    def pause_writing(self) -> None:
        """The client stopped reading (our send buffer is past its high-water mark): stop reading
        its requests too, so replies it never reads cannot pile up in memory."""
        self._can_write.clear()
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self._can_write.set()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        received = time.perf_counter()  # every request completed by these bytes arrived by now
        try:
            ended = self.conn.receive(data)
        except http2.ProtocolError as e:
            log_event(log, "grpc_protocol_error", logging.WARNING, peer=self.peer, error=str(e)[:200])
            self.conn.goaway(e.code)
            self._flush()
            if self.transport is not None:
                self.transport.close()
            return
        loop = asyncio.get_running_loop()
        for s in ended:
            if s.sid not in self.tasks:
                self.tasks[s.sid] = loop.create_task(self._call(s, received))
        for sid in [sid for sid in self.tasks if sid not in self.conn.streams]:
            self.tasks.pop(sid).cancel()  # reset by the client
        if self.conn.goaway_received:
            self._closing = True
            self._close_if_idle()
        self._flush_soon()

    def shutdown(self) -> None:
        """Server stopping (uvicorn calls this): GOAWAY, then close once in-flight calls answered."""
        self._closing = True
        self.conn.goaway(http2.NO_ERROR)
        self._flush()
        self._close_if_idle()

    def _close_if_idle(self) -> None:
        if not self.tasks and self.transport is not None:
            self._flush()
            self.transport.close()

    def _window_changed(self) -> None:
        self._window_open.set()

    def _flush(self) -> None:
        self._flush_scheduled = False
        metrics.flush()  # the replies' requests are counted before a client can read them
        data = self.conn.take_output()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _flush_soon(self) -> None:
        """Coalesce the frames of every call answered in this loop iteration into one write."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    # -- one call -------------------------------------------------------------------------------------

    async def _call(self, s: Stream, received: float) -> None:
        try:
            status, message, payload = await self._run(s, received)
            if s.sid not in self.conn.streams:
                return  # reset by the client meanwhile
            if payload is None:
                self._trailers_only(s.sid, status, message)
            else:
                await self._respond(s.sid, payload)
        except asyncio.CancelledError:
            pass
        finally:
            self.tasks.pop(s.sid, None)
            self.conn.streams.pop(s.sid, None)
            if self._closing:
                self._close_if_idle()

    async def _run(self, s: Stream, received: float) -> tuple[int, str, bytes | None]:
        h = s.headers
        if h.get(b":method") != b"POST" or not h.get(b"content-type", b"").startswith(b"application/grpc"):
            return UNIMPLEMENTED, "only gRPC calls (POST, application/grpc) are served here", None
        service, _, method = h.get(b":path", b"").decode("latin-1").lstrip("/").partition("/")
        if service not in SERVICE_NAMES:
            return UNIMPLEMENTED, f"unknown service {service[:100]}", None
        rpc = self.front.lookup(method)
        if rpc is None:
            return UNIMPLEMENTED, f"method {unserved_reason(method)}", None
        if s.too_large:
            return RESOURCE_EXHAUSTED, f"request larger than {self.front.max_message_bytes} bytes", None
        body = bytes(s.body)
        if len(body) < 5:
            return INVALID_ARGUMENT, "request has no gRPC message", None
        compressed, length = _LEN.unpack_from(body)
        if length != len(body) - 5:
            return INVALID_ARGUMENT, "gRPC message length does not match the request body", None
        payload = body[5:]
        if compressed:
            encoding = h.get(b"grpc-encoding", b"identity")
            if encoding != b"gzip":
                return UNIMPLEMENTED, f"grpc-encoding {encoding.decode('latin-1')[:40]} is not supported", None
            try:
                payload = gzip.decompress(payload)
            except (OSError, EOFError) as e:
                return INVALID_ARGUMENT, f"bad gzip message: {e}", None
        timeout = parse_timeout(h.get(b"grpc-timeout", b""))
        cached = self.front.from_cache(rpc, payload, "grpc", self.peer, received)
        if isinstance(cached, bytes):  # a hit: answered at once
            return OK, "", cached
        call = self.front.call(rpc, payload, "grpc", self.peer, received=received, cache=cached)
        try:
            if timeout is None:
                data = await call
            else:  # past the deadline the operation still completes; the client gets DEADLINE_EXCEEDED
                data = await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(call)), timeout)
        except TimeoutError:
            return DEADLINE_EXCEEDED, "deadline exceeded", None
        except BadRequest as e:
            return INVALID_ARGUMENT, str(e), None
        return OK, "", data

    def _trailers_only(self, sid: int, status: int, message: str) -> None:
        block = _RESPONSE_HEADERS + http2.literal(b"grpc-status", str(status).encode())
        if message:
            block += http2.literal(b"grpc-message", urllib.parse.quote(message, safe=" ").encode())
        self.conn.send_headers(sid, block, end_stream=True)
        self._flush_soon()

    async def _respond(self, sid: int, payload: bytes) -> None:
        self.conn.send_headers(sid, _RESPONSE_HEADERS, end_stream=False)
        data = memoryview(_LEN.pack(0, len(payload)) + payload)
        while data:
            await self._can_write.wait()
            room = self.conn.sendable(sid)
            if room <= 0:
                if sid not in self.conn.streams:
                    return
                self._window_open.clear()
                self._flush()
                await self._window_open.wait()
                continue
            self.conn.send_data(sid, bytes(data[:room]))
            data = data[room:]
            if data:
                self._flush()
        self.conn.send_headers(sid, _TRAILERS_OK, end_stream=True)
        self._flush_soon()
