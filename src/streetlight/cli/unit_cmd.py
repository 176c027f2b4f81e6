"""`streetlight unit ...`: offender units' casework. `import` loads a force's records-management
extract through a mapping file (`streetlight.unit.importer`), in one transaction, and prints what
it did: rows accepted, updated, unchanged and quarantined by table, and quarantined rows by
reason, file, row and field. Never a value: the rows are personal data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, out

if TYPE_CHECKING:
    from streetlight.unit.importer import ImportSummary

unit_app = typer.Typer(
    help="Offender units' casework (Data Protection Act 2018 Part 3 data): import the force's "
    "records-management extract.",
    no_args_is_help=True,
)

# Quarantined rows listed one by one; past this, a count (all are in unit_quarantine).
_SHOW = 20


@unit_app.command("import")
def import_command(
    extract: Path = typer.Argument(
        ..., help="The extract: a folder or .zip of CSV files, one per table."
    ),
    mapping: Path = typer.Option(
        ...,
        "--mapping",
        help="The unit mapping file (TOML) naming each table's file and columns; see "
        "mappings/unit-example.toml.",
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Import an extract (offences, people, links; arrests, bail and orders where given):
    new rows added, changed rows updated by their references, bad rows quarantined with file,
    row, field and reason. Importing the same extract again changes nothing."""
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.importer import import_extract
    from streetlight.unit.mapping import load_mapping

    with cli_errors():
        unit_mapping = load_mapping(mapping)
        engine = open_database(database_url(store, database))
        try:
            session: Session
            with session_factory(engine).begin() as session:
                summary = import_extract(
                    session, extract, unit_mapping, actor="cli", now=datetime.now(UTC)
                )
        finally:
            engine.dispose()
    _print_summary(summary)


def _print_summary(summary: ImportSummary) -> None:
    from streetlight.unit.reading import REASONS

    if summary.already_imported:
        out.print(
            f"{summary.unit}: nothing changed: this extract was the last one imported "
            f"(import {summary.import_id}, {summary.at:%Y-%m-%d %H:%M} UTC)",
            soft_wrap=True,
        )
        return
    out.print(
        f"{summary.unit}: import {summary.import_id}: {summary.changed:,} row(s) added or "
        f"updated, {len(summary.problems):,} quarantined",
        soft_wrap=True,
    )
    # Plain columns, not a Rich table: a narrow terminal must not cut file names short.
    headings = ("read", "accepted", "updated", "unchanged", "quarantined")
    out.print(f"  {'table':<10}" + "".join(f"{h:>13}" for h in headings) + "  file", soft_wrap=True)
    for t in summary.tables:
        counts = (t.read, t.accepted, t.updated, t.unchanged, t.quarantined)
        out.print(
            f"  {t.table:<10}" + "".join(f"{n:>13,}" for n in counts) + f"  {t.file}",
            soft_wrap=True,
        )
    if not summary.problems:
        return
    out.print("Quarantined rows by reason:")
    for reason, n in summary.reasons.most_common():
        out.print(f"  {reason:<26}{n:>9,}  {REASONS[reason]}", soft_wrap=True)
    out.print(
        "Quarantined rows (file, row, column, reason; their values are kept in the database's "
        "unit_quarantine table, for unit supervisors):",
        soft_wrap=True,
    )
    for problem in summary.problems[:_SHOW]:
        out.print(f"  {problem}", soft_wrap=True)
    if len(summary.problems) > _SHOW:
        out.print(f"  ... and {len(summary.problems) - _SHOW:,} more")
