"""The HTTP API's route table (`/MetaService/http/<route>`).

Every RPC of the one RPC table (`metaservice.rpc.RPCS`) answers at the route of its name with its
request and response in protobuf JSON (`_register_table`, at the end: an RPC added to the table
gets its route with nothing to add here). The routes registered here by name are the RPCs whose
HTTP answer differs (spec 1.7, 7.5, 7.6) and the HTTP-only routes of Doris's API (add_cluster,
drop_node, ... which upstream maps onto alter_cluster / alter_instance / alter_obj_store_info),
each naming its operation. Query-string routes (get_instance, decode_key, encode_key) are entries
too, with their own request reader (registered by transport/http/app.py, replacing the default).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from google.protobuf import text_format
from google.protobuf.message import Message
from starlette.requests import Request
from starlette.responses import Response

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.executor import Handler
from dorisctl.metaservice.ops import cluster, instance, job, storage
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.rpc import RPCS
from dorisctl.metaservice.transport.http.envelope import status_of

if TYPE_CHECKING:
    from dorisctl.metaservice.transport.http.app import MetaServiceHttp

ErrorResult = Literal["none", "empty", "status"]


@dataclass(frozen=True)
class JsonRoute:
    """A JSON-body route: the body is `request_type` in protobuf JSON; one transaction runs `handler`.

    error_result: what `result` an error reply carries (spec trap 8): nothing, `{}`, or the
    response message holding only its `status`.
    """

    handler: Handler
    request_type: type[Message]
    error_result: ErrorResult = "none"
    response_type: type[Message] | None = None
    mutates: bool = True
    # Replies that are not the JSON envelope (spec 1.7): render a success / an error (incl. parse errors).
    reply: Callable[[Reply], Response] | None = None
    error_reply: Callable[[int, str], Response] | None = None
    # Read-modify-write of one instance value: queued per instance in the process (executor.InstanceQueue).
    per_instance: bool = False
    queue: Callable[[Any], str] | None = None  # as Rpc.queue
    # Adjusts the parsed request before the handler runs (e.g. the op a vault route forces).
    adjust: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class QueryRoute:
    """A route whose request is the query string; `serve` answers it."""

    serve: Callable[[MetaServiceHttp, Request], Awaitable[Response]]


Route = JsonRoute | QueryRoute

ROUTES: dict[str, Route] = {}
_FROM_TABLE: set[str] = set()  # routes made by _register_table, which a registration may replace


def register(name: str, route: Route) -> None:
    """Add a route (other modules register theirs the same way); it replaces the RPC table's default."""
    if name in ROUTES and name not in _FROM_TABLE:
        raise ValueError(f"route {name} registered twice")
    _FROM_TABLE.discard(name)
    ROUTES[name] = route


def _protobuf_text_reply(reply: Reply) -> Response:
    """get_tablet_stats (spec 7.5): the response in protobuf text format plus one more newline."""
    assert reply.result is not None
    return Response((text_format.MessageToString(reply.result) + "\n").encode(), media_type="text/plain")


def _status_only_error(code: int, msg: str) -> Response:
    """get_tablet_stats errors (spec 1.7): only the HTTP status; the body is a newline."""
    return Response(b"\n", status_code=status_of(code)[0], media_type="text/plain")


def _without_result(handler: Handler) -> Handler:
    """abort_txn / abort_tablet_job answer only `{code, msg}` (spec 7.6, 7.8)."""

    async def run(svc: Service, txn: Txn, req: Message) -> Reply:
        reply = await handler(svc, txn, req)
        return Reply(msg=reply.msg)

    return run


def _rpc(name: str, error_result: ErrorResult = "status") -> JsonRoute:
    """An RPC over HTTP: result = the response message; errors carry its status and data."""
    rpc = RPCS[name]
    return JsonRoute(
        rpc.handler,
        rpc.request_type,
        error_result=error_result,
        response_type=rpc.response_type if error_result == "status" else None,
        mutates=rpc.mutates,
        per_instance=rpc.per_instance,
        queue=rpc.queue,
    )


_AI = cloud_pb2.AlterInstanceRequest
_AC = cloud_pb2.AlterClusterRequest
_AO = cloud_pb2.AlterObjStoreInfoRequest

