"""Instance values and how operations find them.

* All state of an instance is one `InstanceInfoPB` under its instance key (spec 3): operations
  `load_instance`, modify, `save_instance` within one transaction.
* `save_instance` also maintains dorisctl's node index (keys.node_index_key) from the difference
  between the cloud_unique_ids before and after, so `resolve_instance_id` (spec 1.8) is a point
  lookup, consistent with the instance in the same transaction, across any number of processes.
* Message formatting helpers reproduce Doris's renderings of messages inside error texts
  (compact proto-JSON, protobuf text dumps), with secrets masked.
"""

from __future__ import annotations

import json
from collections import Counter

from google.protobuf import json_format, text_format
from google.protobuf.message import Message

from dorisctl.kv import Txn
from dorisctl.metaservice import keys
from dorisctl.metaservice.context import Service
from dorisctl.metaservice.errors import MetaServiceError, get_err, invalid, not_found
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import METHOD, SecretError

InstanceInfoPB = cloud_pb2.InstanceInfoPB

HELP_MSG = (
    "Ms nodes memory cache may be inconsistent, pls check registry key may be contain 127.0.0.1, "
    "and call get_instance api get instance info from fdb"
)

_SECRET_FIELDS = ("sk",)


async def load_instance(txn: Txn, instance_id: str) -> cloud_pb2.InstanceInfoPB | None:
    raw = await txn.get(keys.instance_key(instance_id))
    if raw is None:
        return None
    inst = cloud_pb2.InstanceInfoPB()
    inst.ParseFromString(raw)
    return inst


def node_counts(inst: cloud_pb2.InstanceInfoPB | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    if inst is not None:
        for cluster in inst.clusters:
            for node in cluster.nodes:
                if node.cloud_unique_id:
                    counts[node.cloud_unique_id] += 1
    return counts


def save_instance(txn: Txn, inst: cloud_pb2.InstanceInfoPB, before: Counter[str]) -> None:
    """Write the instance value and bring the node index in line with its nodes."""
    iid = inst.instance_id
    txn.put(keys.instance_key(iid), inst.SerializeToString())
    after = node_counts(inst)
    for cuid in before.keys() - after.keys():
        txn.remove(keys.node_index_key(cuid, iid))
    for cuid in after.keys() - before.keys():
        txn.put(keys.node_index_key(cuid, iid), iid.encode())


async def instances_owning(txn: Txn, cloud_unique_id: str) -> list[str]:
    """Instance ids having a node with this cloud_unique_id, in key order."""
    begin, end = keys.node_index_range(cloud_unique_id)
    return [v.decode() for _, v in await txn.get_range(begin, end)]


def c_atoi(text: str) -> int:
    """C atoi: optional leading whitespace and sign, then digits; anything else ends the number."""
    s = text.lstrip(" \t\n\r\v\f")
    sign, i = 1, 0
    if s[:1] in ("+", "-"):
        sign, i = (-1 if s[0] == "-" else 1), 1
    digits = ""
    while i < len(s) and s[i].isdigit() and s[i].isascii():
        digits += s[i]
        i += 1
    return sign * int(digits) if digits else 0


@keys.short_memo(4096)  # a pure function of the id, asked by every request of a degraded-format node
def degraded_instance_id(cloud_unique_id: str) -> str | None:
    """`1:<instance_id>:<anything>` -> instance_id (empty pieces discarded, exactly 3, first == 1)."""
    pieces = [p for p in cloud_unique_id.split(":") if p]
    if len(pieces) != 3 or c_atoi(pieces[0]) != 1:
        return None
    return pieces[1]


async def resolve_instance_id(svc: Service, txn: Txn, cloud_unique_id: str) -> str:
    """Spec 1.8: the instance owning the node, else the degraded format; "" when neither works."""
    if not cloud_unique_id:
        return ""
    owners = await instances_owning(txn, cloud_unique_id)
    if owners:
        return owners[-1]
    iid = degraded_instance_id(cloud_unique_id)
    if iid is None:
        return ""
    if svc.settings.enable_check_instance_id and await txn.get(keys.instance_key(iid)) is None:
        return ""
    return iid


async def instance_of_node(svc: Service, txn: Txn, cloud_unique_id: str, missing: str) -> cloud_pb2.InstanceInfoPB:
    """The instance of a node's `cloud_unique_id`, with upstream's answers: `missing` (INVALID_ARGUMENT)
    without one, `empty instance_id` for an unknown one, KeyNotFound when its instance value is gone."""
    if not cloud_unique_id:
        raise invalid(missing)
    iid = await resolve_instance_id(svc, txn, cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    inst = await load_instance(txn, iid)
    if inst is None:
        raise get_err(f"failed to get instance, instance_id={iid} err=KeyNotFound")
    return inst


async def degraded_and_missing(txn: Txn, cloud_unique_id: str) -> bool:
    """True if the id has the degraded format but names an instance that does not exist."""
    iid = degraded_instance_id(cloud_unique_id)
    return iid is not None and await txn.get(keys.instance_key(iid)) is None


# -- secrets in values ----------------------------------------------------------------------------


def seal_into(svc: Service, holder: cloud_pb2.ObjectStoreInfoPB | cloud_pb2.RamUserPB) -> None:
    """Replace holder.sk by its sealed form and record how it was sealed."""
    sealed = svc.keyring.seal(holder.sk)
    holder.sk = sealed.ciphertext
    holder.encryption_info.encryption_method = METHOD
    holder.encryption_info.key_id = sealed.key_id


def open_sk(svc: Service, holder: cloud_pb2.ObjectStoreInfoPB | cloud_pb2.RamUserPB) -> str:
    """The plaintext sk of a stored holder (plain if it was never sealed)."""
    if not holder.HasField("encryption_info") or not holder.sk:
        return holder.sk
    if holder.encryption_info.encryption_method != METHOD:
        raise SecretError(f"unsupported encryption method {holder.encryption_info.encryption_method!r}")
    return svc.keyring.open(holder.sk, holder.encryption_info.key_id)


def reveal_in_place(svc: Service, holder: cloud_pb2.ObjectStoreInfoPB | cloud_pb2.RamUserPB) -> None:
    holder.sk = open_sk(svc, holder)


# -- renderings inside messages -------------------------------------------------------------------


def _mask(d: object) -> object:
    if isinstance(d, dict):
        return {k: ("***" if k in _SECRET_FIELDS and v else _mask(v)) for k, v in d.items()}
    if isinstance(d, list):
        return [_mask(x) for x in d]
    return d


def to_compact_json(msg: Message) -> str:
    """Doris's `<json>` in messages: compact proto-JSON, snake_case names; secrets masked."""
    d = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    return json.dumps(_mask(d), separators=(",", ":"), ensure_ascii=False)


def to_text_dump(msg: Message) -> str:
    """Doris's multi-line protobuf text dump (DebugString); secrets masked."""
    copy = type(msg)()
    copy.CopyFrom(msg)
    if isinstance(copy, cloud_pb2.ObjectStoreInfoPB | cloud_pb2.RamUserPB) and copy.sk:
        copy.sk = "***"
    return text_format.MessageToString(copy, as_utf8=True)


def to_one_line_text(msg: Message) -> str:
    """DebugString with newlines replaced by spaces (as in get_cluster's not-found message)."""
    return to_text_dump(msg).replace("\n", " ")


DELETED_MSG = "instance status has been set delete, plz check it"


def trim_prefix(prefix: str) -> str:
    return prefix.strip("/ \t")


def not_found_instance(iid: str) -> MetaServiceError:
    return not_found(f"instance not existed, instance_id={iid}, err=KeyNotFound")
