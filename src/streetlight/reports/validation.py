"""Checking what the public sent, before anything is stored: a pure function of the submission,
the force's report area and the time (no database).

`validate` refuses with `ReportRejectedError` naming the first bad field and reason "invalid", or
"outside_area"/"no_area" for a pin the force cannot take; what it returns is the report as
stored (text cleaned, factors as a bitmask). The checks that need the database (replays, the rate
limit, duplicates) are `submission.submit`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

from streetlight.db.models.reports import LANGUAGES, PLACE_CHARS, TEXT_CHARS
from streetlight.errors import ReportError
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import (
    N_BANDS,
    SCORE_MAX,
    SCORE_MIN,
    AuditFactor,
    Factor,
    factor_mask,
)
from streetlight.reports.normalise import clean_text, utc_date

# A report may be made the day after by a clock ahead of UTC, and up to a year later.
FUTURE_SLACK = timedelta(days=1)
MAX_AGE = timedelta(days=366)


class ReportRejectedError(ReportError):
    """A submission refused. `field`: the form field to point at ("" for the whole form):
    "factors", "occurred_on", "time_band", "location" (the pin: lon/lat), "place", "text",
    "score_<audit factor>", "language". `reason`: "invalid", "outside_area", "no_area",
    "too_many", "duplicate" or "replayed"."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Submission:
    """What the public sent, as parsed by the web layer (checked by `validate`).

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
class CleanReport:
    """A submission as stored: `mask` is the factors' bitmask, `place` one line, `text` with
    "\\n" newlines, both cleaned (`normalise.clean_text`)."""

    mask: int
    occurred_on: date
    time_band: int
    lon: float | None
    lat: float | None
    place: str
    text: str
    scores: dict[AuditFactor, int]
    language: str


def validate(submission: Submission, *, area: ReportArea | None, now: datetime) -> CleanReport:
    """The submission as stored, or `ReportRejectedError` naming the first bad field. `area`: where
    the force takes pins (None: it takes none); `now`: aware, for the date's limits."""
    raw_factors = submission.factors
    if isinstance(raw_factors, str) or not isinstance(raw_factors, Iterable):
        raise _invalid("factors", "factors must be a set of factors")
    mask = _clean_factors(raw_factors)
    occurred_on, band = _clean_when(submission.occurred_on, submission.time_band, utc_date(now))
    lon, lat = _clean_point(submission.lon, submission.lat, area)
    place = _clean_free(submission.place, "place", PLACE_CHARS, one_line=True)
    text = _clean_free(submission.text, "text", TEXT_CHARS, one_line=False)
    if lon is None and not place:
        raise _invalid("place", "put a pin on the map or describe the place")
    scores = _clean_scores(submission.scores)
    if submission.language not in LANGUAGES:
        raise _invalid("language", "language must be en or fr")
    return CleanReport(mask, occurred_on, band, lon, lat, place, text, scores, submission.language)


def _invalid(field: str, message: str) -> ReportRejectedError:
    return ReportRejectedError(field, "invalid", message)


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
        raise ReportRejectedError(
            "location", "no_area", "this force takes map positions only within its area, "
            "and none is set up: describe the place instead",
        )  # fmt: skip
    if not area.contains(x, y):
        raise ReportRejectedError(
            "location", "outside_area", "the map position is outside the area"
        )
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
