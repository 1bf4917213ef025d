"""Live mode of bench/meta_rpc.py (`--live`): reads while a cluster commits, as users get them.

For each server under test (`--workers 1` and the default; optionally a baseline checkout with its
reply cache off, `--baseline-src`, the same code without its key cache (and so without its reply
cache), `--cache-off`, and the default workers with the reply cache off, `--reply-cache-off`), one
real meta-service process on SQLite is seeded with 1,024 tablets over 400 partitions (every
partition with a version), then:

  ceiling        GET /health, 64 callers (the HTTP stack alone, the same server, nothing else running)
  version_batch  get_version in batch mode, 100 partitions drawn at random per request (gRPC, baidu_std)
  tablet_rowset  get_tablet then get_rowset of a tablet drawn at random per request (gRPC, baidu_std)

Every read phase runs while a writer process commits small loads at a fixed pace (`--writer-rate`,
default 60/s: begin_txn, prepare_rowset + commit_rowset of one rowset, commit_txn, over
baidu_std; each load starts on schedule however long earlier ones take). Reported per phase:
calls/s, p50/p99, the ratio to the same server's /health ceiling, the server's CPU in cores (all
its processes, from /proc) and per call in microseconds (what the server spends, whoever else is
short of CPU: on two cores the load generator is, at the reply cache's rates), the share of
cached RPCs the reply cache answered (from the server's /metrics: hits over all cached RPCs; a
reply something it read changed since is built again), and the writer's loads/s in its worst 1 s
window, its pace kept, and commit_txn latency. A phase whose writer had a window under 10 commits/s is marked invalid.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap

TOKEN = "bench-token"
IID = "livebench"
CUID = f"1:{IID}:be"
DB, TABLE, INDEX = 1, 10, 11
PARTITIONS = 400
TABLETS = 1024
BATCH = 100
FIRST_TABLET = 200_000


def partition_of(tablet: int) -> int:
    return 5000 + (tablet - FIRST_TABLET) % PARTITIONS


ALL_TABLETS = [FIRST_TABLET + i for i in range(TABLETS)]
ALL_PARTITIONS = sorted({partition_of(t) for t in ALL_TABLETS})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- clients ----------------------------------------------------------------------------------------


class Rpc:
    """`lean`: the readers' baidu_std client is bench/lean_clients.py's (one call in flight per
    connection, frames built once, as lean as the ceiling's HTTP client); the writer and the
    seeding use the tests' full client."""

    def __init__(self, protocol: str, port: int, lean: bool = False) -> None:
        self.protocol, self.port, self.lean = protocol, port, lean
        self.c: Any = None

    async def open(self) -> None:
        if self.protocol == "grpc":
            from bench.h2client import H2Client

            self.c = await H2Client.connect(self.port)
        elif self.lean:
            from bench.lean_clients import LeanBrpcClient

            self.c = await LeanBrpcClient.connect(self.port)
        else:
            from tests.fixtures.rpc_clients import BaiduStdClient

            self.c = await BaiduStdClient.connect(self.port)

    async def close(self) -> None:
        await self.c.close()

    async def call(self, rpc: str, req: Any, resp_type: Any) -> Any:
        return await self.call_bytes(rpc, req.SerializeToString(), resp_type)

    async def call_bytes(self, rpc: str, payload: bytes, resp_type: Any) -> Any:
        if self.protocol == "grpc":
            resp = resp_type.FromString(await self.c.call(f"/doris.cloud.MetaService/{rpc}", payload))
        else:
            reply = await self.c.call_raw(rpc, payload, timeout=None)
            if reply.error_code:
                raise RuntimeError(f"{rpc}: brpc error {reply.error_code} {reply.meta.response.error_text}")
            resp = resp_type.FromString(reply.payload)
        if resp.status.code != pb.OK:
            raise RuntimeError(f"{rpc}: {pb.MetaServiceCode.Name(resp.status.code)} {resp.status.msg[:200]}")
        return resp


def rowset(tablet: int, txn_id: int) -> olap.RowsetMetaCloudPB:
    return olap.RowsetMetaCloudPB(rowset_id=0, tablet_id=tablet, partition_id=partition_of(tablet), txn_id=txn_id,
                                  rowset_id_v2=f"r{txn_id}-{tablet}", num_rows=100, total_disk_size=11000,
                                  data_disk_size=10000, index_disk_size=1000, num_segments=1,
                                  txn_expiration=1 << 40, index_id=INDEX, schema_version=0)  # fmt: skip


async def load(c: Rpc, label: str, tablets: list[int]) -> float:
    """One load; returns commit_txn's latency."""
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
    r = await c.call("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info), pb.BeginTxnResponse)
    for tablet in tablets:
        create = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(tablet, r.txn_id))
        await c.call("prepare_rowset", create, pb.CreateRowsetResponse)
        await c.call("commit_rowset", create, pb.CreateRowsetResponse)
    t0 = time.perf_counter()
    await c.call("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, db_id=DB, txn_id=r.txn_id),
                 pb.CommitTxnResponse)  # fmt: skip
    return time.perf_counter() - t0


async def instance_with_cluster(port: int, token: str, iid: str, cuid: str, timeout: float = 120) -> None:
    """The benchmarks' instance (an S3 obj_info) with one compute cluster holding the node `cuid`."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", params={"token": token}, timeout=timeout) as h:
        obj = {"ak": "ak", "sk": "sk", "bucket": "b", "prefix": "p", "endpoint": "e", "region": "r",
               "external_endpoint": "e", "provider": "S3"}  # fmt: skip
        r = await h.post("/MetaService/http/create_instance", json={"instance_id": iid, "obj_info": obj})
        assert r.status_code == 200, r.text
        node = {"cloud_unique_id": cuid, "ip": "10.0.0.2", "heartbeat_port": 9050}
        cluster = {"cluster_id": "cg", "cluster_name": "cg", "type": "COMPUTE", "nodes": [node]}
        r = await h.post("/MetaService/http/add_cluster", json={"instance_id": iid, "cluster": cluster})
        assert r.status_code == 200, r.text


async def seed(port: int) -> None:
    await instance_with_cluster(port, TOKEN, IID, CUID)
    c = Rpc("brpc", port)
    await c.open()
    try:
        for start in range(0, TABLETS, 128):
            req = pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB)
            for tablet in ALL_TABLETS[start : start + 128]:
                m = req.tablet_metas.add(table_id=TABLE, index_id=INDEX, partition_id=partition_of(tablet),
                                         tablet_id=tablet, schema_version=0)  # fmt: skip
                m.schema.keys_type = olap.DUP_KEYS
                m.schema.schema_version = 0
                m.rs_metas.add(rowset_id=0, tablet_id=tablet, start_version=0, end_version=1, rowset_id_v2="init")
            await c.call("create_tablets", req, pb.CreateTabletsResponse)
        await load(c, "seed", ALL_TABLETS[:PARTITIONS])  # one tablet of every partition: all get versions
    finally:
        await c.close()


# -- readers ----------------------------------------------------------------------------------------


class Requests:
    """Request bodies, serialized once per load-generator process so that the generator's CPU (on
    the same two cores as the server) goes to calls: 2,048 get_version batches of 100 partitions
    each drawn at random, and a get_tablet and a get_rowset body for every tablet."""

    def __init__(self, seed: int) -> None:
        rnd = random.Random(seed)
        self.versions = [
            pb.GetVersionRequest(cloud_unique_id=CUID, batch_mode=True, db_ids=[DB] * BATCH, table_ids=[TABLE] * BATCH,
                                 partition_ids=rnd.sample(ALL_PARTITIONS, BATCH)).SerializeToString()
            for _ in range(2048)
        ]  # fmt: skip
        self.tablets: dict[int, tuple[bytes, bytes]] = {}
        for tablet in ALL_TABLETS:
            got = pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=tablet)
            idx = pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=partition_of(tablet),
                                   tablet_id=tablet)  # fmt: skip
            rows = pb.GetRowsetRequest(cloud_unique_id=CUID, idx=idx, start_version=0, end_version=-1,
                                       base_compaction_cnt=0, cumulative_compaction_cnt=0,
                                       cumulative_point=-1)  # fmt: skip
            self.tablets[tablet] = (got.SerializeToString(), rows.SerializeToString())


async def read_one(op: str, c: Rpc, rnd: random.Random, bodies: Requests) -> None:
    if op == "version_batch":
        r = await c.call_bytes("get_version", rnd.choice(bodies.versions), pb.GetVersionResponse)
        assert len(r.versions) == BATCH and min(r.versions) >= 2, r.versions
    else:
        tablet = rnd.choice(ALL_TABLETS)
        got, rows = bodies.tablets[tablet]
        t = await c.call_bytes("get_tablet", got, pb.GetTabletResponse)
        assert t.tablet_meta.tablet_id == tablet
        r = await c.call_bytes("get_rowset", rows, pb.GetRowsetResponse)
        assert r.rowset_meta and r.rowset_meta[0].end_version == 1


async def drive(port: int, protocol: str, op: str, seconds: float, callers: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    bodies = Requests(hash(op) % 1000)
    deadline = time.perf_counter() + seconds

    async def caller(k: int) -> None:
        c = Rpc(protocol, port, lean=os.environ.get("BENCH_BRPC_CLIENT", "lean") == "lean")
        await c.open()
        rnd = random.Random(k * 7919 + hash(op) % 1000)
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    await read_one(op, c, rnd, bodies)
                    latencies.append(time.perf_counter() - t0)
                except Exception as e:
                    errors.append(f"{type(e).__name__}: {e}"[:300])
        finally:
            await c.close()

    started = time.time()
    t0 = time.perf_counter()
    await asyncio.gather(*(caller(k) for k in range(callers)))
    elapsed = time.perf_counter() - t0
    return {**summary(protocol, op, latencies, errors, elapsed), "started": started, "ended": started + elapsed}


def summary(protocol: str, op: str, latencies: list[float], errors: list[str], elapsed: float) -> dict[str, Any]:
    """A phase's figures: calls, errors (and three of them), calls/s, p50 and p99 in ms."""
    latencies.sort()
    n = len(latencies)
    return {"protocol": protocol, "op": op, "calls": n, "errors": len(errors), "error_samples": errors[:3],
            "rate": n / elapsed, "p50_ms": latencies[n // 2] * 1000 if n else 0.0,
            "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0}  # fmt: skip


async def ceiling(port: int, seconds: float, callers: int) -> dict[str, Any]:
    from bench.lean_clients import LeanHttpClient

    count = 0
    deadline = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal count
        c = await LeanHttpClient.connect(port)
        while time.perf_counter() < deadline:
            await c.get()
            count += 1
        await c.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return {"protocol": "http", "op": "ceiling", "calls": count, "errors": 0, "error_samples": [],
            "rate": count / (time.perf_counter() - t0), "p50_ms": 0.0, "p99_ms": 0.0}  # fmt: skip


# -- the writer -------------------------------------------------------------------------------------


async def write_paced(port: int, rate: float, seconds: float) -> dict[str, Any]:
    """Start a load every 1/rate s for `seconds` (each on its own connection from a small pool)."""
    pool = [Rpc("brpc", port) for _ in range(16)]
    for c in pool:
        await c.open()
    free = list(pool)
    done: list[tuple[float, float]] = []  # (unix time completed, commit_txn latency)
    errors: list[str] = []
    missed = 0
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, c: Rpc) -> None:
        try:
            lat = await load(c, f"w{os.getpid()}-{i}-{time.monotonic_ns()}", [ALL_TABLETS[(i * 37) % TABLETS]])
            done.append((time.time(), lat))
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}"[:300])
        finally:
            free.append(c)

    start = time.perf_counter()
    i = 0
    while True:
        due = start + i / rate
        now = time.perf_counter()
        if due - start > seconds:
            break
        if due > now:
            await asyncio.sleep(due - now)
        if free:
            t = asyncio.create_task(one(i, free.pop()))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        else:
            missed += 1  # 16 loads in flight: this one cannot start on time
        i += 1
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    for c in pool:
        await c.close()
    return {"done": done, "errors": len(errors), "error_samples": errors[:3], "missed": missed}


