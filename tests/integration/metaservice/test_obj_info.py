"""Object storage info and credential rotation (spec 4.11-4.14, 4.18)."""

from __future__ import annotations

from tests.fixtures.metaservice import MetaServer
from tests.integration.metaservice.conftest import OBJ, make_instance, unique
from tests.integration.metaservice.test_instances import err


def test_get_obj_store_info(server: MetaServer) -> None:
    iid = make_instance(server)
    doc = server.ok("get_obj_store_info", {"cloud_unique_id": f"1:{iid}:x"})["result"]
    assert doc["status"] == {"code": "OK", "msg": ""} and doc["enable_storage_vault"] is False
    assert doc["obj_info"][0]["sk"] == OBJ["sk"]
    r = server.call("get_obj_store_info", {})
    assert r.status_code == 400
    assert r.json()["result"] == {"status": {"code": "INVALID_ARGUMENT", "msg": "cloud unique id not set"}}
    err(server, "get_obj_store_info", {"cloud_unique_id": "nobody"}, 400, "INVALID_ARGUMENT", "empty instance_id")


def test_add_obj_info_rules_and_ids(server: MetaServer) -> None:
    iid = make_instance(server)
    cuid = f"1:{iid}:x"
    add = lambda obj: server.call("add_obj_info", {"cloud_unique_id": cuid, "obj": obj})  # noqa: E731
    r = server.call("add_obj_info", {"cloud_unique_id": cuid})
    assert r.status_code == 400 and r.json()["msg"].startswith("s3 obj info err {")
    r = add(dict(OBJ, bucket="b" * 1100))
    assert r.status_code == 400 and r.json()["msg"].startswith("s3 obj info greater than 1k ")
    assert add({k: v for k, v in OBJ.items() if k != "sk"}).json()["msg"].startswith("s3 obj info err ")
    assert (
        add(dict(OBJ, role_arn="arn")).json()["msg"] == "invaild argument, both set ak/sk and role_arn is not allowed"
    )
    assert add({k: v for k, v in OBJ.items() if k != "provider"}).json()["msg"] == "s3 conf lease provider info"
    assert add(dict(OBJ, prefix="")).json()["msg"] == "s3 conf info err, please check it"
    assert add(OBJ).json()["msg"] == "original obj infos has a same conf, please check it"
    for i in range(2, 11):
        assert add(dict(OBJ, prefix=f"p{i}")).status_code == 200
    r = add(dict(OBJ, prefix="p11"))
    assert (r.status_code, r.json()["msg"]) == (
        500,
        "this instance history has greater than 10 objs, please new another instance",
    )
    ids = [o["id"] for o in server.ok("get_obj_store_info", {"cloud_unique_id": cuid})["result"]["obj_info"]]
    assert ids == [str(i) for i in range(1, 11)]
    vault = unique("vault")
    server.ok("create_instance", {"instance_id": vault})
    r = server.call("add_obj_info", {"cloud_unique_id": f"1:{vault}:x", "obj": OBJ})
    assert r.json()["msg"] == "Storage vault doesn't support add obj info"


def test_legacy_update_ak_sk(server: MetaServer) -> None:
    iid = make_instance(server)
    cuid = f"1:{iid}:x"
    upd = lambda obj: server.call("legacy_update_ak_sk", {"cloud_unique_id": cuid, "obj": obj})  # noqa: E731
    assert upd({"id": "2", "ak": "a", "sk": "s"}).json()["msg"] == "id invalid, please check it"
    assert upd({"id": "x", "ak": "a", "sk": "s"}).json()["msg"] == "id invalid, please check it"
    assert upd({"ak": "a", "sk": "s"}).json()["msg"] == "id invalid, please check it"
    before = server.ok("get_obj_store_info", {"cloud_unique_id": cuid})["result"]["obj_info"][0]
    assert upd({"id": "1", "ak": OBJ["ak"], "sk": OBJ["sk"]}).status_code == 200  # unchanged: OK, no change
    assert upd({"id": "1", "ak": "AK-2", "sk": "SK-2"}).status_code == 200
    after = server.ok("get_obj_store_info", {"cloud_unique_id": cuid})["result"]["obj_info"][0]
    assert (after["ak"], after["sk"]) == ("AK-2", "SK-2") and before["ctime"] == after["ctime"]
    assert upd({"id": "1", "role_arn": "arn:x"}).json()["msg"] == "role_arn is only supported for s3 provider"


def test_update_ak_sk(server: MetaServer) -> None:
    iid = make_instance(server, ram_user={"user_id": "ram", "ak": "rak", "sk": "rsk"})
    call = lambda body: server.call("update_ak_sk", dict(body, instance_id=iid))  # noqa: E731
    err(server, "update_ak_sk", {}, 400, "INVALID_ARGUMENT", "instance id not set")
    assert call({}).json()["msg"] == "nothing to update"
    assert call({"ram_user": {"user_id": "other", "ak": "a", "sk": "s"}}).json()["msg"] == "ram user_id err"
    assert (
        call({"ram_user": {"user_id": "ram", "ak": "rak", "sk": "rsk"}}).json()["msg"]
        == "ak sk eq original, please check it"
    )
    assert call({"ram_user": {"user_id": "ram", "ak": "rak2", "sk": "rsk2"}}).status_code == 200
    # legacy entries (no user_id) adopt the single bucket user
    assert call({"internal_bucket_user": [{"user_id": "bu", "ak": "AK-1", "sk": OBJ["sk"]}]}).json()["msg"] == (
        "ak sk eq original, please check it"
    )
    assert call({"internal_bucket_user": [{"user_id": "bu", "ak": "AK-9", "sk": "SK-9"}]}).status_code == 200
    inst = server.ok("get_instance", params={"instance_id": iid})["result"]
    assert (inst["obj_info"][0]["user_id"], inst["obj_info"][0]["sk"], inst["ram_user"]["sk"]) == ("bu", "SK-9", "rsk2")
    assert (
        call({"internal_bucket_user": [{"user_id": "zz", "ak": "a", "sk": "s"}]}).json()["msg"]
        == "fail to find the alter obj info"
    )
    no_ram = make_instance(server)
    r = server.call("update_ak_sk", {"instance_id": no_ram, "ram_user": {"user_id": "r", "ak": "a", "sk": "s"}})
    assert r.json()["msg"] == "instance doesn't have ram user info"


def test_decode_and_encode_key(server: MetaServer) -> None:
    seed = "0110696e7374616e636500011072656772657373696f6e5f696e7374616e6365300001"
    r = server.call("decode_key", method="GET", params={"key": seed})
    assert r.status_code == 200 and r.text.endswith(seed + "\n\n")
    assert r.text.splitlines()[2] == "│ │                     ┌─ 2. regression_instance0"
    r = server.call("decode_key", params={"key": seed, "unicode": "false"})
    assert r.text.splitlines()[0] == "/------------------------- 0. key space: 1"
    err(server, "decode_key", None, 400, "INVALID_ARGUMENT", "no key to decode")
    err(server, "decode_key", None, 400, "INVALID_ARGUMENT", "failed to decode key, key=0110", params={"key": "0110"})
    r = server.call("encode_key", params={"key_type": "InstanceKey", "instance_id": "regression_instance0"})
    assert r.text == seed + "\n"
    assert server.call("encode_key", params={"key_type": "Nope"}).status_code == 400
