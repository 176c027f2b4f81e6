"""Server-side sessions behind a random token (the web app's session cookie,
`streetlight.web.core.cookies`).

The token is 256 random bits; the database holds their SHA-256. A session ends after
`session_idle` without a request or `session_max_age` after sign-in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from streetlight.db.models import StaffSession, StaffUser
from streetlight.staff.settings import StaffSettings

# Writing last_seen_at on every request would make every page view a write; once a minute will do.
_TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, settings: StaffSettings, now: datetime) -> str:
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
    session: Session, token: str, settings: StaffSettings, now: datetime
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
