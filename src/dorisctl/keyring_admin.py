"""`dorisctl keys`: rotate and retire root keys while meta-service processes keep serving.

* `rotate` adds a key (id = newest + 1) to the key file, registers it in the store's key check,
  waits for serving processes sharing the file to see it (they re-read it, see secrets.KeyRing),
  then re-seals every secret under it: the store's instances, storage vaults and IAM user in
  bounded batches, each batch one store transaction (read-modify-write, so a concurrent change
  simply conflicts and is retried), then the manager's sealed ssh keys (`<data-dir>/manager.db` or `--manager-db`).
  With `--no-new-key` it only re-seals under the ring's newest key: the way to finish a rotation
  when the ring comes from DORISCTL_ROOT_KEY (add the key there on every process first).
* `retire ID` refuses while any secret (store or manager) is sealed with key ID, or if ID is the
  newest key; otherwise it drops ID from the key check and from the key file.
* `status` prints the key ids of the ring, of the key check, and how many secrets use each.

Store and key ring are found as `dorisctl meta-service` finds them: `--data-dir`, `--store`,
DORISCTL_ROOT_KEY.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from dorisctl.keycheck import KeyCheck, ensure_key_ring, read_key_check, write_key_check
from dorisctl.kv import Txn, TxnKv, open_store, run_txn
from dorisctl.logs import log_event
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.metaservice.server import default_store_url
from dorisctl.secrets import ENV_ROOT_KEY, METHOD, KeyRing, SecretError, new_root_key, read_key_file, write_key_file

log = logging.getLogger("dorisctl.keys")

DEFAULT_BATCH = 50
SSH_CONTEXT = "ssh-key"  # the manager's context for sealed ssh keys (manager/process.py)


@dataclass
class Report:
    key_ids: list[int] = field(default_factory=list)
    current: int = 0
    instances: int = 0
    batches: int = 0
    resealed: int = 0
    manager_resealed: int = 0
    store_usage: dict[int, int] = field(default_factory=dict)
    manager_usage: dict[int, int] = field(default_factory=dict)


def _holders(msg: Message) -> Iterator[Message]:
    """Every sub-message holding a sealed sk (ObjectStoreInfoPB, RamUserPB), at any depth."""
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        items = value if fd.is_repeated else [value]
        for item in items:
            if not isinstance(item, Message):
                continue  # map fields of scalars
            names = item.DESCRIPTOR.fields_by_name
            if "sk" in names and "encryption_info" in names:
                yield item
            yield from _holders(item)


def _sealed_holders(inst: Message) -> Iterator[Any]:
    names = inst.DESCRIPTOR.fields_by_name
    top = [inst] if "sk" in names and "encryption_info" in names else []  # a RamUserPB value (arn_info)
    for h in [*top, *_holders(inst)]:
        if h.HasField("encryption_info") and h.sk and h.encryption_info.encryption_method == METHOD:  # type: ignore[attr-defined]
            yield h


def _reseal(ring: KeyRing, inst: Message) -> int:
    n = 0
    for h in _sealed_holders(inst):
        if h.encryption_info.key_id != ring.current_id:
            plain = ring.open(h.sk, h.encryption_info.key_id)
            sealed = ring.seal(plain)
            h.sk = sealed.ciphertext
            h.encryption_info.key_id = sealed.key_id
            n += 1
    return n


def _secret_families() -> list[tuple[bytes, bytes, type[Message]]]:
    """Every stored value that may hold a sealed sk: instances, storage vaults, the IAM user."""
    arn = keys.arn_info_key()
    return [
        (*keys.instance_range(), cloud_pb2.InstanceInfoPB),
        (*keys.storage_vault_all_range(), cloud_pb2.StorageVaultPB),
        (arn, arn + b"\x00", cloud_pb2.RamUserPB),
    ]


async def _instance_batches(kv: TxnKv, ring: KeyRing | None, batch: int, report: Report) -> None:
    """Walk every secret-holding value in batches of `batch`, each one transaction; re-seal if ring
    is given (`report.instances` counts the instance values)."""
    for begin, end, kind in _secret_families():
        await _family_batches(kv, ring, batch, report, begin, end, kind)


async def _family_batches(
    kv: TxnKv, ring: KeyRing | None, batch: int, report: Report, begin: bytes, end: bytes, kind: type[Message]
) -> None:
    while begin < end:

        async def step(txn: Txn, lo: bytes = begin) -> tuple[bytes | None, int, int, Counter[int]]:
            rows = await txn.get_range(lo, end, limit=batch)
            usage: Counter[int] = Counter()
            changed = 0
            for k, raw in rows:
                inst = kind()
                inst.ParseFromString(raw)
                if ring is not None and _reseal(ring, inst):
                    changed += 1
                    txn.put(k, inst.SerializeToString())
                for h in _sealed_holders(inst):
                    usage[h.encryption_info.key_id] += 1
            last = rows[-1][0] + b"\x00" if len(rows) == batch else None
            return last, len(rows), changed, usage

        nxt, count, changed, usage = await run_txn(kv, step)
        if kind is cloud_pb2.InstanceInfoPB:
            report.instances += count
        report.resealed += changed
        report.batches += 1
        for k, v in usage.items():
            report.store_usage[k] = report.store_usage.get(k, 0) + v
        if ring is not None and changed:
            log_event(log, "keys_batch_resealed", instances=count, changed=changed)
        if nxt is None:
            return
        begin = nxt


def _manager_db(args: argparse.Namespace, data_dir: Path) -> str | None:
    if args.manager_db:
        return str(args.manager_db)
    path = data_dir / "manager.db"
    return f"sqlite:///{path}" if path.exists() else None


def _manager_secrets(url: str | None, ring: KeyRing | None, report: Report, batch: int) -> None:
    """Count (and with a ring, re-seal) the manager's sealed ssh keys, one DB transaction per batch."""
    if url is None:
        return
    from sqlalchemy import select

    from dorisctl.manager.db import Store
    from dorisctl.manager.models import Process

    store = Store(url)
    try:
        last_id = 0
        while True:
            with store.tx() as s:
                rows = list(
                    s.execute(select(Process).where(Process.id > last_id).order_by(Process.id).limit(batch)).scalars()
                )
                for p in rows:
                    key_id, sep, body = p.ssh_key_sealed.partition(":")
                    if not sep or not key_id.isdigit():
                        continue
                    kid = int(key_id)
                    if ring is not None and kid != ring.current_id:
                        sealed = ring.seal(ring.open(body, kid, SSH_CONTEXT), SSH_CONTEXT)
                        p.ssh_key_sealed = f"{sealed.key_id}:{sealed.ciphertext}"
                        report.manager_resealed += 1
                        kid = sealed.key_id
                    report.manager_usage[kid] = report.manager_usage.get(kid, 0) + 1
            if len(rows) < batch:
                return
            last_id = rows[-1].id
    finally:
        store.close()


