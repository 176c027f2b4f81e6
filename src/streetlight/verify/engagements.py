"""An officer logs an engagement and gets a one-time code; backup is requested when needed.

Idempotent: the officer app sends an `Idempotency-Key` with each new engagement; the same key
again (a retry after a lost reply, a double tap, a concurrent duplicate) finds the engagement the
first request made, enforced by a unique constraint on `(officer_id, idempotency_key)`. A replay
gets a fresh code for that same engagement (only digests are stored, so the first code cannot be
shown again); earlier codes stay valid until they expire. An explicit "new code" revokes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db import officers as ops
from streetlight.db.audit import JSONValue, canonical_json
from streetlight.db.models import (
    BackupRequest,
    BackupStatus,
    Duty,
    Engagement,
    EngagementReason,
    EngagementStatus,
    Officer,
    OfficerStatus,
    VerificationCode,
)
from streetlight.errors import VerifyError
from streetlight.verify import codes
from streetlight.verify.backup import (
    BackupPlan,
    OnDuty,
    Position,
    distance_m,
    nearby_colleagues,
    plan_backup,
)
from streetlight.verify.events import record

KEY_CHARS = 64


class NotOnDutyError(VerifyError):
    """Only an active officer on duty can log an engagement or get a code."""


class IdempotencyConflictError(VerifyError):
    """The idempotency key was already used for a different request."""


class EngagementNotFoundError(VerifyError):
    """No engagement of this officer has that id."""


@dataclass(frozen=True)
class EngagementInput:
    """What the officer app sends: reason, short note, position (WGS84) when known."""

    reason: EngagementReason
    note: str = ""
    lon: float | None = None
    lat: float | None = None

    @property
    def position(self) -> Position | None:
        if self.lon is None or self.lat is None:
            return None
        return Position(self.lon, self.lat)

    def fingerprint(self) -> str:
        """sha256 of the request's content: what "the same request" means for a replay."""
        content = {"reason": self.reason.value, "note": self.note, "lon": self.lon, "lat": self.lat}
        return hashlib.sha256(canonical_json(content).encode()).hexdigest()


@dataclass(frozen=True)
class Rules:
    """Everything the service needs from the settings, as plain values."""

    key: bytes  # codes.code_key(secret)
    lifetime_minutes: int
    radius_m: float
    max_age_minutes: int
    speed_kmh: float

    @property
    def max_age(self) -> timedelta:
        return timedelta(minutes=self.max_age_minutes)


@dataclass(frozen=True)
class IssuedCode:
    """A code to show the officer once (never stored as is)."""

    code: str
    expires_at: datetime

    @property
    def shown(self) -> str:
        return codes.display(self.code)


@dataclass(frozen=True)
class Logged:
    engagement: Engagement
    code: IssuedCode
    replayed: bool


