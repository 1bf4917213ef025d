"""The manager's web UI in a real headless Chromium (Debian ``chromium`` driven by Playwright).

No SSH hosts: a real manager process gets an installAgent for two loopback hosts whose ssh port is
closed, so both tasks really fail with the engine's error; one host is then moved to the end state of
a successful install in the DB (as the unit tests do), and its agent registers through the real
agent RPC with the real hardware facts of this machine. The assertions are on what the page shows.
Set DORISCTL_UI_SHOT=/some/file.png to keep a copy of the screenshot."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from dorisctl.agent.facts import hardware
from dorisctl.manager.db import Store
from dorisctl.manager.models import Agent, Task
from dorisctl.manager.secretbox import token_hash
from tests.fixtures.manager_server import ManagerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-component-update",
]
REPO = Path(__file__).resolve().parents[3]
FAILED, INSTALLED = "127.0.0.1", "127.0.0.2"
AGENT_TOKEN = "ui-test-agent-token"
TASK_LOG = "unpacking doris.tar.gz\nstarting agent on port 9602\nagent registered"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Debian chromium; installed here (scripts/system-deps.sh) if missing and we can."""
    if not os.access(CHROMIUM, os.X_OK):
        r = subprocess.run(
            ["bash", str(REPO / "scripts" / "system-deps.sh"), "chromium"], capture_output=True, text=True, timeout=600
        )
        if not os.access(CHROMIUM, os.X_OK):
            pytest.skip(f"chromium is not installed and could not be installed: {(r.stderr or r.stdout)[-300:]}")
    return CHROMIUM


@pytest.fixture
def ui_manager(tmp_path: Path) -> Iterator[ManagerProcess]:
    m = ManagerProcess("127.0.0.1", tmp_path / "mgr")
    m.start()
    yield m
    m.stop()


