"""Migrations bring an empty SQLite or PostgreSQL database to the models' schema and back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from streetlight.db.engine import make_engine
from streetlight.db.migrate import current_revision, downgrade, head_revision, upgrade
from streetlight.db.models import Base

TABLES = {
    "officers",
    "duties",
    "staff_users",
    "staff_sessions",
    "rate_limit_salts",
    "rate_limit_hits",
    "audit_log",
    "engagements",
    "verification_codes",
    "verifications",
    "backup_requests",
    "chats",
    "chat_messages",
    "check_tallies",
    "console_events",
    "public_reports",
    "staff_credentials",
    "webauthn_challenges",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert _tables(engine) == TABLES
        with engine.connect() as connection:
            # The migration scripts and the models describe the same schema.
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        upgrade(engine)  # running it again is a no-op
        downgrade(engine)
        assert _tables(engine) == set()
        upgrade(engine)
        assert _tables(engine) == TABLES
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL has these properties built in
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
