"""The three journeys through the JSON API and the no-JavaScript pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.models import (
    AuditEntry,
    BackupRequest,
    BackupStatus,
    Dress,
    Engagement,
    Role,
    Verification,
    VerificationCode,
)
from tests.web.conftest import Clock, MakeStaff, csrf_token
from tests.web.journeys import CENTRE, FAR, NEAR, check, officer_app, put_on_duty, staff_client

NOT_CONFIRMED = "We cannot confirm this is a police officer on duty."


def test_plain_clothes_officer_alone_gets_backup_and_the_public_verifies(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(
        app_sessions,
        clock,
        "DC2207",
        dress=Dress.PLAIN_CLOTHES,
        team="CID-2",
        at=CENTRE,
        name="Sam Patel",
    )
    put_on_duty(app_sessions, clock, "PC1001", dress=Dress.UNIFORM, team="RESP-1", at=FAR)
    phone = officer_app(app, make_staff, clock, "DC2207")
    logged = phone.log("stop", at=CENTRE)
    assert logged.status_code == 201, logged.text
    body = logged.json()
    code = body["code"]["code"]
    assert re.fullmatch(r"\d{4} \d{4}", code)
    backup = body["engagement"]["backup"]
    assert backup["status"] == "assigned" and 2000 < backup["distance_m"] < 2600
    assert backup["eta_minutes"] == 6  # ~2.3 km at 25 km/h

    answer = check(client, "dc2207", code.replace(" ", ""))
    assert answer.status_code == 200
    result = answer.json()
    assert result["verified"] is True
    assert result["officer"] == {
        "name": "Sam Patel", "rank": "Police Constable", "unit": "Night-time economy",
        "warrant_number": "DC2207", "photo_url": None,
    }  # fmt: skip
    assert result["engagement"]["reason"] == "stop"
    assert result["backup"] == {"status": "assigned", "eta_minutes": 6}
    assert result["on_duty"] is True and result["chat_url"].startswith("/verify/chat/")
    # Single use: the same code again is refused.
    again = check(client, "DC2207", code).json()
    assert again["verified"] is False and again["message"] == NOT_CONFIRMED
    with app_sessions() as session:
        outcomes = session.scalars(select(Verification.outcome).order_by(Verification.id)).all()
        assert [o.value for o in outcomes] == ["verified", "used_code"]
        assert verify_chain(session).ok
        actions = session.scalars(select(AuditEntry.action)).all()
        for action in ("engagement.create", "backup.request", "verify.success", "verify.failure"):
            assert action in actions


def test_a_team_colleague_nearby_means_no_backup(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=CENTRE)
    put_on_duty(app_sessions, clock, "DC2", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=NEAR)
    phone = officer_app(app, make_staff, clock, "DC1")
    body = phone.log("search", at=CENTRE).json()
    assert body["engagement"]["backup"] is None
    result = check(client, "DC1", body["code"]["code"]).json()
    assert result["verified"] and result["backup"] is None
    assert result["colleagues"]["nearby"] == 1 and 150 < result["colleagues"]["nearest_m"] < 300


def test_stale_colleague_positions_do_not_count_and_nobody_free_is_unassigned(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    put_on_duty(app_sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=CENTRE)
    put_on_duty(app_sessions, clock, "DC2", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=NEAR)
    clock.advance(minutes=16)  # DC2's position is now older than the 15 minutes allowed
    phone = officer_app(app, make_staff, clock, "DC1")
    backup = phone.log("stop", at=CENTRE).json()["engagement"]["backup"]
    assert backup == {"status": "unassigned", "eta_minutes": None, "distance_m": None}


def test_idempotency_key_gives_the_same_engagement(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    phone = officer_app(app, make_staff, clock, "PC1")
    first = phone.log("welfare", key="same-key-123", at=CENTRE)
    second = phone.log("welfare", key="same-key-123", at=CENTRE)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["engagement"]["id"] == second.json()["engagement"]["id"]
    assert second.json()["replayed"] is True
    assert first.json()["code"]["code"] != second.json()["code"]["code"]
    different = phone.log("arrest", key="same-key-123", at=CENTRE)
    assert different.status_code == 422
    with app_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Engagement)) == 1
        assert session.scalar(select(func.count()).select_from(VerificationCode)) == 2


def test_a_note_the_database_cannot_store_is_refused_not_a_server_error(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    """PostgreSQL refuses a NUL character in text (found by the schemathesis run): 422, nothing
    half-written. SQLite stores it."""
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    phone = officer_app(app, make_staff, clock, "PC1")
    answer = phone.log("stop", note="before\x00after", at=CENTRE)
    stored = 0 if answer.status_code == 422 else 1
    assert answer.status_code in (201, 422), answer.text
    with app_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Engagement)) == stored
        assert verify_chain(session).ok
    assert phone.log("stop", note="after all", at=CENTRE).status_code == 201


def test_an_explicit_new_code_revokes_the_old_one(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    phone = officer_app(app, make_staff, clock, "PC1")
    body = phone.log("stop").json()
    fresh = phone.new_code(body["engagement"]["id"])
    assert fresh.status_code == 201
    assert check(client, "PC1", body["code"]["code"]).json()["verified"] is False
    assert check(client, "PC1", fresh.json()["code"]).json()["verified"] is True
    assert phone.new_code(999_999).status_code == 404


def test_a_new_code_takes_the_chain_lock_before_revoking_codes(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    """A batch of checks holds the chain's lock when it marks a code used; revoking codes
    first and locking the chain after would be the opposite order, a possible deadlock."""
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    phone = officer_app(app, make_staff, clock, "PC1")
    engagement = phone.log("stop").json()["engagement"]["id"]
    seen: list[str] = []

    def log(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    engine = app.state.streetlight.engine
    event.listen(engine, "before_cursor_execute", log)
    try:
        assert phone.new_code(engagement).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", log)
    revoke = next(i for i, s in enumerate(seen) if s.startswith("UPDATE verification_codes"))
    if engine.dialect.name == "postgresql":
        assert any("pg_advisory_xact_lock" in s for s in seen[:revoke]), seen
    else:  # SQLite's one write lock, taken when the transaction began
        assert any(s.startswith("BEGIN IMMEDIATE") for s in seen[:revoke]), seen


def test_codes_expire_after_five_minutes(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    phone = officer_app(app, make_staff, clock, "PC1")
    code = phone.log("stop").json()["code"]["code"]
    clock.advance(minutes=5)
    assert check(client, "PC1", code).json()["verified"] is False
    with app_sessions() as session:
        assert session.scalars(select(Verification.outcome)).one().value == "expired_code"


def test_only_officers_on_duty_log_engagements(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    phone = officer_app(app, make_staff, clock, "PC1")
    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    token = csrf_token(operator, "/dashboard")
    denied = operator.post(
        "/api/v1/engagements", json={"reason": "stop"},
        headers={"X-CSRF-Token": token, "Idempotency-Key": "k" * 10},
    )  # fmt: skip
    assert denied.status_code == 403
    operator.post("/api/v1/officers/PC1/end-duty", headers={"X-CSRF-Token": token})
    assert phone.log("stop").status_code == 409
    assert (
        phone.client.post(
            "/api/v1/engagements", json={"reason": "stop"}, headers={"X-CSRF-Token": phone.token}
        ).status_code
        == 422
    )  # no Idempotency-Key


def test_the_no_javascript_pages(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE, name="Jo Bloggs")
    phone = officer_app(app, make_staff, clock, "PC1")
    page = phone.client.get("/officer")
    assert page.status_code == 200 and "Log an engagement" in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    form = {
        "csrf_token": phone.token,
        "idempotency_key": key.group(1),
        "reason": "welfare",
        "note": "",
        "lat": "54.5742",
        "lon": "-1.2346",
    }
    shown = phone.client.post("/officer/engagements", data=form)
    assert shown.status_code == 200
    code = re.search(r'id="code">(\d{4} \d{4})<', shown.text)
    assert code, shown.text
    resent = phone.client.post("/officer/engagements", data=form)  # a reload: same engagement
    assert resent.status_code == 200
    with app_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Engagement)) == 1

    form_page = client.get("/verify?lang=fr")
    assert "Ne suivez jamais un lien" in form_page.text.replace("&#39;", "'")
    assert "<script" not in form_page.text  # nothing on the check page needs JavaScript
    token = csrf_token(client, "/verify")
    result = client.post(
        "/verify", data={"csrf_token": token, "warrant_number": "PC1", "code": code.group(1)}
    )
    assert (
        result.status_code == 200
        and "Confirmed: this is a police officer on duty now." in result.text
    )
    assert "Jo Bloggs" in result.text and "a welfare check" in result.text
    chat_link = re.search(r'href="(/verify/chat/[^"]+)"', result.text)
    assert chat_link
    failed = client.post(
        "/verify", data={"csrf_token": token, "warrant_number": "PC1", "code": "00000000"}
    )
    assert failed.status_code == 200 and NOT_CONFIRMED in failed.text
    assert "press 55" in failed.text and "Wave down a bus." in failed.text
    share = re.search(r'name="token" value="([^"]+)"', failed.text)
    assert share
    sent = client.post(
        "/verify/location",
        data={"csrf_token": token, "token": share.group(1), "place": "Bus stop on Albert Road"},
    )
    assert "the control room knows where you are" in sent.text
    with app_sessions() as session:
        alert = session.scalars(select(Verification).where(Verification.shared_place != "")).one()
        assert (
            alert.shared_place == "Bus stop on Albert Road" and alert.outcome.value == "wrong_code"
        )


def test_backup_request_reaches_the_console_and_is_marked_arrived(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    put_on_duty(app_sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=CENTRE)
    put_on_duty(app_sessions, clock, "PC9", dress=Dress.UNIFORM, team="RESP-1", at=FAR)
    phone = officer_app(app, make_staff, clock, "DC1")
    phone.log("stop", at=CENTRE)
    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    page = operator.get("/console")
    assert page.status_code == 200 and "Backup: " in page.text and "Officer PC9" in page.text
    with app_sessions() as session:
        backup = session.scalars(select(BackupRequest)).one()
    token = csrf_token(operator, "/console")
    done = operator.post(f"/console/backups/{backup.id}/arrived", data={"csrf_token": token})
    assert done.status_code == 303
    with app_sessions() as session:
        assert session.get_one(BackupRequest, backup.id).status is BackupStatus.ARRIVED
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "console.view" in actions and "backup.arrived" in actions
