"""alter_storage_vault's ops, create_tablets' vault, get_obj_store_info's vault listing, and
get_iam / alter_iam, as operations over a real SQLite store (upstream meta_service_test.cpp's
vault and IAM cases, replayed)."""

from __future__ import annotations

from typing import Any

import pytest

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.model.instances import load_instance
from dorisctl.metaservice.ops import iam, instance, storage, tablet, vault
from dorisctl.metaservice.proto import cloud_pb2
from tests.unit.metaservice.conftest import Env, tablet_meta
from tests.unit.metaservice.test_txn import expect_error

VIID = "vinst"
VCUID = f"1:{VIID}:fe"
Op = cloud_pb2.AlterObjStoreInfoRequest
S3 = cloud_pb2.ObjectStoreInfoPB.S3
SECRET = "vault-secret-sk-0123"


@pytest.fixture
async def venv(env: Env) -> Env:
    """env plus an instance created without obj_info (so enable_storage_vault is on)."""
    req = cloud_pb2.CreateInstanceRequest(instance_id=VIID, user_id="u", name="n")
    await env.call(instance.create_instance, req)
    return env


def s3_obj(**kw: Any) -> cloud_pb2.ObjectStoreInfoPB:
    base: dict[str, Any] = dict(
        ak="AK1", sk=SECRET, bucket="b", prefix="/p/", endpoint="e:9000", region="r", provider=S3,
        external_endpoint="e:9000",
    )  # fmt: skip
    base.update(kw)
    return cloud_pb2.ObjectStoreInfoPB(**base)


def add_s3(name: str, default: bool = False, **kw: Any) -> cloud_pb2.AlterObjStoreInfoRequest:
    req = cloud_pb2.AlterObjStoreInfoRequest(cloud_unique_id=VCUID, op=Op.ADD_S3_VAULT)
    req.vault.name = name
    req.vault.obj_info.CopyFrom(s3_obj(**kw))
    if default:
        req.set_as_default_storage_vault = True
    return req


def named(op: int, name: str | None = None) -> cloud_pb2.AlterObjStoreInfoRequest:
    req = cloud_pb2.AlterObjStoreInfoRequest(cloud_unique_id=VCUID, op=op)  # type: ignore[arg-type]
    if name is not None:
        req.vault.name = name
    return req


async def instance_of(env: Env) -> cloud_pb2.InstanceInfoPB:
    inst = await run_txn(env.svc.kv, lambda txn: load_instance(txn, VIID))
    assert inst is not None
    return inst


async def stored_vault(env: Env, vault_id: str) -> cloud_pb2.StorageVaultPB | None:
    raw = await run_txn(env.svc.kv, lambda txn: txn.get(keys.storage_vault_key(VIID, vault_id)))
    if raw is None:
        return None
    out = cloud_pb2.StorageVaultPB()
    out.ParseFromString(raw)
    return out


async def test_add_s3_vault_stores_it_sealed_and_lists_it(venv: Env) -> None:
    got = await venv.call(vault.alter_storage_vault, add_s3("v1"))
    assert got.storage_vault_id == "1" and not got.HasField("default_storage_vault_replaced")
    inst = await instance_of(venv)
    assert (list(inst.resource_ids), list(inst.storage_vault_names)) == (["1"], ["v1"])
    assert not inst.HasField("default_storage_vault_id")
    rec = await stored_vault(venv, "1")
    assert rec is not None and rec.name == "v1" and rec.id == "1"
    assert rec.obj_info.prefix == "p" and rec.obj_info.id == "1" and rec.obj_info.ctime == int(venv.clock.now)
    assert rec.obj_info.sk != SECRET and rec.obj_info.encryption_info.encryption_method == "AES_256_GCM"
    # get_obj_store_info answers it with the sk opened (upstream answers vault secrets in clear)
    info = await venv.call(storage.get_obj_store_info, cloud_pb2.GetObjStoreInfoRequest(cloud_unique_id=VCUID))
    assert info.enable_storage_vault and len(info.obj_info) == 0
    assert [(v.id, v.name, v.obj_info.sk) for v in info.storage_vault] == [("1", "v1", SECRET)]
    assert not info.HasField("default_storage_vault_id")


