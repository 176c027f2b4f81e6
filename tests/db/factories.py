"""Small builders for database tests: one officer, one staff user, a fixed instant."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from streetlight.db.models import Officer, OfficerStatus

NOW = datetime(2026, 3, 14, 21, 30, 15, 123456, tzinfo=UTC)


def add_officer(session: Session, warrant: str = "PC1234", **fields: object) -> Officer:
    values: dict[str, object] = {
        "warrant_number": warrant,
        "name": "Alex Morgan",
        "rank": "Police Constable",
        "unit": "Night-time economy team",
        "team": "NTE-1",
        "status": OfficerStatus.ACTIVE,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    officer = Officer(**values)
    session.add(officer)
    session.flush()
    return officer


def bypass_audit_guard(engine: Engine, statement: str) -> None:
    """Run `statement` on the audit log as an attacker with database access would: after
    switching off the triggers that make the table append-only (on SQLite they stay off)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            connection.execute(text(statement))
