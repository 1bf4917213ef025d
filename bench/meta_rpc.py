"""Meta-service RPC benchmark (not a test): the same operations over HTTP, gRPC and baidu_std.

Starts one real meta-service process (sqlite), seeds an instance with 1,024 tablets over 100
partitions, then, for a fixed time per phase, 64 concurrent callers in a separate load process:

  ceiling        GET /health (the HTTP stack alone, the same server)
  version_batch  get_version in batch mode over 100 partitions
  tablet_rowset  get_tablet then get_rowset of one tablet
  load           begin_txn, prepare_rowset + commit_rowset on 16 tablets, commit_txn

each over http (the JSON route), grpc (h2c, bench/h2client.py) and brpc (baidu_std), one
connection per caller; each client is minimal, so the load generator costs about the same per
call on every protocol (it shares the two cores with the server). Every reply is checked (HTTP
200 / gRPC message / error_code 0, and status OK). Prints calls/s, p50 and p99 per phase and
each RPC protocol's rate as a ratio of the HTTP route's in the same run. Targets: each RPC
protocol >= the HTTP route; version_batch p99 < 20 ms.

    .venv/bin/python bench/meta_rpc.py [--seconds 8] [--callers 64] [--json out.json]

`--live` runs the live mode instead (bench/meta_live.py): the reads while a writer commits loads
at a fixed pace, at --workers 1 and the default, with the server's CPU in cores.

    .venv/bin/python bench/meta_rpc.py --live [--writer-rate 60] [--baseline-src OTHER_CHECKOUT/src]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from google.protobuf import json_format  # noqa: E402
from google.protobuf.message import Message  # noqa: E402

from dorisctl.metaservice.proto import cloud_pb2 as pb  # noqa: E402
from dorisctl.metaservice.proto import olap_file_pb2 as olap  # noqa: E402

TOKEN = "bench-token"
IID = "rpcbench"
CUID = f"1:{IID}:be"
DB, TABLE, INDEX = 1, 10, 11
PARTITIONS = 100
TABLETS_PER_CALLER = 16
PROTOCOLS = ("http", "grpc", "brpc")
OPS = ("version_batch", "tablet_rowset", "load")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def partition_of(tablet: int) -> int:
    return 1000 + tablet % PARTITIONS


def tablets_of(caller: int) -> list[int]:
    return [100_000 + caller * TABLETS_PER_CALLER + i for i in range(TABLETS_PER_CALLER)]


# -- requests, as messages (each protocol encodes them its own way) -----------------------------


def version_batch_request() -> Message:
    parts = [1000 + p for p in range(PARTITIONS)]
    return pb.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True, db_ids=[DB] * PARTITIONS,
                                table_ids=[TABLE] * PARTITIONS, partition_ids=parts)  # fmt: skip


def rowset(tablet: int, txn_id: int) -> olap.RowsetMetaCloudPB:
    return olap.RowsetMetaCloudPB(rowset_id=0, tablet_id=tablet, partition_id=partition_of(tablet), txn_id=txn_id,
                                  rowset_id_v2=f"r{txn_id}-{tablet}", num_rows=100, total_disk_size=11000,
                                  data_disk_size=10000, index_disk_size=1000, num_segments=1,
                                  txn_expiration=1 << 40, index_id=INDEX, schema_version=0)  # fmt: skip


class Caller:
    """One caller's connection for one protocol; `call(rpc, request, response_type)` -> response."""

    def __init__(self, protocol: str, port: int) -> None:
        self.protocol, self.port = protocol, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.brpc: Any = None
        self.h2: Any = None

    async def open(self) -> None:
        if self.protocol == "http":
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        elif self.protocol == "grpc":
            from bench.h2client import H2Client

            self.h2 = await H2Client.connect(self.port)
        else:
            from tests.fixtures.rpc_clients import BaiduStdClient

            self.brpc = await BaiduStdClient.connect(self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.h2 is not None:
            await self.h2.close()
        if self.brpc is not None:
            await self.brpc.close()

    async def http(self, route: str, body: bytes) -> dict[str, Any]:
        assert self.reader is not None and self.writer is not None
        head = (
            f"POST /MetaService/http/{route}?token={TOKEN} HTTP/1.1\r\nHost: b\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line[15:]) for line in raw.split(b"\r\n") if line[:15].lower() == b"content-length:")
        payload = await self.reader.readexactly(length)
        doc: dict[str, Any] = json.loads(payload)
        if raw[9:12] != b"200" or doc.get("code") != "OK":
            raise RuntimeError(f"{route}: {raw[9:12].decode()} {payload[:200]!r}")
        result: dict[str, Any] = doc.get("result", {})
        return result

    async def call(self, rpc: str, req: Message, resp_type: type[Message]) -> Any:
        if self.protocol == "http":
            body = json_format.MessageToJson(req, preserving_proto_field_name=True, indent=None).encode()
            return await self.http(rpc, body)
        resp: Any
        if self.protocol == "grpc":
            resp = resp_type.FromString(await self.h2.call(f"/doris.cloud.MetaService/{rpc}", req.SerializeToString()))
        else:
            resp = await self.brpc.call(rpc, req, resp_type)
        if resp.status.code != pb.OK:
            raise RuntimeError(f"{rpc}: {pb.MetaServiceCode.Name(resp.status.code)} {resp.status.msg[:200]}")
        return resp


async def one(op: str, c: Caller, caller: int, n: int) -> None:
    if op == "version_batch":
        r = await c.call("get_version", version_batch_request(), pb.GetVersionResponse)
        versions = r["versions"] if isinstance(r, dict) else r.versions
        assert len(versions) == PARTITIONS
    elif op == "tablet_rowset":
        tablet = tablets_of(caller)[n % TABLETS_PER_CALLER]
        await c.call("get_tablet", pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=tablet), pb.GetTabletResponse)
        idx = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=partition_of(tablet),
                               tablet_id=tablet)  # fmt: skip
        req = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=idx, start_version=0, end_version=-1,
                                  base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=-1)  # fmt: skip
        await c.call("get_rowset", req, pb.GetRowsetResponse)
    else:
        label = f"{c.protocol}-{caller}-{n}-{time.monotonic_ns()}"
        info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
        r = await c.call("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info), pb.BeginTxnResponse)
        txn_id = int(r["txn_id"]) if isinstance(r, dict) else r.txn_id
        for tablet in tablets_of(caller):
            create = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(tablet, txn_id))
            await c.call("prepare_rowset", create, pb.CreateRowsetResponse)
            await c.call("commit_rowset", create, pb.CreateRowsetResponse)
        await c.call("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, db_id=DB, txn_id=txn_id),
                     pb.CommitTxnResponse)  # fmt: skip


