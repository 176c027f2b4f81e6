"""`streetlight unit linked TOKEN` on SQLite and PostgreSQL: the unsolved offences most like a
person's, by offence reference with scores and breakdown, never a name; the consultation in the
audit log with its reason; one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.enums import Role
from streetlight.db.models import AuditEntry
from tests.unit.casework_data import NAMES, REFS, add_staff, seed

runner = CliRunner()


def test_linked_prints_offences_by_reference_and_records_the_consultation(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        officer = add_staff(session, "dc-one", Role.UNIT_OFFICER, now)
        colleague = add_staff(session, "dc-two", Role.UNIT_OFFICER, now)
        work = seed(session, officer_id=officer.id, colleague_id=colleague.id, today=now.date(), now=now)  # fmt: skip
    token = work.token("N100234")
    result = runner.invoke(
        app, ["unit", "linked", token, "--reason", "case 12/26", "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "the 1 most alike of 1 unsolved offence(s) within a year of their 3" in out
    assert "  1. CL/00702/25 " in out and "most like CL/00" in out and " apart, " in out
    assert "never evidence in itself" in out
    for value in (*NAMES, *REFS):
        assert value not in out
    with sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.subject) == (
        "cli",
        "unit.consult",
        f"unit_person:{token}",
    )
    assert json.loads(last.details)["reason"].endswith(": case 12/26")
    victim = runner.invoke(
        app,
        ["unit", "linked", work.token("N200117"), "--reason", "x", "--database", database_url],
    )
    assert victim.exit_code == 0 and "nothing to show" in victim.output


def test_linked_errors_are_one_line(database_url: str) -> None:
    missing = runner.invoke(
        app, ["unit", "linked", "0" * 32, "--reason", "x", "--database", database_url]
    )
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: PERSON: no person has this token")
    no_reason = runner.invoke(
        app, ["unit", "linked", "0" * 32, "--reason", " ", "--database", database_url]
    )
    assert no_reason.exit_code == 1 and "a reason is required" in no_reason.output


def test_linked_is_documented() -> None:
    text = runner.invoke(app, ["unit", "linked", "--help"]).output
    assert "--reason" in text and "Recorded as a consultation" in text
    assert "linked" in runner.invoke(app, ["unit", "--help"]).output
