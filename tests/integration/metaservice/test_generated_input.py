"""Generated bad input against a real meta-service process (issue 12, item 2).

Every HTTP route and every RPC (over gRPC and baidu_std) gets requests built from a valid one and
then broken (tests/fixtures/badinput.py), plus broken frames, oversize bodies and a client that
dribbles its body. The rules checked on every reply:

* HTTP: never a 5xx; an error is Doris's envelope with a 4xx status, a code other than
  UNDEFINED_ERR and a message (the documented exceptions: 403 plain text for a bad token, the 404
  plain text for an unknown path, decode_key/encode_key's plain text, get_tablet_stats's bare
  status);
* gRPC: grpc-status 0 (outcome in the response's status, never UNDEFINED_ERR) or a gRPC error
  (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...), never INTERNAL or UNKNOWN;
* baidu_std: error_code 0 (outcome in status, never UNDEFINED_ERR) or brpc's EREQUEST/ENOMETHOD/
  ENOSERVICE; a frame that is not one closes that connection only;
* a refused request leaves the store (read straight from the server's SQLite file) unchanged;
* nothing hangs (every client call has a timeout), and the server log never holds a traceback.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.transport.http.routes import ROUTES, JsonRoute
from tests.fixtures import badinput as bi
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.unit.metaservice import fault_scenarios as sc

MAX_MESSAGE = 1 << 20
GRPC_ERRORS = bi.GRPC_ERRORS
BRPC_ERRORS = bi.BRPC_ERRORS
STATUS_REQ = bi.STATUS_REQ
FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[MetaServer]:
    srv = start_meta_server(
        tmp_path_factory.mktemp("fuzz"),
        store=ms_store,
        extra_args=["--no-recycler", "--max-message-bytes", str(MAX_MESSAGE)],
    )
    bi.seed_server(srv)
    yield srv
    assert srv.stop() == 0


def port_of(srv: MetaServer) -> int:
    return int(srv.url.rsplit(":", 1)[1])


# -- HTTP ---------------------------------------------------------------------------------------------


def check_http(route: str, r: httpx.Response, what: str) -> bool:
    """Asserts the reply follows the rules; True if the request was refused."""
    outcome, defect = bi.judge_http(route, r.request.method, r.status_code, r.headers.get("content-type", ""), r.text)
    assert defect is None, f"{defect} for {what}"
    return outcome.startswith("refused")


def send_http(srv: MetaServer, inp: bi.HttpInput) -> httpx.Response:
    query = {"token": srv.token, **inp.query}
    return srv.client.request(
        inp.method, f"/MetaService/http/{inp.route}", params=query, content=inp.body, headers=inp.headers, timeout=10
    )


@FUZZ
@given(rng=st.randoms(use_true_random=True))
def test_http_mutated_requests(server: MetaServer, rng: random.Random) -> None:
    inp = bi.http_input(rng)
    before = bi.server_state(server)
    r = send_http(server, inp)
    if check_http(inp.route, r, inp.describe()):
        assert bi.server_state(server) == before, f"refused but stored: {inp.describe()}"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@st.composite
def typed_bodies(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A JSON route and a body whose fields are the request type's own names with any JSON values."""
    route = draw(st.sampled_from(bi.JSON_ROUTES))
    entry = ROUTES[route]
    assert isinstance(entry, JsonRoute)
    names = [f.name for f in entry.request_type.DESCRIPTOR.fields]
    return route, draw(st.dictionaries(st.sampled_from(names), JSON_VALUES, max_size=4))


@FUZZ
@given(case=typed_bodies())
def test_http_wrong_types_for_every_field(server: MetaServer, case: tuple[str, dict[str, Any]]) -> None:
    route, body = case
    before = bi.server_state(server)
    r = server.call(route, raw=json.dumps(body).encode())
    if check_http(route, r, f"{route} {body!r}"[:500]):
        assert bi.server_state(server) == before, f"refused but stored: {route} {body!r}"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversize_body_is_refused(server: MetaServer, chunked: bool) -> None:
    body = b'{"instance_id": "' + b"x" * (5 << 20) + b'"}'
    content: Any = iter([body[i : i + 65536] for i in range(0, len(body), 65536)]) if chunked else body
    r = server.client.post("/MetaService/http/create_instance", params={"token": server.token}, content=content)
    assert r.status_code == 400 and r.json()["msg"].startswith("request body too large"), r.text[:300]


# -- gRPC and baidu_std ---------------------------------------------------------------------------------


