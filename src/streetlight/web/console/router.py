"""The control-room console: a live view of engagements, checks (failed ones flagged as possible
impersonation), backup requests and open chats; operators answer chats, confirm or flag an
engagement, mark backup arrived and acknowledge alerts. Every view and every action is audited.

Live updates come from `GET /api/v1/console/events` (server-sent events). Each app process
polls the `console_events` table (`streetlight.verify.events`), so an event written by any
process reaches every console; a browser that reconnects sends `Last-Event-ID` and misses
nothing. `console.js` reloads the live panel (`/console/live`, the same template as the page)
on each event; without JavaScript the page reloads itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Form, Header, HTTPException, Path, Request
from fastapi.responses import RedirectResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from streetlight.db.models import EngagementStatus, Role, StaffUser
from streetlight.db.models.verify import MESSAGE_CHARS
from streetlight.verify import chat as chats
from streetlight.verify import console, events
from streetlight.verify.events import record
from streetlight.web.console import stops
from streetlight.web.core.context import AppContext
from streetlight.web.core.deps import (
    ClockDep,
    ContextDep,
    DbSession,
    TemplatesDep,
    require_roles,
)
from streetlight.web.core.i18n import N_
from streetlight.web.officer.router import BACKUP_LABELS
from streetlight.web.verify.router import REASONS

router = APIRouter(tags=["console"])

ControlRoom = Annotated[StaffUser, Depends(require_roles(Role.OPERATOR, Role.SUPERVISOR))]
Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]
OUTCOMES = {
    "verified": N_("verified"),
    "unknown_officer": N_("unknown warrant number"),
    "off_duty": N_("officer off duty"),
    "suspended": N_("officer suspended"),
    "no_engagement": N_("no engagement logged"),
    "wrong_code": N_("wrong code"),
    "expired_code": N_("expired code"),
    "used_code": N_("code already used"),
    "limited": N_("too many attempts"),
    "error": N_("error"),
}
STATUSES = {"open": N_("open"), "confirmed": N_("confirmed"), "flagged": N_("flagged")}


class EventOut(BaseModel):
    id: int
    kind: str = Field(description="engagement.create, verify.failure, backup.request, ...")
    at: datetime
    data: dict[str, Any]


class EngagementRow(BaseModel):
    id: int
    warrant_number: str
    officer: str
    dress: str
    reason: str
    note: str
    started_at: datetime
    lon: float | None
    lat: float | None
    status: EngagementStatus
    backup_id: int | None
    backup_status: str | None
    eta_minutes: int | None


class AlertRow(BaseModel):
    id: int
    warrant_number: str
    outcome: str
    at: datetime
    possible_impersonation: bool
    shared_lon: float | None
    shared_lat: float | None
    shared_place: str


class JunkRow(BaseModel):
    """Checks not listed one by one in a window: of unknown warrant numbers, and refused by a
    rate limit (counted only)."""

    window_start: datetime
    unknown: int
    refused: int
    first_at: datetime
    last_at: datetime


class ChatRow(BaseModel):
    id: int
    engagement_id: int | None
    messages: int


class StateOut(BaseModel):
    last_event_id: int
    engagements: list[EngagementRow]
    alerts: list[AlertRow]
    junk: list[JunkRow] = Field(description="One line per window of the checks not listed.")
    chats: list[ChatRow]


def _view(db: DbSession, user: StaffUser, what: str, now: datetime) -> console.ConsoleState:
    record(db, actor=user.username, action="console.view", subject=what, now=now)
    return console.state(db, now)


def _template_page(
    request: Request,
    templates: Jinja2Templates,
    state: console.ConsoleState,
    db: DbSession,
    template: str,
) -> Response:
    page = {
        "state": state,
        "reasons": REASONS,
        "outcomes": OUTCOMES,
        "statuses": STATUSES,
        "backup_labels": BACKUP_LABELS,
        "last_event_id": events.last_id(db),
        "by_stop": stops.by_stop,
        "folded": stops.folded,
    }
    return templates.TemplateResponse(request, template, page)


@router.get("/console", include_in_schema=False)
def console_page(
    request: Request, user: ControlRoom, db: DbSession, clock: ClockDep, templates: TemplatesDep
) -> Response:
    state = _view(db, user, "console.html", clock())
    return _template_page(request, templates, state, db, "console.html")


@router.get("/console/live", include_in_schema=False)
def console_live(
    request: Request, user: ControlRoom, db: DbSession, clock: ClockDep, templates: TemplatesDep
) -> Response:
    """The live panel alone, for `console.js` to swap in after an event."""
    state = _view(db, user, "_console_live.html", clock())
    return _template_page(request, templates, state, db, "_console_live.html")


@router.get("/api/v1/console/state", response_model=StateOut)
def console_state(user: ControlRoom, db: DbSession, clock: ClockDep) -> StateOut:
    """What the console shows, as JSON (the last 12 hours)."""
    state = _view(db, user, "api", clock())
    return StateOut(
        last_event_id=events.last_id(db),
        engagements=[
            EngagementRow(
                id=e.id,
                warrant_number=e.officer.warrant_number,
                officer=e.officer.name,
                dress=e.duty.dress.value,
                reason=e.reason.value,
                note=e.note,
                started_at=e.started_at,
                lon=e.lon,
                lat=e.lat,
                status=e.status,
                backup_id=e.backup.id if e.backup else None,
                backup_status=e.backup.status.value if e.backup else None,
                eta_minutes=e.backup.eta_minutes if e.backup else None,
            )
            for e in state.engagements
        ],
        alerts=[
            AlertRow(
                id=v.id,
                warrant_number=v.warrant_number,
                outcome=v.outcome.value,
                at=v.at,
                possible_impersonation=True,
                shared_lon=v.shared_lon,
                shared_lat=v.shared_lat,
                shared_place=v.shared_place,
            )
            for v in state.alerts
        ],
        junk=[
            JunkRow(
                window_start=j.window_start,
                unknown=j.unknown,
                refused=j.refused,
                first_at=j.first_at,
                last_at=j.last_at,
            )
            for j in state.junk
        ],
        chats=[
            ChatRow(id=c.id, engagement_id=c.verification.engagement_id, messages=len(c.messages))
            for c in state.chats
        ],
    )


def _start_id(context: AppContext, last_event_id: str | None) -> int:
    if last_event_id and last_event_id.isdigit():
        return int(last_event_id)
    with context.sessions() as session:
        return events.last_id(session)


@router.get(
    "/api/v1/console/events",
    response_class=EventSourceResponse,
    responses={200: {"description": "A text/event-stream of console events (see EventOut)."}},
)
async def console_events(
    request: Request,
    user: ControlRoom,
    context: ContextDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: one per journey step (`id` is the event's id; reconnect with
    `Last-Event-ID` to resume). The stream ends after a few minutes and the browser reconnects,
    which re-checks the session."""
    settings = context.settings
    username = user.username

    def opened() -> int:
        with context.sessions.begin() as session:
            record(session, actor=username, action="console.stream", now=context.clock())
        return _start_id(context, last_event_id)

    def fetch(after: int) -> list[EventOut]:
        with context.sessions() as session:
            return [
                EventOut(id=e.id, kind=e.kind, at=e.at, data=events.payload(e))
                for e in events.since(session, after)
            ]

    after = await anyio.to_thread.run_sync(opened)
    yield ServerSentEvent(comment="connected", retry=2000)
    deadline = anyio.current_time() + settings.console_stream_seconds
    while anyio.current_time() < deadline and not await request.is_disconnected():
        for event in await anyio.to_thread.run_sync(fetch, after):
            after = event.id
            yield ServerSentEvent(
                data=event.model_dump(mode="json"), event=event.kind, id=str(event.id)
            )
        await anyio.sleep(settings.console_poll_seconds)


