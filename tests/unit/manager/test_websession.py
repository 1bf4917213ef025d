"""Browser sessions (expiry, bound, log-out, CSRF compare) and the bad-token throttle, on a fake clock."""

from __future__ import annotations

from dorisctl.manager.websession import Sessions, Throttle, csrf_ok


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_session_ids_are_opaque_and_expire_when_idle_or_old() -> None:
    clock = Clock()
    s = Sessions(ttl=60, max_age=300, clock=clock)
    sid, sess = s.create()
    sid2, sess2 = s.create()
    assert sid != sid2 and sess.csrf != sess2.csrf and len(sid) >= 40
    clock.t += 59
    assert s.get(sid) is sess  # use restarts the idle timer
    clock.t += 59
    assert s.get(sid) is sess
    assert s.get(sid2) is None  # idle for 118 s
    for _ in range(10):
        clock.t += 30
        s.get(sid)
    assert s.get(sid) is None  # older than max_age, however busy
    assert s.get("") is None and s.get(None) is None and s.get("forged") is None


def test_log_out_and_bound() -> None:
    s = Sessions(limit=3)
    ids = [s.create()[0] for _ in range(5)]
    assert len(s) == 3 and s.get(ids[0]) is None and s.get(ids[4]) is not None
    s.end(ids[4])
    assert s.get(ids[4]) is None
    s.end("unknown")  # no error


def test_csrf_compare() -> None:
    _sid, sess = Sessions().create()
    assert csrf_ok(sess, sess.csrf)
    assert not csrf_ok(sess, None) and not csrf_ok(sess, "") and not csrf_ok(sess, sess.csrf[:-1] + "x")


def test_throttle_refuses_progressively_then_forgets() -> None:
    clock = Clock()
    t = Throttle(free=3, base_delay=1, max_delay=8, forget_after=100, clock=clock)
    for _ in range(3):
        assert t.retry_after("a") == 0
        t.failed("a")
    assert t.retry_after("a") == 0  # three free failures
    waits = []
    for _ in range(6):
        t.failed("a")
        waits.append(t.retry_after("a"))
        clock.t += waits[-1]
    assert waits == [1, 2, 4, 8, 8, 8], waits  # doubling, capped at 8
    assert t.retry_after("b") == 0  # other addresses are not affected
    t.succeeded("a")
    assert t.retry_after("a") == 0
    for _ in range(5):
        t.failed("c")
    assert t.retry_after("c") > 0
    clock.t += 101
    assert t.retry_after("c") == 0
