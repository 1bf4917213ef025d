"""Lean clients for the live benchmark's load generator, one per side of its ratio: baidu_std
calls (the readers) and `GET /health` (the ceiling). Both are an asyncio.Protocol (no stream
reader, no reader task) with one call in flight per connection (each caller waits for its reply)
and requests built once and written as they are, so a call costs the load generator about the
same on both sides. The load generator shares the machine's two cores with the server it
measures: what a call costs it is taken from the server (a BE's C++ brpc client costs its own
host), and a heavier client on one side of the ratio than on the other would tilt it.

Correctness is still checked: every baidu_std reply's RpcMeta is parsed for its error code and
the caller parses the response message and reads its status; every HTTP reply must be a 200.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from dorisctl.metaservice.proto.baidu_rpc_meta_pb2 import RpcMeta

HEADER = struct.Struct(">4sII")
SERVICE = "doris.cloud.MetaService"
_FRAMES: dict[tuple[str, bytes], bytes] = {}  # (method, body) -> the request frame
T = TypeVar("T")


@dataclass(slots=True)
class Reply:
    meta: RpcMeta
    payload: bytes

    @property
    def error_code(self) -> int:
        return int(self.meta.response.error_code)


def request_frame(method: str, payload: bytes) -> bytes:
    """The whole frame of a call (correlation id 1: one call in flight per connection)."""
    got = _FRAMES.get((method, payload))
    if got is None:
        meta = RpcMeta(correlation_id=1)
        meta.request.service_name = SERVICE
        meta.request.method_name = method
        m = meta.SerializeToString()
        got = _FRAMES[(method, payload)] = HEADER.pack(b"PRPC", len(m) + len(payload), len(m)) + m + payload
    return got


class _OneCall(asyncio.Protocol, Generic[T]):
    """One connection with one call in flight: `_start` writes a request and returns the future
    that `_settle` completes from `data_received`."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[T] | None = None
        self.lost: Exception | None = None

    @classmethod
    async def connect(cls, port: int) -> Self:
        _, proto = await asyncio.get_running_loop().create_connection(cls, "127.0.0.1", port)
        return proto

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = ConnectionError(f"connection closed: {exc}")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(self.lost)

    def _start(self, request: bytes) -> asyncio.Future[T]:
        if self.lost is not None:
            raise self.lost
        assert self.transport is not None and self.waiter is None, "one call at a time"
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.waiter = waiter
        self.transport.write(request)
        return waiter

    def _settle(self, result: T) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(result)

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class LeanBrpcClient(_OneCall[Reply]):
    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        while len(buf) >= 12:
            magic, body_size, meta_size = HEADER.unpack_from(buf)
            if magic != b"PRPC":
                raise ConnectionError(f"not a baidu_std frame: {bytes(buf[:12])!r}")
            if len(buf) < 12 + body_size:
                return
            body = bytes(buf[12 : 12 + body_size])
            del buf[: 12 + body_size]
            self._settle(Reply(RpcMeta.FromString(body[:meta_size]), body[meta_size:]))

    async def call_raw(self, method: str, payload: bytes, *, timeout: float | None = None) -> Reply:
        """The reply to one call; `timeout` is accepted for the benchmark's Rpc and not used."""
        return await self._start(request_frame(method, payload))


class LeanHttpClient(_OneCall[None]):
    """`GET /health` over one keep-alive connection, one request in flight."""

    REQUEST = b"GET /health HTTP/1.1\r\nHost: b\r\n\r\n"

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return
        if not buf.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(f"not a 200: {bytes(buf[:40])!r}")
        head = bytes(buf[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
        if len(buf) < end + 4 + length:
            return
        del buf[: end + 4 + length]
        self._settle(None)

    async def get(self) -> None:
        await self._start(self.REQUEST)
