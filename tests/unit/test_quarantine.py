"""The quarantine's values: for unit supervisors, every reading audited; no one else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import AuditEntry, Role, StaffUser
from streetlight.unit.errors import CaseworkAccessError
from streetlight.unit.importer import import_extract
from streetlight.unit.mapping import load_mapping
from streetlight.unit.quarantine import read_quarantine
from tests.unit.extracts import base, write_extract

NOW = datetime(2026, 3, 14, 21, 30, tzinfo=UTC)


def _user(session: Session, role: Role, *, active: bool = True) -> StaffUser:
    user = StaffUser(
        username=f"user-{role.value}" + ("" if active else "-suspended"),
        display_name="Sam Reed",
        password_hash="$argon2id$placeholder",
        totp_secret="JBSWY3DPEHPK3PXP",
        role=role,
        active=active,
        created_at=NOW,
    )
    session.add(user)
    session.flush()
    return user


def test_supervisors_read_the_quarantine_and_it_is_audited(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    tables = base()
    tables["people"][1]["date_of_birth"] = "12/02/1991"
    mapping = write_extract(tmp_path / "extract", tables)
    with sessions.begin() as session:
        summary = import_extract(
            session, tmp_path / "extract", load_mapping(mapping), actor="cli", now=NOW
        )
        supervisor = _user(session, Role.UNIT_SUPERVISOR)
        others = [
            _user(session, role)
            for role in (Role.UNIT_OFFICER, Role.AUDITOR, Role.ANALYST, Role.ADMIN)
        ]
        others.append(_user(session, Role.UNIT_SUPERVISOR, active=False))
    with sessions.begin() as session:
        rows = read_quarantine(session, supervisor, "Correcting the RMS record", now=NOW)
    assert [(r.table, r.row, r.field, r.reason) for r in rows] == [
        ("links", 3, "person_ref", "unknown_person"),
        ("people", 3, "date_of_birth", "unparsable_date"),
    ]
    assert rows[1].values["surname"] == "Ellery" and rows[1].import_id == summary.import_id
    for user in others:
        with sessions.begin() as session, pytest.raises(CaseworkAccessError, match="supervisors"):
            read_quarantine(session, user, "Curious", now=NOW)
    with sessions.begin() as session, pytest.raises(CaseworkAccessError, match="reason"):
        read_quarantine(session, supervisor, " ", now=NOW)
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.actor, e.action, e.subject) for e in entries[1:]] == [
            ("user-unit_supervisor", "unit.consult", f"unit_quarantine:{summary.import_id}")
        ]
