"""Running one operation for any transport: one store transaction (the runner retries conflicts),
same-instance resource writes queued in the process, store failures mapped to Doris's codes.

Every transport (HTTP, gRPC, baidu_std) calls `Executor.run`; none of them opens a transaction
itself.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import os
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sized
from typing import Any

from google.protobuf.message import Message

from dorisctl.kv import KvError, Txn, run_txn
from dorisctl.metaservice.admission import Admission
from dorisctl.metaservice.context import QUEUE_RELEASE, REQUEST_SCRATCH, Reply, Service
from dorisctl.metaservice.errors import invalid, kv_error_to_ms
from dorisctl.metaservice.workers import READY_DIR_ENV as WORKERS_DIR_ENV

Handler = Callable[[Service, Txn, Any], Awaitable[Reply]]


def instance_hint(req: Message) -> str:
    """The instance a resource request names (by id or by a node's cloud_unique_id)."""
    return str(getattr(req, "instance_id", "") or getattr(req, "cloud_unique_id", ""))


class InstanceQueue:
    """FIFO locks by instance, for requests that read-modify-write one instance value.

    Under optimistic concurrency two such requests for one instance in the same commit batch
    always conflict; the loser backs off and can keep losing to the winner's next request until
    its retries run out (measured: 32-282 of ~30,000 writes failed in bench/meta_http.py). Queuing
    them in the process removes those conflicts and is fair; other processes are still kept
    correct by the store's conflict checks. The key is a hint: requests naming one instance in two
    ways (id, cloud_unique_id) may still meet as optimistic conflicts, which stay correct.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Callable[[], None]]:
        """Held until the block ends or the callable it yields (idempotent) releases it earlier."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)

        def leave() -> None:
            held, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (held, users - 1)

        try:
            await lock.acquire()
        except BaseException:
            leave()
            raise
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                lock.release()
                leave()

        try:
            yield release
        finally:
            release()


class ProcessLocks:
    """The in-process queues, extended across the worker processes of one service (`--workers`):
    a lock file per key stripe in the supervisor's directory, taken with a non-blocking flock
    polled every 0.5 ms. Without it two workers' commit_txn on one database meet as store
    conflicts and back off (up to 200 ms each time; measured: a paced writer stalled for whole
    seconds). Only an optimization: the store's conflict checks keep it correct either way."""

    STRIPES = 64

    def __init__(self, directory: str) -> None:
        self.directory = directory

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Callable[[], None]]:
        """Held until the block ends or the callable it yields (idempotent) releases it earlier."""
        path = os.path.join(self.directory, f"lock-{zlib.crc32(key.encode()) % self.STRIPES}")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        closed = False

        def release() -> None:
            nonlocal closed
            if not closed:
                closed = True
                os.close(fd)  # releases the lock

        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    await asyncio.sleep(0.0005)
            yield release
        finally:
            release()


class ReadGate:
    """At most `per_tick` read-only operations start per event-loop iteration; the rest wait, in
    arrival order, for the next iterations.

    A read runs on the event loop without yielding (SQLite reads are inline), so 64 readers
    arriving together would make one loop iteration 64 reads long, and a load's commit_txn, which
    needs a few iterations (its request, the group commit's COMMIT in a thread, the reply), waited
    behind hundreds of reads (measured: a writer paced at 60 loads/s completed ~1-30 of them a
    second while 64 callers read). With the gate an iteration holds a few reads, so writes move
    on every few milliseconds while reads keep the loop as busy as before.
    """

    def __init__(self, per_tick: int) -> None:
        self.per_tick = per_tick
        self._used = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._reset_scheduled = False

    async def enter(self) -> None:
        if self._used < self.per_tick and not self._waiters:
            self._used += 1
            self._schedule_reset()
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self._schedule_reset()
        await future

    def _schedule_reset(self) -> None:
        if not self._reset_scheduled:
            self._reset_scheduled = True
            asyncio.get_running_loop().call_soon(self._next_tick)

    def _next_tick(self) -> None:
        self._reset_scheduled = False
        self._used = 0
        while self._waiters and self._used < self.per_tick:
            future = self._waiters.popleft()
            if not future.done():  # its request was cancelled (client gone)
                self._used += 1
                future.set_result(None)
        if self._used or self._waiters:
            self._schedule_reset()


