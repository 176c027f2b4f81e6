"""What every page of the unit area shares: who is asking (`Reader`), the request's transaction,
the force's today, refusals answered and recorded, and a route class that keeps casework out of
the server's log.

Refusals are answered, not raised: `access` records a refusal in the request's transaction, and
a route that raised would roll it back. So each page asks `desk.refuse_unless(capability)` first
and returns its answer (403, recorded) when there is one.

`ConfidentialRoute`: an unexpected error in a unit route is answered here with a plain 500 page
and logged as its class and the route's path template, never the error's text or the request's
path: an error's text can quote a row (a database error lists the statement's parameters), and
the path holds the person's token. Errors the app answers itself (sign-in, CSRF, roles, a body
too large, a value the database refuses, the database away) pass through to their handlers,
which echo nothing either; a form that does not validate is answered without its values (FastAPI's
own answer quotes the input).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from streetlight.errors import AuthError
from streetlight.unit.access import Capability, Reader, may, refused
from streetlight.web.core.clock import Clock
from streetlight.web.core.deps import (
    ClockDep,
    DbSession,
    MaybePrincipal,
    NotSignedInError,
    SettingsDep,
    TemplatesDep,
)
from streetlight.web.core.failsafe import DATABASE_DOWN
from streetlight.web.core.i18n import N_
from streetlight.web.core.settings import Settings
from streetlight.web.unit import words

log = logging.getLogger(__name__)

NOT_ALLOWED = N_("Not allowed")
NOT_ALLOWED_TEXT = N_("You are not allowed to do this.")
FAILED = N_("Something went wrong")
FAILED_TEXT = N_(
    "The page could not be shown. Nothing about the people in the casework was logged. Try "
    "again; if it happens again, tell the system's administrator the time."
)
UNUSABLE = N_("Cannot save this")
UNUSABLE_TEXT = N_("Something typed in the form cannot be stored. Check it and try again.")


async def _reader(principal: MaybePrincipal) -> Reader:
    """The signed-in member of staff as the casework sees them (no database read: the session
    check has just read the account)."""
    if principal is None:
        raise NotSignedInError
    return Reader(principal.user_id, principal.username, principal.role)


ReaderDep = Annotated[Reader, Depends(_reader)]


@dataclass(frozen=True)
class Desk:
    """One request of the unit area: the reader, their transaction and how pages are drawn."""

    request: Request
    reader: Reader
    db: Session
    templates: Jinja2Templates
    clock: Clock
    settings: Settings

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The force's local date (a bail period ends at the end of its day there)."""
        return self.now().astimezone(self.settings.zone).date()

    def page(self, template: str, context: Mapping[str, Any], *, status: int = 200) -> Response:
        page = {
            "words": words,
            "may": self.may,
            "reader": self.reader,
            "local": self.local,
            **context,
        }
        return self.templates.TemplateResponse(self.request, template, page, status_code=status)

    def local(self, at: datetime) -> str:
        """An instant as the force's wall clock, date and minute (staff compare it with the
        force's own records, which are local)."""
        return at.astimezone(self.settings.zone).strftime("%Y-%m-%d %H:%M")

    def may(self, capability: str) -> bool:
        return may(self.reader.role, Capability(capability))

    def refuse_unless(self, capability: Capability, *, page: str | None = None) -> Response | None:
        """None when the reader's role has `capability`; else the refusal, recorded, as a 403
        page to return."""
        if may(self.reader.role, capability):
            return None
        refused(
            self.db,
            self.reader,
            f"unit_page:{page or capability}",
            status=403,
            page=page or capability,
            now=self.now(),
        )
        return self.forbidden()

    def forbidden(self) -> Response:
        """The app's own 403 page (the refusal is recorded by whoever decided it)."""
        return self.error(403, NOT_ALLOWED, NOT_ALLOWED_TEXT)

    def error(self, status: int, title: str, message: str) -> Response:
        context = {"title": title, "message": message, "call_999": False}
        return self.templates.TemplateResponse(
            self.request, "error.html", context, status_code=status
        )


async def _desk(
    request: Request,
    reader: ReaderDep,
    db: DbSession,
    templates: TemplatesDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Desk:
    return Desk(request, reader, db, templates, clock, settings)


DeskDep = Annotated[Desk, Depends(_desk)]

# Errors with an answer of their own, which quote nothing of the request.
ANSWERED: tuple[type[Exception], ...] = (HTTPException, AuthError, DataError, *DATABASE_DOWN)


def _plain_page(request: Request, status: int, title: str, message: str) -> Response:
    """The app's error page, or plain text if even that cannot be drawn."""
    try:
        templates: Jinja2Templates = request.app.state.streetlight.templates
        context = {"title": title, "message": message, "call_999": False}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)
    except Exception:  # the page itself failed: say no more than the status
        return PlainTextResponse(title, status_code=status)


class ConfidentialRoute(APIRoute):
    """A route whose unexpected errors are answered here, their text never logged (see the
    module docstring). `failed_text` is what the 500 page says (other areas say it their way)."""

    failed_text: str = FAILED_TEXT

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        where = self.path  # the template ("/unit/people/{token}"), never the token

        async def confidential(request: Request) -> Response:
            try:
                return await handler(request)
            except ANSWERED:
                raise
            except RequestValidationError:
                log.warning("unit form refused on %s %s", request.method, where)
                return _plain_page(request, 422, UNUSABLE, UNUSABLE_TEXT)
            except Exception as exc:
                log.error(
                    "%s in %s %s: answered 500 (its text is not logged: it may quote casework)",
                    type(exc).__name__,
                    request.method,
                    where,
                )
                return _plain_page(request, 500, FAILED, self.failed_text)

        return confidential
