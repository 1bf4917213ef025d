"""The HTTP API's replies: the JSON envelope `{code, msg[, result]}` in Doris's layout and the
MetaServiceCode -> (HTTP status, envelope code) mapping (spec 1.6)."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from starlette.responses import Response

from dorisctl.metaservice.errors import Code
from dorisctl.metaservice.transport.http.pbjson import pretty_json, pretty_message

_ENVELOPE_CODES: dict[int, tuple[int, str]] = {
    Code.OK: (200, "OK"),
    Code.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    Code.PROTOBUF_PARSE_ERR: (400, "INVALID_ARGUMENT"),
    Code.CLUSTER_NOT_FOUND: (404, "NOT_FOUND"),
    Code.TABLET_NOT_FOUND: (404, "NOT_FOUND"),
    Code.ALREADY_EXISTED: (409, "ALREADY_EXISTED"),
}

CODE_NAMES: dict[int, str] = {v.number: v.name for v in Code.DESCRIPTOR.values}


def status_of(code: int) -> tuple[int, str]:
    """(HTTP status, envelope code) for a MetaServiceCode (spec 1.6)."""
    return _ENVELOPE_CODES.get(code, (500, "INTERNAL_ERROR"))


def envelope(code: int, msg: str, result: dict[str, Any] | Message | None = None) -> Response:
    """The JSON envelope `{code, msg[, result]}` in Doris's layout, with its HTTP status."""
    http_status, name = status_of(code)
    body = '{\n    "code": ' + pretty_json(name) + ',\n    "msg": ' + pretty_json(msg)
    if isinstance(result, Message):
        body += ',\n    "result": ' + pretty_message(result, "    ")
    elif result is not None:
        body += ',\n    "result": ' + pretty_json(result, "    ")
    body += "\n}\n"
    return Response(body.encode(), status_code=http_status, media_type="text/plain")
