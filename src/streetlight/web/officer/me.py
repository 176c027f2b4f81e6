"""The signed-in staff member's own API: who am I, and (officers on duty) where am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from streetlight.db import officers as ops
from streetlight.db.models import Dress, Role, StaffUser
from streetlight.web.core.deps import ClockDep, CurrentUser, DbSession, require_roles

router = APIRouter(prefix="/api/v1/me", tags=["me"])

OfficerUser = Annotated[StaffUser, Depends(require_roles(Role.OFFICER))]


class DutyOut(BaseModel):
    dress: Dress
    area: str
    started_at: str


class MeOut(BaseModel):
    username: str
    display_name: str
    role: Role
    warrant_number: str | None
    duty: DutyOut | None


class Position(BaseModel):
    """WGS84 degrees, as a phone's geolocation gives them."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


@router.get("", response_model=MeOut)
def me(user: CurrentUser, db: DbSession) -> MeOut:
    officer = user.officer
    duty = ops.open_duty(db, officer) if officer is not None else None
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        warrant_number=officer.warrant_number if officer else None,
        duty=DutyOut(dress=duty.dress, area=duty.area, started_at=duty.started_at.isoformat())
        if duty
        else None,
    )


@router.post("/position", status_code=204, responses={409: {"description": "Not on duty."}})
def position(body: Position, user: OfficerUser, db: DbSession, clock: ClockDep) -> Response:
    """The officer app's last known position; refused (409) once the duty has ended."""
    duty = ops.open_duty(db, user.officer) if user.officer is not None else None
    if duty is None:
        raise HTTPException(409, "not on duty")
    ops.record_position(duty, lon=body.lon, lat=body.lat, now=clock())
    return Response(status_code=204)
