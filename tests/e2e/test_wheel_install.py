"""The built wheel, installed (not editable) in a fresh venv, serves every manager page and the
meta-service: package data (the web page, Alembic's migrations, the agent's sources for its
zipapp) must be in the wheel, not only in the source tree.

Dependencies are not resolved from an index here (slow, and pip's business): the fresh venv sees
the test venv's site-packages through a .pth line, which does not activate the test venv's
editable dorisctl, and the test checks `dorisctl` is imported from the fresh venv.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.fixtures.metaservice import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # build from a clean copy: a build/ or *.egg-info left in the work tree would hide missing data
    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (built,) = dist.glob("dorisctl-*.whl")
    return built


def test_installed_wheel_serves_manager_pages_and_meta_service(wheel: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("dorisctl/manager/web/index.html", "dorisctl/manager/migrations/env.py",
                   "dorisctl/manager/migrations/versions/0001_initial_schema.py", "dorisctl/agent/main.py",
                   "dorisctl/metaservice/proto/cloud_pb2.py"):  # fmt: skip
        assert needed in names, needed

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())  # fmt: skip
    (site / "_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    where = subprocess.run([str(py), "-c", "import dorisctl; print(dorisctl.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert where.startswith(str(venv)), where

    data, ms_port, mgr_port = tmp_path / "data", free_port(), free_port()
    log = open(tmp_path / "up.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [str(venv / "bin" / "dorisctl"), "up", "--data-dir", str(data), "--port", str(ms_port),
         "--manager-host", "127.0.0.1", "--manager-port", str(mgr_port)],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        mgr = f"http://127.0.0.1:{mgr_port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "up.log").read_text()
            try:
                if httpx.get(f"{mgr}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        token = (data / "manager-token").read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        login = httpx.post(mgr + "/login", data={"token": token}, follow_redirects=False)
        assert login.status_code == 303, login.text[:300]
        session = {"dorisctl_session": login.cookies["dorisctl_session"]}
        for page in ("/", "/ui", "/login", "/static/console.js", "/static/console.css"):
            r = httpx.get(mgr + page, cookies=session, follow_redirects=True)
            assert r.status_code == 200 and len(r.text) > 200, (page, r.status_code, r.text[:300])
            assert page.startswith("/static") or "<html" in r.text.lower(), (page, r.text[:300])
        for api in ("/api/server/agentList", "/api/server/roleList", "/api/audit"):
            r = httpx.get(mgr + api, headers=auth)
            assert r.status_code == 200, (api, r.text[:300])
        assert (data / "dorisctl-agent.pyz").exists() or list(data.glob("*.pyz")), list(data.iterdir())
        ms_token = (data / "token").read_text().strip()
        r = httpx.post(f"http://127.0.0.1:{ms_port}/MetaService/http/get_cluster_status?token={ms_token}",
                       content=b'{"instance_ids": ["none"]}')  # fmt: skip
        assert r.status_code == 200 and r.json()["code"] == "OK", r.text
        assert "Traceback" not in (tmp_path / "up.log").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()


def test_installed_with_the_newest_dependencies_every_command_is_quiet(wheel: Path, tmp_path: Path) -> None:
    """As users install it: ``pip install`` resolves the newest releases allowed by pyproject (not our
    constraints file). No command prints a library warning (cryptography's DSA deprecation from
    asyncssh's import was five lines on every command), not even one that really opens ssh."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    inst = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert inst.returncode == 0, inst.stderr[-3000:]
    dorisctl = str(venv / "bin" / "dorisctl")
    runs = [
        [dorisctl, "--help"],
        [dorisctl, "meta-service", "--help"],
        [dorisctl, "manager", "--help"],
        [dorisctl, "cluster", "--help"],
        [dorisctl, "cluster", "upgrade", "--help"],
        [dorisctl, "cluster", "list", "--manager", f"http://127.0.0.1:{free_port()}", "--token", "t"],
        # the code path that does use ssh: asyncssh imported, a key parsed
        [str(py), "-c", "from dorisctl.manager.connector import validate_private_key as v\n"
         "try:\n    v('not a key')\nexcept ValueError as e:\n    print(e)"],
    ]  # fmt: skip
    for cmd in runs:
        r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        out = r.stdout + r.stderr
        assert "Warning" not in out and "deprecated" not in out.lower(), (cmd, out[-2000:])
        assert "Traceback" not in out, (cmd, out[-2000:])
    # the venv really has the versions that warn (else this test would prove nothing)
    raw = subprocess.run([str(py), "-c", "import asyncssh"], capture_output=True, text=True, timeout=60)
    versions = subprocess.run(
        [str(py), "-c", "import cryptography, asyncssh; print(cryptography.__version__, asyncssh.__version__)"],
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    print(f"\nnewest dependencies: cryptography, asyncssh = {versions.strip()}; bare import warns: {bool(raw.stderr)}")
