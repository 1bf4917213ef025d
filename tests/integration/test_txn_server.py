"""A load and the documented txn endpoints against a real `dorisctl meta-service` process."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dorisctl.kv import open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2

TOKEN = "server-test-token"
CUID = "1:inst1:be"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "meta-service.db"

    async def seed() -> None:
        kv = open_store(f"sqlite:///{db}")

        async def put(txn: Any) -> None:
            txn.put(keys.instance_key("inst1"), cloud_pb2.InstanceInfoPB(instance_id="inst1").SerializeToString())

        await run_txn(kv, put)
        await kv.close()

    asyncio.run(seed())
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dorisctl",
            "meta-service",
            "--data-dir",
            str(tmp_path),
            "--port",
            str(port),
            "--token",
            TOKEN,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("meta-service did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_load_over_real_server(server: str) -> None:
    def call(route: str, body: Any) -> httpx.Response:
        # curl -d style: form content type, raw JSON body
        return httpx.post(
            f"{server}/MetaService/http/{route}?token={TOKEN}",
            content=json.dumps(body),
            headers={"content-type": "application/x-www-form-urlencoded"},
            timeout=10,
        )

    meta = {"table_id": 1, "index_id": 2, "partition_id": 3, "tablet_id": 4, "schema_version": 0}
    assert call("create_tablets", {"cloud_unique_id": CUID, "db_id": 9, "tablet_metas": [meta]}).status_code == 200
    info = {"db_id": 9, "label": "load1", "table_ids": [1], "timeout_ms": 60000}
    txn_id = call("begin_txn", {"cloud_unique_id": CUID, "txn_info": info}).json()["result"]["txn_id"]
    rs = {
        "rowset_id": 0,
        "tablet_id": 4,
        "txn_id": txn_id,
        "rowset_id_v2": "r1",
        "num_rows": 7,
        "num_segments": 1,
        "total_disk_size": 30,
        "data_disk_size": 20,
        "index_disk_size": 10,
    }
    assert call("prepare_rowset", {"cloud_unique_id": CUID, "rowset_meta": rs}).status_code == 200
    assert call("commit_rowset", {"cloud_unique_id": CUID, "rowset_meta": rs}).status_code == 200
    r = call("commit_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.status_code == 200 and r.json()["result"]["versions"] == ["2"]
    r = call("get_tablet_stats", {"cloud_unique_id": CUID, "tablet_idx": [{"tablet_id": 4}]})
    assert r.status_code == 200
    assert "  num_rows: 7\n  num_rowsets: 2\n  num_segments: 1\n" in r.text and r.text.endswith("}\n\n")
    r = call("abort_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.status_code == 500 and r.json()["msg"] == f"transaction [{txn_id}] is already VISIBLE, db_id=9"
    r = call("get_tablet_stats", {"cloud_unique_id": CUID, "tablet_idx": [{"tablet_id": 5}]})
    assert (r.status_code, r.text) == (404, "\n")
