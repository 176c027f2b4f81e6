"""What a reporter sees with their receipt code ("you said, we did"): the status of their report
and the force's public response, never its free text, place or point.

`lookup` only reads; `limited_lookup` also limits failed look-ups per client against guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db import ratelimit
from streetlight.db.models import PublicReport
from streetlight.reports import receipts
from streetlight.reports.categories import Factor, ReportStatus, factors_of


@dataclass(frozen=True)
class PublicStatus:
    """What a receipt shows: never the free text, the place or the point. A merged report shows
    the response given to the report it was merged into, when it has none of its own."""

    status: ReportStatus
    submitted_on: date
    occurred_on: date
    time_band: int
    factors: tuple[Factor, ...]
    response: str
    responded_on: date | None


def lookup(session: Session, code: str) -> PublicStatus | None:
    """What a receipt code shows, or None for a malformed or unknown code."""
    if not isinstance(code, str) or not receipts.is_well_formed(code):
        return None
    report = session.scalar(
        select(PublicReport).where(PublicReport.receipt_hash == receipts.receipt_hash(code))
    )
    if report is None:
        return None
    response, responded_on = report.response, report.responded_on
    if not response and report.merged_into_id is not None:
        target = session.get(PublicReport, report.merged_into_id)
        if target is not None:
            response, responded_on = target.response, target.responded_on
    return PublicStatus(
        status=report.status,
        submitted_on=report.submitted_on,
        occurred_on=report.occurred_on,
        time_band=report.time_band,
        factors=factors_of(report.factor_mask),
        response=response,
        responded_on=responded_on,
    )


def receipt_limit(per_hour: int) -> ratelimit.Limit:
    """`per_hour` failed look-ups per client per hour."""
    return ratelimit.Limit("report.receipt", per_hour, timedelta(hours=1))


@dataclass(frozen=True)
class Limited:
    """Too many failed look-ups from this client."""


def limited_lookup(
    session: Session, code: str, *, client: str, limit: ratelimit.Limit, now: datetime
) -> PublicStatus | Limited | None:
    """`lookup`, or `Limited` when `client` (an address, kept keyed as `streetlight.db.ratelimit`
    says) tried too many unknown codes; an unknown code counts against it. The client's key stays
    locked until the caller commits, so concurrent guesses are counted one after another."""
    if ratelimit.is_limited(session, limit, client, now):
        return Limited()
    found = lookup(session, code)
    if found is None:
        ratelimit.record_hit(session, limit, client, now)
    return found
