from __future__ import annotations

import fcntl
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import netns_hosts
from tests.fixtures.doris_standin import build_package, stage_site_packages
from tests.fixtures.manager_server import ManagerProcess, PackageServer


@pytest.fixture(scope="session")
def hosts() -> Iterator[netns_hosts.Hosts]:
    why = netns_hosts.available()
    if why:
        pytest.skip(f"netns ssh hosts unavailable: {why}")
    # the namespaces, bridge, user and directory have fixed names: two test runs on one machine (two
    # worktrees) would tear down each other's hosts, so a run waits for the other to finish
    with open(netns_hosts.LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        hs = netns_hosts.setup(3)
        try:
            yield hs
        finally:
            netns_hosts.cleanup()


@pytest.fixture(scope="session")
def package(hosts: netns_hosts.Hosts) -> Iterator[PackageServer]:
    site = stage_site_packages(hosts.root / "standin-site")
    pkg = build_package(hosts.root / "doris-standin.tar.gz", site)
    srv = PackageServer(netns_hosts.GATEWAY, pkg)
    yield srv
    srv.close()


@pytest.fixture
def clean_hosts(hosts: netns_hosts.Hosts, package: PackageServer) -> Iterator[netns_hosts.Hosts]:
    for h in hosts.hosts:
        netns_hosts.reset_host(h)
    package.published, package.delay = True, 0.0
    yield hosts
    for h in hosts.hosts:
        netns_hosts.reset_host(h)


@pytest.fixture
def manager(clean_hosts: netns_hosts.Hosts, tmp_path: Path) -> Iterator[ManagerProcess]:
    m = ManagerProcess(netns_hosts.GATEWAY, tmp_path / "mgr")
    m.start()
    yield m
    m.stop()


@pytest.fixture
def cluster_id() -> str:
    return "c-" + uuid.uuid4().hex[:8]
