"""The manager's OpenAPI 3.1 document: served without a token at /api/openapi.json, valid by the
OpenAPI 3.1 schema (openapi-spec-validator), and describing exactly the application's API routes
(every method of every /api/ route, /healthz and /metrics; nothing that is not served)."""

from __future__ import annotations

from pathlib import Path

import httpx
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.applications import Starlette
from starlette.routing import Route

from dorisctl.manager.server import prepare_manager
from tests.fixtures.metaservice import free_port


async def test_openapi_document_is_valid_and_matches_the_routes(tmp_path: Path) -> None:
    rt = prepare_manager("127.0.0.1", free_port(), tmp_path / "mgr", token="operator-token")
    try:
        app = rt.server.config.app
        assert isinstance(app, Starlette)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://manager") as client:
            r = await client.get("/api/openapi.json")  # no token needed
            assert r.status_code == 200, r.text
            doc = r.json()
            refused = await client.get("/api/cluster")  # the API itself still wants one
            assert refused.status_code == 401
        errors = [str(e.message) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
        assert errors == [] and doc["openapi"].startswith("3.1")
        assert list(OpenAPIV31SpecValidator({**doc, "paths": {"no-slash": {}}}).iter_errors())  # it does check
        documented = {(path, m.upper()) for path, ops in doc["paths"].items() for m in ops}
        served = {
            (route.path, m)
            for route in app.routes
            if isinstance(route, Route) and (route.path.startswith("/api/") or route.path in ("/healthz", "/metrics"))
            for m in (route.methods or set()) - {"HEAD"}
        }
        assert documented - served == set(), "documented but not served"
        assert served - documented == set(), "served but not documented"
        for kind in ("stop", "start", "restart", "reload", "upgrade", "rollback", "scale-out", "scale-in", "destroy"):
            assert ("/api/cluster/{name}/" + kind, "POST") in documented
        upgrade = doc["paths"]["/api/cluster/{name}/upgrade"]["post"]
        body = upgrade["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == ["packageUrl"] and "409" in upgrade["responses"]
    finally:
        await rt.engine.close()
        rt.store.close()
