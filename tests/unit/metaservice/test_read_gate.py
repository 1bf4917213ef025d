"""The read gate: a few reads start per event-loop iteration, in arrival order, so a write that
needs several iterations is not stuck behind every read that arrived with it."""

from __future__ import annotations

import asyncio

from dorisctl.metaservice.executor import ReadGate


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
