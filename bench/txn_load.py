"""Load-transaction throughput on the embedded store (not a test).

16 concurrent loaders each run begin_txn, prepare_rowset + commit_rowset for N tablets and
commit_txn, calling the operations in-process (no HTTP) over a fresh SQLite store. Prints loads/s
and p50/p99 latency per N, and the raw store's commit rate (one small put per transaction) measured
in the same run for comparison.

    .venv/bin/python bench/txn_load.py [--loads 200] [--sizes 1,16,256]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from dorisctl.kv import TxnKv, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.ops import tablet, txn
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.secrets import KeyRing

IID = "bench"
CUID = f"1:{IID}:be"
LOADERS = 16


async def call(svc: Service, op: Callable[[Service, Any, Any], Awaitable[Reply]], req: Any) -> Any:
    return (await run_txn(svc.kv, lambda t: op(svc, t, req), attempts=50)).result


async def setup(svc: Service, n_tablets: int, first_tablet: int, partition: int) -> list[int]:
    async def seed(t: Any) -> None:
        t.put(keys.instance_key(IID), cloud_pb2.InstanceInfoPB(instance_id=IID).SerializeToString())

    await run_txn(svc.kv, seed)
    ids = list(range(first_tablet, first_tablet + n_tablets))
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=CUID, db_id=1)
    for tid in ids:
        m = req.tablet_metas.add(table_id=1, index_id=2, partition_id=partition, tablet_id=tid, schema_version=0)
        m.schema.keys_type = olap_file_pb2.UNIQUE_KEYS
    await call(svc, tablet.create_tablets, req)
    return ids


async def one_load(svc: Service, tablets: list[int], label: str) -> float:
    started = time.perf_counter()
    info = cloud_pb2.TxnInfoPB(db_id=1, label=label, table_ids=[1], timeout_ms=600_000)
    txn_id = (await call(svc, txn.begin_txn, cloud_pb2.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info))).txn_id
    for tid in tablets:
        rs = olap_file_pb2.RowsetMetaCloudPB(
            rowset_id=0,
            tablet_id=tid,
            txn_id=txn_id,
            rowset_id_v2=f"{txn_id}-{tid}",
            num_rows=100,
            total_disk_size=11000,
            data_disk_size=10000,
            index_disk_size=1000,
            num_segments=1,
            txn_expiration=1 << 40,
        )
        req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
        await call(svc, tablet.prepare_rowset, req)
        await call(svc, tablet.commit_rowset, req)
    await call(svc, txn.commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    return time.perf_counter() - started


async def run_size(svc: Service, n: int, loads: int, partition: int) -> None:
    # each loader writes its own partition's tablets, as parallel loads into different partitions do
    tablet_sets = [await setup(svc, n, (partition * 100 + i) * 10_000, partition * 100 + i) for i in range(LOADERS)]
    latencies: list[float] = []
    per_loader = max(loads // LOADERS, 1)

    async def loader(i: int) -> None:
        for k in range(per_loader):
            latencies.append(await one_load(svc, tablet_sets[i], f"n{n}-l{i}-{k}"))

    started = time.perf_counter()
    await asyncio.gather(*(loader(i) for i in range(LOADERS)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"N={n:<4} loads={len(latencies):<5} {len(latencies) / elapsed:8.1f} loads/s"
        f"  p50={q[49] * 1000:7.1f} ms  p99={q[98] * 1000:7.1f} ms"
    )


async def raw_commit_rate(kv: TxnKv, count: int) -> None:
    async def worker(w: int) -> None:
        for i in range(count // LOADERS):
            key = keys.make_key(keys.SYSTEM_SPACE, "bench", w, i)

            async def put(t: Any, key: bytes = key) -> None:
                t.put(key, b"x" * 100)

            await run_txn(kv, put)

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(LOADERS)))
    print(f"raw store: {count / (time.perf_counter() - started):8.1f} commits/s (one 100-byte put each)")


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--loads", type=int, default=160)
    p.add_argument("--sizes", default="1,16,256")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        kv = open_store(f"sqlite:///{d}/bench.db")
        svc = Service(kv=kv, keyring=KeyRing({1: b"b" * 32}))
        await raw_commit_rate(kv, 2000)
        for i, n in enumerate(int(x) for x in args.sizes.split(",")):
            await run_size(svc, n, args.loads, i + 1)
        await kv.close()


if __name__ == "__main__":
    asyncio.run(main())
