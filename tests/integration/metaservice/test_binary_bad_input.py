"""Six defects that generated bad input found on the binary protocols (issue 17), each pinned over
gRPC and baidu_std against a real server: what a bad request must get (INVALID_ARGUMENT / EREQUEST
with the field named), what a valid one must get (upstream's answer), and that no client or
request can stall everyone else (a well-behaved client keeps being answered within 1 s).
"""

from __future__ import annotations

import socket
import struct
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2
from dorisctl.metaservice.rpc import RPCS
from tests.fixtures import badinput as bi
from tests.fixtures import binfuzz as bf
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import grpc_stub
from tests.unit.metaservice import fault_scenarios as sc


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[MetaServer]:
    srv = start_meta_server(tmp_path_factory.mktemp("binbad"), store=ms_store, extra_args=["--no-recycler"])
    bi.seed_server(srv)
    yield srv
    assert srv.stop() == 0
    assert "Traceback" not in srv.log_text()


def port_of(srv: MetaServer) -> int:
    return int(srv.url.rsplit(":", 1)[1])


def grpc_call(srv: MetaServer, rpc: str, payload: bytes) -> tuple[dict[str, str], Any]:
    conn = bi.GrpcConnection(port_of(srv), timeout=10)
    try:
        headers, data = conn.call(f"/doris.cloud.MetaService/{rpc}", payload)
    finally:
        conn.close()
    return headers, RPCS[rpc].response_type.FromString(data[5:]) if data else None


def brpc_call(srv: MetaServer, rpc: str, payload: bytes, timeout: float = 10) -> tuple[Any, Any]:
    conn = bi.BrpcConnection(port_of(srv), timeout=timeout)
    try:
        meta, body = conn.call(rpc, payload)
    finally:
        conn.close()
    return meta, None if meta.response.error_code else RPCS[rpc].response_type.FromString(body)


def assert_refused(srv: MetaServer, rpc: str, payload: bytes, words: str) -> None:
    """INVALID_ARGUMENT over gRPC, EREQUEST over baidu_std, both naming what is wrong."""
    headers, _ = grpc_call(srv, rpc, payload)
    assert headers.get("grpc-status") == "3", headers
    assert words in urllib.parse.unquote(headers.get("grpc-message", "")), headers
    meta, _ = brpc_call(srv, rpc, payload)
    assert meta.response.error_code == 1003, meta
    assert words in meta.response.error_text, meta


def both_status(srv: MetaServer, rpc: str, payload: bytes) -> list[tuple[int, str]]:
    headers, g = grpc_call(srv, rpc, payload)
    assert headers.get("grpc-status") == "0", headers
    meta, b = brpc_call(srv, rpc, payload)
    assert meta.response.error_code == 0, meta
    return [(g.status.code, g.status.msg), (b.status.code, b.status.msg)]


# -- 1: a map key that is not UTF-8 ----------------------------------------------------------------


def test_non_utf8_map_key_is_refused_not_left_hanging(server: MetaServer) -> None:
    req = pb.AlterClusterRequest(instance_id=sc.IID, op=pb.AlterClusterRequest.UPDATE_CLUSTER_ENDPOINT)
    req.cluster.cluster_id = "c1"
    req.cluster.properties["abcd"] = "v"
    payload = req.SerializeToString().replace(b"abcd", b"\xff\xfecd")
    assert_refused(server, "alter_cluster", payload, "cluster.properties[key] is not valid UTF-8")


def test_non_utf8_map_key_inside_a_rowset_meta(server: MetaServer) -> None:
    req = sc.SCENARIOS["prepare_rowset"](bi.SEED)
    assert isinstance(req, pb.CreateRowsetRequest)
    req.rowset_meta.packed_slice_locations["seg0"].packed_file_path = "p"
    payload = req.SerializeToString().replace(b"seg0", b"s\x80g0")
    assert_refused(server, "prepare_rowset", payload, "rowset_meta.packed_slice_locations[key] is not valid UTF-8")


# -- 2: update_tablet of Doris 3.0's group-commit properties ----------------------------------------


