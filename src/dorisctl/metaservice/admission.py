"""Admission: how much work one meta-service process takes on (issue 12, overload).

Two bounds, checked when a request arrives (HTTP: once its headers are in, so a request still
sending its body counts; gRPC and baidu_std: once its frame is whole), both answered as Doris
answers its rate limiter: MetaServiceCode MAX_QPS_LIMIT, message `reach max qps limit` (in the
HTTP envelope, or in the response's `status` over RPC). Nothing is executed for a refused request,
and service resumes the moment the burst is over (no queue to drain).

* `max_requests_in_progress` (default 4096): requests admitted and not yet answered, per process.
  A slow store therefore makes new requests fail fast instead of queueing without bound.
* per-RPC QPS, as Doris's `default_max_qps_limit` (1,000,000) and `specific_max_qps_limit`
  (`rpc:limit` pairs separated by `;` or `,`; Doris's default raises get_cluster and begin_txn
  to 5,000,000): a token bucket per RPC and instance (the instance as the request names it, by
  instance_id or cloud_unique_id), refilled continuously, holding at most one second's worth.
"""

from __future__ import annotations

import time

from dorisctl import metrics
from dorisctl.metaservice.context import Settings

QPS_MSG = "reach max qps limit"
MAX_BUCKETS = 100_000  # distinct (rpc, instance) buckets kept; the oldest are dropped past it


def parse_specific_limits(text: str) -> dict[str, int]:
    """`get_cluster:5000000;begin_txn:100` -> {rpc: limit}; ValueError names the bad item."""
    out: dict[str, int] = {}
    for item in text.replace(",", ";").split(";"):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition(":")
        if not sep or not name.strip() or not value.strip().isdigit() or int(value) <= 0:
            raise ValueError(f"specific_max_qps_limit: {item!r} is not <rpc>:<positive limit>")
        out[name.strip()] = int(value)
    return out


class Admission:
    def __init__(self, settings: Settings) -> None:
        self.max_in_progress = settings.max_requests_in_progress
        self.default_qps = settings.default_max_qps_limit
        self.specific = parse_specific_limits(settings.specific_max_qps_limit)
        self.in_progress = 0
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (tokens, last refill)
        metrics.gauge_function(metrics.IN_PROGRESS, lambda: self.in_progress)

    def enter(self, rpc: str, instance: str = "") -> bool:
        """Admit one request (then `leave()` once it is answered), or False: answer MAX_QPS_LIMIT."""
        if self.in_progress >= self.max_in_progress:
            metrics.inc(metrics.OVERLOADED.labels("in_progress"))
            return False
        if not self._take_token(rpc, instance):
            metrics.inc(metrics.OVERLOADED.labels("qps"))
            return False
        self.in_progress += 1
        return True

    def leave(self) -> None:
        self.in_progress -= 1

    def _take_token(self, rpc: str, instance: str) -> bool:
        limit = self.specific.get(rpc, self.default_qps)
        key = (rpc, instance)
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(limit), now))
        tokens = min(float(limit), tokens + (now - last) * limit)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        if key not in self._buckets and len(self._buckets) >= MAX_BUCKETS:
            self._buckets.pop(next(iter(self._buckets)))
        self._buckets[key] = (tokens - 1.0, now)
        return True
