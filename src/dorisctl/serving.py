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
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # signals are handled by run_servers
        yield


def make_server(app: Any, host: str, port: int, http: Any = "httptools") -> uvicorn.Server:
    """`http`: uvicorn's HTTP/1.1 protocol, or a protocol class that takes its place (the
    meta-service's listener, which sniffs baidu_std and gRPC first)."""
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
    return _Server(config)


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
