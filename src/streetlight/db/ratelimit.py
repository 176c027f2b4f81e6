"""Rate limits kept in the database, so they hold across app processes and restarts.

Keys are hashed with a random salt of the current UTC day: `sha256(salt + scope + key)`. The first
use of a new day's salt deletes older salts and their hits, after which nobody, the operator
included, can tell which client or account a stored hash belonged to. The price: a window that
spans midnight UTC starts again from zero for that key.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from streetlight.db.models import RateLimitHit, RateLimitSalt

SALT_BYTES = 32


@dataclass(frozen=True)
class Limit:
    """At most `max_hits` counted events per key within `window` (a sliding window)."""

    scope: str
    max_hits: int
    window: timedelta


def day_salt(session: Session, now: datetime) -> bytes:
    """Today's salt (UTC), made on first use; concurrent first uses agree on one salt."""
    today = now.astimezone(UTC).date()
    salt = session.scalar(select(RateLimitSalt.salt).where(RateLimitSalt.day == today))
    if salt is not None:
        return salt
    values = {"day": today, "salt": secrets.token_bytes(SALT_BYTES)}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(RateLimitSalt).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(RateLimitSalt).values(values).on_conflict_do_nothing())
    # Older salts go: after this, yesterday's keys can no longer be linked to anyone. Their hits
    # go too, since no key made with today's salt can match them.
    session.execute(delete(RateLimitSalt).where(RateLimitSalt.day < today))
    start_of_day = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    purge(session, start_of_day, keep=timedelta(0))
    stored = session.scalar(select(RateLimitSalt.salt).where(RateLimitSalt.day == today))
    if stored is None:  # pragma: no cover - the row was inserted or already there
        raise RuntimeError("rate-limit salt vanished")
    return stored


def key_hash(
    session: Session, scope: str, key: str, now: datetime, salt: bytes | None = None
) -> str:
    """The salted hash stored instead of `key` (a client address, a username, a warrant number).
    `salt`: today's salt when the caller already has it (one query fewer)."""
    salt = salt if salt is not None else day_salt(session, now)
    return hashlib.sha256(salt + scope.encode() + b"\x00" + key.encode()).hexdigest()


def hits(
    session: Session,
    limit: Limit,
    key: str,
    now: datetime,
    salt: bytes | None = None,
    cap: int | None = None,
) -> int:
    """Counted events for `key` within the window ending at `now` (at most `cap`: counting stops
    there, so a key with a flood of hits costs no more than one at its limit)."""
    digest = key_hash(session, limit.scope, key, now, salt)
    inner = (
        select(RateLimitHit.id)
        .where(
            RateLimitHit.scope == limit.scope,
            RateLimitHit.key_hash == digest,
            RateLimitHit.at > now - limit.window,
        )
        .limit(cap)
        .subquery()
    )
    count = session.scalar(select(func.count()).select_from(inner))
    return int(count or 0)


def is_limited(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> bool:
    """True when `key` has used up its allowance."""
    return hits(session, limit, key, now, salt, cap=limit.max_hits) >= limit.max_hits


def record_hit(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> None:
    """Count one event for `key` now."""
    add_hit(session, limit, key, now, salt)
    session.flush()


def add_hit(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> None:
    """Like `record_hit`, left for the caller's next flush (several rows in one statement)."""
    digest = key_hash(session, limit.scope, key, now, salt)
    session.add(RateLimitHit(scope=limit.scope, key_hash=digest, at=now))


def purge(session: Session, now: datetime, keep: timedelta) -> int:
    """Delete hits older than `keep` (the longest window in use); returns how many went."""
    result = session.execute(delete(RateLimitHit).where(RateLimitHit.at <= now - keep))
    return int(getattr(result, "rowcount", 0) or 0)
