"""etcd backend of the TxnKv: optimistic transactions over etcd's MVCC revisions (etcd >= 3.4).

URL: `etcd://h1:2379,h2:2379,h3:2379[/prefix][?option=value...]`. Every key lives under
`<prefix>/d/` (`d/` without a prefix); `<prefix>/m/` holds commit markers. Options:
`timeout` (seconds per request, default 2), `max_txn_ops` and `max_request_bytes` (must match
the server's `--max-txn-ops` / `--max-request-bytes`; defaults are etcd's, 128 and 1.5 MiB).

* Versions are etcd `mod_revision`s. A transaction's first read fixes its snapshot revision (the
  reply header's revision); later reads pass `revision=` so they see the same snapshot. A
  snapshot compacted away raises `Conflict` (retryable: a new transaction reads a new revision).
* Commit is ONE etcd txn. Compares: `MOD == seen` for every point read (`MOD == 0` for a key seen
  absent: etcd compares a missing key as all zeros); `MOD < read_revision + 1` over each range
  read (etcd compares every key in `[key, range_end)`: any key written since the snapshot fails);
  deletions inside a read range are caught by the point compares of the keys the read returned.
  Success branch: the buffered writes, collapsed to their final effect (etcd refuses a txn that
  puts one key twice, or puts a key inside a range it deletes: such ranges are split around the
  put keys). A failed compare is a `Conflict`.
* `atomic_add` has no etcd op: at commit the current values of the added keys are read, the sums
  are put, and the txn also compares each added key's `mod_revision` to what was read. If only
  those compares fail (another writer changed the counter), the commit re-reads and retries by
  itself (bounded), so adds never conflict with the caller's reads; under heavy contention on
  one counter this costs round trips and can end in `Conflict` after the retry budget.
* Unknown outcome: every write txn also creates a fresh marker key `<prefix>/m/<uuid>` (compare
  `CREATE == 0`, put "c"), leased so markers expire. If the reply is lost, a second txn puts the
  tombstone "a" on the marker unless it exists. etcd orders both txns in its log, so the answer
  is final: marker "c" -> committed (success); tombstone written -> the original can never apply
  -> `Unavailable` (retryable, nothing written); still no answer within the budget ->
  `MaybeCommitted`.
* Limits (checked as writes are buffered, and exactly before sending): key 10,000 and value
  100,000 bytes (FoundationDB's, as the other backends), written bytes per transaction 2/3 of
  `max_request_bytes`, buffered writes `max_txn_ops - 8`; at commit the real request size and
  the compares/ops count are checked against etcd's limits and raise `TooLarge` before sending.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

from dorisctl.kv.base import Commit, Limits, Mutation, Txn, TxnKv, _wrap_add
from dorisctl.kv.errors import Conflict, KvError, MaybeCommitted, TooLarge, Unavailable
from dorisctl.kv.etcd_client import (
    EtcdGateway,
    EtcdRejected,
    EtcdUnknownOutcome,
    EtcdUnreachable,
    JsonObj,
    b64,
    unb64,
)

DEFAULT_PORT = 2379
DEFAULT_MAX_TXN_OPS = 128  # etcd --max-txn-ops default
DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024  # etcd --max-request-bytes default
REQUEST_MARGIN = 64 * 1024  # headroom under max_request_bytes for framing we do not count
OPS_MARGIN = 8  # buffered writes may turn into a few more etcd ops (marker, split ranges)
ADD_RETRIES = 64  # commit attempts when only atomic_add compares fail
RESOLVE_BUDGET = 15.0  # seconds to find out whether a commit with a lost reply applied
MARKER_LEASE_TTL = 60  # seconds a commit marker lives at most
MARKER_LEASE_USE = 10  # seconds a lease is given to new markers (>= 50 s left: > RESOLVE_BUDGET)
COMMITTED = b"c"
ABORTED = b"a"


def parse_etcd_url(url: str) -> tuple[list[str], bytes, dict[str, str]]:
    """`etcd://h1:2379,h2:2379/prefix?opt=v` -> (endpoints, prefix bytes, options)."""
    if not url.startswith("etcd://"):
        raise ValueError(f"not an etcd URL (want etcd://host:port,...): {url!r}")
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        raise ValueError("etcd URL credentials are not supported")
    endpoints = []
    for item in parts.netloc.split(","):
        item = item.strip()
        if not item:
            continue
        endpoints.append(item if ":" in item else f"{item}:{DEFAULT_PORT}")
    if not endpoints:
        raise ValueError(f"etcd URL without endpoints: {url!r}")
    prefix = urllib.parse.unquote_to_bytes(parts.path.lstrip("/")).rstrip(b"/")
    options = dict(urllib.parse.parse_qsl(parts.query))
    unknown = set(options) - {"timeout", "max_txn_ops", "max_request_bytes"}
    if unknown:
        raise ValueError(f"unknown etcd URL option(s): {', '.join(sorted(unknown))}")
    return endpoints, prefix, options


def etcd_limits(max_txn_ops: int, max_request_bytes: int) -> Limits:
    return Limits(
        max_key_bytes=10_000,
        max_value_bytes=100_000,
        max_txn_bytes=max_request_bytes * 2 // 3,
        max_mutations=max(1, max_txn_ops - OPS_MARGIN),
        max_reads=max(1, max_txn_ops - OPS_MARGIN),
    )


ETCD_LIMITS = etcd_limits(DEFAULT_MAX_TXN_OPS, DEFAULT_MAX_REQUEST_BYTES)


class EtcdKv(TxnKv):
    def __init__(self, url: str) -> None:
        endpoints, prefix, options = parse_etcd_url(url)
        self._url = url
        self.max_txn_ops = int(options.get("max_txn_ops", DEFAULT_MAX_TXN_OPS))
        self.max_request_bytes = int(options.get("max_request_bytes", DEFAULT_MAX_REQUEST_BYTES))
        if self.max_txn_ops < 16 or self.max_request_bytes < 256 * 1024:
            raise ValueError("etcd max_txn_ops must be >= 16 and max_request_bytes >= 256 KiB")
        self.limits = etcd_limits(self.max_txn_ops, self.max_request_bytes)
        timeout = float(options.get("timeout", "2"))
        self.gateway = EtcdGateway(endpoints, request_timeout=timeout, read_budget=max(10.0, 5 * timeout))
        base = prefix + b"/" if prefix else b""
        self.data_prefix = base + b"d/"
        self.marker_prefix = base + b"m/"
        self.resolve_budget = RESOLVE_BUDGET
        self._lease: tuple[int, float] | None = None
        self._lease_lock = asyncio.Lock()
        self._closed = False
        # Counts of rare events (lost replies and how they resolved, counter retries), for tests,
        # benchmarks and logs: "resolved_committed", "resolved_not_committed", "maybe_committed",
        # "add_retries".
        self.stats: collections.Counter[str] = collections.Counter()

    @property
    def url(self) -> str:
        return self._url

    async def begin(self) -> Txn:
        if self._closed:
            raise Unavailable("store is closed")
        return EtcdTxn(self)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self.gateway.close()

    def key(self, user_key: bytes) -> bytes:
        return self.data_prefix + user_key

    async def marker_lease(self, *, renew: bool = False) -> int:
        """A lease for commit markers with at least MARKER_LEASE_TTL - MARKER_LEASE_USE seconds left."""
        async with self._lease_lock:
            now = time.monotonic()
            if renew or self._lease is None or now - self._lease[1] > MARKER_LEASE_USE:
                try:
                    lease_id = await self.gateway.lease_grant(MARKER_LEASE_TTL)
                except EtcdUnreachable as e:
                    raise Unavailable(f"etcd: {e}") from e
                except EtcdRejected as e:
                    raise KvError(f"etcd refused a lease grant: {e}") from e
                self._lease = (lease_id, now)
            return self._lease[0]


@dataclass
class _Plan:
    """The final effect of a transaction's mutations, in the shape etcd accepts."""

    puts: dict[bytes, bytes] = field(default_factory=dict)
    deletes: list[tuple[bytes, bytes | None]] = field(default_factory=list)  # (key, range_end | None)
    adds: dict[bytes, int] = field(default_factory=dict)


