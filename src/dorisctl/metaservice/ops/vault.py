"""Storage vaults: alter_storage_vault (every op), the vault a create_tablets call resolves to,
and reading an instance's vault records (for get_obj_store_info).

Layout (as upstream): each vault is a `StorageVaultPB` under `keys.storage_vault_key(iid, id)`;
the instance keeps the parallel lists `resource_ids` / `storage_vault_names` (position i of one is
position i of the other) and the default vault's id and name. Vault ids share one counter with
the legacy obj_info ids: 1 + the largest numeric id of either (never reused).

The vault's sk is sealed at rest (model.instances.seal_into) exactly as an obj_info sk; only
get_obj_store_info opens it, because upstream answers vault secrets in clear to the FE/BE.

Upstream behaviour kept on purpose (docs/rpc-front.md, "Storage vaults"):
* DROP_S3_VAULT is refused (`invalid request op, op=104`) after its obj info was checked;
* DROP_HDFS_INFO removes the named vault whatever its kind, and leaves the default pointing at it;
* ADD_HDFS_INFO / ADD_BUILT_IN_VAULT with an `obj_info` (no `hdfs_info`) add an S3 vault.
HDFS vaults themselves are refused: `HDFS vaults are not supported by dorisctl`.
"""

from __future__ import annotations

import re

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, already_existed, get_err, invalid, not_found
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
    trim_prefix,
)
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import SecretError

Op = cloud_pb2.AlterObjStoreInfoRequest.Operation
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB
StorageVaultPB = cloud_pb2.StorageVaultPB
InstanceInfoPB = cloud_pb2.InstanceInfoPB

HDFS_NOT_SUPPORTED = "HDFS vaults are not supported by dorisctl"
BUILT_IN_VAULT_NAME = "built_in_storage_vault"
MAX_OBJ_INFO = 10
MAX_OBJ_INFO_BYTES = 1024
_NAME_PATTERN = "^[a-zA-Z][0-9a-zA-Z_]*$"
_NAME_RE = re.compile(r"[a-zA-Z][0-9a-zA-Z_]*")


def _hdfs_refused() -> MetaServiceError:
    return invalid(HDFS_NOT_SUPPORTED)


def next_vault_id(inst: InstanceInfoPB) -> str:
    """1 + the largest numeric id among obj_info entries and vaults (non-numeric ids count as 0)."""
    best = 0
    for text in [o.id for o in inst.obj_info] + list(inst.resource_ids):
        try:
            best = max(best, int(text))
        except ValueError:
            continue
    return str(best + 1)


def _vault_index(inst: InstanceInfoPB, name: str) -> int | None:
    for i, n in enumerate(inst.storage_vault_names):
        if n == name:
            return i
    return None


def request_obj(req: cloud_pb2.AlterObjStoreInfoRequest) -> ObjectStoreInfoPB:
    """Upstream's extract step (spec 4.12 steps 1-3) for ADD_OBJ_INFO, ADD_S3_VAULT, DROP_S3_VAULT:
    the request's obj, validated (ak+sk or role_arn)."""
    if req.HasField("obj"):
        obj = req.obj
    elif req.HasField("vault") and req.vault.HasField("obj_info"):
        obj = req.vault.obj_info
    else:
        raise invalid(f"s3 obj info err {to_compact_json(req)}")
    if obj.ByteSize() > MAX_OBJ_INFO_BYTES:
        raise invalid(f"s3 obj info greater than 1k {to_compact_json(req)}")
    if obj.HasField("role_arn"):
        if obj.HasField("ak") or obj.HasField("sk"):
            raise invalid("invaild argument, both set ak/sk and role_arn is not allowed")
    elif not obj.HasField("ak") or not obj.HasField("sk"):
        raise invalid(f"s3 obj info err {to_compact_json(req)}")
    return obj


def _check_op(req: cloud_pb2.AlterObjStoreInfoRequest) -> ObjectStoreInfoPB | None:
    """The checks upstream makes before it looks at the instance."""
    op = req.op
    if op in (Op.ADD_S3_VAULT, Op.DROP_S3_VAULT):
        return request_obj(req)
    if op == Op.ADD_BUILT_IN_VAULT:
        if not req.HasField("vault"):
            raise invalid(f"storage vault is set {to_compact_json(req)}")
    elif op in (Op.ADD_HDFS_INFO, Op.DROP_HDFS_INFO, Op.SET_DEFAULT_VAULT):
        if not req.HasField("vault") or not req.vault.HasField("name"):
            raise invalid(f"hdfs info is not found {to_compact_json(req)}")
    elif op in (Op.ALTER_S3_VAULT, Op.ALTER_HDFS_VAULT, Op.UNSET_DEFAULT_VAULT):
        pass
    elif op == Op.UNKNOWN:
        raise invalid(f"Unknown alter info {to_compact_json(req)}")
    else:
        raise invalid(f"Unknown alter obj store info, request info {to_compact_json(req)}")
    return None


