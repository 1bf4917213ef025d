"""Reading HTTP requests: the raw body (bounded, never form-decoded) and the protobuf JSON mapping,
strict first, then lenient as Doris (spec 1.5)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from starlette.requests import Request

from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.transport.http import pbparse

MAX_BODY_BYTES = 4 * 1024 * 1024


BODY_READ_TIMEOUT = 30.0  # seconds between two chunks of a request body
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


class BodyTooLarge(Exception):
    pass


class BodyIncomplete(Exception):
    """The client went away (or stalled) before its whole body arrived: nothing is executed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def header(request: Request, name: bytes) -> bytes | None:
    for key, value in request.scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def read_body(request: Request, limit: int = MAX_BODY_BYTES, timeout: float = BODY_READ_TIMEOUT) -> bytes:
    """The raw body, refused past `limit` (read straight from ASGI: no form decoding, ever)."""
    declared = header(request, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await asyncio.wait_for(request.receive(), timeout)
        except TimeoutError:
            raise BodyIncomplete(f"no request body bytes for {timeout:g} s") from None
        if message["type"] != "http.request":
            raise BodyIncomplete("the client went away before its whole body arrived")
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


def load_json(body: bytes, prefix: str = "") -> Any:
    """A JSON document, or INVALID_ARGUMENT saying why not (bad UTF-8, lone surrogates, nesting)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise invalid(prefix + f"invalid JSON: not UTF-8 (byte {e.start})") from None
    try:
        try:
            data = json.loads(text)
        except ValueError as e:
            try:  # the API reference's own examples carry trailing commas; accept those, nothing else
                data = json.loads(strip_trailing_commas(text))
            except ValueError:
                raise invalid(prefix + f"invalid JSON: {e}") from None
    except RecursionError:
        raise invalid(prefix + "invalid JSON: nested too deeply") from None
    if _SURROGATE_ESCAPE.search(body):  # cheap test first: only escapes can smuggle a lone surrogate in
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise invalid(prefix + "invalid JSON: a string holds a lone surrogate escape (e.g. \\ud800)") from None
    return data


def parse_request(body: bytes, message_type: type[Message], route_path: str) -> Message:
    """The protobuf JSON mapping, strict first, then ignoring unknown fields and enum names (spec 1.5);
    the message must have every required field (as Doris's json2pb demands)."""
    prefix = f"parse http request '{route_path}': "
    data = load_json(body, prefix)
    if not isinstance(data, dict):
        raise invalid(prefix + "the body must be a JSON object")
    msg = _fill(data, message_type, prefix)
    if not msg.IsInitialized():
        missing: list[str] = msg.FindInitializationErrors()  # type: ignore[attr-defined]
        raise invalid(prefix + "missing required field(s): " + ", ".join(missing))
    return msg


def _fill(data: dict[str, Any], message_type: type[Message], prefix: str) -> Message:
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
