"""Overload: the per-RPC QPS limits and the in-progress bound answer Doris's MAX_QPS_LIMIT
(`reach max qps limit`), in the envelope over HTTP and in `status` over RPC, execute nothing, and
service resumes as soon as the burst is over."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from dorisctl.metaservice.admission import Admission, parse_specific_limits
from dorisctl.metaservice.context import Settings
from dorisctl.metaservice.proto import cloud_pb2 as pb
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.integration.metaservice.conftest import OBJ, sqlite_only


def test_specific_limits_parse_like_doris_and_refuse_garbage() -> None:
    assert parse_specific_limits("get_cluster:5000000;begin_txn:5") == {"get_cluster": 5000000, "begin_txn": 5}
    assert parse_specific_limits("a:1, b:2") == {"a": 1, "b": 2}
    for bad in ("get_cluster", "x:0", "x:-1", ":5", "x:abc"):
        with pytest.raises(ValueError, match="specific_max_qps_limit"):
            parse_specific_limits(bad)


def test_token_bucket_per_rpc_and_instance_refills() -> None:
    a = Admission(Settings(default_max_qps_limit=3, specific_max_qps_limit="get_cluster:1"))
    assert [a.enter("begin_txn", "i1") for _ in range(4)] == [True, True, True, False]
    assert a.enter("begin_txn", "i2")  # another instance has its own bucket
    assert a.enter("get_cluster", "i1") and not a.enter("get_cluster", "i1")
    for _ in range(4):
        a.leave()
    time.sleep(1.05)
    assert a.enter("begin_txn", "i1") and a.enter("get_cluster", "i1")


def test_qps_limit_over_brpc_and_http_then_service_resumes(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(
        tmp_path / "ms", store=own_store, extra_args=["--ms-config", "specific_max_qps_limit=get_obj_store_info:10"]
    )
    port = int(srv.url.rsplit(":", 1)[1])
    try:
        srv.ok("create_instance", {"instance_id": "q1", "obj_info": OBJ})
        req = pb.GetObjStoreInfoRequest(cloud_unique_id="1:q1:be")

        async def burst() -> list[pb.GetObjStoreInfoResponse]:
            c = await BaiduStdClient.connect(port)
            try:
                replies = await asyncio.gather(*(c.call_raw("get_obj_store_info", req.SerializeToString())
                                                 for _ in range(40)))  # fmt: skip
                return [pb.GetObjStoreInfoResponse.FromString(r.payload) for r in replies]
            finally:
                await c.close()

        replies = asyncio.run(burst())
        codes = [r.status.code for r in replies]
        assert 0 < codes.count(pb.MAX_QPS_LIMIT) <= 30 and codes.count(pb.OK) >= 10
        assert {r.status.msg for r in replies if r.status.code == pb.MAX_QPS_LIMIT} == {"reach max qps limit"}
        # over HTTP (admitted before its body is read, so per RPC and process): the envelope, as Doris
        http = [srv.call("get_obj_store_info", {"cloud_unique_id": "1:q1:be"}) for _ in range(25)]
        refused = [r for r in http if r.status_code != 200]
        assert refused and all(
            (r.status_code, r.json()["code"], r.json()["msg"]) == (500, "INTERNAL_ERROR", "reach max qps limit")
            for r in refused
        )
        time.sleep(1.1)
        assert srv.call("get_obj_store_info", {"cloud_unique_id": "1:q1:be"}).status_code == 200
    finally:
        srv.stop()


def test_in_progress_bound_refuses_at_once_while_the_store_is_slow(tmp_path: Path, ms_backend: str) -> None:
    sqlite_only(ms_backend, "the store is slowed by holding the SQLite file's lock")
    # The bound is per process: one worker, so that both stuck writes count against the same bound.
    srv = start_meta_server(tmp_path / "ms", extra_args=["--ms-config", "max_requests_in_progress=2", "--workers", "1"])
    try:
        srv.ok("create_instance", {"instance_id": "slow", "obj_info": OBJ})
        db = sqlite3.connect(srv.data_dir / "meta-service.db", isolation_level=None, timeout=10)
        db.execute("BEGIN IMMEDIATE")  # the store is now slow: every commit waits for this lock
        results: list[int] = []

        def write(i: int) -> None:
            body = {"instance_id": "slow", "name": f"n{i}"}
            results.append(srv.call("rename_instance", body).status_code)

        stuck = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in stuck:
            t.start()
        time.sleep(0.5)
        started = time.monotonic()
        refused = srv.call("get_obj_store_info", {"cloud_unique_id": "1:slow:be"})
        assert time.monotonic() - started < 2  # refused at once, not queued behind the lock
        assert (refused.status_code, refused.json()["msg"]) == (500, "reach max qps limit")
        db.execute("ROLLBACK")
        db.close()
        for t in stuck:
            t.join(30)
        assert results == [200, 200]
        assert srv.call("get_obj_store_info", {"cloud_unique_id": "1:slow:be"}).status_code == 200
    finally:
        srv.stop()


def test_qps_limit_holds_for_replies_the_reply_cache_answers(tmp_path: Path, ms_backend: str) -> None:
    """A cached RPC answered from the reply cache, in the transport's read callback, is still
    counted and refused over its limit, over baidu_std and gRPC."""
    sqlite_only(ms_backend, "the reply cache stands on SQLite's key cache")
    # one worker: each worker keeps its own replies and its own limits, and the kernel picks the
    # worker of each new connection
    srv = start_meta_server(
        tmp_path / "ms", extra_args=["--workers", "1", "--ms-config", "specific_max_qps_limit=get_cluster:10"]
    )
    port = int(srv.url.rsplit(":", 1)[1])
    try:
        srv.ok("create_instance", {"instance_id": "q2", "obj_info": OBJ})
        node = {"cloud_unique_id": "1:q2:be", "ip": "10.0.0.2", "heartbeat_port": 9050}
        cluster = {"cluster_id": "c1", "cluster_name": "c1", "type": "COMPUTE", "nodes": [node]}
        srv.ok("add_cluster", {"instance_id": "q2", "cluster": cluster})
        req = pb.GetClusterRequest(cloud_unique_id="1:q2:be", cluster_id="c1").SerializeToString()

        async def burst(n: int) -> list[pb.GetClusterResponse]:
            c = await BaiduStdClient.connect(port)
            try:
                replies = await asyncio.gather(*(c.call_raw("get_cluster", req) for _ in range(n)))
                return [pb.GetClusterResponse.FromString(r.payload) for r in replies]
            finally:
                await c.close()

        first = asyncio.run(burst(1))  # the reply is kept
        assert first[0].status.code == pb.OK
        time.sleep(1.1)  # the bucket refilled
        replies = asyncio.run(burst(40))
        codes = [r.status.code for r in replies]
        assert 0 < codes.count(pb.MAX_QPS_LIMIT) <= 30 and codes.count(pb.OK) >= 10, codes
        assert {r.status.msg for r in replies if r.status.code == pb.MAX_QPS_LIMIT} == {"reach max qps limit"}
        ok = [r for r in replies if r.status.code == pb.OK]
        assert all(r.cluster[0].cluster_id == "c1" for r in ok)
        hits = metric(srv, 'dorisctl_ms_reply_cache_requests_total{result="hit"}')
        assert hits >= 9  # the admitted ones came from the cache
        time.sleep(1.1)
        stub, channel = grpc_stub(port)
        with channel:
            got = [stub.get_cluster(pb.GetClusterRequest(cloud_unique_id="1:q2:be", cluster_id="c1"), timeout=30)
                   for _ in range(25)]  # fmt: skip
        grpc_codes = [r.status.code for r in got]
        assert pb.MAX_QPS_LIMIT in grpc_codes and grpc_codes.count(pb.OK) >= 10, grpc_codes
    finally:
        srv.stop()


def metric(srv: MetaServer, sample: str) -> float:
    """One sample's value from the server's /metrics (0 when absent)."""
    import httpx

    text = httpx.get(f"{srv.url}/metrics", timeout=30).text
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0
