"""The etcd backend under a leader failure: SIGKILL the leader during concurrent writes, restart it.

Checks what callers rely on: every acknowledged commit is present afterwards; every commit that
failed with a retryable error (Conflict, Unavailable: "nothing written") is absent; no operation
hangs past a bound; a MaybeCommitted outcome (allowed, should be rare) is either way but never
half-applied. Runs on a private cluster so killing members does not disturb other tests.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import pytest

from dorisctl.kv import (
    Conflict,
    MaybeCommitted,
    Txn,
    TxnKv,
    Unavailable,
    decode_counter,
    encode_counter,
    open_store,
)
from dorisctl.kv.etcd import EtcdKv
from tests.fixtures.etcd import EtcdCluster

pytestmark = pytest.mark.slow

WRITERS = 8
OP_BOUND = 30.0  # seconds: no single operation may take longer (timeouts + outcome resolution)


@dataclass
class Outcomes:
    acked: list[bytes] = field(default_factory=list)
    failed: list[tuple[bytes, str]] = field(default_factory=list)
    maybe: list[bytes] = field(default_factory=list)
    slowest: float = 0.0


async def _one_write(kv: TxnKv, writer: int, seq: int) -> None:
    """One transaction: read-modify-write of the writer's counter plus a new key and a blind add."""
    txn: Txn = await kv.begin()
    try:
        count = decode_counter(await txn.get(b"count/%d" % writer))
        txn.put(b"count/%d" % writer, encode_counter(count + 1))
        txn.put(b"w/%d/%06d" % (writer, seq), b"v")
        txn.atomic_add(b"total", 1)
        await txn.commit()
    finally:
        await txn.discard()


async def _writer(kv: TxnKv, writer: int, stop: asyncio.Event, out: Outcomes) -> None:
    seq = 0
    while not stop.is_set() and seq < 5000:
        key = b"w/%d/%06d" % (writer, seq)
        started = time.monotonic()
        try:
            await asyncio.wait_for(_one_write(kv, writer, seq), OP_BOUND)
            out.acked.append(key)
        except (Conflict, Unavailable) as e:
            out.failed.append((key, f"{type(e).__name__}: {str(e)[:60]}"))
            await asyncio.sleep(0.02)
        except MaybeCommitted:
            out.maybe.append(key)
        out.slowest = max(out.slowest, time.monotonic() - started)
        seq += 1


async def _read_all(kv: TxnKv) -> tuple[set[bytes], dict[int, int], int]:
    deadline = time.monotonic() + 20
    while True:
        txn = await kv.begin()
        try:
            keys = {k for k, _ in await txn.get_range(b"w/", b"w0")}
            counts = {w: decode_counter(await txn.get(b"count/%d" % w)) for w in range(WRITERS)}
            total = decode_counter(await txn.get(b"total"))
            return keys, counts, total
        except Unavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
        finally:
            await txn.discard()


async def test_leader_kill_during_concurrent_writes_loses_no_acknowledged_write() -> None:
    with EtcdCluster.start(3) as cluster:
        kv = open_store(cluster.url("fault") + "?timeout=1")
        assert isinstance(kv, EtcdKv)
        out = Outcomes()
        stop = asyncio.Event()
        try:
            writers = [asyncio.create_task(_writer(kv, w, stop, out)) for w in range(WRITERS)]
            await asyncio.sleep(1.5)
            before_kill = len(out.acked)
            leader = cluster.leader()
            killed_pid = cluster.kill(leader.name)
            killed_at = time.monotonic()
            await asyncio.sleep(4.0)
            during = len(out.acked) - before_kill
            cluster.restart(leader.name)
            await asyncio.sleep(1.5)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*writers), OP_BOUND + 5)
            new_leader = cluster.leader()
            keys, counts, total = await _read_all(kv)
        finally:
            stop.set()
            await kv.close()

    failed_keys = {k for k, _ in out.failed}
    print(
        f"\nkilled leader {leader.name} (pid {killed_pid}) at +1.5s; new leader {new_leader.name}; "
        f"acked {len(out.acked)} ({before_kill} before the kill, {during} in the 4 s after), "
        f"failed {len(out.failed)} ({sorted({n for _, n in out.failed})}), maybe {len(out.maybe)}, "
        f"slowest op {out.slowest:.2f}s, stats {dict(kv.stats)}, "
        f"took {time.monotonic() - killed_at:.1f}s from the kill"
    )
    assert before_kill > 0 and len(out.acked) > before_kill, "writes must go on before and after the kill"
    missing = [k for k in out.acked if k not in keys]
    assert not missing, f"acknowledged writes lost: {missing[:5]}"
    ghosts = failed_keys & keys
    assert not ghosts, f"writes reported as failed (nothing written) were applied: {sorted(ghosts)[:5]}"
    assert keys <= set(out.acked) | set(out.maybe), "keys nobody wrote"
    # each transaction bumped its writer's counter and the shared total with the key, atomically
    for w in range(WRITERS):
        assert counts[w] == len([k for k in keys if k.startswith(b"w/%d/" % w)])
    assert total == len(keys)
    assert out.slowest < OP_BOUND
