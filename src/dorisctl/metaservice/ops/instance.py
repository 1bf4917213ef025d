"""Instance operations: create, alter (drop, rename, SSE, status) and get (spec 4.1 - 4.5).

Each operation is a plain async function `(svc, txn, request) -> Reply` over one transaction: it
reads the instance value, checks in Doris's evaluation order (the first failure wins), modifies
and writes it back. Failures raise `MetaServiceError`; the runner commits only on success, so a
refused request stores nothing. No transport types here.

Where dorisctl differs from Doris on purpose (documented in docs/meta-service.md):
* sk is sealed with AES-256-GCM under the root key ring, not AES-256-ECB; "unchanged credential"
  checks compare plaintexts;
* secrets embedded in error messages (`<request json>`) are masked as `***`.
"""

from __future__ import annotations

from collections import Counter

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import (
    Code,
    MetaServiceError,
    already_existed,
    get_err,
    invalid,
)
from dorisctl.metaservice.model.instances import (
    load_instance,
    node_counts,
    not_found_instance,
    resolve_instance_id,
    reveal_in_place,
    save_instance,
    seal_into,
    trim_prefix,
)
from dorisctl.metaservice.ops import vault
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import SecretError

InstanceInfoPB = cloud_pb2.InstanceInfoPB
ClusterPB = cloud_pb2.ClusterPB
NodeInfoPB = cloud_pb2.NodeInfoPB
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB
AlterInstanceOp = cloud_pb2.AlterInstanceRequest.Operation
AlterClusterOp = cloud_pb2.AlterClusterRequest.Operation


async def create_instance(svc: Service, txn: Txn, req: cloud_pb2.CreateInstanceRequest) -> Reply:
    if req.HasField("ram_user"):
        ru = req.ram_user
        if not (ru.user_id and ru.ak and ru.sk):
            raise invalid("ram user info err, please check it")
    if req.HasField("obj_info"):
        o = req.obj_info
        if o.HasField("role_arn"):
            if not (
                o.role_arn
                and o.cred_provider_type == cloud_pb2.INSTANCE_PROFILE
                and o.provider == ObjectStoreInfoPB.S3
                and o.bucket
                and o.endpoint
                and o.region
            ):
                raise invalid("s3 conf info err with role_arn, please check it")
        elif not (
            o.ak and o.sk and o.bucket and o.endpoint and o.region and o.external_endpoint and o.HasField("provider")
        ):
            raise invalid("s3 conf info err, please check it")
    if not req.instance_id:
        raise invalid("instance id not set")

    now = svc.now_s()
    inst = InstanceInfoPB(
        instance_id=req.instance_id,
        user_id=req.user_id,
        name=req.name,
        status=InstanceInfoPB.NORMAL,
        sse_enabled=req.sse_enabled,
        enable_storage_vault=not req.HasField("obj_info"),
    )
    if req.HasField("obj_info"):
        obj = inst.obj_info.add()
        obj.CopyFrom(req.obj_info)
        obj.prefix = trim_prefix(obj.prefix)
        obj.id = "1"
        obj.ctime = now
        obj.mtime = now
        obj.sse_enabled = req.sse_enabled
        if not obj.HasField("role_arn"):
            seal_into(svc, obj)
    if req.HasField("ram_user"):
        inst.ram_user.CopyFrom(req.ram_user)
        seal_into(svc, inst.ram_user)
    if req.HasField("vault"):  # the built-in vault (ops/vault.py; HDFS refused there)
        built_in = cloud_pb2.StorageVaultPB()
        built_in.CopyFrom(req.vault)
        built_in.name = vault.BUILT_IN_VAULT_NAME
        vault.add_vault_into_instance(svc, txn, inst, built_in)
    if await txn.get(keys.instance_key(req.instance_id)) is not None:
        raise already_existed(f"instance already existed, instance_id={req.instance_id}, err=Ok")
    save_instance(txn, inst, Counter())
    return Reply()


