"""Store faults at every store call of every operation (issue 12, item 1), checked against a model.

For each operation of the RPC table and of the HTTP route table (an HTTP route running the very
handler of an RPC is that RPC's case), on the seeded store of `fault_scenarios`:

1. a clean run through `Executor.run` over `FaultyKv` records the operation's store calls, its
   reply and its effect (the store's every key and value afterwards);
2. for every call k of that run and every fault a store can raise there (`fault_matrix`), the
   seed is restored and the operation run again with the fault injected at call k.

The model: a successful reply means the store holds exactly the clean run's state and the reply
is the clean run's (applied exactly once: nothing half-written, no counter - txn ids, versions,
stats, `atomic_add` sums - stepped twice); an error reply means a store code and the seed
untouched (nothing applied; the txn-id counter alone may have stepped once: an id gap), except
"outcome unknown" (KV_TXN_COMMIT_ERR for MaybeCommitted), which may leave either the seed or the
clean run's state, and nothing else. Idempotency keys of the runner (kv/runner.py) are bookkeeping
and left out of the comparison.

Defects in operations owned elsewhere are listed in KNOWN_DEFECTS with the reason; such a case
is reported as xfail while the defect shows, and fails once it no longer does (strict), so the
entry gets removed with the fix.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from google.protobuf.message import Message

from dorisctl.kv import KvError, Txn, TxnKv, open_store, run_txn
from dorisctl.kv.faults import Fault, FaultyKv, fault_matrix
from dorisctl.kv.runner import IDEMPOTENCY_PREFIX
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.executor import Executor, Handler
from dorisctl.metaservice.ops import instance
from dorisctl.metaservice.rpc import RPCS
from dorisctl.metaservice.transport.http.routes import ROUTES, JsonRoute
from dorisctl.secrets import KeyRing, Sealed
from tests.unit.metaservice import fault_scenarios as sc

State = dict[bytes, bytes]
STORE_CODES = {Code.KV_TXN_CONFLICT, Code.KV_TXN_COMMIT_ERR, Code.KV_TXN_STORE_COMMIT_RETRYABLE}
END = b"\xff\xff\xff\xff"


class StableKeyRing(KeyRing):
    """Seals with a nonce derived from the plaintext, so two runs writing one secret store the same
    bytes and states compare byte for byte (AES-GCM stays AES-GCM; only the nonce is fixed)."""

    def seal(self, plaintext: str, context: str = "", *, key_id: int | None = None) -> Sealed:
        nonce = hashlib.sha256((context + "\0" + plaintext).encode()).digest()[:12]
        with mock.patch("dorisctl.secrets.os.urandom", lambda n: nonce[:n]):
            return super().seal(plaintext, context, key_id=key_id)


@dataclass(frozen=True)
class Operation:
    name: str  # "rpc:<name>" or "http:<route>"
    scenario: str
    handler: Handler
    per_instance: bool


async def _get_instance_route(svc: Service, txn: Txn, req: Any) -> Reply:
    """The query-string route get_instance, as transport/http/app.py runs it."""
    return await instance.get_instance(svc, txn, sc.IID, "")


def operations() -> list[Operation]:
    """Every RPC, then every HTTP route whose handler is not already an RPC's (read from the tables)."""
    ops = [Operation(f"rpc:{n}", n, r.handler, r.per_instance) for n, r in RPCS.items()]
    rpc_handlers = {id(r.handler) for r in RPCS.values()}
    for name, route in ROUTES.items():
        if isinstance(route, JsonRoute) and id(route.handler) not in rpc_handlers:
            ops.append(Operation(f"http:{name}", name, route.handler, route.per_instance))
    ops.append(Operation("http:get_instance", "get_instance", _get_instance_route, False))
    return ops


@dataclass(frozen=True)
class Known:
    reason: str
    matches: Callable[[str], bool]  # on a failure's description


KNOWN_DEFECTS: dict[str, Known] = {}


async def snapshot(kv: TxnKv) -> State:
    txn = await kv.begin()
    try:
        rows = await txn.get_range(b"", END)
    finally:
        await txn.discard()
    return {k: v for k, v in rows if not k.startswith(IDEMPOTENCY_PREFIX)}


