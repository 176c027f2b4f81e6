"""The staff session cookie: the token of a server-side session (`streetlight.staff.sessions`).

Cookies are HttpOnly, SameSite=Strict, Path=/, and over HTTPS `Secure` with the `__Host-` prefix
(which browsers only accept from the exact host, over TLS).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response


def cookie_name(https: bool) -> str:
    return "__Host-sl_session" if https else "sl_session"


def set_cookie(response: Response, token: str, *, https: bool, max_age: timedelta) -> None:
    response.set_cookie(
        cookie_name(https),
        token,
        max_age=int(max_age.total_seconds()),
        path="/",
        secure=https,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response, *, https: bool) -> None:
    response.delete_cookie(
        cookie_name(https), path="/", secure=https, httponly=True, samesite="strict"
    )
