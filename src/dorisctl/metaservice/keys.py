"""Doris's meta-service key encoding: the order-preserving tuple codec and every key layout.

Codec (spec 6.1): a key is one key-space byte followed by tagged fields:
  0x10 byte string: bytes with 0x00 escaped as 00 FF, terminated by 00 01
  0x11 negative int64: the 8-byte big-endian magnitude (-v)
  0x12 non-negative int64: 8-byte big-endian value
Key spaces: 0x01 user data, 0x02 system, 0x03 versioned.

Layouts (spec 6.3) are built by the functions below; `family_range(prefix, instance_id)` gives the
`[begin, end)` covering one key family of one instance (end encodes instance_id + NUL).

dorisctl adds one family of its own in the system space, outside every Doris layout:
`0x02 "system" "dorisctl" "node" <cloud_unique_id> <instance_id>` -> node count, an index kept
in the same transaction as the instance value so that resolving a cloud_unique_id (spec 1.8) is a
point lookup instead of a scan of every instance. And one key, `0x02 "system" "dorisctl"
"keycheck"`, recording which root keys the store's secrets need (`key_check_key`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Generic, TypeVar

USER_SPACE = 0x01
SYSTEM_SPACE = 0x02
VERSIONED_SPACE = 0x03

TAG_BYTES = 0x10
TAG_NEG_INT = 0x11
TAG_POS_INT = 0x12
TAG_VERSIONSTAMP = 0x13

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)

_U64 = struct.Struct(">Q")

Field = str | bytes | int


class KeyDecodeError(ValueError):
    """The bytes are not a well-formed encoded key."""


def encode_bytes(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return b"\x10" + raw.replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def encode_int64(value: int) -> bytes:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"int64 out of range: {value}")
    if value < 0:
        return b"\x11" + _U64.pack(-value)
    return b"\x12" + _U64.pack(value)


_ENCODED_STRINGS: dict[str, bytes] = {}  # key names and instance ids recur in every key: encoded once


MEMO_STR = 256  # longer strings (only a bad request has them) are never held by a memo

R = TypeVar("R")


class ShortMemo(Generic[R]):
    """A function of one string, remembered (LRU of `maxsize`) for strings up to MEMO_STR
    characters and computed each time for longer ones: memos reached with a request's own strings
    before anything checks them (instance ids, cloud_unique_ids) cannot be grown by a flood of
    huge distinct ones. `remembered` is the memo (its cache_info, cache_clear)."""

    def __init__(self, fn: Callable[[str], R], maxsize: int) -> None:
        self.fn = fn
        self.remembered = lru_cache(maxsize=maxsize)(fn)

    def __call__(self, text: str) -> R:
        return self.remembered(text) if len(text) <= MEMO_STR else self.fn(text)


def short_memo(maxsize: int) -> Callable[[Callable[[str], R]], ShortMemo[R]]:
    return lambda fn: ShortMemo(fn, maxsize)


def _encode_str(value: str) -> bytes:
    out = b"\x10" + value.encode().replace(b"\x00", b"\x00\xff") + b"\x00\x01"
    if len(_ENCODED_STRINGS) < 65_536 and len(value) <= MEMO_STR:
        _ENCODED_STRINGS[value] = out
    return out


def encode_fields(*fields: Field) -> bytes:
    parts: list[bytes] = []
    for f in fields:
        kind = type(f)
        if kind is int:  # the hot cases first (a key is built for every store read)
            parts.append(b"\x12" + _U64.pack(f) if 0 <= f <= INT64_MAX else encode_int64(f))  # type: ignore[operator,arg-type]
        elif kind is str:
            parts.append(_ENCODED_STRINGS.get(f) or _encode_str(f))  # type: ignore[arg-type]
        elif isinstance(f, bool):
            raise TypeError("bool is not a key field")
        elif isinstance(f, int):
            parts.append(encode_int64(f))
        else:
            parts.append(encode_bytes(f))
    return b"".join(parts)


_SPACES = [bytes([i]) for i in range(256)]


def make_key(space: int, *fields: Field) -> bytes:
    return _SPACES[space] + encode_fields(*fields)


def decode_fields(data: bytes, start: int = 0) -> list[tuple[int, bytes | int]]:
    """Decode tagged fields from data[start:] completely into (offset, bytes | int) pairs."""
    out: list[tuple[int, bytes | int]] = []
    i, n = start, len(data)
    while i < n:
        tag = data[i]
        if tag == TAG_BYTES:
            j = data.find(b"\x00", i + 1)
            if 0 <= j < n - 1 and data[j + 1] == 0x01:  # no escaped NUL inside: the common case
                out.append((i, data[i + 1 : j]))
                i = j + 2
                continue
            j = i + 1
            buf = bytearray()
            while True:
                if j >= n:
                    raise KeyDecodeError(f"unterminated string at offset {i}")
                if data[j] != 0:
                    buf.append(data[j])
                    j += 1
                    continue
                if j + 1 >= n:
                    raise KeyDecodeError(f"truncated escape at offset {j}")
                nxt = data[j + 1]
                if nxt == 0xFF:
                    buf.append(0)
                    j += 2
                elif nxt == 0x01:
                    j += 2
                    break
                else:
                    raise KeyDecodeError(f"invalid escape 00 {nxt:02x} at offset {j}")
            out.append((i, bytes(buf)))
            i = j
        elif tag in (TAG_NEG_INT, TAG_POS_INT):
            if i + 9 > n:
                raise KeyDecodeError(f"truncated integer at offset {i}")
            (raw,) = _U64.unpack_from(data, i + 1)
            value = raw - (1 << 64) if raw >= 1 << 63 else raw
            if tag == TAG_NEG_INT:
                value = -value
                if value > INT64_MAX:  # the magnitude of INT64_MIN wraps, as in Doris's int64 cast
                    value -= 1 << 64
            out.append((i, value))
            i += 9
        else:
            raise KeyDecodeError(f"unknown tag {tag:#04x} at offset {i}")
    return out


def decode_key(key: bytes) -> tuple[int, list[bytes | int]]:
    """(key space, fields) of an encoded key."""
    if not key:
        raise KeyDecodeError("empty key")
    return key[0], [v for _, v in decode_fields(key, 1)]


# -- key layouts (spec 6.3) ---------------------------------------------------------------------

# The keys every tablet read builds (get_tablet, get_rowset, get_tablet_stats) are remembered per
# argument tuple (a key is a pure function of its arguments; typed, so 1 and True never share an
# entry), for this many recent tablets (LRU, ~350 bytes an entry): building one costs ~0.5-0.9 us.
HOT_TABLETS = 16384


@short_memo(65536)
def instance_key(instance_id: str) -> bytes:
    return make_key(USER_SPACE, "instance", instance_id)


def instance_range() -> tuple[bytes, bytes]:
    """All instance keys."""
    prefix = make_key(USER_SPACE, "instance")
    return prefix, prefix + b"\xff"


def family_prefix(family: str, instance_id: str) -> bytes:
    return make_key(USER_SPACE, family, instance_id)


def family_range(family: str, instance_id: str) -> tuple[bytes, bytes]:
    """[begin, end) of every key of `family` for one instance (spec 6.3, last paragraph)."""
    return family_prefix(family, instance_id), family_prefix(family, instance_id + "\x00")


def txn_label_key(instance_id: str, db_id: int, label: str) -> bytes:
    return make_key(USER_SPACE, "txn", instance_id, "txn_label", db_id, label)


def txn_info_key(instance_id: str, db_id: int, txn_id: int) -> bytes:
    return make_key(USER_SPACE, "txn", instance_id, "txn_info", db_id, txn_id)


def txn_index_key(instance_id: str, txn_id: int) -> bytes:
    return make_key(USER_SPACE, "txn", instance_id, "txn_index", txn_id)


def txn_running_key(instance_id: str, db_id: int, txn_id: int) -> bytes:
    return make_key(USER_SPACE, "txn", instance_id, "txn_running", db_id, txn_id)


# -- large transactions (ops/lazy_commit.py): dorisctl's own, in the txn family --------------------


def txn_lazy_commit_key(instance_id: str, txn_id: int) -> bytes:
    """`txn <iid> "dorisctl_lazy_commit" <txn_id>` -> CommitTxnResponse: a txn committed but not yet
    visible (its partitions, their new versions, the COMMITTED txn info); gone once visible."""
    return make_key(USER_SPACE, "txn", instance_id, "dorisctl_lazy_commit", txn_id)


@lru_cache(maxsize=1024, typed=True)  # read by every get_rowset (ops/lazy_commit.settle_partitions)
def txn_lazy_commit_range(instance_id: str) -> tuple[bytes, bytes]:
    return sub_range("txn", instance_id, "dorisctl_lazy_commit")


def txn_lazy_owner_key(instance_id: str, txn_id: int) -> bytes:
    """-> owner id (16 bytes) + lease end (ms, 8 bytes big-endian): who is completing the txn."""
    return make_key(USER_SPACE, "txn", instance_id, "dorisctl_lazy_owner", txn_id)


def txn_lazy_progress_key(instance_id: str, txn_id: int, first_tablet_id: int) -> bytes:
    """-> last tablet id (8 bytes big-endian): the txn's rowsets of tablets first..last are visible."""
    return make_key(USER_SPACE, "txn", instance_id, "dorisctl_lazy_progress", txn_id, first_tablet_id)


