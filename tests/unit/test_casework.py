"""The casework library under the unit's pages, on SQLite and PostgreSQL: who may open whom (and
the audit entries each opening and refusal leaves), the bail and orders board's states and
actions, the dashboard's sums, task changes, reviews and erasure, and the auditor's view."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import BailAuthority, ReviewDecision, TaskStatus
from streetlight.db.models import (
    AuditEntry,
    UnitArrest,
    UnitBail,
    UnitCaseload,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitTask,
)
from streetlight.unit import access, auditlog, casework, records
from streetlight.unit.access import CaseworkForbiddenError, PersonNotFoundError, TaskNotFoundError
from streetlight.unit.casework import BoardAction, BoardState
from streetlight.unit.errors import CaseworkAccessError
from tests.unit.casework_data import NAMES, NOW, TODAY
from tests.unit.conftest import Unit

LONDON = ZoneInfo("Europe/London")


def _entries(session: Session) -> list[tuple[str, str, str, dict[str, object]]]:
    return [
        (e.actor, e.action, e.subject, json.loads(e.details))
        for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_who_may_open_whom_and_what_each_opening_leaves_in_the_log(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    mine, theirs = unit.work.token("N100234"), unit.work.token("N100655")
    with sessions.begin() as session:
        start = len(_entries(session))
        assert access.open_person(session, unit.officer, mine, reason=None, now=NOW).id
        with pytest.raises(PersonNotFoundError):
            access.open_person(session, unit.officer, theirs, reason=None, now=NOW)
        with pytest.raises(PersonNotFoundError):
            access.open_person(session, unit.officer, "f" * 32, reason=None, now=NOW)
        with pytest.raises(CaseworkAccessError):
            access.open_person(session, unit.officer, theirs, reason=" ", now=NOW)
        assert access.open_person(session, unit.officer, theirs, reason="MARAC 3", now=NOW).id
        assert access.open_person(session, unit.supervisor, theirs, reason=None, now=NOW).id
        for reader in (unit.analyst, unit.auditor, unit.plain_officer):
            with pytest.raises(CaseworkForbiddenError):
                access.open_person(session, reader, mine, reason="curious", now=NOW)
        entries = _entries(session)[start:]
    assert entries == [
        ("officer", "unit.consult", f"unit_person:{mine}", {"reason": "own caseload"}),
        ("officer", "unit.refused", f"unit_person:{theirs}", {"status": 404, "page": "person"}),
        ("officer", "unit.refused", f"unit_person:{'f' * 32}", {"status": 404, "page": "person"}),
        ("officer", "unit.consult", f"unit_person:{theirs}", {"reason": "MARAC 3"}),
        ("supervisor", "unit.consult", f"unit_person:{theirs}", {"reason": "unit supervision"}),
        *[
            (name, "unit.refused", "unit_page:people", {"status": 403, "page": "people"})
            for name in ("analyst", "auditor", "plain-officer")
        ],
    ]
    # Junk in place of a token never reaches the log as typed.
    with sessions.begin() as session, pytest.raises(PersonNotFoundError):
        access.open_person(session, unit.officer, "Corvantis' OR 1=1", reason=None, now=NOW)
    with sessions() as session:
        assert _entries(session)[-1][2] == "unit_person:invalid"


def test_the_board_lists_breaches_lapses_and_endings_with_their_actions(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        board = casework.board(session, None, TODAY, LONDON)
        mine = casework.board(session, unit.officer.user_id, TODAY, LONDON)
    found = [(i.state, i.action, i.ref) for i in board.items]
    assert found == [
        (BoardState.BREACHED, BoardAction.BREACH_OFFENCE, "OR/T/1"),
        (BoardState.LAPSED, BoardAction.BAIL_LAPSED, "BL/T/2"),
        (BoardState.EXPIRING, BoardAction.APPLY_FOR_DVPO, "OR/T/2"),
        (BoardState.EXPIRING, BoardAction.DECIDE_BAIL, "BL/T/1"),
    ]
    expiring = board.of(BoardState.EXPIRING)[1]
    assert expiring.authority is BailAuthority.ASSISTANT_CHIEF_CONSTABLE
    assert expiring.when == TODAY + timedelta(days=5) and expiring.victim_views_sought is False
    # The officer's board: only the people he holds (the DVPN is the colleague's person's).
    assert [i.ref for i in mine.items] == ["OR/T/1", "BL/T/2", "BL/T/1"]
    assert casework.next_authority(BailAuthority.INSPECTOR) is BailAuthority.SUPERINTENDENT
    assert casework.next_authority(None) is BailAuthority.MAGISTRATES_COURT


def test_the_board_shows_a_page_of_each_state_and_counts_them_all(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    """A force's board can hold thousands of lapsed bail periods: each state shows a page,
    counted in full, and one state pages on from where it was."""
    with sessions() as session:
        first = casework.board(session, None, TODAY, LONDON, shown=1)
        on = casework.board(
            session, None, TODAY, LONDON, shown=1, state=BoardState.EXPIRING, first=1
        )
        past = casework.board(
            session, None, TODAY, LONDON, shown=1, state=BoardState.EXPIRING, first=5
        )
    assert [
        (g.state, g.total, g.first, [i.ref for i in g.items], g.more) for g in first.groups
    ] == [
        (BoardState.BREACHED, 1, 0, ["OR/T/1"], False),
        (BoardState.LAPSED, 1, 0, ["BL/T/2"], False),
        (BoardState.EXPIRING, 2, 0, ["OR/T/2"], True),
    ]
    assert [(g.state, g.first, [i.ref for i in g.items], g.more) for g in on.groups] == [
        (BoardState.EXPIRING, 1, ["BL/T/1"], False)
    ]
    assert past.items == () and past.groups[0].total == 2


def test_the_board_counts_a_backlog_up_to_a_cap_and_says_there_are_more(
    unit: Unit, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A force's backlog of lapsed bail is counted up to a cap (past the page asked for): the
    group then says "more than", and still pages on to the end."""
    with sessions.begin() as session:
        lapsed = session.execute(select(UnitBail).where(UnitBail.bail_ref == "BL/T/2")).scalar_one()
        taken = set(session.execute(select(UnitBail.offence_id)).scalars())
        others = (
            session.execute(
                select(UnitOffence.id).where(UnitOffence.id.not_in(taken)).order_by(UnitOffence.id)
            )
            .scalars()
            .all()[:3]
        )
        assert lapsed.expires is not None
        for n, offence in enumerate(others):
            session.add(UnitBail(
                bail_ref=f"BL/T/2{'abc'[n]}", person_id=lapsed.person_id, offence_id=offence,
                kind=lapsed.kind, starts=lapsed.starts, expires=lapsed.expires - timedelta(days=n + 1),
                authority=lapsed.authority, created_at=lapsed.created_at, updated_at=lapsed.updated_at,
            ))  # fmt: skip
    monkeypatch.setattr(casework, "BOARD_COUNT_CAP", 1)
    seen: list[str] = []
    with sessions() as session:
        first = 0
        while True:
            (group,) = casework.board(
                session, None, TODAY, LONDON, shown=1, state=BoardState.LAPSED, first=first
            ).groups
            seen += [i.ref for i in group.items]
            if not group.more:
                break
            assert group.at_least and group.following == 1  # "more than 1, 2, 3..."
            first += 1
    assert seen == ["BL/T/2c", "BL/T/2b", "BL/T/2a", "BL/T/2"]
    assert (group.total, group.at_least) == (4, False)