async def test_default_vault_set_replaced_and_unset(venv: Env) -> None:
    first = await venv.call(vault.alter_storage_vault, add_s3("v1", default=True))
    assert first.storage_vault_id == "1" and first.default_storage_vault_replaced is False
    second = await venv.call(vault.alter_storage_vault, add_s3("v2", bucket="b2"))
    assert second.storage_vault_id == "2"
    got = await venv.call(vault.alter_storage_vault, named(Op.SET_DEFAULT_VAULT, "v2"))
    assert got.storage_vault_id == "2" and got.default_storage_vault_replaced is True
    inst = await instance_of(venv)
    assert (inst.default_storage_vault_id, inst.default_storage_vault_name) == ("2", "v2")
    info = await venv.call(storage.get_obj_store_info, cloud_pb2.GetObjStoreInfoRequest(cloud_unique_id=VCUID))
    assert (info.default_storage_vault_id, info.default_storage_vault_name) == ("2", "v2")
    await expect_error(
        venv, vault.alter_storage_vault, named(Op.SET_DEFAULT_VAULT, "nope"), Code.INVALID_ARGUMENT,
        "invalid storage vault name, name =nope",
    )  # fmt: skip
    await venv.call(vault.alter_storage_vault, named(Op.UNSET_DEFAULT_VAULT))
    inst = await instance_of(venv)
    assert not inst.HasField("default_storage_vault_id") and not inst.HasField("default_storage_vault_name")


async def test_taken_name_and_bad_requests_are_refused_and_store_nothing(venv: Env) -> None:
    await venv.call(vault.alter_storage_vault, add_s3("v1"))
    before = await instance_of(venv)
    await expect_error(
        venv, vault.alter_storage_vault, add_s3("v1", bucket="other"), Code.ALREADY_EXISTED,
        "vault_name=v1 already created",
    )  # fmt: skip
    no_obj = named(Op.ADD_S3_VAULT, "v9")
    err = await expect_error(venv, vault.alter_storage_vault, no_obj, Code.INVALID_ARGUMENT)
    assert err.msg.startswith("s3 obj info err ")
    await expect_error(
        venv, vault.alter_storage_vault, add_s3("v3", provider=None), Code.INVALID_ARGUMENT,
        "s3 conf lease provider info",
    )  # fmt: skip
    await expect_error(
        venv, vault.alter_storage_vault, add_s3("v3", bucket=""), Code.INVALID_ARGUMENT,
        "s3 conf info err, please check it",
    )  # fmt: skip
    await expect_error(venv, vault.alter_storage_vault, add_s3(""), Code.INVALID_ARGUMENT, "storage vault name not set")
    err = await expect_error(venv, vault.alter_storage_vault, named(Op.UNKNOWN), Code.INVALID_ARGUMENT)
    assert err.msg.startswith("Unknown alter info ")
    err = await expect_error(venv, vault.alter_storage_vault, named(Op.ADD_OBJ_INFO), Code.INVALID_ARGUMENT)
    assert err.msg.startswith("Unknown alter obj store info, request info ")
    nocuid = add_s3("v4")
    nocuid.cloud_unique_id = ""
    await expect_error(venv, vault.alter_storage_vault, nocuid, Code.INVALID_ARGUMENT, "cloud unique id not set")
    # a legacy (obj_info) instance cannot take vaults
    legacy = add_s3("v4")
    legacy.cloud_unique_id = "1:inst1:fe"
    await expect_error(
        venv, vault.alter_storage_vault, legacy, Code.INVALID_ARGUMENT, "Storage vault doesn't support storage vault"
    )
    assert await instance_of(venv) == before
    assert await stored_vault(venv, "2") is None


