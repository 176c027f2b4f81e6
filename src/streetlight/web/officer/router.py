"""The officer app (a mobile web page and its JSON API): log an engagement, read out the code.

`POST /api/v1/engagements` needs an `Idempotency-Key` header: the same key again returns the same
engagement (with a fresh code) instead of logging a second one, even when both requests race (a
unique constraint decides). The page's form carries a key made when the page was drawn, so a
double tap or a resubmitted form lands once too.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from streetlight.db import officers as ops
from streetlight.db.models import (
    BackupStatus,
    Engagement,
    EngagementReason,
    Officer,
    Role,
    StaffUser,
)
from streetlight.db.models.verify import NOTE_CHARS
from streetlight.verify import engagements as eng
from streetlight.verify import guessing
from streetlight.verify.engagements import EngagementInput, IssuedCode, Logged, Rules
from streetlight.web.core.context import AppContext, app_context
from streetlight.web.core.deps import (
    ClockDep,
    ContextDep,
    DbSession,
    RulesDep,
    TemplatesDep,
    require_roles,
)
from streetlight.web.core.i18n import N_, translator
from streetlight.web.core.templating import language
from streetlight.web.verify.router import REASONS

router = APIRouter(tags=["officer app"])

OfficerUser = Annotated[StaffUser, Depends(require_roles(Role.OFFICER))]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=eng.KEY_CHARS,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="A random value per new engagement; resend it on retry.",
    ),
]
BACKUP_LABELS = {
    "assigned": N_("on its way"),
    "unassigned": N_("not yet assigned"),
    "arrived": N_("arrived"),
    "cancelled": N_("cancelled"),
}
NOT_ON_DUTY = N_("You are not on duty: start a duty before logging an engagement.")
CODE_BURNT = N_("Someone entered wrong codes: give a new code.")
CHECKS_LOCKED = N_(
    "Checks locked: too many wrong codes for your warrant number today. Every check of it "
    "fails until midnight UTC; tell the control room."
)
KEY_REUSED = N_("This form was already used for a different engagement: reload the page.")


class EngagementIn(BaseModel):
    reason: EngagementReason
    note: str = Field(default="", max_length=NOTE_CHARS)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class BackupRequestOut(BaseModel):
    status: BackupStatus
    eta_minutes: int | None
    distance_m: int | None


class LoggedEngagementOut(BaseModel):
    id: int
    reason: EngagementReason
    note: str
    started_at: datetime
    lon: float | None
    lat: float | None
    backup: BackupRequestOut | None


class CodeOut(BaseModel):
    code: str = Field(description="Read it out as shown (two groups of four digits).")
    expires_at: datetime


class CheckStatusOut(BaseModel):
    """What the public's checks of you look like now."""

    burnt: list[int] = Field(
        description="Engagements whose newest code strangers burnt by wrong tries: give a new one."
    )
    locked: bool = Field(description="Every check of your warrant number fails until the day ends.")
    messages: list[str] = Field(description="What to tell the officer, in the request's language.")


class LoggedOut(BaseModel):
    engagement: LoggedEngagementOut
    code: CodeOut
    replayed: bool = Field(description="True when this key had already logged the engagement.")


def _officer(user: StaffUser) -> Officer:
    if user.officer is None:  # pragma: no cover - officer accounts always name their officer
        raise HTTPException(409, "this account has no officer")
    return user.officer


def _engagement_out(logged_engagement: Engagement) -> LoggedEngagementOut:
    backup = logged_engagement.backup
    return LoggedEngagementOut(
        id=logged_engagement.id,
        reason=logged_engagement.reason,
        note=logged_engagement.note,
        started_at=logged_engagement.started_at,
        lon=logged_engagement.lon,
        lat=logged_engagement.lat,
        backup=BackupRequestOut(
            status=backup.status,
            eta_minutes=backup.eta_minutes,
            distance_m=round(backup.distance_m) if backup.distance_m is not None else None,
        )
        if backup is not None
        else None,
    )


def _code_out(code: IssuedCode) -> CodeOut:
    return CodeOut(code=code.shown, expires_at=code.expires_at)


def _log(
    db: DbSession, user: StaffUser, body: EngagementInput, key: str, rules: Rules, now: datetime
) -> Logged:
    try:
        return eng.log_engagement(
            db, _officer(user), body, key, rules, actor=user.username, now=now
        )
    except eng.NotOnDutyError:
        raise HTTPException(409, "not on duty") from None
    except eng.IdempotencyConflictError:
        raise HTTPException(422, "Idempotency-Key already used for a different request") from None


@router.post(
    "/api/v1/engagements",
    response_model=LoggedOut,
    status_code=201,
    responses={
        200: {"model": LoggedOut, "description": "Replay: this key's engagement, a new code."},
        409: {"description": "Not on duty."},
        422: {"description": "Invalid body, or the key was used for a different request."},
    },
)
def log_engagement_api(
    body: EngagementIn,
    user: OfficerUser,
    db: DbSession,
    key: IdempotencyKey,
    rules: RulesDep,
    clock: ClockDep,
) -> JSONResponse:
    """Log an engagement and get a one-time code to read out (valid 5 minutes, single use).
    A plain-clothes officer with no team colleague nearby gets uniformed backup at once."""
    logged = _log(db, user, EngagementInput(**body.model_dump()), key, rules, clock())
    out = LoggedOut(
        engagement=_engagement_out(logged.engagement),
        code=_code_out(logged.code),
        replayed=logged.replayed,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=200 if logged.replayed else 201)


