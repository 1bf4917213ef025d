"""DDL RPCs over a real SQLite store: recycle index/partition records through prepare, commit and
drop, table versions, check_kv, and Doris's codes and messages for every refusal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from dorisctl.kv import Txn, run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.ops.ddl import (
    check_kv,
    commit_index,
    commit_partition,
    drop_index,
    drop_partition,
    prepare_index,
    prepare_partition,
)
from dorisctl.metaservice.ops.tablet import create_tablets, get_version
from dorisctl.metaservice.proto import cloud_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env, tablet_meta

DB, TABLE, INDEX, PART = 1, 10001, 10002, 10003
RI = cloud_pb2.RecycleIndexPB
RP = cloud_pb2.RecyclePartitionPB
NOW = 1_700_000_000


def index_req(index_ids: list[int] | None = None, **kw: Any) -> cloud_pb2.IndexRequest:
    kw.setdefault("table_id", TABLE)
    return cloud_pb2.IndexRequest(cloud_unique_id=CUID, index_ids=[INDEX] if index_ids is None else index_ids, **kw)


def part_req(partition_ids: list[int] | None = None, **kw: Any) -> cloud_pb2.PartitionRequest:
    kw.setdefault("table_id", TABLE)
    kw.setdefault("index_ids", [INDEX])
    return cloud_pb2.PartitionRequest(
        cloud_unique_id=CUID, partition_ids=[PART] if partition_ids is None else partition_ids, **kw
    )


async def expect_error(env: Env, op: Any, req: Any, code: int, msg: str) -> MetaServiceError:
    with pytest.raises(MetaServiceError) as ei:
        await env.call(op, req)
    assert (ei.value.code, ei.value.msg) == (code, msg)
    return ei.value


async def read(env: Env, key: bytes) -> bytes | None:
    async def get(txn: Txn) -> bytes | None:
        return await txn.get(key)

    return await run_txn(env.svc.kv, get)


async def index_record(env: Env, index_id: int = INDEX) -> RI | None:
    value = await read(env, keys.recycle_index_key(IID, index_id))
    return None if value is None else RI.FromString(value)


async def part_record(env: Env, partition_id: int = PART) -> RP | None:
    value = await read(env, keys.recycle_partition_key(IID, partition_id))
    return None if value is None else RP.FromString(value)


async def put_record(env: Env, key: bytes, value: bytes) -> None:
    async def put(txn: Any) -> None:
        txn.put(key, value)

    await run_txn(env.svc.kv, put)


async def table_version(env: Env) -> int | None:
    req = cloud_pb2.GetVersionRequest(cloud_unique_id=CUID, db_id=DB, table_id=TABLE, is_table_version=True)
    try:
        return int((await env.call(get_version, req)).version)
    except MetaServiceError as e:
        assert e.code == Code.VERSION_NOT_FOUND
        return None


async def make_tablet(env: Env, tablet_id: int, index_id: int = INDEX, partition_id: int = PART) -> None:
    req = cloud_pb2.CreateTabletsRequest(cloud_unique_id=CUID, db_id=DB)
    req.tablet_metas.append(tablet_meta(tablet_id, table_id=TABLE, index_id=index_id, partition_id=partition_id))
    await env.call(create_tablets, req)


# -- prepare_index / commit_index / drop_index -----------------------------------------------------


async def test_create_table_sequence(env: Env) -> None:
    await env.call(prepare_index, index_req([INDEX, INDEX + 1], expiration=NOW + 60))
    assert await index_record(env) == RI(table_id=TABLE, creation_time=NOW, expiration=NOW + 60, state=RI.PREPARED)
    assert (await index_record(env, INDEX + 1)) is not None
    await env.call(prepare_index, index_req([INDEX, INDEX + 1]))  # a retried prepare is OK
    await make_tablet(env, 20001)
    await make_tablet(env, 20002, index_id=INDEX + 1)
    await env.call(commit_index, index_req([INDEX, INDEX + 1], db_id=DB, is_new_table=True))
    assert await index_record(env) is None and await index_record(env, INDEX + 1) is None
    assert await table_version(env) == 1
    # a retried commit is OK and writes nothing (the table version stays)
    await env.call(commit_index, index_req([INDEX, INDEX + 1], db_id=DB, is_new_table=True))
    assert await table_version(env) == 1
    # a prepare once tablets exist is a stale request
    await expect_error(env, prepare_index, index_req(), Code.ALREADY_EXISTED, "index already existed")


async def test_commit_index_without_new_table_keeps_the_table_version(env: Env) -> None:
    await env.call(prepare_index, index_req())
    await env.call(commit_index, index_req(db_id=DB))
    assert await index_record(env) is None
    assert await table_version(env) is None


async def test_index_argument_errors(env: Env) -> None:
    for op in (prepare_index, commit_index, drop_index):
        await expect_error(
            env, op, cloud_pb2.IndexRequest(cloud_unique_id="nobody", index_ids=[1], table_id=2),
            Code.INVALID_ARGUMENT, "empty instance_id",
        )  # fmt: skip
        await expect_error(env, op, index_req([], db_id=DB), Code.INVALID_ARGUMENT, "empty index_ids or table_id")
        no_table = cloud_pb2.IndexRequest(cloud_unique_id=CUID, index_ids=[INDEX], db_id=DB)
        await expect_error(env, op, no_table, Code.INVALID_ARGUMENT, "empty index_ids or table_id")
    await expect_error(
        env, commit_index, index_req(), Code.INVALID_ARGUMENT,
        "db_id is required for versioned write, please upgrade your FE version",
    )  # fmt: skip


async def test_commit_index_without_prepare_or_tablets_is_recycled(env: Env) -> None:
    await expect_error(env, commit_index, index_req(db_id=DB), Code.INVALID_ARGUMENT, "index has been recycled")


async def test_commit_index_fails_whole_when_one_index_is_dropped(env: Env) -> None:
    await env.call(prepare_index, index_req([INDEX, INDEX + 1]))
    await env.call(drop_index, index_req([INDEX + 1]))
    await expect_error(
        env, commit_index, index_req([INDEX, INDEX + 1], db_id=DB, is_new_table=True),
        Code.INVALID_ARGUMENT, "invalid recycle index state: DROPPED",
    )  # fmt: skip
    assert (await index_record(env)).state == RI.PREPARED  # type: ignore[union-attr]  # nothing half-way
    assert await table_version(env) is None


async def test_prepare_index_after_drop_stores_nothing(env: Env) -> None:
    await env.call(drop_index, index_req([INDEX + 1]))
    await expect_error(
        env, prepare_index, index_req([INDEX, INDEX + 1]), Code.INVALID_ARGUMENT,
        "invalid recycle index state: DROPPED",
    )  # fmt: skip
    assert await index_record(env) is None


async def test_drop_index_states(env: Env) -> None:
    await env.call(prepare_index, index_req([INDEX]))
    env.clock.now += 10
    await env.call(drop_index, index_req([INDEX, INDEX + 1], db_id=DB, expiration=NOW + 99))
    dropped = RI(db_id=DB, table_id=TABLE, creation_time=NOW + 10, expiration=NOW + 99, state=RI.DROPPED)
    assert await index_record(env) == dropped
    assert await index_record(env, INDEX + 1) == dropped
    env.clock.now += 10
    await env.call(drop_index, index_req([INDEX]))  # a retried drop keeps the first record
    assert await index_record(env) == dropped
    recycling = RI(table_id=TABLE, state=RI.RECYCLING).SerializeToString()
    await put_record(env, keys.recycle_index_key(IID, 7), recycling)
    await env.call(drop_index, index_req([7]))
    assert (await index_record(env, 7)).state == RI.RECYCLING  # type: ignore[union-attr]
    await put_record(env, keys.recycle_index_key(IID, 8), RI(table_id=TABLE, state=RI.UNKNOWN).SerializeToString())
    await expect_error(
        env, drop_index, index_req([9, 8]), Code.INVALID_ARGUMENT, "invalid recycle index state: UNKNOWN"
    )
    assert await index_record(env, 9) is None


async def test_drop_index_without_db_id_records_zero(env: Env) -> None:
    await env.call(drop_index, index_req())  # the FE's dropMaterializedIndex sends no db_id
    rec = await index_record(env)
    assert rec is not None and rec.HasField("db_id") and rec.db_id == 0


async def test_malformed_record(env: Env) -> None:
    await put_record(env, keys.recycle_index_key(IID, INDEX), b"\xff\xff")
    await expect_error(env, prepare_index, index_req(), Code.PROTOBUF_PARSE_ERR, "malformed recycle index value")


# -- prepare_partition / commit_partition / drop_partition ----------------------------------------


async def test_add_partition_sequence(env: Env) -> None:
    await env.call(prepare_partition, part_req([PART, PART + 1], db_id=DB, expiration=NOW + 5))
    want = RP(db_id=DB, table_id=TABLE, index_id=[INDEX], creation_time=NOW, expiration=NOW + 5, state=RP.PREPARED)
    assert await part_record(env) == want
    await env.call(prepare_partition, part_req([PART, PART + 1], db_id=DB))  # retried: OK
    await make_tablet(env, 30001)
    await make_tablet(env, 30002, partition_id=PART + 1)
    await env.call(commit_partition, part_req([PART, PART + 1], db_id=DB))
    assert await part_record(env) is None and await part_record(env, PART + 1) is None
    assert await table_version(env) == 1
    await env.call(commit_partition, part_req([PART, PART + 1], db_id=DB))  # retried: OK, no bump
    assert await table_version(env) == 1
    await expect_error(env, prepare_partition, part_req(db_id=DB), Code.ALREADY_EXISTED, "index already existed")


async def test_prepare_partition_versions(env: Env) -> None:
    env.clock.now = NOW + 0.5
    await env.call(prepare_partition, part_req([PART, PART + 1], db_id=DB, partition_versions=[1, 7]))
    assert await read(env, keys.partition_version_key(IID, DB, TABLE, PART)) is None
    value = await read(env, keys.partition_version_key(IID, DB, TABLE, PART + 1))
    assert value is not None
    assert cloud_pb2.VersionPB.FromString(value) == cloud_pb2.VersionPB(version=7, update_time_ms=NOW * 1000 + 500)
    await expect_error(
        env, prepare_partition, part_req([1, 2, 3], db_id=DB, partition_versions=[2, 2]), Code.INVALID_ARGUMENT,
        "size is not equal, partition_versions size=3 partition_ids size=3",
    )  # fmt: skip


async def test_prepare_partition_without_db_id_leaves_it_out(env: Env) -> None:
    await env.call(prepare_partition, part_req())
    assert not (await part_record(env)).HasField("db_id")  # type: ignore[union-attr]


async def test_partition_argument_errors(env: Env) -> None:
    msg = "empty partition_ids or index_ids or table_id"
    for op in (prepare_partition, commit_partition, drop_partition):
        nobody = cloud_pb2.PartitionRequest(cloud_unique_id="nobody", partition_ids=[1], index_ids=[1], table_id=1)
        await expect_error(env, op, nobody, Code.INVALID_ARGUMENT, "empty instance_id")
        await expect_error(env, op, part_req([], db_id=DB), Code.INVALID_ARGUMENT, msg)
        no_table = cloud_pb2.PartitionRequest(cloud_unique_id=CUID, partition_ids=[PART], index_ids=[INDEX], db_id=DB)
        await expect_error(env, op, no_table, Code.INVALID_ARGUMENT, msg)
    for op in (prepare_partition, drop_partition):
        await expect_error(env, op, part_req(index_ids=[], db_id=DB), Code.INVALID_ARGUMENT, msg)
    await expect_error(env, drop_partition, part_req(), Code.INVALID_ARGUMENT, "missing db_id for drop_partition")


async def test_commit_partition_refusals(env: Env) -> None:
    await expect_error(env, commit_partition, part_req(db_id=DB), Code.INVALID_ARGUMENT, "partition has been recycled")
    await make_tablet(env, 30001)
    # without index_ids a missing record is never taken for a repeated commit
    await expect_error(
        env, commit_partition, part_req(index_ids=[], db_id=DB), Code.INVALID_ARGUMENT, "partition has been recycled"
    )
    await env.call(commit_partition, part_req(db_id=DB))  # tablets exist: a repeated commit
    await env.call(prepare_partition, part_req([PART + 1], db_id=DB))
    await env.call(drop_partition, part_req([PART + 2], db_id=DB))
    await expect_error(
        env, commit_partition, part_req([PART + 1, PART + 2], db_id=DB), Code.INVALID_ARGUMENT,
        "invalid recycle partition state: DROPPED",
    )  # fmt: skip
    assert (await part_record(env, PART + 1)).state == RP.PREPARED  # type: ignore[union-attr]
    assert await table_version(env) is None
    await expect_error(
        env, prepare_partition, part_req([PART + 2], db_id=DB), Code.INVALID_ARGUMENT,
        "invalid recycle index state: DROPPED",
    )  # fmt: skip


async def test_commit_partition_bumps_the_table_version_per_batch(env: Env) -> None:
    ids = list(range(50_000, 51_001))
    await env.call(prepare_partition, part_req(ids, db_id=DB))
    await env.call(commit_partition, part_req(ids, db_id=DB))
    assert await table_version(env) == 2
    assert await part_record(env, ids[-1]) is None


async def test_drop_partition(env: Env) -> None:
    await env.call(prepare_partition, part_req([PART], db_id=DB))
    env.clock.now += 3
    await env.call(drop_partition, part_req([PART, PART + 1], db_id=DB, index_ids=[INDEX, INDEX + 1]))
    want = RP(db_id=DB, table_id=TABLE, index_id=[INDEX, INDEX + 1], creation_time=NOW + 3, expiration=0)
    want.state = RP.DROPPED
    assert await part_record(env) == want and await part_record(env, PART + 1) == want
    assert await table_version(env) is None  # need_update_table_version not set
    await env.call(drop_partition, part_req([PART + 2], db_id=DB, need_update_table_version=True))
    assert await table_version(env) == 1
    # nothing new to drop: no version bump either
    await env.call(drop_partition, part_req([PART + 2], db_id=DB, need_update_table_version=True))
    assert await table_version(env) == 1
    await put_record(env, keys.recycle_partition_key(IID, 5), RP(table_id=TABLE, state=RP.UNKNOWN).SerializeToString())
    await expect_error(
        env, drop_partition, part_req([6, 5], db_id=DB), Code.INVALID_ARGUMENT,
        "invalid recycle partition state: UNKNOWN",
    )  # fmt: skip
    assert await part_record(env, 6) is None


# -- check_kv --------------------------------------------------------------------------------------


def check_req(
    op: int | None, index_ids: Sequence[int] = (), partition_ids: Sequence[int] = ()
) -> cloud_pb2.CheckKVRequest:
    req = cloud_pb2.CheckKVRequest(cloud_unique_id=CUID)
    if op is not None:
        req.op = op  # type: ignore[assignment]
    req.check_keys.db_ids.append(DB)
    req.check_keys.table_ids.append(TABLE)
    req.check_keys.index_ids.extend(index_ids)
    req.check_keys.partition_ids.extend(partition_ids)
    return req


IDX_OP = cloud_pb2.CheckKVRequest.CREATE_INDEX_AFTER_FE_COMMIT
PART_OP = cloud_pb2.CheckKVRequest.CREATE_PARTITION_AFTER_FE_COMMIT


async def test_check_kv(env: Env) -> None:
    await env.call(prepare_index, index_req([INDEX, INDEX + 1, INDEX + 2]))
    await env.call(commit_index, index_req([INDEX + 1], db_id=DB))
    e = await expect_error(
        env, check_kv, check_req(IDX_OP, index_ids=[INDEX, INDEX + 1, INDEX + 2]), Code.UNDEFINED_ERR,
        "prepare and commit rpc not match, recycle key remained",
    )  # fmt: skip
    assert list(e.result.bad_keys.index_ids) == [INDEX, INDEX + 2]  # type: ignore[union-attr]
    ok = await env.call(check_kv, check_req(IDX_OP, index_ids=[INDEX + 1]))
    assert not ok.HasField("bad_keys")
    await env.call(prepare_partition, part_req([PART], db_id=DB))
    e = await expect_error(
        env, check_kv, check_req(PART_OP, partition_ids=[PART, PART + 1]), Code.UNDEFINED_ERR,
        "prepare and commit rpc not match, recycle key remained",
    )  # fmt: skip
    assert list(e.result.bad_keys.partition_ids) == [PART]  # type: ignore[union-attr]
    await env.call(check_kv, check_req(PART_OP, partition_ids=[PART + 1]))
    # the index op looks at index ids only
    await expect_error(env, check_kv, check_req(IDX_OP, partition_ids=[PART]), Code.INVALID_ARGUMENT, "empty keys")


async def test_check_kv_argument_errors(env: Env) -> None:
    nobody = check_req(IDX_OP, index_ids=[1])
    nobody.cloud_unique_id = "nobody"
    await expect_error(env, check_kv, nobody, Code.INVALID_ARGUMENT, "empty instance_id")
    await expect_error(env, check_kv, check_req(None, index_ids=[1]), Code.INVALID_ARGUMENT, "op not given")
    no_keys = cloud_pb2.CheckKVRequest(cloud_unique_id=CUID, op=IDX_OP)
    await expect_error(env, check_kv, no_keys, Code.INVALID_ARGUMENT, "empty check keys")
    await expect_error(env, check_kv, check_req(PART_OP), Code.INVALID_ARGUMENT, "empty keys")
    # an operation this server does not know arrives as "not given" (proto2 drops unknown enum values)
    unknown = cloud_pb2.CheckKVRequest.FromString(check_req(None, index_ids=[1]).SerializeToString() + b"\x18\x09")
    await expect_error(env, check_kv, unknown, Code.INVALID_ARGUMENT, "op not given")