def _process(kind: str, args: tuple[Any, ...], out: Any) -> None:
    import uvloop

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    fn = {"drive": drive, "ceiling": ceiling, "writer": write_paced}[kind]
    out.put(uvloop.run(fn(*args)))  # type: ignore[operator]


def spawn(kind: str, *args: Any) -> tuple[Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_process, args=(kind, args, q))
    p.start()
    return p, q


# -- server CPU -------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            for child in children:
                out.extend(_tree(int(child)))
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / tick


# -- one server -------------------------------------------------------------------------------------


def bench_server(name: str, extra: list[str], env: dict[str, str], args: Any) -> list[dict[str, Any]]:
    port = free_port()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", tmp, "--port", str(port),
               "--token", TOKEN, "--log-level", "warning", "--no-recycler",
               *(a.replace("{data}", tmp) for a in extra)]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
        try:
            for _ in range(1200):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.05)
            time.sleep(2.0)  # every worker listening
            import uvloop

            uvloop.run(seed(port))
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            p, q = spawn("ceiling", port, args.seconds, args.callers)
            r = q.get(timeout=args.seconds + 300)
            r["cpu_cores"] = (cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - t0)
            p.join(30)
            r["server"] = name
            results.append(r)
            for op in ("version_batch", "tablet_rowset"):
                for protocol in ("grpc", "brpc"):
                    wp, wq = spawn("writer", port, args.writer_rate, args.seconds + 3.0)
                    time.sleep(1.5)  # the writer at pace first
                    replies0 = reply_cache_counts(port)
                    cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
                    rp, rq = spawn("drive", port, protocol, op, args.seconds, args.callers)
                    r = rq.get(timeout=args.seconds + 300)
                    cpu = (cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - t0)
                    rp.join(30)
                    replies = {k: v - replies0.get(k, 0.0) for k, v in reply_cache_counts(port).items()}
                    r["reply_hit_share"] = replies["hit"] / max(sum(replies.values()), 1.0)
                    w = wq.get(timeout=args.seconds + 300)
                    wp.join(30)
                    r.update(server=name, cpu_cores=cpu, **writer_figures(w, r["started"], r["ended"], args))
                    results.append(r)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    return results


