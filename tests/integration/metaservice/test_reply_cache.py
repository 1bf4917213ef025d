"""The reply cache (metaservice/replycache.py) through a real server, over gRPC and baidu_std: a
cached read RPC asked again with the same bytes is answered from it until a commit (through the
server, or from another process sharing the store) changes something that reply read; commits to
other keys leave it standing; error replies are never kept; the cache can be turned off."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.proto import olap_file_pb2 as olap
from tests.e2e.test_doris_cluster_rpc import Be, Fe
from tests.fixtures.metaservice import MetaServer, start_meta_server
from tests.fixtures.rpc_clients import BaiduStdClient
from tests.integration.metaservice.conftest import OBJ, sqlite_only
from tests.integration.metaservice.test_metrics import scrape, value

IID = "replies"
CUID = f"1:{IID}:node"
DB, TABLE, INDEX = 1, 3001, 3002
A, B, LATE = 3101, 3102, 3103  # tablets, each alone in its partition
PART = {A: 3201, B: 3202, LATE: 3203}


def idx(tablet: int) -> pb.TabletIndexPB:
    return pb.TabletIndexPB(db_id=DB, table_id=TABLE, index_id=INDEX, partition_id=PART[tablet], tablet_id=tablet)


def load(fe: Fe, be: Be, label: str, tablet: int) -> None:
    info = pb.TxnInfoPB(db_id=DB, label=label, table_ids=[TABLE], timeout_ms=600_000)
    txn_id = fe("begin_txn", pb.BeginTxnRequest(cloud_unique_id=CUID, txn_info=info)).txn_id
    rs = olap.RowsetMetaCloudPB(rowset_id=0, rowset_id_v2=f"rs-{label}", tablet_id=tablet, partition_id=PART[tablet],
                                txn_id=txn_id, num_rows=10, num_segments=1, txn_expiration=4_000_000_000,
                                schema_version=0)  # fmt: skip
    req = pb.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    be("prepare_rowset", req, pb.CreateRowsetResponse)
    be("commit_rowset", req, pb.CreateRowsetResponse)
    fe("commit_txn", pb.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))


def create_tablet(fe: Fe, tablet: int) -> None:
    meta = olap.TabletMetaCloudPB(table_id=TABLE, index_id=INDEX, partition_id=PART[tablet], tablet_id=tablet,
                                  schema_version=0)  # fmt: skip
    meta.schema.CopyFrom(olap.TabletSchemaCloudPB(keys_type=olap.DUP_KEYS, schema_version=0))
    meta.rs_metas.add(rowset_id=0, rowset_id_v2=f"init-{tablet}", tablet_id=tablet, start_version=0, end_version=1)
    fe("create_tablets", pb.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB, tablet_metas=[meta]))


@pytest.fixture
def ms(tmp_path: Path, ms_backend: str) -> Iterator[tuple[MetaServer, Fe, Be]]:
    sqlite_only(ms_backend, "the reply cache stands on SQLite's key cache; other stores keep none")
    srv = start_meta_server(tmp_path / "ms")
    srv.ok("create_instance", {"instance_id": IID, "obj_info": dict(OBJ)})
    port = int(srv.url.rsplit(":", 1)[1])
    fe, be = Fe(port), Be(port)
    try:
        create_tablet(fe, A)
        create_tablet(fe, B)
        load(fe, be, "a1", A)
        load(fe, be, "b1", B)
        yield srv, fe, be
    finally:
        be.close()
        fe.channel.close()
        srv.stop()


def counts(srv: MetaServer) -> tuple[float, float, float]:
    m = scrape(srv)
    name = "dorisctl_ms_reply_cache_requests_total"
    return value(m, name, result="hit"), value(m, name, result="stale"), value(m, name, result="miss")


def sync_req(tablet: int) -> pb.GetRowsetRequest:
    return pb.GetRowsetRequest(cloud_unique_id=CUID, idx=idx(tablet), start_version=0, end_version=-1,
                               base_compaction_cnt=0, cumulative_compaction_cnt=0, cumulative_point=-1)  # fmt: skip


def versions_req() -> pb.GetVersionRequest:
    return pb.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=TABLE, partition_id=PART[A])


def test_replies_stand_until_a_commit_changes_what_they_read(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = ms
    first = be("get_rowset", sync_req(A), pb.GetRowsetResponse)
    version = fe("get_version", versions_req()).version
    hits0, stale0, _ = counts(srv)
    assert be("get_rowset", sync_req(A), pb.GetRowsetResponse) == first
    assert fe("get_version", versions_req()).version == version
    hits1, stale1, _ = counts(srv)
    assert (hits1 - hits0, stale1 - stale0) == (2, 0)

    load(fe, be, "b2", B)  # another tablet, another partition: what A's replies read is unchanged
    assert be("get_rowset", sync_req(A), pb.GetRowsetResponse) == first
    assert fe("get_version", versions_req()).version == version
    hits2, stale2, _ = counts(srv)
    assert (hits2 - hits1, stale2 - stale1) == (2, 0)

    load(fe, be, "a2", A)  # A's rowsets, stats and partition version change: both replies are built again
    again = be("get_rowset", sync_req(A), pb.GetRowsetResponse)
    assert [r.end_version for r in again.rowset_meta] == [r.end_version for r in first.rowset_meta] + [version + 1]
    assert again.stats.num_rows == first.stats.num_rows + 10
    assert fe("get_version", versions_req()).version == version + 1
    hits3, stale3, _ = counts(srv)
    assert (hits3 - hits2, stale3 - stale2) == (0, 2)


def test_a_commit_from_another_process_is_seen(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, _, be = ms
    get = pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=A)
    for _ in range(3):
        assert be("get_tablet", get, pb.GetTabletResponse).tablet_meta.ttl_seconds == 0
    key = keys.meta_tablet_key(IID, TABLE, INDEX, PART[A], A)

    async def set_ttl_behind_its_back() -> None:  # another process writing the same store
        kv = open_store(srv.store_url)

        async def op(txn: Txn) -> None:
            value = await txn.get(key)
            assert value is not None
            meta = olap.TabletMetaCloudPB.FromString(value)
            meta.ttl_seconds = 3600
            txn.put(key, meta.SerializeToString())

        try:
            await run_txn(kv, op)
        finally:
            await kv.close()

    asyncio.run(set_ttl_behind_its_back())
    assert be("get_tablet", get, pb.GetTabletResponse).tablet_meta.ttl_seconds == 3600


def test_error_replies_are_not_kept(ms: tuple[MetaServer, Fe, Be]) -> None:
    srv, fe, be = ms
    get = pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=LATE)
    for _ in range(2):
        be("get_tablet", get, pb.GetTabletResponse, expect=pb.TABLET_NOT_FOUND)
    hits, _, _ = counts(srv)
    create_tablet(fe, LATE)
    assert be("get_tablet", get, pb.GetTabletResponse).tablet_meta.tablet_id == LATE
    assert counts(srv)[0] == hits


def test_the_cache_can_be_turned_off(tmp_path: Path, ms_backend: str) -> None:
    sqlite_only(ms_backend, "the reply cache stands on SQLite's key cache")
    srv = start_meta_server(tmp_path / "ms", extra_args=["--ms-config", "reply_cache_entries=0"])
    port = int(srv.url.rsplit(":", 1)[1])
    fe = Fe(port)
    try:
        srv.ok("create_instance", {"instance_id": IID, "obj_info": dict(OBJ)})
        create_tablet(fe, A)
        get: Any = pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=A)
        for _ in range(3):
            assert fe("get_tablet", get).tablet_meta.tablet_id == A
        assert counts(srv) == (0, 0, 0)
    finally:
        fe.channel.close()
        srv.stop()


def test_read_your_writes_across_workers_with_replies_cached(tmp_path: Path, ms_backend: str) -> None:
    """Six kept connections, spread by the kernel over two workers, each with its cached replies:
    after every acknowledged write (through another connection), every one of them reads it."""
    sqlite_only(ms_backend, "the reply cache stands on SQLite's key cache")
    srv = start_meta_server(tmp_path / "ms", extra_args=["--workers", "2"])
    port = int(srv.url.rsplit(":", 1)[1])
    fe = Fe(port)
    get = pb.GetTabletRequest(cloud_unique_id=CUID, tablet_id=A)

    async def run() -> None:
        readers = [await BaiduStdClient.connect(port) for _ in range(6)]
        try:
            for ttl in range(1, 9):
                info = pb.TabletMetaInfoPB(tablet_id=A, ttl_seconds=ttl)
                await asyncio.to_thread(
                    fe, "update_tablet", pb.UpdateTabletRequest(cloud_unique_id=CUID, tablet_meta_infos=[info])
                )
                for c in readers:
                    for _ in range(2):  # built, then answered from the cache
                        got = await c.call("get_tablet", get, pb.GetTabletResponse)
                        assert got.tablet_meta.ttl_seconds == ttl
        finally:
            for c in readers:
                await c.close()

    try:
        srv.ok("create_instance", {"instance_id": IID, "obj_info": dict(OBJ)})
        create_tablet(fe, A)
        asyncio.run(run())
        hits, stale, _ = counts(srv)
        assert hits >= 6 * 8 and stale >= 6  # cached in both workers, and seen stale after writes
    finally:
        fe.channel.close()
        srv.stop()
