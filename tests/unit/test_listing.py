"""The harm ranking's list under human review, on SQLite and PostgreSQL: refreshes store what the
ranking said, decisions stand until they expire, a removal is remembered at the next refresh,
nobody is tasked from the list until adopted, and every view and decision is in the audit log
(by token, never by name)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import ListDecision, TaskKind
from streetlight.db.models import (
    AuditEntry,
    UnitListDecision,
    UnitListEntry,
    UnitListRefresh,
    UnitPerson,
    UnitTask,
)
from streetlight.unit import listing
from streetlight.unit.access import CaseworkForbiddenError, PersonNotFoundError
from streetlight.unit.errors import CaseworkAccessError
from streetlight.unit.listing import ListingError, NotAdoptedError, Standing
from streetlight.unit.ranking import Ranking
from streetlight.unit.ranking_casework import casework_frames
from tests.unit.casework_data import NAMES, NOW, REFS, TODAY
from tests.unit.conftest import Unit

# As of TODAY, v100 ranks the example's three suspects: N100655, N100871, N100234.
V100_ORDER = ("N100655", "N100871", "N100234")


def _entries(session: Session, since: int = 0) -> list[tuple[str, str, str, dict[str, object]]]:
    return [
        (e.actor, e.action, e.subject, json.loads(e.details))
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
        )
    ]


def _last_id(session: Session) -> int:
    return session.scalar(select(func.max(AuditEntry.id))) or 0


def _refs(unit: Unit) -> dict[str, str]:
    return {token: ref for ref, token in unit.work.tokens.items()}


def test_a_refresh_stores_the_rankings_output_and_records_it(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    refs = _refs(unit)
    with sessions.begin() as session:
        start = _last_id(session)
        made = listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=2, now=NOW)
        assert (made.method, made.as_of, made.top, made.ranked) == ("v100", TODAY, 2, 3)
        assert made.created_by == "supervisor"
        # The stored entries are the ranking's own output, explanation included.
        offences, links = casework_frames(session, Ranking().window(TODAY), "v100")
        fitted = Ranking().fit(offences, links, as_of=TODAY)
        stored = session.execute(
            select(
                UnitPerson.token, UnitListEntry.rank, UnitListEntry.score, UnitListEntry.explanation
            )
            .join(UnitPerson, UnitPerson.id == UnitListEntry.person_id)
            .order_by(UnitListEntry.rank)
        ).all()
        assert [tuple(r) for r in stored] == [
            (p.person, p.rank, p.score, fitted.explain(p.person)) for p in fitted.top(2)
        ]
        assert [refs[r[0]] for r in stored] == list(V100_ORDER[:2])
        log = _entries(session, start)
        assert [a for _, a, _, _ in log] == ["unit.consult", "unit.consult", "unit.refresh"]
        assert log[-1] == (
            "supervisor",
            "unit.refresh",
            f"unit_list:{made.id}",
            {
                "method": "v100",
                "as_of": "2025-10-28",
                "listed": 2,
                "ranked": 3,
                "left": 0,
                "entries_deleted": 0,
                "decisions_deleted": 0,
            },
        )
        view = listing.view_list(session, unit.supervisor, "v100", today=TODAY, now=NOW)
        assert [refs[line.person.token] for line in view.lines] == list(V100_ORDER[:2])
        assert {line.standing for line in view.lines} == {Standing.NEEDS_DECISION}
        assert view.lines[0].explanation.startswith("Rank 1 of 3 by v100 as of 2025-10-28.")
        assert _entries(session)[-1] == (
            "supervisor",
            "unit.view",
            "unit_page:list",
            {"method": "v100", "as_of": "2025-10-28", "people": 2},
        )
        assert verify_chain(session).first_bad_id is None


def test_refresh_refuses_sizes_and_methods_it_cannot_make(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        for top in (0, listing.MAX_TOP + 1):
            with pytest.raises(ListingError, match="top"):
                listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=top, now=NOW)
        with pytest.raises(ListingError, match="method"):
            listing.refresh(session, unit.supervisor, "gangs", as_of=TODAY, top=5, now=NOW)
        view = listing.view_list(session, unit.supervisor, "rfgv", today=TODAY, now=NOW)
        assert view.refresh is None and view.lines == ()


def test_decisions_stand_until_they_expire_then_need_a_decision_again(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    token = unit.work.token("N100871")
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        made = listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.ADOPT,
            reason="  repeat  DA, two victims ",
            today=TODAY,
            now=NOW,
        )
        assert made.reason == "repeat DA, two victims"
        assert made.expires_on == date(2026, 1, 28)  # EXPIRES_MONTHS: 3 for adopt

        def line(today: date) -> listing.ListLine:
            view = listing.view_list(session, unit.supervisor, "v100", today=today, now=NOW)
            return next(x for x in view.lines if x.person.token == token)

        assert line(date(2026, 1, 27)).standing is Standing.ADOPT
        lapsed = line(date(2026, 1, 28))
        assert lapsed.standing is Standing.NEEDS_DECISION
        assert lapsed.lapsed is not None and lapsed.lapsed.decision is ListDecision.ADOPT
        removal = listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.REMOVE,
            reason="NFA on both, CPS",
            today=TODAY,
            now=NOW + timedelta(minutes=1),
        )
        assert removal.expires_on == date(2026, 10, 28)  # 12 months for a removal
        assert line(TODAY).standing is Standing.REMOVE
        assert line(date(2026, 10, 28)).standing is Standing.NEEDS_DECISION
        # The decisions are per method: another method's list knows none of them.
        listing.refresh(session, unit.supervisor, "count", as_of=TODAY, top=3, now=NOW)
        count = listing.view_list(session, unit.supervisor, "count", today=TODAY, now=NOW)
        assert {x.standing for x in count.lines} == {Standing.NEEDS_DECISION}


def test_refreshes_apply_the_retention_rules(unit: Unit, sessions: sessionmaker[Session]) -> None:
    """A lapsed decision takes the person's list history with it (they come back afresh, with
    nothing shown), and when the method no longer ranks someone, their listings and decisions
    are deleted at the next refresh; the refresh's audit entry counts what left."""
    token = unit.work.token("N100871")
    with sessions.begin() as session:
        first = listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        listing.decide(
            session, unit.supervisor, token, "v100", ListDecision.ADOPT,
            reason="repeat DA", today=TODAY, now=NOW,
        )  # fmt: skip
        person = session.execute(
            select(UnitPerson.id).where(UnitPerson.token == token)
        ).scalar_one()

        def held(model: type[UnitListEntry] | type[UnitListDecision]) -> int:
            return session.execute(
                select(func.count()).select_from(model).where(model.person_id == person)
            ).scalar_one()

        # The adoption lapses on 2026-01-28 unrenewed: at a refresh after it, the history goes.
        later = date(2026, 2, 5)
        listing.refresh(session, unit.supervisor, "v100", as_of=later, top=3, now=NOW)
        assert held(UnitListDecision) == 0
        entries = session.execute(
            select(UnitListEntry.refresh_id).where(UnitListEntry.person_id == person)
        ).scalars().all()  # fmt: skip
        assert first.id not in entries
        view = listing.view_list(session, unit.supervisor, "v100", today=later, now=NOW)
        back = [x for x in view.lines if x.person.token == token]
        assert all(x.standing is Standing.NEEDS_DECISION and x.lapsed is None for x in back)
        # Two years on nobody is ranked: every listing of the method is deleted.
        listing.refresh(session, unit.supervisor, "v100", as_of=date(2027, 11, 1), top=3, now=NOW)
        assert held(UnitListEntry) == 0
        assert session.execute(select(func.count()).select_from(UnitListEntry)).scalar_one() == 0
        details = [d for _, action, _, d in _entries(session) if action == "unit.refresh"]
    assert details[-1]["left"] >= 1 and details[-1]["entries_deleted"] >= 1  # type: ignore[operator]


