"""Liveness for load balancers and monitoring: is the app up, can it reach its database."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from streetlight.web.core.deps import EngineDep, public

router = APIRouter(prefix="/api/v1", tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
@public
def health(engine: EngineDep) -> JSONResponse:
    """200 when the database answers, 503 when it does not (the process itself is up)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        down = Health(status="unavailable", database="unavailable")
        return JSONResponse(down.model_dump(), status_code=503)
    return JSONResponse(Health(status="ok", database="ok").model_dump())