async def _in_range(handler: Handler, svc: Service, txn: Txn, req: Any) -> Reply:
    """Run the operation; an int64 field it would set past the int64 range (a sum or a deadline of
    the request's own values, where upstream's C++ arithmetic wraps) refuses the request as bad
    input instead of failing inside: nothing was written, the transaction is not committed."""
    try:
        return await handler(svc, txn, req)
    except ValueError as e:
        if not str(e).startswith("Value out of range"):
            raise
        raise invalid(f"a value of the request is out of the int64 range ({e})") from None


async def _tracked(handler: Handler, svc: Service, txn: Txn, req: Any, reads: list[Sized]) -> Reply:
    """The operation with its transaction's reads recorded; `reads` ends holding the read set of
    the attempt that answered (a retried attempt's set is replaced), if the store keeps one."""
    txn.track_reads()
    reply = await _in_range(handler, svc, txn, req)
    reads.clear()
    got = txn.read_set()
    if got is not None:
        reads.append(got)
    return reply


class Executor:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.instance_queue = InstanceQueue()
        self.admission = Admission(svc.settings)  # shared by every transport of the process
        self.read_gate = ReadGate(max(1, svc.settings.reads_per_loop_iteration))
        shared = os.environ.get(WORKERS_DIR_ENV, "")
        self.process_locks = ProcessLocks(shared) if shared else None

    @contextlib.asynccontextmanager
    async def _queued(self, key: str) -> AsyncIterator[Callable[[], None]]:
        """Behind the requests of the same key: in this process, then across worker processes.
        Yields what lets the holder go before its block ends (idempotent)."""
        async with contextlib.AsyncExitStack() as held:
            releases = [await held.enter_async_context(self.instance_queue.hold(key))]
            if self.process_locks is not None:
                releases.append(await held.enter_async_context(self.process_locks.hold(key)))

            def release() -> None:
                for one in reversed(releases):  # the workers' flock first, then this process's queue
                    one()

            yield release

    async def _attempts(
        self, handler: Handler, req: Any, reads: list[Sized] | None, release: Callable[[], None] | None
    ) -> Reply:
        """The operation's transaction, retried by the runner; `release` lets its queue go early."""
        svc = self.svc
        releasing = QUEUE_RELEASE.set(release)  # context.release_queue
        try:
            if reads is None:
                return await run_txn(svc.kv, lambda txn: _in_range(handler, svc, txn, req))
            return await run_txn(svc.kv, lambda txn: _tracked(handler, svc, txn, req, reads))
        finally:
            QUEUE_RELEASE.reset(releasing)

    async def run(
        self,
        handler: Handler,
        req: Any,
        *,
        per_instance: bool = False,
        queue: Callable[[Any], str] | None = None,
        read_only: bool = False,
        reads: list[Sized] | None = None,
    ) -> Reply:
        """The operation's reply; raises MetaServiceError (store failures included).

        per_instance / queue: requests with the same key (the instance; or what `queue` says)
        run one after another in this process instead of meeting as store conflicts; the
        operation may let the next one go before it ends (context.release_queue).
        read_only: an operation that never writes (the RPC table says which): it waits at the read
        gate, so reads cannot starve loads.
        reads: given, it receives the read set of the transaction that answered (when its store
        keeps one: Txn.read_set), for the reply cache."""
        key = queue(req) if queue is not None else instance_hint(req) if per_instance else None
        if read_only:
            await self.read_gate.enter()
        scratch = REQUEST_SCRATCH.set({})
        try:
            if key is None:  # most reads: no queue to hold (and no context manager's cost)
                return await self._attempts(handler, req, reads, None)
            async with self._queued(key) as release:
                return await self._attempts(handler, req, reads, release)
        except KvError as e:
            raise kv_error_to_ms(e) from None
        finally:
            REQUEST_SCRATCH.reset(scratch)
