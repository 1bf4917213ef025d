"""Object storage and credential operations: get_obj_store_info, add_obj_info, the ak/sk updates
and alter_ram_user (spec 4.11 - 4.14). Plain async `(svc, txn, request) -> Reply` functions over
one transaction; no transport types here. Storage vaults live in ops/vault.py; get_obj_store_info
lists them here with their sk opened, as upstream answers the FE/BE.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import (
    Code,
    MetaServiceError,
    get_err,
    invalid,
    not_found,
)
from dorisctl.metaservice.model.instances import (
    DELETED_MSG,
    instance_of_node,
    load_instance,
    node_counts,
    open_sk,
    reveal_in_place,
    save_instance,
    seal_into,
    to_compact_json,
)
from dorisctl.metaservice.ops.vault import load_vaults, new_obj_info, request_obj
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import SecretError

InstanceInfoPB = cloud_pb2.InstanceInfoPB
ClusterPB = cloud_pb2.ClusterPB
NodeInfoPB = cloud_pb2.NodeInfoPB
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB
AlterInstanceOp = cloud_pb2.AlterInstanceRequest.Operation
AlterClusterOp = cloud_pb2.AlterClusterRequest.Operation

MAX_OBJ_INFO = 10
MAX_OBJ_INFO_BYTES = 1024


async def _instance_by_cuid(svc: Service, txn: Txn, cloud_unique_id: str, *, deleted_ok: bool) -> InstanceInfoPB:
    inst = await instance_of_node(svc, txn, cloud_unique_id, "cloud unique id not set")
    if not deleted_ok and inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    return inst


async def get_obj_store_info(svc: Service, txn: Txn, req: cloud_pb2.GetObjStoreInfoRequest) -> Reply:
    inst = await _instance_by_cuid(svc, txn, req.cloud_unique_id, deleted_ok=True)
    resp = cloud_pb2.GetObjStoreInfoResponse()
    resp.status.code = Code.OK
    resp.status.msg = ""
    try:
        for obj in inst.obj_info:
            shown = resp.obj_info.add()
            shown.CopyFrom(obj)
            reveal_in_place(svc, shown)
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
    resp.storage_vault.extend(await load_vaults(svc, txn, inst, reveal=True))
    if inst.HasField("default_storage_vault_id"):
        resp.default_storage_vault_id = inst.default_storage_vault_id
        resp.default_storage_vault_name = inst.default_storage_vault_name
    resp.enable_storage_vault = inst.enable_storage_vault
    return Reply(result=resp)


def _numeric_id(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


async def add_obj_info(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    obj = request_obj(req)
    inst = await _instance_by_cuid(svc, txn, req.cloud_unique_id, deleted_ok=False)
    if inst.enable_storage_vault:
        raise invalid("Storage vault doesn't support add obj info")
    if not obj.HasField("provider"):
        raise invalid("s3 conf lease provider info")
    if len(inst.obj_info) >= MAX_OBJ_INFO:
        raise MetaServiceError(
            Code.UNDEFINED_ERR, "this instance history has greater than 10 objs, please new another instance"
        )
    has_role = obj.HasField("role_arn")
    if ((not obj.ak or not obj.sk) and not has_role) or not (obj.bucket and obj.endpoint and obj.region and obj.prefix):
        raise invalid("s3 conf info err, please check it")
    try:
        for existing in inst.obj_info:
            if (
                existing.bucket == obj.bucket
                and existing.prefix == obj.prefix
                and existing.endpoint == obj.endpoint
                and existing.region == obj.region
                and existing.ak == obj.ak
                and open_sk(svc, existing) == obj.sk
                and existing.provider == obj.provider
                and existing.external_endpoint == obj.external_endpoint
            ):
                raise invalid("original obj infos has a same conf, please check it")
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
    inst.obj_info.append(new_obj_info(svc, inst, obj, sse_enabled=inst.sse_enabled))
    save_instance(txn, inst, node_counts(inst))
    return Reply()


async def legacy_update_ak_sk(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    obj = request_obj(req)
    inst = await _instance_by_cuid(svc, txn, req.cloud_unique_id, deleted_ok=False)
    wanted = _numeric_id(obj.id if obj.HasField("id") else "0")
    if wanted is None or not 1 <= wanted <= len(inst.obj_info):
        raise invalid("id invalid, please check it")
    target = next((o for o in inst.obj_info if _numeric_id(o.id) == wanted), None)
    if target is None:
        raise invalid("id invalid, please check it")
    now = svc.now_s()
    if obj.HasField("role_arn"):
        if target.provider != ObjectStoreInfoPB.S3:
            raise invalid("role_arn is only supported for s3 provider")
        if target.role_arn == obj.role_arn and target.external_id == obj.external_id:
            return Reply()
        for name in ("ak", "sk", "encryption_info"):
            target.ClearField(name)
        target.role_arn = obj.role_arn
        target.external_id = obj.external_id
        target.cred_provider_type = cloud_pb2.INSTANCE_PROFILE
    else:
        try:
            if target.ak == obj.ak and open_sk(svc, target) == obj.sk:
                return Reply()
        except SecretError as e:
            raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
        for name in ("role_arn", "external_id", "cred_provider_type"):
            target.ClearField(name)
        target.ak = obj.ak
        target.sk = obj.sk
        seal_into(svc, target)
    target.mtime = now
    save_instance(txn, inst, node_counts(inst))
    return Reply()


def _same_credentials(svc: Service, stored: ObjectStoreInfoPB | cloud_pb2.RamUserPB, user: cloud_pb2.RamUserPB) -> bool:
    try:
        return stored.ak == user.ak and open_sk(svc, stored) == user.sk
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e


async def update_ak_sk(svc: Service, txn: Txn, req: cloud_pb2.UpdateAkSkRequest) -> Reply:
    if not req.instance_id:
        raise invalid("instance id not set")
    if not req.HasField("ram_user") and not req.internal_bucket_user:
        raise invalid("nothing to update")
    inst = await load_instance(txn, req.instance_id)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={req.instance_id} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    now = svc.now_s()
    if req.HasField("ram_user"):
        ru = req.ram_user
        if not (ru.user_id and ru.ak and ru.sk):
            raise invalid(f"ram user info err {to_compact_json(req)}")
        if not inst.HasField("ram_user"):
            raise invalid("instance doesn't have ram user info")
        if inst.ram_user.user_id != ru.user_id:
            raise invalid("ram user_id err")
        if _same_credentials(svc, inst.ram_user, ru):
            raise invalid("ak sk eq original, please check it")
        inst.ram_user.ak = ru.ak
        inst.ram_user.sk = ru.sk
        seal_into(svc, inst.ram_user)
    matched = False
    for user in req.internal_bucket_user:
        if not (user.HasField("user_id") and user.HasField("ak") and user.HasField("sk")):
            raise invalid(f"s3 bucket info err {to_compact_json(req)}")
        for obj in inst.obj_info:
            if not obj.HasField("user_id"):
                if len(req.internal_bucket_user) != 1:
                    raise invalid(f"fail to update old instance's obj_info, s3 obj info err {to_compact_json(req)}")
                obj.user_id = user.user_id
            elif obj.user_id != user.user_id:
                continue
            if _same_credentials(svc, obj, user):
                raise invalid("ak sk eq original, please check it")
            obj.ak = user.ak
            obj.sk = user.sk
            seal_into(svc, obj)
            obj.mtime = now
            matched = True
    if req.internal_bucket_user and not matched:
        raise invalid("fail to find the alter obj info")
    save_instance(txn, inst, node_counts(inst))
    return Reply()


async def alter_ram_user(svc: Service, txn: Txn, req: cloud_pb2.AlterRamUserRequest) -> Reply:
    if not req.instance_id:
        raise invalid("empty instance_id")
    ru = req.ram_user
    if not (req.HasField("ram_user") and ru.user_id and ru.ak and ru.sk):
        raise invalid(f"ram user info err {to_compact_json(req)}")
    inst = await load_instance(txn, req.instance_id)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={req.instance_id} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    inst.ram_user.CopyFrom(ru)
    seal_into(svc, inst.ram_user)
    save_instance(txn, inst, node_counts(inst))
    return Reply()
