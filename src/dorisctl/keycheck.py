"""The store's key check: which root keys its secrets need, and refusing to serve without them.

A process whose key ring differs from the one that sealed the store's secrets used to start and
then answer `failed to decrypt` on every read of a secret. The store now holds one value at
`keys.key_check_key()`: JSON `{"version": 1, "keys": {"<id>": "<canary>"}}`, for every key id
its secrets may be sealed with, a fixed text sealed under that key (never the key itself).

At start (`ensure_key_ring`), a meta-service, recycler or `dorisctl up` process:

* creates the check from its own ring if the store has none (first start);
* refuses to start (`KeyRingMismatch`, naming the ids it has, the ids the store needs, and how
  to fix it) if a needed id is missing from its ring or its key of that id does not open the
  canary (same id, different key);
* adds its other key ids to the check, so that processes lacking them are refused too (a key is
  added to every process's ring before any process starts with it; see docs/keys.md).

`dorisctl keys` (keyring_admin.py) edits the check when it rotates or retires keys.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from dorisctl.kv import Txn, TxnKv, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice.keys import key_check_key
from dorisctl.secrets import ENV_ROOT_KEY, KeyRing, SecretError

log = logging.getLogger("dorisctl.keycheck")

CANARY = "dorisctl key check"
CONTEXT = "key-check"


class KeyRingMismatch(SecretError):
    """This process's key ring cannot open the store's secrets."""


@dataclass
class KeyCheck:
    canaries: dict[int, str] = field(default_factory=dict)  # key id -> canary sealed under it

    @classmethod
    def parse(cls, raw: bytes) -> KeyCheck:
        try:
            doc = json.loads(raw)
            return cls({int(k): str(v) for k, v in doc["keys"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise SecretError("the store's key check is corrupt") from e

    def encode(self) -> bytes:
        return json.dumps({"version": 1, "keys": {str(k): v for k, v in sorted(self.canaries.items())}}).encode()

    def problems(self, ring: KeyRing) -> dict[int, str]:
        """Needed key id -> why this ring cannot serve it ("missing" / "different key")."""
        out: dict[int, str] = {}
        for key_id, canary in self.canaries.items():
            if key_id not in ring.key_ids:
                out[key_id] = "missing"
                continue
            try:
                if ring.open(canary, key_id, CONTEXT) != CANARY:
                    out[key_id] = "different key"
            except SecretError:
                out[key_id] = "different key"
        return out

    def add(self, ring: KeyRing, key_id: int) -> None:
        self.canaries[key_id] = ring.seal(CANARY, CONTEXT, key_id=key_id).ciphertext


async def read_key_check(txn: Txn) -> KeyCheck | None:
    raw = await txn.get(key_check_key())
    return None if raw is None else KeyCheck.parse(raw)


def write_key_check(txn: Txn, check: KeyCheck) -> None:
    txn.put(key_check_key(), check.encode())


def describe_ring(ring: KeyRing) -> str:
    return f"from {ring.source}" if ring.source is not None else f"from {ENV_ROOT_KEY}"


def mismatch_message(ring: KeyRing, check: KeyCheck, problems: dict[int, str], store_url: str) -> str:
    detail = ", ".join(f"key {k}: {why}" for k, why in sorted(problems.items()))
    where = (
        f"copy the key file ({ring.source.name}) of a process that serves this store into {ring.source.parent} "
        f"(mode 0600), or set {ENV_ROOT_KEY} to the same keys"
        if ring.source is not None
        else f"set {ENV_ROOT_KEY} to the keys the store's other processes use (<id>:<base64>,...)"
    )
    return (
        f"this process's key ring ({describe_ring(ring)}) has key ids {ring.key_ids}, but the secrets in "
        f"store {store_url} need key ids {sorted(check.canaries)} ({detail}); it would fail to open them, "
        f"so it does not start. To fix: {where}"
    )


async def ensure_key_ring(kv: TxnKv, ring: KeyRing) -> list[int]:
    """Check (or create) the store's key check against this ring; -> the ids the store needs.

    Raises KeyRingMismatch if the ring cannot open every secret the store may hold."""

    async def check(txn: Txn) -> tuple[KeyCheck, dict[int, str], list[int]]:
        current = await read_key_check(txn)
        stored = current or KeyCheck()
        problems = stored.problems(ring)
        if problems:
            return stored, problems, []
        added = [k for k in ring.key_ids if k not in stored.canaries]
        for key_id in added:
            stored.add(ring, key_id)
        if added:
            write_key_check(txn, stored)
        return stored, {}, added

    stored, problems, added = await run_txn(kv, check)
    if problems:
        raise KeyRingMismatch(mismatch_message(ring, stored, problems, kv.url))
    if added:
        log_event(log, "key_check_updated", added_key_ids=added, key_ids=sorted(stored.canaries))
    return sorted(stored.canaries)