def txn_lazy_progress_range(instance_id: str, txn_id: int) -> tuple[bytes, bytes]:
    return txn_lazy_progress_key(instance_id, txn_id, 0), txn_lazy_progress_key(instance_id, txn_id, INT64_MAX)


def partition_version_key(instance_id: str, db_id: int, table_id: int, partition_id: int) -> bytes:
    return make_key(USER_SPACE, "version", instance_id, "partition", db_id, table_id, partition_id)


def table_version_key(instance_id: str, db_id: int, table_id: int) -> bytes:
    return make_key(USER_SPACE, "version", instance_id, "table", db_id, table_id)


def meta_rowset_key(instance_id: str, tablet_id: int, version: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "rowset", tablet_id, version)


@lru_cache(maxsize=HOT_TABLETS, typed=True)
def meta_rowset_prefix(instance_id: str, tablet_id: int) -> bytes:
    """`meta_rowset_key` without its version: `prefix + encode_int64(version)` is that key."""
    return make_key(USER_SPACE, "meta", instance_id, "rowset", tablet_id)


def meta_rowset_tmp_key(instance_id: str, txn_id: int, tablet_id: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "rowset_tmp", txn_id, tablet_id)


@lru_cache(maxsize=HOT_TABLETS, typed=True)
def meta_tablet_key(instance_id: str, table_id: int, index_id: int, partition_id: int, tablet_id: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "tablet", table_id, index_id, partition_id, tablet_id)


