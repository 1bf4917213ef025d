"""etcd-specific behaviour of the TxnKv backend (the shared contract is in test_kv_conformance.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from dorisctl.kv import Conflict, MaybeCommitted, TooLarge, TxnKv, Unavailable, open_store
from dorisctl.kv.etcd import EtcdKv
from dorisctl.kv.etcd_client import EtcdGateway, b64, unb64
from tests.fixtures.etcd import EtcdCluster, free_ports


@pytest.fixture
async def kv(etcd_cluster: EtcdCluster) -> AsyncIterator[EtcdKv]:
    store = open_store(etcd_cluster.unique_url())
    assert isinstance(store, EtcdKv)
    yield store
    await store.close()


async def count(kv: TxnKv) -> int:
    txn = await kv.begin()
    try:
        return len(await txn.get_range(b"", b"\xff"))
    finally:
        await txn.discard()


async def test_prefixes_isolate_stores_on_one_cluster(etcd_cluster: EtcdCluster) -> None:
    a, b = open_store(etcd_cluster.unique_url()), open_store(etcd_cluster.unique_url())
    try:
        txn = await a.begin()
        txn.put(b"k", b"a")
        await txn.commit()
        assert await count(a) == 1
        assert await count(b) == 0
    finally:
        await a.close()
        await b.close()


async def test_too_many_reads_to_validate_is_refused_before_sending(kv: EtcdKv) -> None:
    txn = await kv.begin()
    for i in range(kv.max_txn_ops + 1):
        await txn.get(b"r/%04d" % i)
    txn.put(b"w", b"1")
    with pytest.raises(TooLarge, match="compares"):
        await txn.commit()
    assert await count(kv) == 0


async def test_puts_inside_a_removed_range_count_as_extra_etcd_ops(kv: EtcdKv) -> None:
    txn = await kv.begin()
    n = kv.limits.max_mutations - 1
    txn.remove_range(b"a", b"z")
    for i in range(n):  # each put splits the delete range once more
        txn.put(b"p/%04d" % i, b"v")
    with pytest.raises(TooLarge, match="max-txn-ops"):
        await txn.commit()
    assert await count(kv) == 0


async def test_largest_allowed_transactions_commit(kv: EtcdKv) -> None:
    limits = kv.limits
    txn = await kv.begin()
    for i in range(limits.max_mutations):
        txn.put(b"m/%04d" % i, b"x")
    await txn.commit()
    txn = await kv.begin()
    chunk = b"v" * 60_000
    n = limits.max_txn_bytes // (len(chunk) + 20)
    for i in range(n):
        txn.put(b"big/%04d" % i, chunk)
    assert txn.written_bytes > limits.max_txn_bytes - len(chunk) - 20
    await txn.commit()
    assert await count(kv) == limits.max_mutations + n


async def test_compacted_snapshot_is_a_retryable_conflict(kv: EtcdKv) -> None:
    txn = await kv.begin()
    txn.put(b"a", b"1")
    await txn.commit()
    old = await kv.begin()
    assert await old.get(b"a") == b"1"
    newer = await kv.begin()
    newer.put(b"a", b"2")
    await newer.commit()
    reply = await kv.gateway.range({"key": b64(b"\x00")})  # any read: its header has the revision
    await kv.gateway.read("/v3/kv/compaction", {"revision": reply["header"]["revision"]})
    with pytest.raises(Conflict, match="compacted"):
        await old.get(b"b")
    await old.discard()


async def test_commit_markers_are_leased(kv: EtcdKv) -> None:
    txn = await kv.begin()
    txn.put(b"a", b"1")
    await txn.commit()
    prefix = kv.marker_prefix
    reply = await kv.gateway.range({"key": b64(prefix), "range_end": b64(prefix[:-1] + b"0")})
    markers = reply.get("kvs", [])
    assert len(markers) == 1
    assert unb64(markers[0]["value"]) == b"c"
    assert int(markers[0].get("lease", 0)) != 0  # expires by itself


async def test_dead_endpoints_are_skipped(etcd_cluster: EtcdCluster) -> None:
    dead = [f"127.0.0.1:{p}" for p in free_ports(2)]
    url = etcd_cluster.unique_url().replace("etcd://", "etcd://" + ",".join(dead) + ",")
    kv = open_store(url)
    try:
        for i in range(3):
            txn = await kv.begin()
            txn.put(b"k%d" % i, b"v")
            await txn.commit()
        assert await count(kv) == 3
    finally:
        await kv.close()


async def test_no_reachable_member_is_unavailable_quickly() -> None:
    dead = ",".join(f"127.0.0.1:{p}" for p in free_ports(3))
    kv = open_store(f"etcd://{dead}/x?timeout=0.5")
    assert isinstance(kv, EtcdKv)
    kv.gateway.read_budget = 1.0
    try:
        txn = await kv.begin()
        with pytest.raises(Unavailable):
            await txn.get(b"k")
        await txn.discard()
        txn = await kv.begin()
        txn.put(b"k", b"v")
        with pytest.raises(Unavailable):
            await txn.commit()
    finally:
        await kv.close()


def test_url_parsing() -> None:
    from dorisctl.kv.etcd import parse_etcd_url

    assert parse_etcd_url("etcd://h1,h2:1234/a%2Fb?timeout=1") == (
        ["h1:2379", "h2:1234"],
        b"a/b",
        {"timeout": "1"},
    )
    with pytest.raises(ValueError, match="unknown"):
        parse_etcd_url("etcd://h1/?bogus=1")
    with pytest.raises(ValueError):
        EtcdGateway([])


class LossyProxy:
    """A TCP proxy in front of one etcd member that can lose requests or replies on demand."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"  # "pass" | "drop_request" | "drop_reply"
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        return f"127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, lose: str) -> None:
            try:
                while data := await src.read(65536):
                    if self.mode == lose:
                        break  # this direction's bytes are lost and the client's connection dropped
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                writer.close()
                up_writer.close()

        for coro in (pump(reader, up_writer, "drop_request"), pump(up_reader, writer, "drop_reply")):
            task = asyncio.create_task(coro)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)


