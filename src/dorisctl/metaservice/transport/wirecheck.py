"""Checks a parsed binary request must pass before any operation sees it.

proto2 `string` fields are not validated as UTF-8 when parsed: the Python runtime hands bytes
that are not UTF-8 back as `bytes` instead of `str`, and an operation then fails deep inside
(building a key, formatting a message) with an unexpected error and a traceback. Such a request
is refused as not parsing, naming the field.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP)


def first_non_utf8_field(msg: Message, prefix: str = "") -> str | None:
    """The path of the first string field holding bytes that are not UTF-8, or None."""
    for fd, value in msg.ListFields():
        name = prefix + fd.name
        repeated = fd.is_repeated
        if fd.type == _STRING:
            values = value if repeated else (value,)
            for i, v in enumerate(values):
                if not isinstance(v, str):
                    return f"{name}[{i}]" if repeated else name
        elif fd.type in _MESSAGE and fd.message_type is not None:
            if fd.message_type.GetOptions().map_entry:
                for k, v in value.items():
                    if not isinstance(k, str | int | bool):
                        return f"{name}[key]"
                    if isinstance(v, Message):
                        found = first_non_utf8_field(v, f"{name}[{k!r}].")
                        if found:
                            return found
                    elif fd.message_type.fields_by_name["value"].type == _STRING and not isinstance(v, str):
                        return f"{name}[{k!r}]"
                continue
            for i, sub in enumerate(value if repeated else (value,)):
                found = first_non_utf8_field(sub, f"{name}[{i}]." if repeated else f"{name}.")
                if found:
                    return found
    return None
