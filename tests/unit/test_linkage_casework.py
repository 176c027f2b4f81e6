"""Crime linkage on the unit's casework, on SQLite and PostgreSQL: the crime table from the
offences, a model fitted on the solved ones and cached per state, a person's unsolved offences
scored with their breakdown in words, every view and decision in the audit log (by token), only
supervisors decide, and decisions go with the person when their record is erased."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import LinkageDecision, ReviewDecision, TaskKind
from streetlight.db.models import (
    AuditEntry,
    UnitLinkageDecision,
    UnitOffence,
    UnitPerson,
    UnitTask,
)
from streetlight.linkage.evidence import compare
from streetlight.unit import linkage_casework as lc
from streetlight.unit import records
from streetlight.unit.access import CaseworkForbiddenError, PersonNotFoundError
from streetlight.unit.errors import CaseworkAccessError
from streetlight.unit.linkage_casework import LinkageCache, LinkageError
from tests.unit.casework_data import NAMES, NOW, REFS, TODAY
from tests.unit.conftest import Unit

ZONE = ZoneInfo("Europe/London")
UNSOLVED = ("CL/00702/25",)  # placed, with no suspect (CL/00815/25's code is quarantined)


def _person(session: Session, unit: Unit, ref: str) -> UnitPerson:
    found = session.scalar(select(UnitPerson).where(UnitPerson.token == unit.work.token(ref)))
    assert found is not None
    return found


def _entries(session: Session, after: int) -> list[tuple[str, str, str, dict[str, object]]]:
    return [
        (e.actor, e.action, e.subject, json.loads(e.details))
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
        )
    ]


def _last(session: Session) -> int:
    return session.scalar(select(func.max(AuditEntry.id))) or 0


def test_the_crime_table_holds_placed_offences_and_suspects_as_offenders(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    with sessions() as session:
        data = lc.casework_crimes(session, ZONE)
    assert data.left_out == 1  # CL/00601/25 has no place
    assert len(data.crimes) == 6 and "CL/00601/25" not in set(data.crimes.ids)
    assert set(data.crimes.categorical) == set(lc.CATEGORICAL)
    assert data.crimes.levels["vawg"] == ("no", "yes")
    solved = set(data.crimes.ids[data.suspect_row])
    assert solved.isdisjoint(UNSOLVED) and len(solved) == 5
    # Local time: 14/07/2025 22:40 in London is 21:40 UTC; the window is kept as given.
    row = int(data.crimes.index(["CL/00587/25"])[0])
    assert str(data.crimes.t_from[row]) == "2025-07-14T22:40"


def test_a_suspects_unsolved_offences_are_scored_explained_and_the_view_logged(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    cache = LinkageCache()
    with sessions.begin() as session:
        before = _last(session)
        person = _person(session, unit, "N100234")
        found = lc.person_linkage(session, unit.officer, person, zone=ZONE, now=NOW, cache=cache)
        entries = _entries(session, before)
        fitted = cache.fitted(session, ZONE)
    assert found.model == "logistic" and found.series == 3
    assert {o.offence_ref for o in found.offences} == set(UNSOLVED) and found.compared == 1
    scores = [o.score for o in found.offences]
    assert scores == sorted(scores, reverse=True)
    assert fitted is not None
    for line in found.offences:
        # The score is the strongest pair's log Bayes factor: the pair the words explain.
        i = fitted.data.crimes.index([line.theirs])
        j = fitted.data.crimes.index([line.offence_ref])
        assert line.score == pytest.approx(
            fitted.model.log_bayes_factor(compare(fitted.data.crimes, i, j))[0]
        )
        assert " apart" in line.breakdown and "offence type" in line.breakdown
        assert line.strength in {"against a link", "weak", "positive", "strong", "very strong"}
    token = unit.work.token("N100234")
    assert entries == [
        (
            "officer",
            "unit.consult",
            f"unit_person:{token}",
            {"reason": lc.CONSULT_REASON, "shown": 1, "compared": 1, "model": "logistic"},
        )
    ]
    text = json.dumps(entries)
    assert not any(n in text for n in (*NAMES, *REFS, *UNSOLVED))


def test_the_model_is_cached_per_state_and_refitted_after_an_erasure(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    cache = LinkageCache()
    with sessions.begin() as session:
        first = cache.fitted(session, ZONE)
        assert cache.fitted(session, ZONE) is first
        records.record_review(
            session, unit.supervisor, unit.work.token("N100871"), ReviewDecision.ERASE,
            reason="review: nothing justifies keeping it", next_review=None, today=TODAY, now=NOW,
        )  # fmt: skip
        # One suspect left: nothing unlinked to learn from, so no model (and nothing shown).
        assert cache.fitted(session, ZONE) is None
        # The model fitted with the erased person's offences is gone from memory too.
        assert list(cache._fitted.values()) == [None]
    assert first is not None and first.linked_pairs == 4
    with sessions() as session:
        cache.prime(session, ZONE, first)
        assert cache.fitted(session, ZONE) is first and len(cache._fitted) == 1


def test_someone_with_no_offence_as_suspect_is_compared_with_nothing(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    cache = LinkageCache()
    with sessions.begin() as session:
        victim = _person(session, unit, "N200117")
        found = lc.person_linkage(session, unit.supervisor, victim, zone=ZONE, now=NOW, cache=cache)
    assert found.offences == () and found.model is None
    assert cache._fitted == {}  # nothing fitted for a page with nothing to compare


def test_only_the_units_roles_see_it(sessions: sessionmaker[Session], unit: Unit) -> None:
    with sessions.begin() as session:
        person = _person(session, unit, "N100234")
        for reader in (unit.analyst, unit.auditor, unit.plain_officer):
            with pytest.raises(CaseworkForbiddenError):
                lc.person_linkage(session, reader, person, zone=ZONE, now=NOW)


def test_a_supervisors_decision_is_kept_with_its_score_and_logged(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    cache = LinkageCache()
    token = unit.work.token("N100234")
    with sessions.begin() as session:
        before = _last(session)
        line = lc.decide(
            session, unit.supervisor, token, "CL/00702/25", LinkageDecision.ACCEPT,
            reason="same street, same hour: for the investigating officer", zone=ZONE, now=NOW,
            cache=cache,
        )  # fmt: skip
        person = _person(session, unit, "N100234")
        found = lc.person_linkage(session, unit.officer, person, zone=ZONE, now=NOW, cache=cache)
        entries = _entries(session, before)
        stored = session.scalars(select(UnitLinkageDecision)).one()
        assert verify_chain(session).ok
    shown = {o.offence_ref: o for o in found.offences}
    assert shown["CL/00702/25"].decision == line
    assert found.decisions == (line,)
    assert stored.score == pytest.approx(shown["CL/00702/25"].score) == line.score
    assert stored.model == "logistic" and stored.decided_by_id == unit.supervisor.user_id
    assert entries[0] == (
        "supervisor",
        "unit.alter",
        f"unit_person:{token}",
        {
            "reason": "same street, same hour: for the investigating officer",
            "changed": ["unit_linkage_decisions.decision"],
            "decision": "accept",
            "model": "logistic",
            "linkage_decision": stored.id,
        },
    )


def test_decisions_are_refused_without_the_role_a_reason_or_a_compared_offence(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    token = unit.work.token("N100234")
    cache = LinkageCache()
    with sessions.begin() as session:
        with pytest.raises(CaseworkForbiddenError):
            lc.decide(
                session, unit.officer, token, "CL/00702/25", LinkageDecision.ACCEPT,
                reason="mine", zone=ZONE, now=NOW, cache=cache,
            )  # fmt: skip
        with pytest.raises(CaseworkAccessError):
            lc.decide(
                session, unit.supervisor, token, "CL/00702/25", LinkageDecision.REJECT,
                reason="  ", zone=ZONE, now=NOW, cache=cache,
            )  # fmt: skip
        for ref in ("CL/00644/25", "CL/00601/25", "CL/00815/25"):  # solved, unplaced, no such
            with pytest.raises(LinkageError):
                lc.decide(
                    session, unit.supervisor, token, ref, LinkageDecision.REJECT,
                    reason="checked", zone=ZONE, now=NOW, cache=cache,
                )  # fmt: skip
        with pytest.raises(PersonNotFoundError):
            lc.decide(
                session, unit.supervisor, "0" * 32, "CL/00702/25", LinkageDecision.REJECT,
                reason="checked", zone=ZONE, now=NOW, cache=cache,
            )  # fmt: skip
        assert session.scalar(select(func.count()).select_from(UnitLinkageDecision)) == 0


def test_decisions_go_with_the_person_and_with_the_offence(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    token = unit.work.token("N100234")
    cache = LinkageCache()

    def decide(session: Session, ref: str, decision: LinkageDecision) -> None:
        lc.decide(
            session, unit.supervisor, unit.work.token(ref), "CL/00702/25", decision,
            reason="alibi checked", zone=ZONE, now=NOW, cache=cache,
        )  # fmt: skip

    def count(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(UnitLinkageDecision)) or 0

    with sessions() as session:  # rolled back: the erasure, then the offence's deletion
        for decision in LinkageDecision:
            decide(session, "N100234", decision)
        assert count(session) == 2
        records.record_review(
            session, unit.supervisor, token, ReviewDecision.ERASE,
            reason="review: nothing justifies keeping it", next_review=None, today=TODAY, now=NOW,
        )  # fmt: skip
        assert count(session) == 0
        session.rollback()
    with sessions.begin() as session:
        decide(session, "N100234", LinkageDecision.ACCEPT)
        decide(session, "N100871", LinkageDecision.REJECT)
        session.execute(delete(UnitOffence).where(UnitOffence.offence_ref == "CL/00702/25"))
        assert count(session) == 0


def test_the_command_lines_consultation_names_its_actor_and_reason(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    token = unit.work.token("N100234")
    with sessions.begin() as session:
        before = _last(session)
        found = lc.operator_person_linkage(
            session, token, actor="cli", reason="case 12/26", zone=ZONE, now=NOW, top=1,
            cache=LinkageCache(),
        )  # fmt: skip
        entries = _entries(session, before)
        with pytest.raises(PersonNotFoundError):
            lc.operator_person_linkage(
                session, "f" * 32, actor="cli", reason="x", zone=ZONE, now=NOW
            )
    assert len(found.offences) == 1 and found.compared == 1
    assert entries == [
        (
            "cli",
            "unit.consult",
            f"unit_person:{token}",
            {
                "reason": f"{lc.CONSULT_REASON}: case 12/26",
                "shown": 1,
                "compared": 1,
                "model": "logistic",
            },
        )
    ]


def test_scoring_is_the_same_whatever_the_order_of_the_offences(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    with sessions() as session:
        data = lc.casework_crimes(session, ZONE)
        person = _person(session, unit, "N100234").id
    fitted = lc.fit_casework(data)
    scored = lc.score_person(fitted, person, top=None)
    assert len(scored.rows) == 1 and np.all(np.diff(scored.scores) <= 0)
    assert lc.score_person(fitted, -1).compared == 0


def test_an_accepted_offence_can_become_a_task_and_only_an_accepted_one(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    token = unit.work.token("N100234")
    cache = LinkageCache()
    due = TODAY + timedelta(days=lc.TASK_DAYS)
    with sessions.begin() as session:
        with pytest.raises(LinkageError):
            lc.decide(
                session, unit.supervisor, token, "CL/00702/25", LinkageDecision.REJECT,
                reason="alibi", zone=ZONE, now=NOW, task_due=due, cache=cache,
            )  # fmt: skip
        before = _last(session)
        lc.decide(
            session, unit.supervisor, token, "CL/00702/25", LinkageDecision.ACCEPT,
            reason="same street", zone=ZONE, now=NOW, task_due=due, cache=cache,
        )  # fmt: skip
        task = session.scalars(select(UnitTask).where(UnitTask.due_on == due)).one()
        entries = _entries(session, before)
        offence = session.scalar(
            select(UnitOffence.id).where(UnitOffence.offence_ref == "CL/00702/25")
        )
    assert task.kind is TaskKind.OTHER and task.assigned_to_id == unit.supervisor.user_id
    assert task.offence_id == offence and "CL/00702/25" in task.details
    assert entries[-1][3]["changed"] == ["unit_linkage_decisions.decision", "unit_tasks"]
    assert entries[-1][3]["task"] == task.id


def test_a_large_casework_learns_from_a_seeded_sample_of_suspects(
    sessions: sessionmaker[Session], unit: Unit
) -> None:
    with sessions() as session:
        data = lc.casework_crimes(session, ZONE)
    assert lc.training_offenders(data) is data.offenders  # 3 suspects: all of them
    one = lc.training_offenders(data, limit=1)
    assert len(np.unique(one.offender)) == 1
    assert np.array_equal(one.offender, lc.training_offenders(data, limit=1).offender)
    assert set(one.crime) <= set(data.offenders.crime)
