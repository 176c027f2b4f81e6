"""Staff sign-in: argon2id password and TOTP code, both required; every failure looks the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.models import AuditEntry, Role, StaffSession, StaffUser
from tests.web.conftest import Clock, MakeStaff, Staff, add_officer, csrf_token, sign_in

FAILED = "Sign-in failed: check your username, password and code."


def test_password_and_code_sign_in(
    client: TestClient, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    staff = make_staff(Role.OPERATOR, "op1")
    response = sign_in(client, staff, clock)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sl_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Signed in as Op1 (operator)" in page.text
    with app_sessions() as session:
        stored = session.scalars(select(StaffSession.token_hash)).one()
        token = cookie.split(";")[0].split("=", 1)[1]
        assert token not in stored  # only the token's hash is kept
        assert "signin.success" in session.scalars(select(AuditEntry.action)).all()


def test_the_previous_code_is_accepted_for_clock_drift(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    previous = staff.code(clock() - timedelta(seconds=30))
    assert sign_in(client, staff, clock, code=previous).status_code == 303


def _wrong_password(staff: Staff, clock: Clock, _s: sessionmaker[Session]) -> dict[str, str]:
    return {"password": staff.password + "x"}


def _wrong_code(staff: Staff, clock: Clock, _s: sessionmaker[Session]) -> dict[str, str]:
    code = staff.code(clock())
    return {"code": f"{(int(code) + 1) % 1_000_000:06d}"}


def _old_code(staff: Staff, clock: Clock, _s: sessionmaker[Session]) -> dict[str, str]:
    return {"code": staff.code(clock() - timedelta(seconds=90))}


def _no_code(staff: Staff, clock: Clock, _s: sessionmaker[Session]) -> dict[str, str]:
    return {"code": ""}


def _unknown_user(staff: Staff, clock: Clock, _s: sessionmaker[Session]) -> dict[str, str]:
    return {"username": "nobody"}


def _inactive(staff: Staff, clock: Clock, sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    return {}


def _suspended_officer(
    staff: Staff, clock: Clock, sessions: sessionmaker[Session]
) -> dict[str, str]:
    with sessions.begin() as session:
        ops.suspend(session, "PC1", actor="test", now=clock())
    return {}


Failure = Callable[[Staff, Clock, sessionmaker[Session]], dict[str, str]]


@pytest.mark.parametrize(
    "failure",
    [
        _wrong_password,
        _wrong_code,
        _old_code,
        _no_code,
        _unknown_user,
        _inactive,
        _suspended_officer,
    ],
)
def test_every_failure_gives_the_same_answer(
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
    failure: Failure,
) -> None:
    add_officer(app_sessions, clock, "PC1")
    staff = make_staff(Role.OFFICER, "pc1", warrant="PC1")
    response = sign_in(client, staff, clock, **failure(staff, clock, app_sessions))
    assert response.status_code == 401
    assert FAILED in response.text
    assert "sl_session" not in response.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401
    with app_sessions() as session:
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "signin.failure"


def test_a_code_is_never_accepted_twice(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    code = staff.code(clock())
    assert sign_in(client, staff, clock, code=code).status_code == 303
    client.cookies.clear()
    assert sign_in(client, staff, clock, code=code).status_code == 401
    clock.advance(seconds=30)  # the next step's code works
    assert sign_in(client, staff, clock).status_code == 303


def test_failures_are_limited_per_account(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.SUPERVISOR)
    for _ in range(5):
        assert sign_in(client, staff, clock, password="wrong password!!").status_code == 401
    blocked = sign_in(client, staff, clock)  # even the right credentials now wait
    assert blocked.status_code == 429 and "Wait 15 minutes" in blocked.text
    clock.advance(minutes=16)
    assert sign_in(client, staff, clock).status_code == 303


def test_failures_are_limited_per_client(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.SUPERVISOR)
    for n in range(20):  # many usernames from one address
        assert sign_in(client, staff, clock, username=f"guess{n}").status_code == 401
    assert sign_in(client, staff, clock).status_code == 429


def test_sign_out_ends_the_session_for_good(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    sign_in(client, staff, clock)
    stolen = dict(client.cookies)
    token = csrf_token(client, "/dashboard")
    out = client.post("/signout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/signin?m=signed_out"
    assert client.get("/dashboard").status_code == 303
    client.cookies.update(stolen)  # replaying the old cookie does not bring the session back
    assert client.get("/api/v1/me").status_code == 401


def test_sessions_expire_when_idle(client: TestClient, make_staff: MakeStaff, clock: Clock) -> None:
    sign_in(client, make_staff(Role.OPERATOR), clock)
    clock.advance(minutes=29)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=29)  # active within the idle limit: still signed in
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/api/v1/me").status_code == 401


def test_https_cookies_are_secure_and_host_only(
    app: object, make_staff: MakeStaff, clock: Clock
) -> None:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:  # type: ignore[arg-type]
        response = sign_in(client, make_staff(Role.ADMIN), clock)
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("__Host-sl_session="))
        assert "Secure" in session and "HttpOnly" in session and "Path=/" in session
        assert any(c.startswith("__Host-sl_csrf=") and "Secure" in c for c in cookies)
        assert client.get("/dashboard").status_code == 200


def test_next_only_goes_to_this_site(
    client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    assert (
        sign_in(client, staff, clock, next="//evil.example/x").headers["location"] == "/dashboard"
    )
    client.cookies.clear()
    clock.advance(seconds=30)
    assert sign_in(client, staff, clock, next="/api/v1/me").headers["location"] == "/api/v1/me"
