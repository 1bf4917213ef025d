"""Starting the services: a meta-service (store, key ring, token, the listener for its protocols and
the in-process recycler) from a `MetaServiceConfig`, and the recycler alone (`dorisctl recycler`)
from a `RecyclerServiceConfig`, with the same data directory conventions."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from dorisctl import metrics
from dorisctl.keycheck import ensure_key_ring
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
from dorisctl.metaservice.workers import port_free
from dorisctl.secrets import load_keyring, load_or_create_token
from dorisctl.serving import make_server

log = logging.getLogger("dorisctl.metaservice")
recycler_log = logging.getLogger("dorisctl.recycler")

ENV_TOKEN = "DORISCTL_META_TOKEN"
DEFAULT_MAX_MESSAGE_BYTES = 1 << 30  # gRPC / baidu_std messages in (Doris's FE allows 2 GiB)
NEVER = 10.0**9  # seconds


async def _refresh_gauges() -> None:
    """Multiprocess metrics: write the scrape-time gauges of this worker twice a second."""
    while True:
        metrics.refresh_gauges()
        await asyncio.sleep(0.5)


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
    worker_index: int | None = None  # one of several worker processes (metaservice/workers.py)

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
    gauges: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Before serving: bring the store to the current format (model/storeformat.py)."""
        await storeformat.upgrade(self.kv)

    def start_background(self) -> None:
        if self.recycler is not None:
            self.recycler.start()
        if metrics.multiprocess():
            self.gauges = asyncio.create_task(_refresh_gauges())

    async def close(self) -> None:
        if self.gauges is not None:
            self.gauges.cancel()
        if self.recycler is not None:
            await self.recycler.stop()
        await self.kv.close()
        metrics.flush()  # what the last requests and commits gathered (multiprocess mode)


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
    rcfg = cfg.recycler
    if rcfg is not None and cfg.worker_index not in (None, 0):
        # Only worker 0 scans periodically; the others run what a recycle_instance request they
        # received asks for (the lease keeps one recycler per instance at a time).
        rcfg = dataclasses.replace(rcfg, recycle_interval_seconds=NEVER, recycler_sleep_before_scheduling_seconds=NEVER)
    recycler = None if rcfg is None else Recycler(svc, rcfg, ip_port=f"{cfg.host}:{cfg.port}")
    routes = [] if recycler is None else recycler_routes(recycler, token)
    http_protocol = with_read_timeout(cfg.settings.request_read_timeout_seconds)
    listener = make_listener_protocol(http_protocol, front, allow)
    app = build_app(svc, token, routes, executor)
    server = make_server(app, cfg.host, cfg.port, http=listener, reuse_port=cfg.worker_index is not None)
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
        worker=cfg.worker_index if cfg.worker_index is not None else "-",
    )
    return MetaServiceRuntime(server=server, kv=kv, service=svc, token=token, front=front, recycler=recycler)


async def prepare_shared(cfg: MetaServiceConfig) -> str:
    """Before starting worker processes, once: the data directory, the token (printed once if
    created), the key ring, the store in the current format, the port free. Returns the token."""
    data_dir = cfg.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    parse_networks(cfg.rpc_allow)
    token = resolve_token(data_dir, cfg.token)
    keyring = load_keyring(data_dir)
    kv = open_store(cfg.store_url())
    try:
        await ensure_key_ring(kv, keyring)
        await storeformat.upgrade(kv)
    finally:
        await kv.close()
    if not port_free(cfg.host, cfg.port):
        raise OSError(f"cannot listen on {cfg.host}:{cfg.port}: address already in use")
    return token


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
