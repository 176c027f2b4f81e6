"""Every model round-trips through SQLite and PostgreSQL, and the constraints hold on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress, Duty, Officer, OfficerStatus, Role, StaffUser
from tests.db.factories import NOW, add_officer

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_officer_duty_and_staff_round_trip(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officer = add_officer(session, "PC-77/A", photo=PNG, photo_media_type="image/png")
        session.add(
            Duty(
                officer=officer,
                dress=Dress.PLAIN_CLOTHES,
                area="Old Town",
                started_at=NOW,
                last_lon=-1.2345678,
                last_lat=54.5678901,
                last_position_at=NOW + timedelta(minutes=5),
            )
        )
        session.add(
            StaffUser(
                username="amorgan",
                display_name="Alex Morgan",
                password_hash="$argon2id$placeholder",
                totp_secret="JBSWY3DPEHPK3PXP",
                role=Role.OFFICER,
                active=True,
                officer=officer,
                created_at=NOW,
            )
        )
    with sessions() as session:
        loaded = session.scalars(select(Officer)).one()
        assert (loaded.warrant_number, loaded.status, loaded.photo) == (
            "PC-77/A",
            OfficerStatus.ACTIVE,
            PNG,
        )
        assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None
        duty = loaded.duties[0]
        assert duty.dress is Dress.PLAIN_CLOTHES and duty.on_duty
        assert (duty.last_lon, duty.last_lat) == (-1.2345678, 54.5678901)
        assert duty.last_position_at == NOW + timedelta(minutes=5)
        user = session.scalars(select(StaffUser)).one()
        assert user.role is Role.OFFICER and user.officer is not None
        assert user.officer.warrant_number == "PC-77/A"


def test_warrant_numbers_are_unique(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        add_officer(session, "PC1")
        add_officer(session, "PC1")


def test_one_open_duty_per_officer(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officer = add_officer(session)
        session.add(Duty(officer=officer, dress=Dress.UNIFORM, started_at=NOW, ended_at=NOW))
        session.add(Duty(officer=officer, dress=Dress.UNIFORM, started_at=NOW))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        officer = session.scalars(select(Officer)).one()
        session.add(Duty(officer=officer, dress=Dress.UNIFORM, started_at=NOW))


@pytest.mark.parametrize(
    "fields",
    [
        {"officer_id": 999},  # no such officer: foreign keys are enforced (SQLite too)
        {"last_lat": 91.0},
        {"ended_at": NOW - timedelta(hours=1)},
    ],
)
def test_duty_constraints(sessions: sessionmaker[Session], fields: dict[str, object]) -> None:
    with sessions.begin() as session:
        officer_id = add_officer(session).id
    values: dict[str, object] = {
        "officer_id": officer_id,
        "dress": Dress.UNIFORM,
        "started_at": NOW,
    }
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Duty(**{**values, **fields}))


def test_naive_datetimes_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        add_officer(session, created_at=NOW.replace(tzinfo=None))
