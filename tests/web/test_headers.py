"""Security headers on every kind of response; no inline script or style in any template."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from streetlight.db.models import Role
from streetlight.web.app import create_app
from streetlight.web.core.deps import public
from streetlight.web.core.headers import CSP
from streetlight.web.core.settings import Settings
from tests.web.conftest import Clock, MakeStaff, csrf_token, sign_in
from tests.web.templates import template_files

EXPECTED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
PAGES = [
    "/",
    "/?lang=fr",
    "/signin",
    "/dashboard",
    "/api/v1/health",
    "/api/v1/openapi.json",
    "/static/css/site.css",
    "/static/js/signin.js",
    "/no-such-page",
    "/api/v1/no-such-thing",
]


def test_the_csp_is_strict() -> None:
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in CSP
    assert "unsafe" not in CSP and "*" not in CSP


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_response_carries_the_headers(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, scheme: str
) -> None:
    with TestClient(app, base_url=f"{scheme}://testserver", follow_redirects=False) as client:
        responses = [client.get(path) for path in PAGES]
        responses.append(client.post("/signin", data={}))  # refused: no CSRF token
        responses.append(sign_in(client, make_staff(Role.ADMIN), clock))  # a redirect
        responses += [client.get(path) for path in ("/dashboard", "/api/v1/me")]
        token = csrf_token(client, "/dashboard")
        responses.append(client.post("/signout", data={"csrf_token": token}))
    assert {r.status_code for r in responses} >= {200, 303, 403, 404}
    for response in responses:
        path = response.request.url.path
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (path, name)
        assert "geolocation=(self)" in response.headers["permissions-policy"]
        hsts = response.headers.get("strict-transport-security")
        assert (hsts is not None) == (scheme == "https"), path
        if not path.startswith("/static/"):
            assert response.headers["cache-control"] == "no-store", path


def test_hsts_and_secure_cookies_when_tls_is_in_front(settings: Settings, clock: Clock) -> None:
    behind = create_app(settings.model_copy(update={"behind_tls": True}), clock=clock)
    with TestClient(behind, base_url="http://testserver") as client:
        response = client.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["set-cookie"].startswith("__Host-sl_csrf=")
    assert "Secure" in response.headers["set-cookie"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"https?://", re.I), "third-party URL"),
]


def test_templates_hold_no_inline_script_or_style() -> None:
    checked = 0
    for template in template_files():
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            assert not pattern.search(text), f"{template.name}: {what}"
        checked += 1
    assert checked >= 5


def test_an_unexpected_error_still_carries_the_headers(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/broken", public(broken))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500 and "boom" not in response.text
    assert response.headers["content-security-policy"] == CSP