# Resource routes (spec 4).
for _name, _route in {
    "create_instance": JsonRoute(instance.create_instance, cloud_pb2.CreateInstanceRequest, per_instance=True),
    "drop_instance": JsonRoute(instance.drop_instance, _AI, per_instance=True),
    "rename_instance": JsonRoute(instance.rename_instance, _AI, per_instance=True),
    "enable_instance_sse": JsonRoute(instance.enable_instance_sse, _AI, per_instance=True),
    "disable_instance_sse": JsonRoute(instance.disable_instance_sse, _AI, per_instance=True),
    "set_instance_status": JsonRoute(instance.set_instance_status, _AI, per_instance=True),
    "add_cluster": JsonRoute(cluster.add_cluster, _AC, per_instance=True),
    "drop_cluster": JsonRoute(cluster.drop_cluster, _AC, per_instance=True),
    "rename_cluster": JsonRoute(cluster.rename_cluster, _AC, per_instance=True),
    "add_node": JsonRoute(cluster.add_node, _AC, per_instance=True),
    "drop_node": JsonRoute(cluster.drop_node, _AC, per_instance=True),
    "update_cluster_mysql_user_name": JsonRoute(cluster.update_cluster_mysql_user_name, _AC, per_instance=True),
    "set_cluster_status": JsonRoute(cluster.set_cluster_status, _AC, per_instance=True),
    "get_cluster": JsonRoute(cluster.get_cluster, cloud_pb2.GetClusterRequest, mutates=False),
    "get_cluster_status": _rpc("get_cluster_status", error_result="none"),
    "get_obj_store_info": _rpc("get_obj_store_info"),
    "add_obj_info": JsonRoute(storage.add_obj_info, _AO, per_instance=True),
    "legacy_update_ak_sk": JsonRoute(storage.legacy_update_ak_sk, _AO, per_instance=True),
    "update_ak_sk": JsonRoute(storage.update_ak_sk, cloud_pb2.UpdateAkSkRequest, per_instance=True),
    "alter_ram_user": JsonRoute(storage.alter_ram_user, cloud_pb2.AlterRamUserRequest, per_instance=True),
}.items():
    register(_name, _route)

# Storage vaults and IAM (ops/vault.py, ops/iam.py): the RPCs, and upstream's HTTP names of the
# vault ops (each forces its op, as upstream's process_alter_storage_vault does).
for _name in ("alter_storage_vault", "get_iam", "alter_iam"):
    register(_name, _rpc(_name))
register("show_storage_vaults", _rpc("get_obj_store_info"))


def _force_op(op: int) -> Callable[[Any], None]:
    def adjust(req: Any) -> None:
        req.op = op

    return adjust


for _name, _op in {
    "add_s3_vault": _AO.ADD_S3_VAULT,
    "alter_s3_vault": _AO.ALTER_S3_VAULT,
    "drop_s3_vault": _AO.DROP_S3_VAULT,
    "add_hdfs_vault": _AO.ADD_HDFS_INFO,
    "drop_hdfs_vault": _AO.DROP_HDFS_INFO,
}.items():
    register(
        _name,
        JsonRoute(
            RPCS["alter_storage_vault"].handler,
            _AO,
            error_result="status",
            response_type=cloud_pb2.AlterObjStoreInfoResponse,
            per_instance=True,
            adjust=_force_op(_op),
        ),
    )

# Transactions, tablets, rowsets, tablet jobs (docs/transactions.md).
register(
    "get_tablet_stats",
    JsonRoute(
        RPCS["get_tablet_stats"].handler,
        cloud_pb2.GetTabletStatsRequest,
        mutates=False,
        reply=_protobuf_text_reply,
        error_reply=_status_only_error,
    ),
)
register("abort_txn", JsonRoute(_without_result(RPCS["abort_txn"].handler), cloud_pb2.AbortTxnRequest))
register("abort_tablet_job", JsonRoute(_without_result(job.abort_tablet_job), cloud_pb2.FinishTabletJobRequest))
for _name in (
    "begin_txn",
    "precommit_txn",
    "commit_txn",
    "get_txn",
    "create_tablets",
    "get_tablet",
    "prepare_rowset",
    "commit_rowset",
    "get_rowset",
    "get_version",
    "start_tablet_job",
    "finish_tablet_job",
):
    register(_name, _rpc(_name))

# Schema change: schema dictionaries.
register("get_schema_dict", _rpc("get_schema_dict"))
# Merge-on-write delete bitmaps (ops/bitmap.py).
for _name in (
    "get_delete_bitmap_update_lock",
    "remove_delete_bitmap_update_lock",
    "update_delete_bitmap",
    "get_delete_bitmap",
    "remove_delete_bitmap",
):
    register(_name, _rpc(_name))


def _register_table() -> None:
    """Every RPC of the table without a route of its own answers as `_rpc` does."""
    for name in RPCS:
        if name not in ROUTES:
            ROUTES[name] = _rpc(name)
            _FROM_TABLE.add(name)


_register_table()
