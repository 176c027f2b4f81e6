"""The analysts' moderation of public reports: the queue, one report (scrubbed, or raw and
audited), and the moves: accept, reject, merge into another, respond, locate.

Every function works in the caller's session and transaction and takes `now` (aware, UTC): the
web layer commits. Every move, and every view of a report's raw text, is written to the audit
chain in the same transaction as the change, without any of the report's content.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.models import PublicReport
from streetlight.db.models.reports import RESPONSE_CHARS
from streetlight.errors import ReportError
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import (
    AUDIT_FACTORS,
    FACTOR_CODE,
    Factor,
    ReportStatus,
    factors_of,
)
from streetlight.reports.normalise import cell_key, clean_text, place_key, point_crs, utc_date
from streetlight.reports.privacy import scrub

QUEUE_MAX = 500
# Live reports: what a report may duplicate, and be merged into.
_LIVE = (ReportStatus.PENDING, ReportStatus.ACCEPTED)


class ReportNotFoundError(ReportError):
    """No report has this id."""

    def __init__(self, report_id: int) -> None:
        super().__init__(f"no public report with id {report_id}")
        self.report_id = report_id


class ModerationError(ReportError):
    """A moderation move that cannot be made (accepting a merged report, merging into itself)."""


@dataclass(frozen=True)
class ReportRow:
    """One report as an analyst sees it. `place` and `text` are scrubbed of phone numbers,
    e-mail addresses and registrations (raw only from `view_detail`, which is audited);
    `scores`: audit factor value -> 1..5, only those given; `possible_duplicates`: ids of other
    pending or accepted reports of the same day in the same 250 m cell (or with the same place
    text when unlocated) that share a factor."""

    id: int
    status: ReportStatus
    submitted_on: date
    occurred_on: date
    time_band: int
    factors: tuple[Factor, ...]
    lon: float | None
    lat: float | None
    place: str
    text: str
    scores: dict[str, int]
    merged_into_id: int | None
    response: str
    possible_duplicates: tuple[int, ...]
    responded_on: date | None = None
    language: str = "en"


# --- The queue -----------------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    status: ReportStatus | None = ReportStatus.PENDING,
    factor: Factor | None = None,
    band: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ReportRow]:
    """Reports for the moderation list, filtered by status (None: all), a factor and a time
    band. Pending reports come oldest first (the order to work through them), others newest
    first. `limit` is capped at 500."""
    query = select(PublicReport)
    if status is not None:
        query = query.where(PublicReport.status == ReportStatus(status))
    if factor is not None:
        query = query.where(PublicReport.factor_mask.op("&")(1 << FACTOR_CODE[Factor(factor)]) != 0)
    if band is not None:
        query = query.where(PublicReport.time_band == int(band))
    oldest_first = status is not None and ReportStatus(status) is ReportStatus.PENDING
    query = query.order_by(PublicReport.id.asc() if oldest_first else PublicReport.id.desc())
    query = query.limit(max(1, min(int(limit), QUEUE_MAX))).offset(max(0, int(offset)))
    reports = session.scalars(query).all()
    duplicates = _possible_duplicates(session, reports)
    return [_row(r, duplicates[r.id]) for r in reports]


def count(session: Session, *, status: ReportStatus | None = ReportStatus.PENDING) -> int:
    """How many reports have `status` (None: all): for the queue's pages."""
    query = select(func.count()).select_from(PublicReport)
    if status is not None:
        query = query.where(PublicReport.status == ReportStatus(status))
    return int(session.scalar(query) or 0)


def get_row(session: Session, report_id: int) -> ReportRow:
    """One report, scrubbed like the list (`ReportNotFoundError` when there is none)."""
    report = _get(session, report_id)
    return _row(report, _possible_duplicates(session, [report])[report.id])


def view_detail(session: Session, report_id: int, *, actor: str, now: datetime) -> ReportRow:
    """One report with its raw place and text, for the analyst `actor`: audited."""
    report = _get(session, report_id)
    row = _row(report, _possible_duplicates(session, [report])[report.id], raw=True)
    _audit(session, "viewed", report, actor, now, {})
    return row


def _get(session: Session, report_id: int) -> PublicReport:
    report = session.get(PublicReport, report_id)
    if report is None:
        raise ReportNotFoundError(report_id)
    return report


def _scores(report: PublicReport) -> dict[str, int]:
    out: dict[str, int] = {}
    for factor in AUDIT_FACTORS:
        value = getattr(report, f"score_{factor.value}")
        if value is not None:
            out[factor.value] = int(value)
    return out


def _row(report: PublicReport, duplicates: tuple[int, ...], *, raw: bool = False) -> ReportRow:
    return ReportRow(
        id=report.id,
        status=report.status,
        submitted_on=report.submitted_on,
        occurred_on=report.occurred_on,
        time_band=report.time_band,
        factors=factors_of(report.factor_mask),
        lon=report.lon,
        lat=report.lat,
        place=report.place if raw else scrub(report.place),
        text=report.text if raw else scrub(report.text),
        scores=_scores(report),
        merged_into_id=report.merged_into_id,
        response=report.response,
        possible_duplicates=duplicates,
        responded_on=report.responded_on,
        language=report.language,
    )


def _where_key(report: PublicReport) -> str:
    # The CRS the point's own position calls for: British National Grid in Great Britain, the
    # same grid as the area's, so no area needs passing to the queue.
    if report.lon is not None and report.lat is not None:
        return cell_key(report.lon, report.lat, point_crs(report.lon, report.lat))
    return place_key(report.place)


