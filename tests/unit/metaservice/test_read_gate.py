"""The read gate: a few reads start per event-loop iteration, in arrival order, so a write that
needs several iterations is not stuck behind every read that arrived with it; and the lock files
that extend the per-key queues across worker processes."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from dorisctl.metaservice.executor import ProcessLocks, ReadGate


async def test_reads_start_a_few_per_iteration_in_order_and_a_write_moves_on() -> None:
    gate = ReadGate(2)
    events: list[str] = []

    async def read(i: int) -> None:
        await gate.enter()
        events.append(f"r{i}")

    async def write() -> None:
        for _ in range(5):  # a write's steps: request, commit, COMMIT's return, reply ...
            await asyncio.sleep(0)
        events.append("w")

    await asyncio.gather(*(read(i) for i in range(40)), write())
    reads = [e for e in events if e != "w"]
    assert reads == [f"r{i}" for i in range(40)]  # arrival order
    assert events.index("w") <= 14  # ungated, all 40 reads would have run before the write's 2nd step


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    gate = ReadGate(1)
    first = asyncio.ensure_future(gate.enter())
    waiting = asyncio.ensure_future(gate.enter())
    after = asyncio.ensure_future(gate.enter())
    await asyncio.sleep(0)  # all three arrived in one iteration: one passed, two wait
    assert first.done() and not waiting.done() and not after.done()
    waiting.cancel()  # its client went away
    await asyncio.wait_for(after, 1)
    assert waiting.cancelled()


async def test_process_locks_serialize_one_key_across_holders(tmp_path: Path) -> None:
    """Two workers' lock tables over one directory (as two processes would hold them)."""
    a, b = ProcessLocks(str(tmp_path)), ProcessLocks(str(tmp_path))
    order: list[str] = []

    async def hold(locks: ProcessLocks, name: str, key: str) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(0.05)
            order.append(f"{name}-")

    await asyncio.gather(hold(a, "a", "db1"), hold(b, "b", "db1"))
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    order.clear()
    other = next(k for k in (f"db{i}" for i in range(2, 200)) if zlib.crc32(k.encode()) % 64 != zlib.crc32(b"db1") % 64)
    await asyncio.gather(hold(a, "a", "db1"), hold(b, "b", other))
    assert order[:2] in (["a+", "b+"], ["b+", "a+"])  # other keys do not wait