async def _alter_instance(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest, op: int) -> Reply:
    if not req.instance_id:
        raise invalid("instance id not set")
    inst = await load_instance(txn, req.instance_id)
    if inst is None:
        raise not_found_instance(req.instance_id)
    iid = req.instance_id
    before = node_counts(inst)
    now = svc.now_s()
    if op == AlterInstanceOp.DROP:
        if len(inst.clusters) > 0:
            raise invalid("failed to drop instance, instance has clusters")
        inst.status = InstanceInfoPB.DELETED
    elif op == AlterInstanceOp.RENAME:
        if inst.name == req.name:
            raise invalid("failed to rename instance, name eq original name")
        inst.name = req.name
    elif op in (AlterInstanceOp.ENABLE_SSE, AlterInstanceOp.DISABLE_SSE):
        enable = op == AlterInstanceOp.ENABLE_SSE
        if inst.sse_enabled == enable:
            word = "enable" if enable else "disable"
            raise invalid(f"failed to {word} sse, instance has {word}d sse")
        inst.sse_enabled = enable
        for obj in inst.obj_info:
            obj.sse_enabled = enable
    elif op == AlterInstanceOp.SET_OVERDUE:
        if inst.status == InstanceInfoPB.DELETED:
            raise invalid(f"can't set deleted instance to overdue, instance_id = {iid}")
        if inst.status == InstanceInfoPB.OVERDUE:
            raise invalid(f"the instance has already set  instance to overdue, instance_id = {iid}")
        inst.status = InstanceInfoPB.OVERDUE
    elif op == AlterInstanceOp.SET_NORMAL:
        if inst.status == InstanceInfoPB.DELETED:
            raise invalid(f"can't set deleted instance to normal, instance_id = {iid}")
        if inst.status == InstanceInfoPB.NORMAL:
            raise invalid(f"the instance is already normal, instance_id = {iid}")
        inst.status = InstanceInfoPB.NORMAL
    elif op == AlterInstanceOp.REFRESH:
        return Reply()  # Doris refreshes its in-memory cache; dorisctl has none to refresh
    else:
        raise invalid(f"operation {AlterInstanceOp.Name(op)} is not supported by dorisctl")
    inst.mtime = now
    save_instance(txn, inst, before)
    return Reply()


async def drop_instance(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    return await _alter_instance(svc, txn, req, AlterInstanceOp.DROP)


async def rename_instance(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    return await _alter_instance(svc, txn, req, AlterInstanceOp.RENAME)


async def enable_instance_sse(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    return await _alter_instance(svc, txn, req, AlterInstanceOp.ENABLE_SSE)


async def disable_instance_sse(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    return await _alter_instance(svc, txn, req, AlterInstanceOp.DISABLE_SSE)


async def set_instance_status(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    """The body's `op` is executed as sent (spec 4.4 and trap 14)."""
    if req.op == AlterInstanceOp.UNKNOWN:
        raise invalid(f"invalid request op, op={int(req.op)}")
    return await _alter_instance(svc, txn, req, req.op)


async def get_instance(svc: Service, txn: Txn, instance_id: str, cloud_unique_id: str) -> Reply:
    if not instance_id and not cloud_unique_id:
        raise invalid("empty instance_id and cloud_unique_id")
    iid = instance_id
    if not iid:
        iid = await resolve_instance_id(svc, txn, cloud_unique_id)
        if not iid:
            raise invalid(f"cannot find instance_id with cloud_unique_id={cloud_unique_id}")
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, info=failed to get instance, instance_id={iid} err=KeyNotFound")
    try:
        for obj in inst.obj_info:
            reveal_in_place(svc, obj)
        if inst.HasField("ram_user"):
            reveal_in_place(svc, inst.ram_user)
        for stage in inst.stages:
            if stage.HasField("obj_info"):
                reveal_in_place(svc, stage.obj_info)
        inst.iam_user.CopyFrom(await _iam_user(svc, txn, iid))
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
    return Reply(result=inst)


async def _iam_user(svc: Service, txn: Txn, iid: str) -> cloud_pb2.RamUserPB:
    raw = await txn.get(keys.system_key("arn_info"))
    if raw is not None:
        user = cloud_pb2.RamUserPB()
        user.ParseFromString(raw)
        reveal_in_place(svc, user)
        return user
    s = svc.settings
    return cloud_pb2.RamUserPB(user_id=s.arn_id, ak=s.arn_ak, sk=s.arn_sk, external_id=iid)
