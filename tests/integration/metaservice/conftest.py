from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.kv import store_for
from tests.fixtures.metaservice import MetaServer, start_meta_server

_ids = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module that sets `STORES = ["sqlite", "postgresql", ...]` runs its server-based tests on each;
    DORISCTL_TEST_STORES=postgresql,etcd (comma-separated) runs every module's on those instead."""
    override = os.environ.get("DORISCTL_TEST_STORES", "")
    stores = [s for s in override.split(",") if s] or getattr(metafunc.module, "STORES", None)
    if stores and "ms_backend" in metafunc.fixturenames:
        metafunc.parametrize("ms_backend", stores, indirect=True, scope="module")


@pytest.fixture(scope="module")
def ms_backend(request: pytest.FixtureRequest) -> str:
    """The store backend the module's tests run on: "sqlite" unless parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="module")
def ms_store(request: pytest.FixtureRequest, ms_backend: str) -> str | None:
    """The --store URL of the module's server: None (the default SQLite file) on SQLite."""
    return store_for(request, ms_backend)


@pytest.fixture
def own_store(request: pytest.FixtureRequest, ms_backend: str) -> str | None:
    """A fresh, empty store of the module's backend, for a test that starts its own server: a new
    data dir has a new key ring, which a store holding another server's secrets would refuse."""
    return store_for(request, ms_backend)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ms_store: str | None) -> Iterator[MetaServer]:
    srv = start_meta_server(tmp_path_factory.mktemp("ms"), store=ms_store)
    yield srv
    assert srv.stop() == 0


def sqlite_only(ms_backend: str, why: str) -> None:
    """Skip (with the reason shown) a test whose check works only on the default SQLite file."""
    if ms_backend != "sqlite":
        pytest.skip(f"SQLite only ({ms_backend} skipped): {why}")


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


OBJ = {
    "ak": "AK-1",
    "sk": "SK-plaintext-1",
    "bucket": "bkt",
    "prefix": "pfx",
    "endpoint": "ep",
    "region": "rg",
    "external_endpoint": "eep",
    "provider": "COS",
}


def make_instance(server: MetaServer, **extra: Any) -> str:
    iid = unique("inst")
    body = {"instance_id": iid, "name": "n", "user_id": "u", "obj_info": dict(OBJ)}
    body.update(extra)
    server.ok("create_instance", body)
    return iid


def compute_cluster(cid: str, nodes: list[tuple[str, str, int]], name: str | None = None) -> dict[str, Any]:
    return {
        "cluster_id": cid,
        "cluster_name": name or f"name_{cid}",
        "type": "COMPUTE",
        "nodes": [{"cloud_unique_id": c, "ip": ip, "heartbeat_port": p} for c, ip, p in nodes],
    }


def sql_cluster(cid: str, nodes: list[tuple[str, str, int, str]]) -> dict[str, Any]:
    return {
        "cluster_id": cid,
        "cluster_name": f"name_{cid}",
        "type": "SQL",
        "nodes": [{"cloud_unique_id": c, "ip": ip, "edit_log_port": p, "node_type": t} for c, ip, p, t in nodes],
    }


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path
