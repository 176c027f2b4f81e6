"""Public reports: taking them in, the reporter's receipt, the analysts' moderation queue, and the
accepted reports as a frame for the analysis.

Every function works in the caller's session and transaction and takes `now` (aware, UTC): the
web layer commits. Submissions and every moderation action (and every view of a report's raw
text) are written to the audit chain without any of the report's content.

Submissions are checked in this order: the content (`ReportRejected` with reason "invalid",
"outside_area" or "no_area"), the form token's nonce ("replayed"), the client's rate limit
("too_many"), duplicates ("duplicate"). A refused submission has written nothing but a rate-limit
hit (kept only if the caller commits). The client key (an address) is never stored: the rate limit
keeps `sha256(salt of the day + key)` and `dedupe_hash` mixes it with the same salt, so neither can
be linked to anyone once the day's salt is deleted.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

import numpy as np
import polars as pl
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetlight.db import audit, ratelimit
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import PublicReport
from streetlight.db.models.reports import (
    LANGUAGES,
    PLACE_CHARS,
    RESPONSE_CHARS,
    TEXT_CHARS,
)
from streetlight.errors import StreetlightError
from streetlight.geo.crs import WGS84, choose_crs, transform
from streetlight.reports import receipts
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import (
    AUDIT_FACTORS,
    FACTOR_CODE,
    FACTORS,
    N_BANDS,
    SCORE_MAX,
    SCORE_MIN,
    AuditFactor,
    Factor,
    ReportStatus,
)
from streetlight.reports.privacy import PUBLIC_CELL_M, scrub, snap

SUBMISSIONS_PER_HOUR = 5
# A report may be made the day after by a clock ahead of UTC, and up to a year later.
FUTURE_SLACK = timedelta(days=1)
MAX_AGE = timedelta(days=366)
QUEUE_MAX = 500
_RATE_SCOPE = "report.submit"
_DEDUPE_SCOPE = b"report.dedupe\x00"
# Live reports: what a new one may duplicate.
_LIVE = (ReportStatus.PENDING, ReportStatus.ACCEPTED)
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_SPACES = re.compile(r"[ \t\u00a0]+")
_NOT_WORD = re.compile(r"[\W_]+")


class ReportRejected(StreetlightError):  # noqa: N818 - the name the web layer shares
    """A submission refused. `field`: the form field to point at ("" for the whole form):
    "factors", "occurred_on", "time_band", "location" (the pin: lon/lat), "place", "text",
    "score_<audit factor>", "language". `reason`: "invalid", "outside_area", "no_area",
    "too_many", "duplicate" or "replayed"."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.message = message


class ReportNotFound(StreetlightError):  # noqa: N818 - the name the web layer shares
    """No report has this id."""

    def __init__(self, report_id: int) -> None:
        super().__init__(f"no public report with id {report_id}")
        self.report_id = report_id


class ModerationError(StreetlightError):
    """A moderation move that cannot be made (accepting a merged report, merging into itself)."""


@dataclass(frozen=True)
class Submission:
    """What the public sent, as parsed by the web layer (validated by `submit`).

    `lon`/`lat`: the pin in WGS84 degrees, both or neither; `place`: a typed description of the
    place; `scores`: the optional 1-5 audit scores; `language`: the form's language, "en"/"fr".
    """

    factors: frozenset[Factor]
    occurred_on: date
    time_band: int
    lon: float | None = None
    lat: float | None = None
    place: str = ""
    text: str = ""
    scores: Mapping[AuditFactor, int] = field(default_factory=lambda: MappingProxyType({}))
    language: str = "en"


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


# --- Small pure helpers --------------------------------------------------------------------------


def factor_mask(factors: Iterable[Factor]) -> int:
    """The bitmask of `factors` (bit n = `FACTOR_CODE` n)."""
    mask = 0
    for factor in factors:
        mask |= 1 << FACTOR_CODE[factor]
    return mask


def factors_of(mask: int) -> tuple[Factor, ...]:
    """The factors a bitmask names, in `FACTORS` order."""
    return tuple(f for f in FACTORS if mask >> FACTOR_CODE[f] & 1)


