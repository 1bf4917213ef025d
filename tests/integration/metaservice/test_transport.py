"""Transport rules of spec section 1 and the safety additions, over a real server process."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.fixtures.kv import read_all
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import OBJ, make_instance, unique


def test_health(server: MetaServer) -> None:
    assert server.client.get("/health").status_code == 200


def test_any_method_and_v1_alias(server: MetaServer) -> None:
    iid = make_instance(server)
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        r = server.call("v1/get_cluster_status", {"instance_ids": [iid]}, method=method)
        assert r.status_code == 200, (method, r.text)
    assert server.call("v2/get_cluster_status", {"instance_ids": [iid]}).status_code == 404
    assert server.call("foo/get_cluster_status", {"instance_ids": [iid]}).status_code == 404


def test_unknown_route_is_404_plain_text(server: MetaServer) -> None:
    r = server.call("no_such_route", {})
    assert r.status_code == 404
    assert r.text == "http path not found or not allowed\n"
    assert server.call("Create_Instance", {}).status_code == 404  # case-sensitive


def test_token_refusals_never_echo_the_token(server: MetaServer) -> None:
    r = server.call("get_instance", token=None, params={"instance_id": "x"})
    assert (r.status_code, r.text) == (403, "incorrect token, token=(not given)\n")
    r = server.call("get_instance", token="secret-guess-42", params={"instance_id": "x"})
    assert (r.status_code, r.text) == (403, "incorrect token\n")
    assert "secret-guess-42" not in server.log_text()
    # the token is checked before the route exists
    assert server.call("no_such_route", {}, token="nope").status_code == 403
    # Bearer works too
    r = server.call("no_such_route", {}, token=None, headers={"Authorization": f"Bearer {server.token}"})
    assert r.status_code == 404


def test_form_content_type_body_is_read_as_json(server: MetaServer) -> None:
    iid = unique("form")
    body = json.dumps({"instance_id": iid, "obj_info": OBJ}).encode()
    r = server.call("create_instance", raw=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text


def test_parse_errors_are_400_with_the_route_as_given(server: MetaServer) -> None:
    for raw in (b"", b"[1]", b"not json", b'"str"', b"\xff\xfe"):
        r = server.call("v1/create_instance", raw=raw)
        assert r.status_code == 400, raw
        doc = r.json()
        assert doc["code"] == "INVALID_ARGUMENT"
        assert doc["msg"].startswith("parse http request 'v1/create_instance': ")
    r = server.call("create_instance", {"instance_id": 12})  # a number for a string field
    assert r.status_code == 400 and r.json()["msg"].startswith("parse http request 'create_instance': ")


def test_json_mapping_leniency(server: MetaServer) -> None:
    iid = unique("lenient")
    # unknown keys ignored, camelCase accepted, numeric strings for int32
    server.ok("create_instance", {"instanceId": iid, "whatever": 1, "obj_info": OBJ})
    cluster = {
        "cluster_id": "c1",
        "cluster_name": "c1",
        "type": "COMPUTE",
        "nodes": [{"cloud_unique_id": f"{iid}-be", "ip": "10.0.0.1", "heartbeat_port": "9050"}],
    }
    server.ok("add_cluster", {"instance_id": iid, "cluster": cluster})
    doc = server.ok("get_cluster", {"cloud_unique_id": f"{iid}-be", "cluster_id": "c1"})
    assert doc["result"]["nodes"][0]["heartbeat_port"] == 9050
    assert doc["result"]["ctime"].isdigit()  # int64 as a string


def test_body_over_the_limit_is_refused(server: MetaServer) -> None:
    r = server.call("create_instance", raw=b'{"instance_id": "' + b"x" * (4 * 1024 * 1024 + 10) + b'"}')
    assert r.status_code == 400
    assert "too large" in r.json()["msg"]


def test_reply_format_is_doris_pretty_json(server: MetaServer) -> None:
    iid = make_instance(server)
    r = server.call("drop_instance", {"instance_id": iid})
    assert r.text == '{\n    "code": "OK",\n    "msg": ""\n}\n'


def test_secrets_are_sealed_at_rest_and_absent_from_logs(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    try:
        sk = "VERY-SECRET-SK-0042"
        ram_sk = "RAM-SECRET-SK-0042"
        srv.ok(
            "create_instance",
            {
                "instance_id": "sealed",
                "obj_info": dict(OBJ, sk=sk),
                "ram_user": {"user_id": "r", "ak": "rak", "sk": ram_sk},
            },
        )
        inst = srv.ok("get_instance", params={"instance_id": "sealed"}, method="GET")["result"]
        assert inst["obj_info"][0]["sk"] == sk
        assert inst["ram_user"]["sk"] == ram_sk
        assert inst["obj_info"][0]["encryption_info"] == {"encryption_method": "AES_256_GCM", "key_id": "1"}
        r = srv.call("add_obj_info", {"cloud_unique_id": "1:sealed:x", "obj": dict(OBJ, sk=sk, prefix="")})
        assert r.status_code == 400 and sk not in r.text  # echoed request JSON masks the secret
    finally:
        assert srv.stop() == 0
    if own_store is None:  # the SQLite file and its WAL, byte for byte
        store = (tmp_path / "ms" / "meta-service.db").read_bytes()
        for wal in (tmp_path / "ms").glob("meta-service.db-wal"):
            store += wal.read_bytes()
    else:  # every key and value as etcd or PostgreSQL holds it
        store = b"".join(k + v for k, v in read_all(own_store).items())
    assert b"sealed" in store  # the instance is there: the check below looks at the right store
    assert sk.encode() not in store and ram_sk.encode() not in store
    logs = srv.log_text()
    assert sk not in logs and ram_sk not in logs and srv.token not in logs
    key_file = tmp_path / "ms" / "root.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_sigterm_is_clean_and_acknowledged_writes_survive(tmp_path: Path, own_store: str | None) -> None:
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    iids = [f"durable{i}" for i in range(20)]
    for iid in iids:
        srv.ok("create_instance", {"instance_id": iid, "obj_info": OBJ})
    assert srv.stop(signal.SIGTERM) == 0
    srv = start_meta_server(tmp_path / "ms", store=own_store)
    try:
        for iid in iids:
            assert srv.ok("get_instance", params={"instance_id": iid})["result"]["instance_id"] == iid
    finally:
        srv.stop()


def test_generated_token_is_persisted_and_printed_once(tmp_path: Path) -> None:
    srv = start_meta_server(tmp_path / "ms", token="")
    try:
        token = (tmp_path / "ms" / "token").read_text().strip()
        assert (tmp_path / "ms" / "token").stat().st_mode & 0o777 == 0o600
        assert f"meta-service token: {token}" in srv.log_text()
        srv.token = token
        assert srv.call("get_instance", params={"instance_id": "x"}).status_code == 500
    finally:
        srv.stop()
    srv2 = start_meta_server(tmp_path / "ms", token="")
    try:
        assert token not in srv2.log_text()
    finally:
        srv2.stop()


def test_every_rpc_of_the_table_answers_at_its_http_route(server: MetaServer) -> None:
    """Routes come from the RPC table: an RPC with no hand-written route still answers JSON."""
    from dorisctl.metaservice.rpc import RPCS

    for name in RPCS:
        r = server.call(name, {"cloud_unique_id": "1:no_such_instance:x"})
        assert r.status_code != 404, (name, r.text)
        if name != "get_tablet_stats":  # answers protobuf text, and only an HTTP status on errors (spec 7.5)
            assert r.json()["code"] != "OK" or name == "get_cluster_status", (name, r.text)


def test_an_rpc_without_its_own_route_answers_its_response_in_json(server: MetaServer) -> None:
    iid = make_instance(server)
    doc = server.ok("get_current_max_txn_id", {"cloud_unique_id": f"1:{iid}:fe"})
    assert int(doc["result"]["current_max_txn_id"]) >= 0
    r = server.call("check_txn_conflict", {"cloud_unique_id": f"1:{iid}:fe", "db_id": 1})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_ARGUMENT"
    assert r.json()["result"]["status"]["code"] == "INVALID_ARGUMENT"  # errors carry the response's status