@lru_cache(maxsize=HOT_TABLETS, typed=True)
def meta_tablet_idx_key(instance_id: str, tablet_id: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "tablet_index", tablet_id)


@lru_cache(maxsize=4096, typed=True)
def meta_schema_key(instance_id: str, index_id: int, schema_version: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "schema", index_id, schema_version)


@lru_cache(maxsize=HOT_TABLETS, typed=True)
def stats_tablet_key(instance_id: str, table_id: int, index_id: int, partition_id: int, tablet_id: int) -> bytes:
    return make_key(USER_SPACE, "stats", instance_id, "tablet", table_id, index_id, partition_id, tablet_id)


STATS_SUFFIXES = ("data_size", "num_rows", "num_rowsets", "num_segs", "index_size", "segment_size")


def stats_tablet_detached_key(
    instance_id: str, table_id: int, index_id: int, partition_id: int, tablet_id: int, suffix: str
) -> bytes:
    if suffix not in STATS_SUFFIXES:
        raise ValueError(f"unknown detached stats counter {suffix!r}")
    return stats_tablet_key(instance_id, table_id, index_id, partition_id, tablet_id) + encode_bytes(suffix)


def recycle_index_key(instance_id: str, index_id: int) -> bytes:
    return make_key(USER_SPACE, "recycle", instance_id, "index", index_id)


