"""`streetlight officers ...`: load officers and duty from CSV files (see
`streetlight.db.csv_import` for the columns). Bad rows are listed with file, row and field and
skipped; the good rows land in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, err, out

officers_app = typer.Typer(help="Officers and duty, imported from CSV.", no_args_is_help=True)


def _run(
    kind: Literal["officers", "duty"], file: Path, store: Path | None, database: str | None
) -> None:
    from sqlalchemy.orm import Session

    from streetlight.db.csv_import import import_duty, import_officers, problems_text
    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database

    importer = import_officers if kind == "officers" else import_duty
    with cli_errors():
        engine = open_database(database_url(store, database))
        session: Session
        with session_factory(engine).begin() as session:
            report = importer(session, file, actor="cli", now=datetime.now(UTC))
        engine.dispose()
    skipped = len(report.problems)
    out.print(
        f"{file}: {report.rows:,} row(s): {report.imported:,} imported, {skipped:,} skipped",
        soft_wrap=True,
    )
    for line in problems_text(report):
        err.print(line, soft_wrap=True)
    if skipped:
        raise typer.Exit(1)


@officers_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV: warrant_number,name,rank,unit[,team,status,photo]"),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create or update officers by warrant number; status `suspended` takes effect at once."""
    _run("officers", file, store, database)


@officers_app.command("duty")
def duty_command(
    file: Path = typer.Argument(..., help="CSV: warrant_number,duty[,dress,area,started_at]"),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Put officers on duty (uniform or plain clothes, area) or off duty, at once."""
    _run("duty", file, store, database)
