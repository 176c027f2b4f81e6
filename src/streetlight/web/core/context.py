"""What the app holds for its lifetime (settings, engine, sessions, templates), built by the app
factory and reached from a request through `app_context(request)`."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from streetlight.reports.area import ReportArea
from streetlight.reports.submission import ReportLimits
from streetlight.staff.passwords import Passwords
from streetlight.verify.engagements import Rules
from streetlight.verify.service import Limits, VerifyRequest, VerifyResult
from streetlight.web.core.clock import Clock
from streetlight.web.core.group_commit import GroupCommit
from streetlight.web.core.settings import Settings

# Public checks, run in batches, each batch committed before its checks are answered.
Checks = GroupCommit[VerifyRequest, VerifyResult]


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    # For public checks only: on PostgreSQL an engine whose every statement has the checks'
    # deadline (`make_engine(deadline=...)`); on SQLite the same as `sessions`.
    check_sessions: sessionmaker[Session]
    templates: Jinja2Templates
    passwords: Passwords
    secret: bytes
    totp_key: bytes  # opens the stored TOTP secrets (`auth.totp.sealing_key` of `secret`)
    clock: Clock
    rules: Rules
    limits: Limits
    # SQLite has one writer at a time: the app's processes queue their writers on this lock
    # (`streetlight.db.writer`) rather than in SQLite's busy handler (sleeps of up to 100 ms).
    # A no-op on PostgreSQL.
    writer: AbstractContextManager[object]
    # Public reports: where pins are allowed (None: typed places only), and how many
    # reports a client may send.
    report_area: ReportArea | None
    report_limits: ReportLimits
    # Made by the app factory with the verify area (`streetlight.web.verify.checks`).
    checks: Checks = field(repr=False, compare=False)


def context_of(app: Starlette) -> AppContext:
    context = app.state.streetlight
    if not isinstance(context, AppContext):  # pragma: no cover - set by create_app
        raise RuntimeError("the app was not built by streetlight.web.app.create_app")
    return context


def app_context(connection: HTTPConnection) -> AppContext:
    return context_of(connection.app)


def is_https(connection: HTTPConnection) -> bool:
    """Served over TLS: directly, through a proxy uvicorn trusts, or as the settings declare."""
    # The scope's scheme, which `connection.url` is built from, without building it.
    return app_context(connection).settings.behind_tls or connection.scope.get("scheme") == "https"


_STATE_LOCK = threading.Lock()
S = TypeVar("S")


def app_state(connection: HTTPConnection, kind: type[S]) -> S:
    """The app's one `kind()`, made on first use and kept on `app.state`: caches that live as
    long as the app process (the analysts' hotspot layer, the street finder) and must not be
    built at import or shared between apps."""
    state = connection.app.state
    name = f"streetlight_{kind.__name__}"
    with _STATE_LOCK:
        found = getattr(state, name, None)
        if not isinstance(found, kind):
            found = kind()
            setattr(state, name, found)
        return found
