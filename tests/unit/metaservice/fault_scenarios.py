"""The fault matrix's scenario table: one seeded store and one valid request per operation.

`build_seed` makes, through the operations themselves, a store on which every operation of the RPC
table and of the HTTP route table has something real to do: an instance with object storage and a
RAM user, an SQL cluster and two compute clusters, two tablets with loaded versions, a prepared
load transaction with a committed rowset, and a started compaction job whose output rowset is
committed. `SCENARIOS` maps an operation's name (RPC name, or HTTP route name for the HTTP-only
routes) to a function building its request from the seed; every request succeeds on the seed (the
matrix checks that first), so an injected fault always has an effect to lose, halve or double.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.executor import Handler
from dorisctl.metaservice.ops import (
    bitmap,
    cluster,
    copy,
    ddl,
    iam,
    instance,
    job,
    restore,
    routine_load,
    stage,
    subtxn,
    tablet,
    txn,
    vault,
)
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

pb = cloud_pb2
IID = "inst1"
FE = f"1:{IID}:fe1"
BE1, BE2, BE3 = (f"1:{IID}:be{i}" for i in (1, 2, 3))
DB, TABLE, INDEX, PART = 1, 10001, 10002, 10003
T1, T2 = 10004, 10005  # T1 has loaded versions 2..5 and a compaction job; T2 a prepared txn's rowset
JOB = "cj1"
NEW_TABLE, NEW_INDEX, NEW_PART = 20001, 20002, 20003
JOB_TXN = 9_000_000
OC = pb.AlterClusterRequest.Operation
OI = pb.AlterInstanceRequest.Operation
OO = pb.AlterObjStoreInfoRequest.Operation
CJ = pb.TabletCompactionJobPB
Action = pb.FinishTabletJobRequest


def obj(ak: str = "AK1", prefix: str = "p1") -> pb.ObjectStoreInfoPB:
    return pb.ObjectStoreInfoPB(
        ak=ak,
        sk=f"SK-of-{ak}",
        bucket="bkt",
        prefix=prefix,
        endpoint="ep",
        external_endpoint="eep",
        region="rg",
        provider=pb.ObjectStoreInfoPB.S3,
        user_id="u1",
    )


VAULT_IID = "inst-vault"
VAULT_FE = f"1:{VAULT_IID}:fe"


def add_vault(name: str) -> pb.AlterObjStoreInfoRequest:
    req = pb.AlterObjStoreInfoRequest(cloud_unique_id=VAULT_FE, op=OO.ADD_S3_VAULT)
    req.vault.name = name
    req.vault.obj_info.CopyFrom(obj(f"AK-{name}", name))
    return req


def _default_vault(name: str) -> pb.AlterObjStoreInfoRequest:
    req = add_vault(name)
    req.set_as_default_storage_vault = True
    return req


def compute(cid: str, cuids: list[str], ip: str, first_port: int = 9050) -> pb.ClusterPB:
    c = pb.ClusterPB(cluster_id=cid, cluster_name=f"name_{cid}", type=pb.ClusterPB.COMPUTE)
    for i, cuid in enumerate(cuids):
        c.nodes.add(cloud_unique_id=cuid, ip=ip, heartbeat_port=first_port + i)
    return c


def tablet_meta(tablet_id: int) -> olap_file_pb2.TabletMetaCloudPB:
    meta = olap_file_pb2.TabletMetaCloudPB(
        table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=tablet_id, schema_version=0
    )
    rs = meta.rs_metas.add(rowset_id=0, tablet_id=tablet_id, start_version=0, end_version=1, rowset_id_v2="init")
    rs.num_segments = 0
    meta.schema.CopyFrom(olap_file_pb2.TabletSchemaCloudPB(keys_type=olap_file_pb2.UNIQUE_KEYS, schema_version=0))
    return meta


def rowset(txn_id: int, tablet_id: int, rid: str, rows: int = 100) -> olap_file_pb2.RowsetMetaCloudPB:
    return olap_file_pb2.RowsetMetaCloudPB(
        rowset_id=0,
        tablet_id=tablet_id,
        txn_id=txn_id,
        rowset_id_v2=rid,
        num_rows=rows,
        total_disk_size=11000,
        data_disk_size=10000,
        index_disk_size=1000,
        num_segments=1,
        txn_expiration=10**10,
        index_id=INDEX,
        schema_version=0,
    )


def begin_req(label: str) -> pb.BeginTxnRequest:
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=60_000)
    return pb.BeginTxnRequest(cloud_unique_id=BE1, txn_info=info)


def compaction(now: int, **kw: Any) -> CJ:
    c = CJ(
        id=JOB,
        initiator="be1",
        type=CJ.CUMULATIVE,
        base_compaction_cnt=0,
        cumulative_compaction_cnt=0,
        expiration=now + 100,
        lease=now + 10,
        **kw,
    )
    c.input_versions.extend((2, 5))
    return c


def finished_compaction(now: int) -> CJ:
    done = compaction(
        now,
        output_cumulative_point=6,
        num_input_rowsets=4,
        num_output_rowsets=1,
        num_input_segments=4,
        num_output_segments=1,
        num_input_rows=400,
        num_output_rows=400,
        size_input_rowsets=44000,
        size_output_rowsets=30000,
        index_size_input_rowsets=4000,
        index_size_output_rowsets=3000,
        segment_size_input_rowsets=40000,
        segment_size_output_rowsets=27000,
    )
    done.output_versions.append(5)
    done.output_rowset_ids.append("out")
    done.txn_id.append(JOB_TXN)
    return done


def lock_req(lock_id: int, table_id: int = TABLE) -> pb.GetDeleteBitmapUpdateLockRequest:
    return pb.GetDeleteBitmapUpdateLockRequest(
        cloud_unique_id=FE, table_id=table_id, lock_id=lock_id, initiator=-1, expiration=1000
    )


def bitmap_req(lock_id: int, value: bytes) -> pb.UpdateDeleteBitmapRequest:
    """Segment 0 of T2's pending rowset at version 6; a value over 90,000 bytes is stored in chunks."""
    return pb.UpdateDeleteBitmapRequest(
        cloud_unique_id=BE1, table_id=TABLE, partition_id=PART, tablet_id=T2, lock_id=lock_id, initiator=-1,
        rowset_ids=["pending-rs"], segment_ids=[0], versions=[6], segment_delete_bitmaps=[value],
    )  # fmt: skip


