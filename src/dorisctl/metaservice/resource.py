"""Resource operations: instances, clusters, nodes, object storage and credentials (spec 4).

Each operation is a plain async function `(svc, txn, request) -> Reply` over one transaction: it
reads the instance value, checks in Doris's evaluation order (the first failure wins), modifies
and writes it back. Failures raise `MetaServiceError`; the runner commits only on success, so a
refused request stores nothing. No HTTP types here.

Where dorisctl differs from Doris on purpose (documented in docs/meta-service.md):
* sk is sealed with AES-256-GCM under the root key ring, not AES-256-ECB; "unchanged credential"
  checks compare plaintexts;
* secrets embedded in error messages (`<request json>`) are masked as `***`;
* storage vaults and virtual clusters answer a clear "not supported" error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from google.protobuf.message import Message

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import (
    Code,
    MetaServiceError,
    already_existed,
    get_err,
    invalid,
    not_found,
)
from dorisctl.metaservice.instances import (
    HELP_MSG,
    degraded_and_missing,
    degraded_instance_id,
    instances_owning,
    load_instance,
    node_counts,
    open_sk,
    resolve_instance_id,
    reveal_in_place,
    save_instance,
    seal_into,
    to_compact_json,
    to_one_line_text,
    to_text_dump,
)
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.service import Service
from dorisctl.secrets import SecretError

InstanceInfoPB = cloud_pb2.InstanceInfoPB
ClusterPB = cloud_pb2.ClusterPB
NodeInfoPB = cloud_pb2.NodeInfoPB
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB
AlterInstanceOp = cloud_pb2.AlterInstanceRequest.Operation
AlterClusterOp = cloud_pb2.AlterClusterRequest.Operation

CLUSTER_NAME_REGEX = "^[a-zA-Z][a-zA-Z0-9_]*$"
_CLUSTER_NAME_RE = re.compile(CLUSTER_NAME_REGEX)
MAX_OBJ_INFO = 10
MAX_OBJ_INFO_BYTES = 1024
DELETED_MSG = "instance status has been set delete, plz check it"
FE_TYPES = (NodeInfoPB.FE_MASTER, NodeInfoPB.FE_OBSERVER, NodeInfoPB.FE_FOLLOWER)


@dataclass
class Reply:
    """A successful operation's message (almost always "") and optional result message."""

    msg: str = ""
    result: Message | None = None


def _trim_prefix(prefix: str) -> str:
    return prefix.strip("/ \t")


def _not_found_instance(iid: str) -> MetaServiceError:
    return not_found(f"instance not existed, instance_id={iid}, err=KeyNotFound")


# =================================================================================================
# Instances (spec 4.1 - 4.5)


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
    if req.HasField("vault"):
        raise invalid("storage vault is not supported by dorisctl; create the instance with obj_info")
    if await txn.get(keys.instance_key(req.instance_id)) is not None:
        raise already_existed(f"instance already existed, instance_id={req.instance_id}, err=Ok")

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
        obj.prefix = _trim_prefix(obj.prefix)
        obj.id = "1"
        obj.ctime = now
        obj.mtime = now
        obj.sse_enabled = req.sse_enabled
        if not obj.HasField("role_arn"):
            seal_into(svc, obj)
    if req.HasField("ram_user"):
        inst.ram_user.CopyFrom(req.ram_user)
        seal_into(svc, inst.ram_user)
    save_instance(txn, inst, Counter())
    return Reply()


async def _alter_instance(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest, op: int) -> Reply:
    if not req.instance_id:
        raise invalid("instance id not set")
    inst = await load_instance(txn, req.instance_id)
    if inst is None:
        raise _not_found_instance(req.instance_id)
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


# =================================================================================================
# Clusters and nodes (spec 4.6 - 4.10)