def new_obj_info(svc: Service, inst: InstanceInfoPB, obj: ObjectStoreInfoPB, *, sse_enabled: bool) -> ObjectStoreInfoPB:
    """A stored obj_info (a vault's, or add_obj_info's entry): the request's fields, prefix trimmed,
    a fresh id, sk sealed (or the role_arn's instance-profile credentials)."""
    now = svc.now_s()
    new = ObjectStoreInfoPB(
        ctime=now,
        mtime=now,
        id=next_vault_id(inst),
        bucket=obj.bucket,
        prefix=trim_prefix(obj.prefix),
        endpoint=obj.endpoint,
        external_endpoint=obj.external_endpoint,
        region=obj.region,
        provider=obj.provider,
        sse_enabled=sse_enabled,
        use_path_style=obj.use_path_style,
    )
    if obj.HasField("user_id"):
        new.user_id = obj.user_id
    if obj.HasField("role_arn"):
        new.role_arn = obj.role_arn
        new.external_id = obj.external_id
        new.cred_provider_type = cloud_pb2.INSTANCE_PROFILE
    else:
        new.ak = obj.ak
        new.sk = obj.sk
        seal_into(svc, new)
    return new


def _register(txn: Txn, inst: InstanceInfoPB, vault: StorageVaultPB) -> None:
    txn.put(keys.storage_vault_key(inst.instance_id, vault.id), vault.SerializeToString())
    inst.resource_ids.append(vault.id)
    inst.storage_vault_names.append(vault.name)


def _set_default(inst: InstanceInfoPB, vault_id: str, name: str, resp: cloud_pb2.AlterObjStoreInfoResponse) -> None:
    resp.default_storage_vault_replaced = inst.HasField("default_storage_vault_id")
    inst.default_storage_vault_id = vault_id
    inst.default_storage_vault_name = name


def _require_name(name: str) -> None:
    """dorisctl: a vault must have a name (upstream stores an unnamed one, unreachable by name)."""
    if not name:
        raise invalid("storage vault name not set")


def add_vault_into_instance(svc: Service, txn: Txn, inst: InstanceInfoPB, vault: StorageVaultPB) -> StorageVaultPB:
    """Upstream's add path of ADD_HDFS_INFO, ADD_BUILT_IN_VAULT and create_instance's `vault`."""
    _require_name(vault.name)
    if _vault_index(inst, vault.name) is not None:
        raise already_existed(f"vault_name={vault.name} already created")
    if vault.HasField("hdfs_info") or not vault.HasField("obj_info"):
        raise _hdfs_refused()
    obj = vault.obj_info
    if obj.HasField("role_arn"):
        if not (
            obj.role_arn
            and obj.cred_provider_type == cloud_pb2.INSTANCE_PROFILE
            and obj.HasField("provider")
            and obj.provider == ObjectStoreInfoPB.S3
            and obj.bucket
            and obj.endpoint
            and obj.region
        ):
            raise invalid("s3 conf info err with role_arn, please check it")
    elif not (
        obj.ak
        and obj.sk
        and obj.bucket
        and obj.endpoint
        and obj.region
        and obj.HasField("provider")
        and obj.external_endpoint
    ):
        raise invalid("s3 conf info err, please check it")
    stored = StorageVaultPB(name=vault.name, obj_info=new_obj_info(svc, inst, obj, sse_enabled=True))
    stored.id = stored.obj_info.id
    _register(txn, inst, stored)
    return stored