def merge_ranges(ranges: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Sorted, non-overlapping union of [begin, end) ranges (empty ranges dropped)."""
    out: list[tuple[bytes, bytes]] = []
    for b, e in sorted(r for r in ranges if r[0] < r[1]):
        if out and b <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((b, e))
    return out


def plan_mutations(mutations: list[Mutation]) -> _Plan:
    """Collapse ordered mutations into puts, deletes and blind adds with no overlaps."""
    values: dict[bytes, bytes | None] = {}
    adds: dict[bytes, int] = {}
    cleared: list[tuple[bytes, bytes]] = []

    def in_cleared(key: bytes) -> bool:
        return any(b <= key < e for b, e in cleared)

    for m in mutations:
        if m.kind == "put":
            values[m.key] = m.value
            adds.pop(m.key, None)
        elif m.kind == "remove":
            values[m.key] = None
            adds.pop(m.key, None)
        elif m.kind == "clear":
            for k in [k for k in values if m.key <= k < m.end]:
                del values[k]
            for k in [k for k in adds if m.key <= k < m.end]:
                del adds[k]
            cleared = merge_ranges([*cleared, (m.key, m.end)])
        elif m.key in values:
            values[m.key] = _wrap_add(values[m.key], m.delta)
        elif in_cleared(m.key):
            values[m.key] = _wrap_add(None, m.delta)
        else:
            adds[m.key] = adds.get(m.key, 0) + m.delta
    plan = _Plan(adds=adds)
    plan.puts = {k: v for k, v in values.items() if v is not None}
    plan.deletes = [(k, None) for k, v in sorted(values.items()) if v is None and not in_cleared(k)]
    put_keys = sorted(plan.puts)
    for b, e in cleared:
        start = b
        for p in (p for p in put_keys if b <= p < e):
            if start < p:
                plan.deletes.append((start, p))
            start = p + b"\x00"
        if start < e:
            plan.deletes.append((start, e))
    return plan


class EtcdTxn(Txn):
    def __init__(self, kv: EtcdKv) -> None:
        super().__init__(kv.limits)
        self._kv = kv
        self._revision: int | None = None
        self._first_read = asyncio.Lock()

    def _snapshot_version(self) -> int:
        return self._revision or 0

    # -- reads ----------------------------------------------------------------------------------

    async def _range(self, request: JsonObj) -> list[tuple[bytes, bytes, int]]:
        if self._revision is None:
            async with self._first_read:
                if self._revision is None:
                    reply = await self._call_range(request)
                    self._revision = int(reply["header"]["revision"])
                    return self._rows(reply)
        request["revision"] = str(self._revision)
        return self._rows(await self._call_range(request))

    async def _call_range(self, request: JsonObj) -> JsonObj:
        return await self._read("/v3/kv/range", request)

    async def _read(self, path: str, body: JsonObj) -> JsonObj:
        """A read request (safe to send again), etcd's refusals as the KvError tree."""
        try:
            return await self._kv.gateway.read(path, body)
        except EtcdRejected as e:
            if e.compacted:
                raise Conflict(f"etcd: snapshot revision {self._revision} was compacted") from e
            raise KvError(f"etcd refused a read: {e}") from e
        except EtcdUnreachable as e:
            raise Unavailable(f"etcd: {e}") from e

    def _rows(self, reply: JsonObj) -> list[tuple[bytes, bytes, int]]:
        n = len(self._kv.data_prefix)
        return [(unb64(kv["key"])[n:], unb64(kv.get("value")), int(kv["mod_revision"])) for kv in reply.get("kvs", ())]

    async def _snapshot_get(self, key: bytes) -> tuple[bytes, int] | None:
        rows = await self._range({"key": b64(self._kv.key(key))})
        return None if not rows else (rows[0][1], rows[0][2])

    async def _snapshot_get_many(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, int]]:
        """Point reads at the pinned revision, `max_txn_ops` per request: one read-only etcd
        transaction of range operations (served by the member without a raft round, like a range;
        each operation at the pinned revision). The first read of the transaction pins it."""
        out: dict[bytes, tuple[bytes, int]] = {}
        kv = self._kv
        for i in range(0, len(keys), kv.max_txn_ops):
            chunk = keys[i : i + kv.max_txn_ops]
            if len(chunk) == 1:
                found = await self._snapshot_get(chunk[0])
                if found is not None:
                    out[chunk[0]] = found
                continue
            ranges: list[JsonObj] = [{"key": b64(kv.key(k))} for k in chunk]
            for key, response in zip(chunk, await self._read_txn(ranges), strict=True):
                rows = self._rows(response.get("response_range", {}))
                if rows:
                    out[key] = (rows[0][1], rows[0][2])
        return out

    async def _read_txn(self, ranges: list[JsonObj]) -> list[JsonObj]:
        """The responses of one read-only transaction of these range requests, at the pinned
        revision (pinning it if this is the transaction's first read)."""
        if self._revision is None:
            async with self._first_read:
                if self._revision is None:
                    reply = await self._call_read_txn(ranges)
                    self._revision = int(reply["header"]["revision"])
                    return list(reply.get("responses", ()))
        for request in ranges:
            request["revision"] = str(self._revision)
        return list((await self._call_read_txn(ranges)).get("responses", ()))

    async def _call_read_txn(self, ranges: list[JsonObj]) -> JsonObj:
        return await self._read("/v3/kv/txn", {"success": [{"request_range": r} for r in ranges]})

    async def _snapshot_range(
        self, begin: bytes, end: bytes, limit: int, reverse: bool
    ) -> list[tuple[bytes, bytes, int]]:
        request: JsonObj = {"key": b64(self._kv.key(begin)), "range_end": b64(self._kv.key(end))}
        if limit:
            request["limit"] = str(limit)
        if reverse:
            request["sort_order"] = "DESCEND"
            request["sort_target"] = "KEY"
        return await self._range(request)

    # -- commit ---------------------------------------------------------------------------------

    async def _commit(self, commit: Commit) -> None:
        kv = self._kv
        plan = plan_mutations(commit.mutations)
        compares: list[JsonObj] = []
        size = 0
        for key, version in commit.point_checks.items():
            k = kv.key(key)
            compares.append(_compare(k, "EQUAL", version or 0))
            size += len(k) + 16
        for begin, end in merge_ranges(commit.range_checks):
            k, e = kv.key(begin), kv.key(end)
            compares.append(_compare(k, "LESS", commit.read_version + 1, range_end=e))
            size += len(k) + len(e) + 20
        writes: list[JsonObj] = []
        for dk, dend in plan.deletes:
            delete: JsonObj = {"key": b64(kv.key(dk))}
            if dend is not None:
                delete["range_end"] = b64(kv.key(dend))
            writes.append({"request_delete_range": delete})
            size += len(kv.key(dk)) + (len(kv.key(dend)) if dend is not None else 0) + 12
        for k, v in plan.puts.items():
            writes.append({"request_put": {"key": b64(kv.key(k)), "value": b64(v)}})
            size += len(kv.key(k)) + len(v) + 12
        add_keys = sorted(plan.adds)
        size += sum(2 * (len(kv.key(k)) + 24) for k in add_keys) + len(kv.marker_prefix) + 64
        self._check_request(len(compares) + len(add_keys) + 1, len(writes) + len(add_keys) + 1, size)

        current = await self._read_current(add_keys) if add_keys else {}
        lease_renewals = 0
        for attempt in range(1, ADD_RETRIES + 1):
            lease = await kv.marker_lease()
            marker = kv.marker_prefix + uuid.uuid4().hex.encode()
            add_compares = [_compare(kv.key(k), "EQUAL", current[k][1]) for k in add_keys]
            add_puts = [
                {"request_put": {"key": b64(kv.key(k)), "value": b64(_wrap_add(current[k][0], plan.adds[k]))}}
                for k in add_keys
            ]
            request = {
                "compare": [*compares, *add_compares, _create_absent(marker)],
                "success": [*writes, *add_puts, _put(marker, COMMITTED, lease)],
                "failure": [{"request_range": {"key": b64(kv.key(k))}} for k in add_keys],
            }
            try:
                reply = await kv.gateway.txn(request)
            except EtcdUnreachable as e:
                raise Unavailable(f"etcd: {e}; nothing was written") from e
            except EtcdUnknownOutcome as e:
                if await self._resolve(marker, str(e)):
                    kv.stats["resolved_committed"] += 1
                    return
                kv.stats["resolved_not_committed"] += 1
                raise Unavailable(f"etcd: {e}; checked: the commit was not applied") from e
            except EtcdRejected as e:
                if "lease not found" in str(e) and lease_renewals < 2:
                    lease_renewals += 1
                    await kv.marker_lease(renew=True)
                    continue
                raise _rejected(e) from e
            if reply.get("succeeded", False):
                return
            if not add_keys:
                raise Conflict("a key or range read by the transaction was changed by another commit")
            fresh = self._parse_current(add_keys, reply.get("responses", []))
            if all(fresh[k][1] == current[k][1] for k in add_keys):
                raise Conflict("a key or range read by the transaction was changed by another commit")
            current = fresh  # only counters moved: redo the adds on their new values
            kv.stats["add_retries"] += 1
            await asyncio.sleep(random.uniform(0, min(0.002 * 2**attempt, 0.1)))
        raise Conflict(f"atomic_add: counters kept changing during {ADD_RETRIES} commit attempts")

    def _check_request(self, compares: int, ops: int, size: int) -> None:
        kv = self._kv
        if max(compares, ops) > kv.max_txn_ops:
            raise TooLarge(
                f"etcd transaction needs {compares} compares (one per key or range read, plus one) and "
                f"{ops} operations; etcd allows {kv.max_txn_ops} of each per transaction "
                f"(--max-txn-ops): read or write less per transaction"
            )
        if size > kv.max_request_bytes - REQUEST_MARGIN:
            raise TooLarge(
                f"etcd transaction request of about {size} bytes exceeds the limit of "
                f"{kv.max_request_bytes - REQUEST_MARGIN} (--max-request-bytes minus a margin)"
            )

    async def _read_current(self, keys: list[bytes]) -> dict[bytes, tuple[bytes | None, int]]:
        request = {"success": [{"request_range": {"key": b64(self._kv.key(k))}} for k in keys]}
        try:
            reply = await self._kv.gateway.read("/v3/kv/txn", request)  # read-only txn: idempotent
        except EtcdUnreachable as e:
            raise Unavailable(f"etcd: {e}; nothing was written") from e
        except EtcdRejected as e:
            raise _rejected(e) from e
        return self._parse_current(keys, reply.get("responses", []))

    @staticmethod
    def _parse_current(keys: list[bytes], responses: list[JsonObj]) -> dict[bytes, tuple[bytes | None, int]]:
        out: dict[bytes, tuple[bytes | None, int]] = {}
        for k, resp in zip(keys, responses, strict=True):
            kvs = resp.get("response_range", {}).get("kvs", [])
            out[k] = (unb64(kvs[0].get("value")), int(kvs[0]["mod_revision"])) if kvs else (None, 0)
        return out

    async def _resolve(self, marker: bytes, why: str) -> bool:
        """After a lost reply: True if the commit applied; False if it never will; else MaybeCommitted."""
        kv = self._kv
        deadline = time.monotonic() + kv.resolve_budget
        renew = False
        while time.monotonic() < deadline:
            try:
                lease = await kv.marker_lease(renew=renew)
                renew = False
                reply = await kv.gateway.txn(
                    {
                        "compare": [_create_absent(marker)],
                        "success": [_put(marker, ABORTED, lease)],
                        "failure": [{"request_range": {"key": b64(marker)}}],
                    }
                )
            except (EtcdUnknownOutcome, EtcdUnreachable, Unavailable):
                await asyncio.sleep(0.1)
                continue
            except EtcdRejected as e:
                if "lease not found" in str(e):
                    renew = True
                    continue
                break
            if reply.get("succeeded", False):
                return False
            kvs = reply["responses"][0].get("response_range", {}).get("kvs", [])
            if kvs:
                return unb64(kvs[0].get("value")) == COMMITTED
            break
        kv.stats["maybe_committed"] += 1
        raise MaybeCommitted(f"etcd: {why}; could not find out whether the commit applied")


def _compare(key: bytes, result: str, mod_revision: int, *, range_end: bytes | None = None) -> JsonObj:
    c: JsonObj = {"key": b64(key), "target": "MOD", "result": result, "mod_revision": str(mod_revision)}
    if range_end is not None:
        c["range_end"] = b64(range_end)
    return c


def _create_absent(key: bytes) -> JsonObj:
    return {"key": b64(key), "target": "CREATE", "result": "EQUAL", "create_revision": "0"}


def _put(key: bytes, value: bytes, lease: int) -> JsonObj:
    return {"request_put": {"key": b64(key), "value": b64(value), "lease": str(lease)}}


def _rejected(e: EtcdRejected) -> KvError:
    text = str(e)
    if "too many operations" in text or "too large" in text:
        return TooLarge(f"etcd refused the transaction: {text}")
    return KvError(f"etcd refused the transaction: {text}")


__all__ = ["ETCD_LIMITS", "EtcdKv", "EtcdTxn", "parse_etcd_url", "plan_mutations"]
