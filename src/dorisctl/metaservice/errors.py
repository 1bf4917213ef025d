"""The one error type of meta-service operations: a MetaServiceCode and Doris's message.

Operations raise `MetaServiceError`; only the HTTP layer turns it into a status and an envelope.
"""

from __future__ import annotations

from dorisctl.metaservice.proto import cloud_pb2

Code = cloud_pb2.MetaServiceCode


class MetaServiceError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg

    def __repr__(self) -> str:
        return f"MetaServiceError({Code.Name(self.code)}, {self.msg!r})"


def invalid(msg: str) -> MetaServiceError:
    return MetaServiceError(Code.INVALID_ARGUMENT, msg)


def not_found(msg: str) -> MetaServiceError:
    """Doris reports missing resources with CLUSTER_NOT_FOUND, which maps to HTTP 404."""
    return MetaServiceError(Code.CLUSTER_NOT_FOUND, msg)


def already_existed(msg: str) -> MetaServiceError:
    return MetaServiceError(Code.ALREADY_EXISTED, msg)


def get_err(msg: str) -> MetaServiceError:
    return MetaServiceError(Code.KV_TXN_GET_ERR, msg)
