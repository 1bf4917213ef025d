"""The recycler as shipped: in the meta-service process, and as `dorisctl recycler` beside a
`dorisctl meta-service --no-recycler` on the same store. A drop is driven over HTTP only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.s3 import AK, BUCKET, SK, WeedMini, s3  # noqa: F401 - fixture

TOKEN = "e2e-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "process exited early"
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} not ready")


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in started:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


def dorisctl(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DORISCTL_META_TOKEN=TOKEN)
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dorisctl", *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )


@pytest.mark.parametrize("mode", ["in-process", "standalone"])
def test_drop_over_http_removes_objects_and_instance(
    mode: str,
    tmp_path: Path,
    s3: WeedMini,  # noqa: F811
    procs: list[subprocess.Popen[bytes]],
) -> None:
    prefix = f"e2e-{mode}"
    client = s3.client()
    for i in range(20):
        client.put_object(Bucket=BUCKET, Key=f"{prefix}/data/1/r{i}_0.dat", Body=b"y")
    client.put_object(Bucket=BUCKET, Key=f"{prefix}x/keep", Body=b"y")
    ms_port = free_port()
    common = ["--data-dir", str(tmp_path), "--recycler-sleep-before-scheduling-seconds", "3600"]
    ms_args = ["meta-service", "--port", str(ms_port), *common]
    if mode == "standalone":
        ms_args.append("--no-recycler")
    procs.append(dorisctl(ms_args, tmp_path / "ms.log"))
    ms = f"http://127.0.0.1:{ms_port}"
    wait_ready(ms, procs[0])
    rc = ms
    if mode == "standalone":
        rc_port = free_port()
        procs.append(dorisctl(["recycler", "--port", str(rc_port), *common], tmp_path / "rc.log"))
        rc = f"http://127.0.0.1:{rc_port}"
        wait_ready(rc, procs[1])
        # the meta-service without a recycler does not serve its routes
        r = httpx.post(f"{ms}/RecyclerService/http/recycle_status?token={TOKEN}")
        assert r.status_code == 404

    obj = {
        "ak": AK,
        "sk": SK,
        "bucket": BUCKET,
        "prefix": prefix,
        "endpoint": s3.endpoint,
        "external_endpoint": s3.endpoint,
        "region": "us-east-1",
        "provider": "S3",
        "use_path_style": True,
    }
    q = f"?token={TOKEN}"
    r = httpx.post(f"{ms}/MetaService/http/create_instance{q}", json={"instance_id": "e2e", "obj_info": obj})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{ms}/MetaService/http/drop_instance{q}", json={"instance_id": "e2e"})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{rc}/RecyclerService/http/recycle_instance{q}", json={"instance_ids": ["e2e"]})
    assert r.status_code == 200, r.text

    deadline = time.monotonic() + 20
    while True:
        r = httpx.get(f"{rc}/RecyclerService/http/recycle_status{q}")
        history = r.json()["result"]["history"]
        if history:
            break
        assert time.monotonic() < deadline, "no job finished"
        time.sleep(0.1)
    assert history[0]["outcome"] == "done", history[0]
    assert history[0]["objects_deleted"] == 20
    r = httpx.get(f"{ms}/MetaService/http/get_instance{q}&instance_id=e2e")
    assert r.status_code == 500 and "KeyNotFound" in r.json()["msg"]
    left = [c["Key"] for c in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]
    assert left == [f"{prefix}x/keep"]
    client.delete_object(Bucket=BUCKET, Key=f"{prefix}x/keep")
    for log in tmp_path.glob("*.log"):
        assert SK not in log.read_text()