def test_a_removal_is_shown_when_the_person_is_ranked_again(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    token = unit.work.token("N100655")
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.REMOVE,
            reason="victim withdrew; no further risk found",
            today=TODAY,
            now=NOW,
        )
        later = NOW + timedelta(days=30)
        listing.refresh(
            session, unit.supervisor, "v100", as_of=TODAY + timedelta(days=30), top=3, now=later
        )
        view = listing.view_list(
            session, unit.supervisor, "v100", today=TODAY + timedelta(days=30), now=later
        )
        assert view.refresh is not None and view.refresh.as_of == TODAY + timedelta(days=30)
        back = next(x for x in view.lines if x.person.token == token)
        assert back.standing is Standing.REMOVE
        assert back.decision is not None
        assert back.decision.reason == "victim withdrew; no further risk found"
        with pytest.raises(NotAdoptedError):
            listing.task_from_list(
                session,
                unit.supervisor,
                token,
                "v100",
                TaskKind.ARREST,
                due_on=TODAY,
                details="",
                today=TODAY,
                now=later,
            )
        # A year on, the removal has lapsed: back to needing a decision, the removal shown.
        year = TODAY + timedelta(days=366)
        again = listing.view_list(session, unit.supervisor, "v100", today=year, now=later)
        returned = next(x for x in again.lines if x.person.token == token)
        assert returned.standing is Standing.NEEDS_DECISION
        assert returned.lapsed is not None and returned.lapsed.decision is ListDecision.REMOVE


