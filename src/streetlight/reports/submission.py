"""Taking a public report in: `submit` checks it, stores it pending and returns its receipt.

It works in the caller's session and transaction and takes `now` (aware, UTC): the web layer
commits. Checks run in this order: the content (`validation.validate`: "invalid",
"outside_area", "no_area"), the form token's nonce ("replayed"), the client's rate limit
("too_many"), duplicates ("duplicate"). A refused submission has written nothing but a rate-limit
hit (kept only if the caller commits: duplicates count against the limit).

The client key (an address) is never stored: the rate limit keeps `sha256(salt of the day + key)`
and the duplicate hash mixes it with the same salt, so neither can be linked to anyone once the
day's salt is deleted. The audit row says only that report N was submitted, never its content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetlight.db import audit, ratelimit
from streetlight.db.models import PublicReport
from streetlight.reports import receipts
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import ReportStatus
from streetlight.reports.normalise import cell_key, place_key, utc_date
from streetlight.reports.validation import CleanReport, ReportRejectedError, Submission, validate

SUBMISSIONS_PER_HOUR = 5
_RATE_SCOPE = "report.submit"
_DEDUPE_SCOPE = b"report.dedupe\x00"


@dataclass(frozen=True)
class ReportLimits:
    """Submissions per client (its address, hashed with the salt of the day) per window."""

    per_client: ratelimit.Limit


def default_limits(per_hour: int = SUBMISSIONS_PER_HOUR) -> ReportLimits:
    """`per_hour` submissions per client per hour (5 by default)."""
    return ReportLimits(ratelimit.Limit(_RATE_SCOPE, per_hour, timedelta(hours=1)))


@dataclass(frozen=True)
class Receipt:
    """`code`: shown to the reporter once, never stored (only its hash)."""

    code: str
    report_id: int


def dedupe_hash(salt: bytes, clean: CleanReport, client_key: str, crs: str | None) -> str:
    """What makes two reports from one client the same on one day: the 250 m cell in `crs` (or
    the typed place), factors, date and band. Salted with the day's salt, so it cannot be linked
    to the client (or across days) once the salt is deleted."""
    where = (
        cell_key(clean.lon, clean.lat, crs)
        if clean.lon is not None and clean.lat is not None and crs is not None
        else place_key(clean.place)
    )
    fields = "\x00".join(
        [where, str(clean.mask), clean.occurred_on.isoformat(), str(clean.time_band), client_key]
    )
    return hashlib.sha256(salt + _DEDUPE_SCOPE + fields.encode("utf-8")).hexdigest()


def _nonce_used(session: Session, nonce_hash: str) -> bool:
    return bool(session.scalar(select(exists().where(PublicReport.nonce_hash == nonce_hash))))


def _replayed() -> ReportRejectedError:
    return ReportRejectedError(
        "", "replayed", "this form was already sent: reload it to send another"
    )


def submit(
    session: Session,
    submission: Submission,
    *,
    area: ReportArea | None,
    client_key: str,
    nonce_hash: str,
    limits: ReportLimits,
    now: datetime,
) -> Receipt:
    """Check and store one public report (status pending) and return its receipt.

    `client_key`: who asks (a client address), only ever stored salted and hashed;
    `nonce_hash`: from `antispam.check_form_token`, unique per report (replay protection).
    Raises `ReportRejectedError`; a concurrent replay of one form ends the same way (the database's
    unique constraint decides, inside a savepoint, so the caller's transaction survives).
    """
    clean = validate(submission, area=area, now=now)
    if not nonce_hash or len(nonce_hash) > 64:
        raise ReportRejectedError("", "invalid", "missing form token")
    if _nonce_used(session, nonce_hash):
        raise _replayed()
    salt = ratelimit.day_salt(session, now)
    if ratelimit.is_limited(session, limits.per_client, client_key, now, salt):
        raise ReportRejectedError(
            "", "too_many", "too many reports from here for now: please try again later"
        )
    ratelimit.record_hit(session, limits.per_client, client_key, now, salt)
    dedupe = dedupe_hash(salt, clean, client_key, area.crs if area is not None else None)
    if session.scalar(select(exists().where(PublicReport.dedupe_hash == dedupe))):
        raise ReportRejectedError("", "duplicate", "you already sent this report today")
    code = receipts.new_receipt()
    report = PublicReport(
        receipt_hash=receipts.receipt_hash(code),
        submitted_on=utc_date(now),
        occurred_on=clean.occurred_on,
        time_band=clean.time_band,
        factor_mask=clean.mask,
        lon=clean.lon,
        lat=clean.lat,
        place=clean.place,
        text=clean.text,
        language=clean.language,
        status=ReportStatus.PENDING,
        nonce_hash=nonce_hash,
        dedupe_hash=dedupe,
        **{f"score_{factor.value}": value for factor, value in clean.scores.items()},
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        if _nonce_used(session, nonce_hash):  # the same form, sent twice at once
            raise _replayed() from None
        raise
    audit.append(
        session,
        actor="public",
        action="report.submitted",
        subject=f"report:{report.id}",
        details={"report_id": report.id},
        now=now,
    )
    return Receipt(code, report.id)
