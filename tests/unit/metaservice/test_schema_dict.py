"""Schema dictionaries of variant columns over a real SQLite store (upstream schema_kv / dict
logic): commit_rowset moving extended columns into the index's dictionary, get_rowset's
schema_op (FILL_WITH_DICT, RETURN_DICT, NO_DICT) and get_schema_dict."""

from __future__ import annotations

from typing import Any

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.ops.schemadict import get_schema_dict
from dorisctl.metaservice.ops.tablet import commit_rowset, get_rowset, prepare_rowset, update_tmp_rowset
from dorisctl.metaservice.ops.txn import begin_txn, commit_txn
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from tests.unit.metaservice.conftest import CUID, IID, Env
from tests.unit.metaservice.test_txn import begin_req, expect_error, make_tablets, rowset

T, INDEX = 10004, 10002
Op = cloud_pb2.GetRowsetRequest


def variant_schema(*extracted: str) -> olap_file_pb2.TabletSchemaCloudPB:
    """k (uid 0), v VARIANT (uid 1) with one sparse column, extracted columns v.<name> (uid < 0),
    an inverted index on k and one suffixed index per extracted column."""
    schema = olap_file_pb2.TabletSchemaCloudPB(keys_type=olap_file_pb2.DUP_KEYS, schema_version=1)
    schema.column.add(unique_id=0, name="k", type="INT", is_key=True)
    v = schema.column.add(unique_id=1, name="v", type="VARIANT")
    v.sparse_columns.add(unique_id=-1, name="v.sparse", type="STRING")
    schema.index.add(index_id=1, index_name="idx_k", col_unique_id=[0])
    for i, name in enumerate(extracted):
        schema.column.add(unique_id=-10 - i, name=f"v.{name}", type="INT", parent_unique_id=1)
        schema.index.add(index_id=2, index_name="idx_v", col_unique_id=[1], index_suffix_name=f"v.{name}")
    return schema


async def variant_load(env: Env, label: str, *extracted: str) -> int:
    txn_id = (await env.call(begin_txn, begin_req(label))).txn_id
    rs = rowset(txn_id, T)
    rs.has_variant_type_in_schema = True
    rs.schema_version = 1
    rs.tablet_schema.CopyFrom(variant_schema(*extracted))
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    await env.call(prepare_rowset, req)
    await env.call(commit_rowset, req)
    resp = await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    return int(resp.versions[0])


async def rowsets(env: Env, op: cloud_pb2.GetRowsetRequest.SchemaOp) -> cloud_pb2.GetRowsetResponse:
    req = cloud_pb2.GetRowsetRequest(cloud_unique_id=CUID, start_version=2, end_version=-1, base_compaction_cnt=0,
                                     cumulative_compaction_cnt=0, cumulative_point=2, schema_op=op)  # fmt: skip
    req.idx.tablet_id = T
    resp: cloud_pb2.GetRowsetResponse = await env.call(get_rowset, req)
    return resp


async def the_dict(env: Env, index_id: int = INDEX) -> olap_file_pb2.SchemaCloudDictionary:
    resp = await env.call(get_schema_dict, cloud_pb2.GetSchemaDictRequest(cloud_unique_id=CUID, index_id=index_id))
    d: olap_file_pb2.SchemaCloudDictionary = resp.schema_dict
    return d


def names(schema: olap_file_pb2.TabletSchemaCloudPB) -> tuple[list[str], list[str], list[str]]:
    columns = [c.name for c in schema.column]
    sparse = [s.name for c in schema.column for s in c.sparse_columns]
    indexes = [i.index_suffix_name or i.index_name for i in schema.index]
    return columns, sparse, indexes


