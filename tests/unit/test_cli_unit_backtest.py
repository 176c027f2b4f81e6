"""`streetlight unit backtest` over the casework (SQLite and PostgreSQL) and on a synthetic
force: the summary, the run in the audit log, the report files, one-line errors, and no token,
name or force id on the terminal."""

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


def _backtest(*options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["unit", "backtest", *options])
    return result.exit_code, result.output


def test_backtest_over_the_casework_is_counts_only_and_audited(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as session:
        tokens = [p.token for p in import_example(session).values()]
    # The example runs from July to September 2025: a refresh in August 2024 ranks on a year
    # with no records and follows up the July 2025 allegations, whose suspects no list holds.
    code, out = _backtest(
        "--from", "2024-08", "--to", "2024-08", "--database", database_url,
        "--out", str(tmp_path / "report"), "-q",
    )  # fmt: skip
    assert code == 0, out
    text = " ".join(out.split())
    assert "1 monthly refreshes 2024-08..2024-08" in text
    assert "0 people eligible at the first" in text
    assert "identical, none found." in text
    assert "Seen by no list: 100.0% of follow-up VAWG harm (0.0% with no named suspect" in text
    assert "SYNTHETIC" not in out
    for value in (*NAMES, *REFS, *tokens):
        assert value not in out, value
    data = json.loads((tmp_path / "report" / "backtest.json").read_text(encoding="utf-8"))
    assert data["synthetic"] is False and data["months"] == ["2024-08"]
    assert data["refreshes"][0]["offences"] == 3
    with sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.subject) == (
        "cli",
        "unit.view",
        "unit_page:rank-backtest",
    )
    assert json.loads(last.details) == {
        "from": "2024-08", "to": "2024-08", "methods": ["v100", "rfgv", "count", "recent"],
        "top": 100, "leak_free": True,
    }  # fmt: skip
    code, out = _backtest("--from", "2024-08", "--to", "2025-01", "--database", database_url)
    assert code == 1
    assert " ".join(out.split()) == (
        "error: to 2025-01: its follow-up of 12 months runs to 2025-12-31, past the records' "
        "last report (2025-08-30): end the range at 2024-08 or earlier"
    )


def test_backtest_on_a_synthetic_force_says_so(tmp_path: Path) -> None:
    code, out = _backtest(
        "--from", "2024-01", "--to", "2024-02", "--synthetic", "--perpetrators", "600",
        "--methods", "v100,count", "--top", "20", "--out", str(tmp_path), "-q",
    )  # fmt: skip
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0] == lines[-1] == "SYNTHETIC DATA - NOT REAL PEOPLE"
    assert "SYNTHETIC force: 2 monthly refreshes 2024-01..2024-02" in out
    assert "identical, none found." in out
    for name in ("v100", "count", "random"):
        assert any(line.startswith(name + " ") for line in lines), name
    assert not any(line.startswith("rfgv") for line in lines)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# SYNTHETIC force") and "SYNTHETIC DATA - NOT REAL PEOPLE" in report
    assert json.loads((tmp_path / "backtest.json").read_text(encoding="utf-8"))["synthetic"]


def test_backtest_errors_are_one_line() -> None:
    code, out = _backtest("--from", "2024/01", "--to", "2024-02", "--synthetic")
    assert code == 1 and out.strip() == "error: --from: '2024/01' is not a month (YYYY-MM)"
    code, out = _backtest("--from", "2024-03", "--to", "2024-02", "--synthetic")
    assert code == 1 and out.strip() == "error: --to: 2024-02 is before --from 2024-03"
    code, out = _backtest(
        "--from", "2024-01", "--to", "2024-02", "--methods", "v200", "--synthetic"
    )
    assert code == 1 and "--methods: v200 (use v100, rfgv, count, recent)" in out


def test_backtest_is_documented() -> None:
    assert "backtest" in runner.invoke(app, ["unit", "--help"]).output
    text = runner.invoke(app, ["unit", "backtest", "--help"]).output
    for option in ("--from", "--to", "--methods", "--top", "--out", "--synthetic", "--seed"):
        assert option in text
