"""One port, three protocols: each accepted connection is classified by its first bytes, as brpc
does: `PRPC` -> baidu_std (BE), the HTTP/2 client preface -> gRPC over h2c (FE), anything else ->
the HTTP/1.1 API (uvicorn's protocol, unchanged). While the bytes so far are a prefix of `PRPC` or
of the preface the connection waits for more (a peer that says nothing is closed after
`SNIFF_TIMEOUT`).

It plugs into uvicorn as its HTTP protocol class, so uvicorn keeps owning the socket, the
backlog and graceful shutdown: every protocol registers in uvicorn's connection set and answers
`shutdown()`. An optional allow-list of client networks (`--rpc-allow`) refuses other peers at
accept, for every protocol.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from dorisctl import metrics
from dorisctl.logs import log_event
from dorisctl.metaservice.transport.binary import RpcFront
from dorisctl.metaservice.transport.brpc import MAGIC, BaiduStdProtocol
from dorisctl.metaservice.transport.grpc import PREFACE, GrpcProtocol

log = logging.getLogger("dorisctl.metaservice.listener")

SNIFF_TIMEOUT = 30.0
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """`10.0.0.0/8,127.0.0.1` -> networks (a bare address is a /32 or /128); ValueError names the bad item."""
    out: list[Network] = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"--rpc-allow: {item!r} is not an address or network (e.g. 10.0.0.0/8)") from None
    return out


class _CountedConnections(set[Any]):
    """uvicorn's connection set, telling the metrics when it changes (multiprocess mode: another
    worker answering a scrape then counts this worker's connections as they are now)."""

    def add(self, item: Any) -> None:
        super().add(item)
        metrics.refresh_gauges_soon()

    def discard(self, item: Any) -> None:
        super().discard(item)
        metrics.refresh_gauges_soon()


def make_listener_protocol(
    http_protocol: Callable[..., asyncio.Protocol], front: RpcFront, allow: Sequence[Network]
) -> type[asyncio.Protocol]:
    """A uvicorn-compatible protocol class that sniffs and hands the connection on."""

    registered: list[bool] = []

    def count(connections: set[Any], kind: type) -> int:
        return sum(1 for c in list(connections) if isinstance(c, kind))

    class SniffingProtocol(asyncio.Protocol):
        def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
            if not registered:  # open connections per protocol, counted when scraped
                registered.append(True)
                if metrics.multiprocess():  # before any protocol keeps a reference to the set
                    server_state.connections = _CountedConnections(server_state.connections)
                conns = server_state.connections
                kinds: list[tuple[str, Any]] = [
                    ("http", http_protocol),
                    ("grpc", GrpcProtocol),
                    ("brpc", BaiduStdProtocol),
                ]
                for label, kind in kinds:
                    if isinstance(kind, type):
                        metrics.gauge_function(metrics.CONNECTIONS.labels(label), partial(count, conns, kind))
            self._args = (config, server_state, app_state, _loop)
            self.connections: set[Any] = server_state.connections
            self.transport: asyncio.Transport | None = None
            self.buf = b""
            self._timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport subclasses
            if allow:
                peer = transport.get_extra_info("peername")
                host = peer[0] if isinstance(peer, tuple) else ""
                try:
                    addr = ipaddress.ip_address(host.split("%")[0])
                    allowed = any(addr in net for net in allow)
                except ValueError:
                    allowed = False
                if not allowed:
                    log_event(log, "connection_refused", logging.WARNING, peer=str(host), reason="not in --rpc-allow")
                    transport.close()
                    return
            self.connections.add(self)
            self._timer = asyncio.get_running_loop().call_later(SNIFF_TIMEOUT, self._idle)

        def _idle(self) -> None:
            if self.transport is not None:
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self.connections.discard(self)
            if self._timer is not None:
                self._timer.cancel()

        def shutdown(self) -> None:
            if self.transport is not None:
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            self.buf += data
            buf = self.buf
            if buf[:4] == MAGIC:
                self._hand_over(BaiduStdProtocol(front, self.connections))
            elif buf[:24] == PREFACE:
                self._hand_over(GrpcProtocol(front, self.connections))
            elif (len(buf) < 4 and MAGIC.startswith(buf)) or (len(buf) < 24 and PREFACE.startswith(buf)):
                return  # not enough bytes to tell yet
            else:
                config, state, app_state, loop = self._args
                self._hand_over(http_protocol(config=config, server_state=state, app_state=app_state, _loop=loop))

        def _hand_over(self, proto: asyncio.Protocol) -> None:
            assert self.transport is not None
            if self._timer is not None:
                self._timer.cancel()
            self.connections.discard(self)
            self.transport.set_protocol(proto)
            proto.connection_made(self.transport)
            proto.data_received(self.buf)
            self.buf = b""

    return SniffingProtocol
