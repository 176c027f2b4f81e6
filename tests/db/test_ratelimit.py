"""Rate limits live in the database, count within their window, and store no raw key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import ratelimit
from streetlight.db.models import RateLimitHit, RateLimitSalt
from tests.db.factories import NOW

LIMIT = ratelimit.Limit("signin:client", 3, timedelta(minutes=10))
ADDRESS = "203.0.113.7"
SALT = b"s" * ratelimit.SALT_BYTES


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


def test_any_limited_checks_several_keys_in_one_query(sessions: sessionmaker[Session]) -> None:
    other = ratelimit.Limit("signin:user", 2, timedelta(minutes=10))
    with sessions.begin() as session:
        checks = [(LIMIT, ADDRESS), (other, "alice")]
        assert not ratelimit.any_limited(session, checks, NOW)
        ratelimit.add_hits(session, checks, NOW)
        ratelimit.add_hits(session, checks, NOW)
        assert ratelimit.hits(session, LIMIT, ADDRESS, NOW) == 2
        assert not ratelimit.is_limited(session, LIMIT, ADDRESS, NOW)
        assert ratelimit.is_limited(session, other, "alice", NOW)
        assert ratelimit.any_limited(session, checks, NOW)  # the second key is at its limit
        assert not ratelimit.any_limited(session, [(LIMIT, ADDRESS), (other, "bob")], NOW)


def _salt_queries(sessions: sessionmaker[Session]) -> list[str]:
    """Every statement on rate_limit_salts from now on (a list that fills as they run)."""
    seen: list[str] = []

    def log(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "rate_limit_salts" in statement:
            seen.append(statement)

    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", log)
    return seen


def test_a_stored_salt_is_read_once_per_day(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        made = ratelimit.day_salt(session, NOW)  # made here: not remembered yet
    with sessions.begin() as session:
        assert ratelimit.day_salt(session, NOW) == made  # read back as stored: remembered
    seen = _salt_queries(sessions)
    with sessions.begin() as session:
        assert ratelimit.day_salt(session, NOW + timedelta(minutes=1)) == made
    assert seen == []
    with sessions.begin() as session:  # a new day goes to the database again
        assert ratelimit.day_salt(session, NOW + timedelta(days=1)) != made
    assert seen


def test_a_salt_rolled_back_is_not_remembered(sessions: sessionmaker[Session]) -> None:
    day = NOW + timedelta(days=40)  # a day no other test has used with this database
    session = sessions()
    with session.begin():
        lost = ratelimit.day_salt(session, day)
        assert ratelimit.day_salt(session, day) == lost  # read again in its own transaction
        session.rollback()
    session.close()
    with sessions.begin() as session:
        kept = ratelimit.day_salt(session, day)
    assert kept != lost
    with sessions.begin() as session:
        assert session.scalars(select(RateLimitSalt.salt)).all() == [kept]
        assert ratelimit.day_salt(session, day) == kept


def test_locked_keys_keep_other_transactions_from_counting_them(
    sessions: sessionmaker[Session],
) -> None:
    """PostgreSQL: a key locked by one transaction cannot be locked by another until the first
    ends; other keys can. (SQLite's write lock already serialises every writer.)"""
    with sessions() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            return
    holder, other = sessions(), sessions()
    with holder.begin():
        ratelimit.lock_keys(holder, [(LIMIT, ADDRESS), (LIMIT, "198.51.100.1")], NOW, SALT)
        with other.begin():
            other.execute(text("SET LOCAL lock_timeout = '200ms'"))
            ratelimit.lock_keys(other, [(LIMIT, "192.0.2.44")], NOW, SALT)  # another key: free
        with pytest.raises(OperationalError), other.begin():
            other.execute(text("SET LOCAL lock_timeout = '200ms'"))
            ratelimit.lock_keys(other, [(LIMIT, "192.0.2.44"), (LIMIT, ADDRESS)], NOW, SALT)
    with other.begin():  # the holder committed: the key is free again
        ratelimit.lock_keys(other, [(LIMIT, ADDRESS)], NOW, SALT)
    holder.close()
    other.close()


def test_the_lock_taken_after_the_keys_is_held_too(sessions: sessionmaker[Session]) -> None:
    """PostgreSQL: `then` (the audit chain's lock, for a batch of checks) is held with the keys'
    locks, from one statement, until the transaction ends."""
    with sessions() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            return
    chain = 0x5354_4C41
    free = text("SELECT pg_try_advisory_xact_lock(CAST(:k AS bigint))")
    holder, other = sessions(), sessions()
    with holder.begin():
        ratelimit.lock_keys(holder, [(LIMIT, ADDRESS)], NOW, SALT, then=chain)
        with other.begin():
            assert other.scalar(free, {"k": chain}) is False
    with other.begin():
        assert other.scalar(free, {"k": chain}) is True
    holder.close()
    other.close()