async def restore(kv: TxnKv, state: State) -> None:
    txn = await kv.begin()
    txn.remove_range(b"", END)
    for k, v in state.items():
        txn.put(k, v)
    await txn.commit()


def describe_key(key: bytes) -> str:
    try:
        return repr(keys.decode_key(key))[:160]
    except Exception:
        return key.hex()[:160]


def diff(got: State, want: State) -> str:
    """The keys that differ, the txn-id counter first (with both values: a double step shows)."""
    out = []
    counter = keys.TXN_ID_COUNTER_KEY
    if got.get(counter) != want.get(counter):
        values = [int.from_bytes(s[counter], "big") if counter in s else None for s in (got, want)]
        out.append(f"txn-id counter at {values[0]}, expected {values[1]}")
    for k in sorted((set(got) | set(want)) - {counter}):
        if got.get(k) != want.get(k):
            what = "missing" if k not in got else "extra" if k not in want else "differs"
            out.append(f"{what}: {describe_key(k)}")
    return "; ".join(out[:6]) + (f" (+{len(out) - 6} more)" if len(out) > 6 else "")


@dataclass
class Outcome:
    reply: Reply | None
    error: MetaServiceError | None
    state: State
    calls: list[str]
    injected: list[tuple[int, str, Fault]]

    def reply_bytes(self) -> tuple[str, bytes]:
        assert self.reply is not None
        result = self.reply.result
        return self.reply.msg, result.SerializeToString(deterministic=True) if result is not None else b""


class Matrix:
    def seed_with_ids_of(self, clean: Outcome) -> State:
        """The seed, with the txn-id counter where the clean run left it: txn ids come from their
        own store transaction (model/txnrecords.py) and, like Doris's versionstamps, may have gaps;
        a request reuses its ids across retries (context.REQUEST_SCRATCH), so it steps the
        counter once or not at all."""
        counter = keys.TXN_ID_COUNTER_KEY
        state = dict(self.seed_state)
        if counter in clean.state:
            state[counter] = clean.state[counter]
        return state

    def __init__(self, store: TxnKv, seed: sc.Seed, seed_state: State, keyring: KeyRing, now: float) -> None:
        self.store, self.seed, self.seed_state, self.keyring, self.now = store, seed, seed_state, keyring, now

    async def run(self, op: Operation, plan: dict[int, Fault]) -> Outcome:
        await restore(self.store, self.seed_state)
        faulty = FaultyKv(self.store, plan)
        svc = Service(kv=faulty, keyring=self.keyring, clock=lambda: self.now)
        req: Message = sc.SCENARIOS[op.scenario](self.seed)
        reply = error = None
        try:
            reply = await Executor(svc).run(op.handler, req, per_instance=op.per_instance)
        except MetaServiceError as e:
            error = e
        return Outcome(reply, error, await snapshot(self.store), list(faulty.calls), list(faulty.injected))

    def check(self, clean: Outcome, got: Outcome) -> str | None:
        """None when `got` fits the model, else what is wrong."""
        if not got.injected:
            return "the fault was never injected (the run made fewer store calls than the clean one)"
        if got.error is None:
            if got.state != clean.state:
                return f"OK reply but not the clean run's effect: {diff(got.state, clean.state)}"
            if got.reply_bytes() != clean.reply_bytes():
                return "OK reply differs from the clean run's reply"
            return None
        e = got.error
        if e.code not in STORE_CODES:
            return f"error {Code.Name(e.code)} ({e.msg!r}) is not a store error"
        unknown = e.code == Code.KV_TXN_COMMIT_ERR and "MaybeCommitted" in e.msg
        if got.state == self.seed_state or (unknown and got.state == clean.state):
            return None
        if got.state == self.seed_with_ids_of(clean):
            return None  # a refused request left a gap of exactly the ids it was given, never two
        if got.state == clean.state:
            return f"error {Code.Name(e.code)} ({e.msg!r}) but the operation was applied"
        return f"error {Code.Name(e.code)} and the store half-written: {diff(got.state, self.seed_state)}"


@pytest.fixture
async def matrix(tmp_path: Path) -> AsyncIterator[Matrix]:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else tmp_path
    path = base / f"fault-matrix-{time.monotonic_ns()}.db"
    store = open_store(f"sqlite:///{path}?synchronous=normal")
    keyring = StableKeyRing({1: b"k" * 32})
    now = 1_700_000_000.0
    seed = await sc.build_seed(Service(kv=store, keyring=keyring, clock=lambda: now))
    try:
        yield Matrix(store, seed, await snapshot(store), keyring, now)
    finally:
        await store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


