"""Officer status: suspend, reinstate, end duty. Each takes effect on the officer's next request.

Supervisors and admins may suspend and reinstate; operators may also end a duty (the control room
stands an officer down). There is deliberately no route that lists officers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from streetlight.db import officers as ops
from streetlight.db.errors import OfficerNotFoundError
from streetlight.db.models import OfficerStatus, Role, StaffUser
from streetlight.web.core.deps import ClockDep, DbSession, ForbiddenError, require_roles
from streetlight.web.core.i18n import N_

router = APIRouter(tags=["officers"])

Action = Literal["suspend", "reinstate", "end_duty"]
ACTIONS: tuple[Action, ...] = ("suspend", "reinstate", "end_duty")
DONE_MESSAGES = {
    "suspend": N_("suspended"),
    "reinstate": N_("reinstated"),
    "end_duty": N_("duty ended"),
}
PROBLEM_MESSAGES = {"unknown_officer": N_("No officer has that warrant number.")}
WarrantNumber = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9/-]+$")]

Supervisor = Annotated[StaffUser, Depends(require_roles(Role.SUPERVISOR, Role.ADMIN))]
ControlRoom = Annotated[
    StaffUser, Depends(require_roles(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN))
]


class OfficerState(BaseModel):
    """An officer's status after a change (name and photo are not repeated here)."""

    warrant_number: str
    status: OfficerStatus
    on_duty: bool


def _apply(db: DbSession, action: Action, warrant: str, user: StaffUser, now: datetime) -> None:
    if action == "suspend":
        ops.suspend(db, warrant, actor=user.username, now=now)
    elif action == "reinstate":
        ops.reinstate(db, warrant, actor=user.username, now=now)
    else:
        ops.end_duty(db, warrant, actor=user.username, now=now)


def _state(db: DbSession, warrant: str) -> OfficerState:
    officer = ops.get_officer(db, warrant)
    return OfficerState(
        warrant_number=warrant, status=officer.status, on_duty=ops.is_on_duty(db, officer)
    )


@router.post("/officers/status", include_in_schema=False)
def change_status_form(
    request: Request,
    db: DbSession,
    user: ControlRoom,
    clock: ClockDep,
    warrant_number: Annotated[str, Form(max_length=32)] = "",
    action: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """The dashboard's form; answers with a redirect back to it (post/redirect/get)."""
    if action not in ACTIONS:
        raise HTTPException(422, "unknown action")
    if action != "end_duty" and user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ForbiddenError
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "fr") else "en"
    warrant = warrant_number.strip()
    try:
        _apply(db, action, warrant, user, clock())
    except OfficerNotFoundError:
        query = urlencode({"problem": "unknown_officer", "lang": lang})
    else:
        query = urlencode({"done": action, "warrant": warrant, "lang": lang})
    return RedirectResponse(f"/dashboard?{query}", status_code=303)


def _api(
    db: DbSession, action: Action, warrant: str, user: StaffUser, now: datetime
) -> OfficerState:
    try:
        _apply(db, action, warrant, user, now)
        return _state(db, warrant)
    except OfficerNotFoundError:
        raise HTTPException(404, "no such officer") from None


@router.post("/api/v1/officers/{warrant_number}/suspend", response_model=OfficerState)
def suspend(
    db: DbSession, user: Supervisor, clock: ClockDep, warrant_number: WarrantNumber
) -> OfficerState:
    """Suspend at once: ends any duty and signs the officer's own account out."""
    return _api(db, "suspend", warrant_number, user, clock())


@router.post("/api/v1/officers/{warrant_number}/reinstate", response_model=OfficerState)
def reinstate(
    db: DbSession, user: Supervisor, clock: ClockDep, warrant_number: WarrantNumber
) -> OfficerState:
    """Lift a suspension (the officer stays off duty until a duty starts)."""
    return _api(db, "reinstate", warrant_number, user, clock())


@router.post("/api/v1/officers/{warrant_number}/end-duty", response_model=OfficerState)
def end_duty(
    db: DbSession, user: ControlRoom, clock: ClockDep, warrant_number: WarrantNumber
) -> OfficerState:
    """End the officer's duty now (no-op when off duty)."""
    return _api(db, "end_duty", warrant_number, user, clock())
