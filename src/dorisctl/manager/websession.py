"""Browser sessions and bad-token throttling for the manager's operator API.

The operator logs in once with the token (``POST /login``); the manager then hands out an opaque,
random session id in an ``HttpOnly; SameSite=Strict`` cookie (``Secure`` when serving TLS). The
session lives here, in memory, with a per-session CSRF token the page sends back in the
``X-CSRF-Token`` header on every state-changing request; it expires after ``ttl`` seconds without
use (and after ``max_age`` in any case), or on log-out. A manager restart ends every session (the
operator logs in again). CLI and REST clients keep sending ``Authorization: Bearer <token>`` and
need no cookie and no CSRF token.

``Throttle`` slows down guessing: after ``free`` bad tokens from one address, every further attempt
from it is refused for a delay that doubles with each failure (capped), answered 429 with
``Retry-After``; a good token resets the address. Nothing here ever logs a token or a session id.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "dorisctl_session"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Session:
    csrf: str
    created: float
    last_used: float


class Sessions:
    """Opaque session ids -> sessions, bounded in number (the oldest one goes first)."""

    def __init__(
        self,
        ttl: float = 3600.0,
        max_age: float = 12 * 3600.0,
        limit: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.max_age, self.limit, self.clock = ttl, max_age, limit, clock
        self._by_id: OrderedDict[str, Session] = OrderedDict()

    def create(self) -> tuple[str, Session]:
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        s = Session(csrf=secrets.token_urlsafe(32), created=now, last_used=now)
        self._by_id[sid] = s
        while len(self._by_id) > self.limit:
            self._by_id.popitem(last=False)
        return sid, s

    def get(self, sid: str | None) -> Session | None:
        """The live session of this id (its idle timer restarted), or None."""
        if not sid:
            return None
        s = self._by_id.get(sid)
        if s is None:
            return None
        now = self.clock()
        if now - s.last_used > self.ttl or now - s.created > self.max_age:
            del self._by_id[sid]
            return None
        s.last_used = now
        self._by_id.move_to_end(sid)
        return s

    def end(self, sid: str | None) -> None:
        if sid:
            self._by_id.pop(sid, None)

    def __len__(self) -> int:
        return len(self._by_id)


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), (sent or "").encode())


@dataclass
class _Failures:
    count: int
    last: float
    blocked_until: float


class Throttle:
    """Progressive refusal of addresses that keep sending bad tokens."""

    def __init__(
        self,
        free: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        forget_after: float = 900.0,
        limit: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base_delay, self.max_delay = free, base_delay, max_delay
        self.forget_after, self.limit, self.clock = forget_after, limit, clock
        self._by_addr: OrderedDict[str, _Failures] = OrderedDict()

    def retry_after(self, addr: str) -> int:
        """Seconds this address must wait before its next attempt (0: it may try now)."""
        f = self._by_addr.get(addr)
        if f is None:
            return 0
        now = self.clock()
        if now - f.last > self.forget_after:
            del self._by_addr[addr]
            return 0
        left = f.blocked_until - now
        return math.ceil(left) if left > 0 else 0

    def failed(self, addr: str) -> None:
        now = self.clock()
        f = self._by_addr.get(addr)
        if f is None or now - f.last > self.forget_after:
            f = _Failures(0, now, 0.0)
        f.count += 1
        f.last = now
        over = f.count - self.free
        if over > 0:
            f.blocked_until = now + min(self.base_delay * 2 ** (over - 1), self.max_delay)
        self._by_addr[addr] = f
        self._by_addr.move_to_end(addr)
        while len(self._by_addr) > self.limit:
            self._by_addr.popitem(last=False)

    def succeeded(self, addr: str) -> None:
        self._by_addr.pop(addr, None)
