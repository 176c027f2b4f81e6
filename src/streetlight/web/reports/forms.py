"""The public report form as the browser posts it: read it (bounded, so a refused form can be
drawn again with what was typed), turn it into a `Submission`, and say what was wrong with each
answer in the public's words, with the input the error summary links to.

Pure functions of the posted fields: what only the database or the area can judge (in the area,
not a duplicate...) is `submission.submit`'s, whose refusals `field_error` also words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData

from streetlight.db.models.reports import PLACE_CHARS, TEXT_CHARS
from streetlight.reports.categories import (
    AUDIT_FACTORS,
    FACTORS,
    SCORE_MAX,
    SCORE_MIN,
    TIME_BANDS,
    AuditFactor,
    Factor,
)
from streetlight.reports.validation import Submission
from streetlight.web.core.i18n import N_, Language

# Why a form was refused, in the public's words: by (field, reason), else by reason alone.
MESSAGES: dict[tuple[str, str], str] = {
    ("factors", "invalid"): N_("Choose at least one thing that made you feel unsafe."),
    ("occurred_on", "invalid"): N_("Enter the date it happened: today or a day in the past year."),
    ("time_band", "invalid"): N_("Choose the time of day it happened."),
    ("place", "invalid"): N_("Put a pin on the map or describe the place (up to 200 characters)."),
    ("location", "invalid"): N_("The pin could not be read: put it on the map again."),
    ("location", "outside_area"): N_(
        "The pin is outside the area this force covers: move it, or describe the place instead."
    ),
    ("location", "no_area"): N_(
        "The map cannot be used at the moment: describe the place instead."
    ),
    ("text", "invalid"): N_(
        "Write at most 1,000 characters, in plain text, in the box for anything else."
    ),
    ("scores", "invalid"): N_("Each score goes from 1 (very poor) to 5 (very good)."),
    ("", "too_many"): N_(
        "Too many reports have been sent from this connection in the last hour. Please try "
        "again later."
    ),
    ("", "duplicate"): N_("You have already sent this report today."),
    ("", "replayed"): N_(
        "This form has already been sent. To send another report, check the answers and send again."
    ),
    ("form_token", "bad_token"): N_("This form has expired: check the answers and send again."),
    ("form_token", "expired"): N_("This form has expired: check the answers and send again."),
    ("form_token", "too_fast"): N_("That was very quick: check the answers and send again."),
}
CHECK_ANSWER = N_("Check this answer.")
# Where the error summary's link for each field takes the focus.
TARGETS = {
    "factors": f"factor-{FACTORS[0].value}",
    "occurred_on": "occurred_on",
    "time_band": "time_band",
    "place": "place",
    "text": "text",
    "scores": f"score-{AUDIT_FACTORS[0].value}-none",
    "": "send",
}
# A refused form is drawn again with what was typed; more than this is not worth echoing back.
_ECHO_CHARS = 4 * TEXT_CHARS
_FORM_FIELDS_MAX = 64


@dataclass(frozen=True)
class ReportForm:
    """The form as typed (strings): drawn again, unchanged, when it is refused."""

    factors: frozenset[str] = frozenset()
    occurred_on: str = ""
    time_band: str = ""
    lon: str = ""
    lat: str = ""
    place: str = ""
    text: str = ""
    scores: Mapping[str, str] = field(default_factory=dict)
    form_token: str = ""

    @classmethod
    def read(cls, form: FormData) -> ReportForm:
        def one(name: str) -> str:
            value = form.get(name, "")
            return value[:_ECHO_CHARS] if isinstance(value, str) else ""

        factors = [v for v in form.getlist("factors")[:_FORM_FIELDS_MAX] if isinstance(v, str)]
        return cls(
            factors=frozenset(v[:64] for v in factors),
            occurred_on=one("occurred_on")[:32],
            time_band=one("time_band")[:8],
            lon=one("lon")[:32],
            lat=one("lat")[:32],
            place=one("place"),
            text=one("text"),
            scores={f.value: one(f"score_{f.value}")[:8] for f in AUDIT_FACTORS},
            form_token=one("form_token")[:256],
        )


@dataclass(frozen=True)
class FieldError:
    """One refused answer: `field` (a key of TARGETS), its message id, and the id of the input
    the error summary links to (default: the field's first input)."""

    field: str
    message: str
    input_id: str = ""

    @property
    def target(self) -> str:
        return self.input_id or TARGETS.get(self.field, "send")


def message(field_name: str, reason: str) -> str:
    """The message id for a refusal of `field_name` for `reason` (the most specific there is)."""
    return MESSAGES.get((field_name, reason)) or MESSAGES.get(("", reason)) or CHECK_ANSWER


def _page_field(rejected_field: str) -> str:
    """The page's field for a validation field name (`location` errors show by the place box,
    every audit score by the scores)."""
    if rejected_field.startswith("score_") or rejected_field == "scores":
        return "scores"
    if rejected_field == "location":
        return "place"
    return rejected_field if rejected_field in TARGETS else ""


def field_error(rejected_field: str, reason: str) -> FieldError:
    """The page's error for a refusal of `rejected_field` (a `ReportRejectedError.field`)."""
    if rejected_field.startswith("score_"):  # score_lighting: its radio group
        target = f"score-{rejected_field.removeprefix('score_')}-none"
        return FieldError("scores", message("scores", reason), target)
    return FieldError(_page_field(rejected_field), message(rejected_field, reason))


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse(form: ReportForm, lang: Language) -> tuple[Submission | None, list[FieldError]]:
    """The typed form as a `Submission`, or the answers that cannot be one. What only the
    report's own checks can judge (in the area, not in the future...) is left to
    `submission.submit`."""
    errors: list[FieldError] = []
    factors: set[Factor] = set()
    for value in form.factors:
        try:
            factors.add(Factor(value))
        except ValueError:
            errors.append(field_error("factors", "invalid"))
            break
    if not factors and not errors:
        errors.append(field_error("factors", "invalid"))
    lon = _coordinate(form.lon, -180, 180)
    lat = _coordinate(form.lat, -90, 90)
    if lon is None or lat is None:  # a pin only JavaScript sets: unreadable means none
        lon = lat = None
    place = form.place.replace("\r\n", "\n").strip()
    text = form.text.replace("\r\n", "\n").strip()
    if (lon is None and not place) or len(place) > PLACE_CHARS:
        errors.append(field_error("place", "invalid"))
    try:
        occurred_on: date | None = date.fromisoformat(form.occurred_on)
    except ValueError:
        occurred_on = None
        errors.append(field_error("occurred_on", "invalid"))
    band = int(form.time_band) if form.time_band.isdigit() else -1
    if band not in TIME_BANDS:
        errors.append(field_error("time_band", "invalid"))
    if len(text) > TEXT_CHARS:
        errors.append(field_error("text", "invalid"))
    scores: dict[AuditFactor, int] = {}
    for factor in AUDIT_FACTORS:
        given = form.scores.get(factor.value, "")
        if not given:
            continue
        if given.isdigit() and SCORE_MIN <= int(given) <= SCORE_MAX:
            scores[factor] = int(given)
        elif not any(e.field == "scores" for e in errors):
            errors.append(field_error(f"score_{factor.value}", "invalid"))
    if errors or occurred_on is None:
        return None, errors
    submission = Submission(
        factors=frozenset(factors), occurred_on=occurred_on, time_band=band, lon=lon, lat=lat,
        place=place, text=text, scores=scores, language=lang,
    )  # fmt: skip
    return submission, []
