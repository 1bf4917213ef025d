"""How long recycled rowsets are kept (upstream's calculate_rowset_expired_time): COMPACT and DROP
records `min(compacted_rowset_retention_seconds, retention_seconds)` after their creation, PREPARE
records `retention_seconds` after their expiration; against a real store (SQLite) and a real S3
(SeaweedFS)."""

from __future__ import annotations

from typing import Any

from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.recycler import Recycler
from tests.fixtures.s3 import WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import (  # noqa: F401 - fixture
    create_instance,
    fast_cfg,
    get_kv,
    list_keys,
    put_kv,
    put_objects,
    svc,
)

IID = "retain"
T = 40  # tablet


def record(rid: str, typ: Any, creation: int, expiration: int = 0) -> bytes:
    rs = pb.RecycleRowsetPB(tablet_id=T, resource_id="1", creation_time=creation, type=typ)
    if expiration:
        rs.expiration = expiration
    rs.rowset_meta.rowset_id = 0
    rs.rowset_meta.rowset_id_v2 = rid
    rs.rowset_meta.tablet_id = T
    rs.rowset_meta.num_segments = 1
    rs.rowset_meta.tablet_schema.schema_version = 0  # no inverted index: one named segment file
    return rs.SerializeToString()


async def test_drop_and_compact_records_take_the_shorter_retention(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    client = s3.client()
    await create_instance(svc, IID, s3.endpoint, IID)
    now = svc.now_s()
    compact, drop, prepare = pb.RecycleRowsetPB.COMPACT, pb.RecycleRowsetPB.DROP, pb.RecycleRowsetPB.PREPARE
    records = {  # rowset id -> (type, creation, expiration)
        "d_old": (drop, now - 2000, 0),  # DROP past compacted_rowset_retention_seconds (1800): goes
        "d_new": (drop, now - 1000, 0),  # DROP not yet: stays
        "c_old": (compact, now - 2000, 0),
        "p_old": (prepare, now - 2000, now - 2000),  # PREPARE keeps retention_seconds (259200)
    }
    put_objects(client, [f"{IID}/data/{T}/{rid}_0.dat" for rid in records])
    await put_kv(svc.kv, {keys.recycle_rowset_key(IID, T, rid): record(rid, *spec) for rid, spec in records.items()})

    res = await Recycler(svc, fast_cfg(), ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert res.rowsets_recycled == 2
    assert sorted(list_keys(client, f"{IID}/")) == [f"{IID}/data/{T}/d_new_0.dat", f"{IID}/data/{T}/p_old_0.dat"]
    for rid, gone in (("d_old", True), ("c_old", True), ("d_new", False), ("p_old", False)):
        assert (await get_kv(svc.kv, keys.recycle_rowset_key(IID, T, rid)) is None) is gone, rid

    # the compacted retention never exceeds retention_seconds: with 1500 s, DROP at -1000 stays,
    # and a PREPARE record past 1500 s goes; the knob of 10**6 s does not hold them longer
    cfg = fast_cfg(compacted_rowset_retention_seconds=10**6, retention_seconds=1500)
    res = await Recycler(svc, cfg, ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert res.rowsets_recycled == 1
    assert list_keys(client, f"{IID}/") == [f"{IID}/data/{T}/d_new_0.dat"]
    assert await get_kv(svc.kv, keys.recycle_rowset_key(IID, T, "p_old")) is None

    cfg = fast_cfg(compacted_rowset_retention_seconds=10**6, retention_seconds=900)
    res = await Recycler(svc, cfg, ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert res.rowsets_recycled == 1 and list_keys(client, f"{IID}/") == []
    assert await get_kv(svc.kv, keys.recycle_rowset_key(IID, T, "d_new")) is None
