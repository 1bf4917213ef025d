"""A thin asyncio client for etcd's v3 JSON gateway (`/v3/kv/range`, `/v3/kv/txn`, `/v3/lease/grant`).

Owns the transport only: base64 keys and values, int64-as-string fields, endpoint rotation, short
per-request timeouts, and classifying failures into what a caller can rely on:

* `EtcdUnreachable`: no member answered; the request was certainly not applied (for writes only
  raised when no connection could be made, so the body never left this process).
* `EtcdUnknownOutcome`: a write was (or may have been) sent but no answer came back (timeout,
  connection reset, server-side "request timed out" / "leader changed"): it may or may not apply.
* `EtcdRejected`: etcd refused the request deterministically (too many ops, too large, duplicate
  key, lease not found, compacted revision, ...); nothing was applied.

Reads are idempotent and retried on the next endpoint until the read budget runs out. Writes are
never re-sent once their body may have reached a member: the caller resolves the outcome.
No generated protobuf code: the gateway speaks proto3 JSON (defaults are omitted from replies).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp

JsonObj = dict[str, Any]

# gRPC status codes etcd uses for errors that are decided before anything is applied.
_INVALID_ARGUMENT = 3
_NOT_FOUND = 5
_FAILED_PRECONDITION = 9
_OUT_OF_RANGE = 11
_DETERMINISTIC_CODES = {_INVALID_ARGUMENT, _NOT_FOUND, _FAILED_PRECONDITION, _OUT_OF_RANGE}


class EtcdError(Exception):
    """Base of the transport errors."""


class EtcdUnreachable(EtcdError):
    """No endpoint answered; the request was not applied."""


class EtcdUnknownOutcome(EtcdError):
    """A write may have reached etcd but its answer was lost."""


class EtcdRejected(EtcdError):
    """etcd refused the request (gRPC status `code`); nothing was applied."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code

    @property
    def compacted(self) -> bool:
        return "compacted" in str(self)


class _Retryable(EtcdError):
    """A transient server answer (no leader, timed out, ...): the request may be retried if idempotent."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def parse_endpoint(text: str) -> str:
    """`host:port` or `http://host:port` -> base URL."""
    text = text.strip().rstrip("/")
    if not text:
        raise ValueError("empty etcd endpoint")
    if text.startswith("https://"):
        raise ValueError("TLS endpoints are not supported yet: use http://")
    if text.startswith("http://"):
        text = text[len("http://") :]
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"etcd endpoint must be host:port, got {text!r}")
    return f"http://{host}:{int(port)}"


class EtcdGateway:
    """HTTP/JSON connection to a set of etcd members, rotating over them on failure."""

    def __init__(
        self,
        endpoints: list[str],
        *,
        request_timeout: float = 2.0,
        connect_timeout: float = 0.5,
        read_budget: float = 10.0,
    ) -> None:
        if not endpoints:
            raise ValueError("at least one etcd endpoint is required")
        self.endpoints = [parse_endpoint(e) for e in endpoints]
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.read_budget = read_budget
        self._current = 0
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise EtcdUnreachable("etcd client is closed")
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.request_timeout, sock_connect=self.connect_timeout)
            connector = aiohttp.TCPConnector(limit=64, limit_per_host=32)
            self._session = aiohttp.ClientSession(timeout=timeout, connector=connector, json_serialize=json.dumps)
        return self._session

    async def close(self) -> None:
        self._closed = True
        if self._session is not None and not self._session.closed:
            await self._session.close()

    # -- one request to one endpoint -----------------------------------------------------------

    async def _post_once(self, base: str, path: str, body: JsonObj) -> JsonObj:
        """POST to one member. Raises aiohttp/asyncio errors as they come, EtcdRejected/_Retryable."""
        session = self._get_session()
        async with session.post(base + path, data=json.dumps(body)) as resp:
            raw = await resp.read()
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {"error": raw[:200].decode("utf-8", "replace")}
            if resp.status == 200 and "error" not in data:
                result: JsonObj = data
                return result
            message = str(data.get("error") or data.get("message") or f"HTTP {resp.status}")
            code = int(data.get("code", 0) or 0)
            if code in _DETERMINISTIC_CODES:
                raise EtcdRejected(message, code)
            raise _Retryable(message)

    # -- public calls --------------------------------------------------------------------------

    async def read(self, path: str, body: JsonObj, *, budget: float | None = None) -> JsonObj:
        """An idempotent request: tried on each endpoint in turn until one answers or the budget ends."""
        deadline = time.monotonic() + (self.read_budget if budget is None else budget)
        last: BaseException | None = None
        tries = 0
        while True:
            base = self.endpoints[self._current]
            try:
                return await self._post_once(base, path, body)
            except EtcdRejected:
                raise
            except (TimeoutError, aiohttp.ClientError, _Retryable, OSError) as e:
                last = e
                self._rotate(base)
            tries += 1
            if time.monotonic() >= deadline:
                raise EtcdUnreachable(f"etcd unavailable ({_describe(last)}) after {tries} tries") from last
            if tries % len(self.endpoints) == 0:
                await asyncio.sleep(min(0.05 * tries, 0.3))

    async def write(self, path: str, body: JsonObj) -> JsonObj:
        """A non-idempotent request: re-sent to another member only if it certainly was not sent."""
        last: BaseException | None = None
        for _ in range(len(self.endpoints)):
            base = self.endpoints[self._current]
            try:
                return await self._post_once(base, path, body)
            except EtcdRejected:
                raise
            except aiohttp.ClientConnectorError as e:  # no connection: the body was never sent
                last = e
                self._rotate(base)
            except (TimeoutError, aiohttp.ClientError, _Retryable, OSError) as e:
                self._rotate(base)
                raise EtcdUnknownOutcome(f"etcd write outcome unknown ({_describe(e)})") from e
        raise EtcdUnreachable(f"no etcd endpoint accepted a connection ({_describe(last)})") from last

    def _rotate(self, failed: str) -> None:
        # Only move on if nobody else already did (concurrent requests fail together).
        if self.endpoints[self._current] == failed:
            self._current = (self._current + 1) % len(self.endpoints)

    # -- helpers for the KV API ----------------------------------------------------------------

    async def range(self, request: JsonObj, *, budget: float | None = None) -> JsonObj:
        return await self.read("/v3/kv/range", request, budget=budget)

    async def txn(self, request: JsonObj) -> JsonObj:
        return await self.write("/v3/kv/txn", request)

    async def lease_grant(self, ttl: int) -> int:
        # A lease nobody uses expires by itself, so a retried grant is harmless.
        reply = await self.read("/v3/lease/grant", {"TTL": str(ttl)})
        return int(reply["ID"])


def _describe(e: BaseException | None) -> str:
    if e is None:
        return "no endpoint tried"
    if isinstance(e, asyncio.TimeoutError):
        return "request timed out"
    text = str(e) or type(e).__name__
    return f"{type(e).__name__}: {text}" if not isinstance(e, EtcdError) else text
