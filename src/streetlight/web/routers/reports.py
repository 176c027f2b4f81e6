"""The public's reports of places where they feel unsafe, and their receipts ("you said, we did").

`/report` is a plain form that works without JavaScript (a typed place); with it, `report.js` adds
a Leaflet map of the force's area to put a pin on, and the phone's location. `POST /report`
answers on its own page: the receipt code is shown once and never travels in a URL. A refused
form is drawn again with what was typed and an error summary naming each field. A filled-in
honeypot gets a plain "thank you" and nothing is stored.

`POST /api/v1/reports` is the same for apps (`@cookieless`: it acts on no cookie or session; its
form token comes from `GET /api/v1/reports/form-token`). Every refusal there is a JSON body with
the `field` and a `reason` code: 400 (bad content, a bad or too-fast token), 409 (a replayed form
or a duplicate), 429 (the per-client limit).

Receipts are looked up with `POST /report/receipt` (a form) or `POST /api/v1/reports/status`:
an unknown code gets one answer whatever the reason, and failed look-ups are limited per client
(a salted, daily-rotated hash of the address, `streetlight.db.ratelimit`) against guessing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from streetlight.db import ratelimit
from streetlight.db.models.reports import PLACE_CHARS, TEXT_CHARS
from streetlight.reports import antispam, service
from streetlight.reports.antispam import SpamSuspected
from streetlight.reports.categories import (
    AUDIT_FACTORS,
    BEHAVIOUR,
    ENVIRONMENT,
    FACTORS,
    N_BANDS,
    SCORE_MAX,
    SCORE_MIN,
    TIME_BANDS,
    AuditFactor,
    Factor,
    ReportStatus,
    band_label,
)
from streetlight.reports.service import PublicStatus, Receipt, ReportRejected, Submission
from streetlight.web.context import AppContext, app_context
from streetlight.web.deps import cookieless, public
from streetlight.web.failsafe import client_key
from streetlight.web.i18n import N_, Language, translator
from streetlight.web.routers.verify import LocationIn
from streetlight.web.templating import language

log = logging.getLogger(__name__)

# --- Words shown for the vocabulary (shared with the analyst pages) -------------------------------

FACTOR_LABELS: dict[Factor, str] = {
    Factor.POOR_LIGHTING: N_("Poor lighting"),
    Factor.ISOLATED: N_("Isolated or deserted"),
    Factor.NO_CCTV: N_("No CCTV"),
    Factor.HIDDEN_CORNERS: N_("Hidden corners or places to hide"),
    Factor.POOR_LAYOUT: N_("Poor layout: no clear view or way out"),
    Factor.VERBAL_HARASSMENT: N_("Verbal harassment: comments, catcalls, insults"),
    Factor.FOLLOWED: N_("Being followed"),
    Factor.INDECENT_EXPOSURE: N_("Indecent exposure"),
    Factor.INTIMIDATING_GROUP: N_("An intimidating group"),
    Factor.UNWANTED_TOUCHING: N_("Unwanted touching"),
    Factor.OTHER: N_("Something else"),
}
AUDIT_LABELS: dict[AuditFactor, str] = {
    AuditFactor.LIGHTING: N_("Lighting: can you see clearly?"),
    AuditFactor.OPENNESS: N_("Openness: can you see what is ahead and around you?"),
    AuditFactor.VISIBILITY: N_("Visibility: could other people see you?"),
    AuditFactor.PEOPLE: N_("People: are there other people around, women among them?"),
    AuditFactor.SECURITY: N_("Security: is help nearby, such as police, guards or staff?"),
    AuditFactor.WALKWAY: N_("Walkway: is the path even, wide and clear?"),
    AuditFactor.TRANSPORT: N_("Transport: is public transport close and frequent?"),
}
SCORE_LABELS: tuple[tuple[int, str], ...] = (
    (1, N_("1 very poor")),
    (2, N_("2 poor")),
    (3, N_("3 fair")),
    (4, N_("4 good")),
    (5, N_("5 very good")),
)
STATUS_TEXT: dict[ReportStatus, str] = {
    ReportStatus.PENDING: N_("Received. An analyst has not read it yet."),
    ReportStatus.ACCEPTED: N_(
        "Read and accepted. It now counts in the force's picture of where people feel unsafe, "
        "which guides where officers patrol and what gets fixed."
    ),
    ReportStatus.MERGED: N_(
        "Read. Someone else reported the same place and time, so the two reports are counted "
        "together."
    ),
    ReportStatus.REJECTED: N_("Read, but it could not be used."),
}
FACTOR_GROUPS = (
    (N_("The place"), ENVIRONMENT),
    (N_("What someone did"), BEHAVIOUR),
)
MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip

# --- Why a form was refused, in the public's words -----------------------------------------------

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
RECEIPT_NOT_FOUND = N_(
    "We could not find a report with that code. Check it and try again: letters and numbers "
    "only, dashes do not matter."
)
RECEIPT_LIMITED = N_("Too many codes have been tried from this connection. Try again in an hour.")
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
STATUS_CODES = {"too_many": 429, "duplicate": 409, "replayed": 409}
# A refused form is drawn again with what was typed; more than this is not worth echoing back.
_ECHO_CHARS = 4 * TEXT_CHARS
_FORM_FIELDS_MAX = 64


# --- Parsing the HTML form -----------------------------------------------------------------------


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


def _message(field_name: str, reason: str) -> str:
    return MESSAGES.get((field_name, reason)) or MESSAGES.get(("", reason)) or CHECK_ANSWER


def _page_field(service_field: str) -> str:
    """The page's field for a service field name (`location` errors show by the place box,
    every audit score by the scores)."""
    if service_field.startswith("score_") or service_field == "scores":
        return "scores"
    if service_field == "location":
        return "place"
    return service_field if service_field in TARGETS else ""


def _error(service_field: str, reason: str) -> FieldError:
    if service_field.startswith("score_"):  # score_lighting: its radio group
        target = f"score-{service_field.removeprefix('score_')}-none"
        return FieldError("scores", _message("scores", reason), target)
    return FieldError(_page_field(service_field), _message(service_field, reason))


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse(form: ReportForm, lang: Language) -> tuple[Submission | None, list[FieldError]]:
    """The typed form as a `Submission`, or the answers that cannot be one. What only the
    service can judge (in the area, not in the future...) is left to `service.submit`."""
    errors: list[FieldError] = []
    factors: set[Factor] = set()
    for value in form.factors:
        try:
            factors.add(Factor(value))
        except ValueError:
            errors.append(_error("factors", "invalid"))
            break
    if not factors and not errors:
        errors.append(_error("factors", "invalid"))
    lon = _coordinate(form.lon, -180, 180)
    lat = _coordinate(form.lat, -90, 90)
    if lon is None or lat is None:  # a pin only JavaScript sets: unreadable means none
        lon = lat = None
    place = form.place.replace("\r\n", "\n").strip()
    text = form.text.replace("\r\n", "\n").strip()
    if (lon is None and not place) or len(place) > PLACE_CHARS:
        errors.append(_error("place", "invalid"))
    try:
        occurred_on: date | None = date.fromisoformat(form.occurred_on)
    except ValueError:
        occurred_on = None
        errors.append(_error("occurred_on", "invalid"))
    band = int(form.time_band) if form.time_band.isdigit() else -1
    if band not in TIME_BANDS:
        errors.append(_error("time_band", "invalid"))
    if len(text) > TEXT_CHARS:
        errors.append(_error("text", "invalid"))
    scores: dict[AuditFactor, int] = {}
    for factor in AUDIT_FACTORS:
        given = form.scores.get(factor.value, "")
        if not given:
            continue
        if given.isdigit() and SCORE_MIN <= int(given) <= SCORE_MAX:
            scores[factor] = int(given)
        elif not any(e.field == "scores" for e in errors):
            errors.append(_error(f"score_{factor.value}", "invalid"))
    if errors or occurred_on is None:
        return None, errors
    submission = Submission(
        factors=frozenset(factors), occurred_on=occurred_on, time_band=band, lon=lon, lat=lat,
        place=place, text=text, scores=scores, language=lang,
    )  # fmt: skip
    return submission, []


# --- Running a submission and a look-up (in a worker thread, one transaction each) ---------------


def _min_age(context: AppContext) -> timedelta:
    return timedelta(seconds=context.settings.report_min_seconds)


def _submit(context: AppContext, submission: Submission, token: str, client: str) -> Receipt:
    """Store the report, or raise `SpamSuspected` / `ReportRejected`. A refusal still commits
    what the service wrote for it (a rate-limit hit: duplicates count against the limit)."""
    now = context.clock()
    nonce = antispam.check_form_token(context.secret, token, now, min_age=_min_age(context))
    refused: ReportRejected
    with context.writer, context.sessions.begin() as session:
        try:
            return service.submit(
                session, submission, area=context.report_area, client_key=client,
                nonce_hash=nonce, limits=context.report_limits, now=now,
            )  # fmt: skip
        except ReportRejected as exc:
            refused = exc
    raise refused


def receipt_limit(context: AppContext) -> ratelimit.Limit:
    """Failed receipt look-ups per client per hour."""
    return ratelimit.Limit(
        "report.receipt", context.settings.receipt_lookups_per_hour, timedelta(hours=1)
    )


@dataclass(frozen=True)
class Limited:
    """Too many failed look-ups from this client."""


LookupResult = PublicStatus | Limited | None


def _lookup(context: AppContext, code: str, client: str) -> LookupResult:
    now = context.clock()
    limit = receipt_limit(context)
    with context.writer, context.sessions.begin() as session:
        salt = ratelimit.day_salt(session, now)
        if ratelimit.is_limited(session, limit, client, now, salt):
            return Limited()
        found = service.lookup(session, code)
        if found is None:
            ratelimit.record_hit(session, limit, client, now, salt)
        return found


async def lookup_receipt(request: Request, code: str) -> LookupResult:
    return await anyio.to_thread.run_sync(_lookup, app_context(request), code, client_key(request))


# --- Pages -----------------------------------------------------------------------------------------

router = APIRouter(tags=["reports"])


def human_date(day: date, lang: Language) -> str:
    """`28 November 2025` / `28 novembre 2025`."""
    return f"{day.day} {translator(lang)(MONTHS[day.month - 1])} {day.year}"


def _form_page(
    request: Request,
    form: ReportForm,
    errors: list[FieldError],
    *,
    status_code: int = 200,
    fresh: bool = False,
) -> Response:
    context = app_context(request)
    today = context.clock().date()
    page = {
        "form": form,
        "errors": errors,
        # Each field's first error ("" for none: the page tests `field_errors.place`).
        "field_errors": defaultdict(str, {e.field: e.message for e in reversed(errors)}),
        "factor_groups": [
            (title, [(f.value, FACTOR_LABELS[f]) for f in group]) for title, group in FACTOR_GROUPS
        ],
        "audit_factors": [(f.value, AUDIT_LABELS[f]) for f in AUDIT_FACTORS],
        "score_labels": SCORE_LABELS,
        "scores_given": any(form.scores.values()),
        "bands": [(b, band_label(b)) for b in TIME_BANDS],
        "honeypot": antispam.HONEYPOT_FIELD,
        "has_area": context.report_area is not None,
        "tiles": context.settings.map_tiles or "",
        "latest_date": (today + service.FUTURE_SLACK).isoformat(),
        "earliest_date": (today - service.MAX_AGE).isoformat(),
        "fresh": fresh,
    }
    return context.templates.TemplateResponse(request, "report.html", page, status_code=status_code)


@router.get("/report", include_in_schema=False)
@public
def report_page(request: Request) -> Response:
    context = app_context(request)
    now = context.clock()
    form = ReportForm(
        occurred_on=now.date().isoformat(),
        form_token=antispam.issue_form_token(context.secret, now),
    )
    return _form_page(request, form, [], fresh=True)


def _done(request: Request, receipt: str | None) -> Response:
    return app_context(request).templates.TemplateResponse(
        request, "report_done.html", {"receipt": receipt}
    )


@router.post("/report", include_in_schema=False)
@public
async def report_submit(request: Request) -> Response:
    """The no-JavaScript form (and the map's): the receipt is this POST's own page."""
    context = app_context(request)
    data = await request.form()
    try:
        antispam.check_honeypot(_text(data.get(antispam.HONEYPOT_FIELD)))
    except SpamSuspected:
        log.info("report refused: honeypot")
        return _done(request, None)  # looks like success; nothing is stored
    form = ReportForm.read(data)
    lang = language(request)
    submission, errors = parse(form, lang)
    drop_pin = False
    if submission is not None:
        try:
            receipt = await anyio.to_thread.run_sync(
                _submit, context, submission, form.form_token, client_key(request)
            )
        except SpamSuspected as exc:
            log.info("report refused: %s", exc.reason)
            errors = [FieldError("", _message("form_token", exc.reason))]
            status = 400
        except ReportRejected as exc:
            log.info("report refused: %s (%s)", exc.reason, exc.field or "form")
            errors = [_error(exc.field, exc.reason)]
            status = STATUS_CODES.get(exc.reason, 400)
            drop_pin = exc.field == "location"
        else:
            log.info("report received")
            return _done(request, receipt.code)
    else:
        status = 400
    # Drawn again with a fresh token (the old one may be spent, expired or not yet ripe), and
    # without a pin that was refused (the map would show it, the next send refuse it again).
    again = replace(form, form_token=_token(context))
    if drop_pin:
        again = replace(again, lon="", lat="")
    return _form_page(request, again, errors, status_code=status)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _token(context: AppContext) -> str:
    return antispam.issue_form_token(context.secret, context.clock())


@router.get("/report/area.geojson", include_in_schema=False)
@public
def report_area(request: Request) -> Response:
    """The area's outline for the page map (simplified to about 50 m)."""
    area = app_context(request).report_area
    if area is None:
        raise HTTPException(404, "no report area is set up")
    return JSONResponse(
        area.outline(),
        media_type="application/geo+json",
        headers={"cache-control": "public, max-age=3600"},
    )


@dataclass(frozen=True)
class ReceiptView:
    """A receipt's public status, in words for the page."""

    when: str
    factors: tuple[str, ...]
    submitted: str
    status: str
    response: str
    responded: str


def receipt_view(found: PublicStatus, lang: Language) -> ReceiptView:
    return ReceiptView(
        when=f"{human_date(found.occurred_on, lang)}, {band_label(found.time_band)}",
        factors=tuple(FACTOR_LABELS[f] for f in found.factors),
        submitted=human_date(found.submitted_on, lang),
        status=STATUS_TEXT[found.status],
        response=found.response,
        responded=human_date(found.responded_on, lang) if found.responded_on else "",
    )


def _receipt_page(
    request: Request, *, found: ReceiptView | None = None, problem: str = "", status: int = 200
) -> Response:
    page = {"found": found, "problem": problem}
    return app_context(request).templates.TemplateResponse(
        request, "receipt.html", page, status_code=status
    )


@router.get("/report/receipt", include_in_schema=False)
@public
def receipt_page(request: Request) -> Response:
    return _receipt_page(request)


@router.post("/report/receipt", include_in_schema=False)
@public
async def receipt_lookup(request: Request) -> Response:
    """The code travels in the body only (never in a URL, where logs and history keep it)."""
    data = await request.form()
    found = await lookup_receipt(request, _text(data.get("receipt"))[:64])
    if isinstance(found, Limited):
        return _receipt_page(request, problem=RECEIPT_LIMITED, status=429)
    if found is None:
        return _receipt_page(request, problem=RECEIPT_NOT_FOUND, status=404)
    return _receipt_page(request, found=receipt_view(found, language(request)))


# --- The JSON API ------------------------------------------------------------------------------------


class Rejection(BaseModel):
    """Why a report or a look-up was refused."""

    detail: str = Field(description="What was wrong, in English.")
    field: str = Field(description='The field to fix ("" for the whole request).')
    reason: Literal[
        "invalid", "outside_area", "no_area", "too_many", "duplicate", "replayed",
        "bad_token", "too_fast", "expired", "not_found",
    ]  # fmt: skip


def _rejection(status: int, detail: str, field_name: str, reason: str) -> JSONResponse:
    body = {"detail": detail, "field": field_name, "reason": reason}
    return JSONResponse(body, status_code=status)


class _RejectingRoute(APIRoute):
    """A body that does not fit the model answers 400 with a `Rejection` (the field it names),
    like every other refusal of these routes, rather than FastAPI's 422 list."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = [str(p) for p in first.get("loc", ()) if p != "body"]
                name = where[0] if where else ""
                if name == "scores" and len(where) > 1 and "[key]" not in where:
                    name = f"score_{where[1]}"
                return _rejection(400, str(first.get("msg", "invalid body")), name, "invalid")

        return handle


api = APIRouter(tags=["reports"], route_class=_RejectingRoute)
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": Rejection, "description": "Bad content, or a bad, expired or too-new token."},
    409: {"model": Rejection, "description": "This form was already sent, or a duplicate."},
    429: {"model": Rejection, "description": "Too many reports from this client this hour."},
}


class FormTokenOut(BaseModel):
    form_token: str = Field(description="Send it with one report; usable once.")
    usable_after_seconds: float = Field(description="A report sent sooner is refused.")
    expires_in_seconds: int


class ReportIn(BaseModel):
    """One report. `location`: the pin (within the force's area); `place`: the place in words
    (needed without a pin). `text` is never shown publicly; do not put names or phone numbers
    in it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "form_token": "from GET /api/v1/reports/form-token",
                    "factors": ["poor_lighting", "followed"],
                    "occurred_on": "2025-11-28",
                    "time_band": 7,
                    "place": "Underpass by the station, Albert Road",
                }
            ]
        },
    )

    form_token: str = Field(min_length=1, max_length=256)
    factors: list[Factor] = Field(min_length=1, max_length=len(FACTORS))
    occurred_on: date
    time_band: int = Field(
        ge=0, le=N_BANDS - 1, strict=True, description="0 = 00:00 to 03:00 ... 7 = 21:00 to 24:00"
    )
    location: LocationIn | None = None
    place: str = Field(default="", max_length=PLACE_CHARS)
    text: str = Field(default="", max_length=TEXT_CHARS)
    scores: dict[AuditFactor, Annotated[int, Field(ge=SCORE_MIN, le=SCORE_MAX, strict=True)]] = (
        Field(default_factory=dict)
    )
    language: Language | None = Field(
        default=None, description="The reporter's language; default: Accept-Language."
    )


