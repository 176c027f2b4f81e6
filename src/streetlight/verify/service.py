"""A member of the public checks a warrant number and a code.

Every failure (unknown number, suspended, off duty, no engagement, wrong, expired or used code, too
many attempts) runs the same statements and the same number of HMACs, writes the same rows (the
verification, two rate-limit hits, an audit row and a console alert) and returns the same public
answer; only the control room learns which it was. A success marks the code used with a
conditional UPDATE, so of two concurrent checks with one code exactly one succeeds.

The caller owns the transaction and the fail-safe: any exception here, a timeout or a failed
commit must reach the public as "cannot confirm" (see `streetlight.web.routers.verify`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from streetlight.db import ratelimit
from streetlight.db.models import (
    BackupRequest,
    BackupStatus,
    Duty,
    Engagement,
    Officer,
    OfficerStatus,
    Verification,
    VerificationCode,
    VerificationOutcome,
)
from streetlight.db.models.base import table_of
from streetlight.verify import codes
from streetlight.verify.decision import SLOTS, Candidate, Decision, Snapshot, decide, match_code
from streetlight.verify.engagements import Rules, colleagues_near
from streetlight.verify.events import record

WARRANT_CHARS = 32
# Codes older than this are not candidates at all (a duty lasts well under a day).
_LOOKBACK = timedelta(hours=24)
_NO_ID = -1


@dataclass(frozen=True)
class Limits:
    per_warrant: ratelimit.Limit
    per_client: ratelimit.Limit


@dataclass(frozen=True)
class VerifyRequest:
    """What the public typed, and who asks (a client address, hashed before storage)."""

    warrant_number: str
    code: str
    client: str


@dataclass(frozen=True)
class OfficerView:
    warrant_number: str
    name: str
    rank: str
    unit: str
    has_photo: bool


@dataclass(frozen=True)
class BackupView:
    status: BackupStatus
    eta_minutes: int | None


@dataclass(frozen=True)
class Confirmed:
    """What a verified check shows: the officer, the engagement, help nearby."""

    officer: OfficerView
    reason: str
    started_at: datetime
    backup: BackupView | None
    colleagues_nearby: int
    nearest_colleague_m: float | None


@dataclass(frozen=True)
class VerifyResult:
    """`token` opens this person's chat and location sharing (shown to them only)."""

    outcome: VerificationOutcome
    verification_id: int
    token: str
    confirmed: Confirmed | None

    @property
    def verified(self) -> bool:
        return self.confirmed is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_warrant(typed: str) -> str:
    """The warrant number as looked up and stored: trimmed, upper case, at most 32 characters."""
    return typed.strip().upper()[:WARRANT_CHARS]


# The statements of every check, built once on the Core tables: building them per request, and
# the ORM's handling of each, cost more than running them.
_officers, _duties = table_of(Officer), table_of(Duty)
_codes, _engagements = table_of(VerificationCode), table_of(Engagement)
_OFFICER = (
    select(_officers.c.id, _officers.c.status, _duties.c.id)
    .outerjoin(_duties, (_duties.c.officer_id == _officers.c.id) & _duties.c.ended_at.is_(None))
    .where(_officers.c.warrant_number == bindparam("warrant"))
    .limit(1)
)
_CANDIDATES = (
    select(
        _codes.c.id,
        _codes.c.engagement_id,
        _engagements.c.duty_id,
        _codes.c.code_hash,
        _codes.c.expires_at,
        _codes.c.used_at,
        _codes.c.revoked_at,
    )
    .join(_engagements, _codes.c.engagement_id == _engagements.c.id)
    .where(
        _engagements.c.officer_id == bindparam("officer_id"),
        _engagements.c.started_at >= bindparam("since"),
    )
    .order_by(_codes.c.id.desc())
    .limit(SLOTS)
)
_VERIFICATIONS = table_of(Verification)
_INSERT_VERIFICATION = _VERIFICATIONS.insert().returning(_VERIFICATIONS.c.id)


def snapshot(session: Session, warrant: str, now: datetime) -> Snapshot:
    """Two indexed queries, run for every warrant number, known or not."""
    row = session.execute(_OFFICER, {"warrant": warrant}).first()
    officer_id = row[0] if row is not None else None
    looked_up = officer_id if officer_id is not None else _NO_ID
    rows = session.execute(_CANDIDATES, {"officer_id": looked_up, "since": now - _LOOKBACK}).all()
    return Snapshot(
        officer_id=officer_id,
        officer_active=row is not None and row[1] is OfficerStatus.ACTIVE,
        open_duty_id=row[2] if row is not None else None,
        candidates=tuple(Candidate(*r) for r in rows),
    )


