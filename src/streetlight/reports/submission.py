"""Taking a public report in: `submit` checks it, stores it pending and returns its receipt.

It works in the caller's session and transaction and takes `now` (aware, UTC): the web layer
commits. Checks run in this order: the content (`validation.validate`: "invalid",
"outside_area", "no_area"), the form token's nonce ("replayed"), the client's rate limit
("too_many"), duplicates ("duplicate"). A refused submission has written nothing but a rate-limit
hit (kept only if the caller commits: duplicates count against the limit).

Nothing stored can lead back to the reporter. The client key (an address) is kept only as
rate-limit hits (`streetlight.db.ratelimit`): keyed with a pepper from the server's secret (a copy
of the database cannot test an address against them), deleted with the day's salt, and stamped
with a coarse time, never the instant of the report's audit row. Duplicates are found through
such a hit too (the client and the report's content, for the rest of the day), so the report
itself keeps nothing derived from the address. The audit row says only that report N was
submitted, never its content.
"""

from __future__ import annotations

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
# The submission hits' time step: any report of the same ten minutes could have made a hit.
HIT_RESOLUTION = timedelta(minutes=10)
_RATE_SCOPE = "report.submit"
# One report per client and content a day; its hits carry the day only (`dedupe_key`).
DUPLICATES = ratelimit.Limit("report.dedupe", 1, timedelta(days=1), resolution=timedelta(days=1))


@dataclass(frozen=True)
class ReportLimits:
    """Submissions per client (its address, keyed as `streetlight.db.ratelimit` says) per
    window."""

    per_client: ratelimit.Limit


def default_limits(per_hour: int = SUBMISSIONS_PER_HOUR) -> ReportLimits:
    """`per_hour` submissions per client per hour (5 by default), stamped in steps of
    `HIT_RESOLUTION`."""
    limit = ratelimit.Limit(_RATE_SCOPE, per_hour, timedelta(hours=1), HIT_RESOLUTION)
    return ReportLimits(limit)


@dataclass(frozen=True)
class Receipt:
    """`code`: shown to the reporter once, never stored (only its hash)."""

    code: str
    report_id: int


def dedupe_key(clean: CleanReport, client_key: str, crs: str | None) -> str:
    """What makes two reports from one client the same on one day: the client, the 250 m cell in
    `crs` (or the typed place), factors, date and band. Used only as a rate-limit key
    (`DUPLICATES`), so it is stored keyed and forgotten with the day's salt."""
    where = (
        cell_key(clean.lon, clean.lat, crs)
        if clean.lon is not None and clean.lat is not None and crs is not None
        else place_key(clean.place)
    )
    return "\x00".join(
        [client_key, where, str(clean.mask), clean.occurred_on.isoformat(), str(clean.time_band)]
    )


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
    _claim(session, clean, client_key, area, limits, now)
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


def _claim(
    session: Session,
    clean: CleanReport,
    client_key: str,
    area: ReportArea | None,
    limits: ReportLimits,
    now: datetime,
) -> None:
    """Count this submission against the client's limit and claim its content for the day, or
    raise "too_many" / "duplicate". Both keys stay locked until the caller commits, so
    concurrent submissions from one client are counted one after another."""
    dedupe = dedupe_key(clean, client_key, area.crs if area is not None else None)
    keys = [(limits.per_client, client_key), (DUPLICATES, dedupe)]
    salt = ratelimit.day_salt(session, now)
    submitted, same = ratelimit.locked_counts(session, keys, now, salt)
    if submitted >= limits.per_client.max_hits:
        raise ReportRejectedError(
            "", "too_many", "too many reports from here for now: please try again later"
        )
    if same:
        ratelimit.record_hit(session, limits.per_client, client_key, now, salt)
        raise ReportRejectedError("", "duplicate", "you already sent this report today")
    ratelimit.add_hits(session, keys, now, salt)
