"""JSON object -> protobuf request, fast for regular input, json_format's exact result for all input.

Requests are parsed with the protobuf JSON mapping, strictly and then ignoring unknown fields
(spec 1.5). json_format does that in pure Python; here the common shape (known field names in
proto or lowerCamel form, values of exactly the field's JSON type) is set directly. Anything else
(numeric strings, null, unknown enum names, maps, floats, a field given twice, out-of-range
numbers) raises `_Irregular`, and the caller parses with json_format instead, so results and
errors are json_format's. Unknown keys are skipped, which is what the lenient pass does.
`tests/unit/test_pbparse.py` checks equivalence on generated input.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_FD = FieldDescriptor
_INT_RANGES = {
    _FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _FD.TYPE_UINT32: (0, 2**32 - 1),
    _FD.TYPE_FIXED32: (0, 2**32 - 1),
    _FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _FD.TYPE_UINT64: (0, 2**64 - 1),
    _FD.TYPE_FIXED64: (0, 2**64 - 1),
}


class Irregular(Exception):
    """The input needs json_format's full treatment."""


def _irregular(_value: Any = None) -> Any:
    raise Irregular


def _checker(field: Any) -> Any:
    """value -> what to set, or raise Irregular. Exact JSON types only."""
    t = field.type
    if t == _FD.TYPE_STRING:
        return lambda v: v if type(v) is str else _irregular()
    if t in _INT_RANGES:
        lo, hi = _INT_RANGES[t]
        return lambda v: v if type(v) is int and lo <= v <= hi else _irregular()
    if t == _FD.TYPE_BOOL:
        return lambda v: v if type(v) is bool else _irregular()
    if t == _FD.TYPE_ENUM:
        numbers = {ev.name: ev.number for ev in field.enum_type.values}
        return lambda v: numbers[v] if type(v) is str and v in numbers else _irregular()
    return _irregular


_MSG, _MSGS, _SCALAR, _SCALARS, _IRREGULAR = range(5)
# message full name -> JSON key (proto name and lowerCamel name) -> (field name, kind, checker)
_plans: dict[str, dict[str, tuple[str, int, Any]]] = {}


def _plan(desc: Any) -> dict[str, tuple[str, int, Any]]:
    plan = _plans.get(desc.full_name)
    if plan is not None:
        return plan
    plan = {}
    for f in desc.fields:
        if f.type == _FD.TYPE_MESSAGE:
            if f.message_type.GetOptions().map_entry:
                entry: tuple[str, int, Any] = (f.name, _IRREGULAR, None)
            else:
                entry = (f.name, _MSGS if f.is_repeated else _MSG, None)
        else:
            entry = (f.name, _SCALARS if f.is_repeated else _SCALAR, _checker(f))
        plan[f.name] = entry
        plan.setdefault(f.json_name, entry)
    _plans[desc.full_name] = plan
    return plan


def fill(msg: Message, data: dict[str, Any]) -> None:
    """Set msg from a JSON object of regular shape, or raise Irregular (msg is then garbage)."""
    plan = _plan(msg.DESCRIPTOR)
    seen: set[str] = set()
    for key, value in data.items():
        entry = plan.get(key)
        if entry is None:
            continue  # unknown keys are ignored by the lenient pass
        name, kind, check = entry
        if name in seen or value is None:
            raise Irregular
        seen.add(name)
        if kind == _SCALAR:
            setattr(msg, name, check(value))
        elif kind == _MSG:
            if type(value) is not dict:
                raise Irregular
            sub = getattr(msg, name)
            sub.SetInParent()
            fill(sub, value)
        elif kind == _MSGS:
            if type(value) is not list:
                raise Irregular
            container = getattr(msg, name)
            for item in value:
                if type(item) is not dict:
                    raise Irregular
                fill(container.add(), item)
        elif kind == _SCALARS:
            if type(value) is not list:
                raise Irregular
            getattr(msg, name).extend([check(v) for v in value])
        else:
            raise Irregular