@router.post(
    "/api/v1/engagements/{engagement_id}/code",
    response_model=CodeOut,
    status_code=201,
    responses={
        404: {"description": "No such engagement of yours."},
        409: {"description": "Off duty."},
    },
)
def new_code_api(
    user: OfficerUser,
    db: DbSession,
    engagement_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    rules: RulesDep,
    clock: ClockDep,
) -> CodeOut:
    """A new code for your engagement on this duty; earlier codes stop working."""
    return _code_out(_new_code(db, user, engagement_id, rules, clock()))


def _new_code(
    db: DbSession, user: StaffUser, engagement_id: int, rules: Rules, now: datetime
) -> IssuedCode:
    try:
        return eng.new_code(db, _officer(user), engagement_id, rules, actor=user.username, now=now)
    except eng.EngagementNotFoundError:
        raise HTTPException(404, "no such engagement") from None
    except eng.NotOnDutyError:
        raise HTTPException(409, "not on duty") from None


def _status(
    db: DbSession, user: StaffUser, context: AppContext, now: datetime
) -> guessing.CheckStatus:
    officer = _officer(user)
    duty = ops.open_duty(db, officer)
    if duty is None:
        return guessing.CheckStatus(burnt=(), locked=False)
    return guessing.check_status(db, officer, duty, context.limits.per_warrant, now)


def _status_messages(status: guessing.CheckStatus) -> list[str]:
    return [m for m, shown in ((CODE_BURNT, status.burnt), (CHECKS_LOCKED, status.locked)) if shown]


@router.get("/api/v1/engagements/checks", response_model=CheckStatusOut)
def check_status_api(
    request: Request, user: OfficerUser, db: DbSession, context: ContextDep, clock: ClockDep
) -> CheckStatusOut:
    """Whether strangers burnt your code (give a new one) or a limit locks your checks; the
    officer app asks every few seconds while it is open."""
    status = _status(db, user, context, clock())
    _ = translator(language(request))
    return CheckStatusOut(
        burnt=list(status.burnt),
        locked=status.locked,
        messages=[_(m) for m in _status_messages(status)],
    )


# --- The mobile page --------------------------------------------------------------------------


def _page(
    request: Request,
    templates: Jinja2Templates,
    db: DbSession,
    user: StaffUser,
    **extra: object,
) -> Response:
    officer = _officer(user)
    duty = ops.open_duty(db, officer)
    context = app_context(request)
    checks = _status(db, user, context, context.clock())
    page: dict[str, object] = {
        "duty": duty,
        "check_messages": _status_messages(checks),
        "burnt": checks.burnt,
        "reasons": REASONS,
        "backup_labels": BACKUP_LABELS,
        "engagements": eng.recent_engagements(db, officer, duty) if duty else [],
        "idempotency_key": secrets.token_urlsafe(16),
        "problem": None,
        "code": None,
        "engagement": None,
    }
    page.update(extra)
    status = 409 if extra.get("problem") else 200
    return templates.TemplateResponse(request, "officer.html", page, status_code=status)


@router.get("/officer", include_in_schema=False)
def officer_page(
    request: Request, user: OfficerUser, db: DbSession, templates: TemplatesDep
) -> Response:
    return _page(request, templates, db, user)


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if low <= number <= high else None


@router.post("/officer/engagements", include_in_schema=False)
def log_engagement_form(
    request: Request,
    user: OfficerUser,
    db: DbSession,
    reason: Annotated[EngagementReason, Form()],
    idempotency_key: Annotated[str, Form(min_length=8, max_length=eng.KEY_CHARS)],
    note: Annotated[str, Form(max_length=NOTE_CHARS)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    *,
    rules: RulesDep,
    clock: ClockDep,
    templates: TemplatesDep,
) -> Response:
    """The code is shown on this POST's own page (it is never stored, so it cannot be shown
    again after a redirect); reloading resubmits the same key: same engagement, a new code."""
    x, y = _coordinate(lon, -180, 180), _coordinate(lat, -90, 90)
    body = EngagementInput(
        reason=reason,
        note=note.strip(),
        lon=x if y is not None else None,
        lat=y if x is not None else None,
    )
    try:
        logged = _log(db, user, body, idempotency_key, rules, clock())
    except HTTPException as exc:
        problem = NOT_ON_DUTY if exc.status_code == 409 else KEY_REUSED
        return _page(request, templates, db, user, problem=problem)
    return _page(request, templates, db, user, code=logged.code, engagement=logged.engagement)


@router.post("/officer/engagements/{engagement_id}/code", include_in_schema=False)
def new_code_form(
    request: Request,
    user: OfficerUser,
    db: DbSession,
    engagement_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    rules: RulesDep,
    clock: ClockDep,
    templates: TemplatesDep,
) -> Response:
    try:
        code = _new_code(db, user, engagement_id, rules, clock())
    except HTTPException as exc:
        if exc.status_code == 404:
            raise
        return _page(request, templates, db, user, problem=NOT_ON_DUTY)
    engagement = db.get(Engagement, engagement_id)
    return _page(request, templates, db, user, code=code, engagement=engagement)
