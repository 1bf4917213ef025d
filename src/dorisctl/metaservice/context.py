"""What every meta-service operation is given (the store, the key ring, settings and a clock:
`Service`) and what it gives back on success (`Reply`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from dorisctl.kv import TxnKv
from dorisctl.secrets import KeyRing


@dataclass
class Settings:
    """Doris's meta-service config knobs that change observable behaviour (names as in Doris)."""

    enable_check_instance_id: bool = True
    enable_cluster_name_check: bool = False
    enable_check_fe_drop_in_safe_time: bool = True
    fe_drop_safe_seconds: int = 300
    arn_id: str = ""
    arn_ak: str = ""
    arn_sk: str = ""
    max_num_aborted_txn: int = 100
    split_tablet_stats: bool = True
    enable_load_txn_status_check: bool = True  # prepare/commit_rowset of a load need a PREPARED txn
    max_num_stages: int = 40  # stages per instance (create_stage)
    default_max_qps_limit: int = 1_000_000  # per RPC and instance, as Doris
    specific_max_qps_limit: str = "get_cluster:5000000;begin_txn:5000000"  # rpc:limit pairs, as Doris
    max_requests_in_progress: int = 4096  # dorisctl: admitted and not yet answered, per process
    request_read_timeout_seconds: int = 30  # dorisctl: an HTTP request's headers, and each body chunk
    reads_per_loop_iteration: int = 4  # dorisctl: read-only operations started per event-loop turn (executor.ReadGate)
    reply_cache_entries: int = 50_000  # dorisctl: replies of cached read RPCs kept per process (0: none)
    reply_cache_mb: int = 64  # dorisctl: and their bytes (metaservice/replycache.py)


@dataclass
class Service:
    kv: TxnKv
    keyring: KeyRing
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], float] = time.time

    def now_s(self) -> int:
        return int(self.clock())

    def now_ms(self) -> int:
        return int(self.clock() * 1000)


@dataclass
class Reply:
    """A successful operation's message (almost always "") and optional result message."""

    msg: str = ""
    result: Message | None = None


# What one request keeps across the runner's re-runs of its operation (set by Executor.run): e.g.
# the txn id begin_txn allocated, so a retried attempt reuses it instead of stepping the counter
# again. None outside an executor (operations then allocate afresh).
REQUEST_SCRATCH: ContextVar[dict[str, Any] | None] = ContextVar("dorisctl_request_scratch", default=None)

# Lets a queued operation leave its executor queue before it ends (set by Executor.run for requests
# with a queue key: the in-process lock and the workers' flock): a lazy commit past its commit point
# lets the database's other commits go on while it converts. Idempotent; None when not queued.
QUEUE_RELEASE: ContextVar[Callable[[], None] | None] = ContextVar("dorisctl_queue_release", default=None)


def release_queue() -> None:
    """Let the requests queued behind the running operation's key go on now (no-op if none)."""
    release = QUEUE_RELEASE.get()
    if release is not None:
        release()
