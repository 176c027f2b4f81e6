"""Every state-changing request needs a CSRF token bound to this visitor (and session)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from streetlight.db.models import Dress, Role
from tests.web.conftest import Clock, MakeStaff, add_officer, csrf_token, sign_in


def test_sign_in_without_or_with_a_wrong_token_is_refused(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    missing = sign_in(client, staff, clock, csrf_token="")
    assert missing.status_code == 403 and "This form has expired" in missing.text
    assert sign_in(client, staff, clock, csrf_token="0" * 64).status_code == 403
    assert client.get("/api/v1/me").status_code == 401  # and nobody got signed in


def test_a_token_from_another_visitor_is_refused(
    app: object, make_staff: MakeStaff, clock: Clock
) -> None:
    """The token is tied to the visitor's own cookie: copying another page's token fails."""
    with (
        TestClient(app, follow_redirects=False) as attacker,  # type: ignore[arg-type]
        TestClient(app, follow_redirects=False) as victim,  # type: ignore[arg-type]
    ):
        token = csrf_token(attacker)
        victim.get("/signin")
        assert (
            sign_in(victim, make_staff(Role.OPERATOR), clock, csrf_token=token).status_code == 403
        )


def test_a_pre_sign_in_token_is_useless_after_sign_in(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    before = csrf_token(client)
    sign_in(client, make_staff(Role.SUPERVISOR), clock)
    assert client.post("/signout", data={"csrf_token": before}).status_code == 403
    assert client.post("/signout", data={}).status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    assert (
        client.post("/signout", data={"csrf_token": csrf_token(client, "/dashboard")}).status_code
        == 303
    )


def test_api_calls_need_the_token_header(
    client: TestClient, make_staff: MakeStaff, clock: Clock, app_sessions: object
) -> None:
    add_officer(app_sessions, clock, "PC1", dress=Dress.UNIFORM)  # type: ignore[arg-type]
    sign_in(client, make_staff(Role.OFFICER, "pc1", warrant="PC1"), clock)
    position = {"lon": -1.23, "lat": 54.57}
    assert client.post("/api/v1/me/position", json=position).status_code == 403
    wrong = {"X-CSRF-Token": "f" * 64}
    assert client.post("/api/v1/me/position", json=position, headers=wrong).status_code == 403
    right = {"X-CSRF-Token": csrf_token(client, "/dashboard")}
    assert client.post("/api/v1/me/position", json=position, headers=right).status_code == 204


def test_the_cookie_comes_with_the_first_page_that_needs_it(client: TestClient) -> None:
    """A JSON check or a static file carries no token, so it sets no cookie; a page does, once."""
    body = {"warrant_number": "PC404", "code": "12345678"}
    assert "set-cookie" not in client.post("/api/v1/verify", json=body).headers
    assert "set-cookie" not in client.get("/static/favicon.svg").headers
    first = client.get("/verify")
    assert first.headers["set-cookie"].startswith("sl_csrf=")
    assert "set-cookie" not in client.get("/verify").headers  # the browser sent it back