@dataclass
class Seed:
    now: int
    prepared_txn: int = 0  # PREPARED, its rowset on T2 committed (tmp)
    loaded_txns: list[int] = field(default_factory=list)  # VISIBLE, versions 2..5 of T1
    sub_host_txn: int = 0  # PREPARED, with one sub txn begun
    sub_txn: int = 0


async def build_seed(svc: Service) -> Seed:
    """Populate svc's store (no faults) with what every scenario needs."""
    kv: TxnKv = svc.kv

    async def call(op: Handler, req: Message) -> Any:
        reply = await run_txn(kv, lambda t: op(svc, t, req))
        return reply.result

    seed = Seed(now=svc.now_s())
    await run_txn(kv, lambda t: seed_extra_instances(svc, t))
    # storage vaults and IAM: an instance with one S3 vault, and the deployment's IAM user
    await call(instance.create_instance, pb.CreateInstanceRequest(instance_id=VAULT_IID, name="v", user_id="u"))
    await call(vault.alter_storage_vault, add_vault("v1"))
    await call(iam.alter_iam, pb.AlterIamRequest(account_id="acc", ak="IAK", sk="ISK"))
    create = pb.CreateInstanceRequest(instance_id=IID, name="n", user_id="u1", obj_info=obj())
    create.ram_user.CopyFrom(pb.RamUserPB(user_id="ru", ak="RAK", sk="RSK"))
    await call(instance.create_instance, create)
    fe = pb.ClusterPB(
        cluster_id="RESERVED_CLUSTER_ID_FOR_SQL_SERVER",
        cluster_name="RESERVED_CLUSTER_NAME_FOR_SQL_SERVER",
        type=pb.ClusterPB.SQL,
    )
    fe.nodes.add(cloud_unique_id=FE, ip="10.0.0.1", edit_log_port=9010, node_type=pb.NodeInfoPB.FE_MASTER)
    await call(cluster.add_cluster, pb.AlterClusterRequest(instance_id=IID, cluster=fe))
    await call(
        cluster.add_cluster, pb.AlterClusterRequest(instance_id=IID, cluster=compute("c1", [BE1, BE2], "10.0.0.2"))
    )
    await call(cluster.add_cluster, pb.AlterClusterRequest(instance_id=IID, cluster=compute("c2", [], "10.0.0.3")))
    await call(
        tablet.create_tablets,
        pb.CreateTabletsRequest(cloud_unique_id=BE1, db_id=DB, tablet_metas=[tablet_meta(T1), tablet_meta(T2)]),
    )
    for i in range(4):  # versions 2..5 of T1
        txn_id = (await call(txn.begin_txn, begin_req(f"load{i}"))).txn_id
        req = pb.CreateRowsetRequest(cloud_unique_id=BE1, rowset_meta=rowset(txn_id, T1, f"r{txn_id}"))
        await call(tablet.prepare_rowset, req)
        await call(tablet.commit_rowset, req)
        await call(txn.commit_txn, pb.CommitTxnRequest(cloud_unique_id=BE1, txn_id=txn_id))
        seed.loaded_txns.append(txn_id)
    seed.prepared_txn = (await call(txn.begin_txn, begin_req("pending"))).txn_id
    req = pb.CreateRowsetRequest(cloud_unique_id=BE1, rowset_meta=rowset(seed.prepared_txn, T2, "pending-rs"))
    await call(tablet.prepare_rowset, req)
    await call(tablet.commit_rowset, req)
    # merge-on-write: the prepared load holds TABLE's delete-bitmap lock and wrote a bitmap of T2
    await call(bitmap.get_delete_bitmap_update_lock, lock_req(seed.prepared_txn))
    await call(bitmap.update_delete_bitmap, bitmap_req(seed.prepared_txn, b"seed"))
    out = pb.CreateRowsetRequest(cloud_unique_id=BE1, rowset_meta=rowset(JOB_TXN, T1, "out", rows=400))
    await call(tablet.commit_rowset, out)
    start = pb.StartTabletJobRequest(cloud_unique_id=BE1)
    start.job.idx.tablet_id = T1
    start.job.compaction.append(compaction(seed.now))
    await call(job.start_tablet_job, start)
    # DDL in flight: a prepared index of a new table and a prepared partition of T1's table
    await call(ddl.prepare_index, pb.IndexRequest(cloud_unique_id=BE1, db_id=DB, table_id=NEW_TABLE,
                                                  index_ids=[NEW_INDEX], expiration=seed.now + 100))  # fmt: skip
    await call(ddl.prepare_partition, pb.PartitionRequest(cloud_unique_id=BE1, db_id=DB, table_id=TABLE,
                                                          index_ids=[INDEX], partition_ids=[NEW_PART],
                                                          expiration=seed.now + 100))  # fmt: skip
    # a transaction with one sub txn, for begin_sub_txn / abort_sub_txn
    seed.sub_host_txn = (await call(txn.begin_txn, begin_req("sub-host"))).txn_id
    sub = pb.BeginSubTxnRequest(cloud_unique_id=BE1, txn_id=seed.sub_host_txn, sub_txn_num=0, db_id=DB,
                                table_ids=[TABLE], label="sub-host-0")  # fmt: skip
    seed.sub_txn = (await call(subtxn.begin_sub_txn, sub)).sub_txn_id
    # stages, a loading copy job, routine-load and streaming progress, a prepared restore of T2
    await call(stage.create_stage, pb.CreateStageRequest(cloud_unique_id=FE, stage=pb.StagePB(
        type=pb.StagePB.INTERNAL, mysql_user_name=["root"], mysql_user_id=["uid1"], stage_id="sid-int")))  # fmt: skip
    await call(stage.create_stage, pb.CreateStageRequest(cloud_unique_id=FE, stage=_external_stage("ext1")))
    await call(copy.begin_copy, _begin_copy("copy1", "f0", "f1"))
    await call(routine_load.reset_rl_progress, pb.ResetRLProgressRequest(
        cloud_unique_id=FE, db_id=DB, job_id=RL_JOB, partition_to_offset={0: 10, 1: 20}))  # fmt: skip
    await call(routine_load.reset_streaming_job_offset, pb.ResetStreamingJobOffsetRequest(
        cloud_unique_id=FE, db_id=DB, job_id=STREAM_JOB, offset="{\"file\": \"a.csv\"}"))  # fmt: skip
    await call(restore.prepare_restore_job, _restore(T2))
    return seed


