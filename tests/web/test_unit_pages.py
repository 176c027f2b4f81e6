"""The offender unit's pages, on SQLite and PostgreSQL: the caseload (overdue first), a person's
record and the reason asked for anyone off one's caseload, tasks moved on, the bail and orders
board, the dashboard, reviews (retain, erase) and the subject-access export, and the auditor's
log; each use recorded in the hash-chained audit log, who may see what (403, recorded), forged
CSRF refused, the same answer for "no such person" and "not yours", and no name, force reference
or token in the server's log or on an error page."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import TaskStatus
from streetlight.db.models import AuditEntry, Role, StaffUser, UnitPerson, UnitReview, UnitTask
from streetlight.unit import casework, listing
from streetlight.unit.linkage_casework import CONSULT_REASON
from tests.unit.casework_data import NAMES, NOW, REFS, Casework, seed
from tests.web.conftest import Clock, MakeStaff, Staff, csrf_token, sign_in

ROLES = {
    "officer": Role.UNIT_OFFICER,
    "colleague": Role.UNIT_OFFICER,
    "supervisor": Role.UNIT_SUPERVISOR,
    "analyst": Role.ANALYST,
    "auditor": Role.AUDITOR,
    "operator": Role.OPERATOR,  # the control room: no casework
}


@dataclass
class Unit:
    """The seeded casework on the app's database and a way to sign each role in."""

    app: FastAPI
    work: Casework
    staff: dict[str, Staff]
    clock: Clock

    def client(self, name: str) -> TestClient:
        client = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        assert sign_in(client, self.staff[name], self.clock).status_code == 303
        return client

    @property
    def sessions(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.app.state.streetlight.sessions
        return factory

    def audit(self, *, after: int = 0) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(actor, action, subject, details) of the entries after id `after`, oldest first."""
        with self.sessions() as session:
            return [
                (e.actor, e.action, e.subject, json.loads(e.details))
                for e in session.scalars(
                    select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
                )
            ]

    def last_id(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())) or 0


def seeded_unit(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> Unit:
    """The roles' accounts and the seeded casework, on `app`."""
    staff = {name: make_staff(role, name) for name, role in ROLES.items()}
    factory: sessionmaker[Session] = app.state.streetlight.sessions
    with factory.begin() as session:
        ids = {u.username: u.id for u in session.scalars(select(StaffUser))}
        work = seed(
            session,
            officer_id=ids["officer"],
            colleague_id=ids["colleague"],
            today=clock().astimezone(app.state.streetlight.settings.zone).date(),
            now=clock(),
        )
    return Unit(app, work, staff, clock)


@pytest.fixture
def unit(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> Unit:
    return seeded_unit(app, make_staff, clock)


def _person(unit: Unit, ref: str) -> str:
    return f"/unit/people/{unit.work.token(ref)}"


def _linkage(shown: int, model: str | None) -> dict[str, Any]:
    """The details of a person page's crime linkage consultation."""
    return {"reason": CONSULT_REASON, "shown": shown, "compared": shown, "model": model}


def _form(client: TestClient, _page: str = "", **fields: str) -> dict[str, str]:
    """A form as the page would post it (its CSRF token taken from the staff dashboard, which
    leaves no audit entry of its own)."""
    return {"csrf_token": csrf_token(client, "/dashboard"), **fields}


# --- The pages ----------------------------------------------------------------------------------


def test_the_caseload_lists_my_people_and_tasks_overdue_first(unit: Unit) -> None:
    officer = unit.client("officer")
    before = unit.last_id()
    page = officer.get("/unit")
    assert page.status_code == 200
    text = page.text
    assert "My caseload" in text and "Dariusz CORVANTIS" in text
    assert "TRESIDDER" not in text  # the colleague's person
    tasks = unit.work.tasks
    order = [int(n) for n in re.findall(r'<tr id="task-(\d+)"', text)]
    # Overdue first (longest overdue first), then by due date; the task assigned to him on
    # someone he does not hold is listed too; done tasks are not.
    assert order == [
        tasks["overdue_arrest"],
        tasks["bail_review"],
        tasks["assigned_elsewhere"],
        tasks["safeguard"],
    ]
    assert "2 of 4 overdue, shown first." in text
    assert unit.audit(after=before) == [
        ("officer", "unit.view", "unit_page:caseload", {"people": 2})
    ]
    supervisor = unit.client("supervisor").get("/unit")
    assert "The unit&#39;s caseload" in supervisor.text and "TRESIDDER" in supervisor.text


def test_a_person_page_shows_the_timeline_victims_orders_tasks_and_map(unit: Unit) -> None:
    officer = unit.client("officer")
    before = unit.last_id()
    page = officer.get(_person(unit, "N100234"))
    assert page.status_code == 200
    text = page.text
    assert 'id="person-name">Dariusz CORVANTIS<' in text
    for section in ("tasks", "victims", "timeline", "map", "review"):
        assert f'id="{section}"' in text, section
    assert "safeguarding" in text and 'class="offence-map"' in text and "<circle" in text
    assert "Pre-charge bail" in text and "Order" in text
    assert 'id="export-form"' not in text and 'id="review-form"' not in text  # supervisors'
    token = unit.work.token("N100234")
    # The section "Offences that may be theirs" is a consultation of its own (crime linkage).
    assert unit.audit(after=before) == [
        ("officer", "unit.consult", f"unit_person:{token}", {"reason": "own caseload"}),
        ("officer", "unit.consult", f"unit_person:{token}", _linkage(1, "logistic")),
    ]


def test_the_board_shows_breaches_lapses_and_what_expires_with_the_action(unit: Unit) -> None:
    page = unit.client("supervisor").get("/unit/board")
    assert page.status_code == 200
    text = page.text
    for state in ("breached", "lapsed", "expiring"):
        assert f'id="board-{state}"' in text, state
    assert text.index('id="board-breached"') < text.index('id="board-lapsed"')
    assert text.index('id="board-lapsed"') < text.index('id="board-expiring"')
    assert "ask an assistant chief constable or commander to extend it" in text
    assert "a DVPO application must be heard before then" in text
    assert "breaching this order is a criminal offence" in text
    assert "The victim&#39;s views on bail conditions have not been recorded" in text
    # An officer's board holds only the people he holds (not the colleague's DVPN).
    mine = unit.client("officer").get("/unit/board").text
    assert "DVPO application" not in mine and 'id="board-breached"' in mine


def test_the_caseload_pages_on_through_the_people(
    unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(casework, "CASELOAD_SHOWN", 2)
    client = unit.client("supervisor")
    first = client.get("/unit").text
    assert 'id="people-range"' in first and 'id="people-more"' in first
    assert first.count('class="person-link"') == 2
    rest = client.get("/unit?from=2").text
    assert rest.count('class="person-link"') == 1 and 'id="people-more"' not in rest


def test_the_board_pages_on_through_one_state(unit: Unit) -> None:
    client = unit.client("supervisor")
    text = client.get("/unit/board?state=expiring&from=1").text
    assert 'id="board-expiring"' in text and 'id="board-lapsed"' not in text
    assert "BL/T/1" in text and "OR/T/2" not in text
    assert 'id="board-expiring-range"' in text and "The whole board" in text
    # An unknown state, or a junk start, is the whole board from the top.
    whole = client.get("/unit/board?state=nonsense&from=-3").text
    assert 'id="board-breached"' in whole and "The whole board" not in whole


def test_the_dashboard_counts_and_names_no_one(unit: Unit) -> None:
    for name in ("analyst", "supervisor", "officer"):
        page = unit.client(name).get("/unit/dashboard")
        assert page.status_code == 200, name
        assert "Median time from report to arrest" in page.text
        for value in (*NAMES, *REFS, *unit.work.tokens.values()):
            assert value.upper() not in page.text.upper(), value


def test_completing_a_task_is_an_audited_alteration(unit: Unit) -> None:
    officer = unit.client("officer")
    task = unit.work.tasks["overdue_arrest"]
    page = _person(unit, "N100234")
    before = unit.last_id()
    done = officer.post(
        f"/unit/tasks/{task}/status", data=_form(officer, page, status="done", back="person")
    )
    assert done.status_code == 303 and done.headers["location"].startswith(page)
    with unit.sessions() as session:
        row = session.get(UnitTask, task)
        assert row is not None and row.status is TaskStatus.DONE and row.closed_at is not None
    alterations = [a for a in unit.audit(after=before) if a[1] == "unit.alter"]
    assert alterations == [
        (
            "officer",
            "unit.alter",
            f"unit_person:{unit.work.token('N100234')}",
            {
                "reason": f"task {task}: open -> done",
                "changed": ["unit_tasks.closed_at", "unit_tasks.status"],
            },
        )
    ]
    assert f'id="task-{task}"' not in officer.get(page).text  # closed: off the list


def test_a_task_assigned_to_me_on_someone_i_do_not_hold_returns_to_the_caseload(
    unit: Unit,
) -> None:
    """Going back to that person's page would ask for a reason again: the caseload instead."""
    officer = unit.client("officer")
    page = _person(unit, "N200117")
    opened = officer.post(f"{page}/consult", data=_form(officer, reason="task assigned to me"))
    task = unit.work.tasks["assigned_elsewhere"]
    assert opened.status_code == 200 and f'id="save-{task}"' in opened.text
    done = officer.post(
        f"/unit/tasks/{task}/status", data=_form(officer, status="done", back="person")
    )
    assert done.status_code == 303 and done.headers["location"] == "/unit?done=task&lang=en#tasks"


def test_a_task_on_someone_else_is_refused_like_one_that_does_not_exist(unit: Unit) -> None:
    officer = unit.client("officer")
    theirs = unit.work.tasks["colleague_interview"]
    before = unit.last_id()
    answers = [
        officer.post(f"/unit/tasks/{task}/status", data=_form(officer, "/unit", status="done"))
        for task in (theirs, "999999", "junk")
    ]
    assert {(a.status_code, a.headers["location"]) for a in answers} == {
        (303, "/unit?problem=task&lang=en")
    }
    with unit.sessions() as session:
        row = session.get(UnitTask, theirs)
        assert row is not None and row.status is TaskStatus.OPEN
    entries = unit.audit(after=before)
    assert [e[1:] for e in entries if e[1] == "unit.refused"] == [
        ("unit.refused", f"unit_task:{theirs}", {"status": 404, "page": "task"}),
        ("unit.refused", "unit_task:999999", {"status": 404, "page": "task"}),
        ("unit.refused", "unit_task:0", {"status": 404, "page": "task"}),
    ]


def test_someone_off_the_caseload_is_opened_only_with_a_reason_kept_in_the_log(
    unit: Unit,
) -> None:
    officer = unit.client("officer")
    page = _person(unit, "N100655")
    token = unit.work.token("N100655")
    before = unit.last_id()
    asked = officer.get(page)
    assert asked.status_code == 404 and 'id="reason-form"' in asked.text
    assert "TRESIDDER" not in asked.text
    blank = officer.post(f"{page}/consult", data=_form(officer, page, reason="   "))
    assert blank.status_code == 400 and "Give a reason" in blank.text
    opened = officer.post(f"{page}/consult", data=_form(officer, page, reason="MARAC 14/25"))
    assert opened.status_code == 200 and "Marek TRESIDDER" in opened.text
    # The refused opening is recorded; a form without a reason reads nothing, so is not.
    assert unit.audit(after=before) == [
        ("officer", "unit.refused", f"unit_person:{token}", {"status": 404, "page": "person"}),
        ("officer", "unit.consult", f"unit_person:{token}", {"reason": "MARAC 14/25"}),
        # His only offence as suspect has no place: nothing compared.
        ("officer", "unit.consult", f"unit_person:{token}", _linkage(0, "logistic")),
    ]


# --- Who may see what ---------------------------------------------------------------------------

PAGES = ("/unit", "/unit/board", "/unit/dashboard", "/unit/audit", "PERSON")
# Who may open which page (a person: the officer's own one).
ALLOWED = {
    "officer": {"/unit", "/unit/board", "/unit/dashboard", "PERSON"},
    "supervisor": {"/unit", "/unit/board", "/unit/dashboard", "PERSON"},
    "analyst": {"/unit/dashboard"},
    "auditor": {"/unit/audit"},
    "operator": set(),
}


def test_each_role_sees_only_its_pages_and_refusals_are_logged(unit: Unit) -> None:
    person = _person(unit, "N100234")
    for name, allowed in ALLOWED.items():
        client = unit.client(name)
        for page in PAGES:
            path = person if page == "PERSON" else page
            before = unit.last_id()
            answer = client.get(path)
            if page in allowed:
                assert answer.status_code == 200, (name, page)
                continue
            assert answer.status_code == 403, (name, page)
            assert "You are not allowed to do this." in answer.text
            refusals = [e for e in unit.audit(after=before) if e[1] == "unit.refused"]
            assert len(refusals) == 1 and refusals[0][0] == name and refusals[0][3]["status"] == 403
            for value in (*NAMES, *REFS):
                assert value.upper() not in answer.text.upper()
    anonymous = TestClient(unit.app, base_url="http://testserver", follow_redirects=False)
    assert anonymous.get(person).status_code == 303
    assert anonymous.get("/unit").headers["location"].startswith("/signin")


def test_only_supervisors_review_erase_and_export(unit: Unit) -> None:
    officer = unit.client("officer")
    page = _person(unit, "N100234")
    for action, fields in (
        ("review", {"decision": "erase", "reason": "x"}),
        ("export", {"reason": "SAR 1"}),
    ):
        before = unit.last_id()
        answer = officer.post(f"{page}/{action}", data=_form(officer, "/unit", **fields))
        assert answer.status_code == 403
        assert [e[1:3] for e in unit.audit(after=before)] == [
            ("unit.refused", f"unit_page:{action}")
        ]
    with unit.sessions() as session:
        assert session.scalar(select(UnitPerson).where(UnitPerson.person_ref == "N100234"))


def test_the_auditor_reads_who_looked_at_whom_and_why_but_no_content(unit: Unit) -> None:
    officer = unit.client("officer")
    colleague_person = _person(unit, "N100655")
    officer.get(_person(unit, "N100234"))
    officer.post(
        f"{colleague_person}/consult",
        data=_form(officer, colleague_person, reason="MARAC 14/25"),
    )
    auditor = unit.client("auditor")
    log = auditor.get("/unit/audit")
    assert log.status_code == 200
    text = log.text
    token = unit.work.token("N100655")
    assert f"unit_person:{token}" in text and "Reason: MARAC 14/25" in text
    assert "Reason: own caseload" in text and "import" in text
    for value in (*NAMES, *REFS):
        assert value.upper() not in text.upper(), value
    narrowed = auditor.get("/unit/audit", params={"token": token, "action": "unit.consult"})
    rows = re.findall(r'<tr id="entry-\d+"', narrowed.text)
    # The record's opening, and its crime linkage section's.
    assert len(rows) == 2 and "MARAC 14/25" in narrowed.text
    # Reading the log is itself recorded.
    assert unit.audit(after=unit.last_id() - 1)[0][:2] == ("auditor", "audit.view")


# --- Reviews, erasure and the subject-access export ---------------------------------------------


def test_a_review_keeps_the_record_until_its_next_review_on_a_recorded_decision(
    unit: Unit,
) -> None:
    supervisor = unit.client("supervisor")
    page = _person(unit, "N100871")  # past its review date
    assert "due now" in supervisor.get(page).text
    today = unit.clock().date()
    next_review = (today + timedelta(days=180)).isoformat()
    fields = {"decision": "retain", "next_review": next_review, "reason": "charge pending"}
    kept = supervisor.post(f"{page}/review", data=_form(supervisor, page, **fields))
    assert kept.status_code == 303 and "done=retained" in kept.headers["location"]
    with unit.sessions() as session:
        person = session.scalar(select(UnitPerson).where(UnitPerson.person_ref == "N100871"))
        assert person is not None and person.review_due.isoformat() == next_review
        assert session.scalar(select(UnitReview.reason)) == "charge pending"
    token = unit.work.token("N100871")
    assert (
        "supervisor",
        "unit.review",
        f"unit_person:{token}",
        {"reason": "charge pending", "decision": "retain", "next_review": next_review},
    ) in unit.audit()
    # A date in the past, or no reason, changes nothing.
    for bad in ({**fields, "next_review": today.isoformat()}, {**fields, "reason": ""}):
        refused = supervisor.post(f"{page}/review", data=_form(supervisor, page, **bad))
        assert refused.status_code == 303 and "problem=" in refused.headers["location"]


def test_erasure_removes_the_person_and_leaves_only_the_log_entry(unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    page = _person(unit, "N100871")
    token = unit.work.token("N100871")
    fields = {"decision": "erase", "reason": "NFA, retention period over"}
    erased = supervisor.post(f"{page}/review", data=_form(supervisor, page, **fields))
    assert erased.status_code == 303 and erased.headers["location"].startswith("/unit?done=erased")
    with unit.sessions() as session:
        assert session.scalar(select(UnitPerson).where(UnitPerson.token == token)) is None
        assert session.get(UnitTask, unit.work.tasks["bail_review"]) is None
    actions = [e[1] for e in unit.audit() if e[2] == f"unit_person:{token}"]
    assert actions[-3:] == ["unit.consult", "unit.review", "unit.erase"]
    assert supervisor.get(page).status_code == 404
    with unit.sessions() as session:
        assert verify_chain(session).first_bad_id is None


def test_the_subject_access_export_downloads_everything_and_is_a_logged_disclosure(
    unit: Unit,
) -> None:
    supervisor = unit.client("supervisor")
    page = _person(unit, "N100234")
    token = unit.work.token("N100234")
    before = unit.last_id()
    answer = supervisor.post(f"{page}/export", data=_form(supervisor, page, reason="SAR 2025/9"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert "attachment" in answer.headers["content-disposition"]
    data = answer.json()
    assert data["person"]["surname"] == "Corvantis" and data["offences"]
    assert unit.audit(after=before) == [
        ("supervisor", "unit.consult", f"unit_person:{token}", {"reason": "SAR 2025/9"}),
        (
            "supervisor",
            "unit.disclose",
            f"unit_person:{token}",
            {"reason": "SAR 2025/9", "recipient": "data subject"},
        ),
    ]
    missing = supervisor.post(f"{page}/export", data=_form(supervisor, page, reason=""))
    assert missing.status_code == 303 and "problem=reason" in missing.headers["location"]


# --- Forged requests and guessing ---------------------------------------------------------------


def test_forged_csrf_is_refused_and_changes_nothing(unit: Unit) -> None:
    officer = unit.client("officer")
    supervisor = unit.client("supervisor")
    task = unit.work.tasks["overdue_arrest"]
    page = _person(unit, "N100234")
    before = unit.last_id()
    forged = (
        (officer, f"/unit/tasks/{task}/status", {"status": "done"}),
        (officer, f"{_person(unit, 'N100655')}/consult", {"reason": "curious"}),
        (supervisor, f"{page}/review", {"decision": "erase", "reason": "forged"}),
        (supervisor, f"{page}/export", {"reason": "forged"}),
    )
    someone_elses = csrf_token(unit.client("colleague"), "/dashboard")
    for client, path, fields in forged:
        for token in ("", "0" * 64, someone_elses):
            answer = client.post(path, data={"csrf_token": token, **fields})
            assert answer.status_code == 403, (path, token)
            assert "TRESIDDER" not in answer.text and "CORVANTIS" not in answer.text
    assert [e for e in unit.audit(after=before) if e[1].startswith("unit.")] == []
    with unit.sessions() as session:
        row = session.get(UnitTask, task)
        assert row is not None and row.status is TaskStatus.OPEN


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the app runs meanwhile."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_no_such_person_and_not_yours_get_the_same_answer_from_the_same_work(
    unit: Unit,
) -> None:
    """Status, page and audit entries alike, and the same SQL statements: nothing to time or
    compare. Tokens are 128 random bits (32 hex digits), so they are not guessed either."""
    officer = unit.client("officer")
    theirs = unit.work.token("N100655")
    nobody = secrets.token_hex(16)
    engine: Engine = unit.app.state.streetlight.engine
    answers = {}
    for token in (theirs, nobody):
        before = unit.last_id()
        with _statements(engine) as statements:
            answer = officer.get(f"/unit/people/{token}")
        entries = [(a, act, d) for a, act, _, d in unit.audit(after=before)]
        answers[token] = (
            answer.status_code,
            answer.text.replace(token, "TOKEN"),
            entries,
            statements,
        )
    assert answers[theirs] == answers[nobody]
    assert answers[theirs][0] == 404
    # A supervisor, who may open anyone, is simply told there is no such person.
    assert unit.client("supervisor").get(f"/unit/people/{nobody}").status_code == 404
    # Junk gets the same page too, and never lands in the log as typed.
    junk = officer.get("/unit/people/..%2F1%20OR%201=1")
    assert junk.status_code in (404, 400)
    assert all("OR 1=1" not in e[2] for e in unit.audit())
    with unit.sessions() as session:
        tokens = list(session.scalars(select(UnitPerson.token)))
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens) and len(set(tokens)) == len(tokens)


# --- Nothing of it in logs or error pages -------------------------------------------------------


def _secrets_of(unit: Unit) -> tuple[str, ...]:
    return (*NAMES, *REFS, *unit.work.tokens.values())


def test_no_name_reference_or_token_reaches_the_log_or_an_error_page(
    unit: Unit, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    officer = unit.client("officer")
    supervisor = unit.client("supervisor")
    for path in ("/unit", "/unit/board", "/unit/dashboard"):
        officer.get(path)
    for ref in ("N100234", "N100655", "N200117"):
        officer.get(_person(unit, ref))
        supervisor.get(_person(unit, ref))
    page = _person(unit, "N100655")
    officer.post(f"{page}/consult", data=_form(officer, page, reason="MARAC 14/25"))

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("Dariusz Corvantis N100234 " + unit.work.token("N100234"))

    monkeypatch.setattr(casework, "person_file", broken)
    failed = supervisor.get(_person(unit, "N100234"))
    assert failed.status_code == 500
    # The server's records (the test client's own, httpx's, name the URLs it asked for).
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "ValueError in GET /unit/people/{token}" in logged
    for value in _secrets_of(unit):
        assert value.upper() not in failed.text.upper(), value
        assert value.upper() not in logged.upper(), value


def test_the_public_pages_show_nothing_of_the_unit(unit: Unit) -> None:
    public = TestClient(unit.app, base_url="http://testserver", follow_redirects=True)
    home = public.get("/")
    paths = {"/", "/signin", *re.findall(r'href="(/[^"#?]*)', home.text)}
    assert len(paths) > 3
    for path in sorted(paths):
        if path.startswith("/static/"):
            continue
        answer = public.get(path)
        assert "/unit" not in answer.text, path
        for value in _secrets_of(unit):
            assert value.upper() not in answer.text.upper(), (path, value)


# --- The harm ranking's list ------------------------------------------------------------------


@pytest.fixture
def at_example(clock: Clock) -> Clock:
    """The app's clock on the example casework's day (its offences are a year old by now)."""
    clock.now = NOW
    return clock


def _refresh_and_decide(unit: Unit, supervisor: TestClient, **decisions: str) -> None:
    answer = supervisor.post("/unit/list/refresh", data=_form(supervisor, method="v100", top="10"))
    assert answer.status_code == 303 and "done=refreshed" in answer.headers["location"]
    for ref, decision in decisions.items():
        answer = supervisor.post(
            "/unit/list/decide",
            data=_form(
                supervisor,
                token=unit.work.token(ref),
                method="v100",
                decision=decision,
                reason=f"{decision} at the monthly meeting",
            ),
        )
        assert answer.status_code == 303 and "done=decided" in answer.headers["location"]


def test_the_list_shows_rank_score_explanation_and_decision_and_is_logged(
    at_example: Clock, unit: Unit
) -> None:
    supervisor = unit.client("supervisor")
    before = unit.last_id()
    _refresh_and_decide(unit, supervisor, N100871="remove")
    page = supervisor.get("/unit/list?method=v100")
    assert page.status_code == 200
    text = page.text
    assert "Harm ranking list" in text and 'id="nav-list"' in text
    # Rank order, names as the other pages show them, the explanation offence by offence.
    firsts = [text.index(unit.work.token(r)) for r in ("N100655", "N100871", "N100234")]
    assert firsts == sorted(firsts)
    assert "Marek TRESIDDER" in text
    assert "Rank 1 of 3 by v100 as of 2025-10-28." in text and "CCHI days" in text
    assert "needs a decision" in text and "removed" in text
    assert "remove at the monthly meeting" in text
    assert text.count('action="/unit/list/decide') == 3
    assert text.count('action="/unit/list/task') == 0  # nobody adopted yet
    log = unit.audit(after=before)
    actions = [e[1] for e in log]
    assert actions.count("unit.refresh") == 1 and actions.count("unit.view") == 1
    alter = next(e for e in log if e[1] == "unit.alter")
    assert alter[2] == f"unit_person:{unit.work.token('N100871')}"
    assert alter[3]["reason"] == "remove at the monthly meeting"
    assert alter[3]["decision"] == "remove"
    assert log[-1][1:3] == ("unit.view", "unit_page:list")
    french = supervisor.get("/unit/list?method=v100&lang=fr")
    assert "Liste de classement par gravité" in french.text and "retiré" in french.text
    person = supervisor.get(_person(unit, "N100871"))
    assert 'id="ranking"' in person.text and "Rank 2 as of 2025-10-28" in person.text
    assert "remove at the monthly meeting" in person.text
    with unit.sessions() as session:
        assert verify_chain(session).first_bad_id is None


def test_the_caseload_marks_who_is_on_the_list(at_example: Clock, unit: Unit) -> None:
    """A supervisor's caseload shows each listed person's rank and standing; an officer's, only
    the adopted people they hold (what the list gives them to do)."""
    supervisor = unit.client("supervisor")
    _refresh_and_decide(unit, supervisor, N100234="adopt", N100871="not_now")
    whole = supervisor.get("/unit").text
    assert "rank 3, adopted" in whole and "rank 2, not now" in whole
    assert "rank 1, needs a decision" in whole  # N100655, the colleague's
    mine = unit.client("officer").get("/unit").text
    assert "rank 3, adopted" in mine and "not now" not in mine
    french = supervisor.get("/unit?lang=fr").text
    assert "Classement par gravité" in french


def test_a_task_from_the_list_needs_an_adoption(at_example: Clock, unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    _refresh_and_decide(unit, supervisor, N100234="adopt", N100655="not_now")
    with unit.sessions() as session:
        tasks = len(list(session.scalars(select(UnitTask))))
    fields = {"method": "v100", "kind": "interview", "due_on": "2025-11-04", "details": ""}
    refused = supervisor.post(
        "/unit/list/task", data=_form(supervisor, token=unit.work.token("N100655"), **fields)
    )
    assert refused.status_code == 303 and "problem=not_adopted" in refused.headers["location"]
    shown = supervisor.get(refused.headers["location"])
    assert "Nobody is tasked from the list until a supervisor has adopted them" in shown.text
    made = supervisor.post(
        "/unit/list/task", data=_form(supervisor, token=unit.work.token("N100234"), **fields)
    )
    assert made.status_code == 303 and "done=task" in made.headers["location"]
    with unit.sessions() as session:
        assert len(list(session.scalars(select(UnitTask)))) == tasks + 1
    # The officer holds N100234 (adopted) and N100871 (not): the list shows him only the first.
    officer = unit.client("officer")
    page = officer.get("/unit/list")
    assert page.status_code == 200
    assert unit.work.token("N100234") in page.text
    assert unit.work.token("N100871") not in page.text
    assert unit.work.token("N100655") not in page.text
    assert 'action="/unit/list/decide' not in page.text
    assert 'action="/unit/list/task' in page.text


def test_the_list_is_refused_to_other_roles_and_its_forms_to_officers(
    at_example: Clock, unit: Unit
) -> None:
    for name in ("analyst", "auditor", "operator"):
        client = unit.client(name)
        before = unit.last_id()
        answer = client.get("/unit/list")
        assert answer.status_code == 403
        refusals = [e for e in unit.audit(after=before) if e[1] == "unit.refused"]
        assert [(e[0], e[3]["status"]) for e in refusals] == [(name, 403)]
    officer = unit.client("officer")
    for path, fields, page in (
        ("/unit/list/refresh", {"method": "v100", "top": "5"}, "list-refresh"),
        (
            "/unit/list/decide",
            {"token": unit.work.token("N100234"), "decision": "adopt", "reason": "x"},
            "list-decide",
        ),
    ):
        before = unit.last_id()
        assert officer.post(path, data=_form(officer, **fields)).status_code == 403
        assert [e[1:3] for e in unit.audit(after=before)] == [("unit.refused", f"unit_page:{page}")]


def test_forged_csrf_is_refused_on_the_lists_forms(at_example: Clock, unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    _refresh_and_decide(unit, supervisor)
    token = unit.work.token("N100234")
    before = unit.last_id()
    for path, fields in (
        ("/unit/list/refresh", {"method": "v100", "top": "5"}),
        ("/unit/list/decide", {"token": token, "decision": "adopt", "reason": "forged"}),
        ("/unit/list/task", {"token": token, "kind": "arrest", "due_on": "2025-11-01"}),
    ):
        for forged in ("", "0" * 64):
            answer = supervisor.post(path, data={"csrf_token": forged, "method": "v100", **fields})
            assert answer.status_code == 403, path
    assert [e for e in unit.audit(after=before) if e[1].startswith("unit.")] == []


def test_a_decision_without_a_reason_is_asked_again(at_example: Clock, unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    _refresh_and_decide(unit, supervisor)
    before = unit.last_id()
    answer = supervisor.post(
        "/unit/list/decide",
        data=_form(supervisor, token=unit.work.token("N100234"), method="v100", decision="adopt"),
    )
    assert answer.status_code == 303 and "problem=reason" in answer.headers["location"]
    assert [e for e in unit.audit(after=before) if e[1] == "unit.alter"] == []


def test_the_list_leaves_no_name_reference_or_token_in_the_servers_log(
    at_example: Clock,
    unit: Unit,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    supervisor = unit.client("supervisor")
    _refresh_and_decide(unit, supervisor, N100234="adopt")
    supervisor.get("/unit/list")
    supervisor.post(
        "/unit/list/task",
        data=_form(
            supervisor,
            token=unit.work.token("N100234"),
            method="v100",
            kind="arrest",
            due_on="2025-11-01",
        ),
    )
    unit.client("officer").get("/unit/list")

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("Dariusz Corvantis N100234 " + unit.work.token("N100234"))

    monkeypatch.setattr(listing, "view_list", broken)
    failed = supervisor.get("/unit/list")
    assert failed.status_code == 500
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "ValueError in GET /unit/list" in logged
    for value in _secrets_of(unit):
        assert value.upper() not in failed.text.upper(), value
        assert value.upper() not in logged.upper(), value
