"""The manager's error tree. Raised by the engine and its parts with a message meant for the
operator; no HTTP here: ``app`` maps each kind to its status code in one place."""

from __future__ import annotations

from typing import Any


class ManagerError(Exception):
    """An operation was refused or failed; ``msg`` says why, ``data`` may carry details."""

    def __init__(self, msg: str, data: Any = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.data = data


class Invalid(ManagerError):
    """The request itself is wrong (a missing or malformed field); nothing was changed."""


class NotFound(ManagerError):
    """The process, task or cluster named by the request does not exist."""


class Conflict(ManagerError):
    """The request is well formed but the current state does not allow it."""


class Unavailable(ManagerError):
    """A service the manager depends on (the meta-service) could not be reached or refused."""


class TooLarge(ManagerError):
    """The request body is larger than the manager accepts."""
