"""get_iam and alter_iam: the deployment-wide IAM user (`arn_info`) and an instance's RAM user.

* `alter_iam` writes one `RamUserPB` under the system key `arn_info` (keys.system_key): the
  account id as `user_id`, the ak, and the sk sealed (model.instances.seal_into). It is not tied
  to an instance. Setting the same account, ak and sk again is refused, as upstream.
* `get_iam` answers, for the instance of a cloud_unique_id, the IAM user (from `arn_info`, else
  from the `arn_id/arn_ak/arn_sk` settings) with `external_id` = the instance id, and the
  instance's RAM user if it has one: both with their sk opened, as upstream answers the FE.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import Code, MetaServiceError, invalid
from dorisctl.metaservice.model.instances import (
    instance_of_node,
    open_sk,
    reveal_in_place,
    seal_into,
)
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import SecretError


def _decrypt_failed(e: SecretError) -> MetaServiceError:
    return MetaServiceError(Code.ERR_DECPYPT, "failed to decrypt")


async def _stored_iam_user(txn: Txn) -> cloud_pb2.RamUserPB | None:
    raw = await txn.get(keys.arn_info_key())
    if raw is None:
        return None
    user = cloud_pb2.RamUserPB()
    user.ParseFromString(raw)
    return user


async def get_iam(svc: Service, txn: Txn, req: cloud_pb2.GetIamRequest) -> Reply:
    inst = await instance_of_node(svc, txn, req.cloud_unique_id, "cloud unique id not set")
    resp = cloud_pb2.GetIamResponse()
    stored = await _stored_iam_user(txn)
    try:
        if stored is None:
            s = svc.settings
            resp.iam_user.CopyFrom(
                cloud_pb2.RamUserPB(user_id=s.arn_id, ak=s.arn_ak, sk=s.arn_sk, external_id=inst.instance_id)
            )
        else:
            reveal_in_place(svc, stored)
            stored.external_id = inst.instance_id
            resp.iam_user.CopyFrom(stored)
        if inst.HasField("ram_user"):
            ram = cloud_pb2.RamUserPB()
            ram.CopyFrom(inst.ram_user)
            reveal_in_place(svc, ram)
            resp.ram_user.CopyFrom(ram)
    except SecretError as e:
        raise _decrypt_failed(e) from e
    return Reply(result=resp)


async def alter_iam(svc: Service, txn: Txn, req: cloud_pb2.AlterIamRequest) -> Reply:
    if not (req.account_id and req.ak and req.sk):
        raise invalid("invalid argument")
    user = await _stored_iam_user(txn)
    if user is None:
        user = cloud_pb2.RamUserPB()
    else:
        try:
            same = user.user_id == req.account_id and user.ak == req.ak and open_sk(svc, user) == req.sk
        except SecretError as e:
            raise _decrypt_failed(e) from e
        if same:
            raise invalid("already has the same arn info")
    user.user_id = req.account_id
    user.ak = req.ak
    user.sk = req.sk
    seal_into(svc, user)
    txn.put(keys.arn_info_key(), user.SerializeToString())
    return Reply(result=cloud_pb2.AlterIamResponse())