async def drive(port: int, protocol: str, op: str, seconds: float, callers: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        c = Caller(protocol, port)
        await c.open()
        n = 0
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    await one(op, c, k, n)
                    latencies.append(time.perf_counter() - t0)
                except Exception as e:  # counted and shown; the run goes on
                    errors.append(f"{type(e).__name__}: {e}"[:300])
                n += 1
        finally:
            await c.close()

    from bench.meta_live import summary

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(callers)))
    return summary(protocol, op, latencies, errors, time.perf_counter() - started)


async def ceiling(port: int, seconds: float, callers: int) -> dict[str, Any]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    req = b"GET /health HTTP/1.1\r\nHost: b\r\n\r\n"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(req)
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(3)
            latencies.append(time.perf_counter() - t0)
        writer.close()

    from bench.meta_live import summary

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(callers)))
    return summary("http", "ceiling", latencies, [], time.perf_counter() - started)


def _phase_process(port: int, protocol: str, op: str, seconds: float, callers: int, out: Any) -> None:
    import uvloop

    coro = ceiling(port, seconds, callers) if op == "ceiling" else drive(port, protocol, op, seconds, callers)
    out.put(uvloop.run(coro))


def run_phase(port: int, protocol: str, op: str, seconds: float, callers: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_phase_process, args=(port, protocol, op, seconds, callers, q))
    p.start()
    result: dict[str, Any] = q.get(timeout=seconds + 300)
    p.join(30)
    return result


async def seed(port: int, callers: int) -> None:
    from bench.meta_live import instance_with_cluster

    await instance_with_cluster(port, TOKEN, IID, CUID, timeout=60)
    c = Caller("brpc", port)
    await c.open()
    try:
        for k in range(callers):
            req = pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB)
            for tablet in tablets_of(k):
                m = req.tablet_metas.add(table_id=TABLE, index_id=INDEX, partition_id=partition_of(tablet),
                                         tablet_id=tablet, schema_version=0)  # fmt: skip
                m.schema.keys_type = olap.DUP_KEYS
                m.schema.schema_version = 0
                m.rs_metas.add(rowset_id=0, tablet_id=tablet, start_version=0, end_version=1, rowset_id_v2="init")
            await c.call("create_tablets", req, pb.CreateTabletsResponse)
        await one("load", c, 0, 0)  # partitions get versions
    finally:
        await c.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--callers", type=int, default=64)
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--live", action="store_true", help="reads under a paced writer (bench/meta_live.py)")
    parser.add_argument("--writer-rate", type=float, default=60.0, help="live: loads/s the writer starts")
    parser.add_argument("--baseline-src", default="", help="live: also bench this checkout's src/, cache off")
    parser.add_argument("--cache-off", action="store_true", help="live: also bench workers=1 without the key cache")
    parser.add_argument(
        "--reply-cache-off",
        action="store_true",
        help="live: also bench the default workers with the reply cache off (what requests that never repeat get)",
    )
    args = parser.parse_args()
    unknown = [op for op in args.ops.split(",") if op not in OPS]
    if unknown:
        parser.error(f"--ops: unknown {', '.join(unknown)} (known: {', '.join(OPS)})")
    if args.live:
        from bench.meta_live import run_live

        return run_live(args)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", tmp, "--port", str(port),
               "--token", TOKEN, "--log-level", "warning", "--no-recycler", "--workers", "1"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(400):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.05)
            import uvloop

            uvloop.run(seed(port, args.callers))
            print(f"meta-service RPC benchmark: {args.callers} callers, {args.seconds:.0f} s per phase, "
                  f"{os.cpu_count()} cores, sqlite")  # fmt: skip
            results = [run_phase(port, "http", "ceiling", args.seconds, args.callers)]
            for op in args.ops.split(","):
                for protocol in PROTOCOLS:
                    results.append(run_phase(port, protocol, op, args.seconds, args.callers))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    print(f"  {'op':<14} {'protocol':<8} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs http':>8}")
    http_rate = {r["op"]: r["rate"] for r in results if r["protocol"] == "http"}
    for r in results:
        ratio = r["rate"] / http_rate[r["op"]] if http_rate.get(r["op"]) else 0.0
        print(f"  {r['op']:<14} {r['protocol']:<8} {r['rate']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['errors']:>7} {ratio:>7.0%}")  # fmt: skip
        r["vs_http"] = ratio
        for s in r["error_samples"]:
            print(f"      error: {s}")
    ceiling_rate = http_rate["ceiling"]
    print(f"  ceiling (/health) {ceiling_rate:.0f} req/s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
