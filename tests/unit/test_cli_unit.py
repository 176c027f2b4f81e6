"""`streetlight unit import|export|review-due` on SQLite and PostgreSQL: the import's summary by
table and reason and a second run that says nothing changed; the subject-access export and its
audit entries; the records due for review by token; one-line errors, and no personal data on
the terminal."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.enums import Role
from streetlight.db.models import AuditEntry
from tests.conftest import REPO
from tests.unit.casework_data import NAMES, Casework, add_staff, seed

runner = CliRunner()
EXAMPLE = REPO / "tests" / "data" / "unit-extract"
MAPPING = REPO / "mappings" / "unit-example.toml"


def _personal_values() -> set[str]:
    """Every name and date of birth in the example extract."""
    with (EXAMPLE / "Nominals.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row[column]
            for row in csv.DictReader(handle)
            for column in ("Surname", "Forenames", "DOB")
            if row[column]
        }


def test_import_prints_counts_and_reasons_and_then_nothing_changed(
    empty_database_url: str,
) -> None:
    command = ["unit", "import", str(EXAMPLE), "--mapping", str(MAPPING)]
    result = runner.invoke(app, [*command, "--database", empty_database_url])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Example Constabulary Public Protection Unit: import 1: 37 row(s) added or " in out
    assert re.search(r"offences +8 +7 +0 +0 +1 +Occurrences\.csv", out)
    assert re.search(r"links +15 +14 +0 +0 +1 +OccurrenceNominals\.csv", out)
    assert re.search(r"bail_beyond_authority +1 +a bail period longer", out)
    assert "Nominals.csv: row 10, DOB: unparsable_date" in out
    for value in _personal_values() | {"31/02/1990", "N100999"}:
        assert value not in out, value
    again = runner.invoke(app, [*command, "--database", empty_database_url])
    assert again.exit_code == 0, again.output
    assert "nothing changed: this extract was the last one imported (import 1, " in again.output
    audit = runner.invoke(app, ["db", "verify-audit", "--database", empty_database_url])
    assert audit.exit_code == 0 and "audit log: 1 row(s), chain intact" in audit.output


def test_import_errors_are_one_line_naming_the_file(tmp_path: Path) -> None:
    database = ["--database", f"sqlite:///{tmp_path / 'db' / 'streetlight.db'}"]
    bad = tmp_path / "bad.toml"
    bad.write_text(MAPPING.read_text().replace('timezone = "Europe/London"', ""))
    result = runner.invoke(app, ["unit", "import", str(EXAMPLE), "--mapping", str(bad), *database])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {bad}: [unit] needs 'timezone'"
    missing = runner.invoke(
        app, ["unit", "import", str(tmp_path / "none"), "--mapping", str(MAPPING), *database]
    )
    assert missing.exit_code == 1
    assert missing.output.strip() == f"error: {tmp_path / 'none'}: no such file or folder"


def test_a_unit_officer_account_can_be_created(empty_database_url: str, tmp_path: Path) -> None:
    options = ["--database", empty_database_url, "--store", str(tmp_path / "data")]
    for name, role in (("dc9", "unit_officer"), ("ds9", "unit_supervisor"), ("aud", "auditor")):
        added = runner.invoke(
            app,
            ["staff", "add", name, "--role", role, *options],
            input="a long enough password\na long enough password\n",
        )
        assert added.exit_code == 0, added.output
        assert f"created {role} account {name!r}" in added.output


# --- export and review-due, on casework seeded as of the real today -----------------------------


def _seeded(sessions: sessionmaker[Session]) -> Casework:
    """The tests' casework dated from the real clock (the commands read it), held by two
    officers."""
    now = datetime.now(UTC)
    with sessions.begin() as session:
        officer = add_staff(session, "dc-one", Role.UNIT_OFFICER, now)
        colleague = add_staff(session, "dc-two", Role.UNIT_OFFICER, now)
        return seed(session, officer_id=officer.id, colleague_id=colleague.id, today=now.date(), now=now)  # fmt: skip


def _audit(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_export_writes_everything_on_one_person_and_records_the_disclosure(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    work = _seeded(sessions)
    token = work.token("N100234")
    target = tmp_path / "sar" / "export.json"
    result = runner.invoke(
        app,
        ["unit", "export", token, "--out", str(target), "--reason", "SAR 2025/117",
         "--database", database_url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f"wrote {target}: " in result.output and "disclosure to the data subject" in result.output
    )
    for name in NAMES:
        assert name not in result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "streetlight.unit.subject-access/1"
    assert data["person"]["force_reference"] == "N100234"
    assert data["person"]["forenames"] == "Dariusz"
    assert {o["your_part"] for o in data["offences"]} == {"suspect"}
    assert [d["recipient"] for d in data["disclosures"]] == ["data subject"]
    # Other people are named nowhere but in the free text as recorded (bail conditions here),
    # which the export's notes say to read before sending it.
    for part in ("bail", "orders", "tasks"):
        for entry in data[part]:
            entry.pop("conditions", None), entry.pop("details", None)
    text = json.dumps(data)
    for name in NAMES[2:]:  # everyone but him
        assert name not in text
    entries = _audit(sessions)
    mine = [(e.actor, e.action, e.subject) for e in entries if e.subject.endswith(token)]
    assert mine == [
        ("cli", "unit.consult", f"unit_person:{token}"),
        ("cli", "unit.disclose", f"unit_person:{token}"),
    ]
    assert json.loads(entries[-1].details) == {
        "reason": "SAR 2025/117",
        "recipient": "data subject",
    }
    verify = runner.invoke(app, ["db", "verify-audit", "--database", database_url])
    assert verify.exit_code == 0 and "chain intact" in verify.output


def test_export_refuses_without_a_reason_an_unknown_token_or_an_existing_file(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    work = _seeded(sessions)
    before = len(_audit(sessions))
    target = tmp_path / "export.json"

    def export(token: str, reason: str, out: Path = target) -> Any:
        return runner.invoke(
            app,
            ["unit", "export", token, "--out", str(out), "--reason", reason,
             "--database", database_url],
        )  # fmt: skip

    blank = export(work.token("N100234"), "  ")
    assert blank.exit_code == 1 and "a reason is required" in blank.output
    unknown = export("0" * 32, "SAR 1")
    assert unknown.exit_code == 1 and "no person has this token" in unknown.output
    assert not target.exists() and len(_audit(sessions)) == before
    target.write_text("{}")
    exists = export(work.token("N100234"), "SAR 1")
    assert exists.exit_code == 1 and "already exists" in exists.output
    assert target.read_text() == "{}" and len(_audit(sessions)) == before


def test_review_due_lists_tokens_dates_and_holders_never_names(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    work = _seeded(sessions)
    options = ["--timezone", "UTC", "--database", database_url]
    result = runner.invoke(app, ["unit", "review-due", *options])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 record(s) past their review date without a decision, 0 due today" in out
    late = work.token("N100871")
    assert re.search(rf"{late} +\S+ +2 +dc-one +never", out), out
    assert work.token("N100234") not in out
    for value in (*NAMES, "N100871"):
        assert value not in out, value
    # Everyone else falls due on the first review, a year after the import.
    ahead = runner.invoke(app, ["unit", "review-due", "--within", "400", *options])
    assert ahead.exit_code == 0 and work.token("N100234") in ahead.output
    views = [e for e in _audit(sessions) if e.action == "unit.view"]
    assert [(e.actor, e.subject, json.loads(e.details)) for e in views] == [
        ("cli", "unit_page:review-due", {"people": 1}),
        ("cli", "unit_page:review-due", {"people": len(work.tokens)}),
    ]
    bad = runner.invoke(app, ["unit", "review-due", "--timezone", "Mars/Olympus", *options[2:]])
    assert bad.exit_code == 1 and "unknown time zone" in bad.output