RL_JOB, STREAM_JOB, STAGE_ID = 7, 8, "sid-ext"


def _external_stage(name: str) -> pb.StagePB:
    return pb.StagePB(type=pb.StagePB.EXTERNAL, name=name, stage_id=f"sid-{name}", obj_info=obj("SAK", "stage"))


def _begin_copy(copy_id: str, *files: str) -> pb.BeginCopyRequest:
    req = pb.BeginCopyRequest(cloud_unique_id=FE, stage_id=STAGE_ID, stage_type=pb.StagePB.EXTERNAL, table_id=TABLE,
                              copy_id=copy_id, group_id=0, start_time_ms=1, timeout_time_ms=2)  # fmt: skip
    for f in files:
        req.object_files.add(relative_path=f, etag=f"etag-{f}", size=100)
    return req


def _restore(tablet_id: int) -> pb.RestoreJobRequest:
    meta = tablet_meta(tablet_id)
    meta.rs_metas[0].num_rows = 0
    meta.rs_metas.add().CopyFrom(rowset(0, tablet_id, f"restored-{tablet_id}", rows=7))
    meta.rs_metas[1].start_version = meta.rs_metas[1].end_version = 2
    return pb.RestoreJobRequest(cloud_unique_id=BE1, tablet_id=tablet_id, tablet_meta=meta, expiration=3600)