async def test_hdfs_is_refused_with_a_clear_message(venv: Env) -> None:
    req = named(Op.ADD_HDFS_INFO, "h1")
    req.vault.hdfs_info.build_conf.fs_name = "hdfs://nn:8020"
    await expect_error(
        venv, vault.alter_storage_vault, req, Code.INVALID_ARGUMENT, "HDFS vaults are not supported by dorisctl"
    )
    alter = named(Op.ALTER_HDFS_VAULT, "h1")
    await expect_error(
        venv, vault.alter_storage_vault, alter, Code.INVALID_ARGUMENT, "HDFS vaults are not supported by dorisctl"
    )
    err = await expect_error(venv, vault.alter_storage_vault, named(Op.ADD_HDFS_INFO), Code.INVALID_ARGUMENT)
    assert err.msg.startswith("hdfs info is not found ")
    create = cloud_pb2.CreateInstanceRequest(instance_id="h", vault=req.vault)
    await expect_error(
        venv, instance.create_instance, create, Code.INVALID_ARGUMENT, "HDFS vaults are not supported by dorisctl"
    )
    inst = await instance_of(venv)
    assert list(inst.storage_vault_names) == []


async def test_drop_ops_as_upstream(venv: Env) -> None:
    await venv.call(vault.alter_storage_vault, add_s3("v1", default=True))
    # DROP_S3_VAULT: its obj info is checked, then the op is refused
    drop_s3 = add_s3("v1")
    drop_s3.op = Op.DROP_S3_VAULT
    await expect_error(venv, vault.alter_storage_vault, drop_s3, Code.INVALID_ARGUMENT, "invalid request op, op=104")
    assert await stored_vault(venv, "1") is not None
    await expect_error(
        venv, vault.alter_storage_vault, named(Op.DROP_HDFS_INFO, "zz"), Code.STORAGE_VAULT_NOT_FOUND,
        "vault_name=zz not found",
    )  # fmt: skip
    # DROP_HDFS_INFO removes the named vault whatever its kind; the default keeps naming it
    await venv.call(vault.alter_storage_vault, named(Op.DROP_HDFS_INFO, "v1"))
    assert await stored_vault(venv, "1") is None
    inst = await instance_of(venv)
    assert list(inst.resource_ids) == [] and inst.default_storage_vault_name == "v1"
    # ids are never reused
    assert (await venv.call(vault.alter_storage_vault, add_s3("v1"))).storage_vault_id == "1"


async def test_alter_s3_vault_rotates_keys_and_renames(venv: Env) -> None:
    await venv.call(vault.alter_storage_vault, add_s3("v1", default=True))
    await venv.call(vault.alter_storage_vault, add_s3("v2", bucket="b2"))
    req = named(Op.ALTER_S3_VAULT, "v1")
    req.vault.obj_info.ak = "AK2"
    req.vault.obj_info.sk = "new-secret-sk"
    req.vault.alter_name = "v1_renamed"
    venv.clock.now += 60
    got = await venv.call(vault.alter_storage_vault, req)
    assert got.storage_vault_id == "1"
    rec = await stored_vault(venv, "1")
    assert rec is not None and rec.name == "v1_renamed" and rec.obj_info.ak == "AK2"
    assert rec.obj_info.sk not in ("new-secret-sk", "") and rec.obj_info.mtime == int(venv.clock.now)
    inst = await instance_of(venv)
    assert list(inst.storage_vault_names) == ["v1_renamed", "v2"]
    assert inst.default_storage_vault_name == "v1_renamed"
    info = await venv.call(storage.get_obj_store_info, cloud_pb2.GetObjStoreInfoRequest(cloud_unique_id=VCUID))
    assert {v.name: v.obj_info.sk for v in info.storage_vault} == {"v1_renamed": "new-secret-sk", "v2": SECRET}
    for mutate, code, msg in (
        (lambda r: setattr(r.vault.obj_info, "bucket", "x"), Code.INVALID_ARGUMENT,
         "Bucket, endpoint, prefix and provider can not be altered"),
        (lambda r: setattr(r.vault.obj_info, "ak", "only-ak"), Code.INVALID_ARGUMENT,
         "Accesskey and secretkey must be alter together"),
        (lambda r: setattr(r.vault, "alter_name", "v2"), Code.ALREADY_EXISTED, "vault_name=v2 already existed"),
        (lambda r: setattr(r.vault, "alter_name", "9bad"), Code.INVALID_ARGUMENT,
         "invalid storage vault name =9bad the name must satisfy ^[a-zA-Z][0-9a-zA-Z_]*$"),
        (lambda r: setattr(r.vault, "name", "missing"), Code.INVALID_ARGUMENT,
         "invalid storage vault name, not found, name =missing"),
    ):  # fmt: skip
        bad = named(Op.ALTER_S3_VAULT, "v1_renamed")
        bad.vault.obj_info.use_path_style = True
        mutate(bad)
        await expect_error(venv, vault.alter_storage_vault, bad, code, msg)
    await expect_error(
        venv, vault.alter_storage_vault, named(Op.ALTER_S3_VAULT, "v2"), Code.INVALID_ARGUMENT,
        "There is no s3 vault provided",
    )  # fmt: skip


