"""`streetlight unit ...`: offender units' casework.

- `import` loads a force's records-management extract through a mapping file
  (`streetlight.unit.importer`), in one transaction, and prints what it did: rows accepted,
  updated, unchanged and quarantined by table, and quarantined rows by reason, file, row and
  field. Never a value: the rows are personal data.
- `export` writes everything held on one person to a JSON file for a subject access request
  (`streetlight.unit.records.operator_subject_access`), recorded in the audit log as a
  disclosure with the reason given; the terminal shows counts, never the content.
- `review-due` lists the records at or past their review date without a decision, by token,
  date and holder: what a data protection officer chases, without a name on the screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import (
    DatabaseOption,
    DataOption,
    ForceZoneOption,
    OptionError,
    database_url,
    force_zone,
)
from streetlight.cli.terminal import cli_errors, out

if TYPE_CHECKING:
    from streetlight.unit.importer import ImportSummary

unit_app = typer.Typer(
    help="Offender units' casework (Data Protection Act 2018 Part 3 data): import the force's "
    "records-management extract, export one person's record for a subject access request, list "
    "the records due for review.",
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


@unit_app.command("export")
def export_command(
    person: str = typer.Argument(
        ..., help="The person's token (the 32 hex digits of their page's address)."
    ),
    out_file: Path = typer.Option(..., "--out", help="The JSON file to write."),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="Why (the subject access request's reference): kept in the audit log. No names.",
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Export everything held on one person (subject access, Data Protection Act 2018 s45) as
    JSON, recorded in the audit log as a disclosure to the data subject. Other people are not
    named; read the free text (conditions, task details) before sending it."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.access import PersonNotFoundError
    from streetlight.unit.records import operator_subject_access

    with cli_errors():
        if out_file.exists():
            raise OptionError(
                f"--out {out_file}: already exists (choose a new file: exports are kept)"
            )
        engine = open_database(database_url(store, database))
        try:
            session: Session
            with session_factory(engine).begin() as session:
                try:
                    data = operator_subject_access(
                        session, person, actor="cli", reason=reason, now=datetime.now(UTC)
                    )
                except PersonNotFoundError:
                    raise OptionError(
                        "PERSON: no person has this token (check it against the person's page address)"
                    ) from None
                # Written inside the transaction: the disclosure is recorded only if the file is.
                out_file.parent.mkdir(parents=True, exist_ok=True)
                out_file.write_text(
                    json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
        finally:
            engine.dispose()
    counts = ", ".join(
        f"{len(data[part]):,} {part}"  # type: ignore[arg-type]
        for part in ("offences", "arrests", "bail", "orders", "tasks", "reviews")
    )
    out.print(
        f"wrote {out_file}: {counts}; recorded in the audit log as a disclosure to the data "
        "subject",
        soft_wrap=True,
    )


@unit_app.command("review-due")
def review_due_command(
    within: int = typer.Option(
        0, "--within", min=0, help="Also list records due in the next DAYS days."
    ),
    timezone: ForceZoneOption = "Europe/London",
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """List the records at (or within DAYS of) their review date with no decision recorded,
    most overdue first: token, due date, days overdue, who holds them and the last review.
    No names: a supervisor opens the record on its page (audited) to decide."""
    from datetime import UTC, datetime

    from rich.table import Table
    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.records import reviews_due

    with cli_errors():
        zone = force_zone(timezone)
        now = datetime.now(UTC)
        engine = open_database(database_url(store, database))
        try:
            session: Session
            with session_factory(engine).begin() as session:
                due = reviews_due(
                    session, actor="cli", today=now.astimezone(zone).date(), within_days=within,
                    now=now,
                )  # fmt: skip
        finally:
            engine.dispose()
    overdue = [d for d in due if d.days_overdue > 0]
    today = [d for d in due if d.days_overdue == 0]
    out.print(
        f"{len(overdue):,} record(s) past their review date without a decision, {len(today):,} "
        f"due today, {len(due) - len(overdue) - len(today):,} due within {within} day(s)",
        soft_wrap=True,
    )
    if due:
        # Narrow enough for an 80-column terminal: a token or date cut short is useless.
        table = Table(box=None, padding=(0, 1), pad_edge=False)
        for heading in ("token", "review due", "overdue", "held by", "last review"):
            table.add_column(heading, no_wrap=heading != "held by")
        for d in due:
            table.add_row(
                d.token,
                d.review_due.isoformat(),
                str(d.days_overdue),
                ", ".join(d.holders) or "-",
                d.last_decision.isoformat() if d.last_decision else "never",
            )
        out.print(table)
