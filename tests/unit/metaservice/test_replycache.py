"""ReplyCache's bounds: entries and bytes, oldest out first; one reply over a sixteenth of the
bytes is not kept; a replaced or dropped entry gives its bytes back."""

from __future__ import annotations

from dorisctl.metaservice.replycache import MIN_CHECKS, SAMPLE, SAMPLE_SECONDS, WINDOW, CachedReply, ReplyCache


def reply(size: int) -> CachedReply:
    return CachedReply(b"r" * size, [], "iid")  # a read set of no reads


def test_bounded_by_entries_oldest_out_first() -> None:
    cache = ReplyCache(max_entries=3, max_bytes=1 << 20)
    for i in range(5):
        cache.put("get_tablet", b"req%d" % i, reply(10))
    assert len(cache) == 3
    assert cache.get("get_tablet", b"req0") is None and cache.get("get_tablet", b"req1") is None
    assert cache.get("get_tablet", b"req4") is not None
    assert cache.get("get_rowset", b"req4") is None  # the RPC is part of the key


def test_bounded_by_bytes_and_bytes_given_back() -> None:
    cache = ReplyCache(max_entries=100, max_bytes=16_000)
    cache.put("get_rowset", b"huge", reply(1_000))  # over 16,000 / 16 with its overhead: not kept
    assert cache.get("get_rowset", b"huge") is None and cache.bytes == 0
    for i in range(40):
        cache.put("get_rowset", b"q%02d" % i, reply(500))
    assert cache.bytes <= 16_000 and 0 < len(cache) < 40
    assert cache.get("get_rowset", b"q39") is not None and cache.get("get_rowset", b"q00") is None
    before = cache.bytes
    cache.put("get_rowset", b"q39", reply(100))  # replaced: its old bytes given back
    assert cache.bytes == before - 400
    cache.drop("get_rowset", b"q39")
    cache.drop("get_rowset", b"never")
    assert cache.bytes == before - 400 - (3 + 100 + 200)


def test_an_rpc_whose_checks_mostly_come_out_stale_passes_the_cache_by_but_keeps_measuring() -> None:
    now = [1000.0]
    cache = ReplyCache(max_entries=100, max_bytes=1 << 20, clock=lambda: now[0])
    for _ in range(MIN_CHECKS - 1):
        cache.checked("get_version", False)
    assert all(cache.wanted("get_version") for _ in range(100))  # too few checks to judge
    cache.checked("get_version", False)
    used = sum(cache.wanted("get_version") for _ in range(SAMPLE * 50))
    assert used == 51  # one request in SAMPLE still goes through it (and the first, by the clock)
    now[0] += 2 * SAMPLE_SECONDS
    assert cache.wanted("get_version")  # a slow RPC: the first after SAMPLE_SECONDS is sampled
    assert not cache.wanted("get_version")
    assert all(cache.wanted("get_tablet") for _ in range(100))  # per RPC
    for _ in range(WINDOW):  # the sampled checks come out hits again: back in use
        cache.checked("get_version", True)
    assert all(cache.wanted("get_version") for _ in range(100))
    for _ in range(WINDOW // 4):  # some stale checks after that: the share is still over the threshold
        cache.checked("get_version", False)
    assert all(cache.wanted("get_version") for _ in range(100))


def test_a_reply_weighs_its_read_set_too() -> None:
    cache = ReplyCache(max_entries=100, max_bytes=1 << 20)
    cache.put("get_version", b"q", CachedReply(b"", [None] * 100, "iid"))  # a batch of 100 reads
    small = ReplyCache(max_entries=100, max_bytes=1 << 20)
    small.put("get_version", b"q", CachedReply(b"", [None], "iid"))
    assert cache.bytes - small.bytes >= 99 * 56  # each read holds at least a 2-tuple (56 bytes) alive
