"""Key-ring safety with real processes: a wrong key ring refuses to start; `dorisctl keys rotate`
re-seals every secret while two meta-service processes serve reads of them without one error."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.metaservice import MetaServer, start_meta_server

pytestmark = pytest.mark.slow

INSTANCES = 24


def _obj(iid: str, sk: str) -> dict[str, str]:
    return {"ak": f"AK-{iid}", "sk": sk, "bucket": "b", "prefix": iid, "endpoint": "s3.example.com",
            "region": "r", "external_endpoint": "s3.example.com", "provider": "S3"}  # fmt: skip


def _create(ms: MetaServer, iid: str) -> None:
    ms.ok("create_instance", {"instance_id": iid, "name": iid, "user_id": "u", "obj_info": _obj(iid, f"SK-{iid}")})


def _dorisctl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dorisctl", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_process_with_another_key_ring_refuses_to_start(tmp_path: Path) -> None:
    ms = start_meta_server(tmp_path / "a")
    try:
        _create(ms, "i1")
    finally:
        ms.stop()
    store = f"sqlite:///{tmp_path / 'a' / 'meta-service.db'}"
    # another data dir: another root.key with the same id 1 but another key
    r = _dorisctl("meta-service", "--data-dir", str(tmp_path / "b"), "--store", store, "--port", "0", timeout=30)
    assert r.returncode == 2, r.stderr
    assert "has key ids [1]" in r.stderr and "need key ids [1]" in r.stderr, r.stderr
    assert "key 1: different key" in r.stderr and "To fix" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    # a key ring lacking a needed id entirely, from the environment, for the recycler too
    env_ring = "5:" + "A" * 43 + "="
    r2 = subprocess.run(
        [sys.executable, "-m", "dorisctl", "recycler", "--data-dir", str(tmp_path / "c"), "--store", store],
        capture_output=True, text=True, timeout=30, check=False,
        env={**__import__("os").environ, "DORISCTL_ROOT_KEY": env_ring},
    )  # fmt: skip
    assert r2.returncode == 2, r2.stderr
    assert "has key ids [5]" in r2.stderr and "key 1: missing" in r2.stderr, r2.stderr
    # the right ring still starts
    again = start_meta_server(tmp_path / "a")
    assert again.ok("get_instance", params={"instance_id": "i1"})["result"]["obj_info"][0]["sk"] == "SK-i1"
    again.stop()


def test_rotation_under_concurrent_reads_has_no_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    a = start_meta_server(data)
    b = start_meta_server(data, extra_args=["--no-recycler"])
    servers = [a, b]
    try:
        for i in range(INSTANCES):
            _create(a, f"inst{i}")
        r = _dorisctl("keys", "retire", "1", "--data-dir", str(data))
        assert r.returncode == 2 and "newest key" in r.stderr, r.stderr

        stop = threading.Event()
        errors: list[str] = []
        reads = [0]

        def reader(n: int) -> None:
            ms = servers[n % 2]
            import httpx

            with httpx.Client(base_url=ms.url, timeout=30) as c:
                i = n
                while not stop.is_set():
                    iid = f"inst{i % INSTANCES}"
                    if i % 2:
                        resp = c.post(f"/MetaService/http/get_obj_store_info?token={ms.token}",
                                      content=json.dumps({"cloud_unique_id": f"1:{iid}:be"}))  # fmt: skip
                        ok = resp.status_code == 200 and resp.json()["result"]["obj_info"][0]["sk"] == f"SK-{iid}"
                    else:
                        resp = c.get(f"/MetaService/http/get_instance?token={ms.token}&instance_id={iid}")
                        ok = resp.status_code == 200 and resp.json()["result"]["obj_info"][0]["sk"] == f"SK-{iid}"
                    if not ok:
                        errors.append(f"{resp.status_code} {resp.text[:200]}")
                    reads[0] += 1
                    i += 1

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        before = reads[0]
        started = time.monotonic()
        rotate = _dorisctl("keys", "rotate", "--data-dir", str(data), "--batch-size", "5", "--settle-seconds", "1")
        took = time.monotonic() - started
        during = reads[0] - before
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        assert rotate.returncode == 0, rotate.stderr
        report = json.loads(rotate.stdout)
        assert report["current"] == 2 and report["key_ids"] == [1, 2]
        # the instances in batches of 5, then the storage-vault and IAM families (one batch each, empty here)
        assert report["resealed"] == INSTANCES and report["batches"] == 5 + 2
        assert errors == [], errors[:5]
        assert during > 50, during
        print(f"rotation took {took:.2f}s; {during} reads during it, {reads[0]} in all, 0 errors")

        # new secrets written by the running processes use the new key, without a restart
        b.ok("add_obj_info", {"cloud_unique_id": "1:inst0:be", "obj": {**_obj("inst0", "SK-new"), "prefix": "p2"}})
        status = json.loads(_dorisctl("keys", "status", "--data-dir", str(data)).stdout)
        assert status["store_usage"] == {"2": INSTANCES + 1}, status
        retire = _dorisctl("keys", "retire", "1", "--data-dir", str(data))
        assert retire.returncode == 0, retire.stderr
        assert json.loads((data / "root.key").read_text())["keys"][0]["id"] == 2
        # restarted on the retired ring's successor, the store's check and the key file agree
        a.stop()
        a = servers[0] = start_meta_server(data)
        assert a.ok("get_instance", params={"instance_id": "inst3"})["result"]["obj_info"][0]["sk"] == "SK-inst3"
    finally:
        for ms in servers:
            ms.stop()