def _consume(session: Session, decision: Decision, now: datetime) -> Decision:
    """Mark the code used; a concurrent check that used it first turns this into USED_CODE."""
    candidate = decision.candidate
    if not decision.verified or candidate is None:
        return decision
    result = session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == candidate.code_id, VerificationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 1) != 1:
        return Decision(VerificationOutcome.USED_CODE, candidate)
    return decision


def _confirmed(session: Session, engagement_id: int, rules: Rules, now: datetime) -> Confirmed:
    engagement = session.get_one(Engagement, engagement_id)
    officer = engagement.officer
    backup = session.scalar(
        select(BackupRequest).where(BackupRequest.engagement_id == engagement.id)
    )
    view = None
    if backup is not None:
        eta = backup.eta_minutes
        if eta is not None and backup.status is BackupStatus.ASSIGNED:
            elapsed = (now - backup.created_at).total_seconds() / 60
            eta = max(0, round(eta - elapsed))
        view = BackupView(backup.status, eta if backup.status is BackupStatus.ASSIGNED else None)
    nearby = colleagues_near(session, engagement, rules, now)
    return Confirmed(
        officer=OfficerView(
            officer.warrant_number,
            officer.name,
            officer.rank,
            officer.unit,
            officer.photo is not None,
        ),
        reason=engagement.reason.value,
        started_at=engagement.started_at,
        backup=view,
        colleagues_nearby=len(nearby),
        nearest_colleague_m=nearby[0] if nearby else None,
    )


def verify(
    session: Session,
    request: VerifyRequest,
    *,
    rules: Rules,
    limits: Limits,
    now: datetime,
) -> VerifyResult:
    """Check `request`, record it (verification row, audit, console event) and answer."""
    warrant = clean_warrant(request.warrant_number)
    code = codes.normalise(request.code)
    salt = ratelimit.day_salt(session, now)
    keys = ((limits.per_warrant, warrant), (limits.per_client, request.client))
    limited = ratelimit.any_limited(session, keys, now, salt)
    found = snapshot(session, warrant, now)
    matched = match_code(rules.key, code, found.candidates)
    decision = _consume(session, decide(found, matched, now=now, limited=limited), now)
    token = secrets.token_urlsafe(32)
    engagement_id = decision.candidate.engagement_id if decision.candidate else None
    row = {
        "token_hash": token_hash(token),
        "warrant_number": warrant,
        "officer_id": found.officer_id,
        "engagement_id": engagement_id,
        "outcome": decision.outcome,
        "at": now,
    }
    verification_id: int = session.execute(_INSERT_VERIFICATION, row).scalar_one()
    if not decision.verified:
        ratelimit.add_hits(session, keys, now, salt)
    # Read what a confirmed check shows before taking the audit chain's lock (held to commit).
    confirmed = (
        _confirmed(session, engagement_id, rules, now)
        if decision.verified and engagement_id is not None
        else None
    )
    action = "verify.success" if decision.verified else "verify.failure"
    record(
        session,
        actor="public",
        action=action,
        subject=warrant,
        details={"verification_id": verification_id, "outcome": decision.outcome.value},
        event={
            "verification_id": verification_id,
            "engagement_id": engagement_id,
            "warrant": warrant,
        },
        now=now,
    )
    return VerifyResult(decision.outcome, verification_id, token, confirmed)


def find_verification(session: Session, token: str) -> Verification | None:
    """The verification a public token belongs to (None for an unknown token)."""
    if not token or len(token) > 128:
        return None
    return session.scalar(select(Verification).where(Verification.token_hash == token_hash(token)))


def share_location(
    session: Session,
    verification: Verification,
    *,
    lon: float | None,
    lat: float | None,
    place: str,
    now: datetime,
) -> None:
    """The person chose to tell the control room where they are (after a failed check, say)."""
    if lon is not None and lat is not None:
        verification.shared_lon, verification.shared_lat = lon, lat
    if place:
        verification.shared_place = place[:200]
    verification.shared_at = now
    record(
        session,
        actor="public",
        action="verify.location",
        subject=verification.warrant_number,
        details={"verification_id": verification.id},
        event={"verification_id": verification.id, "warrant": verification.warrant_number},
        now=now,
    )
