"""Security keys (WebAuthn) for staff: the page that lists, adds and removes one's own keys, the
JSON ceremony behind it, and sign-in with password and key (`static/js/webauthn.js` is the
browser's side). The procedures themselves are in `streetlight.staff.webauthn`.

Sign-in with a key is a form post, like sign-in with a code, so it answers exactly as that does
(`router.SignInAnswers`): the same page and status for every failure, the same session on
success. Answers that refuse a key are returned, not raised, so the request's transaction still
commits and the challenge the answer named stays spent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from streetlight.db.models import StaffCredential
from streetlight.db.models.webauthn import LABEL_CHARS
from streetlight.staff import webauthn
from streetlight.staff.webauthn import OptionsLimitedError, WebAuthnError
from streetlight.web.core.deps import (
    ClockDep,
    CurrentUser,
    DbSession,
    PasswordsDep,
    SecretDep,
    SettingsDep,
    TemplatesDep,
    public,
)
from streetlight.web.core.i18n import N_
from streetlight.web.staff.router import Answers

router = APIRouter(tags=["security keys"])

NOTICES = {
    "added": (N_("Security key added."), "ok"),
    "removed": (N_("Security key removed."), "ok"),
    "missing": (N_("That key was already removed."), "bad"),
}
# The longest JSON a browser sends for one assertion is a few kilobytes.
CREDENTIAL_CHARS = 16_384
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_OPTIONS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "WebAuthn options for the browser, as JSON with bytes in base64url "
        "(PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class SignInOptionsIn(BaseModel):
    username: str = Field(max_length=64)


class RegistrationIn(BaseModel):
    """The browser's answer to the registration options, and a name for the key."""

    label: str = Field(min_length=1, max_length=LABEL_CHARS)
    credential: dict[str, Any] = Field(
        description="What navigator.credentials.create() returned, as RegistrationResponseJSON."
    )


class KeyOut(BaseModel):
    id: int
    label: str
    transports: list[str]
    created_at: str
    last_used_at: str | None


class Refusal(BaseModel):
    detail: str = Field(description="Why, in English.")


def _key_out(key: StaffCredential) -> KeyOut:
    return KeyOut(
        id=key.id,
        label=key.label,
        transports=[t for t in key.transports.split(",") if t],
        created_at=key.created_at.isoformat(),
        last_used_at=key.last_used_at.isoformat() if key.last_used_at else None,
    )


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


# --- Sign-in ---------------------------------------------------------------------------------


@router.post(
    "/api/v1/signin/webauthn/options",
    responses={**_OPTIONS, 429: {"model": Refusal, "description": "Too many requests."}},
)
@public
def signin_options(
    request: Request,
    body: SignInOptionsIn,
    db: DbSession,
    settings: SettingsDep,
    secret: SecretDep,
    clock: ClockDep,
) -> Response:
    """Options for signing in as `username` with a security key; the same shape for every name,
    whether or not it has an account or keys."""
    try:
        options = webauthn.authentication_options(
            db,
            body.username,
            client=request.client.host if request.client else "unknown",
            settings=settings,
            secret=secret,
            now=clock(),
        )
    except OptionsLimitedError:
        return JSONResponse({"detail": "too many requests: wait and try again"}, status_code=429)
    return _json(options)


@router.post("/signin/key", include_in_schema=False)
@public
def signin_with_key(
    request: Request,
    db: DbSession,
    answers: Answers,
    clock: ClockDep,
    passwords: PasswordsDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    credential: Annotated[str, Form(max_length=CREDENTIAL_CHARS)] = "",
    next: Annotated[str, Form(max_length=512)] = "/dashboard",
) -> Response:
    """Password and the key's answer; on success a fresh session and a fresh CSRF nonce."""
    now = clock()
    result = webauthn.sign_in_with_key(
        db,
        username=username,
        password=password,
        credential=credential,
        client=request.client.host if request.client else "unknown",
        settings=answers.settings,
        passwords=passwords,
        now=now,
    )
    return answers.answer(db, result, username=username, next=next, now=now)


# --- One's own keys ---------------------------------------------------------------------------


@router.get("/account/keys", include_in_schema=False)
def keys_page(
    request: Request, user: CurrentUser, db: DbSession, templates: TemplatesDep
) -> Response:
    """The signed-in staff member's keys, with a form to add one (JavaScript) and to remove each."""
    notice, kind = NOTICES.get(request.query_params.get("done", ""), ("", ""))
    page = {
        "keys": webauthn.credentials_of(db, user.id),
        "notice": notice,
        "notice_kind": kind,
    }
    return templates.TemplateResponse(request, "security_keys.html", page)


@router.post("/account/keys/{key_id}/remove", include_in_schema=False)
def remove_key(
    request: Request, user: CurrentUser, db: DbSession, clock: ClockDep, key_id: KeyId
) -> Response:
    """Remove one of one's own keys (post/redirect/get back to the page)."""
    removed = webauthn.remove(db, user, key_id, now=clock())
    lang = "fr" if request.query_params.get("lang") == "fr" else "en"
    done = "removed" if removed else "missing"
    return RedirectResponse(f"/account/keys?lang={lang}&done={done}", status_code=303)


@router.post(
    "/api/v1/me/webauthn/register/options",
    responses={**_OPTIONS, 409: {"model": Refusal, "description": "Too many keys already."}},
)
def registration_options(
    user: CurrentUser, db: DbSession, settings: SettingsDep, secret: SecretDep, clock: ClockDep
) -> Response:
    """Begin adding a security key: options for navigator.credentials.create()."""
    try:
        options = webauthn.registration_options(
            db, user, settings=settings, secret=secret, now=clock()
        )
    except WebAuthnError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    return _json(options)


@router.post(
    "/api/v1/me/webauthn/register",
    status_code=201,
    response_model=KeyOut,
    responses={400: {"model": Refusal, "description": "The answer was refused."}},
)
def register_key(
    body: RegistrationIn, user: CurrentUser, db: DbSession, settings: SettingsDep, clock: ClockDep
) -> Response:
    """Finish adding a security key: check the browser's answer and keep the key."""
    try:
        key = webauthn.register(
            db,
            user,
            credential=body.credential,
            label=body.label,
            settings=settings,
            now=clock(),
        )
    except WebAuthnError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return JSONResponse(_key_out(key).model_dump(), status_code=201)
