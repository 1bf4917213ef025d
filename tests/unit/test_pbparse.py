"""The fast request parser gives json_format's result (strict, then lenient) for any JSON input."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from dorisctl.metaservice.errors import MetaServiceError
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.transport.http.parse import parse_request
from dorisctl.metaservice.transport.http.routes import ROUTES, JsonRoute

REQUEST_TYPES = sorted(
    {r.request_type for r in ROUTES.values() if isinstance(r, JsonRoute)}, key=lambda t: t.DESCRIPTOR.full_name
)


def reference_parse(data: Any, cls: type[Message]) -> Message | str:
    """What parse_request did before the fast path: json_format strict, then lenient; a message
    without its proto2-required fields is an error either way."""
    from google.protobuf import json_format

    msg = cls()
    try:
        json_format.ParseDict(data, msg)
        return msg if msg.IsInitialized() else "error"
    except Exception:
        msg = cls()
    try:
        json_format.ParseDict(data, msg, ignore_unknown_fields=True)
        return msg if msg.IsInitialized() else "error"
    except Exception:
        return "error"


def _field_names(cls: type[Message]) -> list[str]:
    desc: Any = cls.DESCRIPTOR
    names: list[str] = []
    for f in desc.fields:
        names += [f.name, f.json_name]
    return names


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.sampled_from(["", "x", "9050", "NORMAL", "STOPPED", "SQL", "COMPUTE", "FE_MASTER", "1e3", "-1"]),
    st.floats(allow_nan=False, allow_infinity=False),
)


def docs_for(cls: type[Message], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    names = [*_field_names(cls), "unknown_key"]
    desc: Any = cls.DESCRIPTOR
    values: list[st.SearchStrategy[Any]] = [scalars, st.lists(scalars, max_size=3)]
    if depth < 2:
        for f in desc.fields:
            if f.message_type is not None and not f.message_type.GetOptions().map_entry:
                sub = getattr(cloud_pb2, f.message_type.name, None)
                if sub is not None:
                    values.append(docs_for(sub, depth + 1))
                    values.append(st.lists(docs_for(sub, depth + 1), max_size=2))
    return st.dictionaries(st.sampled_from(names), st.one_of(*values), max_size=6)


@pytest.mark.parametrize("cls", REQUEST_TYPES, ids=lambda c: c.DESCRIPTOR.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fast_parse_equals_json_format(cls: type[Message], data: st.DataObject) -> None:
    doc = data.draw(docs_for(cls))
    want = reference_parse(doc, cls)
    import json

    try:
        got: Message | str = parse_request(json.dumps(doc).encode(), cls, "r")
    except MetaServiceError:
        got = "error"
    assert got == want


def test_regular_requests_take_the_fast_path() -> None:
    from dorisctl.metaservice.transport.http import pbparse

    node = {"ip": "1", "heartbeat_port": 9050, "node_type": "FE_MASTER"}
    doc = {"instance_id": "i", "cluster": {"cluster_id": "c", "type": "COMPUTE", "nodes": [node]}, "x": 1}
    msg = cloud_pb2.AlterClusterRequest()
    pbparse.fill(msg, doc)  # no Irregular raised
    assert msg.cluster.nodes[0].heartbeat_port == 9050 and msg.cluster.type == cloud_pb2.ClusterPB.COMPUTE
    for irregular in ({"instance_id": 1}, {"cluster": {"nodes": [{"heartbeat_port": "9050"}]}}, {"op": "NOPE"}):
        with pytest.raises(pbparse.Irregular):
            pbparse.fill(cloud_pb2.AlterClusterRequest(), irregular)