# --- Actions: one service call each, audited there; forms redirect back to the console -------------

Action = Literal["confirm", "flag"]


def _back(request: Request, anchor: str) -> Response:
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "fr") else "en"
    return RedirectResponse(f"/console?lang={lang}#{anchor}", status_code=303)


def _engagement(db: DbSession, user: StaffUser, ident: int, action: Action, now: datetime) -> None:
    status = EngagementStatus.CONFIRMED if action == "confirm" else EngagementStatus.FLAGGED
    try:
        console.set_engagement_status(db, ident, status, actor=user.username, now=now)
    except console.ConsoleItemNotFoundError:
        raise HTTPException(404, "no such engagement") from None


def _arrived(db: DbSession, user: StaffUser, ident: int, now: datetime) -> None:
    try:
        console.backup_arrived(db, ident, actor=user.username, now=now)
    except console.ConsoleItemNotFoundError:
        raise HTTPException(404, "no such backup request") from None


def _acknowledge(db: DbSession, user: StaffUser, ident: int, now: datetime) -> None:
    try:
        console.acknowledge(db, ident, actor=user.username, now=now)
    except console.ConsoleItemNotFoundError:
        raise HTTPException(404, "no such alert") from None


def _reply(db: DbSession, user: StaffUser, ident: int, body: str, now: datetime) -> None:
    try:
        console.reply(db, ident, body, actor=user.username, now=now)
    except console.ConsoleItemNotFoundError:
        raise HTTPException(404, "no such chat") from None
    except (chats.EmptyMessageError, chats.ChatClosedError) as exc:
        raise HTTPException(422, str(exc)) from None


