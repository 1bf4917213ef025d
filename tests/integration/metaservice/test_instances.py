"""Instance routes (spec 4.1-4.5): every rule, message and code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.metaservice import MetaServer
from tests.integration.metaservice.conftest import OBJ, compute_cluster, make_instance, unique

STORES = ["sqlite", "postgresql", "etcd"]  # the instance HTTP API on every kind of store


def err(server: MetaServer, route: str, body: Any, status: int, code: str, msg: str, **kw: Any) -> dict[str, Any]:
    r = server.call(route, body, **kw)
    doc: dict[str, Any] = r.json()
    assert (r.status_code, doc["code"], doc["msg"]) == (status, code, msg), r.text
    return doc


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"ram_user": {"user_id": "u", "ak": "a"}}, "ram user info err, please check it"),
        ({"obj_info": dict(OBJ, external_endpoint="")}, "s3 conf info err, please check it"),
        ({"obj_info": {k: v for k, v in OBJ.items() if k != "provider"}}, "s3 conf info err, please check it"),
        ({"obj_info": dict(OBJ, role_arn="arn", provider="COS")}, "s3 conf info err with role_arn, please check it"),
        ({}, "instance id not set"),
    ],
)
def test_create_instance_validation(server: MetaServer, body: dict[str, Any], msg: str) -> None:
    if "instance_id" not in body and msg != "instance id not set":
        body = dict(body, instance_id=unique("bad"))
    err(server, "create_instance", body, 400, "INVALID_ARGUMENT", msg)


def test_create_instance_stores_what_doris_stores(server: MetaServer) -> None:
    iid = unique("c")
    server.ok("create_instance", {"instance_id": iid, "obj_info": dict(OBJ, prefix=" /a/b/ ")})
    err(
        server,
        "create_instance",
        {"instance_id": iid, "obj_info": OBJ},
        409,
        "ALREADY_EXISTED",
        f"instance already existed, instance_id={iid}, err=Ok",
    )
    inst = server.ok("get_instance", params={"instance_id": iid})["result"]
    assert inst["user_id"] == "" and inst["name"] == ""
    assert inst["status"] == "NORMAL" and inst["sse_enabled"] is False and inst["enable_storage_vault"] is False
    assert "ctime" not in inst
    obj = inst["obj_info"][0]
    assert obj["prefix"] == "a/b" and obj["id"] == "1" and obj["sk"] == OBJ["sk"]
    assert inst["iam_user"] == {"user_id": "", "ak": "", "sk": "", "external_id": iid}
    # an instance without obj_info uses storage vaults
    iid2 = unique("novault")
    server.ok("create_instance", {"instance_id": iid2})
    assert server.ok("get_instance", params={"instance_id": iid2})["result"]["enable_storage_vault"] is True


def test_get_instance_errors_carry_an_empty_result(server: MetaServer) -> None:
    doc = err(server, "get_instance", None, 400, "INVALID_ARGUMENT", "empty instance_id and cloud_unique_id")
    assert doc["result"] == {}
    doc = err(
        server,
        "get_instance",
        None,
        400,
        "INVALID_ARGUMENT",
        "cannot find instance_id with cloud_unique_id=nobody",
        params={"cloud_unique_id": "nobody"},
    )
    assert doc["result"] == {}
    err(
        server,
        "get_instance",
        None,
        500,
        "INTERNAL_ERROR",
        "failed to get instance, info=failed to get instance, instance_id=ghost err=KeyNotFound",
        params={"instance_id": "ghost"},
    )


def test_get_instance_by_cloud_unique_id(server: MetaServer) -> None:
    iid = make_instance(server)
    assert server.ok("get_instance", params={"cloud_unique_id": f"1:{iid}:x"})["result"]["instance_id"] == iid
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [(f"{iid}-be", "1.1.1.1", 9050)])})
    assert server.ok("get_instance", params={"cloud_unique_id": f"{iid}-be"})["result"]["instance_id"] == iid


def test_drop_instance_rules(server: MetaServer) -> None:
    err(server, "drop_instance", {}, 400, "INVALID_ARGUMENT", "instance id not set")
    err(
        server,
        "drop_instance",
        {"instance_id": "ghost"},
        404,
        "NOT_FOUND",
        "instance not existed, instance_id=ghost, err=KeyNotFound",
    )
    iid = make_instance(server)
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [])})
    err(
        server,
        "drop_instance",
        {"instance_id": iid},
        400,
        "INVALID_ARGUMENT",
        "failed to drop instance, instance has clusters",
    )
    server.ok("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c"}})
    server.ok("drop_instance", {"instance_id": iid})
    server.ok("drop_instance", {"instance_id": iid})  # again: still OK
    inst = server.ok("get_instance", params={"instance_id": iid})["result"]
    assert inst["status"] == "DELETED" and inst["mtime"].isdigit()
    # DELETED blocks mutations with Doris's codes, still serves reads
    deleted = "instance status has been set delete, plz check it"
    err(server, "add_cluster", {"instance_id": iid, "cluster": compute_cluster("c2", [])}, 404, "NOT_FOUND", deleted)
    err(server, "add_obj_info", {"cloud_unique_id": f"1:{iid}:x", "obj": OBJ}, 404, "NOT_FOUND", deleted)
    err(
        server,
        "update_ak_sk",
        {"instance_id": iid, "ram_user": {"user_id": "u", "ak": "a", "sk": "s"}},
        404,
        "NOT_FOUND",
        deleted,
    )
    err(
        server,
        "add_node",
        {"instance_id": iid, "cluster": compute_cluster("c", [("n", "1.1.1.1", 1)])},
        400,
        "INVALID_ARGUMENT",
        deleted,
    )
    server.ok("get_obj_store_info", {"cloud_unique_id": f"1:{iid}:x"})
    server.ok("rename_instance", {"instance_id": iid, "name": "renamed"})


def test_set_instance_status(server: MetaServer) -> None:
    iid = make_instance(server)
    err(server, "set_instance_status", {"instance_id": iid}, 400, "INVALID_ARGUMENT", "invalid request op, op=0")
    err(
        server,
        "set_instance_status",
        {"instance_id": iid, "op": "NO_SUCH"},
        400,
        "INVALID_ARGUMENT",
        "invalid request op, op=0",
    )
    err(server, "set_instance_status", {"op": "SET_OVERDUE"}, 400, "INVALID_ARGUMENT", "instance id not set")
    err(
        server,
        "set_instance_status",
        {"instance_id": iid, "op": "SET_NORMAL"},
        400,
        "INVALID_ARGUMENT",
        f"the instance is already normal, instance_id = {iid}",
    )
    server.ok("set_instance_status", {"instance_id": iid, "op": "SET_OVERDUE"})
    err(
        server,
        "set_instance_status",
        {"instance_id": iid, "op": 6},
        400,
        "INVALID_ARGUMENT",
        f"the instance has already set  instance to overdue, instance_id = {iid}",
    )
    # OVERDUE is not enforced by the meta-service
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [])})
    server.ok("set_instance_status", {"instance_id": iid, "op": "SET_NORMAL"})
    server.ok("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c"}})
    server.ok("set_instance_status", {"instance_id": iid, "op": "DROP"})  # executes the body's op (trap 14)
    for op, word in (("SET_NORMAL", "normal"), ("SET_OVERDUE", "overdue")):
        err(
            server,
            "set_instance_status",
            {"instance_id": iid, "op": op},
            400,
            "INVALID_ARGUMENT",
            f"can't set deleted instance to {word}, instance_id = {iid}",
        )


def test_sse_flags_follow_the_instance(server: MetaServer) -> None:
    iid = make_instance(server)
    err(
        server,
        "disable_instance_sse",
        {"instance_id": iid},
        400,
        "INVALID_ARGUMENT",
        "failed to disable sse, instance has disabled sse",
    )
    server.ok("enable_instance_sse", {"instance_id": iid})
    err(
        server,
        "enable_instance_sse",
        {"instance_id": iid},
        400,
        "INVALID_ARGUMENT",
        "failed to enable sse, instance has enabled sse",
    )
    server.ok("add_obj_info", {"cloud_unique_id": f"1:{iid}:x", "obj": dict(OBJ, prefix="second")})
    inst = server.ok("get_instance", params={"instance_id": iid})["result"]
    assert inst["sse_enabled"] is True
    assert [o["sse_enabled"] for o in inst["obj_info"]] == [True, True]
    server.ok("disable_instance_sse", {"instance_id": iid})
    inst = server.ok("get_instance", params={"instance_id": iid})["result"]
    assert [o["sse_enabled"] for o in inst["obj_info"]] == [False, False]


def test_rename_instance(server: MetaServer) -> None:
    iid = make_instance(server)
    server.ok("rename_instance", {"instance_id": iid, "name": "new-name"})
    assert server.ok("get_instance", params={"instance_id": iid})["result"]["name"] == "new-name"
    r = server.call("rename_instance", {"instance_id": iid, "name": "new-name"})
    assert r.status_code == 400
