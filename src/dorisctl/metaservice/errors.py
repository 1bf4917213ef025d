"""The one error type of meta-service operations: a MetaServiceCode and Doris's message.

Operations raise `MetaServiceError`; each transport turns it into its own reply (HTTP: a status and
an envelope; gRPC and baidu_std: the response message's `status`). `kv_error_to_ms` says what a
store failure tells the client.
"""

from __future__ import annotations

from google.protobuf.message import Message

from dorisctl.kv import Conflict, KvError, MaybeCommitted, TooLarge, Unavailable
from dorisctl.metaservice.proto import cloud_pb2

Code = cloud_pb2.MetaServiceCode


class MetaServiceError(Exception):
    """result: for RPCs whose error reply carries data (e.g. begin_txn's `dup_txn_id`), the response
    message without its status; the HTTP layer fills in the status."""

    def __init__(self, code: int, msg: str, result: Message | None = None) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.result = result

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


def kv_error_to_ms(e: KvError) -> MetaServiceError:
    """What a store failure that outlived the runner's retries tells the client."""
    if isinstance(e, Conflict):  # the runner already retried: clients must not retry again (spec trap 9)
        return MetaServiceError(
            Code.KV_TXN_CONFLICT_RETRY_EXCEEDED_MAX_TIMES, f"failed to commit kv txn, err={e.name}: retries exhausted"
        )
    if isinstance(e, TooLarge):
        return MetaServiceError(Code.KV_TXN_COMMIT_ERR, f"failed to commit kv txn, err={e.name}: {e}")
    if isinstance(e, MaybeCommitted):
        return MetaServiceError(
            Code.KV_TXN_COMMIT_ERR,
            "failed to commit kv txn, err=MaybeCommitted: the outcome is unknown; read the state before retrying",
        )
    if isinstance(e, Unavailable):
        return MetaServiceError(Code.KV_TXN_STORE_COMMIT_RETRYABLE, f"kv store unavailable, retry later: {e}")
    return MetaServiceError(Code.KV_TXN_COMMIT_ERR, f"kv error: {e}")