async def test_create_tablets_returns_the_vault(venv: Env) -> None:
    def req(name: str | None, tablet_id: int) -> cloud_pb2.CreateTabletsRequest:
        r = cloud_pb2.CreateTabletsRequest(cloud_unique_id=VCUID, db_id=1, tablet_metas=[tablet_meta(tablet_id)])
        if name is not None:
            r.storage_vault_name = name
        return r

    await expect_error(
        venv, tablet.create_tablets, req("", 1), Code.INVALID_ARGUMENT, "You must supply at least one default vault"
    )
    await venv.call(vault.alter_storage_vault, add_s3("v1"))
    await venv.call(vault.alter_storage_vault, add_s3("v2", bucket="b2", default=True))
    got = await venv.call(tablet.create_tablets, req("", 1))
    assert (got.storage_vault_id, got.storage_vault_name) == ("2", "v2")
    got = await venv.call(tablet.create_tablets, req("v1", 2))
    assert (got.storage_vault_id, got.storage_vault_name) == ("1", "v1")
    got = await venv.call(tablet.create_tablets, req(None, 3))
    assert not got.HasField("storage_vault_id") and not got.HasField("storage_vault_name")
    await expect_error(
        venv, tablet.create_tablets, req("nope", 4), Code.INVALID_ARGUMENT, "failed to get vault id, vault name=nope"
    )
    assert await run_txn(venv.svc.kv, lambda txn: txn.get(keys.meta_tablet_idx_key(VIID, 4))) is None


async def test_create_instance_with_a_built_in_vault(env: Env) -> None:
    req = cloud_pb2.CreateInstanceRequest(instance_id="bi", user_id="u", name="n")
    req.vault.name = "ignored"
    req.vault.obj_info.CopyFrom(s3_obj())
    await env.call(instance.create_instance, req)
    inst = await run_txn(env.svc.kv, lambda txn: load_instance(txn, "bi"))
    assert inst is not None and inst.enable_storage_vault
    assert (list(inst.resource_ids), list(inst.storage_vault_names)) == (["1"], ["built_in_storage_vault"])
    raw = await run_txn(env.svc.kv, lambda txn: txn.get(keys.storage_vault_key("bi", "1")))
    assert raw is not None and SECRET.encode() not in raw


