"""Benchmark of large transactions: create_tablets of 100 partitions x 100 buckets (one request per
partition) and one commit_txn over the 10,000 tablets, on SQLite and on a 3-member etcd cluster
with etcd's default limits (128 operations, 1.5 MiB a request), and on PostgreSQL (a server made in
a temporary directory, as the tests make it).

Not a test. On SQLite the commit is one store transaction; on etcd it is a lazy commit
(ops/lazy_commit.py): a commit point, ~1,000 conversion sub-transactions, a visibility step.
The loaded rowsets are written straight to the store (tests/fixtures/largetxn.py), as
commit_rowset would. Times are wall-clock seconds in one process (no HTTP), so they measure the
operations and the store, not a transport.

Usage: `.venv/bin/python bench/large_txn.py [--partitions 100] [--buckets 100] [--stores sqlite,etcd,postgresql]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dorisctl.kv import open_store
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.ops import lazy_commit
from dorisctl.secrets import KeyRing
from tests.fixtures import largetxn as L
from tests.fixtures.etcd import EtcdCluster
from tests.fixtures.sqldb import PASSWORD, start_postgres


async def run(url: str, partitions: int, buckets: int) -> dict[str, float]:
    kv = open_store(url)
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}))
    sub_txns = []
    original = lazy_commit._sub_txn_committed
    lazy_commit._sub_txn_committed = lambda: sub_txns.append(1)
    try:
        await L.seed_instance(kv)
        started = time.perf_counter()
        load = await L.create_tablets(svc, partitions, buckets)
        created = time.perf_counter()
        await L.begin_and_load(svc, load)
        loaded = time.perf_counter()
        resp = await L.commit(svc, load.txn_id)
        committed = time.perf_counter()
        assert list(resp.versions) == [2] * partitions, resp.versions
    finally:
        lazy_commit._sub_txn_committed = original
        await kv.close()
    return {
        "create_tablets": created - started,
        "load (tmp rowsets)": loaded - created,
        "commit_txn": committed - loaded,
        "lazy sub-txns": float(len(sub_txns)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--partitions", type=int, default=100)
    parser.add_argument("--buckets", type=int, default=100)
    parser.add_argument("--stores", default="sqlite,etcd")
    args = parser.parse_args()
    stores = args.stores.split(",")
    results: dict[str, dict[str, float]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-large-txn-"))
    cluster = EtcdCluster.start(3) if "etcd" in stores else None
    pg = start_postgres(durable=True) if "postgresql" in stores else None
    try:
        if "sqlite" in stores:
            results["sqlite"] = asyncio.run(run(f"sqlite:///{tmp}/kv.db", args.partitions, args.buckets))
        if cluster is not None:
            results["etcd(3)"] = asyncio.run(run(cluster.url("bench"), args.partitions, args.buckets))
        if pg is not None:
            url = f"postgresql://dorisctl:{PASSWORD}@127.0.0.1:{pg.port}/{pg.shared_database('bench')}"
            results["postgresql"] = asyncio.run(run(url, args.partitions, args.buckets))
    finally:
        if cluster is not None:
            cluster.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    tablets = args.partitions * args.buckets
    print(f"{tablets} tablets in {args.partitions} partitions")
    names = list(results)
    print(f"{'seconds':<20}" + "".join(f"{n:>12}" for n in names))
    for row in ("create_tablets", "load (tmp rowsets)", "commit_txn", "lazy sub-txns"):
        print(f"{row:<20}" + "".join(f"{results[n][row]:>12.2f}" for n in names))


if __name__ == "__main__":
    main()
