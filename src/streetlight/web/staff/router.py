"""Staff sign-in and sign-out pages (sign-in with a security key: security_keys.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from streetlight.db import audit
from streetlight.staff import sessions
from streetlight.staff.signin import Outcome, SignIn, sign_in
from streetlight.web.core import cookies
from streetlight.web.core.context import is_https
from streetlight.web.core.deps import (
    ClockDep,
    CurrentUser,
    DbSession,
    MaybePrincipal,
    PasswordsDep,
    SettingsDep,
    TemplatesDep,
    TotpKeyDep,
    public,
)
from streetlight.web.core.i18n import N_
from streetlight.web.core.settings import Settings

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


@dataclass(frozen=True)
class SignInAnswers:
    """The sign-in form, and the answer to a sign-in by any second factor, for one request."""

    request: Request
    templates: Jinja2Templates
    settings: Settings

    def form(
        self, *, status: int = 200, message: str = "", kind: str = "bad", username: str = ""
    ) -> Response:
        request = self.request
        page = {
            "message": message,
            "message_kind": kind,
            "minutes": self.settings.signin_window_minutes,
            "next": _safe_next(request.query_params.get("next", "/dashboard")),
            "username": username,
        }
        return self.templates.TemplateResponse(request, "signin.html", page, status_code=status)

    def answer(
        self, db: Session, result: SignIn, *, username: str, next: str, now: datetime
    ) -> Response:
        """The form again (429 when limited, 401 with one message for every failure), or a
        fresh session, a fresh CSRF nonce and the next page."""
        if result.outcome is Outcome.LIMITED:
            return self.form(status=429, message=LIMITED, username=username)
        if result.user is None:
            return self.form(status=401, message=FAILED, username=username)
        settings = self.settings
        token = sessions.open_session(db, result.user, settings, now)
        response = RedirectResponse(_safe_next(next), status_code=303)
        https = is_https(self.request)
        cookies.set_cookie(response, token, https=https, max_age=settings.session_max_age)
        self.request.state.csrf_rotate = True
        return response


async def _answers(
    request: Request, templates: TemplatesDep, settings: SettingsDep
) -> SignInAnswers:
    return SignInAnswers(request, templates, settings)


Answers = Annotated[SignInAnswers, Depends(_answers)]


@router.get("/signin")
@public
def signin_page(request: Request, principal: MaybePrincipal, answers: Answers) -> Response:
    if principal is not None:
        return RedirectResponse("/dashboard", status_code=303)
    notice = request.query_params.get("m")
    if notice == "signed_out":
        return answers.form(message=SIGNED_OUT, kind="ok")
    if "next" in request.query_params:
        return answers.form(message=PLEASE, kind="ok")
    return answers.form()


@router.post("/signin")
@public
def signin(
    request: Request,
    db: DbSession,
    answers: Answers,
    clock: ClockDep,
    passwords: PasswordsDep,
    totp_key: TotpKeyDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=512)] = "/dashboard",
) -> Response:
    """Password and code; on success a fresh session and a fresh CSRF nonce."""
    now = clock()
    result = sign_in(
        db,
        username=username,
        password=password,
        code=code,
        client=request.client.host if request.client else "unknown",
        settings=answers.settings,
        passwords=passwords,
        totp_key=totp_key,
        now=now,
    )
    return answers.answer(db, result, username=username, next=next, now=now)


@router.post("/signout")
def signout(request: Request, user: CurrentUser, db: DbSession, clock: ClockDep) -> Response:
    https = is_https(request)
    token = request.cookies.get(cookies.cookie_name(https), "")
    sessions.close_session(db, token)
    audit.append(db, actor=user.username, action="signout", now=clock())
    lang = request.query_params.get("lang", "")
    response = RedirectResponse(
        "/signin?m=signed_out" + (f"&lang={lang}" if lang in ("en", "fr") else ""),
        status_code=303,
    )
    cookies.clear_cookie(response, https=https)
    request.state.csrf_rotate = True
    return response
