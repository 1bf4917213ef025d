"""Fixtures for meta-service operation tests: a Service over a fresh SQLite store with a test clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dorisctl.kv import open_store, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.secrets import KeyRing

IID = "inst1"
CUID = f"1:{IID}:be"


@dataclass
class Clock:
    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Env:
    svc: Service
    clock: Clock
    ids: dict[str, int] = field(default_factory=dict)

    async def call(self, op: Callable[[Service, Any, Any], Awaitable[Reply]], req: Any) -> Any:
        svc = self.svc
        reply = await run_txn(svc.kv, lambda txn: op(svc, txn, req))
        return reply.result


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    clock = Clock()
    svc = Service(kv=kv, keyring=KeyRing({1: b"k" * 32}), clock=clock)

    async def seed(txn: Any) -> None:
        txn.put(keys.instance_key(IID), cloud_pb2.InstanceInfoPB(instance_id=IID).SerializeToString())

    await run_txn(kv, seed)
    yield Env(svc=svc, clock=clock)
    await kv.close()


def tablet_meta(tablet_id: int, table_id: int = 10001, index_id: int = 10002, partition_id: int = 10003):
    meta = olap_file_pb2.TabletMetaCloudPB(
        table_id=table_id, index_id=index_id, partition_id=partition_id, tablet_id=tablet_id, schema_version=0
    )
    rs = meta.rs_metas.add(rowset_id=0, tablet_id=tablet_id, start_version=0, end_version=1, rowset_id_v2="init")
    rs.num_segments = 0
    meta.schema.CopyFrom(olap_file_pb2.TabletSchemaCloudPB(keys_type=olap_file_pb2.UNIQUE_KEYS, schema_version=0))
    return meta
