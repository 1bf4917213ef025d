"""Metadata capacity of a store backend: fill it with a synthetic cluster, measure as it grows (not a test).

The cluster is filled through the meta-service's own operations, called in-process (no network
between client and meta-service, so the figures are the store's and the operations'): one table,
partitions of `--tablets-per-partition` tablets made by `create_tablets`, then `--rowsets` loads
per partition, each `begin_txn`, `prepare_rowset` + `commit_rowset` per tablet and `commit_txn`
(which writes the versions and tablet stats).

Filling is bulk where the store allows (`--bulk G`, default 10 partitions; on etcd 64 tablets'
worth): the same operation functions run on one store transaction for a group of G partitions,
its creates in one, then each round of its G loads in one (~1,800 operations, under 1 MiB:
SQLite's and PostgreSQL's limit is 10 MB, etcd's 1024 operations and 1.5 MiB). `--bulk 0` sends
every operation as its own request. Groups run `--workers` at a time (SQLite in bulk: 1, see
--help). The store keeps growing: at each size N of `--sizes` it reports

* bytes per tablet (the store's own size: the SQLite file, with the WAL's size beside it;
  PostgreSQL's table + indexes; etcd's database size on one member) and the fill rate (rowsets
  committed per second, and how many operations went in each store transaction);
* p50/p99 of `get_tablet`, `get_rowset` (a tablet's whole history), `get_version` (batch of 100
  partitions) and `commit_txn` of a load of 16 tablets, one client, `--samples` each: measured
  one operation per request, as a client sends them, whatever the fill did.

    .venv/bin/python bench/capacity.py --store sqlite --sizes 10000,100000
    .venv/bin/python bench/capacity.py --store postgresql://u:pw@127.0.0.1:5432/db?schema=cap
    .venv/bin/python bench/capacity.py --store etcd://127.0.0.1:2379/cap --tablets-per-partition 16

`--store sqlite` uses a fresh file in a temporary directory; `--store postgresql-temp` (durable:
fsync on) and `--store etcd-temp` (3 members on /dev/shm, `--max-txn-ops 1024`: etcd's default 128
refuses a commit_txn of 16 tablets; `--quota-backend-bytes` 8 GiB) start a throwaway server the
way the tests do (tests/fixtures; run with PYTHONPATH=.). While filling, a progress line every
`--progress` seconds; SIGTERM stops a run and its throwaway server.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from dorisctl.kv import Txn, TxnKv, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.ops import tablet, txn
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.secrets import KeyRing

IID = "capacity"
CUID = f"1:{IID}:be"
DB, TABLE, INDEX = 1, 10, 11


async def call(svc: Service, op: Callable[[Service, Any, Any], Awaitable[Reply]], req: Any) -> Any:
    return (await run_txn(svc.kv, lambda t: op(svc, t, req), attempts=50)).result


def tablet_id(partition: int, i: int, per: int) -> int:
    return 1_000_000 + partition * per + i


def create_request(partition: int, per: int) -> cloud_pb2.CreateTabletsRequest:
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB)
    for i in range(per):
        m = req.tablet_metas.add(
            table_id=TABLE, index_id=INDEX, partition_id=100 + partition, tablet_id=tablet_id(partition, i, per)
        )
        m.schema_version = 0
        m.schema.keys_type = olap_file_pb2.DUP_KEYS
        m.schema.schema_version = 0
        m.rs_metas.add(rowset_id=0, rowset_id_v2=f"init-{m.tablet_id}", tablet_id=m.tablet_id, start_version=0,
                       end_version=1)  # fmt: skip
    return req


def load_requests(partition: int, tablets: list[int], txn_id: int) -> list[cloud_pb2.CreateRowsetRequest]:
    """The rowset of each tablet of one load (prepare_rowset and commit_rowset send the same)."""
    out = []
    for tid in tablets:
        rs = olap_file_pb2.RowsetMetaCloudPB(
            rowset_id=0, tablet_id=tid, partition_id=100 + partition, index_id=INDEX, txn_id=txn_id,
            rowset_id_v2=f"{txn_id}-{tid}", num_rows=1000, total_disk_size=110_000, data_disk_size=100_000,
            index_disk_size=10_000, num_segments=1, txn_expiration=1 << 40, schema_version=0,
        )  # fmt: skip
        out.append(cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs))
    return out


def begin_request(label: str) -> cloud_pb2.BeginTxnRequest:
    info = cloud_pb2.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=3_600_000)
    return cloud_pb2.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)


async def load(svc: Service, partition: int, tablets: list[int], label: str) -> float:
    """One load into `tablets` of a partition, one request per operation as a client sends them;
    returns the seconds its commit_txn took."""
    txn_id = (await call(svc, txn.begin_txn, begin_request(label))).txn_id
    for req in load_requests(partition, tablets, txn_id):
        await call(svc, tablet.prepare_rowset, req)
        await call(svc, tablet.commit_rowset, req)
    started = time.perf_counter()
    await call(svc, txn.commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    return time.perf_counter() - started


async def load_in(svc: Service, t: Txn, partition: int, tablets: list[int], label: str) -> int:
    """The same operations as `load`, all inside the store transaction `t` (bulk fill); -> how many."""
    begun = (await txn.begin_txn(svc, t, begin_request(label))).result
    assert isinstance(begun, cloud_pb2.BeginTxnResponse)
    txn_id = begun.txn_id
    for req in load_requests(partition, tablets, txn_id):
        await tablet.prepare_rowset(svc, t, req)
        await tablet.commit_rowset(svc, t, req)
    await txn.commit_txn(svc, t, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    return 2 + 2 * len(tablets)


@dataclass
class Fill:
    """What a fill did: rowsets per second, and in bulk mode how full its store transactions were."""

    rate: float = 0.0
    store_txns: int = 0
    ops: int = 0
    largest_bytes: int = 0
    rowsets: int = 0  # committed so far

    def bulk(self, sizes: tuple[int, int]) -> None:
        """One bulk store transaction committed: (operations, bytes written)."""
        self.store_txns += 1
        self.ops += sizes[0]
        self.largest_bytes = max(self.largest_bytes, sizes[1])

    def describe(self) -> str:
        if not self.store_txns:
            return "one operation per store transaction"
        return (
            f"bulk: {self.ops / self.store_txns:.0f} operations per store transaction, "
            f"largest {self.largest_bytes / 2**20:.1f} MiB"
        )


class Pause:
    """`--pause-file`: while that file exists no new store transaction starts (those under way
    finish), so another benchmark can have a quiet machine; the time paused counts out of the fill
    rate. (Stopping the process instead would leave transactions open past PostgreSQL's
    idle-in-transaction timeout, which our client sets to 60 s, and end the run.)"""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seconds = 0.0
        self._since: float | None = None

    async def wait(self) -> None:
        if not self.path:
            return
        while os.path.exists(self.path):
            if self._since is None:
                self._since = time.perf_counter()
                print(f"  ... paused ({self.path} exists)", flush=True)
            await asyncio.sleep(0.5)
        if self._since is not None:
            self.seconds += time.perf_counter() - self._since
            self._since = None
            print(f"  ... resumed ({self.seconds:.0f} s paused so far)", flush=True)


async def fill(
    svc: Service,
    first: int,
    last: int,
    per: int,
    rowsets: int,
    workers: int,
    bulk: int,
    every: float,
    pause: Pause | None = None,
) -> Fill:
    """Create partitions [first, last) and load `rowsets` rowsets into each tablet.

    bulk 0: every operation is its own request (store transaction). bulk G: the partitions go in
    groups of G; one store transaction runs the create_tablets of a group, then each round of loads
    runs the group's G loads (begin_txn, prepare_rowset + commit_rowset per tablet, commit_txn)
    in one store transaction: the same operation functions on one Txn."""
    out = Fill()
    step = max(bulk, 1)
    queue: asyncio.Queue[tuple[str, range, int]] = asyncio.Queue()
    for p in range(first, last, step):
        queue.put_nowait(("create", range(p, min(p + step, last)), 0))

    async def create_in(t: Txn, group: range) -> tuple[int, int]:
        for p in group:
            await tablet.create_tablets(svc, t, create_request(p, per))
        return len(group), t.written_bytes

    async def loads_in(t: Txn, group: range, r: int) -> tuple[int, int]:
        ops = 0
        for p in group:
            ops += await load_in(svc, t, p, [tablet_id(p, i, per) for i in range(per)], f"fill-{p}-{r}")
        return ops, t.written_bytes

    pause = pause or Pause("")

    async def worker() -> None:
        while not queue.empty():
            await pause.wait()
            if queue.empty():
                break
            kind, group, r = queue.get_nowait()
            if kind == "create":
                if bulk:
                    out.bulk(await run_txn(svc.kv, functools.partial(create_in, group=group), attempts=50))
                else:
                    await call(svc, tablet.create_tablets, create_request(group[0], per))
                if rowsets:
                    queue.put_nowait(("load", group, 1))
            else:
                if bulk:
                    out.bulk(await run_txn(svc.kv, functools.partial(loads_in, group=group, r=r), attempts=50))
                else:
                    p = group[0]
                    await load(svc, p, [tablet_id(p, i, per) for i in range(per)], f"fill-{p}-{r}")
                out.rowsets += len(group) * per
                if r < rowsets:
                    queue.put_nowait(("load", group, r + 1))

    async def progress() -> None:
        """A line every `every` seconds, so a fill stopped before its size still tells how far it got."""
        while every:
            await asyncio.sleep(every)
            size = await store_bytes(svc.kv)
            tablets = first * per + out.rowsets // max(rowsets, 1)
            elapsed = time.perf_counter() - started - pause.seconds
            print(
                f"  ... {elapsed:6.0f} s: {out.rowsets} rowsets ({out.rowsets / elapsed:.0f}/s), "
                f"~{tablets} tablets, store {size / 2**20:.0f} MiB",
                flush=True,
            )

    started = time.perf_counter()
    reporter = asyncio.create_task(progress())
    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        reporter.cancel()
    out.rate = (last - first) * per * rowsets / (time.perf_counter() - started - pause.seconds)
    return out


def pct(samples: list[float]) -> str:
    s = sorted(samples)
    p50 = statistics.median(s) * 1000
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))] * 1000
    return f"{p50:7.2f} / {p99:7.2f} ms"


async def measure(svc: Service, partitions: int, per: int, samples: int, seq: int) -> dict[str, str]:
    rng = random.Random(seq)
    out: dict[str, list[float]] = {"get_tablet": [], "get_rowset": [], "get_version x100": [], "commit_txn x16": []}
    for _ in range(samples):
        p, i = rng.randrange(partitions), rng.randrange(per)
        tid = tablet_id(p, i, per)
        t0 = time.perf_counter()
        await call(svc, tablet.get_tablet, cloud_pb2.GetTabletRequest(cloud_unique_id=CUID, tablet_id=tid))
        t1 = time.perf_counter()
        idx = cloud_pb2.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=100 + p, tablet_id=tid)
        req = cloud_pb2.GetRowsetRequest(
            cloud_unique_id=CUID, idx=idx, start_version=0, end_version=-1,
            base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=-1,
        )  # fmt: skip
        await call(svc, tablet.get_rowset, req)
        t2 = time.perf_counter()
        parts = [100 + rng.randrange(partitions) for _ in range(100)]
        vreq = cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True, db_ids=[DB] * 100,
                                           table_ids=[TABLE] * 100, partition_ids=parts)  # fmt: skip
        await call(svc, tablet.get_version, vreq)
        t3 = time.perf_counter()
        out["get_tablet"].append(t1 - t0)
        out["get_rowset"].append(t2 - t1)
        out["get_version x100"].append(t3 - t2)
    for k in range(max(samples // 4, 10)):
        p = rng.randrange(partitions)
        start = rng.randrange(max(per - 16, 0) + 1)
        tablets = [tablet_id(p, i, per) for i in range(start, min(start + 16, per))]
        out["commit_txn x16"].append(await load(svc, p, tablets, f"m-{seq}-{k}"))
    return {name: pct(v) for name, v in out.items()}


async def store_bytes(kv: TxnKv) -> int:
    url = kv.url
    if url.startswith("sqlite:"):
        from dorisctl.kv.sqlite import SqliteKv

        assert isinstance(kv, SqliteKv)
        return os.path.getsize(kv.path)
    if url.startswith("postgres"):
        from dorisctl.kv.postgres import PostgresKv

        assert isinstance(kv, PostgresKv)
        conn = await kv.pool.acquire()
        try:
            cur = await conn.execute("SELECT pg_total_relation_size(%s)", (f"{kv.target.schema}.dorisctl_kv",))
            row = await cur.fetchone()
            return int(row[0]) if row else 0
        finally:
            kv.pool.release(conn)
    if url.startswith("etcd:"):
        endpoint = url[len("etcd://") :].split(",")[0].split("/")[0]
        req = urllib.request.Request(f"http://{endpoint}/v3/maintenance/status", data=b"{}", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(json.loads(r.read()).get("dbSize", 0))
    return 0


def sqlite_wal_bytes(kv: TxnKv) -> int | None:
    """The size of a SQLite store's WAL (None for other stores): it must stay small while the
    store is open (pooled readers end their snapshots on release, so checkpoints can restart it)."""
    from dorisctl.kv.sqlite import SqliteKv

    if not isinstance(kv, SqliteKv):
        return None
    wal = kv.path + "-wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


async def run(
    url: str,
    sizes: list[int],
    per: int,
    rowsets: int,
    workers: int,
    samples: int,
    bulk: int,
    every: float,
    pause_file: str = "",
) -> None:
    kv = open_store(url)
    await kv.open()
    svc = Service(kv=kv, keyring=KeyRing({1: b"c" * 32}))

    async def seed(t: Any) -> None:
        t.put(keys.instance_key(IID), cloud_pb2.InstanceInfoPB(instance_id=IID).SerializeToString())

    await run_txn(kv, seed)
    base = await store_bytes(kv)
    print(
        f"store {kv.url}: {per} tablets per partition, {rowsets} rowsets per tablet, {workers} loaders, "
        f"{'bulk: ' + str(bulk) + ' partitions per store transaction' if bulk else 'no bulk'}",
        flush=True,
    )
    done = 0
    pause = Pause(pause_file)
    for seq, n in enumerate(sizes):
        partitions = n // per
        started, paused = time.perf_counter(), pause.seconds
        filled = await fill(svc, done, partitions, per, rowsets, workers, bulk, every, pause)
        fill_s = time.perf_counter() - started - (pause.seconds - paused)
        done = partitions
        size = await store_bytes(kv) - base
        wal = sqlite_wal_bytes(kv)
        figures = await measure(svc, partitions, per, samples, seq)
        line = ", ".join(f"{k} {v}" for k, v in figures.items())
        print(
            f"N={n:>8}: {size / n:7.0f} bytes/tablet ({size / 2**20:8.1f} MiB"
            f"{'' if wal is None else f', WAL {wal / 2**20:.1f} MiB'}), fill {filled.rate:7.0f} rowsets/s "
            f"({fill_s:.0f} s; {filled.describe()}); p50/p99 {line}",
            flush=True,
        )
    await kv.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--store", default="sqlite", help="sqlite | postgresql-temp | etcd-temp | a store URL")
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--tablets-per-partition", type=int, default=100)
    p.add_argument("--rowsets", type=int, default=10)
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="loads (bulk: groups) running at once; default 16, on SQLite with bulk 1: overlapping long "
        "transactions always leave a reader on an old snapshot, so the WAL could never restart",
    )
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--progress", type=float, default=300, help="seconds between progress lines while filling (0: none)")
    p.add_argument(
        "--bulk",
        type=int,
        default=-1,
        help="partitions per store transaction while filling (0: one operation per request; "
        "default 10; on etcd 64 tablets' worth: its 1024 operations and 1.5 MiB per transaction)",
    )
    p.add_argument("--etcd-flag", action="append", default=[], help="an extra flag for etcd-temp's members")
    p.add_argument(
        "--pause-file",
        default="",
        help="while this file exists the fill starts no new store transaction (its time out of the fill rate)",
    )
    args = p.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    # stopped with SIGTERM (a background run ignores SIGINT): unwind, so the throwaway server stops too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        url = args.store
        if url == "sqlite":
            d = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite:///{d}/capacity.db"
        elif url == "postgresql-temp":
            from tests.fixtures.sqldb import PASSWORD, start_postgres

            pg = start_postgres(durable=True)
            stack.callback(pg.stop)
            url = f"postgresql://dorisctl:{PASSWORD}@127.0.0.1:{pg.port}/{pg.shared_database('cap')}"
        elif url == "etcd-temp":
            from tests.fixtures.etcd import EtcdCluster

            # etcd's default --max-txn-ops (128) refuses a commit_txn of 16 tablets (137 compares): use
            # the raised value docs/storage.md suggests for production; and etcd's largest suggested quota
            # (8 GiB; the default 2 GiB fills before N=100k)
            etcd_args = ["--max-txn-ops", "1024", "--quota-backend-bytes", str(8 << 30), *args.etcd_flag]
            etcd = stack.enter_context(EtcdCluster.start(extra_args=etcd_args))
            url = etcd.unique_url() + "?max_txn_ops=1024"
        # etcd: about 150 writes and compares per 16-tablet load, within its 1024 per transaction
        bulk = (
            args.bulk
            if args.bulk >= 0
            else (max(1, 64 // args.tablets_per_partition) if url.startswith("etcd:") else 10)
        )
        workers = args.workers or (1 if bulk and url.startswith("sqlite:") else 16)
        asyncio.run(
            run(
                url,
                sizes,
                args.tablets_per_partition,
                args.rowsets,
                workers,
                args.samples,
                bulk,
                args.progress,
                args.pause_file,
            )
        )


if __name__ == "__main__":
    main()
