"""brpc's baidu_std protocol for Doris BEs, as brpc 1.4.0 serves it.

Frame: 12-byte header `PRPC` + body size + meta size (big-endian uint32, body excludes the
header); body = RpcMeta (meta size bytes) + payload + attachment (the last `attachment_size`
bytes). Requests name `doris.cloud.MetaService` (or the short `MetaService`) and the method; any
number may be in flight on one connection and are answered by `correlation_id` as each finishes.

Server duties (spec 3.3): wait for whole frames; a body over the size limit, a header that is
not `PRPC`, or an RpcMeta that does not parse closes that connection (no reply), the server stays
up; meta size > body size discards the frame. Then, in brpc's order: stopping -> ELOGOFF 2003,
unknown service -> ENOSERVICE 1001, unknown method -> ENOMETHOD 1002, attachment larger than the
payload or a payload that does not decompress/parse -> EREQUEST 1003; a failure reply is meta
only (no payload). A handler that ran replies error_code 0 with the full response, its outcome
in `status`. Payload compression: none or gzip (compress_type 2) in; replies uncompressed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import struct
import time
from typing import Any

from google.protobuf.message import DecodeError

from dorisctl import metrics
from dorisctl.logs import log_event
from dorisctl.metaservice.proto.baidu_rpc_meta_pb2 import RpcMeta
from dorisctl.metaservice.rpc import unserved_reason
from dorisctl.metaservice.transport.binary import SERVICE_NAMES, BadRequest, Next, RpcFront

log = logging.getLogger("dorisctl.metaservice.brpc")

MAGIC = b"PRPC"
_HEADER = struct.Struct(">4sII")
HEADER_SIZE = 12

ENOSERVICE = 1001
ENOMETHOD = 1002
EREQUEST = 1003
ELOGOFF = 2003
COMPRESS_NONE = 0
COMPRESS_GZIP = 2
MAX_IN_FLIGHT = 4096  # per connection; reading pauses past it


def frame(meta: RpcMeta, payload: bytes = b"") -> bytes:
    m = meta.SerializeToString()
    return _HEADER.pack(MAGIC, len(m) + len(payload), len(m)) + m + payload


class BaiduStdProtocol(asyncio.Protocol):
    def __init__(self, front: RpcFront, connections: set[Any]) -> None:
        self.front = front
        self.connections = connections
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.peer = ""
        self.tasks: set[asyncio.Task[None]] = set()
        self._paused = False  # too many calls in flight
        self._write_paused = False  # the client is not reading its replies
        self._stopping = False
        self._out: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport subclasses
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else ""
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        for t in self.tasks:
            t.cancel()

    def pause_writing(self) -> None:
        """The client stopped reading replies: stop reading its requests until it catches up."""
        self._write_paused = True
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        if self.transport is not None and not self._paused and not self.transport.is_closing():
            self.transport.resume_reading()

    def shutdown(self) -> None:
        """Server stopping: new requests get ELOGOFF; close once in-flight ones are answered."""
        self._stopping = True
        if not self.tasks and self.transport is not None:
            self.transport.close()

    def _close(self, reason: str) -> None:
        log_event(log, "brpc_connection_closed", logging.WARNING, peer=self.peer, reason=reason)
        self.buf.clear()
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        received = time.perf_counter()  # every request completed by these bytes arrived by now
        self.buf += data
        while len(self.buf) >= HEADER_SIZE:
            magic, body_size, meta_size = _HEADER.unpack_from(self.buf)
            if magic != MAGIC:
                return self._close("not a baidu_std frame")
            if body_size > self.front.max_message_bytes:
                return self._close(f"frame body of {body_size} bytes is over the {self.front.max_message_bytes} limit")
            if len(self.buf) < HEADER_SIZE + body_size:
                return
            body = bytes(self.buf[HEADER_SIZE : HEADER_SIZE + body_size])
            del self.buf[: HEADER_SIZE + body_size]
            if meta_size > body_size:
                continue  # brpc discards such a frame
            meta = RpcMeta()
            try:
                meta.ParseFromString(body[:meta_size])
                if not meta.HasField("request"):
                    raise DecodeError("no request meta")
            except (DecodeError, RuntimeError, ValueError):
                return self._close("RpcMeta does not parse")
            self._dispatch(meta, body[meta_size:], received)
        if len(self.buf) < HEADER_SIZE and self.buf and not MAGIC.startswith(bytes(self.buf[:4])):
            self._close("not a baidu_std frame")

    def _dispatch(self, meta: RpcMeta, rest: bytes, received: float) -> None:
        cid = meta.correlation_id
        if self._stopping:
            return self._fail(cid, ELOGOFF, "server is stopping")
        req_meta = meta.request
        if req_meta.service_name not in SERVICE_NAMES:
            return self._fail(cid, ENOSERVICE, f"Fail to find service={req_meta.service_name[:100]}")
        rpc = self.front.lookup(req_meta.method_name)
        if rpc is None:
            return self._fail(
                cid,
                ENOMETHOD,
                f"Fail to find method={req_meta.method_name[:100]} ({unserved_reason(req_meta.method_name)})",
            )
        attachment_size = meta.attachment_size
        if attachment_size < 0 or attachment_size > len(rest):
            return self._fail(cid, EREQUEST, f"attachment_size={attachment_size} is larger than the payload")
        payload = rest[: len(rest) - attachment_size]
        attachment = rest[len(rest) - attachment_size :]
        if meta.compress_type == COMPRESS_GZIP:
            try:
                payload = gzip.decompress(payload)
            except (OSError, EOFError):
                return self._fail(cid, EREQUEST, "Fail to decompress request (gzip)")
        elif meta.compress_type != COMPRESS_NONE:
            return self._fail(cid, EREQUEST, f"compress_type={meta.compress_type} is not supported")
        cached = self.front.from_cache(rpc, payload, "brpc", self.peer, received)
        if isinstance(cached, bytes):  # a hit: answered here, no task
            return self._reply(cid, cached, attachment)
        task = asyncio.get_running_loop().create_task(self._run(cid, rpc, payload, attachment, received, cached))
        self.tasks.add(task)
        task.add_done_callback(self._done)
        if len(self.tasks) >= MAX_IN_FLIGHT and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if self._paused and len(self.tasks) < MAX_IN_FLIGHT // 2 and self.transport is not None:
            self._paused = False
            if not self._write_paused:
                self.transport.resume_reading()
        if self._stopping and not self.tasks and self.transport is not None:
            self.transport.close()

    async def _run(self, cid: int, rpc: Any, payload: bytes, attachment: bytes, received: float, cached: Next) -> None:
        try:
            data = await self.front.call(rpc, payload, "brpc", self.peer, received=received, cache=cached)
        except BadRequest as e:
            return self._fail(cid, EREQUEST, str(e))
        self._reply(cid, data, attachment)

    def _reply(self, cid: int, data: bytes, attachment: bytes) -> None:
        meta = RpcMeta(correlation_id=cid, compress_type=COMPRESS_NONE)
        meta.response.error_code = 0
        if attachment:
            meta.attachment_size = len(attachment)
        self._write(frame(meta, data + attachment))

    def _fail(self, cid: int, code: int, text: str) -> None:
        meta = RpcMeta(correlation_id=cid, compress_type=COMPRESS_NONE)
        meta.response.error_code = code
        meta.response.error_text = text
        log_event(log, "brpc_request_failed", logging.INFO, peer=self.peer, error_code=code, text=text[:200])
        self._write(frame(meta))

    def _write(self, data: bytes) -> None:
        """Replies finished in one loop iteration leave in one write."""
        if not self._out:
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(data)

    def _flush(self) -> None:
        metrics.flush()  # the replies' requests are counted before a client can read them
        data, self._out = b"".join(self._out), []
        if data and self.transport is not None and not self.transport.is_closing():
            with contextlib.suppress(RuntimeError):
                self.transport.write(data)
