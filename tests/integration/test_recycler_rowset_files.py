"""Recycled rowsets take their inverted-index files with them (recycler/rowset_files.py), named as
upstream's recycler names them, on every store kind (SQLite, PostgreSQL, etcd) with a real S3
(SeaweedFS)."""

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

IID = "ridx"
OLD = 300000  # seconds before now: past every retention


def schema(fmt: int | None, *indexes: tuple[int, int, str]) -> ofp.TabletSchemaCloudPB:
    """A schema with (index_id, index_type, suffix) indexes and the given storage format."""
    out = ofp.TabletSchemaCloudPB(schema_version=0)
    if fmt is not None:
        out.inverted_index_storage_format = fmt  # type: ignore[assignment]
    for index_id, typ, suffix in indexes:
        idx = out.index.add(index_id=index_id, index_type=typ)
        if suffix:
            idx.index_suffix_name = suffix
    return out


def record(
    tablet: int, rid: str, typ: int, created: int, segs: int, tablet_schema: ofp.TabletSchemaCloudPB | None = None,
    index_id: int | None = None, schema_version: int | None = None,
) -> bytes:  # fmt: skip
    rs = pb.RecycleRowsetPB(tablet_id=tablet, resource_id="1", creation_time=created, type=typ)  # type: ignore[arg-type]
    meta = rs.rowset_meta
    meta.rowset_id = 0
    meta.rowset_id_v2 = rid
    meta.tablet_id = tablet
    meta.num_segments = segs
    meta.resource_id = "1"
    meta.total_disk_size = 100 * segs
    if tablet_schema is not None:
        meta.tablet_schema.CopyFrom(tablet_schema)
    if index_id is not None:
        meta.index_id = index_id
    if schema_version is not None:
        meta.schema_version = schema_version
    return rs.SerializeToString()


async def test_recycled_rowsets_delete_their_inverted_index_files(store: Service, s3: WeedMini) -> None:  # noqa: F811
    svc = store
    client = s3.client()
    empty_prefix(client, f"{IID}/")
    await create_instance(svc, IID, s3.endpoint, IID)
    now = svc.now_s()
    inv, bitmap = ofp.INVERTED, ofp.BITMAP
    compact, drop, prepare = pb.RecycleRowsetPB.COMPACT, pb.RecycleRowsetPB.DROP, pb.RecycleRowsetPB.PREPARE
    v1_schema = schema(ofp.V1, (100, inv, ""), (101, inv, "sub"), (102, bitmap, ""))
    d = f"{IID}/data"
    gone = [
        # V1 schema in the meta: one file per INVERTED index per segment, `@suffix` when it has one
        *(f"{d}/10/rv1_{s}.dat" for s in (0, 1)),
        *(f"{d}/10/rv1_{s}_100.idx" for s in (0, 1)),
        *(f"{d}/10/rv1_{s}_101@sub.idx" for s in (0, 1)),
        # V2 schema in the meta: one file per segment
        f"{d}/10/rv2_0.dat",
        f"{d}/10/rv2_0.idx",
        # no schema in the meta: the stored schema (index 7, version 3; V1 by default) names them
        f"{d}/11/rs3_0.dat",
        f"{d}/11/rs3_0_200.idx",
        # the stored schema is gone (index dropped): the V2 file is deleted too
        f"{d}/11/rs4_0.dat",
        f"{d}/11/rs4_0.idx",
        # a PREPARE rowset is deleted by its prefix: every file of it
        f"{d}/12/rp5_0.dat",
        f"{d}/12/rp5_0_300.idx",
        f"{d}/12/rp5_1.idx",
    ]
    kept = [
        f"{d}/10/rf6_0.dat",  # a fresh COMPACT rowset and its index file
        f"{d}/10/rf6_0_100.idx",
        f"{d}/10/rv1b_0_100.idx",  # another rowset whose id starts with a recycled one's
        f"{d}/12/rp50_0.dat",
    ]
    put_objects(client, gone + kept)
    stored = ofp.TabletSchemaCloudPB(schema_version=3)
    stored.index.add(index_id=200, index_type=inv)
    stored.index.add(index_id=201, index_type=bitmap)
    old = now - OLD
    records = {
        (10, "rv1"): record(10, "rv1", compact, old, 2, v1_schema),
        (10, "rv2"): record(10, "rv2", compact, old, 1, schema(ofp.V2, (9, inv, ""))),
        (11, "rs3"): record(11, "rs3", drop, old, 1, index_id=7, schema_version=3),
        (11, "rs4"): record(11, "rs4", drop, old, 1, index_id=8, schema_version=1),
        (12, "rp5"): record(12, "rp5", prepare, old, 1),
        (10, "rf6"): record(10, "rf6", compact, now, 1, v1_schema),
    }
    await put_kv(svc.kv, {keys.recycle_rowset_key(IID, t, r): v for (t, r), v in records.items()})
    await put_kv(svc.kv, {keys.meta_schema_key(IID, 7, 3) + keys.encode_int64(0): stored.SerializeToString()})

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(IID)

    assert res.outcome == "done", res.error
    assert res.rowsets_recycled == 5
    assert sorted(list_keys(client, f"{IID}/")) == sorted(kept)
    for tablet, rid in ((10, "rv1"), (10, "rv2"), (11, "rs3"), (11, "rs4"), (12, "rp5")):
        assert await get_kv(svc.kv, keys.recycle_rowset_key(IID, tablet, rid)) is None
    assert await get_kv(svc.kv, keys.recycle_rowset_key(IID, 10, "rf6")) is not None
    # the stored schema stays: it belongs to the index, not to the rowset
    assert await get_kv(svc.kv, keys.meta_schema_key(IID, 7, 3) + keys.encode_int64(0)) is not None
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in kept]})
