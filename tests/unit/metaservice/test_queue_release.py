"""Leaving the executor's queue early (executor.InstanceQueue / ProcessLocks, context.release_queue):
the next request of the key goes on at once; releasing again, and the block's end, release nothing
more (the next holder keeps its hold); outside a queued operation release_queue does nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from dorisctl.metaservice.context import release_queue
from dorisctl.metaservice.executor import InstanceQueue, ProcessLocks

Hold = Callable[[str], AbstractAsyncContextManager[Callable[[], None]]]


@pytest.fixture(params=["in-process", "flock"])
def hold(request: pytest.FixtureRequest, tmp_path: Path) -> Hold:
    if request.param == "in-process":
        return InstanceQueue().hold
    a, b = ProcessLocks(str(tmp_path)), ProcessLocks(str(tmp_path))
    turn = iter([a, b, a, b, a, b])
    return lambda key: next(turn).hold(key)  # alternate, as two worker processes would


async def test_early_release_lets_the_next_go_and_releases_once(hold: Hold) -> None:
    order: list[str] = []
    first_released = asyncio.Event()
    second_in = asyncio.Event()
    let_second_go = asyncio.Event()

    async def first() -> None:
        async with hold("k") as release:
            order.append("first in")
            release()
            release()  # idempotent
            first_released.set()
            await second_in.wait()  # still inside its block while the second holds the key
            order.append("first still running")
        order.append("first done")  # its block's end released nothing more

    async def second() -> None:
        await first_released.wait()
        async with hold("k"):
            order.append("second in")
            second_in.set()
            await let_second_go.wait()
            order.append("second out")

    async def third() -> None:
        await second_in.wait()
        async with hold("k"):
            order.append("third in")

    tasks = [asyncio.ensure_future(f()) for f in (first, second, third)]
    await asyncio.wait_for(tasks[0], 5)
    await asyncio.sleep(0.05)
    assert "third in" not in order  # the second still holds the key
    let_second_go.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert order == ["first in", "second in", "first still running", "first done", "second out", "third in"]


def test_release_queue_outside_a_queued_operation_does_nothing() -> None:
    release_queue()