async def test_dictionary_written_once_per_item_and_filled_back(env: Env) -> None:
    await make_tablets(env, [T])
    assert not (await the_dict(env)).column_dict  # no dictionary yet: OK and empty
    await variant_load(env, "l1", "a")
    await variant_load(env, "l2", "a", "b")  # v.a, v.sparse and the v.a index are already there
    d = await the_dict(env)
    assert sorted(c.name for c in d.column_dict.values()) == ["v.a", "v.b", "v.sparse"]
    assert (d.current_column_dict_id, d.current_index_dict_id) == (3, 2)
    assert sorted(i.index_suffix_name for i in d.index_dict.values()) == ["v.a", "v.b"]

    filled = await rowsets(env, Op.FILL_WITH_DICT)
    assert [names(rs.tablet_schema) for rs in filled.rowset_meta] == [
        (["k", "v", "v.a"], ["v.sparse"], ["idx_k", "v.a"]),
        (["k", "v", "v.a", "v.b"], ["v.sparse"], ["idx_k", "v.a", "v.b"]),
    ]
    assert not filled.HasField("schema_dict")

    returned = await rowsets(env, Op.RETURN_DICT)
    assert returned.schema_dict == d
    assert [names(rs.tablet_schema) for rs in returned.rowset_meta] == [(["k", "v"], [], ["idx_k"])] * 2
    assert list(returned.rowset_meta[1].schema_dict_key_list.column_dict_key_list) == [
        k for k, c in d.column_dict.items() if c.name in ("v.a", "v.b")
    ]

    bare = await rowsets(env, Op.NO_DICT)
    assert not bare.HasField("schema_dict")
    assert [names(rs.tablet_schema) for rs in bare.rowset_meta] == [(["k", "v"], [], ["idx_k"])] * 2


async def test_rowset_with_key_list_and_update_tmp_rowset(env: Env) -> None:
    await make_tablets(env, [T])
    txn_id = (await env.call(begin_txn, begin_req("pre"))).txn_id
    rs = rowset(txn_id, T)
    rs.has_variant_type_in_schema = True
    rs.schema_version = 1
    rs.tablet_schema.CopyFrom(variant_schema())
    rs.schema_dict_key_list.column_dict_key_list.append(7)  # the BE already replaced its schema
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    await env.call(commit_rowset, req)
    assert not (await the_dict(env)).column_dict  # upstream leaves the dictionary alone
    rs.ClearField("schema_dict_key_list")
    rs.tablet_schema.CopyFrom(variant_schema("z"))
    req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rs)
    await env.call(update_tmp_rowset, req)  # a partial update's rewrite goes through the dictionary too
    assert sorted(c.name for c in (await the_dict(env)).column_dict.values()) == ["v.sparse", "v.z"]
    await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=txn_id))
    got = await rowsets(env, Op.FILL_WITH_DICT)
    assert names(got.rowset_meta[0].tablet_schema) == (["k", "v", "v.z"], ["v.sparse"], ["idx_k", "v.z"])


async def test_get_schema_dict_errors(env: Env) -> None:
    await expect_error(
        env, get_schema_dict, cloud_pb2.GetSchemaDictRequest(cloud_unique_id=CUID), Code.INVALID_ARGUMENT,
        "missing index_id in request",
    )  # fmt: skip
    await expect_error(
        env, get_schema_dict, cloud_pb2.GetSchemaDictRequest(cloud_unique_id="1:nosuch:x", index_id=1),
        Code.INVALID_ARGUMENT, "empty instance_id",
    )  # fmt: skip


def test_dictionary_key_layout() -> None:
    """Upstream's keys_test: 0x01 "meta" <instance_id> "tablet_schema_pb_dict" <index_id>."""
    assert keys.decode_key(keys.meta_schema_dict_key("inst", 10002)) == (
        keys.USER_SPACE,
        [b"meta", b"inst", b"tablet_schema_pb_dict", 10002],
    )


async def test_large_dictionary_is_stored_in_chunks_and_read_back(env: Env) -> None:
    await make_tablets(env, [T])
    many = [f"{i:04d}" + "x" * 300 for i in range(400)]  # over 90 KB of extracted columns
    await variant_load(env, "big", *many)
    d = await the_dict(env)
    assert sorted(c.name for c in d.column_dict.values()) == sorted(["v.sparse", *(f"v.{n}" for n in many)])

    async def chunks(txn: Any) -> Any:
        base = keys.meta_schema_dict_key(IID, INDEX)
        return await txn.get_range(base, base + b"\xff")

    stored = await run_txn(env.svc.kv, chunks)
    assert len(stored) > 1 and all(len(v) <= 90_000 for _, v in stored)
    assert b"".join(v for _, v in stored) == d.SerializeToString()