def _ring(data_dir: Path) -> KeyRing:
    from dorisctl.secrets import load_keyring

    return load_keyring(data_dir)


async def rotate(args: argparse.Namespace) -> Report:
    data_dir: Path = args.data_dir.resolve()
    ring = _ring(data_dir)
    if not args.no_new_key:
        if ring.source is None:
            raise SecretError(
                f"the key ring comes from {ENV_ROOT_KEY}, which this command cannot change: add a new key "
                f"(<id>:<base64 of 32 random bytes>) to {ENV_ROOT_KEY} of every process, restart them, then run "
                "`dorisctl keys rotate --no-new-key` to re-seal every secret under it"
            )
        stored = read_key_file(ring.source)
        new_id = max(stored) + 1
        stored[new_id] = new_root_key()
        write_key_file(ring.source, stored)
        ring.reload(force=True)
        log_event(log, "keys_key_added", key_id=new_id, key_file=str(ring.source))
    kv = open_store(args.store or default_store_url(data_dir))
    report = Report(current=ring.current_id)
    try:
        report.key_ids = await ensure_key_ring(kv, ring)
        # let processes sharing the key file notice it before their next seal
        await asyncio.sleep(args.settle_seconds)
        await _instance_batches(kv, ring, args.batch_size, report)
    finally:
        await kv.close()
    _manager_secrets(_manager_db(args, data_dir), ring, report, args.batch_size)
    log_event(
        log, "keys_rotated", current=ring.current_id, resealed=report.resealed, manager_resealed=report.manager_resealed
    )
    return report


