"""Alerts that matter cannot be buried: a flood of junk checks (unknown numbers, checks refused by
a limit) is folded into one console line per window and grows the database by at most one row,
while a failed check of a real warrant number, with the place the person shared, stays on the
console and in its JSON state."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import (
    AuditEntry,
    CheckTally,
    ConsoleEvent,
    Dress,
    RateLimitHit,
    Role,
    Verification,
)
from streetlight.verify import chat as chats
from streetlight.verify import console, service
from tests.web.conftest import Clock, MakeStaff
from tests.web.journeys import CENTRE, check, officer_app, put_on_duty, staff_client

FLOOD = 170
PLACE = "Bus stop outside the Cleveland Centre"


def _row_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Verification, AuditEntry, ConsoleEvent, RateLimitHit, CheckTally)
        }


def test_a_real_alert_survives_a_flood_of_junk_checks(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "DC7", dress=Dress.PLAIN_CLOTHES, at=CENTRE)
    officer_app(app, make_staff, clock, "DC7").log("stop", at=CENTRE)
    with TestClient(app, client=("198.51.100.7", 40000)) as person:
        where = {"location": {"lon": CENTRE[0], "lat": CENTRE[1]}, "place": PLACE}
        assert check(person, "DC7", "1234 5678", **where).json()["verified"] is False
    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    with TestClient(app, client=("203.0.113.66", 50000)) as flooder:
        for n in range(FLOOD):
            clock.advance(seconds=0.003)
            check(flooder, f"XX{n:05d}", "00000000", place="junk")
    # More junk than the console lists, from many addresses, none of them refused.
    for n in range(console.LIMIT + 10):
        with TestClient(app, client=(f"192.0.2.{n % 250}", 1000 + n)) as someone:
            check(someone, f"YY{n:05d}", "00000000")

    page = operator.get("/console").text
    assert "DC7" in page and PLACE in page and "YY00" not in page
    state = operator.get("/api/v1/console/state").json()
    alerts = [(a["warrant_number"], a["shared_place"]) for a in state["alerts"]]
    allowed = app.state.streetlight.limits.per_client.max_hits
    # A real warrant number first; then the unknown numbers whose checks said where they are
    # (the flooder's, until its limit refused it); no other junk.
    assert alerts == [("DC7", PLACE)] + [(f"XX{n:05d}", "junk") for n in reversed(range(allowed))]
    (tally,) = state["junk"]
    assert tally["refused"] == FLOOD - allowed
    assert tally["unknown"] == allowed + console.LIMIT + 10


def test_refused_checks_add_no_rows(app: FastAPI, client: TestClient) -> None:
    """Past the client's limit, N more checks change one counter and add no row."""
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    allowed = app.state.streetlight.limits.per_client.max_hits
    for n in range(allowed):
        check(client, f"XX{n:05d}", "00000000")
    before = _row_counts(sessions)
    refused = 200
    for n in range(refused):
        assert check(client, f"ZZ{n:05d}", "00000000").json()["verified"] is False
    assert _row_counts(sessions) == before
    with sessions() as session:
        assert session.scalars(select(CheckTally.refused)).one() == refused


def test_one_token_cannot_grow_the_database_by_sharing_or_chatting(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    """A check's token may share where one is and chat, and what it may write is bounded too:
    five shares an hour, thirty chat messages in ten minutes. Past them nothing is written."""
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    code = officer_app(app, make_staff, clock, "PC1").log("stop", at=CENTRE).json()["code"]["code"]
    token = check(client, "PC1", code).json()["token"]
    share = {"token": token, "place": "Bus stop"}
    for _ in range(service.SHARES_PER_TOKEN.max_hits):
        assert client.post("/api/v1/verify/location", json=share).json() == {"shared": True}
    before = _row_counts(app_sessions)
    for _ in range(20):
        assert client.post("/api/v1/verify/location", json=share).json() == {"shared": False}
    assert _row_counts(app_sessions) == before

    header = {"X-Verification-Token": token}
    sent = [
        client.post("/api/v1/chat/messages", json={"body": f"message {n}"}, headers=header)
        for n in range(chats.PUBLIC_MESSAGES.max_hits + 5)
    ]
    assert [r.status_code for r in sent] == [201] * chats.PUBLIC_MESSAGES.max_hits + [429] * 5
