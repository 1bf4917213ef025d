"""Benchmark (not a test): recycler object deletion rate vs boto3's raw `delete_objects` rate.

Starts its own SeaweedFS `weed mini` on free loopback ports, then twice puts N small objects
(concurrently): once deleted by plain boto3 (`list_objects_v2` + sequential `delete_objects` of 1000,
the raw rate), once by the recycler destroying a DELETED instance whose obj_info prefix holds them.

    .venv/bin/python bench/recycler_s3.py [--objects 100000] [--put-threads 32]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dorisctl.kv import open_store, run_txn
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.ops import instance as resource
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.recycler import Recycler, RecyclerConfig
from dorisctl.secrets import load_keyring
from tests.fixtures.s3 import AK, BUCKET, SK, WeedMini


def put_many(weed: WeedMini, prefix: str, n: int, threads: int) -> float:
    client = weed.client()
    started = time.perf_counter()

    def put(chunk: range) -> None:
        for i in chunk:
            client.put_object(Bucket=BUCKET, Key=f"{prefix}/data/{i % 97}/r{i}_0.dat", Body=b"x" * 64)

    step = max(1, n // (threads * 4))
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, [range(i, min(n, i + step)) for i in range(0, n, step)]))
    return time.perf_counter() - started


def raw_delete(weed: WeedMini, prefix: str) -> tuple[int, float]:
    client = weed.client()
    started = time.perf_counter()
    deleted = 0
    while True:
        page = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/", MaxKeys=1000)
        contents = page.get("Contents", [])
        if not contents:
            break
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": c["Key"]} for c in contents], "Quiet": True})
        deleted += len(contents)
    return deleted, time.perf_counter() - started


async def recycler_delete(weed: WeedMini, prefix: str, workdir: Path, concurrency: int) -> Any:
    kv = open_store(f"sqlite:///{workdir}/kv.db")
    svc = Service(kv=kv, keyring=load_keyring(workdir, env={}))
    obj = cloud_pb2.ObjectStoreInfoPB(
        ak=AK,
        sk=SK,
        bucket=BUCKET,
        prefix=prefix,
        endpoint=weed.endpoint,
        external_endpoint=weed.endpoint,
        region="us-east-1",
        provider=cloud_pb2.ObjectStoreInfoPB.S3,
        use_path_style=True,
    )
    create = cloud_pb2.CreateInstanceRequest(instance_id="bench", user_id="u", obj_info=obj)
    await run_txn(kv, lambda txn: resource.create_instance(svc, txn, create))
    drop = cloud_pb2.AlterInstanceRequest(instance_id="bench")
    await run_txn(kv, lambda txn: resource.drop_instance(svc, txn, drop))
    rec = Recycler(svc, RecyclerConfig(s3_delete_concurrency=concurrency), ip_port="bench:0")
    res = await rec.recycle_instance("bench")
    await kv.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--put-threads", type=int, default=32)
    ap.add_argument("--delete-concurrency", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dorisctl-bench-") as tmp:
        weed = WeedMini(Path(tmp) / "weed")
        try:
            weed.start()
            weed.client().create_bucket(Bucket=BUCKET)
            n = args.objects
            secs = put_many(weed, "raw", n, args.put_threads)
            print(f"setup: put {n} objects in {secs:.1f}s ({n / secs:.0f}/s)", flush=True)
            deleted, raw_s = raw_delete(weed, "raw")
            raw_rate = deleted / raw_s
            print(f"raw boto3 delete_objects: {deleted} objects in {raw_s:.2f}s = {raw_rate:.0f} objects/s", flush=True)
            secs = put_many(weed, "inst", n, args.put_threads)
            print(f"setup: put {n} objects in {secs:.1f}s ({n / secs:.0f}/s)", flush=True)
            res = asyncio.run(recycler_delete(weed, "inst", Path(tmp), args.delete_concurrency))
            assert res.outcome == "done", res.error
            s3_rate = res.objects_deleted / res.s3_seconds
            job_rate = res.objects_deleted / res.seconds
            print(
                f"recycler: {res.objects_deleted} objects, S3 phase {res.s3_seconds:.2f}s = {s3_rate:.0f} objects/s "
                f"(whole job incl. KV {res.seconds:.2f}s = {job_rate:.0f} objects/s)",
                flush=True,
            )
            print(f"ratio recycler/raw: S3 phase {s3_rate / raw_rate:.0%}, whole job {job_rate / raw_rate:.0%}")
        finally:
            weed.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
