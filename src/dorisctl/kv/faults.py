"""Fault injection at the store seam: a TxnKv wrapper that fails the k-th store call on purpose.

For tests only (nothing in the product imports it). `FaultyKv(inner, plan)` behaves exactly like
`inner` except at the store calls named in `plan`: a mapping (or sequence of pairs) from a call
index to a `Fault`, or a function `(index, kind) -> Fault | None` asked at every call. Store
calls are numbered from 0 across the whole wrapper, in the order they are made, over every
transaction it begins:

* `begin`     - `TxnKv.begin()`
* `get`       - `Txn.get(key)` (counted even when the transaction's own writes answer it)
* `get_range` - `Txn.get_range(...)`
* `commit`    - `Txn.commit()` (also for read-only transactions)

Faults, each raised *instead of* performing the call unless said otherwise:

* `CONFLICT`, `UNAVAILABLE`, `TOO_LARGE`: the backend's error; a commit writes nothing.
* `MAYBE_COMMITTED`: on `commit` only; the commit is applied, then `MaybeCommitted` is raised
  (the reply was lost). This is the fault idempotency keys exist for (kv/runner.py).
* `MAYBE_NOT_COMMITTED`: on `commit` only; nothing is applied and `MaybeCommitted` is raised (the
  request was lost, but the client cannot know which).

`kv.calls` records every call's kind, so a clean run (empty plan) tells how many calls an
operation makes; `fault_matrix(kv.calls)` then lists every (index, fault) pair worth injecting.
`kv.injected` records what was injected. The wrapper sits below `Txn`'s bookkeeping: the outer
transaction keeps read sets and buffers, and the inner one only supplies the backend's snapshot
reads and atomic commit, so the wrapped store keeps every guarantee of the inner one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping

from dorisctl.kv.base import Commit, KeyValue, Txn, TxnKv
from dorisctl.kv.errors import Conflict, KvError, MaybeCommitted, TooLarge, Unavailable


class Fault(enum.Enum):
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    TOO_LARGE = "too_large"
    MAYBE_COMMITTED = "maybe_committed"
    MAYBE_NOT_COMMITTED = "maybe_not_committed"

    def error(self, call: str, index: int) -> KvError:
        why = f"injected at store call {index} ({call})"
        if self is Fault.CONFLICT:
            return Conflict(f"{why}: conflict")
        if self is Fault.UNAVAILABLE:
            return Unavailable(f"{why}: store unavailable")
        if self is Fault.TOO_LARGE:
            return TooLarge(f"{why}: transaction too large")
        return MaybeCommitted(f"{why}: reply lost, outcome unknown")


CALL_KINDS = ("begin", "get", "get_range", "commit")
COMMIT_ONLY = frozenset({Fault.MAYBE_COMMITTED, Fault.MAYBE_NOT_COMMITTED})

# Which faults a store can really raise at each kind of call.
APPLICABLE: dict[str, tuple[Fault, ...]] = {
    "begin": (Fault.UNAVAILABLE,),
    "get": (Fault.CONFLICT, Fault.UNAVAILABLE, Fault.TOO_LARGE),
    "get_range": (Fault.CONFLICT, Fault.UNAVAILABLE, Fault.TOO_LARGE),
    "commit": tuple(Fault),
}

Plan = Mapping[int, Fault] | Iterable[tuple[int, Fault]] | Callable[[int, str], Fault | None]


def fault_matrix(calls: Iterable[str]) -> Iterator[tuple[int, Fault]]:
    """Every (call index, fault) pair applicable to a recorded sequence of calls."""
    for index, kind in enumerate(calls):
        for fault in APPLICABLE[kind]:
            yield index, fault


class FaultyKv(TxnKv):
    """`inner` with the faults of `plan` injected at the numbered store calls (module docstring)."""

    def __init__(self, inner: TxnKv, plan: Plan = ()) -> None:
        self.inner = inner
        self.limits = inner.limits
        self.plan: dict[int, Fault] = {}
        self.rule: Callable[[int, str], Fault | None] | None = None
        if callable(plan):
            self.rule = plan
        else:
            for index, fault in plan.items() if isinstance(plan, Mapping) else plan:
                if index < 0:
                    raise ValueError(f"call index must be >= 0, got {index}")
                self.plan[index] = fault
        self.calls: list[str] = []
        self.injected: list[tuple[int, str, Fault]] = []

    # A wrapper may lose commit replies whatever the inner store does: that is its purpose.
    commit_outcome_always_known = False

    def step(self, kind: str) -> Fault | None:
        """Count one store call; return the fault planned for it, if any."""
        index = len(self.calls)
        self.calls.append(kind)
        fault = self.plan.get(index) if self.rule is None else self.rule(index, kind)
        if fault is None:
            return None
        if fault in COMMIT_ONLY and kind != "commit":
            raise ValueError(f"{fault.name} can only be injected at a commit, not at call {index} ({kind})")
        self.injected.append((index, kind, fault))
        return fault

    async def begin(self) -> Txn:
        fault = self.step("begin")
        if fault is not None:
            raise fault.error("begin", len(self.calls) - 1)
        return FaultyTxn(self, await self.inner.begin())

    async def close(self) -> None:
        await self.inner.close()

    @property
    def url(self) -> str:
        return self.inner.url


class FaultyTxn(Txn):
    """A transaction whose backend primitives are those of an inner transaction."""

    def __init__(self, kv: FaultyKv, inner: Txn) -> None:
        super().__init__(kv.limits)
        self._kv = kv
        self._inner = inner

    def _fault(self, kind: str) -> Fault | None:
        return self._kv.step(kind)

    async def get(self, key: bytes) -> bytes | None:
        fault = self._fault("get")
        if fault is not None:
            raise fault.error("get", len(self._kv.calls) - 1)
        return await super().get(key)

    async def get_range(self, begin: bytes, end: bytes, *, limit: int = 0, reverse: bool = False) -> list[KeyValue]:
        fault = self._fault("get_range")
        if fault is not None:
            raise fault.error("get_range", len(self._kv.calls) - 1)
        return await super().get_range(begin, end, limit=limit, reverse=reverse)

    async def commit(self) -> None:
        fault = self._fault("commit")
        index = len(self._kv.calls) - 1
        if fault is None:
            await super().commit()
            return
        if fault is Fault.MAYBE_COMMITTED:
            await super().commit()
            raise fault.error("commit", index)
        await self.discard()
        raise fault.error("commit", index)

    # -- backend primitives: the inner transaction's ----------------------------------------

    async def _snapshot_get(self, key: bytes) -> tuple[bytes, int] | None:
        return await self._inner._snapshot_get(key)

    async def _snapshot_range(
        self, begin: bytes, end: bytes, limit: int, reverse: bool
    ) -> list[tuple[bytes, bytes, int]]:
        return await self._inner._snapshot_range(begin, end, limit, reverse)

    async def _commit(self, commit: Commit) -> None:
        await self._inner._commit(commit)

    def _snapshot_version(self) -> int:
        return self._inner._snapshot_version()

    async def _release(self) -> None:
        await self._inner._release()
