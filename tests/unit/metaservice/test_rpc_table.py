"""The one RPC table against the service's contract: every entry is a MetaService method of our
(upstream-compatible) proto with its request and response types, and docs/rpc-front.md's
compatibility table says exactly which methods are served."""

from __future__ import annotations

from pathlib import Path

from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.rpc import NEWER_THAN_3_0, RPCS

DOC = Path(__file__).resolve().parents[3] / "docs" / "rpc-front.md"
BEGIN, END = "<!-- rpc-table:begin -->", "<!-- rpc-table:end -->"


def expected_table() -> str:
    service = cloud_pb2.DESCRIPTOR.services_by_name["MetaService"]
    lines = ["| # | rpc | request -> response | dorisctl |", "|---|---|---|---|"]
    for i, m in enumerate(service.methods, 1):
        state = "served" if m.name in RPCS else "not yet (UNIMPLEMENTED / ENOMETHOD 1002)"
        if m.name in NEWER_THAN_3_0:
            state = "not implemented: newer than Doris 3.0 (UNIMPLEMENTED / ENOMETHOD 1002)"
        lines.append(f"| {i} | `{m.name}` | {m.input_type.name} -> {m.output_type.name} | {state} |")
    return "\n".join(lines)


def test_every_rpc_matches_the_service_definition() -> None:
    methods = {m.name: m for m in cloud_pb2.DESCRIPTOR.services_by_name["MetaService"].methods}
    for name, rpc in RPCS.items():
        assert name in methods, name
        assert rpc.request_type.DESCRIPTOR is methods[name].input_type, name
        assert rpc.response_type.DESCRIPTOR is methods[name].output_type, name
        assert "status" in rpc.response_type.DESCRIPTOR.fields_by_name, name


def test_docs_compatibility_table_is_current() -> None:
    text = DOC.read_text()
    table = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert table == expected_table(), (
        "regenerate the table: python -c 'from tests.unit.metaservice.test_rpc_table "
        "import expected_table; print(expected_table())'"
    )
