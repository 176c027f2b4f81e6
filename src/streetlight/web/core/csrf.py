"""CSRF protection for every state-changing request: an HMAC-signed double-submit token.

A visitor gets a random `sl_csrf` cookie (HttpOnly, SameSite=Strict; `__Host-` over HTTPS) with
the first page that needs it. Forms carry `csrf_token = HMAC(secret, session + cookie)` in a
hidden field, scripts in the `X-CSRF-Token` header. Another site can neither read the cookie nor
forge the HMAC, and binding the token to the signed-in session means a token planted before
sign-in is useless after it (OWASP's "signed double-submit cookie").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from streetlight.errors import AuthError

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(AuthError):
    """The token is missing or does not match: the request is refused with 403."""


def cookie_name(https: bool) -> str:
    return "__Host-sl_csrf" if https else "sl_csrf"


def token_for(secret: bytes, nonce: str, session_hash: str) -> str:
    message = f"{session_hash}|{nonce}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def nonce_of(connection: HTTPConnection) -> str:
    """This visitor's nonce: from the cookie, or made now for a first page that needs a token
    (`CsrfCookieMiddleware` then sends it as the cookie)."""
    state = connection.scope.setdefault("state", {})
    nonce = state.get("csrf_nonce")
    if not isinstance(nonce, str) or not nonce:
        nonce = state["csrf_nonce"] = secrets.token_urlsafe(32)
        state["csrf_fresh"] = True
    return nonce


async def check(request: Request, secret: bytes, session_hash: str) -> None:
    """Raise `CsrfError` unless an unsafe request carries the right token."""
    if request.method in _SAFE_METHODS:
        return
    nonce = request.cookies.get(cookie_name(_https(request)), "")
    sent = request.headers.get(HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FIELD, "")
            sent = value if isinstance(value, str) else ""
    expected = token_for(secret, nonce, session_hash)
    if not nonce or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError


def _https(connection: HTTPConnection) -> bool:
    return bool(connection.scope.get("state", {}).get("https"))


class CsrfCookieMiddleware:
    """Gives a visitor a nonce cookie with the first page that puts a token in a form or a
    script (`nonce_of`), and a new one when asked (`scope["state"]["csrf_rotate"] = True`, done
    at sign-in and sign-out). Answers that carry no token (the JSON API, static files) set no
    cookie and cost no random bytes: a public check is answered without one."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.behind_tls or scope.get("scheme") == "https"
        state = scope.setdefault("state", {})
        state["https"] = https
        name = cookie_name(https)
        state["csrf_nonce"] = HTTPConnection(scope).cookies.get(name)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state.get("csrf_rotate"):
                    state["csrf_nonce"] = secrets.token_urlsafe(32)
                if state.get("csrf_fresh") or state.get("csrf_rotate"):
                    headers = MutableHeaders(scope=message)
                    secure = "; Secure" if https else ""
                    cookie = f"{name}={state['csrf_nonce']}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append("set-cookie", cookie + secure)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
