"""metrics.py's batched writes (multiprocess mode): gathered values reach the metric only at
`flush`, once per event-loop iteration on their own, with the same totals and histogram buckets
as writing each value at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from dorisctl import metrics

BOUNDS = (0.001, 0.01, 0.1, 1.0)


@pytest.fixture
def batched(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    metrics.flush()  # nothing of another test's left pending
    monkeypatch.setattr(metrics, "_batched", True)
    yield
    metrics.flush()


def fresh() -> tuple[CollectorRegistry, Counter, Histogram, Gauge]:
    reg = CollectorRegistry()
    counter = Counter("t_requests", "x", ["code"], registry=reg)
    hist = Histogram("t_seconds", "x", buckets=BOUNDS, registry=reg)
    gauge = Gauge("t_bytes", "x", registry=reg)
    return reg, counter, hist, gauge


VALUES = [0.0005, 0.001, 0.001, 0.0011, 0.05, 0.1, 0.5, 1.0, 3.0, 250.0, 0.0]


def test_gathered_until_flush_then_equal_to_direct_writes(batched: None) -> None:
    reg, counter, hist, gauge = fresh()
    ok = counter.labels("OK")
    for _ in range(5):
        metrics.inc(ok)
    metrics.inc(ok, 2.5)
    for v in VALUES:
        metrics.observe(hist, v)
    metrics.set_value(gauge, 7)
    metrics.set_value(gauge, 9)
    assert ok._value.get() == 0 and gauge._value.get() == 0  # nothing written yet
    metrics.flush()

    direct_reg, d_counter, d_hist, d_gauge = fresh()
    d_counter.labels("OK").inc(7.5)
    for v in VALUES:
        d_hist.observe(v)
    d_gauge.set(9)

    def samples(r: CollectorRegistry) -> list[str]:
        skip = ("#", "t_requests_created", "t_seconds_created")
        return [line for line in generate_latest(r).decode().splitlines() if not line.startswith(skip)]

    assert samples(reg) == samples(direct_reg)
    assert 't_seconds_bucket{le="0.001"} 4.0' in samples(reg)  # 0, 0.0005 and the two on the bound
    assert "t_seconds_count 11.0" in samples(reg)


def test_one_process_writes_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_batched", False)
    _, counter, hist, _ = fresh()
    metrics.inc(counter.labels("OK"))
    metrics.observe(hist, 0.5)
    assert counter.labels("OK")._value.get() == 1
    assert hist._sum.get() == 0.5


def test_a_running_loop_flushes_by_itself(batched: None) -> None:
    _, counter, hist, _ = fresh()

    async def main() -> tuple[float, float]:
        metrics.inc(counter.labels("OK"))
        metrics.observe(hist, 0.2)
        before = counter.labels("OK")._value.get()
        await asyncio.sleep(0)  # the next iteration runs the scheduled flush
        await asyncio.sleep(0)
        return before, counter.labels("OK")._value.get()

    before, after = asyncio.run(main())
    assert (before, after) == (0, 1)
    assert hist._sum.get() == 0.2


def test_the_exposition_writes_what_is_pending(batched: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, counter, _, _ = fresh()
    metrics.inc(counter.labels("OK"), 3)
    flushed: list[bool] = []
    real = metrics.flush
    monkeypatch.setattr(metrics, "multiprocess", lambda: True)

    def spy() -> None:
        flushed.append(True)
        real()

    monkeypatch.setattr(metrics, "flush", spy)
    monkeypatch.setenv(metrics.MULTIPROCESS_ENV, str(tmp_path))
    metrics.exposition()
    assert flushed and counter.labels("OK")._value.get() == 3