async def _cluster_front(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> str:
    """Spec 4.6 steps 1-2: the instance id the request addresses."""
    iid = req.instance_id
    if not iid and req.cloud_unique_id:
        if await degraded_and_missing(txn, req.cloud_unique_id):
            raise invalid(
                f"use degrade cloud_unique_id, but instance_id invalid, cloud_unique_id={req.cloud_unique_id}"
            )
        iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
        if not iid:
            raise invalid("empty instance_id")
    if not iid or not req.HasField("cluster"):
        raise invalid("invalid request instance_id or cluster not given")
    return iid


async def _cluster_check(svc: Service, txn: Txn, cluster: cloud_pb2.ClusterPB, *, adding: bool) -> None:
    """Spec 4.6 "cluster check" (the per-node port check is disabled, as in current Doris)."""
    if not cluster.HasField("type"):
        raise invalid("cluster must have type arg")
    if cluster.type == ClusterPB.VIRTUAL:
        raise invalid("virtual clusters are not supported by dorisctl")
    if adding and not cluster.cluster_name:
        raise invalid("not have cluster name")
    if (
        svc.settings.enable_cluster_name_check
        and cluster.HasField("cluster_name")
        and not _CLUSTER_NAME_RE.match(cluster.cluster_name)
    ):
        raise invalid(f"cluster name not regex with {CLUSTER_NAME_REGEX}, please check it")
    for node in cluster.nodes:
        if degraded_instance_id(node.cloud_unique_id) is not None and await degraded_and_missing(
            txn, node.cloud_unique_id
        ):
            raise invalid(f"node={to_text_dump(node)} cloud_unique_id use degrade format, but check instance failed")
    if adding and cluster.type == ClusterPB.SQL:
        fe = [n for n in cluster.nodes if n.edit_log_port != 0 and n.node_type in FE_TYPES]
        masters = sum(1 for n in fe if n.node_type == NodeInfoPB.FE_MASTER)
        followers = sum(1 for n in fe if n.node_type == NodeInfoPB.FE_FOLLOWER)
        if masters > 0 and followers > 0:
            raise invalid(
                "cluster is SQL type, and use multi follower mode, cant set master node, "
                f"master count: {masters} follower count: {followers}"
            )
        if followers == 0 and masters != 1:
            raise invalid(f"cluster is SQL type, must have only one master node, now master count: {masters}")


def _node_address(node: cloud_pb2.NodeInfoPB) -> str:
    return node.host if node.host else node.ip


def _node_endpoint(node: cloud_pb2.NodeInfoPB, cluster_type: int) -> str:
    port = node.edit_log_port if cluster_type == ClusterPB.SQL else node.heartbeat_port
    return f"{_node_address(node)}:{port}"


def _check_endpoints(inst: InstanceInfoPB, cluster: cloud_pb2.ClusterPB, *, taken_code: int) -> None:
    """Spec 4.7 step 4 / 4.10 step 2: node addresses valid and not yet registered.

    A taken endpoint is ALREADY_EXISTED (409) for add_cluster but INVALID_ARGUMENT for add_node.
    """
    used = {_node_endpoint(n, c.type) for c in inst.clusters if c.type == cluster.type for n in c.nodes}
    for node in cluster.nodes:
        if not _node_address(node) or cluster.type == ClusterPB.VIRTUAL:
            raise invalid(f"add node input args node invalid, cluster={to_compact_json(node)}")
        ep = _node_endpoint(node, cluster.type)
        if ep in used:
            role, kind = ("sql", "fe") if cluster.type == ClusterPB.SQL else ("compute", "be")
            msg = f"{role} node endpoint has been added, registered {kind} node={ep}"
            raise MetaServiceError(taken_code, msg)


async def _check_cuids_unowned(txn: Txn, iid: str, cluster: cloud_pb2.ClusterPB, *, code: int) -> None:
    for node in cluster.nodes:
        if not node.cloud_unique_id:
            continue
        for other in await instances_owning(txn, node.cloud_unique_id):
            if other == iid:
                continue
            other_inst = await load_instance(txn, other)
            holder = next(
                (
                    c
                    for c in (other_inst.clusters if other_inst else [])
                    if any(n.cloud_unique_id == node.cloud_unique_id for n in c.nodes)
                ),
                ClusterPB(),
            )
            raise MetaServiceError(
                code,
                f"cloud_unique_id is already occupied by an instance, instance_id={other} "
                f"cluster_name={holder.cluster_name} cluster_id={holder.cluster_id} "
                f"cloud_unique_id={node.cloud_unique_id}",
            )


async def add_cluster(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    iid = await _cluster_front(svc, txn, req)
    cluster = req.cluster
    await _cluster_check(svc, txn, cluster, adding=True)
    await _check_cuids_unowned(txn, iid, cluster, code=Code.ALREADY_EXISTED)
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, info failed to get instance, instance_id={iid} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    for existing in inst.clusters:
        if existing.cluster_id == cluster.cluster_id:
            raise already_existed(f"try to add a existing cluster id, existing_cluster_id={existing.cluster_id}")
        if existing.cluster_name == cluster.cluster_name:
            raise already_existed(f"try to add a existing cluster name, existing_cluster_name={existing.cluster_name}")
    _check_endpoints(inst, cluster, taken_code=Code.ALREADY_EXISTED)
    before = node_counts(inst)
    now = svc.now_s()
    added = inst.clusters.add()
    added.CopyFrom(cluster)
    for node in added.nodes:
        node.ctime = now
        node.mtime = now
    added.ctime = now
    added.mtime = now
    if added.type == ClusterPB.COMPUTE:
        added.cluster_status = cloud_pb2.NORMAL
    save_instance(txn, inst, before)
    return Reply()


async def drop_cluster(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    iid = await _cluster_front(svc, txn, req)
    cluster = req.cluster
    if not cluster.cluster_id:
        raise invalid("missing cluster_id=")
    inst = await load_instance(txn, iid)
    if inst is None:
        raise not_found(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise not_found(DELETED_MSG)
    before = node_counts(inst)
    for i, existing in enumerate(inst.clusters):
        if existing.cluster_id != cluster.cluster_id:
            continue
        if existing.type == ClusterPB.SQL and svc.settings.enable_check_fe_drop_in_safe_time:
            now = svc.now_s()
            if any(now - n.ctime < svc.settings.fe_drop_safe_seconds for n in existing.nodes):
                raise not_found(f"drop fe cluster not in safe time, try later, cluster={to_text_dump(existing)}")
        del inst.clusters[i]
        save_instance(txn, inst, before)
        return Reply()
    raise not_found(
        f"failed to find cluster to drop, instance_id={iid} cluster_id={cluster.cluster_id} "
        f"cluster_name={cluster.cluster_name} help Msg={HELP_MSG}"
    )


async def _update_target(
    svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest
) -> tuple[str, InstanceInfoPB, cloud_pb2.ClusterPB]:
    """Spec 4.9 common part: the instance and the cluster addressed by cluster_id."""
    iid = await _cluster_front(svc, txn, req)
    if not req.cluster.cluster_id:
        raise invalid("missing cluster_id=")
    inst = await load_instance(txn, iid)
    if inst is None:
        raise invalid(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise invalid(DELETED_MSG)
    for existing in inst.clusters:
        if existing.cluster_id == req.cluster.cluster_id:
            return iid, inst, existing
    raise invalid(
        f"failed to find cluster to update, instance_id={iid} cluster_id={req.cluster.cluster_id} "
        f"cluster_name={req.cluster.cluster_name}"
    )


async def rename_cluster(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    _, inst, target = await _update_target(svc, txn, req)
    before = node_counts(inst)
    new_name = req.cluster.cluster_name
    for i, other in enumerate(inst.clusters):
        if other.cluster_name != new_name:
            continue
        if req.replace_if_existing_empty_target_cluster and other is not target and len(other.nodes) == 0:
            del inst.clusters[i]
            break
        raise invalid(
            "failed to rename cluster, a cluster with the same name already exists in this instance "
            f"{to_compact_json(target)}"
        )
    target.cluster_name = new_name
    save_instance(txn, inst, before)
    return Reply()


async def update_cluster_mysql_user_name(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    _, inst, target = await _update_target(svc, txn, req)
    before = node_counts(inst)
    del target.mysql_user_name[:]
    target.mysql_user_name.extend(req.cluster.mysql_user_name)
    save_instance(txn, inst, before)
    return Reply()


_STATUS_TRANSITIONS = {
    cloud_pb2.UNKNOWN: {cloud_pb2.NORMAL},
    cloud_pb2.NORMAL: {cloud_pb2.SUSPENDED, cloud_pb2.MANUAL_SHUTDOWN},
    cloud_pb2.SUSPENDED: {cloud_pb2.NORMAL, cloud_pb2.TO_RESUME},
    cloud_pb2.TO_RESUME: {cloud_pb2.NORMAL},
    cloud_pb2.MANUAL_SHUTDOWN: {cloud_pb2.NORMAL},
}


async def set_cluster_status(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    _, inst, target = await _update_target(svc, txn, req)
    if target.type != ClusterPB.COMPUTE:
        raise invalid("just support set COMPUTE cluster status")
    want = req.cluster.cluster_status
    have = target.cluster_status
    name = cloud_pb2.ClusterStatus.Name
    if want == have:
        raise invalid(f"failed to set cluster status, status eq original status, original cluster is {name(have)}")
    if want not in _STATUS_TRANSITIONS.get(have, set()):
        raise invalid(f"failed to set cluster status, original cluster is {name(have)} and want set {name(want)}")
    before = node_counts(inst)
    target.cluster_status = want
    save_instance(txn, inst, before)
    return Reply()


def _matches(cluster: cloud_pb2.ClusterPB, req_cluster: cloud_pb2.ClusterPB) -> bool:
    return (req_cluster.HasField("cluster_name") and cluster.cluster_name == req_cluster.cluster_name) or (
        req_cluster.HasField("cluster_id") and cluster.cluster_id == req_cluster.cluster_id
    )


def _check_instance_valid(inst: InstanceInfoPB) -> None:
    """After a node change the first SQL cluster keeps <= 1 master and >= 1 master or follower."""
    for cluster in inst.clusters:
        if cluster.type != ClusterPB.SQL:
            continue
        masters = sum(1 for n in cluster.nodes if n.node_type == NodeInfoPB.FE_MASTER)
        followers = sum(1 for n in cluster.nodes if n.node_type == NodeInfoPB.FE_FOLLOWER)
        if masters > 1 or masters + followers == 0:
            raise invalid("instance invalid, cant modify, plz check")
        return


async def _node_target(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> tuple[str, InstanceInfoPB]:
    iid = await _cluster_front(svc, txn, req)
    await _cluster_check(svc, txn, req.cluster, adding=False)
    inst = await load_instance(txn, iid)
    if inst is None:
        raise invalid(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    if inst.status == InstanceInfoPB.DELETED:
        raise invalid(DELETED_MSG)
    return iid, inst


async def add_node(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    iid, inst = await _node_target(svc, txn, req)
    cluster = req.cluster
    _check_endpoints(inst, cluster, taken_code=Code.INVALID_ARGUMENT)
    await _check_cuids_unowned(txn, iid, cluster, code=Code.INVALID_ARGUMENT)
    before = node_counts(inst)
    now = svc.now_s()
    for target in inst.clusters:
        if not _matches(target, cluster):
            continue
        for node in cluster.nodes:
            added = target.nodes.add()
            added.CopyFrom(node)
            added.status = cloud_pb2.NODE_STATUS_RUNNING
            if not added.HasField("ctime"):
                added.ctime = now
            added.mtime = now
    _check_instance_valid(inst)
    save_instance(txn, inst, before)
    return Reply()


def _same_endpoint(a: cloud_pb2.NodeInfoPB, b: cloud_pb2.NodeInfoPB) -> bool:
    def port(n: cloud_pb2.NodeInfoPB) -> int:
        return n.heartbeat_port if n.HasField("heartbeat_port") else n.edit_log_port

    if port(a) != port(b):
        return False
    return (bool(a.ip) and a.ip == b.ip) or (bool(a.host) and a.host == b.host)


async def drop_node(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    try:
        return await _drop_node(svc, txn, req)
    except MetaServiceError as e:
        if "not found" in e.msg:  # spec 4.6 step 4
            e.code = Code.CLUSTER_NOT_FOUND
        raise


async def _drop_node(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    iid, inst = await _node_target(svc, txn, req)
    cluster = req.cluster
    where = f"instance_id={iid} cluster_name={cluster.cluster_name} cluster_id={cluster.cluster_id}"
    registered = [n for c in inst.clusters for n in c.nodes]
    for node in cluster.nodes:
        same_cuid = [n for n in registered if n.cloud_unique_id == node.cloud_unique_id]
        if not same_cuid:
            raise not_found(
                f"not found ,can not find to drop nodes by cloud_unique_id={node.cloud_unique_id} "
                f"{where} help Msg={HELP_MSG}"
            )
        if not any(_same_endpoint(n, node) for n in same_cuid):
            raise not_found(
                f"not found ,cloud_unique_id can not find to drop node, {where} "
                f"node_info={to_text_dump(node)} help Msg={HELP_MSG}"
            )
    before = node_counts(inst)
    now = svc.now_s()
    for target in inst.clusters:
        if not _matches(target, cluster):
            continue
        for node in cluster.nodes:
            index = next(
                (
                    i
                    for i, n in enumerate(target.nodes)
                    if n.cloud_unique_id == node.cloud_unique_id and _same_endpoint(n, node)
                ),
                None,
            )
            if index is None:
                raise not_found(
                    f"not found ,failed to find node to drop, instance_id={iid} cluster_id={target.cluster_id} "
                    f"cluster_name={target.cluster_name} cluster={to_compact_json(cluster)} help Msg ={HELP_MSG}"
                )
            victim = target.nodes[index]
            if (
                target.type == ClusterPB.SQL
                and svc.settings.enable_check_fe_drop_in_safe_time
                and now - victim.ctime < svc.settings.fe_drop_safe_seconds
            ):
                raise invalid(f"drop fe node not in safe time, try later, node={to_text_dump(victim)}")
            del target.nodes[index]
    _check_instance_valid(inst)
    save_instance(txn, inst, before)
    return Reply()


async def get_cluster(svc: Service, txn: Txn, req: cloud_pb2.GetClusterRequest) -> Reply:
    if not req.cloud_unique_id:
        raise invalid("cloud_unique_id must be given")
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        if not req.instance_id:
            raise invalid("empty instance_id")
        iid = req.instance_id
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    cluster_id, cluster_name, user = req.cluster_id, req.cluster_name, req.mysql_user_name
    if cluster_id:
        cluster_name = user = ""
    elif cluster_name:
        user = ""
    selector = bool(cluster_id or cluster_name or user)
    found = [
        c
        for c in inst.clusters
        if not selector
        or (cluster_name and c.cluster_name == cluster_name)
        or (cluster_id and c.cluster_id == cluster_id)
        or (user and user in c.mysql_user_name)
    ]
    if not found:
        raise not_found(f"fail to get cluster with {to_one_line_text(req)}")
    if selector:
        return Reply(result=found[0])
    resp = cloud_pb2.GetClusterResponse(enable_storage_vault=inst.enable_storage_vault)
    resp.status.code = Code.OK
    resp.status.msg = ""
    resp.cluster.extend(found)
    return Reply(result=resp)


async def get_cluster_status(svc: Service, txn: Txn, req: cloud_pb2.GetClusterStatusRequest) -> Reply:
    if not req.instance_ids and not req.cloud_unique_ids:
        raise invalid("cloud_unique_ids or instance_ids must be given, instance_ids.size: 0 cloud_unique_ids.size: 0")
    if req.instance_ids:
        ids = list(req.instance_ids)
    else:
        ids = [i for i in [await resolve_instance_id(svc, txn, c) for c in req.cloud_unique_ids] if i]
    resp = cloud_pb2.GetClusterStatusResponse()
    resp.status.code = Code.OK
    resp.status.msg = ""
    for iid in ids:
        inst = await load_instance(txn, iid)
        if inst is None:
            continue
        detail = cloud_pb2.GetClusterStatusResponse.GetClusterStatusResponseDetail(instance_id=iid)
        for c in inst.clusters:
            if c.type != ClusterPB.COMPUTE:
                continue
            if req.HasField("status") and c.cluster_status != req.status:
                continue
            status = c.cluster_status if c.HasField("cluster_status") else cloud_pb2.NORMAL
            detail.clusters.add(cluster_id=c.cluster_id, cluster_name=c.cluster_name, cluster_status=status)
        if detail.clusters:
            resp.details.append(detail)
    return Reply(result=resp)


# =================================================================================================
# Object storage and credentials (spec 4.11 - 4.14, 4.18)


async def _instance_by_cuid(svc: Service, txn: Txn, cloud_unique_id: str, *, deleted_ok: bool) -> InstanceInfoPB:
    if not cloud_unique_id:
        raise invalid("cloud unique id not set")
    iid = await resolve_instance_id(svc, txn, cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={iid} err=KeyNotFound")
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
    if inst.HasField("default_storage_vault_id"):
        resp.default_storage_vault_id = inst.default_storage_vault_id
    if inst.HasField("default_storage_vault_name"):
        resp.default_storage_vault_name = inst.default_storage_vault_name
    resp.enable_storage_vault = inst.enable_storage_vault
    return Reply(result=resp)


def _obj_from(req: cloud_pb2.AlterObjStoreInfoRequest) -> ObjectStoreInfoPB:
    """Spec 4.12 steps 1-3: the obj of the request, validated (ak/sk or role_arn)."""
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


def _numeric_id(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


async def add_obj_info(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    obj = _obj_from(req)
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
    ids = [_numeric_id(o.id) for o in inst.obj_info] + [_numeric_id(r) for r in inst.resource_ids]
    next_id = 1 + max((i for i in ids if i is not None), default=0)
    now = svc.now_s()
    new = inst.obj_info.add(
        ctime=now,
        mtime=now,
        id=str(next_id),
        bucket=obj.bucket,
        prefix=_trim_prefix(obj.prefix),
        endpoint=obj.endpoint,
        external_endpoint=obj.external_endpoint,
        region=obj.region,
        provider=obj.provider,
        sse_enabled=inst.sse_enabled,
        use_path_style=obj.use_path_style,
    )
    if obj.HasField("user_id"):
        new.user_id = obj.user_id
    if has_role:
        new.role_arn = obj.role_arn
        new.external_id = obj.external_id
        new.cred_provider_type = cloud_pb2.INSTANCE_PROFILE
    else:
        new.ak = obj.ak
        new.sk = obj.sk
        seal_into(svc, new)
    save_instance(txn, inst, node_counts(inst))
    return Reply()


async def legacy_update_ak_sk(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    obj = _obj_from(req)
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
