"""uvicorn's HTTP/1.1 protocol with a bound on how long a request's headers may take.

uvicorn drops idle keep-alive connections but waits forever for a request whose headers never
complete; a client that dribbles its header lines would hold a connection (and, thousands of
them, the server's connection limit) indefinitely. Here the first byte of a request arms a
timer that its last header line disarms; past `read_timeout` seconds the connection is closed.
(The body has its own bound, between two chunks, in parse.read_body.)

Closing while the client is still sending (a body refused for its declared size, answered at
once, on a `Connection: close` request or at shutdown) would make the kernel reset the connection
(unread data at close), and a reset can destroy the reply before the client reads it. So such a
close lingers, as nginx's lingering_close: the reply is flushed and the write side shut
(`write_eof`), the rest of the body is read and thrown away, and the socket closes at the
client's EOF, after `LINGER_SECONDS`, or past `LINGER_BYTES`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LINGER_SECONDS = 5.0
LINGER_BYTES = 64 * 1024 * 1024


class _LingeringTransport:
    """The connection's transport as uvicorn sees it: `close()` lingers while a request body is
    still arriving; everything else is the real transport's."""

    def __init__(self, transport: asyncio.Transport, protocol: HttpProtocol) -> None:
        self._t = transport
        self._protocol = protocol
        self.lingering = False
        self.discarded = 0
        self.write = transport.write  # the per-request calls skip __getattr__
        self.is_closing = transport.is_closing
        self.pause_reading = transport.pause_reading
        self.resume_reading = transport.resume_reading

    def __getattr__(self, name: str) -> Any:
        return getattr(self._t, name)

    def close(self) -> None:
        if self.lingering:
            return
        if not self._protocol.body_pending or self._t.is_closing() or not self._t.can_write_eof():
            self._t.close()
            return
        self.lingering = True
        self._t.write_eof()  # after what is buffered: the reply goes out whole, then FIN
        self._t.resume_reading()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self._t.close)

    def close_now(self) -> None:
        self._t.close()

    def discard(self, data: bytes) -> None:
        self.discarded += len(data)
        if self.discarded > LINGER_BYTES:
            self._t.close()


class HttpProtocol(HttpToolsProtocol):
    read_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._lingering: _LingeringTransport | None = None
        self.body_pending = False  # a request has begun and its body has not all arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._lingering = _LingeringTransport(transport, self)
        super().connection_made(self._lingering)  # type: ignore[arg-type]

    def on_message_begin(self) -> None:
        self.body_pending = True
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self.body_pending = False
        super().on_message_complete()

    def eof_received(self) -> None:
        if self._lingering is not None and self._lingering.lingering:
            self._lingering.close_now()
            return
        super().eof_received()

    def data_received(self, data: bytes) -> None:
        if self._lingering is not None and self._lingering.lingering:
            self._lingering.discard(data)
            return
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._header_timer = self.loop.call_later(self.read_timeout, self._headers_too_slow)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._cancel_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def _cancel_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def with_read_timeout(seconds: float) -> type[HttpProtocol]:
    return type("HttpProtocol", (HttpProtocol,), {"read_timeout": float(seconds)})
