"""The web console as an operator uses it, in headless Chromium, on the netns sshd hosts with the
Doris stand-in and a real meta-service: log in, paste a cloud-mode topology, run the preflight
(failures shown with their fixes), skip what these hosts cannot meet, deploy with the package
server down (the installs fail), watch the cluster page, bring the package back, retry the failed
tasks from the page, and see the nodes Up and registered in the meta-service. Screenshots of each
page go to DORISCTL_UI_SHOTS (or the test's tmp dir)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.manager.test_web_ui import CHROMIUM_ARGS, chromium, log_in, shoot, shots_dir  # noqa: F401
from tests.fixtures import netns_hosts
from tests.fixtures.manager_server import ManagerProcess, MetaServiceProcess, PackageServer

pytestmark = pytest.mark.slow
INSTALL_DIR = str(netns_hosts.MNT / "doris")
ENV_SKIPS = ["max_map_count", "swap", "open_files", "jdk", "memory"]


@pytest.fixture
def meta(clean_hosts: netns_hosts.Hosts, tmp_path: Path) -> Iterator[MetaServiceProcess]:
    ms = MetaServiceProcess(netns_hosts.GATEWAY, tmp_path / "ms")
    yield ms
    ms.stop()


def test_console_deploy_watch_retry(
    chromium: str,  # noqa: F811
    manager: ManagerProcess,
    clean_hosts: netns_hosts.Hosts,
    package: PackageServer,
    meta: MetaServiceProcess,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    m, hs = manager, clean_hosts
    h1, h2 = hs.hosts[0], hs.hosts[1]
    shots = shots_dir(tmp_path)
    text = yaml.safe_dump(
        {
            "deploy_mode": "cloud",
            "global": {
                "user": hs.user,
                "ssh_port": 22,
                "ssh_key_file": str(hs.key_path),
                "install_dir": INSTALL_DIR,
                "package_url": package.url(),
            },
            "meta_service": {
                "endpoint": meta.endpoint,
                "token_file": str(meta.token_file),
                "instance_id": "ui_inst",
                "obj_info": {"ak": "AK", "sk": "SK-ui", "bucket": "b", "prefix": "ui", "endpoint": "s3.example",
                             "region": "r1", "provider": "S3"},
            },
            "fe": [{"host": h1.ip}],
            "be": [{"host": h1.ip, "compute_group": "cg1"}, {"host": h2.ip, "compute_group": "cg1"}],
        },
        sort_keys=False,
    )  # fmt: skip

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(tmp_path)}
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            log_in(page, m, m.token)
            page.click("#nav-deploy")
            page.fill("#deploy-name", "webprod")

            # a broken file: the problems name their lines, nothing is stored
            page.fill("#topology-text", text.replace("ssh_port: 22", "ssh_port: 99999"))
            page.click("#run-check")
            expect(page.locator("#deploy-error")).to_contain_text("invalid topology")
            expect(page.locator("#checks-box")).to_contain_text("global.ssh_port")
            expect(page.locator("#checks-box")).to_contain_text("line 4")

            # the preflight table: these hosts fail some checks; each failure with its fix
            page.fill("#topology-text", text)
            page.click("#run-check")
            expect(page.locator("#check-verdict")).to_contain_text("failed", timeout=60_000)
            row = page.locator(f'#checks tr[data-host="{h1.ip}"]')
            expect(row.locator("td.check-ssh")).to_have_text("pass")
            expect(row.locator("td.check-meta_service")).to_have_text("pass")
            expect(page.locator("#fixes li").first).to_contain_text("fix:")
            shoot(page, shots, "deploy-preflight")
            page.click("#run-deploy")  # refused with the same table; nothing deployed
            expect(page.locator("#deploy-error")).to_contain_text("preflight failed", timeout=60_000)
            assert m.ok("GET", "/api/cluster") == []

            for name in ENV_SKIPS:
                page.check(f'input.skip-check[value="{name}"]')
            page.click("#run-check")
            expect(page.locator("#check-verdict")).to_have_text("every check passed", timeout=60_000)
            expect(page.locator("#checks td.skipped").first).to_have_text("skipped")  # a failure, skipped

            # deploy with the package server down: the installs fail, the cluster page shows it live
            package.published = False
            page.click("#run-deploy")
            page.wait_for_url(m.url + "/#/cluster/webprod", timeout=60_000)
            expect(page.locator("#cluster-name")).to_have_text("webprod")
            install = page.locator('.step-head[data-step="INSTALL_SERVICE"] .state')
            expect(install).to_have_text("FAILURE", timeout=120_000)
            failed = page.locator("tr.task", has=page.locator("td.status.FAILURE"))
            expect(failed).to_have_count(3)
            failed.first.locator("button.log").click()
            expect(page.locator("#log")).to_contain_text("log of task")
            expect(page.locator("#retry-all")).to_have_text("retry 3 failed")
            shoot(page, shots, "cluster-failed")

            # the package is back: retry from the page, watch it finish
            package.published = True
            page.click("#retry-all")
            expect(page.locator("#process")).to_contain_text("finished", timeout=180_000)
            expect(page.locator("tr.task td.status.FAILURE")).to_have_count(0)
            expect(page.locator("tr.task td.attempts", has_text="2")).to_have_count(3)

            # nodes: Up, and the meta-service's view of each (compute group / SQL cluster)
            page.click("text=refresh")
            nodes = page.locator("#nodes tbody tr")
            expect(nodes).to_have_count(3, timeout=30_000)
            expect(page.locator("#nodes td.proc.Up")).to_have_count(3, timeout=30_000)
            expect(nodes.filter(has_text="FE").locator("td.ms")).to_contain_text("FE_MASTER")
            expect(page.locator("#nodes td.ms", has_text="cg1")).to_have_count(2)
            expect(page.locator("#topology")).to_contain_text('"instance_id": "ui_inst"')
            expect(page.locator("#topology")).not_to_contain_text("SK-ui")  # no secrets on the page
            expect(page.locator("#topology")).not_to_contain_text("PRIVATE KEY")
            expect(page.locator("#nodes-box")).not_to_contain_text("null")
            shoot(page, shots, "cluster-deployed")

            page.click("#nav-clusters")
            expect(page.locator("#clusters tbody tr")).to_have_count(1)
            expect(page.locator("#clusters td.finish")).to_have_text("yes")
            shoot(page, shots, "clusters")
            page.click("#nav-agents")
            expect(page.locator("#agents td.status.RUNNING-agent")).to_have_count(2, timeout=20_000)
            shoot(page, shots, "agents-deployed")
            assert problems == [], problems
        finally:
            browser.close()
    got = meta.call("get_instance", instance_id="ui_inst")
    assert got["code"] == "OK" and {c["cluster_name"] for c in got["result"]["clusters"]} >= {"cg1"}
