"""The FE/BE protocols on the meta-service's one port, against a real server process: gRPC through
a stub generated from our proto, baidu_std through a client written from brpc's frame layout, and
the HTTP API beside them."""

from __future__ import annotations

import asyncio
import gzip
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto.baidu_rpc_meta_pb2 import RpcMeta
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, encode_frame, grpc_stub, raw_grpc_call
from tests.integration.metaservice.conftest import OBJ, sqlite_only

SQL_NAME = "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER"
SQL_ID = "RESERVED_CLUSTER_ID_FOR_SQL_SERVER"
IID = "rpcfront"
FE = f"1:{IID}:fe1"
BE = f"1:{IID}:be1"


def port_of(server: MetaServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[MetaServer]:
    srv = start_meta_server(
        tmp_path_factory.mktemp("rpc") / "ms", store=ms_store, extra_args=["--max-message-bytes", str(96 << 20)]
    )
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": dict(OBJ)})
    sql = {
        "cluster_name": SQL_NAME,
        "cluster_id": SQL_ID,
        "type": "SQL",
        "nodes": [{"cloud_unique_id": FE, "ip": "10.0.0.1", "edit_log_port": 9010, "node_type": "FE_MASTER"}],
    }
    srv.ok("add_cluster", {"instance_id": IID, "cluster": sql})
    compute = {
        "cluster_name": "cg1",
        "cluster_id": "cg1_id",
        "type": "COMPUTE",
        "nodes": [{"cloud_unique_id": BE, "ip": "10.0.0.2", "heartbeat_port": 9050}],
    }
    srv.ok("add_cluster", {"instance_id": IID, "cluster": compute})
    yield srv
    srv.stop()


# -- gRPC (FE) -----------------------------------------------------------------------------------


def test_grpc_fe_boot_handshake_finds_its_sql_cluster_and_node(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    with channel:
        resp = stub.get_cluster(
            pb.GetClusterRequest(cloud_unique_id=FE, cluster_name=SQL_NAME, cluster_id=SQL_ID), timeout=30
        )
        assert resp.status.code == pb.OK
        assert len(resp.cluster) == 1
        helpers = [n for n in resp.cluster[0].nodes if n.node_type == pb.NodeInfoPB.FE_MASTER]
        assert [f"{n.ip}_{n.edit_log_port}" for n in helpers] == ["10.0.0.1_9010"]
        # the checker's "all clusters" form: no name, no id
        everything = stub.get_cluster(pb.GetClusterRequest(cloud_unique_id=FE), timeout=30)
        assert sorted(c.cluster_name for c in everything.cluster) == sorted([SQL_NAME, "cg1"])
        inst = stub.get_instance(pb.GetInstanceRequest(cloud_unique_id=FE), timeout=30)
        assert inst.status.code == pb.OK and inst.instance.instance_id == IID


def test_grpc_application_errors_travel_in_status_with_grpc_ok(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    with channel:
        unknown = stub.get_cluster(
            pb.GetClusterRequest(cloud_unique_id="1:nosuch:fe", cluster_name=SQL_NAME), timeout=30
        )
        assert (unknown.status.code, unknown.status.msg) == (pb.INVALID_ARGUMENT, "empty instance_id")
        missing = stub.get_cluster(pb.GetClusterRequest(cluster_name=SQL_NAME), timeout=30)
        assert (missing.status.code, missing.status.msg) == (pb.INVALID_ARGUMENT, "cloud_unique_id must be given")
        none = stub.get_cluster(pb.GetClusterRequest(cloud_unique_id=FE, cluster_id="nope"), timeout=30)
        assert none.status.code == pb.CLUSTER_NOT_FOUND


def test_grpc_alter_cluster_adds_a_node_the_http_api_sees(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    with channel:
        node = pb.NodeInfoPB(
            cloud_unique_id=f"1:{IID}:fe2", ip="10.0.0.3", edit_log_port=9010, node_type=pb.NodeInfoPB.FE_OBSERVER
        )
        req = pb.AlterClusterRequest(
            instance_id=IID,
            op=pb.AlterClusterRequest.ADD_NODE,
            cluster=pb.ClusterPB(cluster_name=SQL_NAME, cluster_id=SQL_ID, type=pb.ClusterPB.SQL, nodes=[node]),
        )
        assert stub.alter_cluster(req, timeout=30).status.code == pb.OK
        again = stub.alter_cluster(req, timeout=30)  # the same node twice is refused, as Doris
        assert again.status.code != pb.OK
        no_op = stub.alter_cluster(pb.AlterClusterRequest(instance_id=IID, cluster=req.cluster), timeout=30)
        assert (no_op.status.code, no_op.status.msg) == (pb.INVALID_ARGUMENT, "op not given")
    got = ms.ok("get_cluster", {"instance_id": IID, "cloud_unique_id": FE, "cluster_name": SQL_NAME})
    assert {n["cloud_unique_id"] for n in got["result"]["nodes"]} == {FE, f"1:{IID}:fe2"}


def test_grpc_unknown_method_and_service_are_unimplemented(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    with channel:
        with pytest.raises(grpc.RpcError) as e:
            stub.clone_instance(pb.CloneInstanceRequest(), timeout=30)  # newer than Doris 3.0
        assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    out = raw_grpc_call(port_of(ms), "/doris.cloud.NoSuchService/get_cluster", b"")
    assert out["grpc-status"] == "12"


def test_grpc_unparsable_request_is_invalid_argument(ms: MetaServer) -> None:
    out = raw_grpc_call(port_of(ms), "/doris.cloud.MetaService/get_cluster", b"\xff\xff\xff")
    assert out["grpc-status"] == "3"


def test_grpc_large_message_in_and_the_limit(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    big = pb.GetObjStoreInfoRequest(
        cloud_unique_id=BE, request_ip="x" * (80 << 20)
    )  # 80 MiB, over gRPC's 4 MiB default
    with channel:
        resp = stub.get_obj_store_info(big, timeout=60)
        assert resp.status.code == pb.OK and resp.obj_info[0].bucket == OBJ["bucket"]
        too_big = pb.GetObjStoreInfoRequest(cloud_unique_id=BE, request_ip="x" * (100 << 20))
        with pytest.raises(grpc.RpcError) as e:
            stub.get_obj_store_info(too_big, timeout=60)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_grpc_deadline_against_a_slow_store_answers_deadline_exceeded(ms: MetaServer, ms_backend: str) -> None:
    """The store is made slow by holding SQLite's write lock from outside; the server, not the
    client, must answer the call when its grpc-timeout passes (the raw client has no deadline)."""
    sqlite_only(ms_backend, "the store is slowed by holding the SQLite file's write lock from outside")
    db = sqlite3.connect(ms.data_dir / "meta-service.db", isolation_level=None, timeout=10)
    db.execute("BEGIN IMMEDIATE")
    try:
        req = pb.AlterClusterRequest(
            instance_id=IID,
            op=pb.AlterClusterRequest.RENAME_CLUSTER,
            cluster=pb.ClusterPB(cluster_id="cg1_id", cluster_name="cg1_renamed"),
        )
        started = time.monotonic()
        out = raw_grpc_call(
            port_of(ms),
            "/doris.cloud.MetaService/alter_cluster",
            req.SerializeToString(),
            extra_headers=[("grpc-timeout", "1500m")],
        )
        took = time.monotonic() - started
        assert out["grpc-status"] == "4", out
        assert 1.4 < took < 8, took
    finally:
        db.execute("ROLLBACK")
        db.close()
    # the write finishes or fails on its own once the store is back; the server keeps serving
    stub, channel = grpc_stub(port_of(ms))
    with channel:
        assert stub.get_cluster(pb.GetClusterRequest(cloud_unique_id=FE), timeout=30).status.code == pb.OK


# -- baidu_std (BE) -------------------------------------------------------------------------------


def test_brpc_get_obj_store_info_full_and_short_service_name(ms: MetaServer) -> None:
    async def run() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            resp = await c.call(
                "get_obj_store_info", pb.GetObjStoreInfoRequest(cloud_unique_id=BE), pb.GetObjStoreInfoResponse
            )
            assert resp.status.code == pb.OK
            assert (resp.obj_info[0].ak, resp.obj_info[0].sk) == (OBJ["ak"], OBJ["sk"])
            short = await c.call_raw(
                "get_obj_store_info",
                pb.GetObjStoreInfoRequest(cloud_unique_id=BE).SerializeToString(),
                service="MetaService",
            )
            assert short.error_code == 0
            assert pb.GetObjStoreInfoResponse.FromString(short.payload).status.code == pb.OK
        finally:
            await c.close()

    asyncio.run(run())


def test_brpc_pipelined_calls_answered_by_correlation_id(ms: MetaServer) -> None:
    async def run() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            calls = []
            for i in range(300):
                if i % 3 == 0:  # a write (queued per instance) between reads, so replies can overtake
                    req = pb.AlterClusterRequest(
                        instance_id=IID,
                        op=pb.AlterClusterRequest.UPDATE_CLUSTER_MYSQL_USER_NAME,
                        cluster=pb.ClusterPB(cluster_id="cg1_id", mysql_user_name=[f"u{i}"]),
                    )
                    calls.append(c.call_raw("alter_cluster", req.SerializeToString()))
                else:
                    calls.append(
                        c.call_raw(
                            "get_cluster",
                            pb.GetClusterRequest(cloud_unique_id=BE, cluster_id="cg1_id").SerializeToString(),
                        )
                    )
            replies = await asyncio.gather(*calls)
            assert all(r.error_code == 0 for r in replies)
            assert sorted(r.meta.correlation_id for r in replies) == list(range(1, 301))
            for i, r in enumerate(replies):
                assert r.meta.correlation_id == i + 1
                typ = pb.AlterClusterResponse if i % 3 == 0 else pb.GetClusterResponse
                assert typ.FromString(r.payload).status.code == pb.OK
            assert c.order != sorted(c.order), "replies came back strictly in request order"
        finally:
            await c.close()

    asyncio.run(run())


def test_brpc_errors_1001_1002_1003_carry_no_payload(ms: MetaServer) -> None:
    async def run() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            svc = await c.call_raw("get_cluster", b"", service="doris.cloud.NoSuch")
            method = await c.call_raw("no_such_rpc", b"")
            garbage = await c.call_raw("get_cluster", b"\xff\xff\xff\xff")
            for reply, code in ((svc, 1001), (method, 1002), (garbage, 1003)):
                assert reply.error_code == code, reply.meta
                assert reply.meta.response.error_text
                assert reply.payload == b"" and reply.attachment == b""
            # the connection is still good after errors
            ok = await c.call("get_cluster", pb.GetClusterRequest(cloud_unique_id=BE), pb.GetClusterResponse)
            assert ok.status.code == pb.OK
        finally:
            await c.close()

    asyncio.run(run())


def test_brpc_gzip_request_and_attachment_passthrough(ms: MetaServer) -> None:
    async def run() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            payload = gzip.compress(pb.GetClusterRequest(cloud_unique_id=BE).SerializeToString())
            r = await c.call_raw("get_cluster", payload, compress_type=2, attachment=b"tail-bytes")
            assert r.error_code == 0
            assert pb.GetClusterResponse.FromString(r.payload).status.code == pb.OK
            assert r.attachment == b"tail-bytes"
            bad = RpcMeta(correlation_id=99, attachment_size=50)
            bad.request.service_name, bad.request.method_name = "doris.cloud.MetaService", "get_cluster"
            m = bad.SerializeToString()
            fut = asyncio.get_running_loop().create_future()
            c.pending[99] = fut
            await c.send_raw(struct.pack(">4sII", b"PRPC", len(m) + 3, len(m)) + m + b"abc")
            reply = await asyncio.wait_for(fut, 10)
            assert reply.error_code == 1003
        finally:
            await c.close()

    asyncio.run(run())


@pytest.mark.parametrize(
    "frame",
    [
        b"PRPX" + b"\x00" * 20,  # after a good frame, bytes that are not a frame
        struct.pack(">4sII", b"PRPC", 200 << 20, 10),  # body over the 96 MiB limit
        struct.pack(">4sII", b"PRPC", 8, 8) + b"\xff" * 8,  # RpcMeta that does not parse
    ],
    ids=["garbage", "oversize", "bad-meta"],
)
def test_brpc_broken_frames_close_only_that_connection(ms: MetaServer, frame: bytes) -> None:
    async def run() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        keeper = await BaiduStdClient.connect(port_of(ms))
        try:
            if frame.startswith(b"PRPX"):
                await c.send_raw(
                    encode_frame(RpcMeta(correlation_id=1, request={"service_name": "x", "method_name": "y"}))
                )
                await c.send_raw(frame)
            else:
                await c.send_raw(frame)
            assert await c.closed(10), "the server kept a connection that sent a broken frame"
            ok = await keeper.call("get_cluster", pb.GetClusterRequest(cloud_unique_id=BE), pb.GetClusterResponse)
            assert ok.status.code == pb.OK
        finally:
            await c.close()
            await keeper.close()

    asyncio.run(run())
    assert ms.proc.poll() is None
    assert ms.call("get_cluster", {"cloud_unique_id": BE, "cluster_id": "cg1_id"}).status_code == 200


# -- one port ---------------------------------------------------------------------------------------


def test_http_grpc_and_brpc_share_the_port_at_once(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    errors: list[BaseException] = []

    def grpc_loop() -> None:
        try:
            for _ in range(50):
                assert stub.get_cluster(pb.GetClusterRequest(cloud_unique_id=FE), timeout=30).status.code == pb.OK
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=grpc_loop)
    t.start()

    async def brpc_loop() -> None:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            for _ in range(50):
                r = await c.call("get_cluster", pb.GetClusterRequest(cloud_unique_id=BE), pb.GetClusterResponse)
                assert r.status.code == pb.OK
        finally:
            await c.close()

    asyncio.run(brpc_loop())
    for _ in range(50):
        assert ms.call("get_cluster", {"cloud_unique_id": BE, "cluster_id": "cg1_id"}).status_code == 200
    t.join(60)
    channel.close()
    assert not errors


def test_rpc_allow_admits_listed_networks_and_refuses_others_at_accept(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "allow", store=own_store, extra_args=["--rpc-allow", "127.0.0.1/32"])
    try:
        stub, channel = grpc_stub(port_of(srv))
        with channel:  # from 127.0.0.1: admitted
            r = stub.get_cluster(pb.GetClusterRequest(cloud_unique_id="1:x:y"), timeout=30)
            assert (r.status.code, r.status.msg) == (pb.INVALID_ARGUMENT, "empty instance_id")
        with socket.socket() as s:  # from 127.0.0.2 (still loopback): closed before a byte is read
            s.bind(("127.0.0.2", 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", port_of(srv)))
            s.sendall(
                encode_frame(
                    RpcMeta(correlation_id=1, request={"service_name": "MetaService", "method_name": "get_cluster"})
                )
            )
            try:
                assert s.recv(100) == b""
            except ConnectionResetError:
                pass
        assert "not in --rpc-allow" in srv.log_text()
    finally:
        srv.stop()


def test_rpc_reads_served_from_the_key_cache_see_every_write(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    req = pb.GetClusterRequest(cloud_unique_id=BE, cluster_id="cg1_id")

    async def read() -> pb.GetClusterResponse:
        c = await BaiduStdClient.connect(port_of(ms))
        try:
            got: pb.GetClusterResponse = await c.call("get_cluster", req, pb.GetClusterResponse)
            return got
        finally:
            await c.close()

    with channel:
        for i in range(3):
            users = [f"cache-{i}"]
            cluster = pb.ClusterPB(cluster_id="cg1_id", mysql_user_name=users)
            op = pb.AlterClusterRequest.UPDATE_CLUSTER_MYSQL_USER_NAME
            alter = pb.AlterClusterRequest(instance_id=IID, op=op, cluster=cluster)
            assert stub.alter_cluster(alter, timeout=30).status.code == pb.OK
            for _ in range(2):  # the second read is a cache hit, and still the fresh value
                assert list(asyncio.run(read()).cluster[0].mysql_user_name) == users
                assert list(stub.get_cluster(req, timeout=30).cluster[0].mysql_user_name) == users


def test_grpc_large_response_respects_the_clients_flow_control(ms: MetaServer) -> None:
    """A multi-MiB response to a grpcio client (64 KiB initial windows): DATA must wait for its
    WINDOW_UPDATEs and arrive whole (get_version in batch mode over 100,000 partitions)."""
    stub, channel = grpc_stub(port_of(ms), **{"grpc.http2.bdp_probe": 0})
    n = 100_000
    req = pb.GetVersionRequest(cloud_unique_id=FE, batch_mode=True, db_ids=[1] * n, table_ids=[2] * n,
                               partition_ids=list(range(3, 3 + n)))  # fmt: skip
    with channel:
        got = stub.get_version(req, timeout=120)
    assert got.status.code == pb.OK, got.status
    assert got.ByteSize() > 2 << 20
    assert list(got.partition_ids) == list(range(3, 3 + n)) and set(got.versions) == {-1}
