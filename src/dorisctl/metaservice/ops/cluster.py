"""Cluster and node operations: add/drop/rename clusters, add/drop nodes, cluster status,
get_cluster and get_cluster_status (spec 4.6 - 4.10). Plain async `(svc, txn, request) -> Reply`
functions over one transaction; no transport types here.
"""

from __future__ import annotations

import re

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import (
    Code,
    MetaServiceError,
    already_existed,
    get_err,
    invalid,
    not_found,
)
from dorisctl.metaservice.model.instances import (
    DELETED_MSG,
    HELP_MSG,
    degraded_and_missing,
    degraded_instance_id,
    instances_owning,
    load_instance,
    node_counts,
    resolve_instance_id,
    save_instance,
    to_compact_json,
    to_one_line_text,
    to_text_dump,
)
from dorisctl.metaservice.proto import cloud_pb2

InstanceInfoPB = cloud_pb2.InstanceInfoPB
ClusterPB = cloud_pb2.ClusterPB
NodeInfoPB = cloud_pb2.NodeInfoPB
ObjectStoreInfoPB = cloud_pb2.ObjectStoreInfoPB
AlterInstanceOp = cloud_pb2.AlterInstanceRequest.Operation
AlterClusterOp = cloud_pb2.AlterClusterRequest.Operation

CLUSTER_NAME_REGEX = "^[a-zA-Z][a-zA-Z0-9_]*$"
_CLUSTER_NAME_RE = re.compile(CLUSTER_NAME_REGEX)
FE_TYPES = (NodeInfoPB.FE_MASTER, NodeInfoPB.FE_OBSERVER, NodeInfoPB.FE_FOLLOWER)


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


async def find_clusters(
    svc: Service, txn: Txn, req: cloud_pb2.GetClusterRequest
) -> tuple[InstanceInfoPB, list[cloud_pb2.ClusterPB], bool]:
    """(instance, the clusters the request selects, whether it named any): by cluster_id, else
    cluster_name, else mysql user name (Doris's precedence); every cluster when it names none.
    CLUSTER_NOT_FOUND when nothing matches."""
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
    return inst, found, selector


async def get_cluster(svc: Service, txn: Txn, req: cloud_pb2.GetClusterRequest) -> Reply:
    """The HTTP route: the cluster asked for, or every cluster in a GetClusterResponse."""
    inst, found, selector = await find_clusters(svc, txn, req)
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
