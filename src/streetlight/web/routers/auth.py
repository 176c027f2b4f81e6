"""Staff sign-in and sign-out pages (sign-in with a security key: routers/security_keys.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from streetlight.db import audit
from streetlight.staff import sessions
from streetlight.staff.signin import Outcome, SignIn, sign_in
from streetlight.web.context import app_context, is_https
from streetlight.web.core import cookies
from streetlight.web.deps import CurrentUser, DbSession, MaybePrincipal, public
from streetlight.web.i18n import N_

router = APIRouter(include_in_schema=False)

FAILED = N_("Sign-in failed: check your username, password and code.")
LIMITED = N_("Too many failed attempts. Wait {minutes} minutes and try again.")
SIGNED_OUT = N_("You have been signed out.")
PLEASE = N_("Please sign in to continue.")


def _safe_next(target: str) -> str:
    """Only a path on this site (no `//host` or scheme): an open redirect would help phishing."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


def _form(
    request: Request, *, status: int = 200, message: str = "", kind: str = "bad", username: str = ""
) -> Response:
    context = app_context(request)
    page = {
        "message": message,
        "message_kind": kind,
        "minutes": context.settings.signin_window_minutes,
        "next": _safe_next(request.query_params.get("next", "/dashboard")),
        "username": username,
    }
    return context.templates.TemplateResponse(request, "signin.html", page, status_code=status)


@router.get("/signin")
@public
def signin_page(request: Request, principal: MaybePrincipal) -> Response:
    if principal is not None:
        return RedirectResponse("/dashboard", status_code=303)
    notice = request.query_params.get("m")
    if notice == "signed_out":
        return _form(request, message=SIGNED_OUT, kind="ok")
    if "next" in request.query_params:
        return _form(request, message=PLEASE, kind="ok")
    return _form(request)


@router.post("/signin")
@public
def signin(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=512)] = "/dashboard",
) -> Response:
    """Password and code; on success a fresh session and a fresh CSRF nonce."""
    context = app_context(request)
    now = context.clock()
    result = sign_in(
        db,
        username=username,
        password=password,
        code=code,
        client=request.client.host if request.client else "unknown",
        settings=context.settings,
        passwords=context.passwords,
        totp_key=context.totp_key,
        now=now,
    )
    return signin_answer(request, db, result, username=username, next=next, now=now)


def signin_answer(
    request: Request, db: Session, result: SignIn, *, username: str, next: str, now: datetime
) -> Response:
    """The answer to a sign-in by any second factor: the form again (429 when limited, 401 with
    one message for every failure), or a fresh session, a fresh CSRF nonce and the next page."""
    if result.outcome is Outcome.LIMITED:
        return _form(request, status=429, message=LIMITED, username=username)
    if result.user is None:
        return _form(request, status=401, message=FAILED, username=username)
    settings = app_context(request).settings
    token = sessions.open_session(db, result.user, settings, now)
    response = RedirectResponse(_safe_next(next), status_code=303)
    cookies.set_cookie(response, token, https=is_https(request), max_age=settings.session_max_age)
    request.state.csrf_rotate = True
    return response


@router.post("/signout")
def signout(request: Request, user: CurrentUser, db: DbSession) -> Response:
    context = app_context(request)
    https = is_https(request)
    token = request.cookies.get(cookies.cookie_name(https), "")
    sessions.close_session(db, token)
    audit.append(db, actor=user.username, action="signout", now=context.clock())
    lang = request.query_params.get("lang", "")
    response = RedirectResponse(
        "/signin?m=signed_out" + (f"&lang={lang}" if lang in ("en", "fr") else ""),
        status_code=303,
    )
    cookies.clear_cookie(response, https=https)
    request.state.csrf_rotate = True
    return response
