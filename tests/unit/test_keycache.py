"""KeyCache on its own: the change-log format, what a logged change invalidates, gaps, bounds."""

from __future__ import annotations

import random

from dorisctl.kv.keycache import KeyCache, ReadSet, _common_prefix, decode_changes, encode_changes


def test_change_log_entries_round_trip() -> None:
    points = [b"", b"a", b"\x00\xff" * 300, b"k\x00"]
    ranges = [(b"a", b"b"), (b"", b"\xff" * 5)]
    assert decode_changes(encode_changes(points, ranges)) == (points, ranges)
    assert decode_changes(encode_changes([], [])) == ([], [])


def filled() -> KeyCache:
    c = KeyCache()
    c.advance(10, None)
    c.put_point(b"t/1/meta", (b"m1", 3))
    c.put_point(b"t/2/meta", (b"m2", 4))
    c.put_point(b"t/9/meta", None)  # known absent
    c.put_range((b"t/1/rs/", b"t/1/rs0", 0, False), [(b"t/1/rs/a", b"x", 5)])
    c.put_range((b"t/2/rs/", b"t/2/rs0", 0, False), [])
    c.put_range((b"t/", b"t0", 1, True), [(b"t/9", b"y", 6)])  # spans every tablet
    return c


def test_a_logged_key_drops_its_point_and_every_range_holding_it_only() -> None:
    c = filled()
    c.advance(11, [(11, encode_changes([b"t/2/rs/new"], []))])
    assert c.version == 11
    assert set(c.points) == {b"t/1/meta", b"t/2/meta", b"t/9/meta"}
    assert set(c.ranges) == {(b"t/1/rs/", b"t/1/rs0", 0, False)}  # t/2's rowsets and the wide range went
    c.advance(12, [(12, encode_changes([b"t/9/meta"], []))])
    assert b"t/9/meta" not in c.points and b"t/1/meta" in c.points
    c.advance(13, [(13, encode_changes([b"t/1/rs/"], []))])  # a range's first key is inside it
    assert not c.ranges


def test_a_range_removal_a_gap_or_a_step_back_starts_afresh() -> None:
    c = filled()
    c.advance(11, [(11, encode_changes([], [(b"x", b"y")]))])
    assert not c.points and not c.ranges and c.version == 11
    c = filled()
    c.advance(13, [(11, b""), (13, b"")])  # version 12's row is missing: pruned, or a writer without the log
    assert not c.points and not c.ranges and c.version == 13
    c = filled()
    c.advance(12, None)  # the log could not be read
    assert not c.points
    c = filled()
    c.advance(11, [(11, b"")])  # a commit that changed nothing cached
    assert len(c.points) == 3 and len(c.ranges) == 3


def test_bounded_oldest_first() -> None:
    c = KeyCache(max_points=3, max_ranges=2)
    c.advance(1, None)
    for i in range(5):
        c.put_point(b"k%d" % i, (b"v", 1))
        c.put_range((b"r%d" % i, b"r%d\xff" % i, 0, False), [])
    assert list(c.points) == [b"k2", b"k3", b"k4"]
    assert list(c.ranges) == [(b"r3", b"r3\xff", 0, False), (b"r4", b"r4\xff", 0, False)]
    c.advance(2, [(2, encode_changes([b"r4\x01"], []))])  # evicted ranges left the prefix index too
    assert list(c.ranges) == [(b"r3", b"r3\xff", 0, False)]


def test_common_prefix_of_range_bounds() -> None:
    def naive(a: bytes, b: bytes) -> bytes:
        i = 0
        while i < min(len(a), len(b)) and a[i] == b[i]:
            i += 1
        return a[:i]

    rnd = random.Random(7)
    for _ in range(3000):
        a = bytes(rnd.choice(b"ab\x00\xff") for _ in range(rnd.randrange(0, 12)))
        b = a[: rnd.randrange(0, len(a) + 1)] + bytes(rnd.choice(b"ab\x00\xff") for _ in range(rnd.randrange(0, 6)))
        assert _common_prefix(a, b) == naive(a, b) == _common_prefix(b, a)


def test_a_batch_of_point_reads_holds_until_one_of_its_entries_goes() -> None:
    """ReadSet.add_batch (get_many answered by the cache): checked entry by entry like `points`,
    and counted per key."""
    c = filled()
    keys = [b"t/1/meta", b"t/9/meta", b"t/2/meta"]
    entries = [c.points[k] for k in keys]
    reads = ReadSet()
    reads.add_batch(keys, entries)
    reads.points.append((b"t/1/meta", c.points[b"t/1/meta"]))
    assert len(reads) == 4 and reads.holds(c)
    c.put_point(b"t/1/meta", (b"m1", int("3")))  # an equal value in a new entry: no longer the one read
    reads.points.clear()
    assert not reads.holds(c)
    reads = ReadSet()
    reads.add_batch(keys, [c.points[k] for k in keys])
    assert reads.holds(c)
    c.advance(11, [(11, encode_changes([b"t/2/meta"], []))])
    assert not reads.holds(c)  # the last key of the batch changed
    reads = ReadSet()
    reads.add_batch([b"t/1/meta"], [(b"m1", int("3"))])  # an equal value that is not the cache's entry
    assert not reads.holds(c)
