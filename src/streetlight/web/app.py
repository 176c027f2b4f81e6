"""The app factory: settings, engine and templates are built here, per app, never at import.

    from streetlight.web.app import create_app
    app = create_app()            # settings from STREETLIGHT_* environment variables

The database must already be at the current schema (`streetlight serve` migrates before it
starts; tests migrate their own databases).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from streetlight import __version__
from streetlight.db import ratelimit
from streetlight.db.checkpoint import Checkpointer, manual_checkpoints
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.writer import writer_lock
from streetlight.staff import totp
from streetlight.staff.passwords import Passwords
from streetlight.web import analyst, conduct, console, officer, pages, reports, staff, unit, verify
from streetlight.web.analyst import map as analyst_map
from streetlight.web.analyst import router as analyst_router
from streetlight.web.conduct import desk as conduct_desk
from streetlight.web.conduct import public as conduct_public
from streetlight.web.conduct.keycache import KeyCache
from streetlight.web.console import officers
from streetlight.web.console import router as console_router
from streetlight.web.core import errors
from streetlight.web.core.clock import Clock, utc_now
from streetlight.web.core.context import AppContext
from streetlight.web.core.csrf import CsrfCookieMiddleware
from streetlight.web.core.deps import csrf_protect, deny_by_default
from streetlight.web.core.failsafe import DATABASE_DOWN, FailSafeMiddleware
from streetlight.web.core.headers import SecurityHeadersMiddleware, content_security_policy
from streetlight.web.core.limits import BodyLimitMiddleware
from streetlight.web.core.settings import (
    Settings,
    report_area,
    report_limits,
    verify_limits,
    verify_rules,
)
from streetlight.web.core.templating import make_templates
from streetlight.web.officer import me
from streetlight.web.officer import router as officer_router
from streetlight.web.pages import health, safety
from streetlight.web.pages import router as pages_router
from streetlight.web.reports import api as reports_api
from streetlight.web.reports import router as reports_router
from streetlight.web.staff import router as staff_router
from streetlight.web.staff import security_keys
from streetlight.web.unit import listpage as unit_list
from streetlight.web.unit import people as unit_people
from streetlight.web.unit import router as unit_router
from streetlight.web.verify import chat, checks
from streetlight.web.verify import router as verify_router

# A request is matched against every route in turn: the public check, the busiest route and the
# one that must answer fastest, comes first (its paths are its own, so order changes nothing else).
ROUTERS: tuple[APIRouter, ...] = (
    verify_router.router,
    pages_router.router,
    staff_router.router,
    security_keys.router,
    health.router,
    me.router,
    officers.router,
    chat.router,
    officer_router.router,
    console_router.router,
    reports_router.router,
    reports_api.router,
    safety.router,
    analyst_router.router,
    analyst_map.router,
    unit_router.router,
    unit_people.router,
    unit_list.router,
    conduct_public.router,
    conduct_desk.router,
)
# The areas of the app, each with its pages in a `templates/` folder.
AREAS = (verify, pages, staff, officer, console, reports, analyst, unit, conduct)

OPENAPI_URL = "/api/v1/openapi.json"


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    passwords: Passwords | None = None,
) -> FastAPI:
    """Build the app. `clock` and `passwords` are for tests (a moving clock, a cheap hasher)."""
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url)
    if engine.dialect.name == "sqlite":
        manual_checkpoints(engine)
    # Public checks get their own PostgreSQL engine, with their deadline on every statement.
    check_engine = (
        engine
        if engine.dialect.name == "sqlite"
        else make_engine(settings.resolved_database_url, deadline=settings.verify_timeout_seconds)
    )
    secret = settings.secret()
    for keyed in (engine, check_engine):  # every process keys the shared limits alike
        ratelimit.bind_secret(keyed, secret)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What exists once the app has started lives as long as the process, and a full
        # collection walked all of it: about 100 ms on these machines, a stall for every
        # request in flight (the tail of the verification latency). Leave it out of collections.
        gc.freeze()
        checkpointer = Checkpointer(engine) if engine.dialect.name == "sqlite" else None
        if checkpointer is not None:
            checkpointer.start()
        try:
            yield
        finally:
            gc.unfreeze()
            if checkpointer is not None:
                checkpointer.stop()
            engine.dispose()
            check_engine.dispose()

    app = FastAPI(
        title="Streetlight",
        version=__version__,
        summary="Keeping women and girls safe in public spaces: staff and public services.",
        openapi_url=OPENAPI_URL,
        # The bundled API explorers load scripts from a CDN, which the CSP (rightly) refuses.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(deny_by_default), Depends(csrf_protect)],
        lifespan=lifespan,
        # Request bodies hold passwords and codes: no tracing or telemetry of them.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.streetlight = AppContext(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        check_sessions=session_factory(check_engine),
        templates=make_templates([area.__name__ for area in AREAS]),
        passwords=passwords or Passwords(),
        secret=secret,
        totp_key=totp.sealing_key(secret),
        clock=clock,
        rules=verify_rules(settings, secret),
        limits=verify_limits(settings),
        writer=writer_lock(engine) or contextlib.nullcontext(),
        report_area=report_area(settings),
        report_limits=report_limits(settings),
        checks=checks.batcher(app),
    )

    # Conduct recipients' unlocked keys: this process's memory only, for a session's life.
    app.state.conduct_keys = KeyCache(
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_max_hours),
    )
    for router in ROUTERS:
        app.include_router(router)
    static = files("streetlight.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    errors.install(app)
    # Outermost last: the headers wrap everything, errors and static files included.
    app.add_middleware(
        FailSafeMiddleware,
        paths=verify_router.FAIL_SAFE_PATHS,
        answer=verify_router.cannot_confirm,
    )
    app.add_middleware(
        FailSafeMiddleware,
        answer=errors.unavailable,
        errors=DATABASE_DOWN,
        label="database unavailable (%s): answered 503",
    )
    # Every body is held to its route's cap as it arrives (`streetlight.web.core.limits`).
    app.add_middleware(BodyLimitMiddleware, answer=errors.too_large)
    app.add_middleware(CsrfCookieMiddleware, behind_tls=settings.behind_tls)
    # The force's own map tiles, if any (Leaflet blanks an aborted tile with a data: image).
    tiles = (settings.tile_origin, "data:") if settings.tile_origin else ()
    app.add_middleware(
        SecurityHeadersMiddleware,
        behind_tls=settings.behind_tls,
        csp=content_security_policy(img_sources=tiles),
    )
    if settings.trusted_proxies:
        # Only a named proxy may say who the client is: anyone else could change the address the
        # per-client limits count with every request. `streetlight serve` turns uvicorn's own
        # handling off, so this setting is the one place that decides.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
