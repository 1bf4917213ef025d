"""Storage vaults and IAM as a Doris FE (gRPC) and BE (baidu_std) use them, against a real
meta-service process with its in-process recycler and a real S3 (SeaweedFS): vaults created,
made default, unset, refused (taken name, HDFS), chosen by create_tablets; a dropped table's
tablets reclaimed from their own vaults; secrets sealed in the store and absent from the log;
get_iam / alter_iam."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient, grpc_stub
from tests.fixtures.s3 import AK, BUCKET, SK, WeedMini, s3  # noqa: F401 - fixture
from tests.unit.metaservice.conftest import tablet_meta

IID = "vaultrpc"
FE = f"1:{IID}:fe1"
BE = f"1:{IID}:be1"
DB, TABLE, INDEX, PART = 9, 900, 901, 902
TA, TB = 9001, 9002  # TA written to vault_a, TB to vault_b
Op = pb.AlterObjStoreInfoRequest
HDFS_MSG = "HDFS vaults are not supported by dorisctl"
IAM_SK = "iam-secret-sk-7f3a"


def port_of(server: MetaServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory, s3: WeedMini, ms_store: str | None) -> Iterator[MetaServer]:  # noqa: F811
    srv = start_meta_server(
        tmp_path_factory.mktemp("vault") / "ms",
        store=ms_store,
        extra_args=["--recycler-sleep-before-scheduling-seconds", "0"],
    )
    srv.ok("create_instance", {"instance_id": IID, "name": "n", "user_id": "u"})  # no obj_info: vault mode
    sql = {"cluster_name": "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER", "cluster_id": "RESERVED_CLUSTER_ID_FOR_SQL_SERVER",
           "type": "SQL", "nodes": [{"cloud_unique_id": FE, "ip": "10.0.0.1", "edit_log_port": 9010,
                                     "node_type": "FE_MASTER"}]}  # fmt: skip
    srv.ok("add_cluster", {"instance_id": IID, "cluster": sql})
    be = {"cluster_name": "cg1", "cluster_id": "cg1", "type": "COMPUTE",
          "nodes": [{"cloud_unique_id": BE, "ip": "10.0.0.2", "heartbeat_port": 9050}]}  # fmt: skip
    srv.ok("add_cluster", {"instance_id": IID, "cluster": be})
    yield srv
    srv.stop()


def add_vault(s3: WeedMini, name: str, prefix: str, default: bool = False) -> pb.AlterObjStoreInfoRequest:  # noqa: F811
    req = pb.AlterObjStoreInfoRequest(cloud_unique_id=FE, op=Op.ADD_S3_VAULT, set_as_default_storage_vault=default)
    req.vault.name = name
    req.vault.obj_info.CopyFrom(
        pb.ObjectStoreInfoPB(ak=AK, sk=SK, bucket=BUCKET, prefix=prefix, endpoint=s3.endpoint, region="us-east-1",
                             external_endpoint=s3.endpoint, provider=pb.ObjectStoreInfoPB.S3, use_path_style=True)
    )  # fmt: skip
    return req


def named(op: int, name: str) -> pb.AlterObjStoreInfoRequest:
    return pb.AlterObjStoreInfoRequest(cloud_unique_id=FE, op=op, vault=pb.StorageVaultPB(name=name))  # type: ignore[arg-type]


def status(resp: Any) -> tuple[int, str]:
    return resp.status.code, resp.status.msg


def rowset(txn_id: int, tablet_id: int, resource_id: str) -> olap.RowsetMetaCloudPB:
    return olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=f"rs{tablet_id}", tablet_id=tablet_id, partition_id=PART,
                                  txn_id=txn_id, num_rows=10, num_segments=1, txn_expiration=4_000_000_000,
                                  schema_version=0, index_id=INDEX, resource_id=resource_id)  # fmt: skip


def recycle_index(ms: MetaServer) -> dict[str, Any]:
    base, params = ms.url + "/RecyclerService/http", {"token": ms.token}
    r = httpx.post(base + "/recycle_instance", params=params, json={"instance_ids": [IID]}, timeout=30)
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        history = httpx.post(base + "/recycle_status", params=params, timeout=30).json()["result"]["history"]
        for job in history:
            if job["instance_id"] == IID and job["outcome"] == "done" and job["indexes_recycled"] == 1:
                return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"no recycle job recycled the index: {history}")


def objects(s3: WeedMini, prefix: str) -> list[str]:  # noqa: F811
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/")
    return sorted(c["Key"] for page in pages for c in page.get("Contents", []))


def files_holding(root: Path, secret: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]


async def test_vaults_over_grpc_and_baidu_std(ms: MetaServer, s3: WeedMini) -> None:  # noqa: F811
    stub, channel = grpc_stub(port_of(ms))
    be = await BaiduStdClient.connect(port_of(ms))
    try:
        inst = stub.get_instance(pb.GetInstanceRequest(cloud_unique_id=FE), timeout=30)
        assert inst.status.code == pb.OK and inst.instance.enable_storage_vault
        clusters = stub.get_cluster(pb.GetClusterRequest(cloud_unique_id=FE), timeout=30)
        assert clusters.status.code == pb.OK and clusters.enable_storage_vault

        # CREATE STORAGE VAULT ... (FE, gRPC), the first one as default; the second over baidu_std
        first = stub.alter_storage_vault(add_vault(s3, "vault_a", "va", default=True), timeout=30)
        assert status(first) == (pb.OK, "") and first.storage_vault_id == "1"
        assert not first.default_storage_vault_replaced
        second = await be.call("alter_storage_vault", add_vault(s3, "vault_b", "vb"), pb.AlterObjStoreInfoResponse)
        assert status(second) == (pb.OK, "") and second.storage_vault_id == "2"
        taken = stub.alter_storage_vault(add_vault(s3, "vault_a", "elsewhere"), timeout=30)
        assert status(taken) == (pb.ALREADY_EXISTED, "vault_name=vault_a already created")
        hdfs = named(Op.ADD_HDFS_INFO, "vault_h")
        hdfs.vault.hdfs_info.build_conf.fs_name = "hdfs://nn:8020"
        for refused in (
            stub.alter_storage_vault(hdfs, timeout=30),
            await be.call("alter_storage_vault", hdfs, pb.AlterObjStoreInfoResponse),
        ):
            assert status(refused) == (pb.INVALID_ARGUMENT, HDFS_MSG)
        drop = add_vault(s3, "vault_a", "va")
        drop.op = Op.DROP_S3_VAULT
        assert status(stub.alter_storage_vault(drop, timeout=30)) == (pb.INVALID_ARGUMENT, "invalid request op, op=104")

        # SET ... AS DEFAULT STORAGE VAULT, unset, and back
        switched = stub.alter_storage_vault(named(Op.SET_DEFAULT_VAULT, "vault_b"), timeout=30)
        assert status(switched) == (pb.OK, "") and switched.default_storage_vault_replaced
        unset = await be.call(
            "alter_storage_vault",
            pb.AlterObjStoreInfoRequest(cloud_unique_id=FE, op=Op.UNSET_DEFAULT_VAULT),
            pb.AlterObjStoreInfoResponse,
        )
        assert status(unset) == (pb.OK, "")
        info = stub.get_obj_store_info(pb.GetObjStoreInfoRequest(cloud_unique_id=BE), timeout=30)
        assert info.enable_storage_vault and not info.HasField("default_storage_vault_id")
        back = stub.alter_storage_vault(named(Op.SET_DEFAULT_VAULT, "vault_a"), timeout=30)
        assert status(back) == (pb.OK, "") and not back.default_storage_vault_replaced

        # the BE's view: every vault, its sk in clear (as upstream), and the default
        info = await be.call("get_obj_store_info", pb.GetObjStoreInfoRequest(cloud_unique_id=BE),
                             pb.GetObjStoreInfoResponse)  # fmt: skip
        assert status(info) == (pb.OK, "")
        assert [(v.id, v.name, v.obj_info.prefix, v.obj_info.sk) for v in info.storage_vault] == [
            ("1", "vault_a", "va", SK), ("2", "vault_b", "vb", SK),
        ]  # fmt: skip
        assert (info.default_storage_vault_id, info.default_storage_vault_name) == ("1", "vault_a")

        # CREATE TABLE: no vault named = the default; a named vault; an unknown one refused
        prep = pb.IndexRequest(cloud_unique_id=FE, table_id=TABLE, index_ids=[INDEX], expiration=0)
        assert stub.prepare_index(prep, timeout=30).status.code == pb.OK

        def tablets(tablet_id: int, vault: str) -> pb.CreateTabletsRequest:
            meta = tablet_meta(tablet_id, table_id=TABLE, index_id=INDEX, partition_id=PART)
            return pb.CreateTabletsRequest(cloud_unique_id=FE, db_id=DB, tablet_metas=[meta], storage_vault_name=vault)

        made = stub.create_tablets(tablets(TA, ""), timeout=30)
        assert status(made) == (pb.OK, "") and (made.storage_vault_id, made.storage_vault_name) == ("1", "vault_a")
        made = await be.call("create_tablets", tablets(TB, "vault_b"), pb.CreateTabletsResponse)
        assert status(made) == (pb.OK, "") and (made.storage_vault_id, made.storage_vault_name) == ("2", "vault_b")
        unknown = stub.create_tablets(tablets(9003, "vault_x"), timeout=30)
        assert status(unknown) == (pb.INVALID_ARGUMENT, "failed to get vault id, vault name=vault_x")
        commit = pb.IndexRequest(cloud_unique_id=FE, db_id=DB, table_id=TABLE, index_ids=[INDEX], is_new_table=True)
        assert stub.commit_index(commit, timeout=30).status.code == pb.OK

        # a load: each BE writes its tablet's segment to the tablet's vault (rowset resource_id)
        info_txn = pb.TxnInfoPB(db_id=DB, label="load1", table_ids=[TABLE], timeout_ms=600_000)
        txn_id = stub.begin_txn(pb.BeginTxnRequest(cloud_unique_id=FE, txn_info=info_txn), timeout=30).txn_id
        client = s3.client()
        for tablet_id, vault_id, prefix in ((TA, "1", "va"), (TB, "2", "vb")):
            client.put_object(Bucket=BUCKET, Key=f"{prefix}/data/{tablet_id}/rs{tablet_id}_0.dat", Body=b"x" * 10)
            req = pb.CreateRowsetRequest(cloud_unique_id=BE, rowset_meta=rowset(txn_id, tablet_id, vault_id))
            for method in ("prepare_rowset", "commit_rowset"):
                assert (await be.call(method, req, pb.CreateRowsetResponse)).status.code == pb.OK
        assert stub.commit_txn(pb.CommitTxnRequest(cloud_unique_id=FE, txn_id=txn_id), timeout=30).status.code == pb.OK
        # an object under TA's path in the other vault: not TA's (its rowsets are all in vault_a)
        client.put_object(Bucket=BUCKET, Key=f"vb/data/{TA}/foreign_0.dat", Body=b"y")

        # DROP TABLE, expired at once: the recycler reclaims each tablet from its own vault
        dropi = pb.IndexRequest(cloud_unique_id=FE, table_id=TABLE, index_ids=[INDEX],
                                expiration=int(time.time()) - 100_000)  # fmt: skip
        assert stub.drop_index(dropi, timeout=30).status.code == pb.OK
        job = recycle_index(ms)
        assert job["tablets_recycled"] == 2 and job["objects_deleted"] == 2
        assert objects(s3, "va") == []
        assert objects(s3, "vb") == [f"vb/data/{TA}/foreign_0.dat"]

        # secrets: sealed in the store, never in the log
        log = ms.log_text()
        assert SK not in log and "alter_storage_vault" in log
        assert files_holding(ms.data_dir, SK.encode()) == []
    finally:
        await be.close()
        channel.close()


async def test_iam_over_grpc_baidu_std_and_http(ms: MetaServer) -> None:
    stub, channel = grpc_stub(port_of(ms))
    be = await BaiduStdClient.connect(port_of(ms))
    try:
        got = stub.get_iam(pb.GetIamRequest(cloud_unique_id=FE), timeout=30)
        assert status(got) == (pb.OK, "") and got.iam_user.external_id == IID and not got.HasField("ram_user")
        bad = await be.call("alter_iam", pb.AlterIamRequest(account_id="acc", ak="IAK"), pb.AlterIamResponse)
        assert status(bad) == (pb.INVALID_ARGUMENT, "invalid argument")
        done = stub.alter_iam(pb.AlterIamRequest(account_id="acc", ak="IAK", sk=IAM_SK), timeout=30)
        assert status(done) == (pb.OK, "")
        again = await be.call("alter_iam", pb.AlterIamRequest(account_id="acc", ak="IAK", sk=IAM_SK),
                              pb.AlterIamResponse)  # fmt: skip
        assert status(again) == (pb.INVALID_ARGUMENT, "already has the same arn info")
        ms.ok("alter_ram_user", {"instance_id": IID, "ram_user": {"user_id": "ru", "ak": "RAK", "sk": "RSK-secret"}})
        got = await be.call("get_iam", pb.GetIamRequest(cloud_unique_id=FE), pb.GetIamResponse)
        assert (got.iam_user.user_id, got.iam_user.ak, got.iam_user.sk, got.iam_user.external_id) == (
            "acc", "IAK", IAM_SK, IID,
        )  # fmt: skip
        assert (got.ram_user.user_id, got.ram_user.ak, got.ram_user.sk) == ("ru", "RAK", "RSK-secret")
        # the same RPCs at /MetaService/http/<rpc>
        doc = ms.ok("get_iam", {"cloud_unique_id": FE})
        assert doc["result"]["iam_user"]["sk"] == IAM_SK
        r = ms.call("alter_iam", {"account_id": "acc"})
        assert r.status_code == 400 and r.json()["msg"] == "invalid argument"
        r = ms.call("alter_storage_vault", {"cloud_unique_id": FE, "op": "ADD_HDFS_INFO",
                                            "vault": {"name": "h2", "hdfs_info": {"prefix": "p"}}})  # fmt: skip
        assert r.status_code == 400 and r.json()["msg"] == HDFS_MSG
        r = ms.call("add_hdfs_vault", {"cloud_unique_id": FE, "vault": {"name": "h3", "hdfs_info": {"prefix": "p"}}})
        assert r.status_code == 400 and r.json()["msg"] == HDFS_MSG
        assert IAM_SK not in ms.log_text() and "RSK-secret" not in ms.log_text()
        assert files_holding(ms.data_dir, IAM_SK.encode()) == []
    finally:
        await be.close()
        channel.close()
