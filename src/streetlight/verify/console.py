"""The control room's view and actions: what is live now, and what an operator may change.

Every view and action is audited by the caller's `record`: actions here, views in the router
(`console.view`, `console.stream`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from streetlight.db.models import (
    BackupRequest,
    BackupStatus,
    Chat,
    CheckTally,
    Engagement,
    EngagementStatus,
    Verification,
    VerificationOutcome,
)
from streetlight.errors import VerifyError
from streetlight.verify import chat as chats
from streetlight.verify import junk
from streetlight.verify.events import record

# What the console shows: the last hours, which covers a shift's open matters.
WINDOW = timedelta(hours=12)
LIMIT = 100


class ConsoleItemNotFoundError(VerifyError):
    """No such engagement, backup request, chat or alert."""


@dataclass(frozen=True)
class ConsoleState:
    """`alerts`: failed checks that matter, one by one; `junk`: the rest, one line a window."""

    engagements: Sequence[Engagement]
    alerts: Sequence[Verification]
    verifications: Sequence[Verification]
    backups: Sequence[BackupRequest]
    chats: Sequence[Chat]
    junk: Sequence[CheckTally] = ()


def alerts(session: Session, since: datetime) -> Sequence[Verification]:
    """Unacknowledged failed checks that matter: of a real warrant number (an impersonator may
    use one), or with a shared location (someone says where they are), those of real numbers
    first, then the newest. Checks of unknown numbers without a location, and checks refused by
    a limit (never stored one by one), are junk: counted in `junk.recent`, so however many
    there are they cannot push an alert that matters off the console."""
    return session.scalars(
        select(Verification)
        .where(
            Verification.at >= since,
            Verification.outcome != VerificationOutcome.VERIFIED,
            Verification.acknowledged_at.is_(None),
            or_(Verification.officer_id.is_not(None), Verification.shared_at.is_not(None)),
        )
        .order_by(Verification.officer_id.is_(None), Verification.id.desc())
        .limit(LIMIT)
    ).all()


def state(session: Session, now: datetime) -> ConsoleState:
    since = now - WINDOW
    engagements = session.scalars(
        select(Engagement)
        .where(Engagement.started_at >= since)
        .options(selectinload(Engagement.officer), selectinload(Engagement.backup))
        .order_by(Engagement.id.desc())
        .limit(LIMIT)
    ).all()
    verifications = session.scalars(
        select(Verification)
        .where(Verification.at >= since, Verification.outcome == VerificationOutcome.VERIFIED)
        .order_by(Verification.id.desc())
        .limit(LIMIT)
    ).all()
    backups = session.scalars(
        select(BackupRequest)
        .where(
            or_(
                BackupRequest.status.in_((BackupStatus.ASSIGNED, BackupStatus.UNASSIGNED)),
                BackupRequest.updated_at >= since,
            )
        )
        .order_by(BackupRequest.id.desc())
        .limit(LIMIT)
    ).all()
    open_chats = session.scalars(
        select(Chat)
        .where(Chat.closed_at.is_(None), Chat.opened_at >= since)
        .options(selectinload(Chat.messages), selectinload(Chat.verification))
        .order_by(Chat.id.desc())
        .limit(LIMIT)
    ).all()
    return ConsoleState(
        engagements,
        alerts(session, since),
        verifications,
        backups,
        open_chats,
        junk.recent(session, since),
    )


_T = TypeVar("_T")


def _get(session: Session, model: type[_T], ident: int, what: str) -> _T:
    found = session.get(model, ident)
    if found is None:
        raise ConsoleItemNotFoundError(f"no {what} {ident}")
    return found


def set_engagement_status(
    session: Session, engagement_id: int, status: EngagementStatus, *, actor: str, now: datetime
) -> Engagement:
    """Confirm (the control room knows this stop) or flag (something is wrong) an engagement."""
    engagement = _get(session, Engagement, engagement_id, "engagement")
    engagement.status, engagement.status_by, engagement.status_at = status, actor, now
    record(
        session,
        actor=actor,
        action=f"engagement.{status.value}",
        subject=engagement.officer.warrant_number,
        details={"engagement_id": engagement.id},
        event={"engagement_id": engagement.id, "status": status.value},
        now=now,
    )
    return engagement


def backup_arrived(session: Session, backup_id: int, *, actor: str, now: datetime) -> BackupRequest:
    """The unit has reached the officer: this request and those that share its unit (one reuses
    the other) are all answered."""
    backup = _get(session, BackupRequest, backup_id, "backup request")
    first = backup.reuses_id or backup.id
    session.execute(
        update(BackupRequest)
        .where(
            or_(BackupRequest.id == first, BackupRequest.reuses_id == first),
            BackupRequest.status.in_((BackupStatus.ASSIGNED, BackupStatus.UNASSIGNED)),
        )
        .values(status=BackupStatus.ARRIVED, updated_by=actor, updated_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    backup.status, backup.updated_by, backup.updated_at = BackupStatus.ARRIVED, actor, now
    record(
        session,
        actor=actor,
        action="backup.arrived",
        subject=str(backup.id),
        details={"backup_id": backup.id, "engagement_id": backup.engagement_id},
        event={"backup_id": backup.id, "engagement_id": backup.engagement_id},
        now=now,
    )
    return backup


def acknowledge(
    session: Session, verification_id: int, *, actor: str, now: datetime
) -> Verification:
    """An operator has seen a failed check and acted on it (radio, 999 call-back...)."""
    alert = _get(session, Verification, verification_id, "alert")
    alert.acknowledged_by, alert.acknowledged_at = actor, now
    record(
        session,
        actor=actor,
        action="verify.acknowledge",
        subject=alert.warrant_number,
        details={"verification_id": alert.id},
        event={"verification_id": alert.id},
        now=now,
    )
    return alert


def reply(session: Session, chat_id: int, body: str, *, actor: str, now: datetime) -> None:
    chat = _get(session, Chat, chat_id, "chat")
    chats.post(
        session, chat, sender=chats.OPERATOR, author=actor, body=body, client_id=None, now=now
    )
