"""The offender units' tables round-trip on SQLite and PostgreSQL, their rules hold in the
database itself, and erasing a person takes everything about them along."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    OrderKind,
    PersonRole,
    Relationship,
    ReviewDecision,
    SafeguardingStatus,
    Sex,
    TaskKind,
    TaskStatus,
)
from streetlight.db.models import (
    Role,
    StaffUser,
    UnitArrest,
    UnitBail,
    UnitCaseload,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitReview,
    UnitTask,
)
from tests.db.factories import NOW


def _person(session: Session, ref: str, **fields: object) -> UnitPerson:
    values: dict[str, object] = {
        "token": f"{ref:0>32}"[-32:],
        "person_ref": ref,
        "review_due": date(2027, 12, 1),
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    person = UnitPerson(**values)
    session.add(person)
    session.flush()
    return person


def _offence(session: Session, ref: str = "CR/1/26", **fields: object) -> UnitOffence:
    values: dict[str, object] = {
        "offence_ref": ref,
        "ho_code": "8U",
        "subgroup": "Stalking and harassment",
        "category": "Violence and sexual offences",
        "vawg": True,
        "occurred_from": NOW - timedelta(days=30),
        "occurred_to": NOW - timedelta(days=2),
        "reported_at": NOW,
        "x": 449_123.5,
        "y": 520_456.25,
        "relationship_": Relationship.EX_PARTNER,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    offence = UnitOffence(**values)
    session.add(offence)
    session.flush()
    return offence


def _officer(session: Session, role: Role = Role.UNIT_OFFICER) -> StaffUser:
    user = StaffUser(
        username=f"u-{role.value}",
        display_name="Sam Reed",
        password_hash="$argon2id$placeholder",
        totp_secret="JBSWY3DPEHPK3PXP",
        role=role,
        created_at=NOW,
    )
    session.add(user)
    session.flush()
    return user


def test_casework_round_trips(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        suspect = _person(session, "P1", surname="Doe", sex=Sex.MALE, ethnicity="W1")
        victim = _person(session, "P2")
        offence = _offence(session)
        officer = _officer(session)
        session.add_all(
            [
                UnitLink(person=suspect, offence=offence, role=PersonRole.SUSPECT, created_at=NOW),
                UnitLink(
                    person=victim,
                    offence=offence,
                    role=PersonRole.VICTIM,
                    safeguarding=SafeguardingStatus.UNASSESSED,
                    created_at=NOW,
                ),
                UnitArrest(
                    arrest_ref="A1",
                    person_id=suspect.id,
                    offence_id=offence.id,
                    arrested_at=NOW,
                    charged_at=NOW + timedelta(hours=20),
                    outcome="Awaiting court outcome",
                    created_at=NOW,
                    updated_at=NOW,
                ),
                UnitBail(
                    bail_ref="B1",
                    person_id=suspect.id,
                    offence_id=offence.id,
                    kind=BailKind.PRE_CHARGE_BAIL,
                    starts=date(2026, 3, 15),
                    expires=date(2026, 6, 15),
                    authority=BailAuthority.INSPECTOR,
                    conditions="Not to contact the victim",
                    victim_views_sought=True,
                    created_at=NOW,
                    updated_at=NOW,
                ),
                UnitOrder(
                    order_ref="O1",
                    person_id=suspect.id,
                    kind=OrderKind.SEXUAL_HARM_PREVENTION,
                    starts=date(2026, 3, 16),
                    protected_person_id=victim.id,
                    breached_at=NOW + timedelta(days=3),
                    created_at=NOW,
                    updated_at=NOW,
                ),
                UnitTask(
                    person_id=suspect.id,
                    offence_id=offence.id,
                    kind=TaskKind.SAFEGUARD_VICTIM,
                    assigned_to=officer,
                    due_on=date(2026, 3, 20),
                    created_at=NOW,
                    updated_at=NOW,
                ),
            ]
        )
    with sessions() as session:
        loaded = session.scalars(select(UnitOffence)).one()
        assert loaded.occurred_from == NOW - timedelta(days=30)
        assert loaded.occurred_from.tzinfo is not None
        assert (loaded.x, loaded.y, loaded.relationship_) == (
            449_123.5,
            520_456.25,
            Relationship.EX_PARTNER,
        )
        roles = {(link.person.person_ref, link.role, link.safeguarding) for link in loaded.links}
        assert roles == {
            ("P1", PersonRole.SUSPECT, None),
            ("P2", PersonRole.VICTIM, SafeguardingStatus.UNASSESSED),
        }
        person = session.scalars(select(UnitPerson).where(UnitPerson.person_ref == "P1")).one()
        assert (person.sex, person.forenames, person.date_of_birth) == (Sex.MALE, None, None)
        order = session.scalars(select(UnitOrder)).one()
        assert order.kind is OrderKind.SEXUAL_HARM_PREVENTION  # longer than 16 characters
        task = session.scalars(select(UnitTask)).one()
        assert task.status is TaskStatus.OPEN and task.assigned_to is not None


@pytest.mark.parametrize(
    ("what", "fields"),
    [
        ("rui with an expiry", {"kind": BailKind.RELEASED_UNDER_INVESTIGATION}),
        ("bail without authority", {"authority": None}),
        ("bail expiring before it starts", {"expires": date(2026, 3, 1)}),
    ],
)
def test_bail_terms_are_checked_by_the_database(
    sessions: sessionmaker[Session], what: str, fields: dict[str, object]
) -> None:
    values: dict[str, object] = {
        "bail_ref": "B1",
        "kind": BailKind.PRE_CHARGE_BAIL,
        "starts": date(2026, 3, 15),
        "expires": date(2026, 6, 15),
        "authority": BailAuthority.INSPECTOR,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        person, offence = _person(session, "P1"), _offence(session)
        session.add(UnitBail(person_id=person.id, offence_id=offence.id, **values))
        session.flush()
        pytest.fail(what)


@pytest.mark.parametrize(
    ("role", "safeguarding"),
    [
        (PersonRole.VICTIM, None),
        (PersonRole.SUSPECT, SafeguardingStatus.IN_PLACE),
    ],
)
def test_only_victims_carry_a_safeguarding_status(
    sessions: sessionmaker[Session], role: PersonRole, safeguarding: SafeguardingStatus | None
) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        person, offence = _person(session, "P1"), _offence(session)
        session.add(
            UnitLink(
                person_id=person.id,
                offence_id=offence.id,
                role=role,
                safeguarding=safeguarding,
                created_at=NOW,
            )
        )
        session.flush()


def test_a_link_is_unique_per_person_offence_and_role(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        person, offence = _person(session, "P1"), _offence(session)
        for _ in range(2):
            session.add(
                UnitLink(
                    person_id=person.id,
                    offence_id=offence.id,
                    role=PersonRole.WITNESS,
                    created_at=NOW,
                )
            )
            session.flush()


def test_offence_times_and_points_are_checked(sessions: sessionmaker[Session]) -> None:
    for fields in (
        {"occurred_to": NOW - timedelta(days=31)},
        {"reported_at": NOW - timedelta(days=31)},
        {"y": None},
    ):
        with pytest.raises(IntegrityError), sessions.begin() as session:
            _offence(session, **fields)


def test_erasing_a_person_erases_what_is_about_them(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        suspect, victim = _person(session, "P1"), _person(session, "P2")
        offence = _offence(session)
        user = _officer(session)
        session.add_all(
            [
                UnitLink(
                    person_id=suspect.id,
                    offence_id=offence.id,
                    role=PersonRole.SUSPECT,
                    created_at=NOW,
                ),
                UnitArrest(
                    arrest_ref="A1",
                    person_id=suspect.id,
                    offence_id=offence.id,
                    arrested_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                ),
                UnitOrder(
                    order_ref="O1",
                    person_id=victim.id,  # an order against the victim, protecting the suspect
                    kind=OrderKind.NON_MOLESTATION,
                    starts=date(2026, 3, 16),
                    protected_person_id=suspect.id,
                    created_at=NOW,
                    updated_at=NOW,
                ),
                UnitTask(
                    person_id=suspect.id,
                    kind=TaskKind.ARREST,
                    status=TaskStatus.DONE,
                    due_on=date(2026, 3, 20),
                    created_at=NOW,
                    updated_at=NOW,
                    closed_at=NOW,
                ),
                UnitCaseload(user_id=user.id, person_id=suspect.id, since=NOW),
                UnitReview(
                    person_id=suspect.id,
                    decision=ReviewDecision.RETAIN,
                    reason="Active investigation",
                    decided_by_id=user.id,
                    decided_at=NOW,
                    next_review=date(2027, 3, 14),
                ),
            ]
        )
    with sessions.begin() as session:
        session.delete(session.get_one(UnitPerson, suspect.id))
    with sessions() as session:
        for model in (UnitLink, UnitArrest, UnitTask, UnitCaseload, UnitReview):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
        order = session.scalars(select(UnitOrder)).one()
        assert order.protected_person_id is None  # the order stays: it is about the victim
        assert session.get(UnitOffence, offence.id) is not None


def test_a_task_is_closed_exactly_when_done_or_cancelled(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        person = _person(session, "P1")
        session.add(
            UnitTask(
                person_id=person.id,
                kind=TaskKind.APPLY_FOR_ORDER,
                status=TaskStatus.DONE,
                due_on=date(2026, 3, 20),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.flush()