def check_response(rpc: str, data: bytes, what: str) -> bool:
    outcome, defect = bi.judge_response(rpc, data)
    assert defect is None, f"{defect} for {what}"
    return outcome.startswith("refused")


@FUZZ
@given(rng=st.randoms(use_true_random=True), rpc=st.sampled_from(bi.RPC_NAMES))
def test_grpc_mutated_payloads(server: MetaServer, rng: random.Random, rpc: str) -> None:
    payload = bi.mutated_payload(rng, rpc)
    what = f"grpc {rpc} {payload.hex()}"
    before = bi.server_state(server)
    conn = bi.GrpcConnection(port_of(server))
    try:
        headers, data = conn.call(f"/doris.cloud.MetaService/{rpc}", payload)
    finally:
        conn.close()
    status = headers.get("grpc-status")
    assert status == "0" or status in GRPC_ERRORS, (what, headers)
    refused = status != "0" or check_response(rpc, data[5:], what)
    if refused:
        assert bi.server_state(server) == before, f"refused but stored: {what}"


@FUZZ
@given(rng=st.randoms(use_true_random=True), rpc=st.sampled_from(bi.RPC_NAMES))
def test_brpc_mutated_payloads(server: MetaServer, rng: random.Random, rpc: str) -> None:
    payload = bi.mutated_payload(rng, rpc)
    what = f"baidu_std {rpc} {payload.hex()}"
    before = bi.server_state(server)
    conn = bi.BrpcConnection(port_of(server))
    try:
        meta, body = conn.call(rpc, payload)
    finally:
        conn.close()
    code = meta.response.error_code
    assert code == 0 or code in BRPC_ERRORS, (what, meta)
    if code or check_response(rpc, body, what):
        assert bi.server_state(server) == before, f"refused but stored: {what}"


def _still_serving(srv: MetaServer) -> None:
    conn = bi.BrpcConnection(port_of(srv), timeout=5)
    try:
        meta, body = conn.call("get_cluster_status", STATUS_REQ.SerializeToString())
        assert meta.response.error_code == 0
        assert pb.GetClusterStatusResponse.FromString(body).status.code == Code.OK
    finally:
        conn.close()


@FUZZ
@given(rng=st.randoms(use_true_random=True))
def test_broken_brpc_frames_close_only_their_connection(server: MetaServer, rng: random.Random) -> None:
    """A broken frame, then a valid call on the same connection: the broken one is answered with a
    brpc error, dropped (meta size past the body, as brpc) or closes the connection; never more."""
    frame = bi.broken_frame(rng)
    conn = bi.BrpcConnection(port_of(server), timeout=5)
    closed = False
    try:
        conn.send(frame)
        with contextlib.suppress(ConnectionError):
            conn.send(bi.frame_for("get_cluster_status", STATUS_REQ.SerializeToString(), correlation_id=2**62))
        while True:
            try:
                meta, body = conn.read()
            except bi.NotBaiduStd as e:  # not "PRPC" at all: the HTTP/1.1 parser refuses it
                assert e.reply.startswith(b"HTTP/1.1 4"), (frame.hex(), e.reply)
                closed = True
                break
            except ConnectionError:
                closed = True  # as brpc closes a connection that sends a non-frame
                break
            if meta.correlation_id == 2**62:
                assert meta.response.error_code == 0, meta
                break
            code = meta.response.error_code
            assert code in BRPC_ERRORS or (code == 0 and body is not None), (frame.hex(), meta)
    finally:
        conn.close()
    if closed:
        _still_serving(server)


@pytest.mark.parametrize(
    ("flag", "declared", "expect"),
    [(0, 10, {"3"}), (0, MAX_MESSAGE + 1, {"3", "8"}), (1, None, {"3", "12"}), (7, None, {"3", "12"})],
    ids=["short", "longer-than-sent", "compressed-without-encoding", "bad-flag"],
)
def test_broken_grpc_messages(server: MetaServer, flag: int, declared: int | None, expect: set[str]) -> None:
    conn = bi.GrpcConnection(port_of(server))
    try:
        headers, _ = conn.call(
            "/doris.cloud.MetaService/get_cluster",
            b"\x0a\x01x" if declared is None else b"",
            flag=flag,
            declared=declared,
        )
    finally:
        conn.close()
    assert headers.get("grpc-status") in expect and headers.get("grpc-message"), headers
    _still_serving(server)


