"""Version keys of tables without tablets go (recycler/versions.py, upstream's recycle_versions),
on every store kind, with a real S3 (SeaweedFS): a dropped table's partition and table version
keys, its delete-bitmap lock and mow tablet jobs go once its index was recycled; a dropped
partition's version key goes with it; a live table keeps its keys."""

from __future__ import annotations

import pytest

from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.recycler import Recycler, versions
from tests.fixtures.s3 import WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import (  # noqa: F401 - fixture
    create_instance,
    fast_cfg,
    get_kv,
    put_kv,
    store,
    tablet_records,
)

IID = "vers"
DB = 3


def table_keys(db: int, table: int, partitions: list[int]) -> dict[bytes, bytes]:
    """A table's version keys, its delete-bitmap update lock and two mow tablet jobs."""
    out = {keys.partition_version_key(IID, db, table, p): b"v" for p in partitions}
    out[keys.table_version_key(IID, db, table)] = b"t"
    out[keys.meta_delete_bitmap_update_lock_key(IID, table, -1)] = b"l"
    out |= {keys.mow_tablet_job_key(IID, table, i): b"j" for i in (7, 8)}
    return out


async def test_version_keys_of_tables_without_tablets_go(
    store: Service,  # noqa: F811
    s3: WeedMini,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc = store
    monkeypatch.setattr(versions, "PAGE", 2)  # the scan pages, a table's keys across pages
    await create_instance(svc, IID, s3.endpoint, IID)
    old = svc.now_s() - 300000
    # table 5: partition 9 live (tablet 1001), partition 21 dropped long ago (tablet 2101)
    live = table_keys(DB, 5, [9]) | tablet_records(IID, 5, 50, 9, 1001)
    p21 = {keys.partition_version_key(IID, DB, 5, 21): b"v"} | tablet_records(IID, 5, 50, 21, 2101)
    # table 6: dropped (its only index 60 recycled this round); table 7: no tablet left at all
    t6 = table_keys(DB, 6, [61, 62]) | tablet_records(IID, 6, 60, 61, 6001)
    t7 = table_keys(DB, 7, [71])
    # table 8 in another db: live, with a tablet of an index whose record is not due
    t8 = table_keys(DB + 1, 8, [81]) | tablet_records(IID, 8, 80, 81, 8001)
    recycle = {
        keys.recycle_partition_key(IID, 21): pb.RecyclePartitionPB(
            db_id=DB, table_id=5, index_id=[50], creation_time=old, state=pb.RecyclePartitionPB.DROPPED
        ).SerializeToString(),
        keys.recycle_index_key(IID, 60): pb.RecycleIndexPB(
            table_id=6, creation_time=old, state=pb.RecycleIndexPB.DROPPED
        ).SerializeToString(),
        keys.recycle_index_key(IID, 80): pb.RecycleIndexPB(
            table_id=8, creation_time=svc.now_s(), state=pb.RecycleIndexPB.DROPPED
        ).SerializeToString(),
    }
    for part in (live, p21, t6, t7, t8, recycle):
        await put_kv(svc.kv, part)

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert (res.partitions_recycled, res.indexes_recycled, res.versions_recycled) == (1, 1, 2)
    for k in p21 | t6 | t7:
        assert await get_kv(svc.kv, k) is None, keys.decode_key(k)
    for k in live | t8:
        assert await get_kv(svc.kv, k) is not None, keys.decode_key(k)

    # a second round finds nothing more to do
    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert res.versions_recycled == 0
