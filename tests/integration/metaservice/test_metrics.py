"""Prometheus metrics of a real meta-service process, scraped and parsed as Prometheus would."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from dorisctl.metaservice.proto import cloud_pb2 as pb
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.integration.metaservice.conftest import OBJ


def scrape(srv: MetaServer, path: str = "/metrics") -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = httpx.get(srv.url + path, timeout=10)  # no token: scrapers need none, and nothing secret is there
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(m: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return m.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_codes_latency_connections_and_store_are_scraped(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    port = int(srv.url.rsplit(":", 1)[1])
    try:
        srv.ok("create_instance", {"instance_id": "m1", "obj_info": OBJ})
        for _ in range(3):
            srv.ok("get_instance", method="GET", params={"instance_id": "m1"})
        assert srv.call("get_cluster", {"cloud_unique_id": "1:nope:x"}).status_code == 400
        stub, channel = grpc_stub(port)
        with channel:
            for _ in range(4):
                stub.get_obj_store_info(pb.GetObjStoreInfoRequest(cloud_unique_id="1:m1:be"), timeout=30)
            stub.get_cluster(pb.GetClusterRequest(cloud_unique_id="1:nope:x"), timeout=30)

        async def brpc() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
            c = await BaiduStdClient.connect(port)
            try:
                for _ in range(2):
                    await c.call("get_obj_store_info", pb.GetObjStoreInfoRequest(cloud_unique_id="1:m1:be"),
                                 pb.GetObjStoreInfoResponse)  # fmt: skip
                return await asyncio.to_thread(scrape, srv, "/brpc_metrics")  # while the connection is open
            finally:
                await c.close()

        during = asyncio.run(brpc())
        assert value(during, "dorisctl_ms_connections", protocol="brpc") >= 1
        m = scrape(srv)
        assert value(m, "dorisctl_ms_requests_total", protocol="http", rpc="create_instance", code="OK") == 1
        assert value(m, "dorisctl_ms_requests_total", protocol="http", rpc="get_instance", code="OK") == 3
        assert value(m, "dorisctl_ms_requests_total", protocol="http", rpc="get_cluster", code="INVALID_ARGUMENT") == 1
        assert value(m, "dorisctl_ms_requests_total", protocol="grpc", rpc="get_obj_store_info", code="OK") == 4
        assert value(m, "dorisctl_ms_requests_total", protocol="grpc", rpc="get_cluster", code="INVALID_ARGUMENT") == 1
        assert value(m, "dorisctl_ms_requests_total", protocol="brpc", rpc="get_obj_store_info", code="OK") == 2
        assert value(m, "dorisctl_ms_request_seconds_count", protocol="grpc", rpc="get_obj_store_info") == 4
        assert value(m, "dorisctl_kv_commit_seconds_count") >= 1
        if own_store is None:
            assert value(m, "dorisctl_kv_cache_reads_total", result="hit") >= 2  # get_instance repeated
            assert value(m, "dorisctl_kv_group_commit_batch_size_count") >= 1
        else:  # the key cache is SQLite's (kv/keycache.py): other stores have none
            assert value(m, "dorisctl_kv_cache_reads_total", result="hit") == 0
        assert value(m, "dorisctl_ms_connections", protocol="brpc") == 0
    finally:
        srv.stop()
