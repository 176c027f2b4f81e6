"""Turning refusals into answers: JSON under `/api/`, a page (or a redirect to sign-in) elsewhere.

Two answers are for the public as much as for staff, and so are in their language and point to
999: the database cannot be reached (`unavailable`, 503, given by the fail-safe middleware) and
a request body over its route's cap (`too_large`, 413: `streetlight.web.core.limits`).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from streetlight.web.core.context import app_context
from streetlight.web.core.csrf import CsrfError
from streetlight.web.core.deps import ForbiddenError, NotSignedInError
from streetlight.web.core.i18n import N_, translator
from streetlight.web.core.templating import language

API_PREFIX = "/api/"
UNAVAILABLE_TITLE = N_("Service unavailable")
UNAVAILABLE = N_(
    "The service cannot answer right now. Try again in a few minutes. In an emergency, call 999."
)
# Browsers and apps may try again after this many seconds (the database is usually back soon).
RETRY_AFTER_SECONDS = 30
TOO_LARGE_TITLE = N_("Too much to send")
TOO_LARGE = N_(
    "What was sent is too large for this form. Shorten it and try again. In an emergency, call 999."
)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    call_999: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    templates = app_context(request).templates
    context = {"title": title, "message": message, "call_999": call_999}
    return templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


def _public_answer(
    request: Request, status: int, title: str, message: str, headers: dict[str, str]
) -> Response:
    """A refusal the public may meet: JSON with the message in their language under `/api/`
    (an app shows it as is), else a page with a button to call 999."""
    if _is_api(request):
        detail = translator(language(request))(message)
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return _page(request, status, title, message, call_999=True, headers=headers)


def unavailable(request: Request) -> Response:
    """503 when the database cannot be reached or did not answer. It needs no database, and
    no signed-in user: reading the session is what failed."""
    headers = {"retry-after": str(RETRY_AFTER_SECONDS), "cache-control": "no-store"}
    return _public_answer(request, 503, UNAVAILABLE_TITLE, UNAVAILABLE, headers)


def too_large(request: Request) -> Response:
    """413 for a body over its route's cap. The connection is closed after it: the rest of the
    body is never read."""
    return _public_answer(request, 413, TOO_LARGE_TITLE, TOO_LARGE, {"connection": "close"})


async def not_signed_in(request: Request, _exc: Exception) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    if request.method == "GET":
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/signin?next={target}", status_code=303)
    return _page(request, 401, N_("Staff sign-in"), N_("Please sign in to continue."))


async def forbidden(request: Request, _exc: Exception) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": "not allowed"}, status_code=403)
    return _page(request, 403, N_("Not allowed"), N_("You are not allowed to do this."))


async def csrf_failed(request: Request, _exc: Exception) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": "missing or invalid CSRF token"}, status_code=403)
    return _page(
        request,
        403,
        N_("Not allowed"),
        N_("This form has expired. Go back, reload the page and try again."),
    )


async def unstorable(request: Request, _exc: Exception) -> Response:
    """The database refused a value as such (PostgreSQL refuses a NUL character in text, say):
    the request's own data is at fault, and its transaction has been rolled back."""
    if _is_api(request):
        detail = "a value in the request cannot be stored (a NUL character in text, say)"
        return JSONResponse({"detail": detail}, status_code=422)
    return _page(
        request,
        422,
        N_("Cannot save this"),
        N_("Something typed in the form cannot be stored. Check it and try again."),
    )


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    if status == 413:
        return too_large(request)
    if _is_api(request) or status != 404:
        detail = exc.detail if isinstance(exc, StarletteHTTPException) else "error"
        return JSONResponse({"detail": detail}, status_code=status)
    return _page(request, 404, N_("Not found"), N_("There is no page at this address."))


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotSignedInError, not_signed_in)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(CsrfError, csrf_failed)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DataError, unstorable)
