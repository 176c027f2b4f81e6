"""A second engagement by the same officer at the same spot, while the first's backup is on its
way, reuses that backup: no second unit is sent; elsewhere, or later, backup is planned afresh."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import BackupRequest, BackupStatus, Dress, Role
from streetlight.verify.engagements import BACKUP_REUSE_WINDOW
from tests.web.conftest import Clock, MakeStaff, csrf_token
from tests.web.journeys import CENTRE, FAR, NEAR, OfficerApp, officer_app, put_on_duty, staff_client

# About 20 m from CENTRE: the same spot, as a phone reports it.
SAME_SPOT = (-1.2344, 54.5743)
# About 1.1 km north-west of CENTRE.
ELSEWHERE = (-1.2480, 54.5820)


def _lone_officer(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> OfficerApp:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=CENTRE)
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM, team="RESP-1", at=NEAR)
    put_on_duty(sessions, clock, "PC2", dress=Dress.UNIFORM, team="RESP-1", at=FAR)
    return officer_app(app, make_staff, clock, "DC1")


def _requests(app: FastAPI) -> list[tuple[int | None, int | None, BackupStatus]]:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    with sessions() as session:
        rows = session.scalars(select(BackupRequest).order_by(BackupRequest.id)).all()
        return [(r.responder_duty_id, r.reuses_id, r.status) for r in rows]


def test_a_second_engagement_at_the_same_spot_reuses_the_backup_on_its_way(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    phone = _lone_officer(app, make_staff, clock)
    first = phone.log("stop", at=CENTRE).json()["engagement"]["backup"]
    clock.advance(seconds=70)
    second = phone.log("search", at=SAME_SPOT).json()["engagement"]["backup"]
    assert first["status"] == second["status"] == "assigned"
    assert second["distance_m"] == first["distance_m"] < 300  # PC1, not PC2 from 2.3 km
    assert second["eta_minutes"] == first["eta_minutes"] - 1
    (unit, none, _), (same_unit, reuses, _) = _requests(app)
    assert none is None and same_unit == unit and reuses is not None
    # The unit arrives once: both requests are answered.
    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    token = csrf_token(operator, "/console")
    assert "same unit as request" in operator.get("/console").text
    operator.post(f"/console/backups/{reuses}/arrived", data={"csrf_token": token})
    assert [status for *_, status in _requests(app)] == [BackupStatus.ARRIVED] * 2


def test_elsewhere_or_later_backup_is_planned_afresh(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    phone = _lone_officer(app, make_staff, clock)
    phone.log("stop", at=CENTRE)
    clock.advance(seconds=10)
    phone.log("stop", at=ELSEWHERE)  # moved away: PC1 is busy, PC2 is sent
    clock.advance(seconds=BACKUP_REUSE_WINDOW.total_seconds() + 1)
    phone.log("stop", at=CENTRE)  # too long after: nobody free is left, so unassigned
    requests = _requests(app)
    assert [reuses for _, reuses, _ in requests] == [None, None, None]
    assert len({duty for duty, _, _ in requests[:2]}) == 2
    assert requests[2][2] is BackupStatus.UNASSIGNED
