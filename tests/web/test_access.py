"""Deny by default, roles by dependency, and suspension or end of duty at the next request."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from streetlight.db.models import Dress, Role
from streetlight.web.core.deps import is_public
from tests.web.conftest import Clock, MakeStaff, add_officer, csrf_token, sign_in

# Every route anyone may use without signing in. Adding one is a decision: change it here too.
PUBLIC = {
    ("GET", "/"),
    ("GET", "/signin"),
    ("POST", "/signin"),
    # Sign-in with a security key instead of a code: its options, and the form it posts.
    ("POST", "/api/v1/signin/webauthn/options"),
    ("POST", "/signin/key"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/static"),
    # Issue 5: the public's check of an officer, its chat and location sharing.
    ("GET", "/verify"),
    ("POST", "/verify"),
    ("POST", "/api/v1/verify"),
    ("GET", "/verify/photo/{token}"),
    ("POST", "/verify/location"),
    ("POST", "/api/v1/verify/location"),
    ("GET", "/verify/chat/{token}"),
    ("POST", "/verify/chat/{token}"),
    ("GET", "/api/v1/chat/messages"),
    ("POST", "/api/v1/chat/messages"),
    # Issue 6: reporting a place anonymously, its receipt, and the safety page.
    ("GET", "/report"),
    ("POST", "/report"),
    ("GET", "/report/area.geojson"),
    ("GET", "/report/places"),
    ("GET", "/report/receipt"),
    ("POST", "/report/receipt"),
    ("GET", "/api/v1/reports/form-token"),
    ("POST", "/api/v1/reports"),
    ("POST", "/api/v1/reports/status"),
    ("GET", "/safety"),
    ("GET", "/safety-sw.js"),
    # Issue 21: reporting an officer's conduct without an account, and the conversation.
    ("GET", "/conduct"),
    ("POST", "/conduct"),
    ("GET", "/conduct/receipt"),
    ("POST", "/conduct/receipt"),
    ("POST", "/conduct/receipt/add"),
    ("POST", "/conduct/receipt/file"),
}


def _routes(app: FastAPI) -> list[tuple[str, str, object]]:
    """(method, path, endpoint) for every route the app answers, included routers' too."""
    found: list[tuple[str, str, object]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(("GET", route.path, route))
            continue
        assert context.path is not None, route
        methods = sorted(m for m in (context.methods or ()) if m != "HEAD")
        found += [(m, context.path, context.endpoint) for m in methods]
    return found


def test_every_route_but_the_public_ones_refuses_anonymous_visitors(
    app: FastAPI, client: TestClient
) -> None:
    routes = _routes(app)
    assert len(routes) >= 12
    public = {
        (m, p)
        for m, p, endpoint in routes
        if isinstance(endpoint, Mount) or is_public(endpoint) or p.endswith("openapi.json")
    }
    assert public == PUBLIC
    token = csrf_token(client)  # a valid anonymous token: refusal must come from sign-in
    for method, path, _endpoint in routes:
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "PC1", path)
        response = client.request(
            method, url, data={"csrf_token": token}, headers={"X-CSRF-Token": token}
        )
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        elif method == "GET":
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/signin?next=")
        else:
            assert response.status_code == 401, (method, path, response.status_code)


def _api(client: TestClient, path: str) -> int:
    token = csrf_token(client, "/dashboard")
    return client.post(path, headers={"X-CSRF-Token": token}).status_code


def test_roles_are_checked(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    add_officer(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    add_officer(app_sessions, clock, "PC2", dress=Dress.UNIFORM)
    expected = {
        # role: (suspend, end duty, send own position)
        Role.OFFICER: (403, 403, 204),
        Role.OPERATOR: (403, 200, 403),
        Role.SUPERVISOR: (200, 200, 403),
        Role.ADMIN: (200, 200, 403),
    }
    for role, (suspend, end, position) in expected.items():
        staff = make_staff(
            role, f"user-{role.value}", warrant="PC2" if role is Role.OFFICER else None
        )
        with TestClient(app, follow_redirects=False) as client:
            assert sign_in(client, staff, clock).status_code == 303
            token = {"X-CSRF-Token": csrf_token(client, "/dashboard")}
            got = (
                _api(client, "/api/v1/officers/PC1/suspend"),
                _api(client, "/api/v1/officers/PC1/end-duty"),
                client.post(
                    "/api/v1/me/position", json={"lon": 0, "lat": 51.5}, headers=token
                ).status_code,
            )
            assert got == (suspend, end, position), role
            if suspend == 200:
                assert _api(client, "/api/v1/officers/PC1/reinstate") == 200
            assert _api(client, "/api/v1/officers/NOPE/end-duty") == (404 if end == 200 else 403)


def test_the_form_checks_roles_per_action(
    client: TestClient, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    add_officer(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    sign_in(client, make_staff(Role.OPERATOR), clock)
    token = csrf_token(client, "/dashboard")
    refused = client.post(
        "/officers/status", data={"csrf_token": token, "warrant_number": "PC1", "action": "suspend"}
    )
    assert refused.status_code == 403 and "You are not allowed to do this." in refused.text
    done = client.post(
        "/officers/status?lang=fr",
        data={"csrf_token": token, "warrant_number": "PC1", "action": "end_duty"},
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Fait : service terminé pour PC1." in page.text
    unknown = client.post(
        "/officers/status", data={"csrf_token": token, "warrant_number": "X9", "action": "end_duty"}
    )
    assert "No officer has that warrant number." in client.get(unknown.headers["location"]).text


def test_suspension_takes_effect_on_the_next_request(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    add_officer(app_sessions, clock, "PC1", dress=Dress.PLAIN_CLOTHES)
    officer = make_staff(Role.OFFICER, "pc1", warrant="PC1")
    supervisor = make_staff(Role.SUPERVISOR)
    with (
        TestClient(app, follow_redirects=False) as phone,
        TestClient(app, follow_redirects=False) as desk,
    ):
        sign_in(phone, officer, clock)
        assert phone.get("/api/v1/me").json()["duty"]["dress"] == "plain_clothes"
        sign_in(desk, supervisor, clock)
        token = csrf_token(desk, "/dashboard")
        form = {"csrf_token": token, "warrant_number": "PC1", "action": "suspend"}
        assert desk.post("/officers/status", data=form).status_code == 303
        assert phone.get("/api/v1/me").status_code == 401
        assert phone.get("/dashboard").headers["location"] == "/signin?next=/dashboard"
        clock.advance(seconds=30)
        assert sign_in(phone, officer, clock).status_code == 401  # cannot sign back in either
        assert _api(desk, "/api/v1/officers/PC1/reinstate") == 200
        assert phone.get("/api/v1/me").status_code == 401  # the old session stays ended


def test_end_of_duty_takes_effect_on_the_next_request(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    add_officer(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    with (
        TestClient(app, follow_redirects=False) as phone,
        TestClient(app, follow_redirects=False) as desk,
    ):
        sign_in(phone, make_staff(Role.OFFICER, "pc1", warrant="PC1"), clock)
        headers = {"X-CSRF-Token": csrf_token(phone, "/dashboard")}
        here = {"lon": -1.2, "lat": 54.6}
        assert phone.post("/api/v1/me/position", json=here, headers=headers).status_code == 204
        sign_in(desk, make_staff(Role.OPERATOR), clock)
        assert _api(desk, "/api/v1/officers/PC1/end-duty") == 200
        assert phone.post("/api/v1/me/position", json=here, headers=headers).status_code == 409
        assert phone.get("/api/v1/me").json()["duty"] is None
