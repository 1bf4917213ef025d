"""Wiring of the manager process: data dir, store + migrations, secrets, engine, HTTP app, uvicorn,
background loops. ``serve_manager`` is usable on its own or from a combined ``dorisctl up``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

import uvicorn

from .app import build_app
from .db import Store
from .process import Engine, Settings
from .secretbox import SecretBox, load_operator_token

log = logging.getLogger("dorisctl.manager")


async def serve_manager(
    host: str = "0.0.0.0",
    port: int = 9601,
    data_dir: str | Path = "./data",
    db_url: str | None = None,
    token: str | None = None,
    advertise_url: str | None = None,
    ssh_parallel: int = 16,
    heartbeat_timeout: float = 60.0,
) -> None:
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    store = Store(db_url or f"sqlite:///{data / 'manager.db'}")
    store.migrate()
    box = SecretBox(data)
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
    )
    engine = Engine(store, box, settings)
    app = build_app(engine, op_token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    liveness = asyncio.create_task(engine.liveness_loop())
    await engine.resume()
    log.info("manager listening on %s:%d data=%s", host, port, data)
    try:
        await server.serve()
    finally:
        liveness.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await liveness
        await engine.close()
        store.close()