def _alter_cluster(cl: pb.ClusterPB, **kw: Any) -> pb.AlterClusterRequest:
    return pb.AlterClusterRequest(instance_id=IID, cluster=cl, **kw)


def _finish(seed: Seed, action: int, c: CJ | None = None) -> pb.FinishTabletJobRequest:
    req = pb.FinishTabletJobRequest(cloud_unique_id=BE1, action=action)  # type: ignore[arg-type]
    req.job.idx.tablet_id = T1
    req.job.compaction.append(c if c is not None else compaction(seed.now))
    return req


def _tablet_idx(*tablets: int) -> list[pb.TabletIndexPB]:
    return [pb.TabletIndexPB(table_id=TABLE, index_id=INDEX, partition_id=PART, tablet_id=t) for t in tablets]


def _start_t2(seed: Seed) -> pb.StartTabletJobRequest:
    req = pb.StartTabletJobRequest(cloud_unique_id=BE1)
    req.job.idx.tablet_id = T2
    c = compaction(seed.now)
    c.id = "cj2"
    req.job.compaction.append(c)
    return req


def _new_rowset(seed: Seed) -> pb.CreateRowsetRequest:
    return pb.CreateRowsetRequest(cloud_unique_id=BE1, rowset_meta=rowset(seed.prepared_txn, T1, "new-rs"))


def _check_kv() -> pb.CheckKVRequest:
    req = pb.CheckKVRequest(cloud_unique_id=BE1, op=pb.CheckKVRequest.CREATE_INDEX_AFTER_FE_COMMIT)
    req.check_keys.table_ids.append(TABLE)
    req.check_keys.index_ids.append(INDEX)
    return req


def _update_tmp_rowset(seed: Seed) -> pb.CreateRowsetRequest:
    return pb.CreateRowsetRequest(
        cloud_unique_id=BE1, rowset_meta=rowset(seed.prepared_txn, T2, "pending-rs", rows=200)
    )


Build = Callable[[Seed], Message]

