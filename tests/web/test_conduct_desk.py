"""The recipients' desk over HTTP (SQLite and PostgreSQL): unlock the key, read the list and a
report, reply; the reported officer's line manager and the officer himself, signed in, are
refused (and the refusal is logged), and no page they reach holds a word of the report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import keys
from streetlight.db.enums import ConductContext, Role
from streetlight.db.models import AuditEntry, ConductReport, Officer, OfficerLineManager
from tests.conduct.force import CHEAP
from tests.web.conftest import Clock, MakeStaff, Staff, add_officer, csrf_token, sign_in
from tests.web.reporting import receipt_of

WHAT = "He told me to get into an unmarked car and would not call anyone."
KEY_PASSWORD = "the desk's own key password"


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def people(
    app_sessions: sessionmaker[Session], clock: Clock, make_staff: MakeStaff
) -> dict[str, Staff]:
    for warrant in ("PC101", "PS201", "PS401"):
        add_officer(app_sessions, clock, warrant)
    staff = {
        "officer": make_staff(Role.OFFICER, "pc101", warrant="PC101"),
        "sergeant": make_staff(Role.SUPERVISOR, "sgt", warrant="PS201"),
        "desk": make_staff(Role.SUPERVISOR, "desk", warrant="PS401"),
    }
    with app_sessions.begin() as session:
        ids = {w: i for w, i in session.execute(select(Officer.warrant_number, Officer.id))}
        session.add(OfficerLineManager(officer_id=ids["PC101"], manager_id=ids["PS201"]))
        for name in ("sgt", "desk"):
            user = keys.staff_user_id(session, name)
            keys.enrol(
                session, user, ConductContext.PUBLIC, KEY_PASSWORD, actor="admin", now=clock(),
                kdf=CHEAP,
            )  # fmt: skip
    return staff


@pytest.fixture
def reporter(app: FastAPI) -> Iterator[TestClient]:
    with _client(app) as client:
        yield client


def _report(client: TestClient) -> str:
    form = {
        "csrf_token": csrf_token(client, "/conduct"),
        "origin": "public",
        "what": WHAT,
        "warrant": "PC101",
    }
    code = receipt_of(client.post("/conduct", data=form).text)
    assert code is not None
    return code


def _signed_in(app: FastAPI, staff: Staff, clock: Clock) -> TestClient:
    client = _client(app)
    assert sign_in(client, staff, clock).status_code == 303
    return client


def test_the_desk_unlocks_reads_and_replies(
    app: FastAPI, reporter: TestClient, people: dict[str, Staff], clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    code = _report(reporter)
    with app_sessions() as session:
        report_id = session.scalars(select(ConductReport.id)).one()
    with _signed_in(app, people["desk"], clock) as desk:
        locked = desk.get("/conduct/desk")
        assert locked.status_code == 200 and 'id="unlock-form"' in locked.text
        token = csrf_token(desk, "/conduct/desk")
        wrong = desk.post("/conduct/desk/unlock", data={"csrf_token": token, "password": "nope"})
        assert wrong.status_code == 400 and "does not open your key" in wrong.text
        right = desk.post(
            "/conduct/desk/unlock", data={"csrf_token": token, "password": KEY_PASSWORD}
        )
        assert right.status_code == 303
        listed = desk.get("/conduct/desk")
        assert f"Report {report_id}" in listed.text and "PC101" in listed.text
        page = desk.get(f"/conduct/desk/{report_id}")
        assert page.status_code == 200 and WHAT in page.text
        assert "is in the reported officer&#39;s line of command (their line manager)" in page.text
        replied = desk.post(
            f"/conduct/desk/{report_id}/reply",
            data={
                "csrf_token": token,
                "text": "Did you see the car's number plate?",
                "question": "1",
            },
        )
        assert replied.status_code == 303 and replied.headers["location"].endswith("done=question")
        desk.post("/conduct/desk/lock", data={"csrf_token": token})
        assert 'id="unlock-form"' in desk.get("/conduct/desk").text
    token = csrf_token(reporter, "/conduct/receipt")
    opened = reporter.post("/conduct/receipt", data={"csrf_token": token, "receipt": code})
    assert "Did you see the car&#39;s number plate?" in opened.text


def test_the_officers_line_and_the_officer_never_see_it(
    app: FastAPI, reporter: TestClient, people: dict[str, Staff], clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    _report(reporter)
    with app_sessions() as session:
        report_id = session.scalars(select(ConductReport.id)).one()
    with _signed_in(app, people["sergeant"], clock) as sergeant:
        token = csrf_token(sergeant, "/conduct/desk")
        sergeant.post("/conduct/desk/unlock", data={"csrf_token": token, "password": KEY_PASSWORD})
        assert "No report has been sent to you." in sergeant.get("/conduct/desk").text
        refused = sergeant.get(f"/conduct/desk/{report_id}")
        assert refused.status_code == 403 and WHAT not in refused.text
        for action in ("reply", "note", "file", "link"):
            tried = sergeant.post(
                f"/conduct/desk/{report_id}/{action}",
                data={"csrf_token": token, "text": "x", "item": "1", "other": "1"},
            )
            assert tried.status_code == 403 and WHAT not in tried.text
    with _signed_in(app, people["officer"], clock) as officer:
        for path in ("/conduct/desk", f"/conduct/desk/{report_id}", "/dashboard", "/officer/me"):
            answer = officer.get(path)
            assert (
                WHAT not in answer.text and "PC101" not in answer.text
            ) or answer.status_code != 200
        assert officer.get(f"/conduct/desk/{report_id}").status_code == 403
    with app_sessions() as session:
        refusals = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "conduct.refused")
        ).all()
    assert refusals.count("sgt") == 5 and "pc101" in refusals
