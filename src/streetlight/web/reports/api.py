"""The public report and its receipt for apps, in JSON: the same checks as the pages
(`reports`), with refusals as data rather than words.

Every route is `@cookieless` (it acts on no cookie or session). A report's form token comes from
`GET /api/v1/reports/form-token`. Every refusal is a JSON `Rejection` with the `field` and a
`reason` code: 400 (bad content, a bad or too-fast token), 409 (a replayed form or a duplicate),
429 (the per-client limit); `POST /api/v1/reports/status` answers an unknown code with 404
whatever the reason, and limits failed look-ups per client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from streetlight.db.models.reports import PLACE_CHARS, TEXT_CHARS
from streetlight.reports import antispam
from streetlight.reports.antispam import SpamSuspectedError
from streetlight.reports.categories import (
    FACTORS,
    N_BANDS,
    SCORE_MAX,
    SCORE_MIN,
    AuditFactor,
    Factor,
    ReportStatus,
    band_label,
)
from streetlight.reports.receipt_status import Limited
from streetlight.reports.validation import ReportRejectedError, Submission
from streetlight.web.core.deps import ContextDep, cookieless, public
from streetlight.web.core.failsafe import client_key
from streetlight.web.core.i18n import Language, translator
from streetlight.web.core.templating import language
from streetlight.web.reports.requests import (
    STATUS_CODES,
    lookup_receipt,
    new_form_token,
    submit_for,
)
from streetlight.web.reports.words import STATUS_TEXT
from streetlight.web.verify.router import LocationIn

log = logging.getLogger(__name__)


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


router = APIRouter(tags=["reports"], route_class=_RejectingRoute)
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


@router.get("/api/v1/reports/form-token", response_model=FormTokenOut)
@cookieless
@public
def form_token(context: ContextDep) -> FormTokenOut:
    """A token for one report: wait `usable_after_seconds` before sending it."""
    return FormTokenOut(
        form_token=new_form_token(context),
        usable_after_seconds=context.settings.report_min_seconds,
        expires_in_seconds=int(antispam.MAX_AGE.total_seconds()),
    )


@router.post(
    "/api/v1/reports",
    response_model=ReportOut,
    status_code=201,
    responses=REFUSALS,
    summary="Report a place where you feel unsafe",
)
@cookieless
@public
async def report_api(request: Request, body: ReportIn, context: ContextDep) -> Response:
    """201 with the receipt code. Refusals: 400 `invalid` (with the field), `outside_area`,
    `no_area` (a pin where the force takes none: send `place`), `bad_token`, `too_fast`,
    `expired`; 409 `replayed`, `duplicate`; 429 `too_many` (5 reports per client per hour by
    default)."""
    submission = Submission(
        factors=frozenset(body.factors), occurred_on=body.occurred_on, time_band=body.time_band,
        lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None,
        place=body.place, text=body.text, scores=dict(body.scores),
        language=body.language or language(request),
    )  # fmt: skip
    try:
        receipt = await submit_for(context, submission, body.form_token, client_key(request))
    except SpamSuspectedError as exc:
        log.info("report refused: %s", exc.reason)
        return _rejection(400, str(exc), "form_token", exc.reason)
    except ReportRejectedError as exc:
        log.info("report refused: %s (%s)", exc.reason, exc.field or "form")
        return _rejection(STATUS_CODES.get(exc.reason, 400), exc.message, exc.field, exc.reason)
    log.info("report received")
    return JSONResponse(ReportOut(receipt=receipt.code).model_dump(), status_code=201)


@router.post(
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
async def status_api(request: Request, body: StatusIn, context: ContextDep) -> Response:
    found = await lookup_receipt(context, body.receipt, client_key(request))
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
