"""A format-1 store (dorisctl's field numbers before the RPC front) is converted on start, never
misread, and a conversion interrupted mid-way resumes without converting a value twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from dorisctl.kv import Txn, TxnKv, Unavailable, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.model import storeformat
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

IID = "legacy"


def legacy(name: str):
    return storeformat.legacy_class(name)()


async def write_format1_store(kv: TxnKv, rowsets: int) -> None:
    inst = legacy("doris.cloud.InstanceInfoPB")
    inst.instance_id = IID
    cluster = inst.clusters.add(cluster_id="c1", cluster_name="c1")
    cluster.cluster_policy.cache_warmup_jobids.extend([7, 8])
    tablet = legacy("doris.TabletMetaCloudPB")
    tablet.tablet_id = 5
    tablet.schema.schema_version = 3
    tablet.schema.keys_type = 1
    schema = legacy("doris.TabletSchemaCloudPB")
    schema.schema_version = 3

    async def put(txn: Txn) -> None:
        txn.put(keys.instance_key(IID), inst.SerializeToString())
        txn.put(keys.meta_tablet_key(IID, 1, 2, 3, 5), tablet.SerializeToString())
        txn.put(keys.meta_schema_key(IID, 2, 3), schema.SerializeToString())
        txn.put(keys.meta_tablet_idx_key(IID, 5), cloud_pb2.TabletIndexPB(tablet_id=5).SerializeToString())
        for v in range(2, 2 + rowsets):
            rs = legacy("doris.RowsetMetaCloudPB")
            rs.rowset_id = 0
            rs.tablet_id = 5
            rs.start_version = rs.end_version = v
            rs.empty = v % 2 == 0
            rs.creation_time = 1700000000 + v
            rs.tablet_schema.schema_version = 3
            txn.put(keys.meta_rowset_key(IID, 5, v), rs.SerializeToString())

    await run_txn(kv, put)


async def check_converted(kv: TxnKv, rowsets: int) -> None:
    async def read(txn: Txn) -> dict[bytes, bytes]:
        begin, end = keys.user_space_range()
        return dict(await txn.get_range(begin, end))

    values = await run_txn(kv, read)
    inst = cloud_pb2.InstanceInfoPB.FromString(values[keys.instance_key(IID)])
    assert list(inst.clusters[0].cluster_policy.cache_warmup_jobids) == ["7", "8"]
    tablet = olap_file_pb2.TabletMetaCloudPB.FromString(values[keys.meta_tablet_key(IID, 1, 2, 3, 5)])
    assert tablet.schema.schema_version == 3 and tablet.schema.keys_type == olap_file_pb2.UNIQUE_KEYS
    schema = olap_file_pb2.TabletSchemaCloudPB.FromString(values[keys.meta_schema_key(IID, 2, 3)])
    assert schema.schema_version == 3
    for v in range(2, 2 + rowsets):
        rs = olap_file_pb2.RowsetMetaCloudPB.FromString(values[keys.meta_rowset_key(IID, 5, v)])
        assert rs.empty == (v % 2 == 0), v
        assert not rs.HasField("delete_flag"), v  # format 1's `empty` (19) is Doris's delete_flag
        assert rs.creation_time == 1700000000 + v
        assert rs.tablet_schema.schema_version == 3
    assert await storeformat.read_format(kv) == storeformat.CURRENT


async def test_fresh_store_is_stamped_current(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/a.db")
    try:
        assert await storeformat.upgrade(kv) == 0
        assert await storeformat.read_format(kv) == storeformat.CURRENT
    finally:
        await kv.close()


async def test_format1_values_are_converted_not_misread(tmp_path: Path) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/a.db")
    try:
        await write_format1_store(kv, rowsets=6)

        # read naively with Doris's numbering, format 1's `empty` would be a delete rowset
        async def naive(txn: Txn) -> bytes | None:
            return await txn.get(keys.meta_rowset_key(IID, 5, 2))

        raw = await run_txn(kv, naive)
        assert raw is not None and olap_file_pb2.RowsetMetaCloudPB.FromString(raw).delete_flag
        assert await storeformat.upgrade(kv) == 9  # instance, tablet, schema, 6 rowsets
        await check_converted(kv, rowsets=6)
        assert await storeformat.upgrade(kv) == 0  # idempotent
        await check_converted(kv, rowsets=6)
    finally:
        await kv.close()


class FailingCommits:
    """Lets `allowed` commits through, then fails every commit as the store going away would."""

    def __init__(self, kv: TxnKv, allowed: int) -> None:
        self.inner_begin, self.allowed = kv.begin, allowed

    async def begin(self) -> Txn:
        txn = await self.inner_begin()
        commit = txn.commit
        outer = self

        async def failing() -> None:
            if outer.allowed <= 0:
                raise Unavailable("store went away")
            outer.allowed -= 1
            await commit()

        txn.commit = failing  # type: ignore[method-assign]
        return txn


async def test_interrupted_conversion_resumes_without_converting_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kv = open_store(f"sqlite:///{tmp_path}/a.db")
    try:
        await write_format1_store(kv, rowsets=12)
        monkeypatch.setattr(storeformat, "BATCH", 4)
        flaky = FailingCommits(kv, allowed=2)
        monkeypatch.setattr(kv, "begin", flaky.begin)
        with pytest.raises(Unavailable):
            await storeformat.upgrade(kv)
        monkeypatch.undo()
        monkeypatch.setattr(storeformat, "BATCH", 4)
        assert await storeformat.read_format(kv) is None  # not finished
        await storeformat.upgrade(kv)
        await check_converted(kv, rowsets=12)
    finally:
        await kv.close()
