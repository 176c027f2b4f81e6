"""Casework's audit helpers: one chained entry per act, naming the person by token only, with
the reason given, and refusing an act without one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import ReviewDecision
from streetlight.db.models import AuditEntry, UnitPerson
from streetlight.unit import audit
from streetlight.unit.errors import CaseworkAccessError
from streetlight.unit.importer import import_extract
from streetlight.unit.mapping import load_mapping
from tests.unit.extracts import PERSONAL, base, write_extract

NOW = datetime(2026, 3, 14, 21, 30, tzinfo=UTC)


def test_each_act_is_one_entry_naming_the_person_by_token_only(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = write_extract(tmp_path / "extract", base())
    with sessions.begin() as session:
        import_extract(session, tmp_path / "extract", load_mapping(mapping), actor="sup", now=NOW)
    with sessions.begin() as session:
        person = session.scalars(select(UnitPerson).where(UnitPerson.person_ref == "P1")).one()
        token = person.token
        audit.consulted(session, "dc2207", person, "Bail review, case O1", now=NOW)
        audit.altered(
            session,
            "dc2207",
            person,
            "Victim's new address",
            changed=["unit_people.surname", "unit_tasks.status", "unit_people.surname"],
            now=NOW,
        )
        audit.disclosed(session, "ds1", token, "MARAC meeting", recipient="MARAC", now=NOW)
        audit.reviewed(
            session,
            "ds1",
            person,
            "Active investigation",
            decision=ReviewDecision.RETAIN,
            next_review=date(2027, 3, 14),
            now=NOW,
        )
        audit.erased(session, "ds1", person, "No longer necessary", now=NOW)
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == [
            "unit.import",
            "unit.consult",
            "unit.alter",
            "unit.disclose",
            "unit.review",
            "unit.erase",
        ]
        assert {e.subject for e in entries[1:]} == {f"unit_person:{token}"}
        assert json.loads(entries[2].details) == {
            "reason": "Victim's new address",
            "changed": ["unit_people.surname", "unit_tasks.status"],
        }
        assert json.loads(entries[4].details)["next_review"] == "2027-03-14"
        text = "\n".join(f"{e.subject} {e.details}" for e in entries)
        for value in (*PERSONAL, "P1"):
            assert value not in text
        assert verify_chain(session).ok


@pytest.mark.parametrize("reason", ["", "   ", "x" * (audit.REASON_CHARS + 1)])
def test_an_act_without_a_reason_is_refused(sessions: sessionmaker[Session], reason: str) -> None:
    with sessions.begin() as session, pytest.raises(CaseworkAccessError, match="reason"):
        audit.consulted(session, "dc2207", "0" * 32, reason, now=NOW)
    with sessions() as session:
        assert session.scalars(select(AuditEntry)).all() == []