def test_nobody_is_tasked_from_the_list_until_adopted(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    token = unit.work.token("N100234")

    def task(session: Session, today: date = TODAY) -> int:
        return listing.task_from_list(
            session,
            unit.supervisor,
            token,
            "v100",
            TaskKind.INTERVIEW,
            due_on=today + timedelta(days=7),
            details="Interview",
            today=today,
            now=NOW,
        )

    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        tasks = session.scalar(select(func.count()).select_from(UnitTask))
        with pytest.raises(NotAdoptedError, match="adopt"):
            task(session)
        listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.NOT_NOW,
            reason="awaiting forensic results",
            today=TODAY,
            now=NOW,
        )
        with pytest.raises(NotAdoptedError):
            task(session)
        assert session.scalar(select(func.count()).select_from(UnitTask)) == tasks
        refusals = [e for e in _entries(session) if e[1] == "unit.refused"]
        assert refusals[-1][3] == {"status": 409, "page": "list-task"}
        listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.ADOPT,
            reason="three allegations in a year",
            today=TODAY,
            now=NOW + timedelta(seconds=1),
        )
        start = _last_id(session)
        made = task(session)
        row = session.get(UnitTask, made)
        assert row is not None and row.kind is TaskKind.INTERVIEW
        assert row.assigned_to_id == unit.supervisor.user_id
        assert _entries(session, start)[-1][:3] == (
            "supervisor",
            "unit.alter",
            f"unit_person:{token}",
        )
        # An adoption expires like any decision: then no task until it is renewed.
        with pytest.raises(NotAdoptedError):
            task(session, TODAY + timedelta(days=100))


