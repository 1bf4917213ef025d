"""Running ASGI servers: uvicorn with uvloop and httptools, several servers on one event loop.

uvicorn installs its own signal handlers per server, which breaks when `dorisctl up` runs the
meta-service and the manager side by side; here one handler asks every server to stop. SIGTERM
and SIGINT stop accepting connections, let in-flight requests finish (so every acknowledged write
is committed), then the callers close their stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    reuse_port = False  # bind with SO_REUSEPORT: several worker processes share the port

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # signals are handled by run_servers
        yield

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        if sockets is None and self.reuse_port:
            sockets = [bind_reuse_port(self.config.host, self.config.port, self.config.backlog)]
        await super().serve(sockets=sockets)


def bind_reuse_port(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket with SO_REUSEPORT: the kernel spreads new connections over every
    process bound this way to the same address (each has its own accept queue)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.set_inheritable(False)
    except OSError:
        sock.close()
        raise
    return sock


def make_server(app: Any, host: str, port: int, http: Any = "httptools", *, reuse_port: bool = False) -> uvicorn.Server:
    """`http`: uvicorn's HTTP/1.1 protocol, or a protocol class that takes its place (the
    meta-service's listener, which sniffs baidu_std and gRPC first). `reuse_port`: bind with
    SO_REUSEPORT (the meta-service's worker processes)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=http,
        ws="none",  # no API speaks WebSocket; an Upgrade header is an ordinary request
        loop="none",
        lifespan="off",
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=20,
        limit_concurrency=2048,
        backlog=2048,
    )
    server = _Server(config)
    server.reuse_port = reuse_port
    return server


class TlsError(ValueError):
    """The certificate or key given for TLS cannot be used (said before anything listens)."""


def check_tls(cert: str | None, key: str | None) -> bool:
    """Whether TLS is asked for; raises TlsError if the certificate and key cannot be used (both or
    neither; loaded once here, so a wrong path or a key that does not match the certificate is a
    clear error at start-up, said once, before any worker process starts)."""
    if not cert and not key:
        return False
    if not cert or not key:
        raise TlsError("TLS needs both --tls-cert and --tls-key")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key)
    except FileNotFoundError as e:
        raise TlsError(f"cannot read {e.filename}: {e.strerror}") from None
    except (ssl.SSLError, OSError) as e:
        raise TlsError(f"--tls-cert {cert} / --tls-key {key}: not a matching PEM certificate and key ({e})") from None
    return True


def enable_tls(server: uvicorn.Server, cert: str | None, key: str | None) -> None:
    """Serve ``server`` over TLS with this PEM certificate (chain) and private key (see check_tls)."""
    if check_tls(cert, key):
        server.config.ssl_certfile, server.config.ssl_keyfile = cert, key


def add_tls_args(p: Any, what: str) -> None:
    p.add_argument("--tls-cert", default=None, metavar="PEM", help=f"serve {what} over HTTPS with this certificate")
    p.add_argument("--tls-key", default=None, metavar="PEM", help="the private key of --tls-cert")


async def run_servers(servers: list[uvicorn.Server], on_started: Callable[[], Awaitable[None]] | None = None) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for s in servers:
            s.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        tasks = [asyncio.create_task(s.serve()) for s in servers]
        if on_started is not None:
            while not all(s.started for s in servers):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.02)
            if all(s.started for s in servers):
                await on_started()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        if any(not s.started for s in servers):
            raise SystemExit(1)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def run(main: Awaitable[int]) -> int:
    """Run a coroutine on uvloop.

    Servers allocate many short-lived containers per request and hold few long-lived cycles, so
    the young-generation collection threshold is raised (fewer, equally cheap collections) and
    the objects alive at start-up are moved out of the collector's way (gc.freeze).
    """
    import gc

    import uvloop

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)  # type: ignore[arg-type]
