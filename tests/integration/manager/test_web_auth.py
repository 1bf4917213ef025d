"""The manager's operator authentication against a real manager process: log-in once, then an
HttpOnly SameSite=Strict session cookie; CSRF on state-changing requests from the page; Bearer
clients need none; no token in URLs; bad tokens throttled (429 + Retry-After); log-out; TLS for
the manager (agents trust its certificate) and for the meta-service's HTTP API."""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dorisctl.agent.main import Client
from tests.fixtures.manager_server import ManagerProcess, free_port
from tests.fixtures.tls import self_signed


@pytest.fixture
def mgr(tmp_path: Path) -> Iterator[ManagerProcess]:
    m = ManagerProcess("127.0.0.1", tmp_path / "mgr")
    m.start()
    yield m
    m.stop()


def login(m: ManagerProcess, token: str, **kw: object) -> httpx.Response:
    return httpx.post(m.url + "/login", data={"token": token}, follow_redirects=False, timeout=10, **kw)  # type: ignore[arg-type]


def test_log_in_cookie_csrf_and_log_out(mgr: ManagerProcess) -> None:
    m = mgr
    r = httpx.get(m.url + "/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = httpx.get(m.url + "/login")
    assert page.status_code == 200 and 'name="token"' in page.text and m.token not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]

    r = login(m, m.token)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("dorisctl_session=") and m.token not in cookie
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "max-age", "path", "samesite"} <= attrs and "samesite=strict" in cookie.lower()
    assert "secure" not in attrs  # plain HTTP: a Secure cookie would never come back
    sid = r.cookies["dorisctl_session"]

    with httpx.Client(base_url=m.url, cookies={"dorisctl_session": sid}, timeout=10) as c:
        page = c.get("/")
        assert page.status_code == 200 and m.token not in page.text
        csrf = page.text.split('name="csrf" content="')[1].split('"')[0]
        assert len(csrf) >= 40 and c.get("/api/cluster").json()["code"] == 0  # reads need no CSRF token
        # a state-changing request without (or with a wrong) CSRF token is refused and changes nothing
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            r = c.post("/api/process/cancel/1", headers=headers)
            assert r.status_code == 403 and "CSRF" in r.json()["msg"], r.text
        r = c.post("/api/process/cancel/1", headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
        assert r.status_code == 403 and "cross-origin" in r.json()["msg"]
        r = c.post("/api/process/cancel/1", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 404, r.text  # authorized: the engine answers (no such process)
        # log-out needs the CSRF token too, then the session is gone
        assert c.post("/logout", data={"csrf": "wrong"}).status_code == 403
        assert c.get("/api/cluster").json()["code"] == 0
        r = c.post("/logout", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        c.cookies.set("dorisctl_session", sid)
        assert c.get("/api/cluster").status_code == 401
        assert c.get("/", follow_redirects=False).status_code == 303


def test_bearer_clients_need_no_csrf_and_tokens_never_go_in_urls(mgr: ManagerProcess) -> None:
    m = mgr
    assert m.call("POST", "/api/process/cancel/1")["_status"] == 404  # Bearer: no cookie, no CSRF token
    r = httpx.get(f"{m.url}/api/cluster?token={m.token}")
    assert r.status_code == 400 and "never sent in the URL" in r.json()["msg"]
    assert httpx.get(f"{m.url}/?token={m.token}", follow_redirects=False).status_code == 303
    assert httpx.get(m.url + "/api/cluster", cookies={"dorisctl_session": "forged"}).status_code == 401
    assert m.token not in m.log.read_text()


def test_bad_tokens_are_throttled_per_address(mgr: ManagerProcess) -> None:
    m = mgr
    for _ in range(5):  # five free attempts
        assert m.call("GET", "/api/cluster", token="guess")["_status"] == 401
    # the sixth is checked, then the address waits
    assert m.call("GET", "/api/cluster", token="guess")["_status"] == 401
    r2 = httpx.get(m.url + "/api/cluster", headers={"Authorization": f"Bearer {m.token}"})
    assert r2.status_code == 429 and int(r2.headers["retry-after"]) >= 1, r2.text  # even the right token
    assert "too many bad tokens" in r2.json()["msg"]
    page = login(m, "guess")
    assert page.status_code == 429 and page.headers["retry-after"] and "too many bad tokens" in page.text
    # another address is not slowed down (127.0.0.2 is loopback too)
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10) as other:
        ok = other.get(m.url + "/api/cluster", headers={"Authorization": f"Bearer {m.token}"})
        assert ok.status_code == 200
        bad = other.post(m.url + "/login", data={"token": "nope"})
        assert bad.status_code == 401 and "wrong token" in bad.text


def test_manager_over_tls(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls", "127.0.0.1")
    m = ManagerProcess("127.0.0.1", tmp_path / "mgr", extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        m.start()
        url = m.url
        assert url.startswith("https://") and m.ok("GET", "/api/cluster") == []
        with pytest.raises(httpx.ConnectError):  # a client that does not trust the certificate
            httpx.get(url + "/healthz")
        with pytest.raises(httpx.RemoteProtocolError):  # nor does the port speak plain HTTP
            httpx.get(f"http://127.0.0.1:{m.port}/healthz")
        r = httpx.post(url + "/login", data={"token": m.token}, verify=m.tls, follow_redirects=False)
        assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
        # an agent given the manager's certificate (as bootstrap does) reaches it; its token is wrong here
        with pytest.raises(urllib.error.HTTPError) as e:
            Client(url, "not-an-agent-token", cert.read_text()).post("/api/agent-rpc/register", {})
        assert e.value.code == 401
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            Client(url, "not-an-agent-token").post("/api/agent-rpc/register", {})
    finally:
        m.stop()


def test_tls_misconfiguration_is_a_clear_error(tmp_path: Path) -> None:
    cert, _key = self_signed(tmp_path / "a", "127.0.0.1")
    _cert2, key2 = self_signed(tmp_path / "b", "127.0.0.1")
    base = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", str(tmp_path / "ms"), "--port", "0"]
    for extra, want in (
        (["--tls-cert", str(cert)], "both --tls-cert and --tls-key"),
        (["--tls-cert", str(cert), "--tls-key", str(tmp_path / "none.pem")], "cannot read"),
        (["--tls-cert", str(cert), "--tls-key", str(key2)], "not a matching PEM certificate and key"),
    ):
        r = subprocess.run(base + extra, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and want in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_meta_service_http_api_over_tls(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls", "127.0.0.1")
    ctx = ssl.create_default_context(cafile=str(cert))
    port = free_port("127.0.0.1")
    log = tmp_path / "ms.log"
    cmd = [sys.executable, "-m", "dorisctl", "meta-service", "--data-dir", str(tmp_path / "ms"), "--port", str(port)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--token", "t", "--tls-cert", str(cert), "--tls-key", str(key)], stdout=out, stderr=out
        )
    try:
        url = f"https://127.0.0.1:{port}/MetaService/http/get_instance?instance_id=x"
        for _ in range(200):
            try:
                r = httpx.get(url, headers={"Authorization": "Bearer t"}, verify=ctx, timeout=2)
                break
            except httpx.ConnectError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            raise AssertionError(log.read_text())
        assert "instance_id=x" in r.json()["msg"], r.text  # answered by the API (as Doris: no such instance)
    finally:
        proc.terminate()
        proc.wait(20)