def reply_cache_counts(port: int) -> dict[str, float]:
    """The server's dorisctl_ms_reply_cache_requests_total by result (all workers)."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        text = r.read().decode()
    out = {"hit": 0.0, "stale": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "dorisctl_ms_reply_cache_requests_total":
                out[sample.labels["result"]] = out.get(sample.labels["result"], 0.0) + sample.value
    return out


def writer_figures(w: dict[str, Any], start: float, end: float, args: Any) -> dict[str, Any]:
    """The writer during the read phase: loads/s in each whole 1 s window, commit_txn latency."""
    inside = [(t, lat) for t, lat in w["done"] if start <= t < end]
    windows = [0] * max(1, int(end - start))
    for t, _ in inside:
        k = int(t - start)
        if k < len(windows):
            windows[k] += 1
    lats = sorted(lat for _, lat in inside)
    worst = min(windows)
    return {"writer_loads_per_s": len(inside) / max(end - start, 1e-9), "writer_worst_window": worst,
            "writer_pace_kept": worst / args.writer_rate, "writer_valid": worst >= 10,
            "commit_p50_ms": lats[len(lats) // 2] * 1000 if lats else 0.0,
            "commit_p99_ms": lats[min(len(lats) - 1, int(len(lats) * 0.99))] * 1000 if lats else 0.0,
            "writer_errors": w["errors"], "writer_missed": w["missed"],
            "writer_error_samples": w["error_samples"]}  # fmt: skip


def run_live(args: Any) -> int:
    from dorisctl.metaservice.workers import default_workers

    servers: list[tuple[str, list[str], dict[str, str]]] = []
    if args.baseline_src:
        env = {"PYTHONPATH": str(Path(args.baseline_src).resolve())}
        servers.append(("baseline", ["--ms-config", "response_cache_entries=0"], env))
    servers.append(("workers=1", ["--workers", "1"], {}))
    if args.cache_off:  # the same code without the key cache: what the cache brings
        servers.append(("w=1 nocache", ["--workers", "1", "--store", "sqlite:///{data}/nocache.db?cache=0"], {}))
    if args.reply_cache_off:  # the default without the reply cache: reads whose requests never repeat
        servers.append(("noreply", ["--ms-config", "reply_cache_entries=0"], {}))
    servers.append((f"workers={default_workers()}", [], {}))
    print(f"meta-service live benchmark: {args.callers} callers, {args.seconds:.0f} s per phase, writer "
          f"{args.writer_rate:.0f} loads/s, {os.cpu_count()} cores, sqlite")  # fmt: skip
    results: list[dict[str, Any]] = []
    for name, extra, env in servers:
        results.extend(bench_server(name, extra, env, args))
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(results: list[dict[str, Any]], args: Any) -> None:
    ceilings = {r["server"]: r["rate"] for r in results if r["op"] == "ceiling"}
    head = (f"  {'server':<10} {'op':<14} {'proto':<5} {'calls/s':>8} {'p50ms':>6} {'p99ms':>6} {'/ceil':>6} "
            f"{'cores':>5} {'us/c':>5} {'hit%':>4} {'loads/s':>7} {'worst':>5} {'pace':>5} {'c.p99':>6} "
            f"{'err':>4}")  # fmt: skip
    print(head)
    for r in results:
        r["server_us_per_call"] = r["cpu_cores"] * 1e6 / max(r["rate"], 1e-9)
        if r["op"] == "ceiling":
            print(f"  {r['server']:<10} {'ceiling':<14} {'http':<5} {r['rate']:>8.0f} {'':>6} {'':>6} {'':>6} "
                  f"{r['cpu_cores']:>5.2f} {r['server_us_per_call']:>5.0f}")  # fmt: skip
            continue
        ratio = r["rate"] / ceilings[r["server"]]
        r["vs_ceiling"] = ratio
        flag = "" if r["writer_valid"] else "  INVALID (writer < 10/s)"
        print(f"  {r['server']:<10} {r['op']:<14} {r['protocol']:<5} {r['rate']:>8.0f} {r['p50_ms']:>6.1f} "
              f"{r['p99_ms']:>6.1f} {ratio:>6.2f} {r['cpu_cores']:>5.2f} {r['server_us_per_call']:>5.0f} "
              f"{r['reply_hit_share']:>4.0%} "
              f"{r['writer_loads_per_s']:>7.1f} "
              f"{r['writer_worst_window']:>5} {r['writer_pace_kept']:>5.0%} {r['commit_p99_ms']:>6.1f} "
              f"{r['errors'] + r['writer_errors']:>4}{flag}")  # fmt: skip
        for s in r["error_samples"] + r["writer_error_samples"]:
            print(f"      error: {s}")
    by = {(r["server"], r["op"], r["protocol"]): r for r in results}
    servers = list(dict.fromkeys(r["server"] for r in results))
    if len(servers) >= 2:
        one, many = "workers=1", servers[-1]
        pairs = [(one, many, f"{many} vs workers=1")]
        if "w=1 nocache" in servers:
            pairs.append(("w=1 nocache", one, "workers=1 vs the same without its key cache"))
        if "noreply" in servers:
            pairs.append(("noreply", many, f"{many} vs the same with the reply cache off"))
        if "baseline" in servers:
            pairs.append(("baseline", many, f"{many} vs baseline (cache off)"))
        for before, after, label in pairs:
            for op in ("version_batch", "tablet_rowset"):
                for protocol in ("grpc", "brpc"):
                    a, b = by.get((before, op, protocol)), by.get((after, op, protocol))
                    if a and b:
                        print(f"  {label}, {op} {protocol}: {b['rate'] / a['rate']:.2f}x")
