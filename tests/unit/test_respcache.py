from __future__ import annotations

from dorisctl.metaservice.respcache import MAX_REPLY_BYTES, CachedReply, ResponseCache


def reply(version: int, size: int = 10) -> CachedReply:
    return CachedReply(version, 200, b"x" * size, "text/plain")


def test_hits_only_at_the_same_version() -> None:
    c = ResponseCache(10)
    c.put(("r", b"", b"a"), reply(5))
    assert c.get(("r", b"", b"a"), 5) is not None
    assert c.get(("r", b"", b"a"), 6) is None
    assert c.get(("r", b"", b"b"), 5) is None
    assert (c.hits, c.misses) == (1, 2)


def test_bounded_by_entries_and_bytes() -> None:
    c = ResponseCache(3, max_bytes=100)
    for i in range(5):
        c.put(("r", b"", bytes([i])), reply(1))
    assert [c.get(("r", b"", bytes([i])), 1) is not None for i in range(5)] == [False, False, True, True, True]
    c = ResponseCache(100, max_bytes=25)
    for i in range(3):
        c.put(("r", b"", bytes([i])), reply(1, size=10))
    assert c.get(("r", b"", b"\x00"), 1) is None and c.get(("r", b"", b"\x02"), 1) is not None
    c.put(("r", b"", b"big"), reply(1, size=MAX_REPLY_BYTES + 1))
    assert c.get(("r", b"", b"big"), 1) is None
