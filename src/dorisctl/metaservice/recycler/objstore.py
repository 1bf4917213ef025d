"""The recycler's side of S3-compatible object storage (boto3): list and delete under a prefix.

* A `Location` is one storage location of an instance (an `obj_info` entry or an S3 vault):
  endpoint, region, bucket, prefix, credentials, addressing style. The sk is unsealed in memory
  by the caller and never logged (`Location.__repr__` masks it).
* Endpoint without a scheme gets `http://` (Doris's `s3_client_http_scheme` default is `http`;
  configurable with `RecyclerConfig.s3_client_http_scheme`). `use_path_style` selects path-style
  addressing, else botocore's `auto`.
* `delete_prefix` lists `<prefix>/` (never `<prefix>` alone, so `p` never matches `p2/...`) with
  `list_objects_v2` (`StartAfter` the last listed key, which stays correct while earlier keys are
  being deleted) and pipelines `delete_objects` batches of up to 1000 keys on a thread pool.
  "Already gone" (NoSuchKey) counts as deleted; any other error raises `ObjStoreError` after the
  in-flight batches have finished, so the caller can retry the whole location later.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

MAX_DELETE_BATCH = 1000


class ObjStoreError(Exception):
    """A storage operation failed; nothing about the location should be considered done."""


@dataclass(frozen=True)
class Location:
    endpoint: str
    region: str
    bucket: str
    prefix: str
    ak: str = ""
    sk: str = field(default="", repr=False)
    use_path_style: bool = False
    label: str = ""  # e.g. "obj_info 1" for logs

    def __repr__(self) -> str:
        return f"Location({self.label} endpoint={self.endpoint} bucket={self.bucket} prefix={self.prefix})"

    @property
    def key_prefix(self) -> str:
        """`<prefix>/` — the only objects this location owns."""
        return self.prefix.strip("/") + "/"


@dataclass
class DeleteStats:
    objects: int = 0
    bytes: int = 0
    batches: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class ClientOptions:
    scheme: str = "http"
    connect_timeout: float = 3.0
    read_timeout: float = 30.0
    max_attempts: int = 3
    delete_concurrency: int = 8


def endpoint_url(endpoint: str, scheme: str = "http") -> str:
    if "://" in endpoint:
        return endpoint
    return f"{scheme}://{endpoint}"


def make_client(loc: Location, opts: ClientOptions) -> Any:
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if loc.use_path_style else "auto"},
        connect_timeout=opts.connect_timeout,
        read_timeout=opts.read_timeout,
        retries={"max_attempts": opts.max_attempts, "mode": "standard"},
        max_pool_connections=max(10, opts.delete_concurrency + 2),
    )
    kwargs: dict[str, Any] = {}
    if loc.ak:
        kwargs["aws_access_key_id"] = loc.ak
        kwargs["aws_secret_access_key"] = loc.sk
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint_url(loc.endpoint, opts.scheme),
        region_name=loc.region or "us-east-1",
        config=config,
        **kwargs,
    )


def _describe(e: Exception) -> str:
    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return f"{err.get('Code', 'ClientError')}: {err.get('Message', '')}".strip()
    return str(e) or "request failed"


def _delete_batch(client: Any, bucket: str, keys: list[str]) -> int:
    """Delete up to 1000 keys; return how many were deleted (already-gone counts)."""
    resp = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
    errors = [e for e in resp.get("Errors", []) if e.get("Code") != "NoSuchKey"]
    if errors:
        first = errors[0]
        raise ObjStoreError(
            f"delete_objects failed for {len(errors)} of {len(keys)} keys, first: "
            f"{first.get('Code')}: {first.get('Message', '')} (key {first.get('Key')})"
        )
    return len(keys)


class ObjStore:
    """Blocking operations on one location; call them from a worker thread (asyncio.to_thread)."""

    def __init__(self, loc: Location, opts: ClientOptions | None = None) -> None:
        self.loc = loc
        self.opts = opts or ClientOptions()
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = make_client(self.loc, self.opts)
            return self._client

    def delete_prefix(self, sub_prefix: str = "", progress: Callable[[DeleteStats], None] | None = None) -> DeleteStats:
        """Delete every object whose key starts with `<prefix>/<sub_prefix>`."""
        started = time.perf_counter()
        stats = DeleteStats()
        prefix = self.loc.key_prefix + sub_prefix
        client = self.client
        bucket = self.loc.bucket
        failure: list[BaseException] = []
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, self.opts.delete_concurrency))
        pending: set[concurrent.futures.Future[int]] = set()

        def reap(wait_all: bool) -> None:
            nonlocal pending
            if not pending:
                return
            done, pending = concurrent.futures.wait(
                pending,
                return_when=concurrent.futures.ALL_COMPLETED if wait_all else concurrent.futures.FIRST_COMPLETED,
            )
            for f in done:
                exc = f.exception()
                if exc is not None:
                    failure.append(exc)
                else:
                    stats.objects += f.result()
                    stats.batches += 1
            if progress is not None:
                progress(stats)

        try:
            start_after = ""
            while not failure:
                kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": MAX_DELETE_BATCH}
                if start_after:
                    kwargs["StartAfter"] = start_after
                page = client.list_objects_v2(**kwargs)
                contents = page.get("Contents", [])
                if not contents:
                    break
                batch = [c["Key"] for c in contents]
                stats.bytes += sum(int(c.get("Size", 0)) for c in contents)
                start_after = batch[-1]
                pending.add(pool.submit(_delete_batch, client, bucket, batch))
                while len(pending) >= self.opts.delete_concurrency:
                    reap(wait_all=False)
                if not page.get("IsTruncated"):
                    break
            reap(wait_all=True)
        except (BotoCoreError, ClientError) as e:
            reap(wait_all=True)
            raise ObjStoreError(f"{self.loc!r}: {_describe(e)}") from None
        finally:
            pool.shutdown(wait=True)
        if failure:
            first = failure[0]
            text = (
                str(first) if isinstance(first, ObjStoreError) or not isinstance(first, Exception) else _describe(first)
            )
            raise ObjStoreError(f"{self.loc!r}: {text}") from None
        stats.seconds = time.perf_counter() - started
        return stats

    def delete_keys(self, rel_keys: Iterable[str]) -> DeleteStats:
        """Delete the given keys (relative to `<prefix>/`), 1000 per call; missing keys count as deleted."""
        started = time.perf_counter()
        stats = DeleteStats()
        keys = [self.loc.key_prefix + k for k in rel_keys]
        try:
            for i in range(0, len(keys), MAX_DELETE_BATCH):
                stats.objects += _delete_batch(self.client, self.loc.bucket, keys[i : i + MAX_DELETE_BATCH])
                stats.batches += 1
        except (BotoCoreError, ClientError) as e:
            raise ObjStoreError(f"{self.loc!r}: {_describe(e)}") from None
        stats.seconds = time.perf_counter() - started
        return stats

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
