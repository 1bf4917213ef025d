"""`decode_key` and `encode_key`: the human views of encoded keys (spec 6.6).

`render_key_tree(hex_text, unicode)` returns the exact text tree Doris prints (as bytes: string
fields are shown raw), or raises `KeyDecodeError`.
"""

from __future__ import annotations

from dorisctl.metaservice.keys import KeyDecodeError, decode_fields

_HEX = "0123456789abcdefABCDEF"

UNICODE_GLYPHS = ("┌", "─", "│", "▼")
ASCII_GLYPHS = ("/", "-", "|", "v")


def hex_to_bytes_lenient(text: str) -> bytes:
    """Doris's hex decoding: pairs of hex digits; an odd trailing digit is dropped; decoding stops
    at the first non-hex character and the rest of the output stays zero (length is len // 2)."""
    out = bytearray(len(text) // 2)
    for i in range(len(out)):
        hi, lo = text[2 * i], text[2 * i + 1]
        if hi not in _HEX or lo not in _HEX:
            break
        out[i] = int(hi + lo, 16)
    return bytes(out)


def render_key_tree(text: str, unicode: bool = True) -> bytes:
    if len(text) < 2:
        raise KeyDecodeError("key too short")
    data = hex_to_bytes_lenient(text)
    fields = decode_fields(data, 1)
    labels: list[tuple[int, bytes]] = [(0, b"key space: %d" % data[0])]
    for offset, value in fields:
        label = value if isinstance(value, bytes) else str(value).encode()
        labels.append((2 * offset, label))
    corner, horizontal, vertical, arrow = UNICODE_GLYPHS if unicode else ASCII_GLYPHS
    width = labels[-1][0] + 2
    columns = [col for col, _ in labels]
    lines: list[bytes] = []
    for i, (col, label) in enumerate(labels):
        row = [" "] * width
        for c in columns[:i]:
            row[c] = vertical
        row[col] = corner
        for c in range(col + 1, width):
            row[c] = horizontal
        lines.append("".join(row).encode() + b" %d. " % i + label)
    for glyph in (vertical, arrow):
        row = [" "] * width
        for c in columns:
            row[c] = glyph
        lines.append("".join(row).encode())
    lines.append(text.encode())
    return b"\n".join(lines) + b"\n"


# key_type -> (builder, parameter names in order); names follow Doris's key structs
_ENCODERS: dict[str, tuple[object, tuple[str, ...]]] = {}


def _encoders() -> dict[str, tuple[object, tuple[str, ...]]]:
    from dorisctl.metaservice import keys as k

    if not _ENCODERS:
        _ENCODERS.update(
            {
                "InstanceKey": (k.instance_key, ("instance_id",)),
                "TxnLabelKey": (k.txn_label_key, ("instance_id", "db_id", "label")),
                "TxnInfoKey": (k.txn_info_key, ("instance_id", "db_id", "txn_id")),
                "TxnIndexKey": (k.txn_index_key, ("instance_id", "txn_id")),
                "TxnRunningKey": (k.txn_running_key, ("instance_id", "db_id", "txn_id")),
                "PartitionVersionKey": (
                    k.partition_version_key,
                    ("instance_id", "db_id", "table_id", "partition_id"),
                ),
                "TableVersionKey": (k.table_version_key, ("instance_id", "db_id", "table_id")),
                "MetaRowsetKey": (k.meta_rowset_key, ("instance_id", "tablet_id", "version")),
                "MetaRowsetTmpKey": (k.meta_rowset_tmp_key, ("instance_id", "txn_id", "tablet_id")),
                "MetaTabletKey": (
                    k.meta_tablet_key,
                    ("instance_id", "table_id", "index_id", "partition_id", "tablet_id"),
                ),
                "MetaTabletIdxKey": (k.meta_tablet_idx_key, ("instance_id", "tablet_id")),
                "MetaSchemaKey": (k.meta_schema_key, ("instance_id", "index_id", "schema_version")),
                "StatsTabletKey": (
                    k.stats_tablet_key,
                    ("instance_id", "table_id", "index_id", "partition_id", "tablet_id"),
                ),
                "JobTabletKey": (
                    k.job_tablet_key,
                    ("instance_id", "table_id", "index_id", "partition_id", "tablet_id"),
                ),
                "RecycleIndexKey": (k.recycle_index_key, ("instance_id", "index_id")),
                "RecyclePartKey": (k.recycle_partition_key, ("instance_id", "partition_id")),
                "RecycleRowsetKey": (k.recycle_rowset_key, ("instance_id", "tablet_id", "rowset_id")),
                "RecycleTxnKey": (k.recycle_txn_key, ("instance_id", "db_id", "txn_id")),
                "JobRecycleKey": (k.job_recycle_key, ("instance_id",)),
                "StorageVaultKey": (k.storage_vault_key, ("instance_id", "vault_id")),
            }
        )
    return _ENCODERS


_STRING_PARAMS = {"instance_id", "label", "rowset_id", "vault_id"}


def encode_key_from_query(params: dict[str, str]) -> bytes:
    """`key_type=TxnInfoKey&instance_id=i&db_id=1&txn_id=2` -> the encoded key; ValueError if wrong."""
    encoders = _encoders()
    key_type = params.get("key_type", "")
    if key_type not in encoders:
        raise ValueError(f"unknown key_type {key_type!r}; one of: {', '.join(sorted(encoders))}")
    builder, names = encoders[key_type]
    args: list[str | int] = []
    for name in names:
        if name not in params:
            raise ValueError(f"{key_type} needs parameter {name} (all of: {', '.join(names)})")
        value = params[name]
        if name in _STRING_PARAMS:
            args.append(value)
        else:
            try:
                args.append(int(value))
            except ValueError:
                raise ValueError(f"parameter {name} must be an integer, got {value!r}") from None
    result = builder(*args)  # type: ignore[operator]
    assert isinstance(result, bytes)
    return result