OPERATIONS = operations()


def test_every_operation_has_a_scenario() -> None:
    missing = sorted({op.scenario for op in OPERATIONS} - set(sc.SCENARIOS))
    assert not missing, f"add a request for {missing} to SCENARIOS in tests/unit/metaservice/fault_scenarios.py"


async def plans(matrix: Matrix, op: Operation, clean: Outcome) -> list[dict[int, Fault]]:
    """Every single fault of the clean run, then for each of its commits a lost reply (applied or
    not) followed by every fault the retry's calls can raise."""
    out: list[dict[int, Fault]] = [{k: f} for k, f in fault_matrix(clean.calls)]
    for c, kind in enumerate(clean.calls):
        if kind != "commit":
            continue
        for lost in (Fault.MAYBE_COMMITTED, Fault.MAYBE_NOT_COMMITTED):
            probe = await matrix.run(op, {c: lost})
            out.extend({c: lost, c + 1 + j: f} for j, f in fault_matrix(probe.calls[c + 1 :]))
    return out


def plan_text(plan: dict[int, Fault], calls: list[str]) -> str:
    return " then ".join(f"call {k} ({calls[k] if k < len(calls) else '?'}) {f.name}" for k, f in sorted(plan.items()))


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
async def test_fault_at_every_store_call(matrix: Matrix, op: Operation) -> None:
    if op.scenario not in sc.SCENARIOS:
        pytest.fail(f"no scenario for {op.name}: add one to fault_scenarios.SCENARIOS")
    clean = await matrix.run(op, {})
    assert clean.error is None, f"{op.name}: the scenario's request fails on the seed: {clean.error!r}"
    failures: list[str] = []
    cases = await plans(matrix, op, clean)
    for plan in cases:
        got = await matrix.run(op, plan)
        problem = matrix.check(clean, got)
        if problem is not None:
            failures.append(f"{plan_text(plan, got.calls)}: {problem}")
    known = KNOWN_DEFECTS.get(op.name)
    if known is None:
        assert not failures, f"{op.name}: {len(failures)} of {len(cases)} cases break the model:\n" + "\n".join(
            failures
        )
        return
    unknown = [f for f in failures if not known.matches(f)]
    assert not unknown, f"{op.name}: {len(unknown)} unexpected failures:\n" + "\n".join(unknown)
    assert failures, f"{op.name}: the known defect no longer shows; remove it from KNOWN_DEFECTS"
    pytest.xfail(f"{known.reason} ({len(failures)} of {len(cases)} cases)")


# -- the model itself can fail ----------------------------------------------------------------------


async def _nested_counter(svc: Service, txn: Txn, req: Any) -> Reply:
    """Broken on purpose: a counter stepped in a transaction of its own, then a record in txn's."""

    async def bump(t: Txn) -> int:
        t.atomic_add(b"\x01selftest/counter", 1)
        return 0

    await run_txn(svc.kv, bump)
    txn.put(b"\x01selftest/record", b"r")
    return Reply()


async def _swallowing(svc: Service, txn: Txn, req: Any) -> Reply:
    """Broken on purpose: a store error reported as "not found"."""
    try:
        await txn.get(keys.instance_key(sc.IID))
    except KvError:
        raise MetaServiceError(Code.CLUSTER_NOT_FOUND, "instance not found") from None
    txn.put(b"\x01selftest/record", b"r")
    return Reply()


@pytest.mark.parametrize(
    ("handler", "expected"),
    [(_nested_counter, "but not the clean run's effect"), (_swallowing, "is not a store error")],
    ids=["nested-counter", "swallowed-error"],
)
async def test_the_model_catches_broken_operations(matrix: Matrix, handler: Handler, expected: str) -> None:
    op = Operation("selftest", "get_version", handler, False)
    clean = await matrix.run(op, {})
    assert clean.error is None
    problems = [matrix.check(clean, await matrix.run(op, plan)) for plan in await plans(matrix, op, clean)]
    assert any(p is not None and expected in p for p in problems), problems
