"""Starting the recycler alone (`dorisctl recycler`): store, key ring, token and its own listener.

Same data directory conventions as the meta-service (server.py): the store URL defaults to
`<data-dir>/meta-service.db`, the key ring and token come from the environment or the data dir.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from dorisctl.kv import TxnKv, open_store
from dorisctl.logs import log_event
from dorisctl.metaservice.recycler import Recycler, RecyclerConfig
from dorisctl.metaservice.recycler_http import build_recycler_app
from dorisctl.metaservice.server import default_store_url, resolve_token
from dorisctl.metaservice.service import Service
from dorisctl.secrets import load_keyring
from dorisctl.serving import make_server

log = logging.getLogger("dorisctl.recycler")


@dataclass
class RecyclerServiceConfig:
    host: str = "127.0.0.1"
    port: int = 5100
    data_dir: Path = Path("./data")
    store: str = ""
    token: str = ""
    recycler: RecyclerConfig = field(default_factory=RecyclerConfig)

    def store_url(self) -> str:
        return self.store or default_store_url(self.data_dir)


@dataclass
class RecyclerRuntime:
    server: uvicorn.Server
    kv: TxnKv
    recycler: Recycler

    async def close(self) -> None:
        await self.recycler.stop()
        await self.kv.close()


def prepare_recycler(cfg: RecyclerServiceConfig) -> RecyclerRuntime:
    data_dir = cfg.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = resolve_token(data_dir, cfg.token, announce=False)
    kv = open_store(cfg.store_url())
    svc = Service(kv=kv, keyring=load_keyring(data_dir))
    recycler = Recycler(svc, cfg.recycler, ip_port=f"{cfg.host}:{cfg.port}")
    server = make_server(build_recycler_app(recycler, token), cfg.host, cfg.port)
    log_event(log, "recycler_configured", host=cfg.host, port=cfg.port, store=kv.url, data_dir=str(data_dir))
    return RecyclerRuntime(server=server, kv=kv, recycler=recycler)