def issue_code(
    session: Session,
    engagement: Engagement,
    rules: Rules,
    *,
    now: datetime,
    revoke_others: bool,
) -> IssuedCode:
    """Store a new code's digest for `engagement`; with `revoke_others`, earlier live codes of
    this engagement stop working at once."""
    if revoke_others:
        session.execute(
            update(VerificationCode)
            .where(
                VerificationCode.engagement_id == engagement.id,
                VerificationCode.used_at.is_(None),
                VerificationCode.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    code = codes.new_code()
    expires = now + timedelta(minutes=rules.lifetime_minutes)
    session.add(
        VerificationCode(
            engagement_id=engagement.id,
            code_hash=codes.digest(rules.key, engagement.id, code),
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedCode(code, expires)


def _find(session: Session, officer: Officer, key: str) -> Engagement | None:
    return session.scalar(
        select(Engagement).where(
            Engagement.officer_id == officer.id, Engagement.idempotency_key == key
        )
    )


def on_duty_snapshot(session: Session, now: datetime) -> list[OnDuty]:
    """Every active officer on duty, with position and whether already sent as backup."""
    busy = set(
        session.scalars(
            select(BackupRequest.responder_duty_id).where(
                BackupRequest.status == BackupStatus.ASSIGNED,
                BackupRequest.responder_duty_id.is_not(None),
            )
        ).all()
    )
    rows = session.execute(
        select(Duty, Officer)
        .join(Officer, Duty.officer_id == Officer.id)
        .where(Duty.ended_at.is_(None), Officer.status == OfficerStatus.ACTIVE)
    ).all()
    return [_on_duty(duty, officer, duty.id in busy) for duty, officer in rows]


def _on_duty(duty: Duty, officer: Officer, busy: bool = False) -> OnDuty:
    where = (
        Position(duty.last_lon, duty.last_lat)
        if duty.last_lon is not None and duty.last_lat is not None
        else None
    )
    return OnDuty(
        duty_id=duty.id,
        officer_id=officer.id,
        team=officer.team,
        dress=duty.dress,
        position=where,
        position_at=duty.last_position_at,
        busy=busy,
    )


def engagement_position(engagement: Engagement, now: datetime, rules: Rules) -> Position | None:
    """Where the engagement is: as logged, else the officer's fresh last known position."""
    if engagement.lon is not None and engagement.lat is not None:
        return Position(engagement.lon, engagement.lat)
    duty = engagement.duty
    if duty.last_lon is None or duty.last_lat is None or duty.last_position_at is None:
        return None
    if now - duty.last_position_at > rules.max_age:
        return None
    return Position(duty.last_lon, duty.last_lat)


def plan_for(session: Session, engagement: Engagement, rules: Rules, now: datetime) -> BackupPlan:
    me = _on_duty(engagement.duty, engagement.officer)
    return plan_backup(
        me,
        engagement_position(engagement, now, rules),
        on_duty_snapshot(session, now),
        now=now,
        radius_m=rules.radius_m,
        max_age=rules.max_age,
        speed_kmh=rules.speed_kmh,
    )


def colleagues_near(
    session: Session, engagement: Engagement, rules: Rules, now: datetime
) -> Sequence[float]:
    """Distances of same-team colleagues near the engagement now (for the public's page)."""
    me = _on_duty(engagement.duty, engagement.officer)
    return nearby_colleagues(
        me,
        engagement_position(engagement, now, rules),
        on_duty_snapshot(session, now),
        now=now,
        radius_m=rules.radius_m,
        max_age=rules.max_age,
    )


# A second engagement by the same officer this close to an earlier one, while that one's backup
# is still on its way, reuses that backup instead of sending another unit: the same spot, give or
# take a phone's position error (tens of metres) and a few steps along the street.
BACKUP_REUSE_RADIUS_M = 250.0
# ... and only this soon after the first request: a unit sent longer ago is planned afresh (the
# same age as a trusted position, after which the control room's picture is stale anyway).
BACKUP_REUSE_WINDOW = timedelta(minutes=15)


def _backup_on_its_way(
    session: Session, engagement: Engagement, rules: Rules, now: datetime
) -> BackupRequest | None:
    """The officer's open backup request, made on this duty within `BACKUP_REUSE_WINDOW`, for an
    engagement within `BACKUP_REUSE_RADIUS_M` of this one (newest first); None when there is none
    or a position is unknown (then nobody can tell the officer has not moved)."""
    here = engagement_position(engagement, now, rules)
    if here is None:
        return None
    open_requests = session.scalars(
        select(BackupRequest)
        .join(Engagement, BackupRequest.engagement_id == Engagement.id)
        .where(
            Engagement.duty_id == engagement.duty_id,
            Engagement.id != engagement.id,
            BackupRequest.status.in_((BackupStatus.ASSIGNED, BackupStatus.UNASSIGNED)),
            BackupRequest.created_at >= now - BACKUP_REUSE_WINDOW,
            BackupRequest.reuses_id.is_(None),
        )
        .order_by(BackupRequest.id.desc())
    ).all()
    for request in open_requests:
        there = engagement_position(request.engagement, now, rules)
        if there is not None and distance_m(here, there) <= BACKUP_REUSE_RADIUS_M:
            return request
    return None


def remaining_eta(backup: BackupRequest, now: datetime) -> int | None:
    """Whole minutes left of `backup`'s ETA at `now` (None when it has none)."""
    if backup.eta_minutes is None:
        return None
    return max(0, round(backup.eta_minutes - (now - backup.created_at).total_seconds() / 60))


def _reuse(first: BackupRequest, engagement: Engagement, now: datetime) -> BackupRequest:
    """A request for `engagement` that sends nobody more: `first`'s unit, with what is left of
    its ETA."""
    return BackupRequest(
        engagement_id=engagement.id,
        responder_duty_id=first.responder_duty_id,
        distance_m=first.distance_m,
        eta_minutes=remaining_eta(first, now),
        status=first.status,
        created_at=now,
        updated_at=now,
        updated_by="system",
        reuses_id=first.id,
    )


def _planned(engagement: Engagement, plan: BackupPlan, now: datetime) -> BackupRequest:
    responder = plan.responder
    return BackupRequest(
        engagement_id=engagement.id,
        responder_duty_id=responder.duty_id if responder else None,
        distance_m=plan.distance_m,
        eta_minutes=plan.eta_minutes,
        status=BackupStatus.ASSIGNED if responder else BackupStatus.UNASSIGNED,
        created_at=now,
        updated_at=now,
        updated_by="system",
    )


def _request_backup(
    session: Session, engagement: Engagement, plan: BackupPlan, rules: Rules, now: datetime
) -> BackupRequest:
    """Backup for `engagement`: the unit already on its way to this officer here, else the one
    `plan` chose (or none: unassigned, for the operator)."""
    first = _backup_on_its_way(session, engagement, rules, now)
    request = (
        _reuse(first, engagement, now) if first is not None else _planned(engagement, plan, now)
    )
    session.add(request)
    session.flush()
    warrant = engagement.officer.warrant_number
    reused: dict[str, JSONValue] = {"reuses": first.id} if first is not None else {}
    record(
        session,
        actor="system",
        action="backup.request",
        subject=warrant,
        details={
            "engagement_id": engagement.id,
            "backup_id": request.id,
            "status": request.status.value,
            "eta_minutes": request.eta_minutes,
            **reused,
        },
        event={
            "engagement_id": engagement.id,
            "backup_id": request.id,
            "warrant": warrant,
            **reused,
        },
        now=now,
    )
    return request


def log_engagement(
    session: Session,
    officer: Officer,
    request: EngagementInput,
    idempotency_key: str,
    rules: Rules,
    *,
    actor: str,
    now: datetime,
) -> Logged:
    """Log an engagement (or find the one this key already made) and issue a code."""
    duty = ops.open_duty(session, officer)
    if officer.status is not OfficerStatus.ACTIVE or duty is None:
        raise NotOnDutyError(f"officer {officer.warrant_number} is not on duty")
    # Serialise with other writers of the chain: picking the nearest *free* backup unit must not
    # race with another engagement picking the same one.
    audit.lock(session)
    fingerprint = request.fingerprint()
    existing = _find(session, officer, idempotency_key)
    if existing is None:
        engagement = Engagement(
            officer_id=officer.id,
            duty_id=duty.id,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
            reason=request.reason,
            note=request.note,
            lon=request.lon,
            lat=request.lat,
            started_at=now,
            status=EngagementStatus.OPEN,
        )
        try:
            with session.begin_nested():
                session.add(engagement)
                session.flush()
        except IntegrityError:
            # A concurrent request with the same key committed first: use its engagement.
            existing = _find(session, officer, idempotency_key)
            if existing is None:  # pragma: no cover - the constraint named exactly this row
                raise
    if existing is not None:
        if existing.request_hash != fingerprint:
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used for a different engagement"
            )
        code = issue_code(session, existing, rules, now=now, revoke_others=False)
        record(
            session,
            actor=actor,
            action="engagement.replay",
            subject=officer.warrant_number,
            details={"engagement_id": existing.id},
            now=now,
        )
        return Logged(existing, code, replayed=True)

    if request.position is not None:
        ops.record_position(duty, lon=request.position.lon, lat=request.position.lat, now=now)
    record(
        session,
        actor=actor,
        action="engagement.create",
        subject=officer.warrant_number,
        details={"engagement_id": engagement.id, "reason": request.reason.value},
        event={"engagement_id": engagement.id, "warrant": officer.warrant_number},
        now=now,
    )
    plan = plan_for(session, engagement, rules, now)
    if plan.needed:
        _request_backup(session, engagement, plan, rules, now)
    code = issue_code(session, engagement, rules, now=now, revoke_others=False)
    return Logged(engagement, code, replayed=False)


def own_engagement(session: Session, officer: Officer, engagement_id: int) -> Engagement:
    """The officer's engagement `engagement_id` (officers see only their own)."""
    engagement = session.get(Engagement, engagement_id)
    if engagement is None or engagement.officer_id != officer.id:
        raise EngagementNotFoundError(f"no engagement {engagement_id} of this officer")
    return engagement


def new_code(
    session: Session,
    officer: Officer,
    engagement_id: int,
    rules: Rules,
    *,
    actor: str,
    now: datetime,
) -> IssuedCode:
    """A new code for the officer's engagement on the current duty; earlier codes stop working."""
    engagement = own_engagement(session, officer, engagement_id)
    duty = ops.open_duty(session, officer)
    if officer.status is not OfficerStatus.ACTIVE or duty is None or duty.id != engagement.duty_id:
        raise NotOnDutyError(f"officer {officer.warrant_number} is not on that duty any more")
    # The chain's lock before the codes' rows, the order a batch of public checks takes them in
    # (it marks a code used while holding the lock): the other order could deadlock with it.
    audit.lock(session)
    code = issue_code(session, engagement, rules, now=now, revoke_others=True)
    record(
        session,
        actor=actor,
        action="engagement.new_code",
        subject=officer.warrant_number,
        details={"engagement_id": engagement.id},
        now=now,
    )
    return code


def recent_engagements(session: Session, officer: Officer, duty: Duty) -> Sequence[Engagement]:
    """The officer's engagements on this duty, newest first."""
    return session.scalars(
        select(Engagement)
        .where(Engagement.officer_id == officer.id, Engagement.duty_id == duty.id)
        .order_by(Engagement.id.desc())
        .limit(20)
    ).all()
