"""The recycler's COPY INTO GC (recycler/stages.py) against a real store (SQLite) and a real S3
(SeaweedFS): finished internal-stage copy jobs take their loaded files with them, timed-out loading
jobs free their files, a dropped internal stage's objects are deleted, and nothing else is."""

from __future__ import annotations

from typing import Any

from dorisctl.kv import run_txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.ops import copy, stage
from dorisctl.metaservice.proto import cloud_pb2 as pb
from dorisctl.metaservice.recycler import Recycler
from tests.fixtures.s3 import BUCKET, WeedMini, s3  # noqa: F401 - fixture
from tests.integration.test_recycler import create_instance, fast_cfg, get_kv, list_keys, put_objects, svc  # noqa: F401

IID = "stg"
CUID = f"1:{IID}:fe"
TABLE = 77


async def call(svc: Service, op: Any, req: Any) -> Any:  # noqa: F811
    return (await run_txn(svc.kv, lambda txn: op(svc, txn, req))).result


def begin(stage_id: str, stage_type: int, copy_id: str, timeout_ms: int, *names: str) -> pb.BeginCopyRequest:
    req = pb.BeginCopyRequest(cloud_unique_id=CUID, stage_id=stage_id, stage_type=stage_type, table_id=TABLE,  # type: ignore[arg-type]
                              copy_id=copy_id, group_id=0, start_time_ms=1, timeout_time_ms=timeout_ms)  # fmt: skip
    for n in names:
        req.object_files.add(relative_path=n, etag=f"e-{n}", size=100)
    return req


async def test_copy_jobs_and_dropped_stage_recycled(svc: Service, s3: WeedMini) -> None:  # noqa: F811
    client = s3.client()
    await create_instance(svc, IID, s3.endpoint, IID)
    internal = pb.StagePB(type=pb.StagePB.INTERNAL, mysql_user_name=["root"], mysql_user_id=["u1"], stage_id="si")
    await call(svc, stage.create_stage, pb.CreateStageRequest(cloud_unique_id=CUID, stage=internal))
    put_objects(client, ["stg/stage/root/u1/a.csv", "stg/stage/root/u1/b.csv", "stg/data/keep.dat"])
    far = svc.now_ms() + 3_600_000
    await call(svc, copy.begin_copy, begin("si", pb.StagePB.INTERNAL, "loaded", far, "a.csv"))
    await call(svc, copy.finish_copy, pb.FinishCopyRequest(cloud_unique_id=CUID, stage_id="si", table_id=TABLE,
                                                           copy_id="loaded", action=pb.FinishCopyRequest.COMMIT,
                                                           finish_time_ms=svc.now_ms()))  # fmt: skip
    await call(svc, copy.begin_copy, begin("se", pb.StagePB.EXTERNAL, "timed_out", 1, "x.csv"))
    await call(svc, copy.begin_copy, begin("se", pb.StagePB.EXTERNAL, "running", far, "y.csv"))

    res = await Recycler(svc, fast_cfg(recycle_interval_seconds=0), ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert sorted(list_keys(client, "stg/")) == ["stg/data/keep.dat", "stg/stage/root/u1/b.csv"]
    assert await get_kv(svc.kv, keys.copy_job_key(IID, "si", TABLE, "loaded", 0)) is None
    assert await get_kv(svc.kv, keys.copy_file_key(IID, "si", TABLE, "a.csv", "e-a.csv")) is None
    assert await get_kv(svc.kv, keys.copy_job_key(IID, "se", TABLE, "timed_out", 0)) is None
    assert await get_kv(svc.kv, keys.copy_file_key(IID, "se", TABLE, "x.csv", "e-x.csv")) is None
    assert await get_kv(svc.kv, keys.copy_job_key(IID, "se", TABLE, "running", 0)) is not None
    assert await get_kv(svc.kv, keys.copy_file_key(IID, "se", TABLE, "y.csv", "e-y.csv")) is not None

    drop = pb.DropStageRequest(cloud_unique_id=CUID, type=pb.StagePB.INTERNAL, mysql_user_id="u1", reason="drop user")
    await call(svc, stage.drop_stage, drop)
    assert await get_kv(svc.kv, keys.recycle_stage_key(IID, "si")) is not None
    res = await Recycler(svc, fast_cfg(recycle_interval_seconds=0), ip_port="a:1").recycle_instance(IID)
    assert res.outcome == "done", res.error
    assert list_keys(client, "stg/") == ["stg/data/keep.dat"]
    assert await get_kv(svc.kv, keys.recycle_stage_key(IID, "si")) is None
    client.delete_object(Bucket=BUCKET, Key="stg/data/keep.dat")
