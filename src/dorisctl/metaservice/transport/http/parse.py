"""Reading HTTP requests: the raw body (bounded, never form-decoded) and the protobuf JSON mapping,
strict first, then lenient as Doris (spec 1.5)."""

from __future__ import annotations

import json

from google.protobuf import json_format
from google.protobuf.message import Message
from starlette.requests import Request

from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.transport.http import pbparse

MAX_BODY_BYTES = 4 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


def header(request: Request, name: bytes) -> bytes | None:
    for key, value in request.scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused past `limit` (read straight from ASGI: no form decoding, ever)."""
    declared = header(request, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            break  # the client went away; what arrived is parsed and fails if incomplete
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def strip_trailing_commas(text: str) -> str:
    """Drop commas that directly precede `}` or `]` outside strings."""
    out: list[str] = []
    in_string = escaped = False
    pending_comma = -1
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "}]" and pending_comma >= 0:
            out[pending_comma] = ""
        if ch == ",":
            pending_comma = len(out)
        elif not ch.isspace():
            pending_comma = -1
        if ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


def parse_request(body: bytes, message_type: type[Message], route_path: str) -> Message:
    """The protobuf JSON mapping, strict first, then ignoring unknown fields and enum names (spec 1.5)."""
    prefix = f"parse http request '{route_path}': "
    try:
        data = json.loads(body)
    except ValueError as e:
        try:  # the API reference's own examples carry trailing commas; accept those, nothing else
            data = json.loads(strip_trailing_commas(body.decode()))
        except ValueError:
            raise invalid(prefix + f"invalid JSON: {e}") from None
    if not isinstance(data, dict):
        raise invalid(prefix + "the body must be a JSON object")
    msg = message_type()
    try:
        pbparse.fill(msg, data)
        return msg
    except pbparse.Irregular:
        pass
    msg = message_type()
    try:
        json_format.ParseDict(data, msg)
        return msg
    except Exception:
        pass
    msg = message_type()
    try:
        json_format.ParseDict(data, msg, ignore_unknown_fields=True)
    except Exception as e:
        raise invalid(prefix + str(e)) from None
    return msg
