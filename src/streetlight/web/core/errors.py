"""Turning refusals into answers: JSON under `/api/`, a page (or a redirect to sign-in) elsewhere."""

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
from streetlight.web.core.i18n import N_

API_PREFIX = "/api/"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _page(request: Request, status: int, title: str, message: str) -> Response:
    templates = app_context(request).templates
    context = {"title": title, "message": message}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


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
