"""Micro-benchmark of the TxnKv backends: commit and read rates, SQLite vs a 3-member etcd cluster.

Not a test. Runs every store in the same process and run, so the ratios are comparable even on a
noisy machine:

* commit: a read-modify-write transaction (get + put of an 8-byte value) on a key of the client's
  own, so clients never conflict; read: a transaction with one `get`.
* 1 and 16 concurrent clients (asyncio tasks in one process, one store object shared).
* Stores: SQLite (default `synchronous=full`) on disk and on /dev/shm; etcd 3 members on loopback
  with data on /dev/shm (tests/fixtures/etcd.py), client through the JSON gateway.

Usage: `make bench-kv` or `.venv/bin/python bench/kv_store.py [--seconds 2]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dorisctl.kv import Txn, TxnKv, encode_counter, open_store
from tests.fixtures.etcd import EtcdCluster


async def _client(kv: TxnKv, op: Callable[[TxnKv, bytes], Awaitable[None]], key: bytes, stop: float) -> int:
    done = 0
    while time.monotonic() < stop:
        await op(kv, key)
        done += 1
    return done


async def commit_op(kv: TxnKv, key: bytes) -> None:
    txn: Txn = await kv.begin()
    await txn.get(key)
    txn.put(key, encode_counter(int(time.monotonic_ns())))
    await txn.commit()


async def read_op(kv: TxnKv, key: bytes) -> None:
    txn = await kv.begin()
    await txn.get(key)
    await txn.discard()


async def measure(url: str, seconds: float) -> dict[tuple[str, int], float]:
    kv = open_store(url)
    out: dict[tuple[str, int], float] = {}
    try:
        for c in range(16):  # the keys exist, so reads find a value
            await commit_op(kv, b"bench/%02d" % c)
        for name, op in (("commit", commit_op), ("read", read_op)):
            for clients in (1, 16):
                await op(kv, b"bench/00")  # warm the connection pool
                start = time.monotonic()
                stop = start + seconds
                counts = await asyncio.gather(*(_client(kv, op, b"bench/%02d" % c, stop) for c in range(clients)))
                out[(name, clients)] = sum(counts) / (time.monotonic() - start)
    finally:
        await kv.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each measurement")
    args = parser.parse_args()
    disk_dir = tempfile.mkdtemp(prefix="dorisctl-bench-", dir=os.environ.get("TMPDIR", "/var/tmp"))
    shm_dir = tempfile.mkdtemp(prefix="dorisctl-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    cluster = EtcdCluster.start(3)
    try:
        stores = {
            "sqlite(disk)": f"sqlite:///{disk_dir}/kv.db",
            "sqlite(shm)": f"sqlite:///{shm_dir}/kv.db",
            "etcd(3,shm)": cluster.url("bench"),
        }
        results = {name: asyncio.run(measure(url, args.seconds)) for name, url in stores.items()}
    finally:
        cluster.stop()
        shutil.rmtree(disk_dir, ignore_errors=True)
        shutil.rmtree(shm_dir, ignore_errors=True)

    cases = [(op, c) for op in ("commit", "read") for c in (1, 16)]
    names = list(results)
    print(f"{'txn/s':<14}" + "".join(f"{n:>16}" for n in names) + f"{'etcd/sqlite(shm)':>20}")
    for op, c in cases:
        row = f"{op + ' x' + str(c):<14}" + "".join(f"{results[n][(op, c)]:>16.0f}" for n in names)
        ratio = results["etcd(3,shm)"][(op, c)] / results["sqlite(shm)"][(op, c)]
        print(row + f"{ratio:>20.3f}")
    for n in names:
        scale_c = results[n][("commit", 16)] / results[n][("commit", 1)]
        scale_r = results[n][("read", 16)] / results[n][("read", 1)]
        print(f"{n}: 16 vs 1 clients: commit x{scale_c:.2f}, read x{scale_r:.2f}")


if __name__ == "__main__":
    main()