# operation name -> its request on the seed (RPC names, then HTTP-only route names)
SCENARIOS: dict[str, Build] = {
    # instances
    "create_instance": lambda s: pb.CreateInstanceRequest(instance_id="inst2", name="n2", user_id="u2", obj_info=obj()),
    "alter_instance": lambda s: pb.AlterInstanceRequest(instance_id=IID, op=OI.RENAME, name="renamed"),
    "get_instance": lambda s: pb.GetInstanceRequest(cloud_unique_id=BE1),
    "drop_instance": lambda s: pb.AlterInstanceRequest(instance_id="inst-empty"),
    "rename_instance": lambda s: pb.AlterInstanceRequest(instance_id=IID, name="renamed"),
    "enable_instance_sse": lambda s: pb.AlterInstanceRequest(instance_id=IID),
    "disable_instance_sse": lambda s: pb.AlterInstanceRequest(instance_id="inst-sse"),
    "set_instance_status": lambda s: pb.AlterInstanceRequest(instance_id=IID, op=OI.SET_OVERDUE),
    # clusters
    "alter_cluster": lambda s: _alter_cluster(compute("c1", [BE3], "10.0.0.9"), op=OC.ADD_NODE),
    "get_cluster": lambda s: pb.GetClusterRequest(cloud_unique_id=BE1, cluster_name="name_c1"),
    "get_cluster_status": lambda s: pb.GetClusterStatusRequest(instance_ids=[IID]),
    "add_cluster": lambda s: _alter_cluster(compute("c3", [BE3], "10.0.0.4")),
    "drop_cluster": lambda s: _alter_cluster(pb.ClusterPB(cluster_id="c2")),
    "rename_cluster": lambda s: _alter_cluster(pb.ClusterPB(cluster_id="c1", cluster_name="renamed")),
    "add_node": lambda s: _alter_cluster(compute("c1", [BE3], "10.0.0.9")),
    "drop_node": lambda s: _alter_cluster(compute("c1", [BE2], "10.0.0.2", 9051)),
    "update_cluster_mysql_user_name": lambda s: _alter_cluster(pb.ClusterPB(cluster_id="c1", mysql_user_name=["jack"])),
    "set_cluster_status": lambda s: pb.AlterClusterRequest(
        cloud_unique_id=BE1, cluster=pb.ClusterPB(cluster_id="c1", cluster_status=pb.SUSPENDED)
    ),
    # object storage and credentials
    "get_obj_store_info": lambda s: pb.GetObjStoreInfoRequest(cloud_unique_id=BE1),
    "alter_obj_store_info": lambda s: pb.AlterObjStoreInfoRequest(
        cloud_unique_id=BE1, op=OO.ADD_OBJ_INFO, obj=obj("AK2", "p2")
    ),
    "add_obj_info": lambda s: pb.AlterObjStoreInfoRequest(cloud_unique_id=BE1, obj=obj("AK2", "p2")),
    "legacy_update_ak_sk": lambda s: pb.AlterObjStoreInfoRequest(
        cloud_unique_id=BE1, obj=pb.ObjectStoreInfoPB(id="1", ak="AK9", sk="SK9")
    ),
    "update_ak_sk": lambda s: pb.UpdateAkSkRequest(
        instance_id=IID, internal_bucket_user=[pb.RamUserPB(user_id="u1", ak="AK8", sk="SK8")]
    ),
    "alter_ram_user": lambda s: pb.AlterRamUserRequest(
        instance_id=IID, ram_user=pb.RamUserPB(user_id="ru", ak="RAK2", sk="RSK2")
    ),
    # storage vaults and IAM
    "alter_storage_vault": lambda s: _default_vault("v2"),
    "show_storage_vaults": lambda s: pb.GetObjStoreInfoRequest(cloud_unique_id=VAULT_FE),
    "add_s3_vault": lambda s: add_vault("v3"),
    "alter_s3_vault": lambda s: pb.AlterObjStoreInfoRequest(
        cloud_unique_id=VAULT_FE, vault=pb.StorageVaultPB(name="v1", obj_info=pb.ObjectStoreInfoPB(use_path_style=True))
    ),
    "drop_s3_vault": lambda s: add_vault("v1"),  # refused, as upstream
    "add_hdfs_vault": lambda s: pb.AlterObjStoreInfoRequest(  # refused: HDFS is not supported
        cloud_unique_id=VAULT_FE, vault=pb.StorageVaultPB(name="h1", hdfs_info=pb.HdfsVaultInfo(prefix="p"))
    ),
    "drop_hdfs_vault": lambda s: pb.AlterObjStoreInfoRequest(
        cloud_unique_id=VAULT_FE, vault=pb.StorageVaultPB(name="v1")
    ),
    "get_iam": lambda s: pb.GetIamRequest(cloud_unique_id=BE1),
    "alter_iam": lambda s: pb.AlterIamRequest(account_id="acc", ak="IAK2", sk="ISK2"),
    # load transactions
    "begin_txn": lambda s: begin_req("fresh"),
    "precommit_txn": lambda s: pb.PrecommitTxnRequest(cloud_unique_id=BE1, txn_id=s.prepared_txn, db_id=DB),
    "commit_txn": lambda s: pb.CommitTxnRequest(cloud_unique_id=BE1, txn_id=s.prepared_txn, db_id=DB),
    "abort_txn": lambda s: pb.AbortTxnRequest(cloud_unique_id=BE1, txn_id=s.prepared_txn, db_id=DB),
    "get_txn": lambda s: pb.GetTxnRequest(cloud_unique_id=BE1, txn_id=s.loaded_txns[0], db_id=DB),
    "get_txn_id": lambda s: pb.GetTxnIdRequest(cloud_unique_id=BE1, db_id=DB, label="load0"),
    "get_current_max_txn_id": lambda s: pb.GetCurrentMaxTxnRequest(cloud_unique_id=BE1),
    "check_txn_conflict": lambda s: pb.CheckTxnConflictRequest(
        cloud_unique_id=BE1, db_id=DB, end_txn_id=1 << 60, table_ids=[TABLE]
    ),
    "clean_txn_label": lambda s: pb.CleanTxnLabelRequest(cloud_unique_id=BE1, db_id=DB, labels=["load0"]),
    "begin_sub_txn": lambda s: pb.BeginSubTxnRequest(
        cloud_unique_id=BE1, txn_id=s.sub_host_txn, sub_txn_num=1, db_id=DB, table_ids=[TABLE], label="sub-host-1"
    ),
    "abort_sub_txn": lambda s: pb.AbortSubTxnRequest(
        cloud_unique_id=BE1, txn_id=s.sub_host_txn, sub_txn_id=s.sub_txn, sub_txn_num=1, db_id=DB, table_ids=[TABLE]
    ),
    "abort_txn_with_coordinator": lambda s: pb.AbortTxnWithCoordinatorRequest(
        cloud_unique_id=BE1, ip="10.0.0.2", id=1, start_time=s.now + 10
    ),
    # DDL
    "prepare_index": lambda s: pb.IndexRequest(
        cloud_unique_id=BE1, db_id=DB, table_id=NEW_TABLE + 1, index_ids=[NEW_INDEX + 1], expiration=s.now + 100
    ),
    "commit_index": lambda s: pb.IndexRequest(
        cloud_unique_id=BE1, db_id=DB, table_id=NEW_TABLE, index_ids=[NEW_INDEX], is_new_table=True
    ),
    "drop_index": lambda s: pb.IndexRequest(cloud_unique_id=BE1, db_id=DB, table_id=TABLE, index_ids=[INDEX]),
    "prepare_partition": lambda s: pb.PartitionRequest(
        cloud_unique_id=BE1,
        db_id=DB,
        table_id=TABLE,
        index_ids=[INDEX],
        partition_ids=[NEW_PART + 1],
        expiration=s.now + 100,
    ),
    "commit_partition": lambda s: pb.PartitionRequest(
        cloud_unique_id=BE1, db_id=DB, table_id=TABLE, index_ids=[INDEX], partition_ids=[NEW_PART]
    ),
    "drop_partition": lambda s: pb.PartitionRequest(
        cloud_unique_id=BE1,
        db_id=DB,
        table_id=TABLE,
        index_ids=[INDEX],
        partition_ids=[PART],
        need_update_table_version=True,
    ),
    "check_kv": lambda s: _check_kv(),
    # tablets, rowsets, versions, stats
    "create_tablets": lambda s: pb.CreateTabletsRequest(
        cloud_unique_id=BE1, db_id=DB, tablet_metas=[tablet_meta(10006)]
    ),
    "get_tablet": lambda s: pb.GetTabletRequest(cloud_unique_id=BE1, tablet_id=T1),
    "update_tablet": lambda s: pb.UpdateTabletRequest(
        cloud_unique_id=BE1, tablet_meta_infos=[pb.TabletMetaInfoPB(tablet_id=T1, is_in_memory=True)]
    ),
    "update_tmp_rowset": _update_tmp_rowset,
    "prepare_rowset": _new_rowset,
    "commit_rowset": _new_rowset,
    "get_rowset": lambda s: pb.GetRowsetRequest(
        cloud_unique_id=BE1,
        idx=_tablet_idx(T1)[0],
        start_version=0,
        end_version=5,
        base_compaction_cnt=0,
        cumulative_compaction_cnt=0,
        cumulative_point=2,
    ),
    "get_version": lambda s: pb.GetVersionRequest(cloud_unique_id=BE1, db_id=DB, table_id=TABLE, partition_id=PART),
    "get_tablet_stats": lambda s: pb.GetTabletStatsRequest(cloud_unique_id=BE1, tablet_idx=_tablet_idx(T1, T2)),
    # merge-on-write delete bitmaps
    "get_delete_bitmap_update_lock": lambda s: lock_req(s.prepared_txn + 1, table_id=NEW_TABLE),
    "remove_delete_bitmap_update_lock": lambda s: pb.RemoveDeleteBitmapUpdateLockRequest(
        cloud_unique_id=FE, table_id=TABLE, lock_id=s.prepared_txn, initiator=-1
    ),
    "update_delete_bitmap": lambda s: bitmap_req(s.prepared_txn, bytes(range(256)) * 16),
    "get_delete_bitmap": lambda s: pb.GetDeleteBitmapRequest(
        cloud_unique_id=BE1, tablet_id=T2, rowset_ids=["pending-rs"], begin_versions=[0], end_versions=[10]
    ),
    "remove_delete_bitmap": lambda s: pb.RemoveDeleteBitmapRequest(
        cloud_unique_id=BE1, tablet_id=T2, rowset_ids=["pending-rs"], begin_versions=[0], end_versions=[10]
    ),
    # tablet jobs
    "get_schema_dict": lambda s: pb.GetSchemaDictRequest(cloud_unique_id=BE1, index_id=INDEX),
    "start_tablet_job": _start_t2,
    "finish_tablet_job": lambda s: _finish(s, Action.COMMIT, finished_compaction(s.now)),
    "abort_tablet_job": lambda s: _finish(s, Action.ABORT),
    # restore, stages, copy jobs, routine load and streaming jobs
    "prepare_restore_job": lambda s: _restore(T1),
    "commit_restore_job": lambda s: pb.RestoreJobRequest(cloud_unique_id=BE1, tablet_id=T2),
    "finish_restore_job": lambda s: pb.RestoreJobRequest(
        cloud_unique_id=BE1, tablet_id=T2, action=pb.RestoreJobRequest.ABORT
    ),
    "create_stage": lambda s: pb.CreateStageRequest(cloud_unique_id=FE, stage=_external_stage("ext2")),
    "get_stage": lambda s: pb.GetStageRequest(cloud_unique_id=FE, type=pb.StagePB.EXTERNAL, stage_name="ext1"),
    "drop_stage": lambda s: pb.DropStageRequest(cloud_unique_id=FE, type=pb.StagePB.INTERNAL, mysql_user_id="uid1"),
    "begin_copy": lambda s: _begin_copy("copy2", "f1", "f2", "f3"),
    "finish_copy": lambda s: pb.FinishCopyRequest(
        cloud_unique_id=FE,
        stage_id=STAGE_ID,
        table_id=TABLE,
        copy_id="copy1",
        group_id=0,
        action=pb.FinishCopyRequest.ABORT,
    ),
    "get_copy_job": lambda s: pb.GetCopyJobRequest(
        cloud_unique_id=FE, stage_id=STAGE_ID, table_id=TABLE, copy_id="copy1", group_id=0
    ),
    "get_copy_files": lambda s: pb.GetCopyFilesRequest(cloud_unique_id=FE, stage_id=STAGE_ID, table_id=TABLE),
    "filter_copy_files": lambda s: pb.FilterCopyFilesRequest(
        cloud_unique_id=FE, stage_id=STAGE_ID, table_id=TABLE, object_files=_begin_copy("x", "f1", "f9").object_files
    ),
    "get_rl_task_commit_attach": lambda s: pb.GetRLTaskCommitAttachRequest(cloud_unique_id=FE, db_id=DB, job_id=RL_JOB),
    "reset_rl_progress": lambda s: pb.ResetRLProgressRequest(
        cloud_unique_id=FE, db_id=DB, job_id=RL_JOB, partition_to_offset={1: 99}
    ),
    "get_streaming_task_commit_attach": lambda s: pb.GetStreamingTaskCommitAttachRequest(
        cloud_unique_id=FE, db_id=DB, job_id=STREAM_JOB
    ),
    "delete_streaming_job": lambda s: pb.DeleteStreamingJobRequest(cloud_unique_id=FE, db_id=DB, job_id=STREAM_JOB),
    "reset_streaming_job_offset": lambda s: pb.ResetStreamingJobOffsetRequest(
        cloud_unique_id=FE, db_id=DB, job_id=STREAM_JOB, offset='{"file": "b.csv"}'
    ),
}


async def seed_extra_instances(svc: Service, t: Txn) -> None:
    """Instances that drop_instance / disable_instance_sse act on (no clusters; SSE on)."""
    for iid, sse in (("inst-empty", False), ("inst-sse", True)):
        req = pb.CreateInstanceRequest(instance_id=iid, name=iid, user_id="u", obj_info=obj(), sse_enabled=sse)
        await instance.create_instance(svc, t, req)
