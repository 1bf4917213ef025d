"""The web console's HTTP side: log-in and log-out, the pages and their static files, and the one
authentication check every operator route goes through (``WebAuth.check``).

Pages are plain files under ``web/`` (HTML, one framework-free script, one style sheet), served as
they are: no build step. The console page gets the session's CSRF token in a ``<meta>`` tag; its
script sends it back in ``X-CSRF-Token``. Every page is sent with a strict Content-Security-Policy
(scripts and styles from this origin only), ``no-store`` and a ``same-origin`` referrer policy.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .secretbox import same
from .websession import COOKIE, CSRF_HEADER, Session, Sessions, Throttle, csrf_ok

WEB = Path(__file__).with_name("web")
SAFE_METHODS = ("GET", "HEAD")
STATIC = {"console.js": "text/javascript", "console.css": "text/css"}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",  # no-referrer would make the browser send "Origin: null"
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
MAX_LOGIN_BODY = 4096
Refusal = tuple[int, str, dict[str, str]]


def _addr(request: Request) -> str:
    return request.client.host if request.client else "?"


def _same_origin(request: Request) -> bool:
    """A browser's Origin (when it sends one) names this server: not a form posted from elsewhere."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


class WebAuth:
    """The operator token, the browser sessions and the bad-token throttle of one manager."""

    def __init__(
        self,
        operator_token: str,
        sessions: Sessions | None = None,
        throttle: Throttle | None = None,
        secure_cookie: bool = False,
    ) -> None:
        self.token = operator_token
        self.sessions = sessions or Sessions()
        self.throttle = throttle or Throttle()
        self.secure_cookie = secure_cookie

    def _throttled(self, addr: str) -> Refusal | None:
        wait = self.throttle.retry_after(addr)
        if wait:
            return 429, f"too many bad tokens from {addr}: try again in {wait} s", {"Retry-After": str(wait)}
        return None

    def token_ok(self, addr: str, token: str) -> Refusal | None:
        """None if ``token`` is the operator token; else why not (401, or 429 while throttled)."""
        refused = self._throttled(addr)
        if refused is not None:
            return refused
        if same(token, self.token):
            self.throttle.succeeded(addr)
            return None
        self.throttle.failed(addr)
        return 401, "unauthorized: a valid operator token is required", {}

    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(COOKIE))

    def check(self, request: Request) -> Refusal | None:
        """None if the request may reach an operator route; else (status, message, headers)."""
        if "token" in request.query_params:
            return 400, "the token is never sent in the URL: use Authorization: Bearer, or log in at /login", {}
        header = request.headers.get("authorization")
        if header is not None:
            token = header[7:].strip() if header.lower().startswith("bearer ") else ""
            return self.token_ok(_addr(request), token)
        s = self.session(request)
        if s is None:
            return 401, "unauthorized: log in at /login, or send Authorization: Bearer <token>", {}
        if request.method not in SAFE_METHODS:
            if not _same_origin(request):
                return 403, "forbidden: cross-origin request", {}
            if not csrf_ok(s, request.headers.get(CSRF_HEADER)):
                return 403, "forbidden: missing or wrong CSRF token (X-CSRF-Token)", {}
        return None

    def set_cookie(self, resp: Response, sid: str) -> None:
        resp.set_cookie(
            COOKIE,
            sid,
            max_age=int(self.sessions.max_age),
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookie,
        )


def _page(name: str, status: int = 200, headers: dict[str, str] | None = None, **values: str) -> HTMLResponse:
    text = (WEB / name).read_text()
    for k, v in values.items():
        text = text.replace("{{" + k + "}}", html.escape(v, quote=True))
    return HTMLResponse(text, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def web_routes(web: WebAuth) -> list[BaseRoute]:
    def login_page(error: str = "", status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
        return _page("login.html", status, headers, error=error, hidden="" if error else "hidden")

    async def console(request: Request) -> Response:
        s = web.session(request)
        if s is None:
            return RedirectResponse("/login", status_code=303, headers=PAGE_HEADERS)
        return _page("index.html", csrf=s.csrf)

    async def login_form(request: Request) -> Response:
        if web.session(request) is not None:
            return RedirectResponse("/", status_code=303, headers=PAGE_HEADERS)
        return login_page()

    async def login(request: Request) -> Response:
        if not _same_origin(request):
            return login_page("log-in refused: the form was posted from another site", 403)
        raw = await request.body()
        if len(raw) > MAX_LOGIN_BODY:
            return login_page("log-in refused: the request is too large", 413)
        try:
            fields = parse_qs(raw.decode(), max_num_fields=4)
        except (UnicodeDecodeError, ValueError):
            return login_page("log-in refused: the form could not be read", 400)
        token = (fields.get("token") or [""])[0].strip()
        if not token:
            return login_page(
                "enter the operator token (the manager printed it once; it is in <data-dir>/manager-token)", 400
            )
        refused = web.token_ok(_addr(request), token)
        if refused is not None:
            status, msg, headers = refused
            return login_page("wrong token" if status == 401 else msg, status, headers)
        sid, _s = web.sessions.create()
        resp = RedirectResponse("/", status_code=303, headers=PAGE_HEADERS)
        web.set_cookie(resp, sid)
        return resp

    async def logout(request: Request) -> Response:
        sid = request.cookies.get(COOKIE)
        s = web.sessions.get(sid)
        if s is not None:
            raw = await request.body()
            sent = request.headers.get(CSRF_HEADER) or (parse_qs(raw.decode(errors="replace")).get("csrf") or [""])[0]
            if not _same_origin(request) or not csrf_ok(s, sent):
                return login_page("log-out refused: missing or wrong CSRF token", 403)
            web.sessions.end(sid)
        resp = RedirectResponse("/login", status_code=303, headers=PAGE_HEADERS)
        resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=web.secure_cookie)
        return resp

    def static(name: str) -> Callable[[Request], object]:
        async def serve(_r: Request) -> Response:
            return Response((WEB / name).read_bytes(), media_type=STATIC[name], headers=PAGE_HEADERS)

        return serve

    return [
        Route("/", console, methods=["GET"]),
        Route("/ui", console, methods=["GET"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        *(Route(f"/static/{n}", static(n), methods=["GET"]) for n in STATIC),
    ]
