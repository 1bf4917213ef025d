"""`dorisctl meta-service --workers N`: worker processes on one port and one store, seen as one
service (read-your-writes whichever worker answers, one periodic recycler, /metrics summed, SIGTERM
drains them all, none outlives the supervisor); and two serving-path details (an error envelope
counted under its code, a refused oversize body answered whole)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import httpx

from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2 as pb
from tests.fixtures.kv import read_all
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient
from tests.integration.metaservice.conftest import OBJ
from tests.integration.metaservice.test_metrics import scrape, value


def worker_pids(srv: MetaServer) -> list[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        m = re.search(r"event=meta_service_workers workers=\d+ pids=([\d,]+)", srv.log_text())
        if m and srv.log_text().count("event=meta_service_ready") >= len(m.group(1).split(",")):
            return [int(p) for p in m.group(1).split(",")]
        time.sleep(0.05)
    raise AssertionError("workers did not start:\n" + srv.log_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def fresh(srv: MetaServer) -> httpx.Client:
    """A client on a new connection (the kernel picks the worker per connection)."""
    return httpx.Client(base_url=srv.url, params={"token": srv.token}, timeout=30)


def test_two_workers_are_one_service(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(
        tmp_path / "ms",
        store=own_store,
        extra_args=["--workers", "2", "--recycle-interval-seconds", "0.3", "--recycler-sleep-before-scheduling-seconds",
                    "0.1", "--log-level", "debug"],
    )  # fmt: skip
    port = int(srv.url.rsplit(":", 1)[1])
    try:
        pids = worker_pids(srv)
        assert len(pids) == 2 and all(alive(p) for p in pids)
        srv.ok("create_instance", {"instance_id": "w1", "obj_info": OBJ})
        # read-your-writes: each write and each read on a new connection, HTTP and baidu_std
        for i in range(24):
            with fresh(srv) as w:
                r = w.post("/MetaService/http/rename_instance", json={"instance_id": "w1", "name": f"n{i}"})
                assert r.status_code == 200, r.text
            with fresh(srv) as rd:
                got = rd.get("/MetaService/http/get_instance", params={"instance_id": "w1"}).json()
                assert got["result"]["name"] == f"n{i}"

            async def brpc_read() -> str:
                c = await BaiduStdClient.connect(port)
                try:
                    resp = await c.call("get_instance", pb.GetInstanceRequest(cloud_unique_id="1:w1:be"),
                                        pb.GetInstanceResponse)  # fmt: skip
                    return str(resp.instance.name)
                finally:
                    await c.close()

            assert asyncio.run(brpc_read()) == f"n{i}"
        log = srv.log_text()
        writers = set(re.findall(r"event=request route=rename_instance .* worker=(\d)", log))
        assert writers == {"0", "1"}, "both workers should have answered some of the writes"
        # /metrics, whichever worker answers, counts every worker's requests
        for _ in range(3):
            m = scrape(srv)
            assert value(m, "dorisctl_ms_requests_total", protocol="http", rpc="rename_instance", code="OK") == 24
            assert value(m, "dorisctl_ms_requests_total", protocol="brpc", rpc="get_instance", code="OK") == 24
        # the periodic recycler scans in one worker only
        deadline = time.monotonic() + 20
        while srv.log_text().count("event=recycler_scan ") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        scanners = set(re.findall(r"event=recycler_scan .* worker=(\d)", srv.log_text()))
        assert scanners == {"0"}
        # an error envelope a route answers itself is counted under its code
        with fresh(srv) as c:
            r = c.get("/MetaService/http/get_instance", params={"instance_id": "nope"})
            assert r.status_code == 500 and r.json()["code"] == "INTERNAL_ERROR"
        m = scrape(srv)
        assert value(m, "dorisctl_ms_requests_total", protocol="http", rpc="get_instance", code="OK") == 24
        assert sum(v for (name, labels), v in m.items() if name == "dorisctl_ms_requests_total"
                   and ("rpc", "get_instance") in labels and ("protocol", "http") in labels) == 25  # fmt: skip
        oversize_body_gets_its_whole_reply(srv)
        # no worker outlives its supervisor, even one killed outright
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(p) for p in pids)
    finally:
        srv.stop()


def oversize_body_gets_its_whole_reply(srv: MetaServer) -> None:
    """A body refused for its declared size is answered at once; the client, still sending, must
    neither be reset nor read a cut reply (with and without `Connection: close`)."""
    port = int(srv.url.rsplit(":", 1)[1])
    size = 5 * 1024 * 1024
    for close in (True, False):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            head = f"POST /MetaService/http/create_instance?token={srv.token} HTTP/1.1\r\nHost: x\r\n"
            head += "Connection: close\r\n" if close else ""
            s.sendall(f"{head}Content-Length: {size}\r\n\r\n".encode())
            s.sendall(b"x" * size)
            data = b""
            while not data.endswith(b"}\n"):
                chunk = s.recv(65536)
                assert chunk, data
                data += chunk
        assert data.startswith(b"HTTP/1.1 400") and b'"code": "INVALID_ARGUMENT"' in data
        assert b"request body too large" in data


def test_sigterm_drains_every_worker(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store, extra_args=["--workers", "2", "--no-recycler"])
    pids = worker_pids(srv)
    srv.ok("create_instance", {"instance_id": "d1", "obj_info": OBJ})
    acked: list[str] = []
    stop = threading.Event()

    def writer(k: int) -> None:
        with fresh(srv) as c:
            n = 0
            while not stop.is_set():
                name = f"c{k}-{n}"
                try:
                    r = c.post("/MetaService/http/add_cluster", json={"instance_id": "d1", "cluster": {
                        "cluster_id": name, "cluster_name": name, "type": "COMPUTE"}})  # fmt: skip
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acked.append(name)
                n += 1

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    assert srv.stop() == 0
    stop.set()
    for t in threads:
        t.join(30)
    assert acked and not any(alive(p) for p in pids)
    inst = pb.InstanceInfoPB.FromString(read_all(srv.store_url)[keys.instance_key("d1")])
    assert set(acked) <= {c.cluster_name for c in inst.clusters}  # every acknowledged write is stored
