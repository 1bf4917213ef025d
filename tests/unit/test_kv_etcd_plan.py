"""How the etcd backend collapses buffered writes into one etcd txn (no server needed)."""

from __future__ import annotations

from dorisctl.kv.base import Mutation, encode_counter
from dorisctl.kv.etcd import merge_ranges, plan_mutations


def test_last_write_wins_and_each_key_is_written_once() -> None:
    plan = plan_mutations(
        [Mutation("put", b"a", value=b"1"), Mutation("remove", b"a"), Mutation("put", b"a", value=b"2")]
    )
    assert plan.puts == {b"a": b"2"} and plan.deletes == [] and plan.adds == {}


def test_puts_inside_a_removed_range_split_it() -> None:
    plan = plan_mutations(
        [
            Mutation("put", b"c", value=b"old"),
            Mutation("clear", b"b", end=b"f"),
            Mutation("put", b"c", value=b"x"),
            Mutation("put", b"d", value=b"y"),
            Mutation("remove", b"e"),  # inside the range: already covered
            Mutation("remove", b"z"),
        ]
    )
    assert plan.puts == {b"c": b"x", b"d": b"y"}
    assert plan.deletes == [(b"z", None), (b"b", b"c"), (b"c\x00", b"d"), (b"d\x00", b"f")]


def test_adds_are_blind_unless_the_value_is_known_locally() -> None:
    plan = plan_mutations(
        [
            Mutation("add", b"n", delta=2),
            Mutation("add", b"n", delta=3),
            Mutation("put", b"m", value=encode_counter(10)),
            Mutation("add", b"m", delta=1),
            Mutation("clear", b"q", end=b"s"),
            Mutation("add", b"r", delta=-1),
        ]
    )
    assert plan.adds == {b"n": 5}
    assert plan.puts == {b"m": encode_counter(11), b"r": encode_counter(-1)}
    assert plan.deletes == [(b"q", b"r"), (b"r\x00", b"s")]


def test_merge_ranges() -> None:
    assert merge_ranges([(b"c", b"d"), (b"a", b"b"), (b"b", b"c"), (b"x", b"x")]) == [(b"a", b"d")]
