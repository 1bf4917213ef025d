"""Wiring of the manager process: data dir, store + migrations, secrets, engine, HTTP app, uvicorn,
background loops. ``prepare_manager`` builds it; ``serve_manager`` runs it alone, ``dorisctl up``
runs it beside the meta-service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from dorisctl.secrets import load_keyring
from dorisctl.serving import enable_tls, make_server, run_servers

from .app import build_app
from .clusters import Clusters
from .db import Store
from .deploy import Deployer
from .engine import Engine, Settings
from .secretbox import SecretBox, load_operator_token
from .webui import WebAuth

log = logging.getLogger("dorisctl.manager")


@dataclass
class ManagerRuntime:
    """A prepared manager: its HTTP server plus the background work that goes with it."""

    server: uvicorn.Server
    engine: Engine
    store: Store
    deployer: Deployer
    _liveness: asyncio.Task[None] | None = None
    _shutdown_watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume unfinished processes and start the agent-liveness loop (once serving)."""
        self._liveness = asyncio.create_task(self.engine.dispatch.liveness_loop())
        self._shutdown_watch = asyncio.create_task(self._watch_shutdown())
        await self.engine.resume()
        await self.deployer.resume()

    async def _watch_shutdown(self) -> None:
        """Once the server is asked to stop, end the agents' long polls (they would hold a graceful
        shutdown for up to their 10 s); an agent polls again and finds the manager gone or back."""
        while not self.server.should_exit:
            await asyncio.sleep(0.2)
        self.engine.core.closing = True
        self.engine.notify()

    async def close(self) -> None:
        if self._shutdown_watch is not None:
            self._shutdown_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._shutdown_watch
        if self._liveness is not None:
            self._liveness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._liveness
        await self.engine.close()
        self.store.close()


def prepare_manager(
    host: str = "0.0.0.0",
    port: int = 9601,
    data_dir: str | Path = "./data",
    db_url: str | None = None,
    token: str | None = None,
    advertise_url: str | None = None,
    ssh_parallel: int = 16,
    heartbeat_timeout: float = 60.0,
    meta_service_url: str | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> ManagerRuntime:
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    store = Store(db_url or f"sqlite:///{data / 'manager.db'}")
    store.migrate()
    box = SecretBox(load_keyring(data))
    op_token, created = load_operator_token(data, token)
    if created:
        # printed exactly once, on the terminal of whoever started the manager; never logged
        print(
            f"manager operator token (saved in {data / 'manager-token'}): {op_token}",
            file=sys.stderr,
            flush=True,
        )
    settings = Settings(
        data_dir=data,
        port=port,
        advertise_url=advertise_url,
        ssh_parallel=ssh_parallel,
        heartbeat_timeout=heartbeat_timeout,
        meta_service_url=meta_service_url,
        tls_cert=str(Path(tls_cert).resolve()) if tls_cert else None,
    )
    engine = Engine(store, box, settings)
    deployer = Deployer(engine)
    auth = WebAuth(op_token, secure_cookie=bool(tls_cert))
    server = make_server(build_app(engine, op_token, Clusters(deployer), auth), host, port)
    enable_tls(server, tls_cert, tls_key)
    log.info("manager configured on %s:%d data=%s", host, port, data)
    return ManagerRuntime(server=server, engine=engine, store=store, deployer=deployer)


async def serve_manager(runtime: ManagerRuntime) -> None:
    """Run a prepared manager alone until SIGTERM or SIGINT."""
    try:
        await run_servers([runtime.server], on_started=runtime.start)
    finally:
        await runtime.close()
