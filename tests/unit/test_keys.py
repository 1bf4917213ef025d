"""Key codec: the spec's worked examples are test vectors; property tests for round trip and order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dorisctl.metaservice import keys
from dorisctl.metaservice.transport.http.keyview import render_key_tree


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("abc", "10616263" + "0001"),
        (b"a\x00b", "106100ff62" + "0001"),
        (0, "120000000000000000"),
        (258, "120000000000000102"),
        (-5, "110000000000000005"),
    ],
)
def test_field_examples(value: str | bytes | int, encoded: str) -> None:
    assert keys.encode_fields(value).hex() == encoded


IID = "inst1"
VECTORS = [
    (keys.instance_key(IID), "0110696e7374616e6365000110696e7374310001"),
    (
        keys.txn_info_key(IID, 10, 42),
        "011074786e000110696e73743100011074786e5f696e666f000112000000000000000a12000000000000002a",
    ),
    (keys.txn_index_key(IID, 42), "011074786e000110696e73743100011074786e5f696e646578000112000000000000002a"),
    (
        keys.partition_version_key(IID, 10, 20, 30),
        "011076657273696f6e000110696e737431000110706172746974696f6e0001"
        "12000000000000000a12000000000000001412000000000000001e",
    ),
    (
        keys.stats_tablet_key(IID, 20, 21, 30, 1001),
        "01107374617473000110696e7374310001107461626c65740001"
        "12000000000000001412000000000000001512000000000000001e1200000000000003e9",
    ),
    (
        keys.job_tablet_key(IID, 20, 21, 30, 1001),
        "01106a6f62000110696e7374310001107461626c65740001"
        "12000000000000001412000000000000001512000000000000001e1200000000000003e9",
    ),
    (
        keys.recycle_txn_key(IID, 10, 42),
        "011072656379636c65000110696e73743100011074786e000112000000000000000a12000000000000002a",
    ),
    (keys.system_key("arn_info"), "021073797374656d0001106d6574612d7365727669636500011061726e5f696e666f0001"),
    (
        keys.instance_key("regression_instance0"),
        "0110696e7374616e636500011072656772657373696f6e5f696e7374616e6365300001",
    ),
]


@pytest.mark.parametrize(("key", "expected"), VECTORS)
def test_worked_examples_are_byte_exact(key: bytes, expected: str) -> None:
    assert key.hex() == expected


def test_family_range_excludes_instances_sharing_a_prefix() -> None:
    begin, end = keys.family_range("txn", "inst1")
    assert begin <= keys.txn_info_key("inst1", 0, 0) < end
    assert begin <= keys.txn_info_key("inst1", 2**63 - 1, 2**63 - 1) < end
    assert not begin <= keys.txn_info_key("inst10", 1, 1) < end
    assert not begin <= keys.txn_info_key("inst", 1, 1) < end


int64s = st.integers(min_value=0, max_value=2**63 - 1)
fields = st.lists(st.one_of(st.binary(max_size=12), int64s), max_size=6)


@given(fields)
def test_round_trip(values: list[bytes | int]) -> None:
    key = keys.make_key(1, *values)
    assert keys.decode_key(key) == (1, values)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_round_trip_any_int64(value: int) -> None:
    assert keys.decode_key(keys.make_key(1, value)) == (1, [value])


@given(st.binary(max_size=10), st.binary(max_size=10))
def test_string_order_is_preserved(a: bytes, b: bytes) -> None:
    assert (keys.encode_bytes(a) < keys.encode_bytes(b)) == (a < b)


@given(int64s, int64s)
def test_non_negative_int_order_is_preserved(a: int, b: int) -> None:
    assert (keys.encode_int64(a) < keys.encode_int64(b)) == (a < b)


@given(st.lists(st.one_of(st.binary(max_size=4), int64s), min_size=1, max_size=3), st.binary(max_size=4))
def test_tuple_prefix_sorts_before_extensions(prefix: list[bytes | int], tail: bytes) -> None:
    assert keys.make_key(1, *prefix) < keys.make_key(1, *prefix, tail)


@pytest.mark.parametrize("bad", ["0110", "0110616200", "0113" + "00" * 10, "0112000000", "01106100fe0001"])
def test_malformed_keys_are_rejected(bad: str) -> None:
    with pytest.raises(keys.KeyDecodeError):
        keys.decode_fields(bytes.fromhex(bad), 1)


SEED = "0110696e7374616e636500011072656772657373696f6e5f696e7374616e6365300001"


def test_decode_key_tree_unicode_matches_spec() -> None:
    expected = (
        "┌───────────────────────── 0. key space: 1\n"
        "│ ┌─────────────────────── 1. instance\n"
        "│ │                     ┌─ 2. regression_instance0\n"
        "│ │                     │ \n"
        "▼ ▼                     ▼ \n" + SEED + "\n"
    )
    assert render_key_tree(SEED).decode() == expected


def test_decode_key_tree_ascii_matches_spec() -> None:
    expected = (
        "/------------------------- 0. key space: 1\n"
        "| /----------------------- 1. instance\n"
        "| |                     /- 2. regression_instance0\n"
        "| |                     | \n"
        "v v                     v \n" + SEED + "\n"
    )
    assert render_key_tree(SEED, unicode=False).decode() == expected


def test_decode_key_edge_cases() -> None:
    assert render_key_tree("01").decode() == "┌─ 0. key space: 1\n│ \n▼ \n01\n"
    assert render_key_tree("zz").decode().startswith("┌─ 0. key space: 0\n")
    assert b"4. 1\n" in render_key_tree(keys.txn_info_key("i", 1, -7).hex())
    assert b"5. -7\n" in render_key_tree(keys.txn_info_key("i", 1, -7).hex())
    for bad in ("0110", "1", "", "01zz10"):
        with pytest.raises(keys.KeyDecodeError):
            render_key_tree(bad)


def test_remembered_tablet_keys_are_their_layouts_and_never_mix_arguments() -> None:
    """The hot tablet keys are remembered per argument tuple (keys.HOT_TABLETS): asked in any order,
    for two instances and ids that differ in one argument, each is its layout's fresh encoding."""
    user = keys.USER_SPACE
    for _ in range(2):  # the second round is answered from the memo
        for iid in ("inst1", "inst2", "inst1\x00"):
            for a, b, c, t in ((1, 2, 3, 4), (1, 2, 4, 3), (4, 2, 3, 1), (0, 0, 0, keys.INT64_MAX), (1, 2, 3, -4)):
                assert keys.meta_tablet_idx_key(iid, t) == keys.make_key(user, "meta", iid, "tablet_index", t)
                assert keys.meta_tablet_key(iid, a, b, c, t) == keys.make_key(user, "meta", iid, "tablet", a, b, c, t)
                assert keys.stats_tablet_key(iid, a, b, c, t) == keys.make_key(user, "stats", iid, "tablet", a, b, c, t)
                assert keys.meta_schema_key(iid, a, t) == keys.make_key(user, "meta", iid, "schema", a, t)
                for version in (0, 1, t, keys.INT64_MAX, -1):
                    assert keys.meta_rowset_prefix(iid, t) + keys.encode_int64(version) == keys.meta_rowset_key(
                        iid, t, version
                    )
            assert keys.txn_lazy_commit_range(iid) == keys.sub_range("txn", iid, "dorisctl_lazy_commit")
    assert keys.decode_key(keys.meta_tablet_idx_key("inst2", 7))[1][1] == b"inst2"
    # typed: a bool is refused as a key field even after the int it equals was remembered
    assert keys.meta_tablet_idx_key("inst1", 1) == keys.make_key(user, "meta", "inst1", "tablet_index", 1)
    with pytest.raises(TypeError):
        keys.meta_tablet_idx_key("inst1", True)
    with pytest.raises(ValueError, match="int64 out of range"):
        keys.meta_tablet_idx_key("inst1", 1 << 63)