def ui_state(m: ManagerProcess, cluster: str) -> int:
    """installAgent for two hosts that both fail; then one of them installed, registered, with a log."""
    import asyncssh

    key = bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key()).decode()
    pid: int = m.ok(
        "POST",
        "/api/server/installAgent",
        {
            "clusterId": cluster,
            "hosts": [FAILED, INSTALLED],
            "user": "dmgr",
            "sshPort": closed_port(),
            "sshKey": key,
            "packageUrl": "http://127.0.0.1:1/doris.tar.gz",
            "installDir": "/opt/doris",
        },
    )
    tasks = m.wait_step(pid, timeout=30)
    assert [t["status"] for t in tasks] == ["FAILURE", "FAILURE"], tasks
    assert all("cannot reach ssh" in t["result"] for t in tasks), tasks

    store = Store(f"sqlite:///{m.data_dir / 'manager.db'}")
    try:
        with store.tx() as s:
            t = s.scalars(select(Task).where(Task.process_id == pid, Task.host == INSTALLED)).one()
            t.status, t.finish, t.result = "SUCCESS", "YES", "Install Agent Success"
            t.log, t.log_path = TASK_LOG, "/opt/doris/agent/install.log"
            a = s.scalars(select(Agent).where(Agent.host == INSTALLED)).one()
            a.token_hash = token_hash(AGENT_TOKEN)
    finally:
        store.close()
    r = httpx.post(
        m.url + "/api/agent-rpc/register",
        json={"hardware": hardware("/"), "version": "test"},
        headers={"Authorization": f"Bearer {AGENT_TOKEN}"},
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["code"] == 0, r.text
    return pid


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", data[:16]
    w, h = struct.unpack(">II", data[16:24])
    return int(w), int(h)


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: DORISCTL_UI_SHOTS (kept, to look at) or the test's tmp dir."""
    d = Path(os.environ.get("DORISCTL_UI_SHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def shoot(page: Any, d: Path, name: str) -> Path:
    path = d / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    w, h = png_size(path.read_bytes())
    assert w >= 1000 and h >= 300, (name, w, h)
    return path


def log_in(page: Any, m: ManagerProcess, token: str) -> Any:
    """As a person does: the console sends them to the log-in page, they type the token."""
    page.goto(m.url + "/")
    page.wait_for_url(m.url + "/login")
    page.fill("#token", token)
    with page.expect_navigation():
        page.click("#login")
    return page


def test_web_ui_log_in_agents_tasks_errors_and_logs(chromium: str, ui_manager: ManagerProcess, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    m = ui_manager
    t0 = time.monotonic()
    shots = shots_dir(tmp_path)
    pid = ui_state(m, "c-ui")
    hw = hardware("/")
    progress = {t["host"]: t for t in m.ok("GET", f"/api/process/{pid}/progress")}
    failed_error = progress[FAILED]["result"]

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(tmp_path)}
        )
        try:
            ctx = browser.new_context(viewport={"width": 1200, "height": 800})
            page = ctx.new_page()
            requests: list[str] = []
            problems: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda c: problems.append(f"console {c.type}: {c.text}") if c.type == "error" else None)

            # without a session the console sends the browser to the log-in page; a wrong token is refused
            log_in(page, m, "wrong-token")
            expect(page.locator("#login-error")).to_have_text("wrong token")
            assert page.locator("#view").count() == 0
            shoot(page, shots, "login-refused")
            problems.clear()  # the browser logs the refused log-in itself as a console error

            log_in(page, m, m.token)
            assert page.url == m.url + "/"  # no token in the URL, nor in the history
            expect(page).to_have_title("Clusters · dorisctl manager")
            assert all(m.token not in u for u in requests)
            cookie = next(c for c in ctx.cookies() if c["name"] == "dorisctl_session")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and m.token not in cookie["value"]
            assert page.evaluate("document.cookie") == ""  # HttpOnly: the page's script cannot read it
            expect(page.locator("#clusters-none")).to_contain_text("No clusters yet")

            # the process of the step-by-step API and its per-host tasks, with states and the error text
            page.click("#nav-process")
            proc = page.locator("#process")
            expect(proc).to_contain_text(f"process {pid} of cluster c-ui")
            expect(proc).to_contain_text("INSTALL_AGENT")
            rows = page.locator("tr.task")
            expect(rows).to_have_count(2)
            failed_row = rows.filter(has_text=FAILED)
            ok_row = rows.filter(has_text=INSTALLED)
            expect(failed_row.locator("td.status")).to_have_text("FAILURE")
            expect(failed_row.locator("td.result")).to_have_text(failed_error)
            assert "cannot reach ssh" in failed_error
            expect(ok_row.locator("td.status")).to_have_text("SUCCESS")
            expect(ok_row.locator("td.result")).to_have_text("Install Agent Success")
            expect(failed_row.locator("button.retry")).to_be_visible()
            expect(ok_row.locator("button.retry")).to_have_count(0)
            red = failed_row.locator("td.status").evaluate("e => getComputedStyle(e).color")
            green = ok_row.locator("td.status").evaluate("e => getComputedStyle(e).color")
            assert red != green and red != "rgb(34, 34, 34)", (red, green)

            # a task's log is shown when its button is clicked; a failed task without a log shows its error
            ok_row.locator("button.log").click()
            log = page.locator("#log")
            expect(log).to_contain_text(TASK_LOG)
            expect(log).to_contain_text("/opt/doris/agent/install.log")
            expect(log).to_contain_text(f"task {progress[INSTALLED]['id']}")
            failed_row.locator("button.log").click()
            expect(log).to_contain_text(failed_error)
            expect(log).not_to_contain_text(TASK_LOG)
            # the page refreshes itself; after a refresh it still shows the same rows once, and the log
            page.wait_for_timeout(2500)
            expect(rows).to_have_count(2)
            expect(log).to_contain_text(failed_error)
            shoot(page, shots, "process")

            # retry from the page (a state-changing request: it carries the CSRF token): fails again
            failed_row.locator("button.retry").click()
            expect(failed_row.locator("td.attempts")).to_have_text("2", timeout=20_000)
            expect(failed_row.locator("td.status")).to_have_text("FAILURE", timeout=20_000)

            # agents with their hardware: the installed one registered with this machine's facts
            page.click("#nav-agents")
            agents = page.locator("#agents tbody tr")
            expect(agents).to_have_count(2)
            reg = agents.filter(has_text=INSTALLED)
            cells: dict[str, Any] = {
                "status": "RUNNING",
                "cpu": hw["cpu"],
                "cores": str(hw["cores"]),
                "memory": hw["totalMemory"],
                "os": hw["os"],
                "kernel": hw["kernel"],
            }
            for cls, text in cells.items():
                expect(reg.locator(f"td.{cls}")).to_have_text(str(text))
            expect(reg.locator("td.disks")).to_contain_text("GiB free of")
            expect(reg.locator("td.reported")).not_to_be_empty()
            expect(agents.filter(has_text=FAILED).locator("td.status")).to_have_text("INIT")
            expect(page.locator("#error")).to_be_hidden()
            shoot(page, shots, "agents")
            assert problems == [], problems
            assert all(u.startswith(m.url + "/") for u in requests), requests  # nothing but the manager

            # log out: the session is gone, the console sends the browser back to the log-in page
            with page.expect_navigation():
                page.click("#logout")
            assert page.url == m.url + "/login"
            page.goto(m.url + "/#/agents")
            page.wait_for_url(m.url + "/login#/agents")  # the browser keeps the fragment across the redirect
            expect(page.locator("#token")).to_be_visible()

            # the manager goes away while a page is open: the page says so instead of silently showing stale data
            log_in(page, m, m.token)
            page.click("#nav-agents")
            expect(agents).to_have_count(2)
            m.stop()
            expect(page.locator("#error")).to_contain_text("refresh failed", timeout=10_000)
            expect(agents).to_have_count(2)  # the last known state stays visible
        finally:
            browser.close()
    assert time.monotonic() - t0 < 90
