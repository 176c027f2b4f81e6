"""Migration 0003 on SQLite and PostgreSQL: the analyst role, sessions kept across the role change,
and the public_reports constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.engine import make_engine
from streetlight.db.enums import Role
from streetlight.db.migrate import current_revision, downgrade, upgrade
from streetlight.db.models import PublicReport
from streetlight.reports.categories import ReportStatus

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def add_user(connection: Connection, user_id: int, role: str) -> None:
    connection.execute(
        text(
            "INSERT INTO staff_users (id, username, display_name, password_hash, totp_secret, "
            "role, active, created_at) VALUES (:id, :name, 'X', 'h', 's', :role, true, :at)"
        ),
        {"id": user_id, "name": f"user{user_id}", "role": role, "at": NOW.replace(tzinfo=None)},
    )
    connection.execute(
        text(
            "INSERT INTO staff_sessions (token_hash, user_id, created_at, last_seen_at, "
            "expires_at) VALUES (:token, :id, :at, :at, :at)"
        ),
        {"token": f"t{user_id}", "id": user_id, "at": NOW.replace(tzinfo=None)},
    )


def refuses(engine: Engine, user_id: int, role: str) -> bool:
    try:
        with engine.begin() as connection:
            add_user(connection, user_id, role)
    except IntegrityError:
        return True
    return False


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_the_analyst_role_comes_and_goes_with_0003(empty_database_url: str) -> None:
    assert Role.ANALYST.value == "analyst"
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0002")
        assert refuses(engine, 9, "analyst")
        with engine.begin() as connection:
            add_user(connection, 1, "admin")
        upgrade(engine, "0003")
        assert current_revision(engine) == "0003"
        # Changing the role constraint signs nobody out (SQLite copies the table to change it).
        assert count(engine, "staff_sessions") == 1
        assert not refuses(engine, 2, "analyst")
        assert refuses(engine, 3, "boss")
        downgrade(engine, "0002")
        # Analysts cannot exist under the old schema: their accounts and sessions go.
        assert count(engine, "staff_users") == 1 and count(engine, "staff_sessions") == 1
        assert refuses(engine, 4, "analyst")
        upgrade(engine)
        assert not refuses(engine, 5, "analyst")
    finally:
        engine.dispose()


def report(**fields: object) -> PublicReport:
    values: dict[str, object] = {
        "receipt_hash": "r" * 64,
        "submitted_on": date(2026, 11, 30),
        "occurred_on": date(2026, 11, 29),
        "time_band": 7,
        "factor_mask": 1,
        "nonce_hash": "n" * 64,
        "status": ReportStatus.PENDING,
    }
    values.update(fields)
    return PublicReport(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {"time_band": 8},
        {"time_band": -1},
        {"factor_mask": 0},
        {"factor_mask": 1 << 11},
        {"lon": -1.2, "lat": None},
        {"lon": None, "lat": 54.5},
        {"lon": 181.0, "lat": 54.5},
        {"lon": -1.2, "lat": 91.0},
        {"score_lighting": 0},
        {"score_transport": 6},
        {"language": "de"},
        {"status": ReportStatus.MERGED},
        {"merged_into_id": 1},
    ],
)
def test_the_database_refuses_impossible_reports(
    sessions: sessionmaker[Session], fields: dict[str, object]
) -> None:
    with sessions.begin() as session:
        session.add(report(receipt_hash="a" * 64, nonce_hash="a" * 64))
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(report(**fields))
        session.flush()


def test_receipts_and_nonces_are_unique(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(report())
    for fields in ({"nonce_hash": "x" * 64}, {"receipt_hash": "x" * 64}):
        with sessions() as session, pytest.raises(IntegrityError):
            session.add(report(**fields))
            session.flush()
