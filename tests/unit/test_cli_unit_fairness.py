"""`streetlight unit disparity` and `unit dpia-export` on SQLite and PostgreSQL: the example
casework's report (three people: every group suppressed), the reading in the audit log by counts,
the export's files, one-line errors, and no name, token or force id anywhere."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.models import AuditEntry
from tests.unit.casework_data import NAMES, REFS, import_example

runner = CliRunner()


def _identifying(sessions: sessionmaker[Session]) -> list[str]:
    with sessions.begin() as session:
        tokens = [person.token for person in import_example(session).values()]
    return [*tokens, *NAMES, *REFS]


def _run(database_url: str, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["unit", *options, "--database", database_url])
    return result.exit_code, result.output


def _entries(sessions: sessionmaker[Session]) -> list[tuple[str, str, str, dict[str, object]]]:
    with sessions() as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.view"))
        return [(e.actor, e.action, e.subject, json.loads(e.details)) for e in found]


def test_disparity_prints_groups_and_counts_only_and_records_the_reading(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    identifying = _identifying(sessions)
    code, out = _run(database_url, "disparity", "--as-of", "2025-10-28", "--top", "2")
    assert code == 0, out
    assert "# Disparity: v100 as of 2025-10-28" in out
    assert "The first 2 listed (top 2) against the 3 people v100 ranked" in out
    assert "| male | <5 | - | <5 | - | - | - | suppressed |" in out
    for value in identifying:
        assert value not in out, value
    report = tmp_path / "disparity.md"
    code, out = _run(
        database_url,
        "disparity",
        "--as-of",
        "2025-10-28",
        "--method",
        "count",
        "--out",
        str(report),
    )
    assert code == 0, out
    assert "count as of 2025-10-28: the first 3 of 3 ranked; 0 group(s) flagged." in out
    assert report.read_text().startswith("# Disparity: count as of 2025-10-28")
    assert json.loads(report.with_suffix(".json").read_text())["population"] == 3
    detail = {"as_of": "2025-10-28", "ranked": 3, "flagged": 0}
    assert _entries(sessions) == [
        ("cli", "unit.view", "unit_page:disparity", {"method": "v100", "listed": 2, **detail}),
        ("cli", "unit.view", "unit_page:disparity", {"method": "count", "listed": 3, **detail}),
    ]
    verify = runner.invoke(app, ["db", "verify-audit", "--database", database_url])
    assert verify.exit_code == 0 and "chain intact" in verify.output


def test_dpia_export_writes_the_material_without_personal_data(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    identifying = _identifying(sessions)
    folder = tmp_path / "dpia"
    code, out = _run(database_url, "dpia-export", "--as-of", "2025-10-28", "--out", str(folder))
    assert code == 0, out
    assert "DPIA material (9 files, no personal data) written to" in out
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == [
        "README.md", "disparity.json", "disparity.md", "inputs.md", "linkage.md", "retention.md",
        "weights/CCHI_SUBGROUPS.md", "weights/cchi_subgroups.csv", "weights/rfgv.toml",
    ]  # fmt: skip
    text = "\n".join(p.read_text() for p in folder.rglob("*") if p.is_file())
    for value in identifying:
        assert value not in text, value
    assert [e[2] for e in _entries(sessions)] == ["unit_page:dpia-export"]
    code, out = _run(database_url, "dpia-export", "--as-of", "2025-10-28", "--out", str(folder))
    assert code == 1 and "exists and is not an empty folder" in out


def test_errors_are_one_line(database_url: str) -> None:
    code, out = _run(database_url, "disparity", "--as-of", "28/10/2025")
    assert code == 1 and out.strip() == "error: --as-of: '28/10/2025' is not a date (YYYY-MM-DD)"
    code, out = _run(database_url, "disparity", "--as-of", "2025-10-28", "--method", "v200")
    assert code == 1 and "--method: 'v200' is not one of v100, rfgv, count, recent" in out


def test_the_commands_are_documented() -> None:
    text = runner.invoke(app, ["unit", "--help"]).output
    assert "disparity" in text and "dpia-export" in text
    for command, options in (
        ("disparity", ("--as-of", "--method", "--top", "--out", "--weights")),
        ("dpia-export", ("--as-of", "--out", "--method", "--top")),
    ):
        help_text = runner.invoke(app, ["unit", command, "--help"]).output
        for option in options:
            assert option in help_text
