"""Stages (COPY INTO's sources): create_stage, get_stage, drop_stage, as upstream's
meta_service_resource.cpp.

Stages live in the instance value (`InstanceInfoPB.stages`), so each operation is a
read-modify-write of the instance (queued per instance, see rpc.py). An internal stage belongs to
one MySQL user (one per user name and per user id) and lives under the instance's latest
obj_info, at `<prefix>/stage/<user name>/<user id>`; an external stage has a unique name and its
own obj_info, whose sk is sealed at rest and opened only in get_stage's answer for that stage
(upstream returns it decrypted to the FE, which needs it to read the files). At most
`max_num_stages` stages (Doris's config, 40). Dropping an internal stage leaves a
`recycle <iid> "stage" <stage_id>` record (RecycleStagePB) for the recycler.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, already_existed, invalid
from dorisctl.metaservice.model.instances import (
    instance_of_node,
    node_counts,
    open_sk,
    save_instance,
    seal_into,
    to_compact_json,
)
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.proto.loadjob_records_pb2 import RecycleStagePB
from dorisctl.secrets import SecretError

StagePB = cloud_pb2.StagePB
INTERNAL = StagePB.INTERNAL
EXTERNAL = StagePB.EXTERNAL


async def _instance(svc: Service, txn: Txn, cuid: str) -> cloud_pb2.InstanceInfoPB:
    return await instance_of_node(svc, txn, cuid, "cloud unique id not set")


def _check_new_stage(req: cloud_pb2.CreateStageRequest) -> StagePB:
    if not req.HasField("stage"):
        raise invalid("stage not set")
    stage = req.stage
    if not stage.HasField("type"):
        raise invalid("stage type not set")
    if stage.type == EXTERNAL and not stage.name:
        raise invalid("stage name not set")
    if not stage.stage_id:
        raise invalid("stage id not set")
    if stage.type == INTERNAL and (not stage.mysql_user_name or not stage.mysql_user_id):
        raise invalid(
            "internal stage must have a mysql user name and id must be given, "
            f"name size={len(stage.mysql_user_name)} id size={len(stage.mysql_user_id)}"
        )
    return stage


async def create_stage(svc: Service, txn: Txn, req: cloud_pb2.CreateStageRequest) -> Reply:
    if not req.cloud_unique_id:
        raise invalid("cloud unique id not set")
    inst = await _instance(svc, txn, req.cloud_unique_id)
    stage = _check_new_stage(req)
    if len(inst.stages) >= svc.settings.max_num_stages:
        raise MetaServiceError(Code.UNDEFINED_ERR, "this instance has greater than config num stages")
    for s in inst.stages:
        same_user = (
            stage.type == INTERNAL and s.type == INTERNAL and bool(s.mysql_user_id and s.mysql_user_name)
        ) and (s.mysql_user_id[0] == stage.mysql_user_id[0] or s.mysql_user_name[0] == stage.mysql_user_name[0])
        if same_user:
            raise already_existed("stage already exist")
        if stage.type == EXTERNAL and s.name == stage.name:
            raise already_existed("stage already exist")
        if s.stage_id == stage.stage_id:
            raise invalid("stage id is duplicated")
    before = node_counts(inst)
    if stage.type == INTERNAL:
        if not inst.obj_info:
            raise MetaServiceError(Code.UNDEFINED_ERR, "impossible, instance must have at least one obj_info.")
        latest = inst.obj_info[-1]
        user, user_id = stage.mysql_user_name[0], stage.mysql_user_id[0]
        added = inst.stages.add(type=INTERNAL, stage_id=stage.stage_id)
        added.obj_info.prefix = f"{latest.prefix}/stage/{user}/{user_id}"
        added.obj_info.id = latest.id
        added.mysql_user_name.append(user)
        added.mysql_user_id.append(user_id)
    else:
        added = inst.stages.add()
        added.CopyFrom(stage)
        if added.HasField("obj_info") and added.obj_info.sk:
            seal_into(svc, added.obj_info)
    save_instance(txn, inst, before)
    return Reply(result=cloud_pb2.CreateStageResponse())


def _internal_stage_view(svc: Service, inst: cloud_pb2.InstanceInfoPB, s: StagePB) -> StagePB:
    """An internal stage as get_stage answers it: the obj_info it lives in, with its credentials."""
    try:
        idx = int(s.obj_info.id)
    except ValueError:
        idx = 0
    if not 1 <= idx <= len(inst.obj_info):
        raise MetaServiceError(Code.UNDEFINED_ERR, "impossible, id invalid")
    obj = inst.obj_info[idx - 1]
    view = StagePB(stage_id=s.stage_id, type=s.type)
    o = view.obj_info
    o.ak, o.sk = obj.ak, open_sk(svc, obj)
    o.bucket, o.endpoint, o.external_endpoint = obj.bucket, obj.endpoint, obj.external_endpoint
    o.region, o.provider, o.prefix = obj.region, obj.provider, s.obj_info.prefix
    return view


async def _get_internal(svc: Service, inst: cloud_pb2.InstanceInfoPB, req: cloud_pb2.GetStageRequest) -> Reply:
    if not req.mysql_user_name:
        raise invalid("mysql user name not set")
    if not req.mysql_user_id:
        raise invalid("mysql user id not set")
    if not inst.obj_info:
        raise MetaServiceError(Code.UNDEFINED_ERR, "impossible, instance must have at least one obj_info.")
    for s in inst.stages:
        if s.type != INTERNAL or not s.mysql_user_name or not s.mysql_user_id:
            continue
        if s.mysql_user_name[0] != req.mysql_user_name:
            continue
        if s.mysql_user_id[0] != req.mysql_user_id:
            # The user was dropped and created again: the FE drops this stage and creates a new one.
            aba = cloud_pb2.GetStageResponse()
            aba.stage.add().CopyFrom(s)
            raise MetaServiceError(
                Code.STATE_ALREADY_EXISTED_FOR_USER, "aba user, drop stage and create a new one", aba
            )
        return Reply(result=cloud_pb2.GetStageResponse(stage=[_internal_stage_view(svc, inst, s)]))
    raise MetaServiceError(Code.STAGE_NOT_FOUND, "stage not found, create a new one")


async def _credentials(svc: Service, txn: Txn, inst: cloud_pb2.InstanceInfoPB, stage: StagePB) -> None:
    """Fill in the ak/sk the FE reads the stage's files with, by the stage's access type."""
    if not stage.HasField("access_type") or stage.access_type == StagePB.AKSK:
        stage.access_type = StagePB.AKSK
        if stage.HasField("obj_info"):
            stage.obj_info.sk = open_sk(svc, stage.obj_info)
            stage.obj_info.ClearField("encryption_info")
    elif stage.access_type == StagePB.BUCKET_ACL:
        if not inst.HasField("ram_user"):
            raise invalid("instance does not have ram user")
        stage.obj_info.ak, stage.obj_info.sk = inst.ram_user.ak, open_sk(svc, inst.ram_user)
    elif stage.access_type == StagePB.IAM:
        raw = await txn.get(keys.system_key("arn_info"))
        if raw is None:
            stage.obj_info.ak, stage.obj_info.sk = svc.settings.arn_ak, svc.settings.arn_sk
        else:
            iam = cloud_pb2.RamUserPB()
            iam.ParseFromString(raw)
            stage.obj_info.ak, stage.obj_info.sk = iam.ak, open_sk(svc, iam)
        stage.external_id = inst.instance_id


async def get_stage(svc: Service, txn: Txn, req: cloud_pb2.GetStageRequest) -> Reply:
    """INTERNAL: the user's stage (STAGE_NOT_FOUND, or STATE_ALREADY_EXISTED_FOR_USER for a user
    re-created under the same name); EXTERNAL without a name: every external stage as stored (no
    credentials opened); EXTERNAL with a name: that stage with its credentials."""
    if not req.cloud_unique_id:
        raise invalid("cloud unique id not set")
    inst = await _instance(svc, txn, req.cloud_unique_id)
    if not req.HasField("type"):
        raise invalid("stage type not set")
    try:
        if req.type == INTERNAL:
            return await _get_internal(svc, inst, req)
        if not req.HasField("stage_name"):
            stages = [s for s in inst.stages if s.type == EXTERNAL]
            return Reply(result=cloud_pb2.GetStageResponse(stage=stages))
        for s in inst.stages:
            if s.type == req.type and s.name == req.stage_name:
                found = StagePB()
                found.CopyFrom(s)
                await _credentials(svc, txn, inst, found)
                return Reply(result=cloud_pb2.GetStageResponse(stage=[found]))
    except SecretError as e:
        raise MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt") from e
    raise MetaServiceError(Code.STAGE_NOT_FOUND, f"stage not found with {to_compact_json(req)}")


async def drop_stage(svc: Service, txn: Txn, req: cloud_pb2.DropStageRequest) -> Reply:
    if not req.cloud_unique_id:
        raise invalid("cloud unique id not set")
    inst = await _instance(svc, txn, req.cloud_unique_id)
    if not req.HasField("type"):
        raise invalid("stage type not set")
    if req.type == EXTERNAL and not req.stage_name:
        raise invalid("external stage but not set stage name")
    if req.type == INTERNAL and not req.mysql_user_id:
        raise invalid("internal stage but not set user id")
    before = node_counts(inst)
    for i, s in enumerate(inst.stages):
        internal_match = (
            req.type == INTERNAL and s.type == INTERNAL and s.mysql_user_id and s.mysql_user_id[0] == req.mysql_user_id
        )
        if internal_match or (req.type == EXTERNAL and s.type == EXTERNAL and s.name == req.stage_name):
            dropped = StagePB()
            dropped.CopyFrom(s)
            del inst.stages[i]
            save_instance(txn, inst, before)
            if req.type == INTERNAL:
                record = RecycleStagePB(instance_id=inst.instance_id, reason=req.reason, stage=dropped)
                txn.put(keys.recycle_stage_key(inst.instance_id, dropped.stage_id), record.SerializeToString())
            return Reply(result=cloud_pb2.DropStageResponse())
    raise MetaServiceError(Code.STAGE_NOT_FOUND, f"stage not found with {to_compact_json(req)}")
