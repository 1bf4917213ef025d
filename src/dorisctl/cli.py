"""The `dorisctl` command: wires components together (nothing imports this module).

dorisctl up             the whole system on the embedded store (what `make run` starts)
dorisctl meta-service   one meta-service process
dorisctl recycler       the recycler alone (the meta-service runs one in-process unless --no-recycler)
dorisctl keys           rotate / retire the root keys that seal secrets
dorisctl manager        the cluster manager (REST API, web UI, agents)
dorisctl cluster        check, deploy, display a Doris cluster from a topology file (a manager client)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from dorisctl.keycheck import ensure_key_ring
from dorisctl.kv import KvError
from dorisctl.logs import log_event, setup_logging
from dorisctl.metaservice.context import Settings
from dorisctl.metaservice.model.storeformat import StoreFormatError
from dorisctl.metaservice.recycler import RecyclerConfig
from dorisctl.metaservice.server import (
    MetaServiceConfig,
    MetaServiceRuntime,
    RecyclerServiceConfig,
    prepare,
    prepare_recycler,
    prepare_shared,
)
from dorisctl.metaservice.workers import WorkerPool, become_worker, default_workers, mark_ready
from dorisctl.secrets import SecretError
from dorisctl.serving import add_tls_args, check_tls, enable_tls, run, run_servers

log = logging.getLogger("dorisctl")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=Path("./data"), help="state directory (default ./data)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def _add_meta_service_args(p: argparse.ArgumentParser, *, prefix: str = "") -> None:
    p.add_argument(f"--{prefix}host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument(f"--{prefix}port", type=int, default=5000, help="listen port (default 5000)")
    p.add_argument(
        "--store",
        default="",
        help="sqlite:///path (default: <data-dir>/meta-service.db), etcd://h1:2379,h2:2379,h3:2379 or "
        "postgresql://user@host:5432/db (password in the URL, PGPASSWORD or ~/.pgpass)",
    )
    p.add_argument("--token", default="", help="API token (default: DORISCTL_META_TOKEN or <data-dir>/token)")
    p.add_argument(
        "--ms-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Doris meta-service config knob, e.g. enable_check_fe_drop_in_safe_time=false (repeatable)",
    )


def _add_rpc_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rpc-allow",
        default="",
        metavar="CIDRS",
        help="only accept connections from these networks, e.g. 10.0.0.0/8,127.0.0.1 (default: any; the FE/BE "
        "protocols carry no credentials, so keep the port on the cluster's private network)",
    )
    p.add_argument(
        "--max-message-bytes",
        type=int,
        default=1 << 30,
        help="largest gRPC / baidu_std message accepted (default 1 GiB)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="meta-service processes sharing the port and the store (default: the cores this process may use; "
        "1 = one process)",
    )


def _add_recycler_args(p: argparse.ArgumentParser, *, in_process: bool) -> None:
    d = RecyclerConfig()
    if in_process:
        p.add_argument("--no-recycler", action="store_true", help="do not run the recycler in this process")
    p.add_argument("--recycle-interval-seconds", type=float, default=d.recycle_interval_seconds)
    p.add_argument(
        "--recycler-sleep-before-scheduling-seconds", type=float, default=d.recycler_sleep_before_scheduling_seconds
    )
    p.add_argument("--recycle-concurrency", type=int, default=d.recycle_concurrency)
    p.add_argument("--recycle-whitelist", default="", help="comma-separated instance ids (only these)")
    p.add_argument("--recycle-blacklist", default="", help="comma-separated instance ids (never these)")


def _recycler_config(args: argparse.Namespace) -> RecyclerConfig | None:
    if getattr(args, "no_recycler", False):
        return None
    return RecyclerConfig(
        recycle_interval_seconds=args.recycle_interval_seconds,
        recycler_sleep_before_scheduling_seconds=args.recycler_sleep_before_scheduling_seconds,
        recycle_concurrency=args.recycle_concurrency,
        recycle_whitelist=[i for i in args.recycle_whitelist.split(",") if i],
        recycle_blacklist=[i for i in args.recycle_blacklist.split(",") if i],
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dorisctl", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole system on the embedded store")
    _add_common(up)
    _add_meta_service_args(up)
    _add_rpc_args(up)
    up.add_argument("--manager-host", default="0.0.0.0", help="manager listen address (agents must reach it)")
    up.add_argument("--manager-port", type=int, default=9601, help="manager port (default 9601)")
    up.add_argument("--no-manager", action="store_true", help="start the meta-service only")
    add_tls_args(up, "the manager (the meta-service beside it stays plain: FEs and BEs need it)")
    ms = sub.add_parser("meta-service", help="run a meta-service process")
    _add_common(ms)
    _add_meta_service_args(ms)
    _add_rpc_args(ms)
    add_tls_args(ms, "the HTTP API only (FEs and BEs speak plaintext gRPC/baidu_std to this port)")
    ms.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)  # set by the supervisor
    for p in (up, ms):
        _add_recycler_args(p, in_process=True)
    rc = sub.add_parser("recycler", help="run the recycler alone")
    _add_common(rc)
    _add_meta_service_args(rc)
    rc.set_defaults(port=5100)
    _add_recycler_args(rc, in_process=False)
    from dorisctl.manager.cli import add_manager_parser
    from dorisctl.manager.cluster_cli import add_cluster_parser

    add_manager_parser(sub)
    from dorisctl.keyring_admin import add_keys_parser

    add_keys_parser(sub)
    add_cluster_parser(sub)
    return parser


def parse_settings(pairs: list[str]) -> Settings:
    """Settings from KEY=VALUE pairs; unknown keys and bad values are errors."""
    settings = Settings()
    known = {f.name for f in dataclasses.fields(Settings)}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in known:
            raise ValueError(f"--ms-config {pair!r}: want KEY=VALUE with KEY one of {', '.join(sorted(known))}")
        current = getattr(settings, key)
        if isinstance(current, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"--ms-config {key} takes true or false, got {value!r}")
            setattr(settings, key, value.lower() in ("true", "1"))
        elif isinstance(current, int):
            setattr(settings, key, int(value))
        else:
            setattr(settings, key, value)
    return settings


def _meta_config(args: argparse.Namespace) -> MetaServiceConfig:
    return MetaServiceConfig(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        store=args.store,
        token=args.token,
        settings=parse_settings(args.ms_config),
        recycler=_recycler_config(args),
        rpc_allow=args.rpc_allow,
        max_message_bytes=args.max_message_bytes,
        worker_index=getattr(args, "worker_index", None),
    )


def _workers(args: argparse.Namespace) -> int:
    if getattr(args, "worker_index", None) is not None:
        return 1
    if args.workers is None:
        return default_workers()
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    return int(args.workers)


def _worker_argv(args: argparse.Namespace) -> list[str]:
    """`dorisctl meta-service` arguments of a worker (the token travels in the environment)."""
    argv = ["meta-service", "--data-dir", str(args.data_dir.resolve()), "--host", args.host, "--port", str(args.port)]
    argv += ["--log-level", args.log_level, "--max-message-bytes", str(args.max_message_bytes)]
    if args.store:
        argv += ["--store", args.store]
    for pair in args.ms_config:
        argv += ["--ms-config", pair]
    if args.rpc_allow:
        argv += ["--rpc-allow", args.rpc_allow]
    if args.no_recycler:
        argv.append("--no-recycler")
    argv += ["--recycle-interval-seconds", str(args.recycle_interval_seconds)]
    argv += ["--recycler-sleep-before-scheduling-seconds", str(args.recycler_sleep_before_scheduling_seconds)]
    argv += ["--recycle-concurrency", str(args.recycle_concurrency)]
    if args.recycle_whitelist:
        argv += ["--recycle-whitelist", args.recycle_whitelist]
    if args.recycle_blacklist:
        argv += ["--recycle-blacklist", args.recycle_blacklist]
    if args.command == "meta-service" and args.tls_cert:  # in `up`, --tls-* are the manager's
        argv += ["--tls-cert", args.tls_cert, "--tls-key", args.tls_key or ""]
    return argv


async def _worker_pool(args: argparse.Namespace, count: int) -> WorkerPool:
    token = await prepare_shared(_meta_config(args))
    return WorkerPool(count, _worker_argv(args), token)


async def _supervise(args: argparse.Namespace, count: int) -> int:
    if args.command == "meta-service":  # bad TLS input is said once, here, not by every worker
        check_tls(args.tls_cert, args.tls_key)
    pool = await _worker_pool(args, count)
    code = await pool.serve()
    log_event(log, "meta_service_stopped", workers=count)
    return code


async def _serve_meta_service(args: argparse.Namespace) -> int:
    if getattr(args, "worker_index", None) is not None:
        become_worker(args.worker_index)
    runtime: MetaServiceRuntime = prepare(_meta_config(args))
    try:
        if args.command == "meta-service":  # in `up`, --tls-* are the manager's
            enable_tls(runtime.server, args.tls_cert, args.tls_key)
        await runtime.kv.open()  # a store that cannot be reached stops the process with one line
        await ensure_key_ring(runtime.kv, runtime.service.keyring)  # refuse a ring that cannot open the secrets
        await runtime.open()

        async def started() -> None:
            log_event(log, "meta_service_ready", url=f"http://{args.host}:{args.port}", store=runtime.kv.url)
            runtime.start_background()
            if getattr(args, "worker_index", None) is not None:
                mark_ready(args.worker_index)

        await run_servers([runtime.server], on_started=started)
    finally:
        await runtime.close()
        log_event(log, "meta_service_stopped")
    return 0


async def _serve_up(args: argparse.Namespace) -> int:
    """The meta-service (with its recycler) and the manager, side by side on one event loop."""
    count = _workers(args)
    if args.no_manager:
        return await (_supervise(args, count) if count > 1 else _serve_meta_service(args))
    if count > 1:
        return await _serve_up_workers(args, count)
    from dorisctl.manager.server import prepare_manager

    meta = prepare(_meta_config(args))
    manager = None
    try:
        await meta.kv.open()
        await ensure_key_ring(meta.kv, meta.service.keyring)
        await meta.open()
        manager = prepare_manager(
            host=args.manager_host,
            port=args.manager_port,
            data_dir=args.data_dir,
            meta_service_url=f"{args.host}:{args.port}",  # the default meta_service.endpoint of topologies
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
        )

        async def started() -> None:
            meta.start_background()
            assert manager is not None
            await manager.start()
            log_event(
                log,
                "dorisctl_up",
                meta_service=f"http://{args.host}:{args.port}",
                manager=f"http://{args.manager_host}:{args.manager_port}",
                store=meta.kv.url,
                data_dir=str(args.data_dir.resolve()),
            )

        await run_servers([meta.server, manager.server], on_started=started)
    finally:
        if manager is not None:
            await manager.close()
        await meta.close()
        log_event(log, "dorisctl_stopped")
    return 0


async def _serve_up_workers(args: argparse.Namespace, count: int) -> int:
    """`up` with meta-service workers: this process runs the manager and supervises the workers."""
    from dorisctl.manager.server import prepare_manager

    pool = await _worker_pool(args, count)
    manager = prepare_manager(
        host=args.manager_host,
        port=args.manager_port,
        data_dir=args.data_dir,
        meta_service_url=f"{args.host}:{args.port}",
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )
    pool.start()
    watcher = asyncio.create_task(pool.watch())
    try:
        if not await pool.wait_ready():
            raise SystemExit(1)

        async def started() -> None:
            await manager.start()
            log_event(
                log,
                "dorisctl_up",
                meta_service=f"http://{args.host}:{args.port}",
                workers=count,
                manager=f"http://{args.manager_host}:{args.manager_port}",
                data_dir=str(args.data_dir.resolve()),
            )

        await run_servers([manager.server], on_started=started)
    finally:
        await manager.close()
        code = await pool.stop()
        watcher.cancel()
        log_event(log, "dorisctl_stopped")
    return code


async def _serve_recycler(args: argparse.Namespace) -> int:
    rcfg = _recycler_config(args)
    assert rcfg is not None
    cfg = RecyclerServiceConfig(
        host=args.host, port=args.port, data_dir=args.data_dir, store=args.store, token=args.token, recycler=rcfg
    )
    runtime = prepare_recycler(cfg)
    try:
        await runtime.kv.open()
        await ensure_key_ring(runtime.kv, runtime.recycler.svc.keyring)
        await runtime.open()

        async def started() -> None:
            log_event(log, "recycler_ready", url=f"http://{args.host}:{args.port}", store=runtime.kv.url)
            runtime.recycler.start()

        await run_servers([runtime.server], on_started=started)
    finally:
        await runtime.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(getattr(args, "log_level", "info"))
    try:
        if args.command in ("manager", "cluster"):
            return int(args.func(args))
        if args.command == "up":
            return run(_serve_up(args))
        if args.command == "meta-service":
            count = _workers(args)
            return run(_supervise(args, count) if count > 1 else _serve_meta_service(args))
        if args.command == "recycler":
            return run(_serve_recycler(args))
        if args.command == "keys":
            from dorisctl.keyring_admin import run_keys_command

            return run(run_keys_command(args))
    except (SecretError, StoreFormatError, ValueError, OSError) as e:
        print(f"dorisctl: error: {e}", file=sys.stderr)
        return 2
    except KvError as e:  # the store failed at start-up (StoreOpenError: unreachable, bad login, ...)
        print(f"dorisctl: error: store: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    return 2


if __name__ == "__main__":
    sys.exit(main())
