"""The recycler's knobs (`RecyclerConfig`, Doris's names and defaults), what one job did
(`JobResult`) and the recycler's own exceptions."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.recycler.objstore import ClientOptions

log = logging.getLogger("dorisctl.recycler")

InstanceInfoPB = cloud_pb2.InstanceInfoPB
JobRecyclePB = cloud_pb2.JobRecyclePB
RecycleRowsetPB = cloud_pb2.RecycleRowsetPB

GC_BATCH = 500  # records handled per KV transaction in routine GC
PROGRESS_LOG_SECONDS = 5.0


@dataclass
class RecyclerConfig:
    """Doris's recycler knobs (names and defaults as in Doris, spec 8)."""

    recycle_interval_seconds: float = 3600
    recycler_sleep_before_scheduling_seconds: float = 60
    recycle_concurrency: int = 16
    recycle_whitelist: list[str] = field(default_factory=list)
    recycle_blacklist: list[str] = field(default_factory=list)
    recycle_job_lease_expired_ms: int = 60000
    label_keep_max_second: int = 259200
    retention_seconds: int = 259200
    compacted_rowset_retention_seconds: int = 1800
    dropped_index_retention_seconds: int = 10800
    dropped_partition_retention_seconds: int = 10800
    copy_job_max_retention_second: int = 259200
    s3_client_http_scheme: str = "http"
    s3_delete_concurrency: int = 8
    s3_connect_timeout_seconds: float = 3.0
    s3_read_timeout_seconds: float = 30.0
    s3_max_attempts: int = 3
    history_size: int = 200

    def client_options(self) -> ClientOptions:
        return ClientOptions(
            scheme=self.s3_client_http_scheme,
            connect_timeout=self.s3_connect_timeout_seconds,
            read_timeout=self.s3_read_timeout_seconds,
            max_attempts=self.s3_max_attempts,
            delete_concurrency=self.s3_delete_concurrency,
        )


@dataclass
class JobResult:
    """What one job did (shown by the status route)."""

    instance_id: str
    kind: str = ""  # destroy | gc | none
    outcome: str = "running"  # done | failed | busy | skipped | missing | lease_lost | running
    error: str = ""
    started_ms: int = 0
    finished_ms: int = 0
    seconds: float = 0.0
    objects_deleted: int = 0
    bytes_deleted: int = 0
    keys_deleted: int = 0
    txns_aborted: int = 0
    labels_expired: int = 0
    rowsets_recycled: int = 0
    indexes_recycled: int = 0
    partitions_recycled: int = 0
    tablets_recycled: int = 0
    tmp_rowsets_recycled: int = 0
    restore_jobs_aborted: int = 0
    restore_jobs_recycled: int = 0
    versions_recycled: int = 0  # tables whose version keys went (recycler/versions.py)
    s3_seconds: float = 0.0
    lease_renewals: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class LeaseLost(Exception):
    pass


class InstanceBusy(Exception):
    pass


def passes_lists(cfg: RecyclerConfig, iid: str) -> bool:
    if cfg.recycle_whitelist:
        return iid in cfg.recycle_whitelist
    return iid not in cfg.recycle_blacklist