def test_garbage_after_the_http2_preface(server: MetaServer) -> None:
    rng = random.Random(7)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", port_of(server)), timeout=0.5) as s:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + rng.randbytes(rng.randrange(1, 200)))
            try:
                while s.recv(65536):
                    pass
            except (ConnectionResetError, TimeoutError):
                pass  # reset, or a frame of an allowed size still incomplete (an idle connection)
    _still_serving(server)


# -- slow clients ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_dribbling_client_does_not_delay_others(server: MetaServer) -> None:
    body = json.dumps({"instance_ids": [sc.IID]}).encode()
    head = (
        f"POST /MetaService/http/get_cluster_status?token={server.token} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    done = threading.Event()
    reply: list[bytes] = []

    def dribble() -> None:
        with socket.create_connection(("127.0.0.1", port_of(server)), timeout=30) as s:
            for i in range(len(head) + len(body)):
                s.sendall((head + body)[i : i + 1])
                time.sleep(3.0 / (len(head) + len(body)))
            reply.append(s.recv(65536))
        done.set()

    t = threading.Thread(target=dribble)
    t.start()
    slowest = 0.0
    answered = 0
    grpc = bi.GrpcConnection(port_of(server))
    try:
        while not done.is_set():
            started = time.monotonic()
            server.ok("get_cluster_status", {"instance_ids": [sc.IID]})
            headers, _ = grpc.call("/doris.cloud.MetaService/get_cluster_status", STATUS_REQ.SerializeToString())
            assert headers.get("grpc-status") == "0"
            slowest = max(slowest, time.monotonic() - started)
            answered += 1
            time.sleep(0.02)
    finally:
        grpc.close()
        t.join(30)
    assert answered >= 20 and slowest < 1.0, (answered, slowest)
    assert reply and reply[0].startswith(b"HTTP/1.1 200 "), reply[0][:2000] if reply else None  # served in the end


def test_no_traceback_in_the_server_log(server: MetaServer) -> None:
    text = server.log_text()
    assert "Traceback" not in text, text[text.index("Traceback") - 2000 :][:4000]
    undefined = [
        line
        for line in text.splitlines()
        if "UNDEFINED_ERR" in line and not any(f'msg="{m}' in line for m in bi.SPEC_UNDEFINED)
    ]  # the contract's own UNDEFINED_ERR outcomes (bi.SPEC_UNDEFINED) are answers, not failures
    assert not undefined, "\n".join(undefined[:10])


def test_every_route_and_rpc_has_a_valid_request() -> None:
    for route in bi.JSON_ROUTES:
        assert isinstance(bi.valid_body(route), dict)
    for rpc in bi.RPC_NAMES:
        assert bi.valid_payload(rpc) is not None
    assert struct.calcsize(">4sII") == 12


# -- defects found by the generated input, each pinned --------------------------------------------------


def test_string_field_that_is_not_utf8_is_refused_by_both_binary_protocols(server: MetaServer) -> None:
    """proto2 keeps non-UTF-8 `string` bytes as bytes; they used to reach the operations and answer
    UNDEFINED_ERR with a traceback (abort_txn, get_instance, get_txn, create_instance, ...)."""
    payload = pb.AbortTxnRequest(cloud_unique_id="1:inst1:be1", txn_id=5).SerializeToString()
    payload = payload.replace(b"1:inst1", b"\x9f:inst1")
    conn = bi.GrpcConnection(port_of(server))
    try:
        headers, _ = conn.call("/doris.cloud.MetaService/abort_txn", payload)
    finally:
        conn.close()
    assert headers["grpc-status"] == "3" and "cloud_unique_id is not valid UTF-8" in headers["grpc-message"]
    brpc = bi.BrpcConnection(port_of(server))
    try:
        meta, _ = brpc.call("abort_txn", payload)
    finally:
        brpc.close()
    assert meta.response.error_code == 1003 and "cloud_unique_id is not valid UTF-8" in meta.response.error_text


def test_http2_frame_declared_past_the_limit_closes_at_once(server: MetaServer) -> None:
    """h2 checks a frame's size only once it has all arrived: a header declaring 16 MiB kept the
    connection buffering; now it is a FRAME_SIZE_ERROR (GOAWAY code 6) and the connection closes."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=5) as s:
        header = ((16 << 20) - 1).to_bytes(3, "big") + b"\x00\x00\x00\x00\x00\x01"  # a DATA frame of 16 MiB
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + header)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    goaway = got.rfind(b"\x07\x00\x00\x00\x00\x00")  # type GOAWAY, no flags, stream 0
    assert goaway >= 3 and got[goaway + 10 : goaway + 14] == b"\x00\x00\x00\x06", got.hex()
