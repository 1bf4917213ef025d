"""The documented HTTP endpoints of spec 7.5, 7.6, 7.8 and the producer RPC routes, over the ASGI app."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dorisctl.kv.base import Limits
from dorisctl.metaservice.errors import Code, MetaServiceError
from dorisctl.metaservice.ops.tablet import commit_rowset
from dorisctl.metaservice.ops.txn import commit_txn
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.transport.http.app import build_app
from tests.unit.metaservice.conftest import CUID, Env
from tests.unit.metaservice.test_txn import begin_req, make_tablets, rowset

TOKEN = "tok"

STATS_AFTER_CREATE = """status {
  code: OK
  msg: ""
}
tablet_stats {
  idx {
    db_id: 1
    table_id: 10001
    index_id: 10002
    partition_id: 10003
    tablet_id: 10004
  }
  data_size: 0
  num_rows: 0
  num_rowsets: 1
  num_segments: 0
  base_compaction_cnt: 0
  cumulative_compaction_cnt: 0
  cumulative_point: 2
  index_size: 0
  segment_size: 0
}

"""


@pytest.fixture
async def client(env: Env) -> Any:
    transport = httpx.ASGITransport(app=build_app(env.svc, TOKEN))
    async with httpx.AsyncClient(transport=transport, base_url="http://ms") as c:
        yield c


async def post(client: httpx.AsyncClient, route: str, body: Any) -> httpx.Response:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post(f"/MetaService/http/{route}?token={TOKEN}", content=data)


async def test_get_tablet_stats_text_format(env: Env, client: httpx.AsyncClient) -> None:
    await make_tablets(env, [10004])
    r = await post(client, "get_tablet_stats", {"cloud_unique_id": CUID, "tablet_idx": [{"tablet_id": 10004}]})
    assert r.status_code == 200 and r.text == STATS_AFTER_CREATE
    # with the full index given, the tablet index key is not needed
    full = {"table_id": 10001, "index_id": 10002, "partition_id": 10003, "tablet_id": 10004}
    r = await post(client, "v1/get_tablet_stats", {"cloud_unique_id": CUID, "tablet_idx": [full]})
    assert r.status_code == 200 and r.text == STATS_AFTER_CREATE
    r = await post(client, "get_tablet_stats", {"cloud_unique_id": CUID})
    assert r.status_code == 200 and r.text == 'status {\n  code: OK\n  msg: ""\n}\n\n'


async def test_get_tablet_stats_errors(env: Env, client: httpx.AsyncClient) -> None:
    await make_tablets(env, [10004])
    cases = [
        ({"cloud_unique_id": CUID, "tablet_idx": [{"tablet_id": 10004}, {"tablet_id": 5}]}, 404),
        ({"cloud_unique_id": "1:nosuch:x", "tablet_idx": [{"tablet_id": 10004}]}, 400),
        ('{"cloud_unique_id": 5}', 400),
        ("not json", 400),
    ]
    for body, status in cases:
        r = await post(client, "get_tablet_stats", body)
        assert (r.status_code, r.text) == (status, "\n"), body


async def test_abort_txn_http(env: Env, client: httpx.AsyncClient) -> None:
    r = await post(client, "begin_txn", json.loads(_json(begin_req("lab"))))
    assert r.status_code == 200
    doc = r.json()
    assert doc["code"] == "OK"
    txn_id = int(doc["result"]["txn_id"])
    r = await post(client, "abort_txn", {"cloud_unique_id": CUID, "db_id": 1, "label": "lab"})
    assert (r.status_code, r.text) == (200, '{\n    "code": "OK",\n    "msg": ""\n}\n')
    r = await post(client, "abort_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.status_code == 500
    assert r.json() == {
        "code": "INTERNAL_ERROR",
        "msg": f"transaction [{txn_id}] is already aborted, db_id=1",
    }
    r = await post(client, "abort_txn", {"cloud_unique_id": CUID})
    assert r.status_code == 400 and r.json()["msg"] == "invalid txn id and label, db_id=-1 txn_id=-1 label="
    r = await post(client, "get_txn", {"cloud_unique_id": CUID, "txn_id": str(txn_id)})
    assert r.json()["result"]["txn_info"]["status"] == "TXN_STATUS_ABORTED"


async def test_duplicate_begin_reply_carries_dup_txn_id(env: Env, client: httpx.AsyncClient) -> None:
    body = json.loads(_json(begin_req("d", request_id=(7, 8))))
    first = (await post(client, "begin_txn", body)).json()["result"]["txn_id"]
    r = await post(client, "begin_txn", body)
    assert r.status_code == 500
    doc = r.json()
    assert doc["code"] == "INTERNAL_ERROR"
    assert doc["result"]["dup_txn_id"] == first
    assert doc["result"]["status"]["code"] == "TXN_DUPLICATED_REQ"


async def test_abort_tablet_job_http(env: Env, client: httpx.AsyncClient) -> None:
    await make_tablets(env, [10004])
    job = {
        "idx": {"tablet_id": 10004},
        "compaction": [
            {
                "id": "job1",
                "type": "CUMULATIVE",
                "base_compaction_cnt": 0,
                "cumulative_compaction_cnt": 0,
                "expiration": int(env.clock.now) + 60,
                "lease": int(env.clock.now) + 30,
            }
        ],
    }
    r = await post(client, "start_tablet_job", {"cloud_unique_id": CUID, "job": job})
    assert r.status_code == 200, r.text
    abort = {
        "cloud_unique_id": CUID,
        "action": "COMMIT",
        "job": {"idx": {"tablet_id": 10004}, "compaction": [{"id": "job1"}]},
    }
    r = await post(client, "abort_tablet_job", abort)
    assert (r.status_code, r.text) == (200, '{\n    "code": "OK",\n    "msg": ""\n}\n')
    r = await post(client, "abort_tablet_job", abort)
    assert r.status_code == 400 and r.json()["msg"] == "there is no running compaction, tablet_id=10004"
    numeric = {"cloud_unique_id": CUID, "job": {"idx": {"tablet_id": 10004}, "compaction": [{"id": 1}]}}
    r = await post(client, "abort_tablet_job", numeric)
    assert r.status_code == 400 and r.json()["msg"].startswith("parse http request 'abort_tablet_job': ")
    r = await post(client, "abort_tablet_job", {"cloud_unique_id": CUID})
    assert r.status_code == 400 and r.json()["msg"] == "no valid job specified"
    r = await post(client, "abort_tablet_job", {"cloud_unique_id": "nope", "job": job})
    assert r.status_code == 400 and r.json()["msg"] == "cannot find instance_id with cloud_unique_id=nope"


async def test_producer_routes_roundtrip(env: Env, client: httpx.AsyncClient) -> None:
    meta = {
        "table_id": 10001,
        "index_id": 10002,
        "partition_id": 10003,
        "tablet_id": 10004,
        "schema_version": 0,
        "schema": {"keys_type": 1},
        "rs_metas": [{"rowset_id": 0, "start_version": 0, "end_version": 1}],
    }
    r = await post(client, "create_tablets", {"cloud_unique_id": CUID, "tablet_metas": [meta]})
    assert r.status_code == 200, r.text
    r = await post(client, "get_tablet", {"cloud_unique_id": CUID, "tablet_id": 10004})
    assert r.json()["result"]["tablet_meta"]["schema"] == {"keys_type": "UNIQUE_KEYS"}  # enums by name, as Doris
    txn_id = (await post(client, "begin_txn", json.loads(_json(begin_req("p"))))).json()["result"]["txn_id"]
    rs = json.loads(_json(rowset(int(txn_id), 10004)))
    for route in ("prepare_rowset", "commit_rowset", "commit_rowset"):
        r = await post(client, route, {"cloud_unique_id": CUID, "rowset_meta": rs})
        assert r.status_code == 200, (route, r.text)
    r = await post(client, "commit_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.json()["result"]["versions"] == ["2"]
    r = await post(
        client, "get_version", {"cloud_unique_id": CUID, "db_id": 1, "table_id": 10001, "partition_id": 10003}
    )
    assert r.json()["result"]["version"] == "2"
    sync = {"cloud_unique_id": CUID, "idx": {"tablet_id": 10004}, "start_version": 0, "end_version": 9}
    r = await post(client, "get_rowset", sync)  # a BE always sends its counters and cumulative point
    assert (r.status_code, r.json()["msg"]) == (400, "no valid compaction_cnt or cumulative_point given")
    counters = {"base_compaction_cnt": 0, "cumulative_compaction_cnt": 0, "cumulative_point": -1}
    r = await post(client, "get_rowset", {**sync, **counters})
    assert [m["end_version"] for m in r.json()["result"]["rowset_meta"]] == ["1", "2"]
    r = await post(client, "get_version", {"cloud_unique_id": CUID, "db_id": 1, "table_id": 10001, "partition_id": 9})
    assert r.status_code == 500 and r.json()["result"]["status"]["code"] == "VERSION_NOT_FOUND"


async def test_too_large_commit_writes_nothing(env: Env, client: httpx.AsyncClient) -> None:
    await make_tablets(env, list(range(1, 201)))
    txn_id = (await post(client, "begin_txn", json.loads(_json(begin_req("big"))))).json()["result"]["txn_id"]
    for t in range(1, 201):
        req = cloud_pb2.CreateRowsetRequest(cloud_unique_id=CUID, rowset_meta=rowset(int(txn_id), t))
        await env.call(commit_rowset, req)
    kv = env.svc.kv
    original = kv.limits
    kv.limits = Limits(original.max_key_bytes, original.max_value_bytes, max_txn_bytes=20_000)
    try:
        # too large for one transaction of this (tiny) store, and even for a lazy commit's
        # commit point (ops/lazy_commit.py): refused clearly, nothing written
        with pytest.raises(MetaServiceError) as e:
            await env.call(commit_txn, cloud_pb2.CommitTxnRequest(cloud_unique_id=CUID, txn_id=int(txn_id)))
        assert e.value.code == Code.INVALID_ARGUMENT and "too many for one transaction" in e.value.msg
        r = await post(client, "commit_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
        assert r.status_code == 400 and "too many for one transaction" in r.json()["msg"]
    finally:
        kv.limits = original
    r = await post(client, "get_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.json()["result"]["txn_info"]["status"] == "TXN_STATUS_PREPARED"
    r = await post(client, "commit_txn", {"cloud_unique_id": CUID, "txn_id": txn_id})
    assert r.status_code == 200 and r.json()["result"]["versions"] == ["2"]


def _json(msg: Any) -> str:
    from google.protobuf import json_format

    return json_format.MessageToJson(msg, preserving_proto_field_name=True)
