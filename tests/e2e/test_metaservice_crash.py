"""Crash durability on SQLite: SIGKILL the meta-service during 16-client write bursts, five times.

Every write acknowledged (code OK) before a kill must be present afterwards, no write refused
with an error code may be, writes cut off by the kill may be either, and the file must pass
`PRAGMA integrity_check`.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fixtures.metaservice import MetaServer, start_meta_server

pytestmark = pytest.mark.slow

CLIENTS = 16
ROUNDS = 5
PER_ROUND = 120  # writes per client per round at most (keeps each instance value small)


@dataclass
class Outcomes:
    acked: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    cut: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _node(cuid: str, ip: str) -> dict[str, object]:
    return {"cloud_unique_id": cuid, "ip": ip, "heartbeat_port": 9050}


def _client(ms: MetaServer, rnd: int, c: int, stop: threading.Event, out: Outcomes) -> None:
    iid = f"inst{c}"
    with httpx.Client(base_url=ms.url, timeout=10) as http:
        for seq in range(PER_ROUND):
            if stop.is_set():
                return
            cuid = f"1:{iid}:r{rnd}n{seq}"
            body = {"instance_id": iid, "cluster": {"cluster_id": "c1", "type": "COMPUTE",
                                                    "nodes": [_node(cuid, f"10.{rnd}.{c}.{seq}")]}}  # fmt: skip
            try:
                r = http.post(f"/MetaService/http/add_node?token={ms.token}", json=body)
                doc = r.json()
            except (httpx.TransportError, ValueError):
                with out.lock:
                    out.cut.add(cuid)
                return  # the server is gone
            with out.lock:
                (out.acked if r.status_code == 200 and doc.get("code") == "OK" else out.refused).add(cuid)


def test_sigkill_during_write_bursts_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ms = start_meta_server(data)
    for c in range(CLIENTS):
        iid = f"inst{c}"
        ms.ok("create_instance", {"instance_id": iid, "name": iid, "user_id": "u"})
        ms.ok("add_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c1", "cluster_name": "compute1",
                                                              "type": "COMPUTE", "nodes": []}})  # fmt: skip
    out = Outcomes()
    rng = random.Random(12)
    started = time.monotonic()
    for rnd in range(ROUNDS):
        if rnd:
            ms = start_meta_server(data)
        stop = threading.Event()
        threads = [threading.Thread(target=_client, args=(ms, rnd, c, stop, out)) for c in range(CLIENTS)]
        before = len(out.acked)
        for t in threads:
            t.start()
        deadline = time.monotonic() + 5
        while len(out.acked) - before < 100 and time.monotonic() < deadline:
            time.sleep(0.01)  # a burst is under way
        time.sleep(rng.uniform(0.05, 0.3))
        ms.proc.send_signal(signal.SIGKILL)
        ms.proc.wait(10)
        stop.set()
        for t in threads:
            t.join(15)
        ms.client.close()
    assert len(out.acked) > ROUNDS * 100, len(out.acked)

    ms = start_meta_server(data)
    try:
        present: set[str] = set()
        for c in range(CLIENTS):
            inst = ms.ok("get_instance", params={"instance_id": f"inst{c}"})["result"]
            for cluster in inst.get("clusters", []):
                present.update(n["cloud_unique_id"] for n in cluster.get("nodes", []))
    finally:
        ms.stop()
    lost = out.acked - present
    applied_refused = out.refused & present
    assert not lost, sorted(lost)[:10]
    assert not applied_refused, sorted(applied_refused)[:10]
    with sqlite3.connect(data / "meta-service.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    took = time.monotonic() - started
    print(f"{ROUNDS} kills in {took:.1f}s: {len(out.acked)} acked (all present), {len(out.refused)} refused, "
          f"{len(out.cut)} cut off by the kill ({len(out.cut & present)} of them applied)")  # fmt: skip
