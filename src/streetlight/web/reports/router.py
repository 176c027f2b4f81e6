"""The public's pages for reporting a place where they feel unsafe, and their receipts ("you
said, we did"). The same for apps, in JSON, is `reports_api`.

`/report` is a plain form that works without JavaScript (a typed place); with it, `report.js` adds
a Leaflet map of the force's area to put a pin on, the phone's location, and a street finder
(`/report/places`, from the incident store's public snap points: `street_finder`). `POST /report`
answers on its own page: the receipt code is shown once and never travels in a URL. A refused
form is drawn again with what was typed and an error summary naming each field. A filled-in
honeypot gets a plain "thank you" and nothing is stored.

Receipts are looked up with `POST /report/receipt` (a form): an unknown code gets one answer
whatever the reason, and failed look-ups are limited per client (`requests.py`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from streetlight.reports import antispam
from streetlight.reports.antispam import SpamSuspectedError
from streetlight.reports.categories import AUDIT_FACTORS, TIME_BANDS, band_label
from streetlight.reports.receipt_status import Limited, PublicStatus
from streetlight.reports.validation import FUTURE_SLACK, MAX_AGE, ReportRejectedError
from streetlight.web.core.context import AppContext
from streetlight.web.core.deps import ContextDep, ReportAreaDep, TemplatesDep, public
from streetlight.web.core.failsafe import client_key
from streetlight.web.core.i18n import N_, Language
from streetlight.web.core.templating import language
from streetlight.web.reports.forms import FieldError, ReportForm, field_error, message, parse
from streetlight.web.reports.requests import (
    STATUS_CODES,
    lookup_receipt,
    new_form_token,
    submit_for,
)
from streetlight.web.reports.street_finder import StreetsDep, has_incidents
from streetlight.web.reports.words import (
    AUDIT_LABELS,
    FACTOR_GROUPS,
    FACTOR_LABELS,
    SCORE_LABELS,
    STATUS_TEXT,
    human_date,
)

log = logging.getLogger(__name__)

RECEIPT_NOT_FOUND = N_(
    "We could not find a report with that code. Check it and try again: letters and numbers "
    "only, dashes do not matter."
)
RECEIPT_LIMITED = N_("Too many codes have been tried from this connection. Try again in an hour.")

# The street finder's query, in characters once trimmed, and its number of answers.
QUERY_MIN, QUERY_MAX = 2, 60
PLACES_LIMIT = 8
# A tapped point: "LON,LAT" in degrees, as the map sends it (6 decimals).
_NEAR = r"^-?\d{1,3}(\.\d{1,8})?,-?\d{1,2}(\.\d{1,8})?$"
# The part of the map shown, "WEST,SOUTH,EAST,NORTH" in degrees; at most this many labels on it.
_DEGREES = r"-?\d{1,3}(\.\d{1,8})?"
_BOX = rf"^{_DEGREES},{_DEGREES},{_DEGREES},{_DEGREES}$"
LABELS_LIMIT = 40

router = APIRouter(tags=["reports"])


# --- The form ------------------------------------------------------------------------------------


def _form_page(
    request: Request,
    context: AppContext,
    form: ReportForm,
    errors: list[FieldError],
    *,
    status_code: int = 200,
    fresh: bool = False,
) -> Response:
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
        "street_finder": context.report_area is not None and has_incidents(context.settings.store),
        "tiles": context.settings.map_tiles or "",
        "latest_date": (today + FUTURE_SLACK).isoformat(),
        "earliest_date": (today - MAX_AGE).isoformat(),
        "fresh": fresh,
    }
    return context.templates.TemplateResponse(request, "report.html", page, status_code=status_code)


@router.get("/report", include_in_schema=False)
@public
def report_page(request: Request, context: ContextDep) -> Response:
    now = context.clock()
    form = ReportForm(
        occurred_on=now.date().isoformat(),
        form_token=antispam.issue_form_token(context.secret, now),
    )
    return _form_page(request, context, form, [], fresh=True)


def _done(request: Request, templates: Jinja2Templates, receipt: str | None) -> Response:
    return templates.TemplateResponse(request, "report_done.html", {"receipt": receipt})


@router.post("/report", include_in_schema=False)
@public
async def report_submit(request: Request, context: ContextDep) -> Response:
    """The no-JavaScript form (and the map's): the receipt is this POST's own page."""
    data = await request.form()
    try:
        antispam.check_honeypot(_text(data.get(antispam.HONEYPOT_FIELD)))
    except SpamSuspectedError:
        log.info("report refused: honeypot")
        return _done(request, context.templates, None)  # looks like success; nothing is stored
    form = ReportForm.read(data)
    submission, errors = parse(form, language(request))
    drop_pin = False
    if submission is not None:
        try:
            receipt = await submit_for(context, submission, form.form_token, client_key(request))
        except SpamSuspectedError as exc:
            log.info("report refused: %s", exc.reason)
            errors = [FieldError("", message("form_token", exc.reason))]
            status = 400
        except ReportRejectedError as exc:
            log.info("report refused: %s (%s)", exc.reason, exc.field or "form")
            errors = [field_error(exc.field, exc.reason)]
            status = STATUS_CODES.get(exc.reason, 400)
            drop_pin = exc.field == "location"
        else:
            log.info("report received")
            return _done(request, context.templates, receipt.code)
    else:
        status = 400
    # Drawn again with a fresh token (the old one may be spent, expired or not yet ripe), and
    # without a pin that was refused (the map would show it, the next send refuse it again).
    again = replace(form, form_token=new_form_token(context))
    if drop_pin:
        again = replace(again, lon="", lat="")
    return _form_page(request, context, again, errors, status_code=status)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@router.get("/report/area.geojson", include_in_schema=False)
@public
def report_area(area: ReportAreaDep) -> Response:
    """The area's outline for the page map (simplified to about 50 m)."""
    if area is None:
        raise HTTPException(404, "no report area is set up")
    return JSONResponse(
        area.outline(),
        media_type="application/geo+json",
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/report/places", include_in_schema=False)
@public
async def report_places(
    streets: StreetsDep,
    q: str = "",
    near: Annotated[str, Query(max_length=40, pattern=_NEAR)] = "",
    box: Annotated[str, Query(alias="in", max_length=80, pattern=_BOX)] = "",
) -> Response:
    """The page map's streets, as `[{name, district, lon, lat}]`, from public data only
    (data.police.uk snap points); neither the query nor the point is logged or kept:
    - `q`: the street finder, at most 8 streets matching it (2 to 60 characters once trimmed,
      else none);
    - `near=LON,LAT`: the street nearest a tap on the map (none when none is close);
    - `in=WEST,SOUTH,EAST,NORTH`: the busiest streets of the part of the map shown (at most 40),
      for its labels."""
    if box:
        west, south, east, north = (float(v) for v in box.split(","))
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise HTTPException(422, "in: west,south,east,north in degrees")
        found = await streets.in_box((west, south, east, north), LABELS_LIMIT)
    elif near:
        lon, lat = (float(v) for v in near.split(","))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise HTTPException(422, "near: longitude,latitude in degrees")
        found = await streets.nearest(lon, lat)
    else:
        query = q.strip()
        if not QUERY_MIN <= len(query) <= QUERY_MAX:
            return JSONResponse([])
        found = await streets.find(query, PLACES_LIMIT)
    return JSONResponse(
        [{"name": e.name, "district": e.district, "lon": e.lon, "lat": e.lat} for e in found]
    )


# --- The receipt ---------------------------------------------------------------------------------


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
    request: Request,
    templates: Jinja2Templates,
    *,
    found: ReceiptView | None = None,
    problem: str = "",
    status: int = 200,
) -> Response:
    page = {"found": found, "problem": problem}
    return templates.TemplateResponse(request, "receipt.html", page, status_code=status)


@router.get("/report/receipt", include_in_schema=False)
@public
def receipt_page(request: Request, templates: TemplatesDep) -> Response:
    return _receipt_page(request, templates)


@router.post("/report/receipt", include_in_schema=False)
@public
async def receipt_lookup(request: Request, context: ContextDep) -> Response:
    """The code travels in the body only (never in a URL, where logs and history keep it)."""
    data = await request.form()
    code = _text(data.get("receipt"))[:64]
    found = await lookup_receipt(context, code, client_key(request))
    templates = context.templates
    if isinstance(found, Limited):
        return _receipt_page(request, templates, problem=RECEIPT_LIMITED, status=429)
    if found is None:
        return _receipt_page(request, templates, problem=RECEIPT_NOT_FOUND, status=404)
    return _receipt_page(request, templates, found=receipt_view(found, language(request)))
