"""Command-line glue for ``dorisctl manager``: ``add_manager_parser`` and ``run_manager`` are wired
into the top-level CLI; ``python -m dorisctl.manager`` uses them directly."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from dorisctl.logs import setup_logging
from dorisctl.serving import TlsError, add_tls_args, run

from .server import ManagerRuntime, prepare_manager, serve_manager


def _add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=9601, help="port to listen on (default 9601)")
    p.add_argument("--data-dir", default="./data", help="state directory (db, keys, token)")
    p.add_argument("--db", default=None, help="SQLAlchemy URL (default sqlite in the data dir)")
    p.add_argument("--token", default=None, help="operator token (default: <data-dir>/manager-token)")
    p.add_argument("--advertise-url", default=None, help="URL agents use to reach this manager")
    p.add_argument("--ssh-parallel", type=int, default=16, help="hosts bootstrapped at once (default 16)")
    p.add_argument(
        "--heartbeat-timeout",
        type=float,
        default=60.0,
        help="seconds of agent silence after which agentList shows STOP (default 60)",
    )
    p.add_argument(
        "--meta-service",
        default=None,
        metavar="HOST:PORT",
        help="default meta_service.endpoint of cloud-mode topologies (its token: <data-dir>/token)",
    )
    add_tls_args(p, "the API, the web console and the agents' calls")


def add_manager_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("manager", help="run the cluster manager (REST API, web UI, agents)")
    _add_args(p)
    p.set_defaults(func=run_manager)


def run_manager(args: argparse.Namespace) -> int:
    setup_logging("info")  # the same structured logs as every dorisctl process
    logging.getLogger("asyncssh").setLevel(logging.WARNING)

    async def main() -> int:
        try:
            runtime = _prepare(args)
        except TlsError as e:
            print(f"dorisctl manager: {e}", file=sys.stderr)
            return 2
        await serve_manager(runtime)
        return 0

    return run(main())


def _prepare(args: argparse.Namespace) -> ManagerRuntime:
    return prepare_manager(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        db_url=args.db,
        token=args.token,
        advertise_url=args.advertise_url,
        ssh_parallel=args.ssh_parallel,
        heartbeat_timeout=args.heartbeat_timeout,
        meta_service_url=args.meta_service,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="dorisctl manager")
    _add_args(p)
    return run_manager(p.parse_args(argv))