def test_update_tablet_group_commit_properties_as_doris_3_0(server: MetaServer) -> None:
    """Doris 3.0 stores them on the tablet meta (fields 35 and 36, reserved in newer protos) and
    answers OK; get_tablet hands them back to a 3.0 BE in the bytes of its tablet meta."""
    for field, value in (("group_commit_interval_ms", 250), ("group_commit_data_bytes", 64 << 20)):
        req = pb.UpdateTabletRequest(cloud_unique_id=sc.BE1)
        req.tablet_meta_infos.add(tablet_id=sc.T2, **{field: value})
        assert both_status(server, "update_tablet", req.SerializeToString()) == [(Code.OK, "")] * 2
    req = pb.UpdateTabletRequest(cloud_unique_id=sc.BE1)
    req.tablet_meta_infos.add(tablet_id=sc.T2, ttl_seconds=77)
    assert both_status(server, "update_tablet", req.SerializeToString()) == [(Code.OK, "")] * 2
    get = pb.GetTabletRequest(cloud_unique_id=sc.BE1, tablet_id=sc.T2)
    _, resp = brpc_call(server, "get_tablet", get.SerializeToString())
    assert resp.status.code == Code.OK and resp.tablet_meta.ttl_seconds == 77
    raw = resp.tablet_meta.SerializeToString()
    # field 35 (varint) = 250 and field 36 = 64 MiB, each once, as a Doris 3.0 TabletMetaCloudPB holds them
    assert raw.count(b"\x98\x02" + bytes([250 & 0x7F | 0x80, 250 >> 7])) == 1, raw.hex()
    assert raw.count(b"\xa0\x02" + _varint(64 << 20)) == 1, raw.hex()


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    return bytes([*out, n])


# -- 3: int64 edges ---------------------------------------------------------------------------------


def test_tablet_stats_of_the_largest_tablet_id(server: MetaServer) -> None:
    req = pb.GetTabletStatsRequest(cloud_unique_id=sc.BE1)
    req.tablet_idx.add(table_id=sc.TABLE, index_id=sc.INDEX, partition_id=sc.PART, tablet_id=2**63 - 1)
    for code, msg in both_status(server, "get_tablet_stats", req.SerializeToString()):
        assert code == Code.TABLET_NOT_FOUND and "tablet_id=9223372036854775807" in msg


def test_begin_txn_with_a_timeout_near_int64_max(server: MetaServer) -> None:
    for i, timeout in enumerate((2**63 - 2, 2**63 - 1)):
        answers = []
        for proto in (grpc_call, brpc_call):
            req = sc.begin_req(f"forever-{i}-{proto.__name__}")
            req.txn_info.timeout_ms = timeout
            _, resp = proto(server, "begin_txn", req.SerializeToString())
            answers.append((resp.status.code, resp.txn_id > 0))
        assert answers == [(Code.OK, True)] * 2


# -- 4: missing proto2 required fields ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rpc", "breaker", "named"),
    [
        ("prepare_rowset", lambda r: r.rowset_meta.ClearField("rowset_id"), "rowset_meta.rowset_id"),
        ("commit_rowset", lambda r: r.rowset_meta.ClearField("rowset_id"), "rowset_meta.rowset_id"),
        ("prepare_rowset", lambda r: r.rowset_meta.load_id.ClearField("lo"), "rowset_meta.load_id.lo"),
        ("create_tablets", lambda r: _column(r).ClearField("unique_id"), "column[0].unique_id"),
        ("create_tablets", lambda r: _column(r).ClearField("type"), "column[0].type"),
    ],
    ids=["rowset_id", "commit-rowset_id", "load_id.lo", "column.unique_id", "column.type"],
)
def test_missing_required_field_is_refused_before_it_runs(
    server: MetaServer, rpc: str, breaker: Callable[[Any], None], named: str
) -> None:
    req = sc.SCENARIOS[rpc](bi.SEED)
    if rpc == "prepare_rowset":
        req.rowset_meta.load_id.hi, req.rowset_meta.load_id.lo = 1, 2  # type: ignore[attr-defined]
    if rpc == "create_tablets":
        _column(req).CopyFrom(olap_file_pb2.ColumnPB(unique_id=1, name="k", type="INT", is_key=True))
    breaker(req)
    before = bi.server_state(server)
    assert_refused(server, rpc, req.SerializePartialToString(), "missing required fields: ")
    headers, _ = grpc_call(server, rpc, req.SerializePartialToString())
    assert named in urllib.parse.unquote(headers["grpc-message"])
    assert bi.server_state(server) == before


def _column(req: Any) -> Any:
    schema = req.tablet_metas[0].schema
    return schema.column[0] if schema.column else schema.column.add()


# -- 5 and 6: one connection or one request must not stall everyone ---------------------------------


def _h2_frame(kind: int, flags: int, sid: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "big") + bytes((kind, flags)) + sid.to_bytes(4, "big") + payload