def test_the_dashboard_sums_agree_and_name_no_one(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        numbers = casework.dashboard(session, TODAY, LONDON)
        arrests = session.scalar(select(func.count()).select_from(UnitArrest))
    assert len(numbers.months) == casework.DASHBOARD_MONTHS
    assert numbers.overall.arrests == arrests  # the example's arrests are all this year
    assert sum(m.arrests for m in numbers.monthly) == numbers.overall.arrests
    assert sum(r.charges for r in numbers.rows) == numbers.overall.charges
    assert sum(s.outcomes for s in numbers.by_subgroup) == numbers.overall.outcomes
    assert sum(o.count for o in numbers.outcomes) == numbers.overall.outcomes
    assert numbers.overall.median_days_to_arrest is not None
    assert numbers.overall.median_days_to_arrest >= 0
    text = repr(numbers)
    assert not any(name in text for name in NAMES) and "N100" not in text


def test_the_caseload_puts_overdue_tasks_first_and_lists_reviews_due(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        load = casework.caseload(session, unit.officer.user_id, TODAY)
        whole = casework.caseload(session, None, TODAY)
    tasks = unit.work.tasks
    assert [t.id for t in load.tasks] == [
        tasks["overdue_arrest"],
        tasks["bail_review"],
        tasks["assigned_elsewhere"],
        tasks["safeguard"],
    ]
    assert load.overdue == 2 and load.tasks[0].overdue_days == 5
    assert {p.person.token for p in load.people} == {
        unit.work.token("N100234"),
        unit.work.token("N100871"),
    }
    assert [p.token for p in load.reviews_due] == [unit.work.token("N100871")]
    assert len(whole.people) == 3 and tasks["colleague_interview"] in {t.id for t in whole.tasks}


def test_the_caseload_pages_through_the_people_in_order(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    """A unit's caseload runs to a thousand people: a page of them, in the whole list's order,
    each with their holders and offences counted, and the tasks of everyone held."""
    with sessions() as session:
        whole = casework.caseload(session, None, TODAY)
        pages = [casework.caseload(session, None, TODAY, shown=2, first=n) for n in (0, 2)]
    assert [(p.held, p.first, len(p.people), p.more) for p in pages] == [
        (3, 0, 2, True),
        (3, 2, 1, False),
    ]
    assert [h for p in pages for h in p.people] == list(whole.people)
    assert all(p.tasks == whole.tasks for p in pages)


def test_tasks_change_for_their_holder_or_assignee_only(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    tasks = unit.work.tasks
    with sessions.begin() as session:
        change = records.set_task_status(
            session, unit.officer, tasks["assigned_elsewhere"], TaskStatus.DONE, reason=None,
            now=NOW,
        )  # fmt: skip
        assert change.after is TaskStatus.DONE and not change.in_remit  # assigned, not held
        with pytest.raises(TaskNotFoundError):
            records.set_task_status(
                session, unit.officer, tasks["colleague_interview"], TaskStatus.DONE,
                reason=None, now=NOW,
            )  # fmt: skip
        with pytest.raises(CaseworkForbiddenError):
            records.set_task_status(
                session, unit.analyst, tasks["safeguard"], TaskStatus.DONE, reason=None, now=NOW
            )
        reopened = records.set_task_status(
            session, unit.supervisor, tasks["assigned_elsewhere"], TaskStatus.OPEN,
            reason="closed by mistake", now=NOW,
        )  # fmt: skip
        assert reopened.before is TaskStatus.DONE
        task = session.get(UnitTask, tasks["assigned_elsewhere"])
        assert task is not None and task.closed_at is None


def test_a_review_needs_a_reason_and_a_next_date_and_erasure_leaves_only_the_log(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    late = unit.work.token("N100871")
    with sessions() as session:
        pid = session.scalar(select(UnitPerson.id).where(UnitPerson.token == late))
        assert session.scalar(select(func.count()).where(UnitTask.person_id == pid)) == 1
    with sessions.begin() as session:
        for decision, next_review, reason in (
            (ReviewDecision.RETAIN, None, "charge pending"),
            (ReviewDecision.RETAIN, TODAY, "charge pending"),
            (ReviewDecision.RETAIN, TODAY + timedelta(days=4000), "charge pending"),
        ):
            with pytest.raises(records.ReviewDecisionError):
                records.record_review(
                    session, unit.supervisor, late, decision, reason=reason,
                    next_review=next_review, today=TODAY, now=NOW,
                )  # fmt: skip
        with pytest.raises(CaseworkForbiddenError):
            records.record_review(
                session, unit.officer, late, ReviewDecision.ERASE, reason="x", next_review=None,
                today=TODAY, now=NOW,
            )  # fmt: skip
        records.record_review(
            session, unit.supervisor, late, ReviewDecision.ERASE, reason="NFA; period over",
            next_review=None, today=TODAY, now=NOW,
        )  # fmt: skip
    with sessions() as session:
        assert session.scalar(select(UnitPerson).where(UnitPerson.token == late)) is None
        for table in (UnitLink, UnitArrest, UnitCaseload, UnitTask, UnitOrder):
            left = select(func.count()).select_from(table).where(table.person_id == pid)
            assert session.scalar(left) == 0, table
        assert verify_chain(session).first_bad_id is None
        actions = [e[1] for e in _entries(session) if e[2] == f"unit_person:{late}"]
    assert actions[-3:] == ["unit.consult", "unit.review", "unit.erase"]


def test_the_auditor_sees_the_log_and_nothing_else(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    token = unit.work.token("N100655")
    with sessions.begin() as session:
        access.open_person(session, unit.officer, token, reason="MARAC 3", now=NOW)
    with sessions.begin() as session:
        page = auditlog.entries(session, unit.auditor, subject=f"unit_person:{token}", now=NOW)
        assert [(line.actor, line.action, line.reason) for line in page.lines] == [
            ("officer", "unit.consult", "MARAC 3")
        ]
        everything = auditlog.entries(session, unit.auditor, now=NOW)
        assert everything.lines[-1].action == "unit.import"
        with pytest.raises(CaseworkForbiddenError):
            auditlog.entries(session, unit.supervisor, now=NOW)
    with sessions() as session:
        assert _entries(session)[-2][:3] == ("auditor", "audit.view", "unit")
