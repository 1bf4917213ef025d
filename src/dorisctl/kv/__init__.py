"""The transactional key-value store seam (bytes only: no key layouts, no protobuf, no domain)."""

from __future__ import annotations

from dorisctl.kv.base import Limits, Txn, TxnKv, decode_counter, encode_counter
from dorisctl.kv.errors import Conflict, KvError, MaybeCommitted, StoreOpenError, TooLarge, Unavailable
from dorisctl.kv.runner import run_txn

__all__ = [
    "Conflict",
    "KvError",
    "Limits",
    "MaybeCommitted",
    "StoreOpenError",
    "TooLarge",
    "Txn",
    "TxnKv",
    "Unavailable",
    "decode_counter",
    "encode_counter",
    "open_store",
    "run_txn",
]


def open_store(url: str) -> TxnKv:
    """Open a store by URL: `sqlite:///path` (embedded), `etcd://h1:2379,h2:2379,...` or
    `postgresql://user@host:port/db` (kv/postgres.py)."""
    if url.startswith("sqlite:"):
        from dorisctl.kv.sqlite import SqliteKv

        return SqliteKv(url)
    if url.startswith("etcd:"):
        from dorisctl.kv.etcd import EtcdKv

        return EtcdKv(url)
    if url.startswith(("postgresql:", "postgres:")):
        from dorisctl.kv.postgres import PostgresKv

        return PostgresKv(url)
    raise ValueError(
        f"unknown store URL {url.partition(':')[0]!r}: use sqlite:///path, etcd://host:port,... "
        "or postgresql://user@host:port/db"
    )