def test_continuation_flood_is_refused_while_it_arrives(server: MetaServer) -> None:
    """HEADERS without END_HEADERS, then 8 MiB of CONTINUATION: the server must stop at the 64 KiB it
    advertised (GOAWAY COMPRESSION_ERROR, close), not buffer and decode megabytes on its loop."""
    with bf.Watchdog(port_of(server)) as dog, socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _h2_frame(4, 0, 0, b""))
        s.sendall(_h2_frame(1, 0, 1, b"\x82\x86"))  # :method GET, :scheme http; no END_HEADERS
        chunk = b"".join(_h2_frame(9, 0, 1, b"\x40\x01a\x7f" + b"x" * 16000) for _ in range(16))
        sent = 0
        try:
            while sent < 8 << 20:
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # closed under us: what should happen
        got = b""
        try:
            while data := s.recv(65536):
                got += data
        except OSError:
            pass
    assert sent < 8 << 20, "the server read 8 MiB of one header block"
    goaway = got.rfind(b"\x07\x00\x00\x00\x00\x00")  # type GOAWAY, no flags, stream 0
    assert goaway >= 3 and got[goaway + 10 : goaway + 14] == struct.pack(">I", 9), got.hex()[-200:]
    assert not dog.errors and dog.answered >= 3 and dog.slowest < 1.0, (dog.errors[:3], dog.answered, dog.slowest)


@pytest.mark.parametrize("protocol", ["grpc", "brpc"])
def test_a_request_naming_100000_tablets_does_not_hold_the_loop(
    server: MetaServer, protocol: str, ms_store: str | None
) -> None:
    """SQLite reads run inline, so 100,000 of them would hold the loop unless the op yields. On
    PostgreSQL and etcd every read suspends anyway, but each is a network round trip (one stats
    range read per tablet): 100,000 take 20-30 s on PostgreSQL and over 60 s on etcd (2 busy cores),
    so those stores get 10,000, which still checks that the others are answered meanwhile."""
    n = 100_000 if ms_store is None else 10_000
    req = pb.GetTabletStatsRequest(cloud_unique_id=sc.BE1)
    one = pb.TabletIndexPB(table_id=sc.TABLE, index_id=sc.INDEX, partition_id=sc.PART, tablet_id=sc.T1)
    for _ in range(n):
        req.tablet_idx.append(one)
    with bf.Watchdog(port_of(server)) as dog:
        started = time.monotonic()
        if protocol == "grpc":  # grpcio: a real client with flow control for the 1.5 MB message
            stub, channel = grpc_stub(port_of(server))
            try:
                resp = stub.get_tablet_stats(req, timeout=60)
            finally:
                channel.close()
        else:
            _, resp = brpc_call(server, "get_tablet_stats", req.SerializeToString(), timeout=60)
        took = time.monotonic() - started
    assert resp.status.code == Code.OK and len(resp.tablet_stats) == n
    assert resp.tablet_stats[-1].idx.tablet_id == sc.T1
    assert not dog.errors and dog.slowest < 1.0, (dog.errors[:3], dog.slowest, took)
    assert dog.answered >= 3, (dog.answered, took)


# -- found by the binary campaign (bench/fuzz.py --binary --seed 201) ---------------------------------


def test_restore_totals_past_int64_are_refused(server: MetaServer) -> None:
    """Two rowsets of INT64_MAX bytes: their total does not fit the job record's int64 (upstream's
    C++ sum wraps); refused as bad input, nothing stored, no internal error."""
    req = sc.SCENARIOS["prepare_restore_job"](bi.SEED)
    assert isinstance(req, pb.RestoreJobRequest)
    rowsets = req.tablet_meta.rs_metas
    assert len(rowsets) >= 2
    for rs in rowsets:
        rs.total_disk_size = 2**63 - 1
    before = bi.server_state(server)
    for code, msg in both_status(server, "prepare_restore_job", req.SerializeToString()):
        assert code == Code.INVALID_ARGUMENT and "out of the int64 range" in msg, msg
    assert bi.server_state(server) == before


def test_delete_bitmap_lock_expiring_past_int64_never_expires(server: MetaServer) -> None:
    req = sc.SCENARIOS["get_delete_bitmap_update_lock"](bi.SEED)
    assert isinstance(req, pb.GetDeleteBitmapUpdateLockRequest)
    req.expiration = 2**63 - 1
    req.lock_id = 777_001
    headers, resp = grpc_call(server, "get_delete_bitmap_update_lock", req.SerializeToString())
    assert headers.get("grpc-status") == "0" and resp.status.code == Code.OK, (headers, resp.status)
    other = pb.GetDeleteBitmapUpdateLockRequest()
    other.CopyFrom(req)
    other.lock_id = 777_002
    other.expiration = 5
    _, resp = grpc_call(server, "get_delete_bitmap_update_lock", other.SerializeToString())
    assert resp.status.code == Code.LOCK_CONFLICT, resp.status
