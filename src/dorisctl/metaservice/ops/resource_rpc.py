"""The RPC forms of the resource operations, as Doris's FE and BE call them.

The HTTP API names one route per action (add_cluster, drop_node, ...); over gRPC and baidu_std the
FE sends `alter_cluster`, `alter_instance` and `alter_obj_store_info` with an `op`, which upstream
dispatches onto the same resource-manager actions. Here each op runs the operation its HTTP route
runs, so the rules, messages and codes are one code path. Ops dorisctl does not implement
(decommissioning, endpoints, virtual clusters, storage vaults, snapshots) answer INVALID_ARGUMENT
naming the op; a missing op answers `op not given` as upstream.

get_cluster and get_instance differ from their HTTP routes in shape: the RPC answers every
matching cluster in `GetClusterResponse.cluster` (the HTTP route answers the first), and
get_instance takes the request message, requires `cloud_unique_id` and answers the stored instance
(secrets stay sealed, as upstream answers its stored, encrypted form).
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.executor import Handler
from dorisctl.metaservice.model.instances import instance_of_node, resolve_instance_id
from dorisctl.metaservice.ops import cluster, instance, storage
from dorisctl.metaservice.proto import cloud_pb2

ClusterOp = cloud_pb2.AlterClusterRequest.Operation
InstanceOp = cloud_pb2.AlterInstanceRequest.Operation
ObjOp = cloud_pb2.AlterObjStoreInfoRequest.Operation

_CLUSTER_OPS: dict[int, Handler] = {
    ClusterOp.ADD_CLUSTER: cluster.add_cluster,
    ClusterOp.DROP_CLUSTER: cluster.drop_cluster,
    ClusterOp.ADD_NODE: cluster.add_node,
    ClusterOp.DROP_NODE: cluster.drop_node,
    ClusterOp.RENAME_CLUSTER: cluster.rename_cluster,
    ClusterOp.UPDATE_CLUSTER_MYSQL_USER_NAME: cluster.update_cluster_mysql_user_name,
    ClusterOp.SET_CLUSTER_STATUS: cluster.set_cluster_status,
}

_INSTANCE_OPS: dict[int, Handler] = {
    InstanceOp.DROP: instance.drop_instance,
    InstanceOp.RENAME: instance.rename_instance,
    InstanceOp.ENABLE_SSE: instance.enable_instance_sse,
    InstanceOp.DISABLE_SSE: instance.disable_instance_sse,
    InstanceOp.SET_OVERDUE: instance.set_instance_status,
    InstanceOp.SET_NORMAL: instance.set_instance_status,
}

_OBJ_OPS: dict[int, Handler] = {
    ObjOp.ADD_OBJ_INFO: storage.add_obj_info,
    ObjOp.LEGACY_UPDATE_AK_SK: storage.legacy_update_ak_sk,
}


def _op_name(enum: type, op: int) -> str:
    try:
        return str(enum.Name(op))  # type: ignore[attr-defined]
    except ValueError:
        return str(op)


async def alter_cluster(svc: Service, txn: Txn, req: cloud_pb2.AlterClusterRequest) -> Reply:
    if req.cloud_unique_id and not req.instance_id:
        iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
        if not iid:
            raise invalid("empty instance_id")
        req.instance_id = iid
    if not req.instance_id or not req.HasField("cluster"):
        raise invalid("invalid request instance_id or cluster not given")
    if not req.HasField("op"):
        raise invalid("op not given")
    handler = _CLUSTER_OPS.get(req.op)
    if handler is None:
        raise invalid(f"alter_cluster op {_op_name(ClusterOp, req.op)} is not supported by dorisctl")
    done = await handler(svc, txn, req)
    return Reply(msg=done.msg, result=cloud_pb2.AlterClusterResponse())


async def alter_instance(svc: Service, txn: Txn, req: cloud_pb2.AlterInstanceRequest) -> Reply:
    if req.op == InstanceOp.REFRESH:
        return Reply(result=cloud_pb2.AlterInstanceResponse())  # peers read the store directly: nothing to refresh
    handler = _INSTANCE_OPS.get(req.op)
    if handler is None:
        if req.op == InstanceOp.UNKNOWN:
            raise invalid(f"invalid request op, op={int(req.op)}")
        raise invalid(f"alter_instance op {_op_name(InstanceOp, req.op)} is not supported by dorisctl")
    done = await handler(svc, txn, req)
    return Reply(msg=done.msg, result=cloud_pb2.AlterInstanceResponse())


async def alter_obj_store_info(svc: Service, txn: Txn, req: cloud_pb2.AlterObjStoreInfoRequest) -> Reply:
    if not req.HasField("op"):
        raise invalid("op not given")
    handler = _OBJ_OPS.get(req.op)
    if handler is None:
        raise invalid(f"alter_obj_store_info op {_op_name(ObjOp, req.op)} is not supported by dorisctl")
    done = await handler(svc, txn, req)
    return Reply(msg=done.msg, result=cloud_pb2.AlterObjStoreInfoResponse())


async def get_cluster(svc: Service, txn: Txn, req: cloud_pb2.GetClusterRequest) -> Reply:
    """Every cluster matching the request (all of them when it names none)."""
    inst, found, _ = await cluster.find_clusters(svc, txn, req)
    return Reply(result=cloud_pb2.GetClusterResponse(enable_storage_vault=inst.enable_storage_vault, cluster=found))


async def get_instance(svc: Service, txn: Txn, req: cloud_pb2.GetInstanceRequest) -> Reply:
    inst = await instance_of_node(svc, txn, req.cloud_unique_id, "cloud_unique_id must be given")
    return Reply(result=cloud_pb2.GetInstanceResponse(instance=inst))
