"""THE table of meta-service RPCs: name -> operation, request type, response type, flags.

Every transport reads it and none keeps its own list: gRPC serves `/doris.cloud.MetaService/<name>`
and baidu_std `MetaService.<name>` for each entry, and the HTTP API's routes of the same name run
the same operation (transport/http/routes.py adds the HTTP-only routes). Adding an RPC is one
operation function in `ops/` and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from dorisctl.metaservice.context import Reply
from dorisctl.metaservice.executor import Handler
from dorisctl.metaservice.ops import (
    bitmap,
    cluster,
    copy,
    ddl,
    iam,
    instance,
    job,
    resource_rpc,
    restore,
    routine_load,
    schemadict,
    stage,
    storage,
    subtxn,
    tablet,
    txn,
    txnlabel,
    vault,
)
from dorisctl.metaservice.proto import cloud_pb2 as pb


@dataclass(frozen=True)
class Rpc:
    """mutates: the operation may write (read-only ones wait at the executor's read gate);
    per_instance: it read-modify-writes one instance value (queued per instance, see executor)."""

    name: str
    handler: Handler
    request_type: type[Message]
    response_type: type[Message]
    mutates: bool = True
    # A read whose reply is a function of the request and what it reads from the store (audited:
    # no clock, no secrets, no process state but the fixed settings): the reply cache may answer it
    # again while those reads stand (metaservice/replycache.py).
    cached: bool = False
    per_instance: bool = False
    # Another key to queue same-key requests by in the process (see executor.run).
    queue: Callable[[Any], str] | None = None
    # How the operation's Reply becomes the response (default: its result is the response).
    wrap: Callable[[Reply], Message] | None = None

    def respond(self, reply: Reply) -> Message:
        if self.wrap is not None:
            return self.wrap(reply)
        if reply.result is None:
            return self.response_type()
        if not isinstance(reply.result, self.response_type):
            raise TypeError(f"{self.name} returned {type(reply.result).__name__}, not {self.response_type.__name__}")
        return reply.result


def _commit_queue(req: Any) -> str:
    return f"commit_txn/{req.cloud_unique_id}/{req.db_id}"


def _table(*rpcs: Rpc) -> dict[str, Rpc]:
    out: dict[str, Rpc] = {}
    for r in rpcs:
        if r.name in out:
            raise ValueError(f"rpc {r.name} listed twice")
        out[r.name] = r
    return out


RPCS: dict[str, Rpc] = _table(
    # start-up: instances, clusters, object storage
    Rpc(
        "create_instance",
        instance.create_instance,
        pb.CreateInstanceRequest,
        pb.CreateInstanceResponse,
        per_instance=True,
    ),
    Rpc(
        "alter_instance",
        resource_rpc.alter_instance,
        pb.AlterInstanceRequest,
        pb.AlterInstanceResponse,
        per_instance=True,
    ),
    Rpc("get_instance", resource_rpc.get_instance, pb.GetInstanceRequest, pb.GetInstanceResponse, mutates=False),
    Rpc(
        "alter_cluster", resource_rpc.alter_cluster, pb.AlterClusterRequest, pb.AlterClusterResponse, per_instance=True
    ),
    Rpc(
        "get_cluster", resource_rpc.get_cluster, pb.GetClusterRequest, pb.GetClusterResponse, mutates=False, cached=True
    ),
    Rpc(
        "get_cluster_status",
        cluster.get_cluster_status,
        pb.GetClusterStatusRequest,
        pb.GetClusterStatusResponse,
        mutates=False,
    ),
    Rpc(
        "get_obj_store_info",
        storage.get_obj_store_info,
        pb.GetObjStoreInfoRequest,
        pb.GetObjStoreInfoResponse,
        mutates=False,
    ),
    Rpc(
        "alter_obj_store_info",
        resource_rpc.alter_obj_store_info,
        pb.AlterObjStoreInfoRequest,
        pb.AlterObjStoreInfoResponse,
        per_instance=True,
    ),
    Rpc("update_ak_sk", storage.update_ak_sk, pb.UpdateAkSkRequest, pb.UpdateAkSkResponse, per_instance=True),
    Rpc("alter_ram_user", storage.alter_ram_user, pb.AlterRamUserRequest, pb.AlterRamUserResponse, per_instance=True),
    # load transactions
    Rpc("begin_txn", txn.begin_txn, pb.BeginTxnRequest, pb.BeginTxnResponse),
    Rpc("precommit_txn", txn.precommit_txn, pb.PrecommitTxnRequest, pb.PrecommitTxnResponse),
    # Commits of one database bump the same partition and table versions: queued per database in the
    # process, they stop meeting as store conflicts (64 concurrent commits exhausted the retries).
    Rpc("commit_txn", txn.commit_txn, pb.CommitTxnRequest, pb.CommitTxnResponse, queue=_commit_queue),
    Rpc("abort_txn", txn.abort_txn, pb.AbortTxnRequest, pb.AbortTxnResponse),
    Rpc("get_txn", txn.get_txn, pb.GetTxnRequest, pb.GetTxnResponse, mutates=False),
    Rpc("get_txn_id", txnlabel.get_txn_id, pb.GetTxnIdRequest, pb.GetTxnIdResponse, mutates=False),
    Rpc(
        "get_current_max_txn_id",
        txnlabel.get_current_max_txn_id,
        pb.GetCurrentMaxTxnRequest,
        pb.GetCurrentMaxTxnResponse,
        mutates=False,
    ),
    Rpc("clean_txn_label", txnlabel.clean_txn_label, pb.CleanTxnLabelRequest, pb.CleanTxnLabelResponse),
    Rpc(
        "check_txn_conflict",
        txnlabel.check_txn_conflict,
        pb.CheckTxnConflictRequest,
        pb.CheckTxnConflictResponse,
        mutates=False,
    ),
    Rpc(
        "abort_txn_with_coordinator",
        txnlabel.abort_txn_with_coordinator,
        pb.AbortTxnWithCoordinatorRequest,
        pb.AbortTxnWithCoordinatorResponse,
    ),
    Rpc("begin_sub_txn", subtxn.begin_sub_txn, pb.BeginSubTxnRequest, pb.BeginSubTxnResponse),
    Rpc("abort_sub_txn", subtxn.abort_sub_txn, pb.AbortSubTxnRequest, pb.AbortSubTxnResponse),
    # tablets, rowsets, versions, stats
    Rpc("create_tablets", tablet.create_tablets, pb.CreateTabletsRequest, pb.CreateTabletsResponse),
    Rpc("get_tablet", tablet.get_tablet, pb.GetTabletRequest, pb.GetTabletResponse, mutates=False, cached=True),
    Rpc("update_tablet", tablet.update_tablet, pb.UpdateTabletRequest, pb.UpdateTabletResponse),
    Rpc("prepare_rowset", tablet.prepare_rowset, pb.CreateRowsetRequest, pb.CreateRowsetResponse),
    Rpc("commit_rowset", tablet.commit_rowset, pb.CreateRowsetRequest, pb.CreateRowsetResponse),
    Rpc("update_tmp_rowset", tablet.update_tmp_rowset, pb.CreateRowsetRequest, pb.CreateRowsetResponse),
    Rpc("get_rowset", tablet.get_rowset, pb.GetRowsetRequest, pb.GetRowsetResponse, mutates=False, cached=True),
    Rpc("get_version", tablet.get_version, pb.GetVersionRequest, pb.GetVersionResponse, mutates=False, cached=True),
    Rpc(
        "get_tablet_stats",
        tablet.get_tablet_stats,
        pb.GetTabletStatsRequest,
        pb.GetTabletStatsResponse,
        mutates=False,
        cached=True,
    ),
    # tablet jobs
    Rpc("start_tablet_job", job.start_tablet_job, pb.StartTabletJobRequest, pb.StartTabletJobResponse),
    Rpc("finish_tablet_job", job.finish_tablet_job, pb.FinishTabletJobRequest, pb.FinishTabletJobResponse),
    # schema change: schema dictionaries (variant columns)
    Rpc(
        "get_schema_dict", schemadict.get_schema_dict, pb.GetSchemaDictRequest, pb.GetSchemaDictResponse, mutates=False
    ),
    # merge-on-write delete bitmaps (ops/bitmap.py)
    Rpc(
        "get_delete_bitmap_update_lock",
        bitmap.get_delete_bitmap_update_lock,
        pb.GetDeleteBitmapUpdateLockRequest,
        pb.GetDeleteBitmapUpdateLockResponse,
    ),
    Rpc(
        "remove_delete_bitmap_update_lock",
        bitmap.remove_delete_bitmap_update_lock,
        pb.RemoveDeleteBitmapUpdateLockRequest,
        pb.RemoveDeleteBitmapUpdateLockResponse,
    ),
    Rpc(
        "update_delete_bitmap", bitmap.update_delete_bitmap, pb.UpdateDeleteBitmapRequest, pb.UpdateDeleteBitmapResponse
    ),
    Rpc(
        "get_delete_bitmap",
        bitmap.get_delete_bitmap,
        pb.GetDeleteBitmapRequest,
        pb.GetDeleteBitmapResponse,
        mutates=False,
    ),
    Rpc(
        "remove_delete_bitmap", bitmap.remove_delete_bitmap, pb.RemoveDeleteBitmapRequest, pb.RemoveDeleteBitmapResponse
    ),
    # DDL: indexes and partitions
    Rpc("prepare_index", ddl.prepare_index, pb.IndexRequest, pb.IndexResponse),
    Rpc("commit_index", ddl.commit_index, pb.IndexRequest, pb.IndexResponse),
    Rpc("drop_index", ddl.drop_index, pb.IndexRequest, pb.IndexResponse),
    Rpc("prepare_partition", ddl.prepare_partition, pb.PartitionRequest, pb.PartitionResponse),
    Rpc("commit_partition", ddl.commit_partition, pb.PartitionRequest, pb.PartitionResponse),
    Rpc("drop_partition", ddl.drop_partition, pb.PartitionRequest, pb.PartitionResponse),
    Rpc("check_kv", ddl.check_kv, pb.CheckKVRequest, pb.CheckKVResponse, mutates=False),
    # storage vaults and IAM (ops/vault.py, ops/iam.py)
    Rpc(
        "alter_storage_vault",
        vault.alter_storage_vault,
        pb.AlterObjStoreInfoRequest,
        pb.AlterObjStoreInfoResponse,
        per_instance=True,
    ),
    Rpc("get_iam", iam.get_iam, pb.GetIamRequest, pb.GetIamResponse, mutates=False),
    Rpc("alter_iam", iam.alter_iam, pb.AlterIamRequest, pb.AlterIamResponse),
    # restore, stages, copy jobs, routine load and streaming jobs (ops/restore, stage, copy, routine_load)
    Rpc("prepare_restore_job", restore.prepare_restore_job, pb.RestoreJobRequest, pb.RestoreJobResponse),
    Rpc("commit_restore_job", restore.commit_restore_job, pb.RestoreJobRequest, pb.RestoreJobResponse),
    Rpc("finish_restore_job", restore.finish_restore_job, pb.RestoreJobRequest, pb.RestoreJobResponse),
    Rpc("create_stage", stage.create_stage, pb.CreateStageRequest, pb.CreateStageResponse, per_instance=True),
    Rpc("get_stage", stage.get_stage, pb.GetStageRequest, pb.GetStageResponse, mutates=False),
    Rpc("drop_stage", stage.drop_stage, pb.DropStageRequest, pb.DropStageResponse, per_instance=True),
    Rpc("begin_copy", copy.begin_copy, pb.BeginCopyRequest, pb.BeginCopyResponse),
    Rpc("finish_copy", copy.finish_copy, pb.FinishCopyRequest, pb.FinishCopyResponse),
    Rpc("get_copy_job", copy.get_copy_job, pb.GetCopyJobRequest, pb.GetCopyJobResponse, mutates=False),
    Rpc("get_copy_files", copy.get_copy_files, pb.GetCopyFilesRequest, pb.GetCopyFilesResponse, mutates=False),
    Rpc(
        "filter_copy_files",
        copy.filter_copy_files,
        pb.FilterCopyFilesRequest,
        pb.FilterCopyFilesResponse,
        mutates=False,
    ),
    Rpc(
        "get_rl_task_commit_attach",
        routine_load.get_rl_task_commit_attach,
        pb.GetRLTaskCommitAttachRequest,
        pb.GetRLTaskCommitAttachResponse,
        mutates=False,
    ),
    Rpc("reset_rl_progress", routine_load.reset_rl_progress, pb.ResetRLProgressRequest, pb.ResetRLProgressResponse),
    Rpc(
        "get_streaming_task_commit_attach",
        routine_load.get_streaming_task_commit_attach,
        pb.GetStreamingTaskCommitAttachRequest,
        pb.GetStreamingTaskCommitAttachResponse,
        mutates=False,
    ),
    Rpc(
        "delete_streaming_job",
        routine_load.delete_streaming_job,
        pb.DeleteStreamingJobRequest,
        pb.DeleteStreamingJobResponse,
    ),
    Rpc(
        "reset_streaming_job_offset",
        routine_load.reset_streaming_job_offset,
        pb.ResetStreamingJobOffsetRequest,
        pb.ResetStreamingJobOffsetResponse,
    ),
)

# MetaService methods of the pinned contract that came after Doris 3.0 and that this release does
# not implement: both binary transports answer them UNIMPLEMENTED / ENOMETHOD 1002 saying so.
NEWER_THAN_3_0 = frozenset(
    {
        "begin_snapshot",
        "update_snapshot",
        "commit_snapshot",
        "abort_snapshot",
        "drop_snapshot",
        "list_snapshot",
        "clone_instance",
        "update_packed_file_info",
    }
)


def unserved_reason(method: str) -> str:
    """Why `method` has no entry in the table (for the transports' UNIMPLEMENTED / 1002 replies)."""
    if method in NEWER_THAN_3_0:
        return f"{method} is newer than Doris 3.0 and not implemented by dorisctl's meta-service"
    return f"{method[:100]} is not served by dorisctl's meta-service"


# The operations that never write (the executor's read gate; the HTTP routes share these handlers).
READ_ONLY_HANDLERS: frozenset[Handler] = frozenset(r.handler for r in RPCS.values() if not r.mutates)