async def status(args: argparse.Namespace) -> Report:
    data_dir: Path = args.data_dir.resolve()
    ring = _ring(data_dir)
    kv = open_store(args.store or default_store_url(data_dir))
    report = Report(current=ring.current_id)
    try:
        check = await run_txn(kv, read_key_check)
        report.key_ids = sorted(check.canaries) if check else []
        await _instance_batches(kv, None, args.batch_size, report)
    finally:
        await kv.close()
    _manager_secrets(_manager_db(args, data_dir), None, report, args.batch_size)
    return report


async def retire(args: argparse.Namespace) -> Report:
    data_dir: Path = args.data_dir.resolve()
    key_id: int = args.key_id
    report = await status(args)
    ring = _ring(data_dir)
    if key_id == ring.current_id:
        raise SecretError(f"key {key_id} is the newest key, used for every new secret: rotate first")
    in_use = report.store_usage.get(key_id, 0) + report.manager_usage.get(key_id, 0)
    if in_use:
        raise SecretError(
            f"key {key_id} still seals {report.store_usage.get(key_id, 0)} secret(s) in the store and "
            f"{report.manager_usage.get(key_id, 0)} in the manager: run `dorisctl keys rotate --no-new-key` first"
        )
    kv = open_store(args.store or default_store_url(data_dir))
    try:

        async def drop(txn: Txn) -> None:
            check = await read_key_check(txn) or KeyCheck()
            if check.canaries.pop(key_id, None) is not None:
                write_key_check(txn, check)

        await run_txn(kv, drop)
    finally:
        await kv.close()
    if ring.source is not None:
        stored = read_key_file(ring.source)
        if stored.pop(key_id, None) is not None:
            write_key_file(ring.source, stored)
    log_event(log, "keys_retired", key_id=key_id)
    report.key_ids = [k for k in report.key_ids if k != key_id]
    return report


def add_keys_parser(sub: Any) -> None:
    p = sub.add_parser("keys", help="rotate and retire the root keys that seal secrets")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    for name, helptext in (
        ("rotate", "add a key and re-seal every secret under it"),
        ("retire", "remove a key no secret uses any more"),
        ("status", "show key ids and how many secrets use each"),
    ):
        q = keys_sub.add_parser(name, help=helptext)
        q.add_argument("--data-dir", type=Path, default=Path("./data"), help="state directory (default ./data)")
        q.add_argument("--store", default="", help="store URL (default: <data-dir>/meta-service.db)")
        q.add_argument("--manager-db", default="", help="manager DB URL (default: <data-dir>/manager.db if present)")
        q.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="instances per store transaction")
        q.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
        if name == "rotate":
            q.add_argument("--no-new-key", action="store_true", help="only re-seal under the ring's newest key")
            q.add_argument(
                "--settle-seconds", type=float, default=2.0, help="wait for serving processes to see the key"
            )
        if name == "retire":
            q.add_argument("key_id", type=int)


async def run_keys_command(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    fn = {"rotate": rotate, "retire": retire, "status": status}[args.keys_command]
    report = await fn(args)
    print(
        json.dumps(
            {
                "key_ids": report.key_ids,
                "current": report.current,
                "instances": report.instances,
                "batches": report.batches,
                "resealed": report.resealed,
                "manager_resealed": report.manager_resealed,
                "store_usage": {str(k): v for k, v in sorted(report.store_usage.items())},
                "manager_usage": {str(k): v for k, v in sorted(report.manager_usage.items())},
            }
        ),
        flush=True,
    )
    return 0
