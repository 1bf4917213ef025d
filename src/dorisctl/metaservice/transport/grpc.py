"""gRPC over h2c (prior knowledge, no TLS) for Doris FEs: service `doris.cloud.MetaService`, one
unary method per RPC of the table (`/doris.cloud.MetaService/<rpc>`, also `/MetaService/<rpc>` as
brpc routes it).

Built on `h2` (the HTTP/2 state machine) rather than a gRPC server library, because the port is
shared: the listener hands this protocol an already-accepted connection whose first bytes were
the HTTP/2 preface. grpcio's aio server binds its own sockets in its C core and cannot take one;
grpclib's server only serves sockets it listens on itself. Unary calls need little of gRPC: a
5-byte length prefix, `grpc-timeout`, and the status in trailers.

Rules: an unknown service or method answers UNIMPLEMENTED; a request that does not parse
INVALID_ARGUMENT; messages up to `max_message_bytes` in (default 1 GiB; Doris's FE allows 2 GiB),
RESOURCE_EXHAUSTED past it; a call past its `grpc-timeout` deadline answers DEADLINE_EXCEEDED
(the operation still finishes or fails on its own, it is never cut mid-commit). A handler that ran
answers `grpc-status: 0` with the outcome in the response's `status`. A connection that breaks
the HTTP/2 protocol is closed; the server stays up.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import struct
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from dorisctl.logs import log_event
from dorisctl.metaservice.transport.binary import SERVICE_NAMES, BadRequest, RpcFront

log = logging.getLogger("dorisctl.metaservice.grpc")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_LEN = struct.Struct(">BI")
MAX_WINDOW = 2**31 - 1
MAX_FRAME = 1 << 20  # the largest HTTP/2 frame we accept (advertised in our SETTINGS)

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


def parse_timeout(value: bytes) -> float | None:
    """`grpc-timeout` (at most 8 digits and a unit) in seconds; None if absent or malformed."""
    if len(value) < 2 or not value[:-1].isdigit() or len(value) > 9:
        return None
    unit = _TIMEOUT_UNITS.get(value[-1:])
    return None if unit is None else int(value[:-1]) * unit


class FrameSizeGuard:
    """Refuses a frame as soon as its header declares more than the largest frame we accept.

    h2 checks a frame's length only once the whole frame has arrived, so a peer declaring a 16 MiB
    frame would have its connection buffer bytes until then; RFC 9113 (4.2) makes it a connection
    error at once (FRAME_SIZE_ERROR). This follows the frame boundaries in the byte stream (after
    the 24-byte preface) without buffering anything but a partial 9-byte header.
    """

    def __init__(self, max_frame: int) -> None:
        self.max_frame = max_frame
        self.preface_left = len(PREFACE)
        self.body_left = 0
        self.head = b""

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        skip = min(self.preface_left, len(view))
        self.preface_left -= skip
        view = view[skip:]
        while view:
            if self.body_left:
                n = min(self.body_left, len(view))
                self.body_left -= n
                view = view[n:]
                continue
            need = 9 - len(self.head)
            self.head += bytes(view[:need])
            view = view[need:]
            if len(self.head) < 9:
                return
            length = int.from_bytes(self.head[:3], "big")
            self.head = b""
            if length > self.max_frame:
                raise h2.exceptions.FrameTooLargeError(
                    f"frame of {length} bytes declared, the limit is {self.max_frame}"
                )
            self.body_left = length


@dataclass
class _Stream:
    headers: dict[bytes, bytes]
    body: bytearray = field(default_factory=bytearray)
    task: asyncio.Task[None] | None = None
    too_large: bool = False


class GrpcProtocol(asyncio.Protocol):
    def __init__(self, front: RpcFront, connections: set[Any]) -> None:
        self.front = front
        self.connections = connections
        # h2's per-header character checks cost more than the call itself; our own headers are fixed
        cfg = h2.config.H2Configuration(
            client_side=False,
            header_encoding=None,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
            validate_inbound_headers=False,  # malformed requests are refused by _run from what they lack
        )
        self.conn = h2.connection.H2Connection(cfg)
        self.transport: asyncio.Transport | None = None
        self.streams: dict[int, _Stream] = {}
        self.peer = ""
        self._window_open = asyncio.Event()
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._closing = False
        self._flush_scheduled = False
        self._frames = FrameSizeGuard(MAX_FRAME)

    # -- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport subclasses
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else ""
        self.connections.add(self)
        self.conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 4096,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: MAX_WINDOW,
                h2.settings.SettingCodes.MAX_FRAME_SIZE: MAX_FRAME,
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 1 << 16,
            },
        )
        self.conn.max_inbound_frame_size = MAX_FRAME
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window(MAX_WINDOW - 65535)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        for s in self.streams.values():
            if s.task is not None:
                s.task.cancel()
        self.streams.clear()
        self._window_open.set()
        self._can_write.set()

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def data_received(self, data: bytes) -> None:
        try:
            try:
                self._frames.feed(data)
            except h2.exceptions.FrameTooLargeError:
                self.conn.close_connection(error_code=h2.errors.ErrorCodes.FRAME_SIZE_ERROR)
                raise
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            log_event(log, "grpc_protocol_error", logging.WARNING, peer=self.peer, error=str(e)[:200])
            self._flush()
            if self.transport is not None:
                self.transport.close()
            return
        for ev in events:
            self._event(ev)
        self._flush_soon()

    def shutdown(self) -> None:
        """Server stopping (uvicorn calls this): GOAWAY, then close once in-flight calls answered."""
        self._closing = True
        with contextlib.suppress(Exception):
            self.conn.close_connection()
            self._flush()
        if not self.streams and self.transport is not None:
            self.transport.close()

    # -- HTTP/2 events --------------------------------------------------------------------------------

    def _event(self, ev: h2.events.Event) -> None:
        if isinstance(ev, h2.events.RequestReceived):
            self.streams[ev.stream_id] = _Stream(dict(ev.headers or []))
        elif isinstance(ev, h2.events.DataReceived):
            s = self.streams.get(ev.stream_id)
            self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if s is not None and not s.too_large:
                if len(s.body) + len(ev.data or b"") > self.front.max_message_bytes + 5:
                    s.too_large = True
                    s.body.clear()
                else:
                    s.body += ev.data or b""
        elif isinstance(ev, h2.events.StreamEnded):
            s = self.streams.get(ev.stream_id)
            if s is not None and s.task is None:
                s.task = asyncio.get_running_loop().create_task(self._call(ev.stream_id, s))
        elif isinstance(ev, h2.events.StreamReset):
            s = self.streams.pop(ev.stream_id, None)
            if s is not None and s.task is not None:
                s.task.cancel()
        elif isinstance(ev, h2.events.WindowUpdated):
            self._window_open.set()
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self._closing = True
            if not self.streams and self.transport is not None:
                self.transport.close()

    def _flush(self) -> None:
        self._flush_scheduled = False
        data = self.conn.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _flush_soon(self) -> None:
        """Coalesce the frames of every call answered in this loop iteration into one write."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    # -- one call -------------------------------------------------------------------------------------

    async def _call(self, sid: int, s: _Stream) -> None:
        try:
            status, message, payload = await self._run(s)
            if payload is None:
                self._trailers_only(sid, status, message)
            else:
                await self._respond(sid, payload)
        except asyncio.CancelledError:
            pass
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass  # the client reset the stream or the connection went away
        finally:
            self.streams.pop(sid, None)
            if self._closing and not self.streams and self.transport is not None:
                self._flush()
                self.transport.close()

    async def _run(self, s: _Stream) -> tuple[int, str, bytes | None]:
        h = s.headers
        if h.get(b":method") != b"POST" or not h.get(b"content-type", b"").startswith(b"application/grpc"):
            return UNIMPLEMENTED, "only gRPC calls (POST, application/grpc) are served here", None
        service, _, method = h.get(b":path", b"").decode("latin-1").lstrip("/").partition("/")
        if service not in SERVICE_NAMES:
            return UNIMPLEMENTED, f"unknown service {service[:100]}", None
        rpc = self.front.lookup(method)
        if rpc is None:
            return UNIMPLEMENTED, f"method {method[:100]} is not served by dorisctl's meta-service", None
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
        try:
            req = self.front.parse(rpc, payload)
        except BadRequest as e:
            return INVALID_ARGUMENT, str(e), None
        timeout = parse_timeout(h.get(b"grpc-timeout", b""))
        task = asyncio.ensure_future(self.front.invoke(rpc, req, "grpc", self.peer))
        try:
            resp = await asyncio.wait_for(asyncio.shield(task), timeout) if timeout is not None else await task
        except TimeoutError:
            return DEADLINE_EXCEEDED, "deadline exceeded", None
        return OK, "", resp.SerializeToString()

    def _trailers_only(self, sid: int, status: int, message: str) -> None:
        headers = [
            (b":status", b"200"),
            (b"content-type", b"application/grpc"),
            (b"grpc-status", str(status).encode()),
        ]
        if message:
            headers.append((b"grpc-message", urllib.parse.quote(message, safe=" ").encode()))
        self.conn.send_headers(sid, headers, end_stream=True)
        self._flush_soon()

    async def _respond(self, sid: int, payload: bytes) -> None:
        self.conn.send_headers(sid, [(b":status", b"200"), (b"content-type", b"application/grpc")])
        data = memoryview(_LEN.pack(0, len(payload)) + payload)
        while data:
            await self._can_write.wait()
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window <= 0:
                self._window_open.clear()
                self._flush()
                await self._window_open.wait()
                if sid not in self.streams:
                    return
                continue
            self.conn.send_data(sid, bytes(data[:window]))
            data = data[window:]
            if data:
                self._flush()
        self.conn.send_headers(sid, [(b"grpc-status", b"0")], end_stream=True)
        self._flush_soon()
