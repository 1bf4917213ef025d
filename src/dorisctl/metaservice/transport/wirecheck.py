"""Checks a parsed binary request must pass before any operation sees it.

* UTF-8: proto2 `string` fields are not validated as UTF-8 when parsed: the Python runtime hands
  bytes that are not UTF-8 back as `bytes` instead of `str` (and a map whose *key* is not UTF-8
  raises UnicodeDecodeError as soon as it is iterated), and an operation then fails deep inside
  (building a key, formatting a message) with an unexpected error and a traceback. Such a request
  is refused as not parsing, naming the field.
* Required fields: upstream's brpc server parses with `ParseFromZeroCopyStream`, which fails when
  a proto2 `required` field is missing anywhere in the message (rowset_id of a rowset meta,
  load_id.lo, a column's unique_id ...), so such a request is refused before it runs (EREQUEST).
  Python's parser accepts it and the operation would fail later, when it serialises the message.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP)


def _may_hold_strings(desc: Descriptor, _seen: dict[str, bool] = {}) -> bool:  # noqa: B006 - a cache
    """Whether a message of this type can hold a string anywhere inside (a map key included): the
    walk skips the others, so 100,000 TabletIndexPB cost nothing (the walk in Python is ~1.5 us a
    message, and a request may hold that many)."""
    name = desc.full_name
    if name not in _seen:
        _seen[name] = True  # a recursive type is assumed to (and then walked)
        _seen[name] = any(
            fd.type == _STRING
            or (fd.type in _MESSAGE and fd.message_type is not None and _may_hold_strings(fd.message_type))
            for fd in desc.fields
        )
    return _seen[name]


def first_non_utf8_field(msg: Message, prefix: str = "") -> str | None:
    """The path of the first string field holding bytes that are not UTF-8, or None."""
    for fd, value in msg.ListFields():
        if fd.type in _MESSAGE and fd.message_type is not None and not _may_hold_strings(fd.message_type):
            continue
        name = prefix + fd.name
        repeated = fd.is_repeated
        if fd.type == _STRING:
            values = value if repeated else (value,)
            for i, v in enumerate(values):
                if not isinstance(v, str):
                    return f"{name}[{i}]" if repeated else name
        elif fd.type in _MESSAGE and fd.message_type is not None:
            if fd.message_type.GetOptions().map_entry:
                try:
                    entries = list(value.items())
                except UnicodeDecodeError:
                    return f"{name}[key]"
                for k, v in entries:
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


def missing_required_fields(msg: Message) -> str | None:
    """The paths of the proto2 `required` fields missing anywhere in `msg` (comma-separated), or None."""
    if msg.IsInitialized():
        return None
    missing: list[str] = msg.FindInitializationErrors()  # type: ignore[attr-defined]
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return shown or "a required field"
