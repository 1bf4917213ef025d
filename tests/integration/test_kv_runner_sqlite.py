"""run_txn on SQLite, whose commit outcome is always known: no idempotency keys are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dorisctl.kv import MaybeCommitted, Txn, open_store, run_txn
from dorisctl.kv.runner import IDEMPOTENCY_PREFIX


async def test_sqlite_commits_write_no_idempotency_key(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    assert kv.commit_outcome_always_known

    async def op(txn: Txn) -> None:
        txn.put(b"a", b"1")

    await run_txn(kv, op)
    txn = await kv.begin()
    assert await txn.get_range(b"", b"\xff\xff") == [(b"a", b"1")]
    assert await txn.get_range(IDEMPOTENCY_PREFIX, IDEMPOTENCY_PREFIX + b"\xff") == []
    await txn.discard()
    await kv.close()


async def test_maybe_committed_without_idempotency_key_is_raised(tmp_path: Path) -> None:
    # a store that says its outcomes are always known but still loses one: nothing to resolve with
    from dorisctl.kv.faults import Fault, FaultyKv

    faulty = FaultyKv(open_store(f"sqlite:///{tmp_path}/kv.db"), {1: Fault.MAYBE_COMMITTED})
    faulty.commit_outcome_always_known = True

    async def op(txn: Txn) -> None:
        txn.put(b"a", b"1")

    with pytest.raises(MaybeCommitted):
        await run_txn(faulty, op)
    await faulty.close()
