"""One router per domain; `ROUTERS` is the list the app factory includes, in order."""

from __future__ import annotations

from fastapi import APIRouter

from streetlight.web.routers import (
    analyst,
    analyst_map,
    auth,
    chat,
    console,
    health,
    me,
    officer_app,
    officers,
    pages,
    reports,
    reports_api,
    safety,
    security_keys,
    verify,
)

# A request is matched against every route in turn: the public check, the busiest route and the
# one that must answer fastest, comes first (its paths are its own, so order changes nothing else).
ROUTERS: tuple[APIRouter, ...] = (
    verify.router,
    pages.router,
    auth.router,
    security_keys.router,
    health.router,
    me.router,
    officers.router,
    chat.router,
    officer_app.router,
    console.router,
    reports.router,
    reports_api.router,
    safety.router,
    analyst.router,
    analyst_map.router,
)