def _possible_duplicates(
    session: Session, reports: Sequence[PublicReport]
) -> dict[int, tuple[int, ...]]:
    """For each report, the other live reports of its day, cell (or place) sharing a factor."""
    days = {r.occurred_on for r in reports}
    if not days:
        return {}
    candidates = session.scalars(
        select(PublicReport).where(
            PublicReport.occurred_on.in_(days), PublicReport.status.in_(_LIVE)
        )
    ).all()
    keys: dict[int, str] = {}
    by_day_where: dict[tuple[date, str], list[PublicReport]] = {}
    for candidate in [*candidates, *reports]:
        if candidate.id in keys:
            continue
        keys[candidate.id] = _where_key(candidate)
        if candidate.status in _LIVE:
            by_day_where.setdefault((candidate.occurred_on, keys[candidate.id]), []).append(
                candidate
            )
    out: dict[int, tuple[int, ...]] = {}
    for report in reports:
        same = by_day_where.get((report.occurred_on, keys[report.id]), [])
        out[report.id] = tuple(
            sorted(
                other.id
                for other in same
                if other.id != report.id and other.factor_mask & report.factor_mask
            )
        )
    return out


# --- The moves -----------------------------------------------------------------------------------


def accept(session: Session, report_id: int, *, actor: str, now: datetime) -> None:
    """Accept a pending (or earlier rejected) report: it counts in the analysis from now on."""
    _set_status(session, report_id, ReportStatus.ACCEPTED, "accepted", actor, now)


def reject(session: Session, report_id: int, *, actor: str, now: datetime) -> None:
    """Reject a report as spam or unusable: it stays for the record, out of every count."""
    _set_status(session, report_id, ReportStatus.REJECTED, "rejected", actor, now)


def merge(session: Session, report_id: int, into_id: int, *, actor: str, now: datetime) -> None:
    """Mark `report_id` a duplicate of `into_id`: it leaves the counts, its receipt shows the
    other report's response. Merges never chain: the target must be pending or accepted and
    nothing may already be merged into the report being merged."""
    if report_id == into_id:
        raise ModerationError(f"report {report_id} cannot be merged into itself")
    report = _get(session, report_id)
    target = _get(session, into_id)
    if report.status is ReportStatus.MERGED:
        raise ModerationError(
            f"report {report.id} is already merged into report {report.merged_into_id}"
        )
    if target.status not in _LIVE:
        raise ModerationError(
            f"report {target.id} is {target.status.value}: merge only into a pending or "
            "accepted report"
        )
    children = session.scalars(
        select(PublicReport.id).where(PublicReport.merged_into_id == report.id).limit(3)
    ).all()
    if children:
        listed = ", ".join(str(c) for c in children)
        raise ModerationError(
            f"reports {listed} are merged into report {report.id}: merging it as well would "
            f"make a chain; merge into report {report.id} instead"
        )
    before = report.status
    report.status = ReportStatus.MERGED
    report.merged_into_id = target.id
    session.flush()
    _audit(session, "merged", report, actor, now, {"from": before.value, "into": target.id})


def respond(session: Session, report_id: int, response: str, *, actor: str, now: datetime) -> None:
    """Set the public "you said, we did" text the reporter sees with their receipt (at most
    1000 characters; replacing an earlier one)."""
    report = _get(session, report_id)
    if not isinstance(response, str):
        raise ModerationError("a response must be text")
    try:
        text = clean_text(response[: RESPONSE_CHARS * 4])
    except ValueError as exc:
        raise ModerationError(f"response to report {report.id}: {exc}") from None
    if not text:
        raise ModerationError(f"response to report {report.id} is empty")
    if len(text) > RESPONSE_CHARS or len(response) > RESPONSE_CHARS * 4:
        raise ModerationError(
            f"response to report {report.id} is {len(text)} characters; at most {RESPONSE_CHARS}"
        )
    replaced = bool(report.response)
    report.response = text
    report.responded_on = utc_date(now)
    session.flush()
    _audit(session, "responded", report, actor, now, {"chars": len(text), "replaced": replaced})


def locate(
    session: Session,
    report_id: int,
    lon: float,
    lat: float,
    *,
    area: ReportArea | None,
    actor: str,
    now: datetime,
) -> None:
    """Put a text-only report on the map where the analyst judges its typed place to be
    (within `area` when one is set). A report the public placed keeps its own pin."""
    report = _get(session, report_id)
    if report.lon is not None:
        raise ModerationError(f"report {report.id} already has a map position")
    for value, low, high, name in ((lon, -180.0, 180.0, "longitude"), (lat, -90, 90, "latitude")):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModerationError(f"report {report.id}: {name} must be a number")
        if not (math.isfinite(value) and low <= value <= high):
            raise ModerationError(f"report {report.id}: {name} {value!r} is out of range")
    if area is not None and not area.contains(float(lon), float(lat)):
        raise ModerationError(f"report {report.id}: that position is outside the area")
    report.lon, report.lat = float(lon), float(lat)
    session.flush()
    _audit(session, "located", report, actor, now, {})


def _set_status(
    session: Session, report_id: int, status: ReportStatus, verb: str, actor: str, now: datetime
) -> None:
    report = _get(session, report_id)
    if report.status is ReportStatus.MERGED:
        raise ModerationError(
            f"report {report.id} was merged into report {report.merged_into_id}: "
            f"{verb} that one instead"
        )
    before = report.status
    report.status = status
    session.flush()
    _audit(session, verb, report, actor, now, {"from": before.value, "to": status.value})


def _audit(
    session: Session,
    verb: str,
    report: PublicReport,
    actor: str,
    now: datetime,
    details: dict[str, audit.JSONValue],
) -> None:
    """`report.<verb>` by `actor` on `report:<id>`; `details` never hold the report's content."""
    audit.append(
        session,
        actor=actor,
        action=f"report.{verb}",
        subject=f"report:{report.id}",
        details=details,
        now=now,
    )
