from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.kv import KV_BACKENDS

# leftovers: the session fails when a test leaves a process it started running
pytest_plugins = ["tests.fixtures.etcd", "tests.fixtures.sqldb", "tests.fixtures.leftovers"]


@pytest.fixture(params=sorted(KV_BACKENDS))
def kv_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL for each backend."""
    return KV_BACKENDS[request.param](request, tmp_path)
