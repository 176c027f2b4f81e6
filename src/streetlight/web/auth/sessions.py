"""Server-side sessions behind a random cookie token.

The cookie holds 256 random bits; the database holds their SHA-256. Cookies are HttpOnly,
SameSite=Strict, Path=/, and over HTTPS `Secure` with the `__Host-` prefix (which browsers only
accept from the exact host, over TLS). A session ends after `session_idle` without a request or
`session_max_age` after sign-in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from streetlight.db.models import StaffSession, StaffUser
from streetlight.web.settings import Settings

# Writing last_seen_at on every request would make every page view a write; once a minute will do.
_TOUCH_EVERY = timedelta(minutes=1)


def cookie_name(https: bool) -> str:
    return "__Host-sl_session" if https else "sl_session"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, settings: Settings, now: datetime) -> str:
    """Start a session for `user`; returns the cookie token (shown to nobody else).

    Also clears out sessions that have expired anywhere: sign-in is rare enough to pay for it.
    """
    session.execute(
        delete(StaffSession).where(
            or_(
                StaffSession.expires_at <= now,
                StaffSession.last_seen_at <= now - settings.session_idle,
            )
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + settings.session_max_age,
        )
    )
    session.flush()
    return token


def load_session(
    session: Session, token: str, settings: Settings, now: datetime
) -> StaffSession | None:
    """The live session for `token`, or None (unknown, idle too long or past its expiry)."""
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
    if row is None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= settings.session_idle:
        session.delete(row)
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
    return row


def close_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


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