def test_an_officer_sees_and_tasks_only_adopted_people_they_hold(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    mine, other, theirs = (unit.work.token(r) for r in ("N100234", "N100871", "N100655"))
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        for token in (mine, theirs):
            listing.decide(
                session,
                unit.supervisor,
                token,
                "v100",
                ListDecision.ADOPT,
                reason="adopted at the monthly meeting",
                today=TODAY,
                now=NOW,
            )
        view = listing.view_list(session, unit.officer, "v100", today=TODAY, now=NOW)
        assert not view.whole
        assert [x.person.token for x in view.lines] == [mine]  # not `other` (not adopted)
        assert _entries(session)[-1][3] == {"method": "v100", "as_of": "2025-10-28", "people": 1}
        assert listing.task_from_list(
            session,
            unit.officer,
            mine,
            "v100",
            TaskKind.ARREST,
            due_on=TODAY,
            details="",
            today=TODAY,
            now=NOW,
        )
        with pytest.raises(PersonNotFoundError):
            listing.task_from_list(
                session,
                unit.officer,
                theirs,
                "v100",
                TaskKind.ARREST,
                due_on=TODAY,
                details="",
                today=TODAY,
                now=NOW,
            )
        for act in (
            lambda: listing.refresh(session, unit.officer, "v100", as_of=TODAY, top=3, now=NOW),
            lambda: listing.decide(
                session,
                unit.officer,
                other,
                "v100",
                ListDecision.ADOPT,
                reason="mine",
                today=TODAY,
                now=NOW,
            ),
        ):
            with pytest.raises(CaseworkForbiddenError):
                act()


def test_other_roles_are_refused_and_the_refusal_recorded(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        for reader in (unit.analyst, unit.auditor, unit.plain_officer):
            with pytest.raises(CaseworkForbiddenError):
                listing.view_list(session, reader, "v100", today=TODAY, now=NOW)
            assert _entries(session)[-1] == (
                reader.username,
                "unit.refused",
                "unit_page:list",
                {"status": 403, "page": "list"},
            )


def test_a_decision_needs_a_reason_and_a_listed_person(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=1, now=NOW)
        listed = unit.work.token("N100655")
        with pytest.raises(CaseworkAccessError, match="reason"):
            listing.decide(
                session,
                unit.supervisor,
                listed,
                "v100",
                ListDecision.ADOPT,
                reason="   ",
                today=TODAY,
                now=NOW,
            )
        for token in (unit.work.token("N100234"), "f" * 32, "../etc"):  # not listed, none, junk
            with pytest.raises(PersonNotFoundError):
                listing.decide(
                    session,
                    unit.supervisor,
                    token,
                    "v100",
                    ListDecision.ADOPT,
                    reason="x",
                    today=TODAY,
                    now=NOW,
                )
        assert session.scalar(select(func.count()).select_from(UnitListDecision)) == 0
        assert _entries(session)[-1][2] == "unit_person:invalid"


def test_the_log_names_no_one(unit: Unit, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        listing.decide(
            session,
            unit.supervisor,
            unit.work.token("N100234"),
            "v100",
            ListDecision.ADOPT,
            reason="serial DA",
            today=TODAY,
            now=NOW,
        )
        listing.view_list(session, unit.supervisor, "v100", today=TODAY, now=NOW)
        text = json.dumps(_entries(session))
        for secret in (*NAMES, *REFS):
            assert secret not in text


def test_person_ranking_gives_the_latest_place_and_every_decision(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    token = unit.work.token("N100871")
    with sessions.begin() as session:
        listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        listing.refresh(session, unit.supervisor, "rfgv", as_of=TODAY, top=3, now=NOW)
        listing.decide(
            session,
            unit.supervisor,
            token,
            "v100",
            ListDecision.NOT_NOW,
            reason="in custody",
            today=TODAY,
            now=NOW,
        )
        listing.decide(
            session,
            unit.supervisor,
            token,
            "rfgv",
            ListDecision.ADOPT,
            reason="MATAC referral",
            today=TODAY,
            now=NOW + timedelta(seconds=1),
        )
        pid = session.scalar(select(UnitPerson.id).where(UnitPerson.token == token))
        assert pid is not None
        mine = listing.person_ranking(session, pid, today=TODAY)
        assert [(p.refresh.method, p.rank, p.standing) for p in mine.places] == [
            ("v100", 2, Standing.NOT_NOW),
            ("rfgv", 1, Standing.ADOPT),
        ]
        assert [d.reason for d in mine.decisions] == ["MATAC referral", "in custody"]


def test_the_tables_refuse_what_the_list_cannot_hold(
    unit: Unit, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        made = listing.refresh(session, unit.supervisor, "v100", as_of=TODAY, top=3, now=NOW)
        pid = session.scalar(select(UnitListEntry.person_id).where(UnitListEntry.rank == 1))
        other = session.scalar(select(UnitListEntry.person_id).where(UnitListEntry.rank == 2))
    bad: list[object] = [
        UnitListRefresh(method="v100", as_of=TODAY, top=0, ranked=0, created_at=NOW),
        UnitListEntry(refresh_id=made.id, person_id=other, rank=1, score=1.0, explanation=""),
        UnitListEntry(refresh_id=made.id, person_id=pid, rank=9, score=1.0, explanation=""),
        UnitListDecision(
            person_id=pid,
            method="v100",
            decision=ListDecision.ADOPT,
            reason="",
            decided_at=NOW,
            expires_on=TODAY,
        ),
    ]
    for row in bad:
        with pytest.raises(IntegrityError), sessions.begin() as session:
            session.add(row)
    # Erasing a person takes their places and decisions with them.
    with sessions.begin() as session:
        session.add(
            UnitListDecision(
                person_id=pid,
                method="v100",
                decision=ListDecision.REMOVE,
                reason="r",
                decided_at=NOW,
                expires_on=TODAY,
            )
        )
    with sessions.begin() as session:
        session.execute(delete(UnitPerson).where(UnitPerson.id == pid))
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(UnitListDecision)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(UnitListEntry)
                .where(UnitListEntry.person_id == pid)
            )
            == 0
        )
