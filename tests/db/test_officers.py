"""Suspension and end of duty take effect at once and are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import audit
from streetlight.db import officers as ops
from streetlight.db.errors import DutyError, OfficerNotFoundError
from streetlight.db.models import AuditEntry, Dress, OfficerStatus, StaffSession, StaffUser
from tests.db.factories import NOW, add_officer


def test_duty_starts_updates_and_ends(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officer = add_officer(session)
        ops.start_duty(session, "PC1234", dress=Dress.UNIFORM, area="Centre", actor="sup", now=NOW)
        ops.start_duty(
            session, "PC1234", dress=Dress.PLAIN_CLOTHES, area="Docks", actor="sup", now=NOW
        )
        duty = ops.open_duty(session, officer)
        assert duty is not None and (duty.dress, duty.area) == (Dress.PLAIN_CLOTHES, "Docks")
        assert ops.is_on_duty(session, officer)
        assert ops.end_duty(session, "PC1234", actor="sup", now=NOW + timedelta(hours=8))
        assert not ops.end_duty(session, "PC1234", actor="sup", now=NOW + timedelta(hours=9))
        assert not ops.is_on_duty(session, officer)
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["duty.start", "duty.start", "duty.end"]


def test_suspension_ends_duty_and_sessions(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officer = add_officer(session)
        user = StaffUser(
            username="pc", display_name="PC", password_hash="x", totp_secret="x",
            role="officer", active=True, officer=officer, created_at=NOW,
        )  # fmt: skip
        session.add(user)
        session.flush()
        session.add(
            StaffSession(token_hash="a" * 64, user_id=user.id, created_at=NOW,
                         last_seen_at=NOW, expires_at=NOW + timedelta(hours=1))
        )  # fmt: skip
        ops.start_duty(session, "PC1234", dress=Dress.UNIFORM, area="", actor="sup", now=NOW)
    with sessions.begin() as session:
        suspended = ops.suspend(session, "PC1234", actor="sup", now=NOW + timedelta(minutes=1))
        assert suspended.status is OfficerStatus.SUSPENDED
        assert not ops.is_on_duty(session, suspended)
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 0
        with pytest.raises(DutyError, match="suspended"):
            ops.start_duty(session, "PC1234", dress=Dress.UNIFORM, area="", actor="sup", now=NOW)
        ops.reinstate(session, "PC1234", actor="sup", now=NOW + timedelta(minutes=2))
        assert not ops.is_on_duty(session, suspended)  # reinstated, but off duty
    with sessions() as session:
        assert audit.verify_chain(session).ok


def test_unknown_warrant_numbers(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(OfficerNotFoundError, match="'NOPE'"):
        ops.suspend(session, "NOPE", actor="sup", now=NOW)
