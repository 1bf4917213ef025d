"""The TxnKv error tree: every backend raises exactly these, and nothing else escapes the seam.

KvError
├── Conflict          retryable: a read was invalidated by another commit; nothing written
├── Unavailable       retryable: the store could not be reached; nothing written
├── MaybeCommitted    NOT blindly retryable: the commit's outcome is unknown
├── TooLarge          not retryable: a key, value or transaction exceeds the backend's limit
└── StoreOpenError    not retryable: the store cannot be opened (unreachable at start, bad login,
                      missing database); its message is one line naming where
"""

from __future__ import annotations


class KvError(Exception):
    """Base of all TxnKv errors. `name` is the wording Doris uses in its messages (spec 1.9)."""

    name = "Unknown"
    retryable = False


class Conflict(KvError):
    name = "Conflict"
    retryable = True


class Unavailable(KvError):
    name = "Timeout"
    retryable = True


class MaybeCommitted(KvError):
    name = "MaybeCommitted"


class TooLarge(KvError):
    name = "Transaction exceeds byte limit"

    def __init__(self, message: str, *, what: str = "txn") -> None:
        super().__init__(message)
        self.what = what
        if what == "key":
            self.name = "Key length exceeds limit"
        elif what == "value":
            self.name = "Value length exceeds limit"


class StoreOpenError(KvError):
    """`TxnKv.open()` failed: the process should stop with this one-line message."""

    name = "StoreOpenError"
