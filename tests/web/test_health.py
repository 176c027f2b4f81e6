"""Health, the OpenAPI schema, and what the schema must not offer."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.db.postgres import free_port


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_says_when_the_database_is_down(tmp_path: Path) -> None:
    nobody = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
    settings = Settings(store=tmp_path, database_url=nobody, secret_key=SecretStr("k" * 40))
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "unavailable"}
        assert client.get("/").status_code == 200  # public pages need no database


def test_the_openapi_schema_documents_the_api_and_lists_no_officers(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert {"/api/v1/health", "/api/v1/me", "/api/v1/me/position"} <= set(paths)
    assert "/api/v1/officers/{warrant_number}/suspend" in paths
    listing = [p for p, ops in paths.items() if "get" in ops and "officer" in p]
    assert listing == []
    assert client.get("/docs").status_code == 404  # no CDN-loading API explorer
