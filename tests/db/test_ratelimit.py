"""Rate limits live in the database, count within their window, and store no raw key."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import ratelimit
from streetlight.db.models import RateLimitHit, RateLimitSalt
from tests.db.factories import NOW

LIMIT = ratelimit.Limit("signin:client", 3, timedelta(minutes=10))
ADDRESS = "203.0.113.7"


def test_limit_counts_within_the_window(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for minute in range(3):
            assert not ratelimit.is_limited(
                session, LIMIT, ADDRESS, NOW + timedelta(minutes=minute)
            )
            ratelimit.record_hit(session, LIMIT, ADDRESS, NOW + timedelta(minutes=minute))
        assert ratelimit.is_limited(session, LIMIT, ADDRESS, NOW + timedelta(minutes=3))
        assert not ratelimit.is_limited(session, LIMIT, "198.51.100.1", NOW)
        # The first hit leaves the window ten minutes after it happened.
        assert not ratelimit.is_limited(session, LIMIT, ADDRESS, NOW + timedelta(minutes=10))


def test_a_second_process_sees_the_same_limit(sessions: sessionmaker[Session]) -> None:
    """State is in the database: a separate session (another app process) is limited too."""
    for _ in range(3):
        with sessions.begin() as session:
            ratelimit.record_hit(session, LIMIT, ADDRESS, NOW)
    with sessions.begin() as other:
        assert ratelimit.is_limited(other, LIMIT, ADDRESS, NOW)


def test_no_address_is_stored_and_salts_rotate_daily(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ratelimit.record_hit(session, LIMIT, ADDRESS, NOW)
        first = session.scalars(select(RateLimitHit.key_hash)).one()
        assert ADDRESS not in first and len(first) == 64
        tomorrow = NOW + timedelta(days=1)
        ratelimit.record_hit(session, LIMIT, ADDRESS, tomorrow)
        # A new day: a new salt, yesterday's salt and hits gone, so nothing links the two days.
        assert session.scalars(select(RateLimitHit.key_hash)).all() != [first]
        assert len(session.scalars(select(RateLimitHit.key_hash)).all()) == 1
        assert session.scalars(select(RateLimitSalt.day)).all() == [tomorrow.date()]
        assert ratelimit.purge(session, tomorrow + timedelta(hours=2), keep=timedelta(hours=1)) == 1
