"""Officer and duty changes, each in the caller's transaction and each written to the audit log.

Suspension and end of duty take effect at once because nothing caches them: every request reads
the officer's status and open duty afresh, and suspension also deletes the officer's sessions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.errors import DutyError, OfficerNotFoundError
from streetlight.db.models import Dress, Duty, Officer, OfficerStatus, StaffSession, StaffUser


def find_officer(session: Session, warrant_number: str) -> Officer | None:
    return session.scalar(select(Officer).where(Officer.warrant_number == warrant_number))


def get_officer(session: Session, warrant_number: str) -> Officer:
    """The officer with this warrant number, or `OfficerNotFoundError`."""
    officer = find_officer(session, warrant_number)
    if officer is None:
        raise OfficerNotFoundError(warrant_number)
    return officer


def open_duty(session: Session, officer: Officer) -> Duty | None:
    """The officer's current duty period, or None when off duty."""
    return session.scalar(
        select(Duty).where(Duty.officer_id == officer.id, Duty.ended_at.is_(None)).limit(1)
    )


def is_on_duty(session: Session, officer: Officer) -> bool:
    return officer.status is OfficerStatus.ACTIVE and open_duty(session, officer) is not None


def suspend(session: Session, warrant_number: str, *, actor: str, now: datetime) -> Officer:
    """Suspend an officer: ends any open duty and signs their own account out everywhere."""
    officer = get_officer(session, warrant_number)
    officer.status = OfficerStatus.SUSPENDED
    officer.updated_at = now
    duty = open_duty(session, officer)
    if duty is not None:
        duty.ended_at = now
    user_ids = select(StaffUser.id).where(StaffUser.officer_id == officer.id)
    session.execute(delete(StaffSession).where(StaffSession.user_id.in_(user_ids)))
    audit.append(
        session,
        actor=actor,
        action="officer.suspend",
        subject=warrant_number,
        details={"ended_duty": duty is not None},
        now=now,
    )
    session.flush()
    return officer


def reinstate(session: Session, warrant_number: str, *, actor: str, now: datetime) -> Officer:
    """Lift a suspension (the officer is still off duty until a duty starts)."""
    officer = get_officer(session, warrant_number)
    officer.status = OfficerStatus.ACTIVE
    officer.updated_at = now
    audit.append(session, actor=actor, action="officer.reinstate", subject=warrant_number, now=now)
    session.flush()
    return officer


def start_duty(
    session: Session,
    warrant_number: str,
    *,
    dress: Dress,
    area: str,
    actor: str,
    now: datetime,
    started_at: datetime | None = None,
) -> Duty:
    """Put an officer on duty; if already on duty, update how they are dressed and where."""
    officer = get_officer(session, warrant_number)
    if officer.status is not OfficerStatus.ACTIVE:
        raise DutyError(f"officer {warrant_number} is suspended and cannot go on duty")
    duty = open_duty(session, officer)
    if duty is None:
        duty = Duty(officer=officer, dress=dress, area=area, started_at=started_at or now)
        session.add(duty)
    else:
        duty.dress = dress
        duty.area = area
    audit.append(
        session,
        actor=actor,
        action="duty.start",
        subject=warrant_number,
        details={"dress": dress.value, "area": area},
        now=now,
    )
    session.flush()
    return duty


def end_duty(session: Session, warrant_number: str, *, actor: str, now: datetime) -> bool:
    """End the officer's duty now; False when they were not on duty."""
    officer = get_officer(session, warrant_number)
    duty = open_duty(session, officer)
    if duty is None:
        return False
    duty.ended_at = max(now, duty.started_at)
    audit.append(session, actor=actor, action="duty.end", subject=warrant_number, now=now)
    session.flush()
    return True


def record_position(duty: Duty, *, lon: float, lat: float, now: datetime) -> None:
    """The officer app's last known position (WGS84 degrees), not audited: it is routine."""
    duty.last_lon = lon
    duty.last_lat = lat
    duty.last_position_at = now
