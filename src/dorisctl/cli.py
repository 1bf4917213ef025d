"""The `dorisctl` command: wires components together (nothing imports this module).

dorisctl up             the whole system on the embedded store (what `make run` starts)
dorisctl meta-service   one meta-service process
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from dorisctl.logs import log_event, setup_logging
from dorisctl.metaservice.server import MetaServiceConfig, MetaServiceRuntime, prepare
from dorisctl.secrets import SecretError
from dorisctl.serving import run, run_servers

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
        help="sqlite:///path (default: <data-dir>/meta-service.db) or etcd://h1:2379,h2:2379,h3:2379",
    )
    p.add_argument("--token", default="", help="API token (default: DORISCTL_META_TOKEN or <data-dir>/token)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dorisctl", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole system on the embedded store")
    _add_common(up)
    _add_meta_service_args(up)
    ms = sub.add_parser("meta-service", help="run a meta-service process")
    _add_common(ms)
    _add_meta_service_args(ms)
    return parser


def _meta_config(args: argparse.Namespace) -> MetaServiceConfig:
    return MetaServiceConfig(host=args.host, port=args.port, data_dir=args.data_dir, store=args.store, token=args.token)


async def _serve_meta_service(args: argparse.Namespace) -> int:
    runtime: MetaServiceRuntime = prepare(_meta_config(args))
    try:

        async def started() -> None:
            log_event(log, "meta_service_ready", url=f"http://{args.host}:{args.port}", store=runtime.kv.url)

        await run_servers([runtime.server], on_started=started)
    finally:
        await runtime.close()
        log_event(log, "meta_service_stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        if args.command in ("up", "meta-service"):
            return run(_serve_meta_service(args))
    except (SecretError, ValueError, OSError) as e:
        print(f"dorisctl: error: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    return 2


if __name__ == "__main__":
    sys.exit(main())
