"""Defects found by generated input (issue 12), each fixed: every reply is Doris's envelope with a
4xx code and a clear message, nothing is executed half-way and nothing hangs."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ, unique


@pytest.mark.parametrize("body", [b"[" * 5000, b'{"a":' * 5000], ids=["array", "object"])
def test_deeply_nested_json_is_invalid_argument(server: MetaServer, body: bytes) -> None:
    r = server.call("create_instance", raw=body)
    assert r.status_code == 400
    assert r.json()["msg"] == "parse http request 'create_instance': invalid JSON: nested too deeply"


@pytest.mark.parametrize("route", ["create_instance", "get_cluster", "begin_txn"])
def test_lone_surrogate_escape_is_invalid_argument(server: MetaServer, route: str) -> None:
    r = server.call(route, raw=b'{"instance_id":"\\ud800","cloud_unique_id":"\\udfff"}')
    assert r.status_code == 400, r.text
    assert "lone surrogate" in r.json()["msg"]
    ok = server.call("get_cluster", raw=b'{"cloud_unique_id":"\\ud83d\\ude00"}')  # a valid pair
    assert ok.status_code == 400 and "surrogate" not in ok.json()["msg"]


def test_missing_required_field_is_named(server: MetaServer) -> None:
    rs = {"rowset_id_v2": "x", "tablet_id": 1, "txn_id": 2}  # rowset_id is proto2-required
    r = server.call("prepare_rowset", {"cloud_unique_id": "1:nobody:be", "rowset_meta": rs})
    assert r.status_code == 400
    assert r.json()["msg"].endswith("missing required field(s): rowset_meta.rowset_id")
    meta = {"tablet_id": 1, "schema_version": 0, "rs_metas": [{"tablet_id": 1}]}
    r = server.call("create_tablets", {"cloud_unique_id": "1:nobody:be", "tablet_metas": [meta]})
    assert r.json()["msg"].endswith("missing required field(s): tablet_metas[0].rs_metas[0].rowset_id")


@pytest.mark.parametrize("body", [b'{"instance_ids":["\xff"]}', b"[" * 5000], ids=["bad-utf8", "deep"])
def test_recycler_routes_answer_the_envelope(server: MetaServer, body: bytes) -> None:
    r = server.client.post("/RecyclerService/http/recycle_instance", params={"token": server.token}, content=body)
    assert r.status_code == 400
    assert r.json()["code"] == "INVALID_ARGUMENT" and r.json()["msg"].startswith("invalid JSON")


def _raw(server: MetaServer) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    s.settimeout(10)
    return s


def _read_reply(s: socket.socket) -> bytes:
    """One whole HTTP response (headers and Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:")
    while len(body) < length:
        body += s.recv(4096)
    return head + b"\r\n\r\n" + body


def test_request_whose_body_never_completes_is_not_executed(server: MetaServer) -> None:
    iid = unique("trunc")
    body = json.dumps({"instance_id": iid, "obj_info": OBJ}).encode()
    head = f"POST /MetaService/http/create_instance?token={server.token} HTTP/1.1\r\nHost: x\r\n"
    with _raw(server) as s:  # Content-Length promises 50 bytes more than ever arrive
        s.sendall(f"{head}Content-Length: {len(body) + 50}\r\n\r\n".encode() + body)
        time.sleep(0.3)
    with _raw(server) as s:  # a chunked body without its last chunk
        s.sendall(f"{head}Transfer-Encoding: chunked\r\n\r\n{len(body):x}\r\n".encode() + body + b"\r\n")
        time.sleep(0.3)
    time.sleep(0.5)
    r = server.call("get_instance", method="GET", params={"instance_id": iid})
    assert r.json()["msg"].endswith("err=KeyNotFound"), r.text
    assert "request not executed: the client went away" in server.log_text()


def test_websocket_upgrade_is_an_ordinary_request(server: MetaServer) -> None:
    with _raw(server) as s:
        s.sendall(
            f"POST /MetaService/http/get_cluster?token={server.token} HTTP/1.1\r\nHost: x\r\n"
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 2\r\n\r\n{}".encode()
        )
        assert s.recv(64).startswith(b"HTTP/1.1 400 ")


def test_no_traceback_reached_the_log(server: MetaServer) -> None:
    assert "Traceback" not in server.log_text()


def test_slow_headers_and_bodies_are_bounded_and_never_delay_others(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(
        tmp_path / "slow", store=own_store, extra_args=["--ms-config", "request_read_timeout_seconds=1"]
    )
    try:
        head = _raw(srv)
        head.sendall(b"POST /MetaService/http/get_cluster?token=")  # headers that never complete
        body = _raw(srv)
        body.sendall(f"POST /MetaService/http/create_instance?token={srv.token} HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: 100\r\n\r\n{".encode())  # a body that stalls  # fmt: skip
        started = time.monotonic()
        for _ in range(20):  # other clients are answered at once meanwhile
            assert srv.call("get_cluster", {"cloud_unique_id": "1:x:y"}).status_code == 400
        assert time.monotonic() - started < 5
        head.settimeout(5)
        assert head.recv(100) == b""  # closed after the header timeout, without an answer
        body.settimeout(5)
        reply = _read_reply(body)
        assert reply.startswith(b"HTTP/1.1 408 ") and b"request not executed: no request body bytes" in reply
        head.close()
        body.close()
    finally:
        srv.stop()
