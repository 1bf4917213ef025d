"""Cluster and node routes (spec 4.6-4.10, 4.15, 4.16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.integration.metaservice.conftest import compute_cluster, make_instance, sql_cluster
from tests.integration.metaservice.test_instances import err

STORES = ["sqlite", "postgresql", "etcd"]  # the cluster and node HTTP API on every kind of store
HELP = (
    "Ms nodes memory cache may be inconsistent, pls check registry key may be contain 127.0.0.1, "
    "and call get_instance api get instance info from fdb"
)


def test_add_cluster_checks(server: MetaServer) -> None:
    iid = make_instance(server)
    add = lambda cluster, status, code, msg: err(  # noqa: E731
        server, "add_cluster", {"instance_id": iid, "cluster": cluster}, status, code, msg
    )
    err(
        server,
        "add_cluster",
        {"instance_id": iid},
        400,
        "INVALID_ARGUMENT",
        "invalid request instance_id or cluster not given",
    )
    add({"cluster_id": "x", "cluster_name": "x"}, 400, "INVALID_ARGUMENT", "cluster must have type arg")
    add({"cluster_id": "x", "type": "COMPUTE"}, 400, "INVALID_ARGUMENT", "not have cluster name")
    add(
        sql_cluster("s", []),
        400,
        "INVALID_ARGUMENT",
        "cluster is SQL type, must have only one master node, now master count: 0",
    )
    add(
        sql_cluster("s", [("a", "1.0.0.1", 9010, "FE_MASTER"), ("b", "1.0.0.2", 9010, "FE_FOLLOWER")]),
        400,
        "INVALID_ARGUMENT",
        "cluster is SQL type, and use multi follower mode, cant set master node, master count: 1 follower count: 1",
    )
    server.ok(
        "add_cluster", {"instance_id": iid, "cluster": sql_cluster("s", [(f"{iid}-fe", "1.0.0.1", 9010, "FE_MASTER")])}
    )
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c1", [(f"{iid}-be", "1.0.0.5", 9050)])})
    add(
        compute_cluster("c1", [], name="other"),
        409,
        "ALREADY_EXISTED",
        "try to add a existing cluster id, existing_cluster_id=c1",
    )
    add(
        compute_cluster("c9", [], name="name_c1"),
        409,
        "ALREADY_EXISTED",
        "try to add a existing cluster name, existing_cluster_name=name_c1",
    )
    add(
        compute_cluster("c2", [(f"{iid}-be2", "1.0.0.5", 9050)]),
        409,
        "ALREADY_EXISTED",
        "compute node endpoint has been added, registered be node=1.0.0.5:9050",
    )
    add(
        compute_cluster("c3", [("x", "", 9050)]),
        400,
        "INVALID_ARGUMENT",
        'add node input args node invalid, cluster={"cloud_unique_id":"x","ip":"","heartbeat_port":9050}',
    )
    # a cloud_unique_id may be reused inside one instance, but not taken from another one
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c4", [(f"{iid}-be", "1.0.0.6", 9050)])})
    other = make_instance(server)
    err(
        server,
        "add_cluster",
        {"instance_id": other, "cluster": compute_cluster("c1", [(f"{iid}-be", "2.0.0.1", 9050)])},
        409,
        "ALREADY_EXISTED",
        f"cloud_unique_id is already occupied by an instance, instance_id={iid} cluster_name=name_c1 "
        f"cluster_id=c1 cloud_unique_id={iid}-be",
    )
    err(
        server,
        "add_cluster",
        {"instance_id": "ghost", "cluster": compute_cluster("c1", [])},
        500,
        "INTERNAL_ERROR",
        "failed to get instance, info failed to get instance, instance_id=ghost err=KeyNotFound",
    )
    err(
        server,
        "add_cluster",
        {"cloud_unique_id": "1:ghost:x", "cluster": compute_cluster("c1", [])},
        400,
        "INVALID_ARGUMENT",
        "use degrade cloud_unique_id, but instance_id invalid, cloud_unique_id=1:ghost:x",
    )
    cluster = server.ok("get_cluster", {"cloud_unique_id": f"{iid}-be", "cluster_id": "c1"})["result"]
    assert cluster["cluster_status"] == "NORMAL" and cluster["ctime"] == cluster["mtime"]
    assert "status" not in cluster["nodes"][0]


def test_get_cluster_selection(server: MetaServer) -> None:
    iid = make_instance(server)
    cuid = f"{iid}-be"
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("a", [(cuid, "3.0.0.1", 9050)])})
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("b", [])})
    server.ok(
        "update_cluster_mysql_user_name",
        {"instance_id": iid, "cluster": {"cluster_id": "b", "mysql_user_name": ["jack"]}},
    )
    err(server, "get_cluster", {"instance_id": iid}, 400, "INVALID_ARGUMENT", "cloud_unique_id must be given")
    whole = server.ok("get_cluster", {"cloud_unique_id": cuid})["result"]
    assert [c["cluster_id"] for c in whole["cluster"]] == ["a", "b"] and whole["status"]["code"] == "OK"
    assert server.ok("get_cluster", {"cloud_unique_id": cuid, "mysql_user_name": "jack"})["result"]["cluster_id"] == "b"
    # cluster_id beats cluster_name beats mysql_user_name
    sel = {"cloud_unique_id": cuid, "cluster_id": "a", "cluster_name": "name_b", "mysql_user_name": "jack"}
    assert server.ok("get_cluster", sel)["result"]["cluster_id"] == "a"
    err(
        server,
        "get_cluster",
        {"cloud_unique_id": cuid, "cluster_name": "nope"},
        404,
        "NOT_FOUND",
        f'fail to get cluster with cloud_unique_id: "{cuid}" cluster_name: "nope" ',
    )
    # an unresolvable cuid falls back to instance_id
    assert (
        server.ok("get_cluster", {"cloud_unique_id": "zzz", "instance_id": iid, "cluster_id": "b"})["result"][
            "cluster_id"
        ]
        == "b"
    )
    err(server, "get_cluster", {"cloud_unique_id": "zzz"}, 400, "INVALID_ARGUMENT", "empty instance_id")


def test_add_and_drop_node(server: MetaServer) -> None:
    iid = make_instance(server)
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [(f"{iid}-0", "4.0.0.1", 9050)])})
    two = compute_cluster("c", [(f"{iid}-1", "4.0.0.2", 9050), (f"{iid}-2", "4.0.0.3", 9050)])
    server.ok("add_node", {"instance_id": iid, "cluster": two})
    err(
        server,
        "add_node",
        {"instance_id": iid, "cluster": two},
        400,
        "INVALID_ARGUMENT",
        "compute node endpoint has been added, registered be node=4.0.0.2:9050",
    )
    # a cluster that does not exist: OK and nothing changes (trap 17)
    server.ok(
        "add_node",
        {"instance_id": iid, "cluster": compute_cluster("nope", [(f"{iid}-9", "4.0.0.9", 9050)], name="nope")},
    )
    nodes = server.ok("get_cluster", {"cloud_unique_id": f"{iid}-0", "cluster_id": "c"})["result"]["nodes"]
    assert [n["cloud_unique_id"] for n in nodes] == [f"{iid}-0", f"{iid}-1", f"{iid}-2"]
    assert nodes[1]["status"] == "NODE_STATUS_RUNNING"
    server.ok("drop_node", {"instance_id": iid, "cluster": compute_cluster("c", [(f"{iid}-1", "4.0.0.2", 9050)])})
    err(
        server,
        "drop_node",
        {"instance_id": iid, "cluster": compute_cluster("c", [(f"{iid}-1", "4.0.0.2", 9050)])},
        404,
        "NOT_FOUND",
        f"not found ,can not find to drop nodes by cloud_unique_id={iid}-1 instance_id={iid} "
        f"cluster_name=name_c cluster_id=c help Msg={HELP}",
    )
    r = server.call("drop_node", {"instance_id": iid, "cluster": compute_cluster("c", [(f"{iid}-2", "4.0.0.2", 9050)])})
    assert r.status_code == 404 and "cloud_unique_id can not find to drop node" in r.json()["msg"]
    err(
        server,
        "drop_node",
        {"instance_id": iid, "cluster": {"cluster_id": "c"}},
        400,
        "INVALID_ARGUMENT",
        "cluster must have type arg",
    )
    # the node index follows drops: a dropped cuid no longer resolves, the others still do
    assert server.call("get_instance", params={"cloud_unique_id": f"{iid}-1"}).status_code == 400
    assert server.ok("get_instance", params={"cloud_unique_id": f"{iid}-2"})["result"]["instance_id"] == iid


def test_fe_nodes_and_safe_time(server: MetaServer, tmp_path: Path, own_store: str | None) -> None:
    iid = make_instance(server)
    fe = sql_cluster("s", [(f"{iid}-fe", "5.0.0.1", 9010, "FE_MASTER")])
    server.ok("add_cluster", {"instance_id": iid, "cluster": fe})
    r = server.call("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "s"}})
    assert r.status_code == 404 and r.json()["msg"].startswith("drop fe cluster not in safe time, try later, cluster=")
    r = server.call("drop_node", {"instance_id": iid, "cluster": fe})
    assert r.status_code == 400 and r.json()["msg"].startswith("drop fe node not in safe time, try later, node=")
    # with the safe-time check off (a Doris knob), the only master still cannot go
    srv = start_meta_server(
        tmp_path / "ms", store=own_store, extra_args=["--ms-config", "enable_check_fe_drop_in_safe_time=false"]
    )
    try:
        iid = make_instance(srv)
        fe = sql_cluster(
            "s", [(f"{iid}-fe", "5.0.0.1", 9010, "FE_MASTER"), (f"{iid}-ob", "5.0.0.2", 9010, "FE_OBSERVER")]
        )
        srv.ok("add_cluster", {"instance_id": iid, "cluster": fe})
        only_master = sql_cluster("s", [(f"{iid}-fe", "5.0.0.1", 9010, "FE_MASTER")])
        err(
            srv,
            "drop_node",
            {"instance_id": iid, "cluster": only_master},
            400,
            "INVALID_ARGUMENT",
            "instance invalid, cant modify, plz check",
        )
        srv.ok(
            "drop_node",
            {"instance_id": iid, "cluster": sql_cluster("s", [(f"{iid}-ob", "5.0.0.2", 9010, "FE_OBSERVER")])},
        )
        srv.ok("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "s"}})
    finally:
        srv.stop()


def test_drop_cluster_and_update_family(server: MetaServer) -> None:
    iid = make_instance(server)
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [])})
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("d", [])})
    err(server, "drop_cluster", {"instance_id": iid, "cluster": {}}, 400, "INVALID_ARGUMENT", "missing cluster_id=")
    err(
        server,
        "drop_cluster",
        {"instance_id": iid, "cluster": {"cluster_id": "x", "cluster_name": "y"}},
        404,
        "NOT_FOUND",
        f"failed to find cluster to drop, instance_id={iid} cluster_id=x cluster_name=y help Msg={HELP}",
    )
    err(
        server,
        "rename_cluster",
        {"instance_id": iid, "cluster": {"cluster_id": "x", "cluster_name": "y"}},
        400,
        "INVALID_ARGUMENT",
        f"failed to find cluster to update, instance_id={iid} cluster_id=x cluster_name=y",
    )
    r = server.call("rename_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c", "cluster_name": "name_c"}})
    assert r.json()["msg"].startswith(
        "failed to rename cluster, a cluster with the same name already exists in this instance {"
    )
    assert (
        server.call(
            "rename_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c", "cluster_name": "name_d"}}
        ).status_code
        == 400
    )
    # replacing an existing empty cluster that holds the name
    server.ok(
        "rename_cluster",
        {
            "instance_id": iid,
            "cluster": {"cluster_id": "c", "cluster_name": "name_d"},
            "replace_if_existing_empty_target_cluster": True,
        },
    )
    clusters = server.ok("get_cluster", {"cloud_unique_id": f"1:{iid}:x"})["result"]["cluster"]
    assert [(c["cluster_id"], c["cluster_name"]) for c in clusters] == [("c", "name_d")]
    server.ok(
        "update_cluster_mysql_user_name",
        {"instance_id": iid, "cluster": {"cluster_id": "c", "mysql_user_name": ["a", "b"]}},
    )
    server.ok("update_cluster_mysql_user_name", {"instance_id": iid, "cluster": {"cluster_id": "c"}})
    assert (
        "mysql_user_name"
        not in server.ok("get_cluster", {"cloud_unique_id": f"1:{iid}:x", "cluster_id": "c"})["result"]
    )
    server.ok("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c"}})
    assert server.call("drop_cluster", {"instance_id": iid, "cluster": {"cluster_id": "c"}}).status_code == 404


def test_cluster_status_transitions(server: MetaServer) -> None:
    iid = make_instance(server)
    server.ok("add_cluster", {"instance_id": iid, "cluster": compute_cluster("c", [])})
    server.ok(
        "add_cluster", {"instance_id": iid, "cluster": sql_cluster("s", [(f"{iid}-fe", "6.0.0.1", 9010, "FE_MASTER")])}
    )

    def set_status(status: Any, cid: str = "c") -> Any:
        return server.call(
            "set_cluster_status",
            {"cloud_unique_id": f"1:{iid}:x", "cluster": {"cluster_id": cid, "cluster_status": status}},
        )

    assert set_status("NORMAL", "s").json()["msg"] == "just support set COMPUTE cluster status"
    assert (
        set_status("NORMAL").json()["msg"]
        == "failed to set cluster status, status eq original status, original cluster is NORMAL"
    )
    assert (
        set_status("TO_RESUME").json()["msg"]
        == "failed to set cluster status, original cluster is NORMAL and want set TO_RESUME"
    )
    # STOPPED is not an enum value: dropped by the lenient parser -> UNKNOWN (trap 4)
    assert (
        set_status("STOPPED").json()["msg"]
        == "failed to set cluster status, original cluster is NORMAL and want set UNKNOWN"
    )
    for status in ("SUSPENDED", "TO_RESUME", "NORMAL", "MANUAL_SHUTDOWN", "NORMAL", "SUSPENDED", "NORMAL"):
        assert set_status(status).status_code == 200, status
    server.ok("set_cluster_status", {"instance_id": iid, "cluster": {"cluster_id": "c", "cluster_status": "SUSPENDED"}})
    doc = server.ok("get_cluster_status", {"instance_ids": [iid, "ghost"]})["result"]
    assert doc["details"] == [
        {"instance_id": iid, "clusters": [{"cluster_id": "c", "cluster_name": "name_c", "cluster_status": "SUSPENDED"}]}
    ]
    assert "details" not in server.ok("get_cluster_status", {"instance_ids": [iid], "status": "NORMAL"})["result"]
    doc = server.ok("get_cluster_status", {"cloud_unique_ids": [f"{iid}-fe", "nobody"], "status": "SUSPENDED"})[
        "result"
    ]
    assert doc["details"][0]["instance_id"] == iid
    err(
        server,
        "get_cluster_status",
        {},
        400,
        "INVALID_ARGUMENT",
        "cloud_unique_ids or instance_ids must be given, instance_ids.size: 0 cloud_unique_ids.size: 0",
    )
