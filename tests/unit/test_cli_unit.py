"""`streetlight unit import` on SQLite and PostgreSQL: the summary by table and reason, a second
run that says nothing changed, one-line errors, and no personal data on the terminal."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from typer.testing import CliRunner

from streetlight.cli.main import app
from tests.conftest import REPO

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
