"""Tmp rowsets of finished txns past retention lose their objects and keys (recycler/tmp_rowsets.py,
upstream's recycle_tmp_rowsets), on every store kind (SQLite, PostgreSQL, etcd) with a real S3
(SeaweedFS); those of running txns, or not yet due, stay."""

from __future__ import annotations

from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as ofp
from dorisctl.metaservice.recycler import Recycler
from tests.fixtures.s3 import BUCKET, WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import (  # noqa: F401 - fixture
    create_instance,
    empty_prefix,
    fast_cfg,
    get_kv,
    list_keys,
    put_kv,
    put_objects,
    store,
)

IID = "tmpgc"
DB = 1
RETENTION = 259200


def tmp_rowset(
    txn_id: int, tablet: int, rid: str, segs: int, *, expiration: int = 0, created: int = 0, resource: str = "1",
    inverted: int | None = None, index_id: int | None = None,
) -> bytes:  # fmt: skip
    rs = ofp.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=rid, tablet_id=tablet, txn_id=txn_id, num_segments=segs)
    if resource:
        rs.resource_id = resource
    if expiration:
        rs.txn_expiration = expiration
    if created:
        rs.creation_time = created
    if inverted is not None:  # an inverted index 100 in a schema of that storage format
        rs.tablet_schema.inverted_index_storage_format = inverted  # type: ignore[assignment]
        rs.tablet_schema.index.add(index_id=100, index_type=ofp.INVERTED)
    if index_id is not None:
        rs.index_id, rs.schema_version = index_id, 1
    return rs.SerializeToString()


def txn_records(txn_id: int, status: int) -> dict[bytes, bytes]:
    index = pb.TxnIndexPB()
    index.tablet_index.db_id = DB
    info = pb.TxnInfoPB(db_id=DB, txn_id=txn_id, label=f"l{txn_id}", status=status)  # type: ignore[arg-type]
    return {
        keys.txn_index_key(IID, txn_id): index.SerializeToString(),
        keys.txn_info_key(IID, DB, txn_id): info.SerializeToString(),
    }


async def test_tmp_rowsets_of_finished_txns_are_recycled(store: Service, s3: WeedMini) -> None:  # noqa: F811
    svc = store
    client = s3.client()
    empty_prefix(client, f"{IID}/")
    await create_instance(svc, IID, s3.endpoint, IID)
    now = svc.now_s()
    old = now - RETENTION - 10  # due: past txn_expiration + retention_seconds
    d = f"{IID}/data"
    aborted, prepared = pb.TXN_STATUS_ABORTED, pb.TXN_STATUS_PREPARED
    committed, visible = pb.TXN_STATUS_COMMITTED, pb.TXN_STATUS_VISIBLE
    txns = (
        txn_records(1001, aborted)
        | txn_records(1002, aborted)
        | txn_records(1003, prepared)
        | txn_records(1004, committed)  # a lazy commit still converting
        | txn_records(1006, aborted)
        | txn_records(1007, visible)
    )  # txn 1005 was recycled already: no index, no info
    tmp = {
        # due, txn finished -> objects and key go
        (1001, 10): tmp_rowset(1001, 10, "ta", 1, expiration=old, inverted=ofp.V1),
        (1005, 10): tmp_rowset(1005, 10, "tb", 1, created=old, index_id=77),  # stored schema gone: V2 guess
        (1006, 11): tmp_rowset(1006, 11, "", 0, expiration=old, resource=""),  # delete predicate: no objects
        (1007, 11): tmp_rowset(1007, 11, "tc", 2, expiration=old, inverted=ofp.V2),
        # kept: not due yet (aborted), txn running, txn committed but not visible yet
        (1002, 10): tmp_rowset(1002, 10, "td", 1, expiration=now - RETENTION + 3600, inverted=ofp.V1),
        (1003, 10): tmp_rowset(1003, 10, "te", 1, expiration=old),
        (1004, 12): tmp_rowset(1004, 12, "tf", 1, expiration=old),
    }
    gone_objs = [f"{d}/10/ta_0.dat", f"{d}/10/ta_0_100.idx", f"{d}/10/tb_0.dat", f"{d}/10/tb_0.idx"] + [
        f"{d}/11/tc_{s}.{ext}" for s in (0, 1) for ext in ("dat", "idx")
    ]
    kept_objs = [
        f"{d}/10/td_0.dat",
        f"{d}/10/td_0_100.idx",
        f"{d}/10/te_0.dat",
        f"{d}/12/tf_0.dat",
        f"{d}/10/ta0_0.dat",
    ]
    put_objects(client, gone_objs + kept_objs)
    await put_kv(svc.kv, txns | {keys.meta_rowset_tmp_key(IID, t, tb): v for (t, tb), v in tmp.items()})

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(IID)

    assert res.outcome == "done", res.error
    assert res.tmp_rowsets_recycled == 4
    assert sorted(list_keys(client, f"{IID}/")) == sorted(kept_objs)
    for txn_id, tablet in ((1001, 10), (1005, 10), (1006, 11), (1007, 11)):
        assert await get_kv(svc.kv, keys.meta_rowset_tmp_key(IID, txn_id, tablet)) is None
    for txn_id, tablet in ((1002, 10), (1003, 10), (1004, 12)):
        assert await get_kv(svc.kv, keys.meta_rowset_tmp_key(IID, txn_id, tablet)) is not None
    for k, v in txns.items():  # the txns themselves are the label GC's business
        assert await get_kv(svc.kv, k) == v
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in kept_objs]})