def recycle_partition_key(instance_id: str, partition_id: int) -> bytes:
    return make_key(USER_SPACE, "recycle", instance_id, "partition", partition_id)


def recycle_rowset_key(instance_id: str, tablet_id: int, rowset_id: str) -> bytes:
    return make_key(USER_SPACE, "recycle", instance_id, "rowset", tablet_id, rowset_id)


def recycle_txn_key(instance_id: str, db_id: int, txn_id: int) -> bytes:
    return make_key(USER_SPACE, "recycle", instance_id, "txn", db_id, txn_id)


def recycle_stage_key(instance_id: str, stage_id: str) -> bytes:
    return make_key(USER_SPACE, "recycle", instance_id, "stage", stage_id)


def job_tablet_key(instance_id: str, table_id: int, index_id: int, partition_id: int, tablet_id: int) -> bytes:
    return make_key(USER_SPACE, "job", instance_id, "tablet", table_id, index_id, partition_id, tablet_id)


def job_recycle_key(instance_id: str) -> bytes:
    return make_key(USER_SPACE, "job", instance_id, "recycle")


def job_check_key(instance_id: str) -> bytes:
    return make_key(USER_SPACE, "job", instance_id, "check")


def mow_tablet_job_key(instance_id: str, table_id: int, initiator: int) -> bytes:
    return make_key(USER_SPACE, "meta", instance_id, "mow_tablet_job", table_id, initiator)


# -- schema dictionaries (schema change family) --


def meta_schema_dict_key(instance_id: str, index_id: int) -> bytes:
    """`meta <iid> "tablet_schema_pb_dict" <index_id>` -> SchemaCloudDictionary, in chunks
    `<key> <int64 i>` as the schema key (model/schemadict.py)."""
    return make_key(USER_SPACE, "meta", instance_id, "tablet_schema_pb_dict", index_id)


# -- merge-on-write delete bitmaps (ops/bitmap.py) ---------------------------------------------


def meta_delete_bitmap_key(instance_id: str, tablet_id: int, rowset_id: str, version: int, segment_id: int) -> bytes:
    """`"meta" iid "delete_bitmap" i:tablet s:rowset i:version i:segment`; the value is split into
    chunks at this key + encode_int64(chunk suffix) (model/bitmaps.py)."""
    return make_key(USER_SPACE, "meta", instance_id, "delete_bitmap", tablet_id, rowset_id, version, segment_id)


def meta_delete_bitmap_tablet_range(instance_id: str, tablet_id: int) -> tuple[bytes, bytes]:
    """Every delete-bitmap key of one tablet."""
    prefix = make_key(USER_SPACE, "meta", instance_id, "delete_bitmap", tablet_id)
    return prefix, prefix + b"\xff"


def meta_delete_bitmap_rowset_range(instance_id: str, tablet_id: int, rowset_id: str) -> tuple[bytes, bytes]:
    """Every delete-bitmap key of one rowset of one tablet."""
    prefix = make_key(USER_SPACE, "meta", instance_id, "delete_bitmap", tablet_id, rowset_id)
    return prefix, prefix + b"\xff"


def meta_delete_bitmap_update_lock_key(instance_id: str, table_id: int, partition_id: int = -1) -> bytes:
    """`"meta" iid "delete_bitmap_lock" i:table i:partition`; Doris always passes partition -1 (table lock)."""
    return make_key(USER_SPACE, "meta", instance_id, "delete_bitmap_lock", table_id, partition_id)


def meta_pending_delete_bitmap_key(instance_id: str, tablet_id: int) -> bytes:
    """`"meta" iid "delete_bitmap_pending" i:tablet` -> PendingDeleteBitmapPB (keys a load wrote)."""
    return make_key(USER_SPACE, "meta", instance_id, "delete_bitmap_pending", tablet_id)


def storage_vault_key(instance_id: str, vault_id: str) -> bytes:
    return make_key(USER_SPACE, "storage_vault", instance_id, "vault", vault_id)


def system_key(name: str) -> bytes:
    """`0x02 "system" "meta-service" <name>`: registry, arn_info, encryption_key_info."""
    return make_key(SYSTEM_SPACE, "system", "meta-service", name)