async def _instance_of(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> InstanceInfoPB:
    inst = await instance_of_node(svc, txn, req.cloud_unique_id, "cloud unique id not set")
    if inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    return inst


def _same_obj(svc: Service, stored: ObjectStoreInfoPB, obj: ObjectStoreInfoPB) -> bool:
    try:
        plain_sk = open_sk(svc, stored)
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
    return (
        stored.bucket == obj.bucket
        and stored.prefix == obj.prefix
        and stored.endpoint == obj.endpoint
        and stored.region == obj.region
        and stored.ak == obj.ak
        and plain_sk == obj.sk
        and stored.provider == obj.provider
        and stored.external_endpoint == obj.external_endpoint
    )


def _add_s3_vault(
    svc: Service,
    txn: Txn,
    inst: InstanceInfoPB,
    req: cloud_pb2.AlterObjStoreInfoRequest,
    obj: ObjectStoreInfoPB,
    resp: cloud_pb2.AlterObjStoreInfoResponse,
) -> None:
    if not inst.enable_storage_vault:
        raise invalid("Storage vault doesn't support storage vault")
    if not obj.HasField("provider"):
        raise invalid("s3 conf lease provider info")
    if len(inst.obj_info) >= MAX_OBJ_INFO:
        raise MetaServiceError(
            Code.UNDEFINED_ERR, "this instance history has greater than 10 objs, please new another instance"
        )
    has_role = bool(obj.role_arn)
    if ((not obj.ak or not obj.sk) and not has_role) or not (obj.bucket and obj.endpoint and obj.region):
        raise invalid("s3 conf info err, please check it")
    if has_role and not (obj.cred_provider_type == cloud_pb2.INSTANCE_PROFILE and obj.provider == ObjectStoreInfoPB.S3):
        raise invalid("s3 conf info err with role_arn, please check it")
    if any(_same_obj(svc, existing, obj) for existing in inst.obj_info):
        raise invalid("original obj infos has a same conf, please check it")
    name = req.vault.name
    _require_name(name)
    if _vault_index(inst, name) is not None:
        raise already_existed(f"vault_name={name} already created")
    vault = StorageVaultPB(name=name, obj_info=new_obj_info(svc, inst, obj, sse_enabled=inst.sse_enabled))
    vault.id = vault.obj_info.id
    _register(txn, inst, vault)
    if req.set_as_default_storage_vault:
        _set_default(inst, vault.id, vault.name, resp)
    resp.storage_vault_id = vault.id


async def _alter_s3_vault(svc: Service, txn: Txn, inst: InstanceInfoPB, req: cloud_pb2.AlterObjStoreInfoRequest) -> str:
    vault = req.vault
    if not vault.HasField("obj_info"):
        raise invalid("There is no s3 vault provided")
    obj = vault.obj_info
    if any(obj.HasField(f) for f in ("bucket", "endpoint", "prefix", "provider")):
        raise invalid("Bucket, endpoint, prefix and provider can not be altered")
    pos = _vault_index(inst, vault.name)
    if pos is None:
        raise invalid(f"invalid storage vault name, not found, name ={vault.name}")
    vault_id = inst.resource_ids[pos]
    key = keys.storage_vault_key(inst.instance_id, vault_id)
    raw = await txn.get(key)
    if raw is None:
        raise get_err(f"failed to get storage vault, vault_id={vault_id}, vault_name={vault.name} err=KeyNotFound")
    stored = StorageVaultPB()
    stored.ParseFromString(raw)
    if not stored.HasField("obj_info"):
        raise invalid(f"{vault.name} is not s3 storage vault")
    if vault.HasField("alter_name"):
        if not _NAME_RE.fullmatch(vault.alter_name):
            raise invalid(f"invalid storage vault name ={vault.alter_name} the name must satisfy {_NAME_PATTERN}")
        if _vault_index(inst, vault.alter_name) is not None:
            raise already_existed(f"vault_name={vault.alter_name} already existed")
        stored.name = vault.alter_name
        inst.storage_vault_names[pos] = vault.alter_name
        # dorisctl: a renamed default vault stays the default under its new name (upstream keeps
        # the old name as default_storage_vault_name, which then names no vault).
        if inst.default_storage_vault_id == vault_id:
            inst.default_storage_vault_name = vault.alter_name
    if obj.HasField("role_arn") and (obj.HasField("ak") or obj.HasField("sk")):
        raise invalid("invaild argument, both set ak/sk and role_arn is not allowed")
    if obj.HasField("ak") != obj.HasField("sk"):
        raise invalid("Accesskey and secretkey must be alter together")
    target = stored.obj_info
    if obj.HasField("ak"):
        for f in ("role_arn", "external_id", "cred_provider_type"):
            target.ClearField(f)
        target.ak = obj.ak
        target.sk = obj.sk
        seal_into(svc, target)
    if obj.HasField("role_arn"):
        for f in ("ak", "sk", "encryption_info"):
            target.ClearField(f)
        target.role_arn = obj.role_arn
        target.cred_provider_type = cloud_pb2.INSTANCE_PROFILE
        if obj.HasField("external_id"):
            target.external_id = obj.external_id
    if obj.HasField("use_path_style"):
        target.use_path_style = obj.use_path_style
    target.mtime = svc.now_s()
    txn.put(key, stored.SerializeToString())
    return vault_id


def _drop_vault(txn: Txn, inst: InstanceInfoPB, name: str) -> None:
    pos = _vault_index(inst, name)
    if pos is None:
        raise MetaServiceError(Code.STORAGE_VAULT_NOT_FOUND, f"vault_name={name} not found")
    txn.remove(keys.storage_vault_key(inst.instance_id, inst.resource_ids[pos]))
    del inst.storage_vault_names[pos]
    del inst.resource_ids[pos]


async def alter_storage_vault(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    obj = _check_op(req)
    inst = await _instance_of(svc, txn, req)
    before = node_counts(inst)
    resp = cloud_pb2.AlterObjStoreInfoResponse()
    op = req.op
    if op == Op.ADD_S3_VAULT:
        assert obj is not None
        _add_s3_vault(svc, txn, inst, req, obj, resp)
    elif op == Op.ADD_HDFS_INFO:
        added = add_vault_into_instance(svc, txn, inst, req.vault)
        if req.set_as_default_storage_vault:
            _set_default(inst, added.id, added.name, resp)
        resp.storage_vault_id = added.id
    elif op == Op.ADD_BUILT_IN_VAULT:
        if inst.resource_ids:
            raise invalid("Default vault can not be modified")
        add_vault_into_instance(svc, txn, inst, req.vault)
    elif op == Op.DROP_HDFS_INFO:
        _drop_vault(txn, inst, req.vault.name)
    elif op == Op.SET_DEFAULT_VAULT:
        pos = _vault_index(inst, req.vault.name)
        if pos is None:
            raise invalid(f"invalid storage vault name, name ={req.vault.name}")
        vault_id = inst.resource_ids[pos]
        _set_default(inst, vault_id, req.vault.name, resp)
        resp.storage_vault_id = vault_id
    elif op == Op.UNSET_DEFAULT_VAULT:
        inst.ClearField("default_storage_vault_id")
        inst.ClearField("default_storage_vault_name")
    elif op == Op.ALTER_S3_VAULT:
        resp.storage_vault_id = await _alter_s3_vault(svc, txn, inst, req)
    elif op == Op.ALTER_HDFS_VAULT:
        raise _hdfs_refused()
    else:  # DROP_S3_VAULT: refused upstream, after its obj info was checked
        raise invalid(f"invalid request op, op={int(op)}")
    save_instance(txn, inst, before)
    return Reply(result=resp)


# -- readers ---------------------------------------------------------------------------------------


async def load_vaults(svc: Service, txn: Txn, inst: InstanceInfoPB, *, reveal: bool) -> list[StorageVaultPB]:
    """The instance's vault records in key order; with `reveal`, obj_info sk opened (ERR_DECPYPT)."""
    if not inst.resource_ids:
        return []
    begin, end = keys.storage_vault_range(inst.instance_id)
    out: list[StorageVaultPB] = []
    for _, raw in await txn.get_range(begin, end):
        vault = StorageVaultPB()
        vault.ParseFromString(raw)
        if reveal and vault.HasField("obj_info"):
            try:
                reveal_in_place(svc, vault.obj_info)
            except SecretError as e:
                raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
        out.append(vault)
    return out


async def vault_for_tablets(
    svc: Service, txn: Txn, iid: str, req: cloud_pb2.CreateTabletsRequest
) -> cloud_pb2.CreateTabletsResponse:
    """create_tablets with `storage_vault_name`: the named vault, or the default one for an empty
    name; its id and name go back in the response (upstream's messages and codes)."""
    resp = cloud_pb2.CreateTabletsResponse()
    if not req.HasField("storage_vault_name"):
        return resp
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    name = req.storage_vault_name
    if not name:
        if not inst.HasField("default_storage_vault_name"):
            raise invalid("You must supply at least one default vault")
        name = inst.default_storage_vault_name
    pos = _vault_index(inst, name)
    if pos is None:
        raise invalid(f"failed to get vault id, vault name={name}")
    resp.storage_vault_id = inst.resource_ids[pos]
    resp.storage_vault_name = name
    return resp
