"""One router per domain; `ROUTERS` is the list the app factory includes, in order."""

from __future__ import annotations

from fastapi import APIRouter

from streetlight.web.routers import (
    analyst,
    auth,
    chat,
    console,
    health,
    me,
    officer_app,
    officers,
    pages,
    reports,
    safety,
    verify,
)

ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    auth.router,
    health.router,
    me.router,
    officers.router,
    verify.router,
    chat.router,
    officer_app.router,
    console.router,
    reports.router,
    safety.router,
    analyst.router,
)