# -- storage vaults and IAM (ops/vault.py, ops/iam.py); the vault layout is storage_vault_key above --


def arn_info_key() -> bytes:
    """`0x02 "system" "meta-service" "arn_info"`: the deployment's IAM user (RamUserPB, sk sealed)."""
    return system_key("arn_info")


def storage_vault_range(instance_id: str) -> tuple[bytes, bytes]:
    """Every storage vault key of one instance (as upstream scans them: ids "" .. "\xff")."""
    return storage_vault_key(instance_id, ""), storage_vault_key(instance_id, "\xff")


def storage_vault_all_range() -> tuple[bytes, bytes]:
    """The storage vault keys of every instance (key rotation re-seals their sk)."""
    prefix = make_key(USER_SPACE, "storage_vault")
    return prefix, prefix + b"\xff"


def node_index_key(cloud_unique_id: str, instance_id: str) -> bytes:
    return make_key(SYSTEM_SPACE, "system", "dorisctl", "node", cloud_unique_id, instance_id)


@lru_cache(maxsize=65536)
def node_index_range(cloud_unique_id: str) -> tuple[bytes, bytes]:
    prefix = make_key(SYSTEM_SPACE, "system", "dorisctl", "node", cloud_unique_id)
    return prefix, prefix + b"\xff"


NODE_INDEX_RANGE = (
    make_key(SYSTEM_SPACE, "system", "dorisctl", "node"),
    make_key(SYSTEM_SPACE, "system", "dorisctl", "node") + b"\xff",
)
TXN_ID_COUNTER_KEY = make_key(SYSTEM_SPACE, "system", "dorisctl", "txn_id")
INT64_MAX = (1 << 63) - 1
# Families whose keys start `<family> <instance_id>` and go when an instance is destroyed (spec 8 step 2).
KV_DELETE_FAMILIES = ("txn", "version", "meta", "recycle", "copy")


def sub_range(family: str, instance_id: str, infix: str) -> tuple[bytes, bytes]:
    """All keys `family iid infix ...` for one instance."""
    return (
        make_key(USER_SPACE, family, instance_id, infix),
        make_key(USER_SPACE, family, instance_id, infix + "\x00"),
    )


def instance_delete_ranges(instance_id: str) -> list[tuple[bytes, bytes]]:
    """The key ranges of one instance that the recycler removes (spec 8 step 2, exactly)."""
    out = [family_range(f, instance_id) for f in KV_DELETE_FAMILIES]
    out.append((stats_tablet_key(instance_id, 0, 0, 0, 0), stats_tablet_key(instance_id, INT64_MAX, 0, 0, 0)))
    out.append((job_tablet_key(instance_id, 0, 0, 0, 0), job_tablet_key(instance_id, INT64_MAX, 0, 0, 0)))
    out.append((storage_vault_key(instance_id, ""), storage_vault_key(instance_id, "\xff")))
    return out


# dorisctl's store format (model/storeformat.py): which field numbering the stored values use.
STORE_FORMAT_KEY = make_key(SYSTEM_SPACE, "system", "dorisctl", "store_format")
STORE_FORMAT_PROGRESS_KEY = make_key(SYSTEM_SPACE, "system", "dorisctl", "store_format_progress")


def user_space_range() -> tuple[bytes, bytes]:
    return bytes([USER_SPACE]), bytes([USER_SPACE + 1])


def key_check_key() -> bytes:
    """`0x02 "system" "dorisctl" "keycheck"`: the key ids the store's secrets need, each with a
    canary sealed under it (never a key); see dorisctl/keycheck.py."""
    return make_key(SYSTEM_SPACE, "system", "dorisctl", "keycheck")


# -- routine load, streaming jobs, restore jobs, copy jobs (spec 6.3; upstream keys.cpp) ----------


def rl_job_progress_key(instance_id: str, db_id: int, job_id: int) -> bytes:
    """RoutineLoadProgressPB of a routine-load job (its Kafka offsets and statistics)."""
    return make_key(USER_SPACE, "job", instance_id, "routine_load_progress", db_id, job_id)


