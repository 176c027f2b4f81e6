"""The unit's casework seeded on this test's database (SQLite and PostgreSQL), with a reader of
each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.enums import Role
from streetlight.unit.access import Reader
from tests.unit.casework_data import Casework, add_staff, seed


@dataclass(frozen=True)
class Unit:
    """The seeded casework and one reader per role (`officer` holds N100234 and N100871,
    `colleague` holds N100655)."""

    work: Casework
    officer: Reader
    colleague: Reader
    supervisor: Reader
    analyst: Reader
    auditor: Reader
    plain_officer: Reader  # a response officer: the casework is not theirs to see


@pytest.fixture
def unit(sessions: sessionmaker[Session]) -> Unit:
    with sessions.begin() as session:
        readers = {
            name: Reader(add_staff(session, name, role).id, name, role)
            for name, role in (
                ("officer", Role.UNIT_OFFICER),
                ("colleague", Role.UNIT_OFFICER),
                ("supervisor", Role.UNIT_SUPERVISOR),
                ("analyst", Role.ANALYST),
                ("auditor", Role.AUDITOR),
                ("plain-officer", Role.OFFICER),
            )
        }
        work = seed(
            session,
            officer_id=readers["officer"].user_id,
            colleague_id=readers["colleague"].user_id,
        )
    return Unit(
        work,
        readers["officer"],
        readers["colleague"],
        readers["supervisor"],
        readers["analyst"],
        readers["auditor"],
        readers["plain-officer"],
    )