def test_memos_never_hold_a_request_s_long_strings() -> None:
    """Instance ids and cloud_unique_ids come from requests before they are checked: a long one is
    answered exactly, but no memo keeps it (a flood of them could not grow the process)."""
    from dorisctl.metaservice.model.instances import degraded_instance_id

    long_id = "i" * (keys.MEMO_STR + 1)
    before = keys.instance_key.remembered.cache_info().currsize
    assert keys.instance_key(long_id) == keys.make_key(keys.USER_SPACE, "instance", long_id)
    assert keys.instance_key.remembered.cache_info().currsize == before
    short = f"iid-{id(before)}-memo-test"  # not asked for before in this process
    assert keys.instance_key(short) == keys.make_key(keys.USER_SPACE, "instance", short)
    assert keys.instance_key.remembered.cache_info().currsize == before + 1
    held = degraded_instance_id.remembered.cache_info().currsize
    assert degraded_instance_id(f"1:{long_id}:be") == long_id
    assert degraded_instance_id.remembered.cache_info().currsize == held
    assert degraded_instance_id("1:iid-x:be") == "iid-x" and degraded_instance_id("2:iid-x:be") is None
    label = "l" * (keys.MEMO_STR + 1)
    keys.encode_fields(label)
    assert label not in keys._ENCODED_STRINGS
