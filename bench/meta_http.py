"""Meta-service HTTP benchmark (not a test): read mix, write mix and the /health ceiling in one run.

Starts a real meta-service process (sqlite by default, or --store URL), seeds 50 instances, then a
load generator in its own process (a minimal keep-alive HTTP/1.1 client with pre-encoded requests,
so every phase costs the client the same) drives 64 connections for a fixed time per phase:

  ceiling  GET /health (the HTTP stack alone)
  read     get_cluster, get_obj_store_info, get_instance in rotation
  write    add_node / drop_node pairs over 50 instances (each connection owns one node)

Prints req/s, p50 and p99 per phase and the ratios read/ceiling and write/read. Figures are only
meaningful as ratios measured in the same run on the same machine.

    .venv/bin/python bench/meta_http.py [--seconds 10] [--connections 64] [--store URL] [--url URL]
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

INSTANCES = 50
TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _body(route: str, i: int, k: int) -> dict[str, Any]:
    if route == "get_cluster":
        return {"cloud_unique_id": f"bench-{i}-be", "cluster_name": f"cluster-{i}"}
    if route == "get_obj_store_info":
        return {"cloud_unique_id": f"bench-{i}-be"}
    node = {"cloud_unique_id": f"bench-w{k}", "ip": f"10.9.{k // 250}.{k % 250}", "heartbeat_port": 9050}
    return {
        "instance_id": f"bench-{i}",
        "cluster": {"cluster_id": f"c-{i}", "cluster_name": f"cluster-{i}", "type": "COMPUTE", "nodes": [node]},
    }


def _request(method: str, path: str, body: dict[str, Any] | None) -> bytes:
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


def _requests_for(phase: str, k: int) -> list[bytes]:
    """The requests connection k sends in rotation, encoded once (the client must stay cheap)."""
    if phase == "ceiling":
        return [_request("GET", "/health", None)]
    if phase == "read":
        out = []
        for n in range(INSTANCES * 3):
            i = (k + n) % INSTANCES
            route = ("get_cluster", "get_obj_store_info", "get_instance")[n % 3]
            if route == "get_instance":
                out.append(_request("GET", f"/MetaService/http/get_instance?token={TOKEN}&instance_id=bench-{i}", None))
            else:
                out.append(_request("POST", f"/MetaService/http/{route}?token={TOKEN}", _body(route, i, k)))
        return out
    i = k % INSTANCES
    return [
        _request("POST", f"/MetaService/http/{route}?token={TOKEN}", _body(route, i, k))
        for route in ("add_node", "drop_node")
    ]


async def _load(urls: list[str], phase: str, seconds: float, connections: int) -> dict[str, Any]:
    """A minimal keep-alive HTTP/1.1 client: every phase pays the same, small, client cost."""
    latencies: list[float] = []
    errors = 0
    samples: list[str] = []
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        requests = _requests_for(phase, k)
        host, port = urls[k % len(urls)].removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        n = 0
        try:
            while (phase == "write" and n % 2) or time.perf_counter() < deadline:  # end on a drop
                t0 = time.perf_counter()
                writer.write(requests[n % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                payload = await reader.readexactly(length)
                if head[9:12] != b"200":
                    errors += 1
                    if len(samples) < 5:
                        samples.append(head[9:12].decode() + " " + payload.decode(errors="replace")[:300])
                latencies.append(time.perf_counter() - t0)
                n += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "phase": phase,
        "requests": count,
        "errors": errors,
        "error_samples": samples,
        "rps": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
    }


def _load_process(urls: list[str], phase: str, seconds: float, connections: int, out: Any) -> None:
    import uvloop

    out.put(uvloop.run(_load(urls, phase, seconds, connections)))


def run_phase(urls: list[str], phase: str, seconds: float, connections: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_load_process, args=(urls, phase, seconds, connections, q))
    p.start()
    result: dict[str, Any] = q.get(timeout=seconds + 120)
    p.join(30)
    return result


def seed(url: str) -> None:
    import httpx

    with httpx.Client(base_url=url, params={"token": TOKEN}, timeout=30) as c:
        for i in range(INSTANCES):
            obj = {
                "ak": "ak", "sk": "sk", "bucket": "b", "prefix": f"p{i}", "endpoint": "e", "region": "r",
                "external_endpoint": "e", "provider": "S3",
            }  # fmt: skip
            c.post("/MetaService/http/create_instance", json={"instance_id": f"bench-{i}", "obj_info": obj})
            node = {"cloud_unique_id": f"bench-{i}-be", "ip": f"10.8.0.{i}", "heartbeat_port": 9050}
            cluster = {"cluster_id": f"c-{i}", "cluster_name": f"cluster-{i}", "type": "COMPUTE", "nodes": [node]}
            r = c.post("/MetaService/http/add_cluster", json={"instance_id": f"bench-{i}", "cluster": cluster})
            assert r.status_code == 200, r.text


def start_server(data_dir: Path, store: str | None, ms_config: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    args = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", str(data_dir), "--port", str(port),
            "--token", TOKEN, "--log-level", "warning", "--no-recycler"]  # fmt: skip
    if store:
        args += ["--store", store]
    for item in ms_config:
        args += ["--ms-config", item]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def measure(
    store: str | None, processes: int, seconds: float, connections: int, repeat: int, ms_config: list[str]
) -> dict[str, dict[str, Any]]:
    """Median (by req/s) of each phase over `repeat` rounds against `processes` servers on one store."""
    with tempfile.TemporaryDirectory() as tmp:
        servers = [start_server(Path(tmp), store, ms_config) for _ in range(processes)]  # one key ring + token
        urls = [url for _, url in servers]
        try:
            seed(urls[0])
            rounds = [
                {ph: run_phase(urls, ph, seconds, connections) for ph in ("ceiling", "read", "write")}
                for _ in range(repeat)
            ]
        finally:
            for proc, _ in servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    medians: dict[str, dict[str, Any]] = {}
    for ph in rounds[0]:
        ordered = sorted((r[ph] for r in rounds), key=lambda x: x["rps"])
        medians[ph] = ordered[len(ordered) // 2]
    return medians


def report(title: str, results: dict[str, dict[str, Any]]) -> dict[str, float]:
    print(title)
    print(f"  {'phase':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results.values():
        print(f"  {r['phase']:<8} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>7}")
        for sample in r.get("error_samples", [])[:3]:
            print(f"      error: {' '.join(sample.split())}")
    read_ratio = results["read"]["rps"] / results["ceiling"]["rps"]
    write_ratio = results["write"]["rps"] / results["read"]["rps"]
    print(f"  read/ceiling = {read_ratio:.0%} (target >= 50%)   write/read = {write_ratio:.0%} (target >= 25%)")
    return {"read_over_ceiling": read_ratio, "write_over_read": write_ratio}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="rounds per phase; the median is reported")
    parser.add_argument("--store", default=None, help="store URL (default: sqlite in a temp dir)")
    parser.add_argument("--processes", type=int, default=1, help="meta-service processes sharing the store")
    parser.add_argument("--ms-config", action="append", default=[], help="passed to the servers, e.g. "
                        "max_requests_in_progress=0")  # fmt: skip
    parser.add_argument(
        "--matrix",
        action="store_true",
        help="sqlite and a 3-member etcd (started here), 1 and 2 processes each, in one run",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    print(f"meta-service HTTP benchmark: {args.connections} connections, {args.seconds:.0f} s per phase, "
          f"median of {args.repeat}, {os.cpu_count()} cores")  # fmt: skip
    out: dict[str, Any] = {}
    if not args.matrix:
        res = measure(args.store, args.processes, args.seconds, args.connections, args.repeat, args.ms_config)
        title = f"store {args.store or 'sqlite'}, {args.processes} process(es), config {args.ms_config or 'default'}"
        out[title] = {"results": res, **report(title, res)}
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.fixtures.etcd import EtcdCluster

        with EtcdCluster.start() as etcd:
            for store_name in ("sqlite", "etcd x3"):
                for processes in (1, 2):
                    store = etcd.unique_url() if store_name != "sqlite" else None
                    res = measure(store, processes, args.seconds, args.connections, args.repeat, args.ms_config)
                    title = f"{store_name}, {processes} process(es)"
                    out[title] = {"results": res, **report(title, res)}
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