async def test_get_iam_and_alter_iam(venv: Env) -> None:
    venv.svc.settings.arn_id, venv.svc.settings.arn_ak, venv.svc.settings.arn_sk = "iam_arn", "iam_ak", "iam_sk"
    got = await venv.call(iam.get_iam, cloud_pb2.GetIamRequest(cloud_unique_id=VCUID))
    assert not got.HasField("ram_user")
    assert (got.iam_user.user_id, got.iam_user.ak, got.iam_user.sk, got.iam_user.external_id) == (
        "iam_arn", "iam_ak", "iam_sk", VIID,
    )  # fmt: skip
    ram = cloud_pb2.AlterRamUserRequest(instance_id=VIID)
    ram.ram_user.user_id, ram.ram_user.ak, ram.ram_user.sk = "ram_id", "ram_ak", "ram_sk"
    await venv.call(storage.alter_ram_user, ram)
    for bad in (
        cloud_pb2.AlterIamRequest(ak="a", sk="s"),
        cloud_pb2.AlterIamRequest(account_id="acc", sk="s"),
        cloud_pb2.AlterIamRequest(account_id="acc", ak="a"),
    ):
        await expect_error(venv, iam.alter_iam, bad, Code.INVALID_ARGUMENT, "invalid argument")
    alter = cloud_pb2.AlterIamRequest(account_id="acc", ak="new_ak", sk="new_iam_sk")
    await venv.call(iam.alter_iam, alter)
    raw = await run_txn(venv.svc.kv, lambda txn: txn.get(keys.arn_info_key()))
    assert raw is not None and b"new_iam_sk" not in raw and b"AES_256_GCM" in raw
    await expect_error(venv, iam.alter_iam, alter, Code.INVALID_ARGUMENT, "already has the same arn info")
    got = await venv.call(iam.get_iam, cloud_pb2.GetIamRequest(cloud_unique_id=VCUID))
    assert (got.iam_user.user_id, got.iam_user.ak, got.iam_user.sk, got.iam_user.external_id) == (
        "acc", "new_ak", "new_iam_sk", VIID,
    )  # fmt: skip
    assert (got.ram_user.user_id, got.ram_user.ak, got.ram_user.sk) == ("ram_id", "ram_ak", "ram_sk")
    await expect_error(venv, iam.get_iam, cloud_pb2.GetIamRequest(), Code.INVALID_ARGUMENT, "cloud unique id not set")
    await expect_error(
        venv, iam.get_iam, cloud_pb2.GetIamRequest(cloud_unique_id="nobody"), Code.INVALID_ARGUMENT,
        "empty instance_id",
    )  # fmt: skip


async def test_upstream_alter_s3_storage_vault_case(env: Env) -> None:
    """Upstream's AlterS3StorageVaultTest: an instance written directly with vault "2" (plain
    ak/sk, no enable_storage_vault); ak without sk refused and nothing changed; an unknown vault
    and an invalid new name refused; a rename applied, and renaming onto a taken name refused."""
    name = "test_alter_s3_vault"
    iid, cuid = "alter_s3", "1:alter_s3:x"
    inst = cloud_pb2.InstanceInfoPB(instance_id=iid, storage_vault_names=[name], resource_ids=["2"])
    vault_pb = cloud_pb2.StorageVaultPB(
        id="2", name=name, obj_info=cloud_pb2.ObjectStoreInfoPB(id="1", ak="ak", sk="sk")
    )

    async def seed(txn: Any) -> None:
        txn.put(keys.instance_key(iid), inst.SerializeToString())
        txn.put(keys.storage_vault_key(iid, "2"), vault_pb.SerializeToString())

    await run_txn(env.svc.kv, seed)

    def alter(vault_name: str, **kw: Any) -> cloud_pb2.AlterObjStoreInfoRequest:
        req = cloud_pb2.AlterObjStoreInfoRequest(cloud_unique_id=cuid, op=Op.ALTER_S3_VAULT)
        req.vault.name = vault_name
        req.vault.obj_info.SetInParent()
        for k, v in kw.items():
            if k == "alter_name":
                req.vault.alter_name = v
            else:
                setattr(req.vault.obj_info, k, v)
        return req

    async def stored() -> cloud_pb2.StorageVaultPB:
        raw = await run_txn(env.svc.kv, lambda txn: txn.get(keys.storage_vault_key(iid, "2")))
        assert raw is not None
        out = cloud_pb2.StorageVaultPB()
        out.ParseFromString(raw)
        return out

    await expect_error(env, vault.alter_storage_vault, alter(name, ak="new_ak"), Code.INVALID_ARGUMENT)
    assert (await stored()).obj_info.ak == "ak"
    await expect_error(env, vault.alter_storage_vault, alter("test_alter_s3_vault_non_exist"), Code.INVALID_ARGUMENT)
    err = await expect_error(
        env, vault.alter_storage_vault, alter(name, alter_name="@!#vault_name"), Code.INVALID_ARGUMENT
    )
    assert "invalid storage vault name" in err.msg
    new_name = "new_test_alter_s3_vault"
    got = await env.call(vault.alter_storage_vault, alter(name, alter_name=new_name))
    assert got.storage_vault_id == "2"
    await expect_error(env, vault.alter_storage_vault, alter(new_name, alter_name=new_name), Code.ALREADY_EXISTED)
    assert (await stored()).name == new_name