class ReportOut(BaseModel):
    receipt: str = Field(description="Shown once: the reporter keeps it to see what was done.")


class StatusIn(BaseModel):
    receipt: str = Field(min_length=1, max_length=64)


class StatusOut(BaseModel):
    """What a receipt shows: never the words or the place of the report."""

    status: ReportStatus
    status_text: str = Field(description="The status in words, in the request's language.")
    submitted_on: date
    occurred_on: date
    time_band: int
    time_band_label: str
    factors: list[Factor]
    response: str = Field(description='The force\'s public "we did" text ("" until given).')
    responded_on: date | None


@api.get("/api/v1/reports/form-token", response_model=FormTokenOut)
@cookieless
@public
def form_token(request: Request) -> FormTokenOut:
    """A token for one report: wait `usable_after_seconds` before sending it."""
    context = app_context(request)
    return FormTokenOut(
        form_token=_token(context),
        usable_after_seconds=context.settings.report_min_seconds,
        expires_in_seconds=int(antispam.MAX_AGE.total_seconds()),
    )


@api.post(
    "/api/v1/reports",
    response_model=ReportOut,
    status_code=201,
    responses=REFUSALS,
    summary="Report a place where you feel unsafe",
)
@cookieless
@public
async def report_api(request: Request, body: ReportIn) -> Response:
    """201 with the receipt code. Refusals: 400 `invalid` (with the field), `outside_area`,
    `no_area` (a pin where the force takes none: send `place`), `bad_token`, `too_fast`,
    `expired`; 409 `replayed`, `duplicate`; 429 `too_many` (5 reports per client per hour by
    default)."""
    context = app_context(request)
    submission = Submission(
        factors=frozenset(body.factors), occurred_on=body.occurred_on, time_band=body.time_band,
        lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None,
        place=body.place, text=body.text, scores=dict(body.scores),
        language=body.language or language(request),
    )  # fmt: skip
    try:
        receipt = await anyio.to_thread.run_sync(
            _submit, context, submission, body.form_token, client_key(request)
        )
    except SpamSuspected as exc:
        log.info("report refused: %s", exc.reason)
        return _rejection(400, str(exc), "form_token", exc.reason)
    except ReportRejected as exc:
        log.info("report refused: %s (%s)", exc.reason, exc.field or "form")
        return _rejection(STATUS_CODES.get(exc.reason, 400), exc.message, exc.field, exc.reason)
    log.info("report received")
    return JSONResponse(ReportOut(receipt=receipt.code).model_dump(), status_code=201)


@api.post(
    "/api/v1/reports/status",
    response_model=StatusOut,
    responses={
        404: {"model": Rejection, "description": "No report has this code (or it is malformed)."},
        429: {"model": Rejection, "description": "Too many unknown codes from this client."},
    },
    summary='What happened to a report ("you said, we did")',
)
@cookieless
@public
async def status_api(request: Request, body: StatusIn) -> Response:
    found = await lookup_receipt(request, body.receipt)
    if isinstance(found, Limited):
        return _rejection(429, "too many unknown codes: try again later", "receipt", "too_many")
    if found is None:
        return _rejection(404, "no report has this receipt code", "receipt", "not_found")
    lang = language(request)
    out = StatusOut(
        status=found.status,
        status_text=translator(lang)(STATUS_TEXT[found.status]),
        submitted_on=found.submitted_on,
        occurred_on=found.occurred_on,
        time_band=found.time_band,
        time_band_label=band_label(found.time_band),
        factors=list(found.factors),
        response=found.response,
        responded_on=found.responded_on,
    )
    return JSONResponse(out.model_dump(mode="json"))


router.include_router(api)