def streaming_job_key(instance_id: str, db_id: int, job_id: int) -> bytes:
    """StreamingTaskCommitAttachmentPB of a streaming job (its offset and statistics)."""
    return make_key(USER_SPACE, "job", instance_id, "streaming_job", db_id, job_id)


def job_restore_tablet_key(instance_id: str, tablet_id: int) -> bytes:
    """RestoreJobCloudPB of a tablet being restored."""
    return make_key(USER_SPACE, "job", instance_id, "restore_tablet", tablet_id)


def job_restore_rowset_key(instance_id: str, tablet_id: int, version: int) -> bytes:
    """RowsetMetaCloudPB of a restore job, at its end version."""
    return make_key(USER_SPACE, "job", instance_id, "restore_rowset", tablet_id, version)


def copy_job_key(instance_id: str, stage_id: str, table_id: int, copy_id: str, group_id: int) -> bytes:
    """CopyJobPB of one COPY INTO job (group) of a table from a stage."""
    return make_key(USER_SPACE, "copy", instance_id, "job", stage_id, table_id, copy_id, group_id)


def copy_file_key(instance_id: str, stage_id: str, table_id: int, obj_key: str, etag: str) -> bytes:
    """CopyFilePB of one stage file a copy job loads or loaded into the table."""
    return make_key(USER_SPACE, "copy", instance_id, "loading_file", stage_id, table_id, obj_key, etag)


def copy_table_range(instance_id: str, infix: str, stage_id: str, table_id: int) -> tuple[bytes, bytes]:
    """All copy jobs (infix "job") or copy files ("loading_file") of one table from one stage."""
    prefix = make_key(USER_SPACE, "copy", instance_id, infix, stage_id, table_id)
    return prefix, prefix + b"\xff"  # every key below starts with prefix, then a tag byte (< 0xff)


# -- batched reads (issue 16): many keys of one layout, the shared prefix encoded once ------------


_PARTITION_VERSION_KEYS: dict[tuple[str, int, int], dict[int, bytes]] = {}
_MEMO_TABLES, _MEMO_KEYS = 4096, 100_000


def partition_version_keys(
    instance_id: str, db_ids: Sequence[int], table_ids: Sequence[int], partition_ids: Sequence[int]
) -> list[bytes]:
    """`partition_version_key` of each (db, table, partition), byte for byte."""
    n = len(partition_ids)
    if (
        n
        and len(db_ids) == len(table_ids) == n
        and db_ids[:].count(db_ids[0]) == n  # a list's count() runs in C; iterating a protobuf field is slow
        and table_ids[:].count(table_ids[0]) == n
    ):
        # the usual batch: one table's partitions, keys remembered per table (bounded)
        db_id, table_id = db_ids[0], table_ids[0]
        memo = _PARTITION_VERSION_KEYS.get((instance_id, db_id, table_id))
        if memo is None:
            if len(_PARTITION_VERSION_KEYS) >= _MEMO_TABLES:
                _PARTITION_VERSION_KEYS.clear()
            memo = _PARTITION_VERSION_KEYS[(instance_id, db_id, table_id)] = {}
        elif len(memo) >= _MEMO_KEYS:
            memo.clear()
        found = list(map(memo.get, partition_ids[:]))  # over a list: faster than over a protobuf field
        if all(found):  # every key remembered (a key is never empty; a missing one is None)
            return found  # type: ignore[return-value]
        return [k or memo.setdefault(p, partition_version_key(instance_id, db_id, table_id, p))
                for k, p in zip(found, partition_ids, strict=True)]  # fmt: skip
    base = make_key(USER_SPACE, "version", instance_id, "partition")
    prefixes: dict[tuple[int, int], bytes] = {}
    out: list[bytes] = []
    for db_id, table_id, partition_id in zip(db_ids, table_ids, partition_ids, strict=True):
        prefix = prefixes.get((db_id, table_id))
        if prefix is None:
            prefix = prefixes[(db_id, table_id)] = base + encode_int64(db_id) + encode_int64(table_id)
        out.append(prefix + encode_int64(partition_id))
    return out