@router.post("/console/engagements/{ident}/{action}", include_in_schema=False)
def engagement_form(
    request: Request,
    user: ControlRoom,
    db: DbSession,
    clock: ClockDep,
    ident: Ident,
    action: Action,
) -> Response:
    _engagement(db, user, ident, action, clock())
    return _back(request, f"engagement-{ident}")


@router.post("/console/backups/{ident}/arrived", include_in_schema=False)
def arrived_form(
    request: Request, user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident
) -> Response:
    _arrived(db, user, ident, clock())
    return _back(request, "backups")


@router.post("/console/alerts/{ident}/acknowledge", include_in_schema=False)
def acknowledge_form(
    request: Request, user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident
) -> Response:
    _acknowledge(db, user, ident, clock())
    return _back(request, "alerts")


@router.post("/console/chats/{ident}/reply", include_in_schema=False)
def reply_form(
    request: Request,
    user: ControlRoom,
    db: DbSession,
    clock: ClockDep,
    ident: Ident,
    body: Annotated[str, Form(max_length=MESSAGE_CHARS * 2)] = "",
) -> Response:
    _reply(db, user, ident, body, clock())
    return _back(request, f"chat-{ident}")


class Done(BaseModel):
    ok: bool = True


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such item."}}


@router.post(
    "/api/v1/console/engagements/{ident}/{action}", response_model=Done, responses=_NOT_FOUND
)
def engagement_api(
    user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident, action: Action
) -> Done:
    """Confirm (the control room knows this stop) or flag (something is wrong) an engagement."""
    _engagement(db, user, ident, action, clock())
    return Done()


@router.post("/api/v1/console/backups/{ident}/arrived", response_model=Done, responses=_NOT_FOUND)
def arrived_api(user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident) -> Done:
    """Uniformed backup has reached the officer."""
    _arrived(db, user, ident, clock())
    return Done()


@router.post(
    "/api/v1/console/alerts/{ident}/acknowledge", response_model=Done, responses=_NOT_FOUND
)
def acknowledge_api(user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident) -> Done:
    """An operator has seen a failed check and acted on it."""
    _acknowledge(db, user, ident, clock())
    return Done()


class ReplyIn(BaseModel):
    body: str = Field(min_length=1, max_length=MESSAGE_CHARS)


@router.post(
    "/api/v1/console/chats/{ident}/messages",
    response_model=Done,
    status_code=201,
    responses=_NOT_FOUND,
)
def reply_api(
    user: ControlRoom, db: DbSession, clock: ClockDep, ident: Ident, body: ReplyIn
) -> Done:
    """Answer a member of the public."""
    _reply(db, user, ident, body.body, clock())
    return Done()
