"""DDL as a Doris FE drives it, against a real meta-service process with its in-process recycler and a
real S3 (SeaweedFS): CREATE TABLE over gRPC (prepare_index -> create_tablets -> commit_index ->
check_kv), ADD PARTITION over baidu_std, DROP PARTITION and DROP TABLE, after which the recycler
removes the dropped tablets' objects and keys and nothing else."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.fixtures.s3 import AK, BUCKET, SK, WeedMini, s3  # noqa: F401 - fixture
from tests.unit.metaservice.conftest import tablet_meta

IID = "ddlrpc"
FE = f"1:{IID}:fe1"
BE = f"1:{IID}:be1"
DB, TABLE, INDEX = 7, 500, 501
P1, P2 = 601, 602
TABLETS = {P1: [7001, 7002], P2: [7003, 7004]}
PREFIX = "ddlrpc"


def port_of(server: MetaServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, s3: WeedMini, ms_store: str | None) -> Iterator[MetaServer]:  # noqa: F811
    srv = start_meta_server(
        tmp_path_factory.mktemp("ddl") / "ms",
        store=ms_store,
        extra_args=["--recycler-sleep-before-scheduling-seconds", "0"],
    )
    obj = {"ak": AK, "sk": SK, "bucket": BUCKET, "prefix": PREFIX, "endpoint": s3.endpoint, "region": "us-east-1",
           "external_endpoint": s3.endpoint, "provider": "S3", "use_path_style": True}  # fmt: skip
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u", "obj_info": obj})
    sql = {"cluster_name": "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER", "cluster_id": "RESERVED_CLUSTER_ID_FOR_SQL_SERVER",
           "type": "SQL", "nodes": [{"cloud_unique_id": FE, "ip": "10.0.0.1", "edit_log_port": 9010,
                                     "node_type": "FE_MASTER"}]}  # fmt: skip
    srv.ok("add_cluster", {"instance_id": IID, "cluster": sql})
    be = {"cluster_name": "cg1", "cluster_id": "cg1", "type": "COMPUTE",
          "nodes": [{"cloud_unique_id": BE, "ip": "10.0.0.2", "heartbeat_port": 9050}]}  # fmt: skip
    srv.ok("add_cluster", {"instance_id": IID, "cluster": be})
    yield srv
    srv.stop()


def tablets_req(partition_id: int) -> pb.CreateTabletsRequest:
    req = pb.CreateTabletsRequest(cloud_unique_id=FE, db_id=DB)
    for t in TABLETS[partition_id]:
        req.tablet_metas.append(tablet_meta(t, table_id=TABLE, index_id=INDEX, partition_id=partition_id))
    return req


def check_req(op: Any, index_ids: list[int] = [], partition_ids: list[int] = []) -> pb.CheckKVRequest:  # noqa: B006
    req = pb.CheckKVRequest(cloud_unique_id=FE, op=op)
    req.check_keys.db_ids.append(DB)
    req.check_keys.table_ids.append(TABLE)
    req.check_keys.index_ids.extend(index_ids)
    req.check_keys.partition_ids.extend(partition_ids)
    return req


def recycle_now(ms: MetaServer, want: str, count: int) -> dict[str, Any]:
    """Queue a recycle of the instance and wait for a finished job that recycled `count` of `want`."""
    base, params = ms.url + "/RecyclerService/http", {"token": ms.token}
    r = httpx.post(base + "/recycle_instance", params=params, json={"instance_ids": [IID]}, timeout=30)
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        history = httpx.post(base + "/recycle_status", params=params, timeout=30).json()["result"]["history"]
        for job in history:
            if job["instance_id"] == IID and job["outcome"] == "done" and job[want] == count:
                return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"no recycle job recycled {count} {want}: {history}")


def objects(s3: WeedMini) -> list[str]:  # noqa: F811
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/")
    return sorted(c["Key"] for page in pages for c in page.get("Contents", []))


async def test_create_add_drop_partition_and_table(ms: MetaServer, s3: WeedMini) -> None:  # noqa: F811
    stub, channel = grpc_stub(port_of(ms))
    be = await BaiduStdClient.connect(port_of(ms))
    idx_op, part_op = pb.CheckKVRequest.CREATE_INDEX_AFTER_FE_COMMIT, pb.CheckKVRequest.CREATE_PARTITION_AFTER_FE_COMMIT

    def table_version() -> int:
        req = pb.GetVersionRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, is_table_version=True)
        return int(stub.get_version(req, timeout=30).version)

    try:
        # CREATE TABLE (FE, gRPC)
        prep = pb.IndexRequest(cloud_unique_id=FE, table_id=TABLE, index_ids=[INDEX], expiration=0)
        assert stub.prepare_index(prep, timeout=30).status.code == pb.OK
        assert stub.create_tablets(tablets_req(P1), timeout=30).status.code == pb.OK
        early = stub.check_kv(check_req(idx_op, index_ids=[INDEX]), timeout=30)  # before the commit
        assert (early.status.code, early.status.msg) == (
            pb.UNDEFINED_ERR, "prepare and commit rpc not match, recycle key remained",
        )  # fmt: skip
        assert list(early.bad_keys.index_ids) == [INDEX]
        commit = pb.IndexRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, index_ids=[INDEX], is_new_table=True)
        assert stub.commit_index(commit, timeout=30).status.code == pb.OK
        assert stub.commit_index(commit, timeout=30).status.code == pb.OK  # the FE's retry
        done = stub.check_kv(check_req(idx_op, index_ids=[INDEX]), timeout=30)
        assert done.status.code == pb.OK and not done.bad_keys.index_ids
        assert table_version() == 1
        stale = stub.prepare_index(prep, timeout=30)
        assert (stale.status.code, stale.status.msg) == (pb.ALREADY_EXISTED, "index already existed")

        # ADD PARTITION (over baidu_std this time)
        part = pb.PartitionRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, index_ids=[INDEX],
                                   partition_ids=[P2], expiration=0)  # fmt: skip
        for method, req, resp_type in (
            ("prepare_partition", part, pb.PartitionResponse),
            ("create_tablets", tablets_req(P2), pb.CreateTabletsResponse),
            ("commit_partition", part, pb.PartitionResponse),
            ("check_kv", check_req(part_op, partition_ids=[P2]), pb.CheckKVResponse),
        ):
            resp = await be.call(method, req, resp_type)
            assert resp.status.code == pb.OK, (method, resp.status)
        assert table_version() == 2

        # the BE's data
        client = s3.client()
        for tablets in TABLETS.values():
            for t in tablets:
                client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/data/{t}/r{t}_0.dat", Body=b"x" * 10)
        assert len(objects(s3)) == 4

        # DROP PARTITION P2 (it had data): refused without db_id, then dropped, expired at once
        drop = pb.PartitionRequest(cloud_unique_id=FE, table_id=TABLE, index_ids=[INDEX], partition_ids=[P2],
                                   need_update_table_version=True, expiration=int(time.time()) - 100_000)  # fmt: skip
        bad = stub.drop_partition(drop, timeout=30)
        assert (bad.status.code, bad.status.msg) == (pb.INVALID_ARGUMENT, "missing db_id for drop_partition")
        drop.db_id = DB
        assert stub.drop_partition(drop, timeout=30).status.code == pb.OK
        assert table_version() == 3
        job = recycle_now(ms, "partitions_recycled", 1)
        assert job["tablets_recycled"] == 2 and job["objects_deleted"] == 2
        assert objects(s3) == [f"{PREFIX}/data/{t}/r{t}_0.dat" for t in TABLETS[P1]]
        for t in TABLETS[P2]:
            gone = await be.call(
                "get_tablet", pb.GetTabletRequest(cloud_unique_id=BE, tablet_id=t), pb.GetTabletResponse
            )
            assert gone.status.code == pb.TABLET_NOT_FOUND
        for t in TABLETS[P1]:
            kept = await be.call(
                "get_tablet", pb.GetTabletRequest(cloud_unique_id=BE, tablet_id=t), pb.GetTabletResponse
            )
            assert kept.status.code == pb.OK
        # the partition's record went with it: commit_partition now says so
        again = stub.commit_partition(part, timeout=30)
        assert (again.status.code, again.status.msg) == (pb.INVALID_ARGUMENT, "partition has been recycled")

        # DROP TABLE: drop_index (the FE sends no db_id here); the recycler takes every tablet left
        dropi = pb.IndexRequest(cloud_unique_id=FE, table_id=TABLE, index_ids=[INDEX],
                                expiration=int(time.time()) - 100_000)  # fmt: skip
        assert stub.drop_index(dropi, timeout=30).status.code == pb.OK
        job = recycle_now(ms, "indexes_recycled", 1)
        assert job["tablets_recycled"] == 2
        assert objects(s3) == []
        for t in TABLETS[P1]:
            gone = await be.call(
                "get_tablet", pb.GetTabletRequest(cloud_unique_id=BE, tablet_id=t), pb.GetTabletResponse
            )
            assert gone.status.code == pb.TABLET_NOT_FOUND
        late = stub.commit_index(commit, timeout=30)
        assert (late.status.code, late.status.msg) == (pb.INVALID_ARGUMENT, "index has been recycled")
    finally:
        await be.close()
        channel.close()
