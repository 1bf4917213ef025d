"""The fast message printer must equal json_format.MessageToDict for every message we define."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor as FD
from google.protobuf.message import Message

from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2
from dorisctl.metaservice.transport.http.envelope import envelope
from dorisctl.metaservice.transport.http.pbjson import message_to_json_obj, pretty_message

MESSAGES = [
    getattr(mod, name)
    for mod in (cloud_pb2, olap_file_pb2)
    for name in dir(mod)
    if isinstance(getattr(mod, name), type) and issubclass(getattr(mod, name), Message)
]

_INTS = {FD.TYPE_INT32: 2**31 - 1, FD.TYPE_INT64: 2**63 - 1, FD.TYPE_UINT32: 2**32 - 1, FD.TYPE_UINT64: 2**64 - 1}


def _value(field: Any, rnd: random.Random) -> object:
    t = field.type
    if t in _INTS:
        return rnd.choice([0, 1, _INTS[t], 12345])
    if t in (FD.TYPE_SINT32, FD.TYPE_SFIXED32):
        return rnd.choice([-5, 0, 7])
    if t in (FD.TYPE_SINT64, FD.TYPE_SFIXED64, FD.TYPE_FIXED64):
        return rnd.choice([0, 9, 2**40])
    if t == FD.TYPE_BOOL:
        return rnd.choice([True, False])
    if t == FD.TYPE_STRING:
        return rnd.choice(["", "a", 'q"u/o\\te\n', "ünï"])
    if t == FD.TYPE_BYTES:
        return rnd.choice([b"", b"\x00\xff", b"abc"])
    if t == FD.TYPE_ENUM:
        return rnd.choice([v.number for v in field.enum_type.values])
    if t in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
        return rnd.choice([0.0, 0.5, 1e-3])
    raise AssertionError(t)


def _fill(msg: Message, rnd: random.Random, depth: int) -> None:
    fields: Any = msg.DESCRIPTOR.fields
    for field in fields:
        if rnd.random() < 0.3:
            continue
        if field.type == FD.TYPE_MESSAGE:
            entry = field.message_type
            if entry.GetOptions().map_entry:
                key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
                for _ in range(rnd.randint(0, 2)):
                    key = _value(key_field, rnd)
                    if value_field.type == FD.TYPE_MESSAGE:
                        if depth < 3:
                            _fill(getattr(msg, field.name)[key], rnd, depth + 1)
                    else:
                        getattr(msg, field.name)[key] = _value(value_field, rnd)
            elif depth < 3:
                if field.is_repeated:
                    for _ in range(rnd.randint(0, 2)):
                        _fill(getattr(msg, field.name).add(), rnd, depth + 1)
                else:
                    sub = getattr(msg, field.name)
                    sub.SetInParent()
                    _fill(sub, rnd, depth + 1)
        elif field.is_repeated:
            getattr(msg, field.name).extend(_value(field, rnd) for _ in range(rnd.randint(0, 3)))
        else:
            setattr(msg, field.name, _value(field, rnd))


@pytest.mark.parametrize("cls", MESSAGES, ids=lambda c: c.DESCRIPTOR.full_name)
def test_matches_message_to_dict(cls: type[Message]) -> None:
    rnd = random.Random(cls.DESCRIPTOR.full_name)
    for _ in range(25):
        msg = cls()
        _fill(msg, rnd, 0)
        want = json_format.MessageToDict(msg, preserving_proto_field_name=True)
        assert json.dumps(message_to_json_obj(msg)) == json.dumps(want)  # same members in the same order
        assert pretty_message(msg) == json.dumps(want, indent=4, ensure_ascii=False)
        doc = {"code": "NOT_FOUND", "msg": "m\u00e9", "result": want}
        body = envelope(3001, "m\u00e9", msg).body
        assert bytes(body).decode() == json.dumps(doc, indent=4, ensure_ascii=False) + "\n"
