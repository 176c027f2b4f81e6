"""The public's check of an officer: `/verify` (a plain form that works without JavaScript, in
English and French) and `POST /api/v1/verify` (JSON, the contract acceptance checks use).

Every answer but a committed success is the same "we cannot confirm" with the safety advice, for
an unknown number, a suspended or off-duty officer, a wrong, expired or used code, too many
attempts, and any error or timeout (`streetlight.web.verify.checks`). The JSON route is
`@cookieless`: it reads no cookie and holds no authority a forged cross-site request could borrow.
The HTML forms keep the usual CSRF token (a SameSite=Strict cookie set by the page), so another
site cannot auto-submit a check and show its result on this site's address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from streetlight.db.models import BackupStatus, VerificationOutcome
from streetlight.verify import service
from streetlight.verify.service import SharedLocation, VerifyRequest, VerifyResult
from streetlight.web.core.context import app_context
from streetlight.web.core.deps import (
    ChecksDep,
    ClockDep,
    DbSession,
    SettingsDep,
    TemplatesDep,
    cookieless,
    public,
)
from streetlight.web.core.failsafe import client_key
from streetlight.web.core.i18n import N_, Language, translator
from streetlight.web.core.templating import language
from streetlight.web.verify.checks import verify_safely

router = APIRouter(tags=["verify"])

NOT_CONFIRMED = N_("We cannot confirm this is a police officer on duty.")
CONFIRMED = N_("Confirmed: this is a police officer on duty now.")
ADVICE = (
    N_("Shout to a passer-by."),
    N_("Go into a shop or a house, or knock on a door."),
    N_("Wave down a bus."),
    N_("Call 999."),
    N_("If you cannot speak, call 999 from a mobile and press 55 when asked."),
)
REASONS = {
    "stop": N_("a stop"),
    "search": N_("a search"),
    "arrest": N_("an arrest"),
    "welfare": N_("a welfare check"),
    "witness": N_("looking for witnesses"),
    "other": N_("another reason"),
}
# How long the person's page may show the photo after a successful check.
PHOTO_FOR = timedelta(hours=1)
Token = Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class LocationIn(BaseModel):
    """WGS84 degrees, as a phone gives them."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class VerifyIn(BaseModel):
    """What the person types: the officer's warrant number and the code the officer reads out.
    `location`/`place`: only if the person chooses to tell the control room where they are."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"warrant_number": "PC4471", "code": "1234 5678"}]}
    )

    warrant_number: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=32)
    location: LocationIn | None = None
    place: str = Field(default="", max_length=200)


class OfficerOut(BaseModel):
    name: str
    rank: str
    unit: str
    warrant_number: str
    photo_url: str | None = Field(description="This person's link to the photo (if any).")


class EngagementOut(BaseModel):
    reason: Literal["stop", "search", "arrest", "welfare", "witness", "other"]
    started_at: datetime


class BackupOut(BaseModel):
    status: BackupStatus
    eta_minutes: int | None = Field(description="Minutes until uniformed officers arrive.")


class ColleaguesOut(BaseModel):
    nearby: int = Field(description="Same-team colleagues within the configured distance.")
    nearest_m: int | None = Field(description="Distance to the nearest, metres (rounded).")


class VerifyOut(BaseModel):
    """`verified` is true only for a committed success. Every other case gives this exact body
    (in the request's language) with the other fields null."""

    verified: bool
    message: str
    advice: list[str]
    on_duty: bool | None = None
    officer: OfficerOut | None = None
    engagement: EngagementOut | None = None
    backup: BackupOut | None = None
    colleagues: ColleaguesOut | None = None
    token: str | None = Field(
        default=None,
        description="Verified only: opens the chat with the control room (keep it private).",
    )
    chat_url: str | None = None


class LocationShareIn(BaseModel):
    token: str = Field(min_length=16, max_length=128)
    location: LocationIn | None = None
    place: str = Field(default="", max_length=200)


def _lang(request: Request) -> Language:
    return language(request)


def answer(result: VerifyResult | None, lang: Language) -> VerifyOut:
    """The public JSON answer (also what the pages show)."""
    _ = translator(lang)
    advice = [_(a) for a in ADVICE]
    if result is None or result.confirmed is None:
        return VerifyOut(verified=False, message=_(NOT_CONFIRMED), advice=advice)
    shown = result.confirmed
    officer = shown.officer
    backup = (
        BackupOut(status=shown.backup.status, eta_minutes=shown.backup.eta_minutes)
        if shown.backup
        else None
    )
    nearest = shown.nearest_colleague_m
    return VerifyOut(
        verified=True,
        message=_(CONFIRMED),
        advice=advice,
        on_duty=True,
        officer=OfficerOut(
            name=officer.name,
            rank=officer.rank,
            unit=officer.unit,
            warrant_number=officer.warrant_number,
            photo_url=f"/verify/photo/{result.token}" if officer.has_photo else None,
        ),
        engagement=EngagementOut(reason=shown.reason, started_at=shown.started_at),  # type: ignore[arg-type]
        backup=backup,
        colleagues=ColleaguesOut(
            nearby=shown.colleagues_nearby,
            nearest_m=round(nearest / 10) * 10 if nearest is not None else None,
        ),
        token=result.token,
        chat_url=f"/verify/chat/{result.token}?lang={lang}",
    )


def _location(lon: str, lat: str, place: str) -> SharedLocation:
    try:
        x, y = float(lon), float(lat)
    except ValueError:
        return SharedLocation(place=place.strip())
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        return SharedLocation(place=place.strip())
    return SharedLocation(lon=x, lat=y, place=place.strip())


FAIL_SAFE_PATHS = frozenset({"/verify", "/api/v1/verify"})


def cannot_confirm(request: Request) -> Response:
    """The answer when even the route could not run (see `FailSafeMiddleware`)."""
    result = answer(None, _lang(request))
    if request.url.path.startswith("/api/"):
        return JSONResponse(result.model_dump(mode="json"))
    page = {"result": result, "reasons": REASONS, "token": ""}
    return app_context(request).templates.TemplateResponse(request, "verify_result.html", page)


@router.get("/verify", include_in_schema=False)
@public
def verify_page(request: Request, templates: TemplatesDep) -> Response:
    return templates.TemplateResponse(request, "verify.html")


@router.post("/verify", include_in_schema=False)
@public
async def verify_form(
    request: Request,
    checks: ChecksDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    warrant_number: Annotated[str, Form(max_length=64)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The no-JavaScript form: the result is this POST's own page (nothing to bookmark)."""
    lang = _lang(request)
    check = VerifyRequest(warrant_number, code, client_key(request), SharedLocation())
    result = await verify_safely(checks, settings, check) if warrant_number else None
    page = {
        "result": answer(result, lang),
        "reasons": REASONS,
        "token": result.token if result else "",
        # A failed check's page offers the form again with what was typed, to mend a typo; it
        # is this POST's own answer (no-store), so the code is in no URL, log or history.
        "typed": {"warrant_number": warrant_number, "code": code},
    }
    return templates.TemplateResponse(request, "verify_result.html", page)


@router.post(
    "/api/v1/verify",
    response_model=VerifyOut,
    summary="Check an officer's warrant number and one-time code",
    responses={422: {"description": "The body is not of this form."}},
)
@cookieless
@public
async def verify_api(
    request: Request,
    body: VerifyIn,
    checks: ChecksDep,
    settings: SettingsDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> VerifyOut:
    """Always 200 for a well-formed body: `verified` true only when the officer is on duty now,
    this engagement is logged and the code is live and unused (it is then used up). Otherwise
    the same "cannot confirm" answer whatever the reason, and the control room is alerted (with
    `location`/`place` if given). The third wrong try burns a code; past a warrant number's day's
    budget of wrong tries at its live codes, or the per-client limit, every check answers
    "cannot confirm"."""
    where = SharedLocation(
        lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None,
        place=body.place.strip(),
    )
    check = VerifyRequest(body.warrant_number, body.code, client_key(request), where)
    result = await verify_safely(checks, settings, check)
    return answer(result, _lang(request))


@router.get("/verify/photo/{token}", include_in_schema=False)
@public
def photo(token: Token, db: DbSession, clock: ClockDep) -> Response:
    """The officer's photo, for the person whose check succeeded (no route lists officers)."""
    found = service.find_verification(db, token)
    fresh = found is not None and clock() - found.at <= PHOTO_FOR
    officer = found.officer if found is not None and fresh else None
    if (
        found is None
        or found.outcome is not VerificationOutcome.VERIFIED
        or officer is None
        or officer.photo is None
    ):
        raise HTTPException(404, "no photo")
    return Response(
        officer.photo,
        media_type=officer.photo_media_type or "application/octet-stream",
        headers={"cache-control": "private, no-store"},
    )


@router.post("/verify/location", include_in_schema=False)
@public
def share_location_form(
    request: Request,
    db: DbSession,
    clock: ClockDep,
    templates: TemplatesDep,
    token: Annotated[str, Form(max_length=128)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    where = _location(lon, lat, place)
    found = service.find_verification(db, token)
    shared = found is not None and where.given
    if found is not None and where.given:
        shared = service.share_location(
            db, found, lon=where.lon, lat=where.lat, place=where.place, now=clock()
        )
    page = {
        "result": answer(None, _lang(request)),
        "reasons": REASONS,
        "token": token,
        "shared": shared,
    }
    return templates.TemplateResponse(request, "verify_result.html", page)


class Shared(BaseModel):
    shared: bool


@router.post(
    "/api/v1/verify/location",
    response_model=Shared,
    responses={404: {"description": "Unknown token."}},
)
@cookieless
@public
def share_location_api(body: LocationShareIn, db: DbSession, clock: ClockDep) -> Shared:
    """Tell the control room where you are, with the `token` of your check (any outcome)."""
    found = service.find_verification(db, body.token)
    if found is None:
        raise HTTPException(404, "unknown token")
    where = SharedLocation(
        lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None,
        place=body.place.strip(),
    )
    if not where.given:
        return Shared(shared=False)
    shared = service.share_location(
        db, found, lon=where.lon, lat=where.lat, place=where.place, now=clock()
    )
    return Shared(shared=shared)