def clean_text(text: str, *, one_line: bool = False) -> str:
    """Text as stored: NFC, newlines as "\\n" (spaces when `one_line`), runs of spaces and tabs
    as one space, trimmed. `ValueError` for control or invisible formatting characters (they
    could hide or reorder what an analyst reads)."""
    text = unicodedata.normalize("NFC", _NEWLINES.sub("\n", text))
    for ch in text:
        if ch == "\n":
            continue
        if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValueError(f"character U+{ord(ch):04X} is not allowed")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if one_line:
        return " ".join(line for line in lines if line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalised_place(place: str) -> str:
    """A typed place compared for duplicates: case, accents kept, punctuation and spacing not."""
    return " ".join(_NOT_WORD.sub(" ", place.casefold()).split())


def _cell_key(lon: float, lat: float, crs: str) -> str:
    x, y = transform(WGS84, crs, np.array([lon]), np.array([lat]))
    i, j = snap(x, y, PUBLIC_CELL_M)
    return f"{crs}:{int(i[0])}:{int(j[0])}"


def _point_crs(lon: float, lat: float) -> str:
    return choose_crs(np.array([lon]), np.array([lat]))


def _today(now: datetime) -> date:
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(UTC).date()


# --- Validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    mask: int
    occurred_on: date
    time_band: int
    lon: float | None
    lat: float | None
    place: str
    text: str
    scores: dict[AuditFactor, int]
    language: str


def _invalid(field: str, message: str) -> ReportRejected:
    return ReportRejected(field, "invalid", message)


def _clean_factors(raw: Iterable[object]) -> int:
    factors: set[Factor] = set()
    for value in raw:
        try:
            factors.add(Factor(str(value)))
        except ValueError:
            raise _invalid("factors", f"unknown factor {str(value)[:40]!r}") from None
    if not factors:
        raise _invalid("factors", "choose at least one thing that made you feel unsafe")
    return factor_mask(factors)


def _clean_when(occurred_on: object, time_band: object, today: date) -> tuple[date, int]:
    if not isinstance(occurred_on, date) or isinstance(occurred_on, datetime):
        raise _invalid("occurred_on", "the date must be a calendar date")
    if occurred_on > today + FUTURE_SLACK:
        raise _invalid("occurred_on", "the date is in the future")
    if occurred_on < today - MAX_AGE:
        raise _invalid("occurred_on", "the date is more than a year ago")
    if isinstance(time_band, bool) or not isinstance(time_band, int):
        raise _invalid("time_band", "the time of day must be one of the eight bands")
    if not 0 <= time_band < N_BANDS:
        raise _invalid("time_band", f"the time band must be 0..{N_BANDS - 1}")
    return occurred_on, time_band


def _coordinate(value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("location", "the map position must be numbers")
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise _invalid("location", "the map position is not a place on Earth")
    return number


def _clean_point(
    lon: object, lat: object, area: ReportArea | None
) -> tuple[float | None, float | None]:
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        raise _invalid("location", "the map position needs both longitude and latitude")
    x = _coordinate(lon, -180.0, 180.0)
    y = _coordinate(lat, -90.0, 90.0)
    if area is None:
        raise ReportRejected(
            "location", "no_area", "this force takes map positions only within its area, "
            "and none is set up: describe the place instead",
        )  # fmt: skip
    if not area.contains(x, y):
        raise ReportRejected("location", "outside_area", "the map position is outside the area")
    return x, y


def _clean_free(value: object, field: str, limit: int, *, one_line: bool) -> str:
    if not isinstance(value, str):
        raise _invalid(field, "must be text")
    if len(value) > limit * 4:  # do not normalise megabytes
        raise _invalid(field, f"must be at most {limit} characters")
    try:
        cleaned = clean_text(value, one_line=one_line)
    except ValueError as exc:
        raise _invalid(field, str(exc)) from None
    if len(cleaned) > limit:
        raise _invalid(field, f"must be at most {limit} characters")
    return cleaned


def _clean_scores(scores: object) -> dict[AuditFactor, int]:
    if not isinstance(scores, Mapping):
        raise _invalid("", "scores must map audit factors to 1..5")
    clean: dict[AuditFactor, int] = {}
    for key, value in scores.items():
        try:
            factor = AuditFactor(str(key))
        except ValueError:
            raise _invalid("", f"unknown audit factor {str(key)[:40]!r}") from None
        name = f"score_{factor.value}"
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(name, f"the score must be a whole number {SCORE_MIN}..{SCORE_MAX}")
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise _invalid(name, f"the score must be {SCORE_MIN}..{SCORE_MAX}")
        clean[factor] = value
    return clean


def validate(submission: Submission, *, area: ReportArea | None, now: datetime) -> _Clean:
    """The submission as stored, or `ReportRejected` naming the first bad field."""
    raw_factors = submission.factors
    if isinstance(raw_factors, str) or not isinstance(raw_factors, Iterable):
        raise _invalid("factors", "factors must be a set of factors")
    mask = _clean_factors(raw_factors)
    occurred_on, band = _clean_when(submission.occurred_on, submission.time_band, _today(now))
    lon, lat = _clean_point(submission.lon, submission.lat, area)
    place = _clean_free(submission.place, "place", PLACE_CHARS, one_line=True)
    text = _clean_free(submission.text, "text", TEXT_CHARS, one_line=False)
    if lon is None and not place:
        raise _invalid("place", "put a pin on the map or describe the place")
    scores = _clean_scores(submission.scores)
    if submission.language not in LANGUAGES:
        raise _invalid("language", "language must be en or fr")
    return _Clean(mask, occurred_on, band, lon, lat, place, text, scores, submission.language)


# --- Submission ----------------------------------------------------------------------------------


def _dedupe_hash(salt: bytes, clean: _Clean, client_key: str, crs: str | None) -> str:
    where = (
        _cell_key(clean.lon, clean.lat, crs)
        if clean.lon is not None and clean.lat is not None and crs is not None
        else "place:" + normalised_place(clean.place)
    )
    fields = "\x00".join(
        [where, str(clean.mask), clean.occurred_on.isoformat(), str(clean.time_band), client_key]
    )
    return hashlib.sha256(salt + _DEDUPE_SCOPE + fields.encode("utf-8")).hexdigest()


def _nonce_used(session: Session, nonce_hash: str) -> bool:
    return bool(session.scalar(select(exists().where(PublicReport.nonce_hash == nonce_hash))))


def _replayed() -> ReportRejected:
    return ReportRejected("", "replayed", "this form was already sent: reload it to send another")


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
    Raises `ReportRejected`; a concurrent replay of one form ends the same way (the database's
    unique constraint decides, inside a savepoint, so the caller's transaction survives).
    """
    clean = validate(submission, area=area, now=now)
    if not nonce_hash or len(nonce_hash) > 64:
        raise ReportRejected("", "invalid", "missing form token")
    if _nonce_used(session, nonce_hash):
        raise _replayed()
    salt = ratelimit.day_salt(session, now)
    if ratelimit.is_limited(session, limits.per_client, client_key, now, salt):
        raise ReportRejected(
            "", "too_many", "too many reports from here for now: please try again later"
        )
    ratelimit.record_hit(session, limits.per_client, client_key, now, salt)
    dedupe = _dedupe_hash(salt, clean, client_key, area.crs if area is not None else None)
    if session.scalar(select(exists().where(PublicReport.dedupe_hash == dedupe))):
        raise ReportRejected("", "duplicate", "you already sent this report today")
    code = receipts.new_receipt()
    report = PublicReport(
        receipt_hash=receipts.receipt_hash(code),
        submitted_on=_today(now),
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


# --- The reporter's receipt ----------------------------------------------------------------------


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


# --- The analysts' queue -------------------------------------------------------------------------


def _scores(report: PublicReport) -> dict[str, int]:
    out: dict[str, int] = {}
    for factor in AUDIT_FACTORS:
        value = getattr(report, f"score_{factor.value}")
        if value is not None:
            out[factor.value] = int(value)
    return out


def _where_key(report: PublicReport) -> str:
    # The CRS the point's own position calls for: British National Grid in Great Britain, the
    # same grid as the area's, so no area needs passing to the queue.
    if report.lon is not None and report.lat is not None:
        return _cell_key(report.lon, report.lat, _point_crs(report.lon, report.lat))
    return "place:" + normalised_place(report.place)


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


def _get(session: Session, report_id: int) -> PublicReport:
    report = session.get(PublicReport, report_id)
    if report is None:
        raise ReportNotFound(report_id)
    return report


def get_row(session: Session, report_id: int) -> ReportRow:
    """One report, scrubbed like the list (`ReportNotFound` when there is none)."""
    report = _get(session, report_id)
    return _row(report, _possible_duplicates(session, [report])[report.id])


def view_detail(session: Session, report_id: int, *, actor: str, now: datetime) -> ReportRow:
    """One report with its raw place and text, for the analyst `actor`: audited."""
    report = _get(session, report_id)
    row = _row(report, _possible_duplicates(session, [report])[report.id], raw=True)
    _audit(session, "viewed", report, actor, now, {})
    return row


# --- Moderation ----------------------------------------------------------------------------------


def _audit(
    session: Session,
    verb: str,
    report: PublicReport,
    actor: str,
    now: datetime,
    details: dict[str, audit.JSONValue],
) -> None:
    audit.append(
        session,
        actor=actor,
        action=f"report.{verb}",
        subject=f"report:{report.id}",
        details=details,
        now=now,
    )


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
    report.responded_on = _today(now)
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


# --- Into the analysis ---------------------------------------------------------------------------

ACCEPTED_SCHEMA: dict[str, type[pl.DataType]] = {
    "report_id": pl.Int64,
    "lon": pl.Float64,
    "lat": pl.Float64,
    "occurred_on": pl.Date,
    "time_band": pl.Int8,
    "factor_mask": pl.Int64,
}


def accepted_frame(session: Session) -> pl.DataFrame:
    """Accepted reports, one row each, by id: report_id, lon, lat (null when unlocated),
    occurred_on, time_band, factor_mask. No text, place or scores."""
    rows = session.execute(
        select(
            PublicReport.id,
            PublicReport.lon,
            PublicReport.lat,
            PublicReport.occurred_on,
            PublicReport.time_band,
            PublicReport.factor_mask,
        )
        .where(PublicReport.status == ReportStatus.ACCEPTED)
        .order_by(PublicReport.id)
    ).all()
    columns = list(ACCEPTED_SCHEMA)
    data = {name: [row[n] for row in rows] for n, name in enumerate(columns)}
    return pl.DataFrame(data, schema=ACCEPTED_SCHEMA)


def load_accepted(database_url: str) -> pl.DataFrame:
    """`accepted_frame` of the database at `database_url` (for the command line)."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return accepted_frame(session)
    finally:
        engine.dispose()