@pytest.mark.parametrize("lose", ["drop_request", "drop_reply"])
async def test_lost_commit_reply_is_resolved_exactly(etcd_cluster: EtcdCluster, lose: str) -> None:
    proxy = LossyProxy(etcd_cluster.members[0].client_port)
    await proxy.start()
    direct = etcd_cluster.unique_url().split("/", 3)
    url = f"etcd://{proxy.endpoint},{etcd_cluster.members[1].endpoint}/{direct[3]}"
    kv = open_store(url)
    assert isinstance(kv, EtcdKv)
    try:
        txn = await kv.begin()
        txn.put(b"warm", b"1")  # takes the marker lease and a connection through the proxy
        await txn.commit()
        proxy.mode = lose
        txn = await kv.begin()
        txn.put(b"k", b"v")  # a blind write: the commit is the first request through the proxy
        if lose == "drop_request":
            with pytest.raises(Unavailable, match="not applied"):
                await txn.commit()
            assert kv.stats["resolved_not_committed"] == 1
            expect = None
        else:
            await txn.commit()  # the reply was lost, but the commit applied: success
            assert kv.stats["resolved_committed"] == 1
            expect = b"v"
        check = await kv.begin()
        assert await check.get(b"k") == expect
        await check.discard()
    finally:
        await kv.close()
        await proxy.stop()


async def test_undecidable_outcome_is_maybe_committed(etcd_cluster: EtcdCluster) -> None:
    proxy = LossyProxy(etcd_cluster.members[0].client_port)
    await proxy.start()
    prefix = etcd_cluster.unique_url().split("/", 3)[3]
    kv = open_store(f"etcd://{proxy.endpoint}/{prefix}?timeout=0.5")
    assert isinstance(kv, EtcdKv)
    kv.resolve_budget = 1.0
    try:
        txn = await kv.begin()
        txn.put(b"warm", b"1")
        await txn.commit()
        proxy.mode = "drop_reply"  # every reply lost, the resolution's too
        txn = await kv.begin()
        txn.put(b"k", b"v")
        with pytest.raises(MaybeCommitted):
            await txn.commit()
    finally:
        await kv.close()
        await proxy.stop()
