"""`streetlight db ...`: bring the operational database to the current schema; check the audit log."""

from __future__ import annotations

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, out
from streetlight.store.store import default_store_path

# SQLAlchemy and Alembic are imported inside the commands: importing them here would add a second
# or more to every `streetlight` call, database or not.

db_app = typer.Typer(
    help="The operational database (officers, duty, staff, audit log).", no_args_is_help=True
)


@db_app.command("upgrade")
def upgrade_command(store: DataOption = None, database: DatabaseOption = None) -> None:
    """Create the database or migrate it to this version's schema (safe to run again)."""
    from streetlight.db.engine import display_url
    from streetlight.db.migrate import current_revision, open_database

    with cli_errors():
        url = database_url(store, database)
        engine = open_database(url)
        out.print(f"{display_url(url)}: at revision {current_revision(engine)}", soft_wrap=True)
        engine.dispose()


@db_app.command("verify-audit")
def verify_audit_command(
    store: DataOption = None,
    database: DatabaseOption = None,
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        metavar="ROW:HASH",
        help="An anchor printed by an earlier run and kept outside the database: the log must "
        "still hold that row with that hash (deleting the newest rows leaves a valid chain).",
    ),
) -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first row that was changed or
    removed. Prints an anchor to keep elsewhere (a daily report) for a later --anchor check."""
    from streetlight.db.audit import Anchor, verify_chain
    from streetlight.db.engine import session_factory
    from streetlight.db.errors import AuditChainError
    from streetlight.db.migrate import open_database

    with cli_errors():
        try:
            expected = Anchor.parse(anchor) if anchor is not None else None
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--anchor") from None
        engine = open_database(database_url(store, database))
        with session_factory(engine)() as session:
            check = verify_chain(session, expected)
        engine.dispose()
        if not check.ok:
            raise AuditChainError(f"audit log: row {check.first_bad_id}: {check.problem}")
        held = f", still holds {expected}" if expected is not None else ""
        out.print(
            f"audit log: {check.rows:,} row(s), chain intact{held}; anchor {check.anchor}",
            soft_wrap=True,
        )


@db_app.command("seed-demo")
def seed_demo_command(store: DataOption = None) -> None:
    """Create or refresh the demo force (officers on duty in Middlesbrough, operator and
    supervisor accounts) in the embedded database, and print its credentials. Demo only."""
    from datetime import UTC, datetime

    from streetlight.cli.printing import print_demo_force
    from streetlight.demo.force import seed_demo_force

    with cli_errors():
        folder = store or default_store_path()
        force = seed_demo_force(folder, now=datetime.now(UTC))
    print_demo_force(force, folder)
