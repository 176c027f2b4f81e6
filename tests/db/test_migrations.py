"""Migrations bring an empty SQLite or PostgreSQL database to the models' schema and back."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

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
    "unit_imports",
    "unit_quarantine",
    "unit_people",
    "unit_offences",
    "unit_links",
    "unit_arrests",
    "unit_bail",
    "unit_orders",
    "unit_tasks",
    "unit_caseload",
    "unit_reviews",
    "unit_list_refreshes",
    "unit_list_entries",
    "unit_list_decisions",
    "officer_line_managers",
    "conduct_recipients",
    "conduct_reports",
    "conduct_items",
    "conduct_keys",
    "conduct_routing",
    "conduct_links",
    "conduct_reminders",
    "unit_linkage_decisions",
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


def test_every_check_constraint_of_the_models_is_in_the_database(
    empty_database_url: str,
) -> None:
    """Alembic's comparison skips CHECK constraints; the vocabulary and the casework's rules
    (bail terms by kind, a victim's safeguarding) live in them, so their names are compared."""
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            in_models = {
                str(c.name) for c in table.constraints if isinstance(c, CheckConstraint) and c.name
            }
            in_database = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert in_database == in_models, table.name
    finally:
        engine.dispose()


_NOW = "2026-12-07 10:00:00"


def _staff(connection: Connection, id: int, role: str) -> None:
    connection.execute(
        text(
            "INSERT INTO staff_users (id, username, display_name, password_hash, totp_secret, "
            "role, active, created_at) VALUES (:id, :name, :name, 'h', 's', :role, true, :now)"
        ),
        {"id": id, "name": f"user{id}", "role": role, "now": _NOW},
    )


def _counts(engine: Engine) -> dict[str, int]:
    tables = ("staff_users", "staff_sessions", "staff_credentials", "webauthn_challenges")
    with engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables
        }


def test_the_unit_roles_keep_every_account_session_and_key(empty_database_url: str) -> None:
    """0006 widens the role constraint; on SQLite that copies staff_users, whose implicit delete
    would cascade to sessions, security keys and challenges unless the migration puts them back.
    Going down again removes the unit accounts only."""
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0005")
        with engine.begin() as connection:
            _staff(connection, 1, "analyst")
            connection.execute(
                text(
                    "INSERT INTO staff_sessions (id, token_hash, user_id, created_at, "
                    "last_seen_at, expires_at) VALUES (1, 't', 1, :now, :now, :now)"
                ),
                {"now": _NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO staff_credentials (id, user_id, credential_id, public_key, "
                    "sign_count, transports, label, created_at) "
                    "VALUES (1, 1, 'c', :key, 0, 'usb', 'key', :now)"
                ),
                {"key": b"\x01", "now": _NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO webauthn_challenges (id, challenge, purpose, user_id, "
                    "created_at, expires_at) VALUES (1, :c, 'authentication', 1, :now, :now)"
                ),
                {"c": b"\x02" * 32, "now": _NOW},
            )
            with pytest.raises(IntegrityError), connection.begin_nested():  # not a role yet
                _staff(connection, 2, "unit_officer")
        before = _counts(engine)
        assert before == dict.fromkeys(before, 1)
        upgrade(engine)
        assert _counts(engine) == before
        with engine.begin() as connection:
            for id, role in ((2, "unit_officer"), (3, "unit_supervisor"), (4, "auditor")):
                _staff(connection, id, role)
        assert _counts(engine)["staff_users"] == 4
        downgrade(engine, "0005")
        assert _counts(engine) == before
    finally:
        engine.dispose()
