"""uvicorn's HTTP/1.1 protocol with a bound on how long a request's headers may take.

uvicorn drops idle keep-alive connections but waits forever for a request whose headers never
complete; a client that dribbles its header lines would hold a connection (and, thousands of
them, the server's connection limit) indefinitely. Here the first byte of a request arms a
timer that its last header line disarms; past `read_timeout` seconds the connection is closed.
(The body has its own bound, between two chunks, in parse.read_body.)
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HttpProtocol(HttpToolsProtocol):
    read_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
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
