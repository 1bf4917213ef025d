"""Starting the services: a meta-service (store, key ring, token, the listener for its protocols and
the in-process recycler) from a `MetaServiceConfig`, and the recycler alone (`dorisctl recycler`)
from a `RecyclerServiceConfig`, with the same data directory conventions."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from dorisctl.kv import TxnKv, open_store
from dorisctl.logs import log_event
from dorisctl.metaservice.context import Service, Settings
from dorisctl.metaservice.executor import Executor
from dorisctl.metaservice.model import storeformat
from dorisctl.metaservice.recycler import Recycler, RecyclerConfig
from dorisctl.metaservice.transport.binary import RpcFront
from dorisctl.metaservice.transport.http.app import build_app
from dorisctl.metaservice.transport.http.protocol import with_read_timeout
from dorisctl.metaservice.transport.http.recycler import build_recycler_app, recycler_routes
from dorisctl.metaservice.transport.listener import make_listener_protocol, parse_networks
from dorisctl.secrets import load_keyring, load_or_create_token
from dorisctl.serving import make_server

log = logging.getLogger("dorisctl.metaservice")
recycler_log = logging.getLogger("dorisctl.recycler")

ENV_TOKEN = "DORISCTL_META_TOKEN"
DEFAULT_MAX_MESSAGE_BYTES = 1 << 30  # gRPC / baidu_std messages in (Doris's FE allows 2 GiB)


def default_store_url(data_dir: Path) -> str:
    """The embedded store of a data directory (shared by the meta-service and the recycler)."""
    return f"sqlite:///{data_dir.resolve()}/meta-service.db"


def resolve_token(data_dir: Path, given: str, *, announce: bool = True) -> str:
    """The API token: `given`, else DORISCTL_META_TOKEN, else `<data-dir>/token` (created on first
    start; printed once when `announce`, never logged)."""
    token = given or os.environ.get(ENV_TOKEN, "")
    if token:
        return token
    token_file = data_dir / "token"
    token, created = load_or_create_token(token_file)
    if created and announce:
        print(
            f"meta-service token: {token}\n  (saved in {token_file}, readable only by you; it is not printed again)",
            flush=True,
        )
    return token


@dataclass
class MetaServiceConfig:
    host: str = "127.0.0.1"
    port: int = 5000
    data_dir: Path = Path("./data")
    store: str = ""
    token: str = ""
    settings: Settings = field(default_factory=Settings)
    recycler: RecyclerConfig | None = field(default_factory=RecyclerConfig)  # None: --no-recycler
    rpc_allow: str = ""  # client networks allowed to connect ("" = everyone)
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES

    def store_url(self) -> str:
        return self.store or default_store_url(self.data_dir)


@dataclass
class MetaServiceRuntime:
    server: uvicorn.Server
    kv: TxnKv
    service: Service
    token: str
    front: RpcFront
    recycler: Recycler | None = None

    async def open(self) -> None:
        """Before serving: bring the store to the current format (model/storeformat.py)."""
        await storeformat.upgrade(self.kv)

    def start_background(self) -> None:
        if self.recycler is not None:
            self.recycler.start()

    async def close(self) -> None:
        if self.recycler is not None:
            await self.recycler.stop()
        await self.kv.close()


def prepare(cfg: MetaServiceConfig) -> MetaServiceRuntime:
    data_dir = cfg.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    allow = parse_networks(cfg.rpc_allow)
    token = resolve_token(data_dir, cfg.token)
    keyring = load_keyring(data_dir)
    kv = open_store(cfg.store_url())
    svc = Service(kv=kv, keyring=keyring, settings=cfg.settings)
    executor = Executor(svc)
    front = RpcFront(executor, max_message_bytes=cfg.max_message_bytes)
    recycler = None if cfg.recycler is None else Recycler(svc, cfg.recycler, ip_port=f"{cfg.host}:{cfg.port}")
    routes = [] if recycler is None else recycler_routes(recycler, token)
    http_protocol = with_read_timeout(cfg.settings.request_read_timeout_seconds)
    listener = make_listener_protocol(http_protocol, front, allow)
    server = make_server(build_app(svc, token, routes, executor), cfg.host, cfg.port, http=listener)
    log_event(
        log,
        "meta_service_configured",
        host=cfg.host,
        port=cfg.port,
        protocols="http,grpc,baidu_std",
        rpc_allow=cfg.rpc_allow or "any",
        store=kv.url,
        data_dir=str(data_dir),
        recycler=recycler is not None,
    )
    return MetaServiceRuntime(server=server, kv=kv, service=svc, token=token, front=front, recycler=recycler)


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

    async def open(self) -> None:
        await storeformat.upgrade(self.kv)

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
    log_event(recycler_log, "recycler_configured", host=cfg.host, port=cfg.port, store=kv.url, data_dir=str(data_dir))
    return RecyclerRuntime(server=server, kv=kv, recycler=recycler)
