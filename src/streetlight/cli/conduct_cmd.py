"""`streetlight conduct ...`: the confidential conduct-report channel's administration.

- `enrol` gives a staff account a recipient key pair for a context and prints the recovery code
  once (it is stored nowhere: lose it and a forgotten password loses the key's reports).
- `recover` sets a new key password with the recovery code (and issues a new code); `password`
  changes it with the current one.
- `line-manager` records who manages whom: routing keeps a report from the reported officer's
  line of command.
- `notify` sends what is due by e-mail (new reports, escalations, deadline reminders): run it
  every few minutes from cron or a systemd timer.
- `stats` writes the monthly counts for oversight bodies (CSV, counts only).
- `purge` deletes closed reports past their retention date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, out
from streetlight.db.enums import ConductContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_PASSWORD_ENV = "STREETLIGHT_RECIPIENT_PASSWORD"
conduct_app = typer.Typer(
    help="Confidential reports of an officer's conduct: recipients, notifications, statistics.",
    no_args_is_help=True,
)


def _new_password(flag: str, prompt: str, *, envvar: str | None = _PASSWORD_ENV) -> Any:
    """A new key password: asked for twice, hidden, when not given."""
    return typer.Option(
        ...,
        flag,
        prompt=prompt,
        hide_input=True,
        confirmation_prompt=True,
        envvar=envvar,
        help="At least 12 characters; asked for when not given.",
    )


@contextmanager
def _transaction(
    store: Path | None, database: str | None, *, write: bool = True
) -> Iterator[Session]:
    """One transaction on the operational database (committed if the block ends normally)."""
    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database

    engine = open_database(database_url(store, database))
    try:
        sessions = session_factory(engine)
        with sessions.begin() if write else sessions() as session:
            yield session
    finally:
        engine.dispose()


@conduct_app.command("enrol")
def enrol_command(
    username: str = typer.Argument(..., help="The staff account to enrol."),
    context: ConductContext = typer.Option(..., "--context", help="public, staff or oversight."),
    senior: bool = typer.Option(False, "--senior", help="Receives escalated cases."),
    email: str | None = typer.Option(None, "--email", help="Where notifications go."),
    password: str = _new_password("--password", "Recipient password (protects the private key)"),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Enrol a recipient; prints the recovery code once."""
    from streetlight.conduct import keys

    with cli_errors(), _transaction(store, database) as session:
        user = keys.staff_user_id(session, username)
        enrolled = keys.enrol(
            session,
            user,
            context,
            password,
            senior=senior,
            email=email,
            actor="cli",
            now=datetime.now(UTC),
        )
    out.print(
        f"enrolled {username!r} as a {context.value} recipient{' (senior)' if senior else ''}"
    )
    out.print("Recovery code (shown once; print it and keep it safe):")
    out.print(enrolled.recovery_code, soft_wrap=True)


@conduct_app.command("recover")
def recover_command(
    username: str = typer.Argument(..., help="The recipient's staff account."),
    code: str = typer.Option(
        ..., "--code", prompt="Recovery code", hide_input=True, help="Asked for when not given."
    ),
    password: str = _new_password("--password", "New recipient password"),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """A forgotten key password: the recovery code sets a new one (the key pair stays, so every
    report stays readable) and a new recovery code replaces it, printed once."""
    from streetlight.conduct import keys

    with cli_errors(), _transaction(store, database) as session:
        row = keys.recipient_of(session, username)
        fresh = keys.recover(session, row, code, password, now=datetime.now(UTC))
    out.print(f"new key password set for {username!r}")
    out.print("New recovery code (shown once; the old one no longer works):")
    out.print(fresh, soft_wrap=True)


@conduct_app.command("password")
def password_command(
    username: str = typer.Argument(..., help="The recipient's staff account."),
    old: str = typer.Option(
        ..., "--old", prompt="Current recipient password", hide_input=True, help="Asked for."
    ),
    new: str = _new_password("--new", "New recipient password", envvar=None),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Change a recipient's key password (the recovery code stays as it is)."""
    from streetlight.conduct import keys

    with cli_errors(), _transaction(store, database) as session:
        row = keys.recipient_of(session, username)
        keys.change_password(session, row, old, new, now=datetime.now(UTC))
    out.print(f"key password changed for {username!r}")


@conduct_app.command("line-manager")
def line_manager_command(
    officer: str = typer.Argument(..., help="The officer's warrant number."),
    manager: str | None = typer.Option(
        None, "--manager", help="Their line manager's warrant number; leave out to remove."
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Record an officer's line manager."""
    from streetlight.conduct.command import set_line_manager

    with cli_errors(), _transaction(store, database) as session:
        set_line_manager(session, officer, manager, actor="cli", now=datetime.now(UTC))
    out.print(f"{officer}: line manager {'removed' if manager is None else manager}")


@conduct_app.command("notify")
def notify_command(
    smtp_host: str = typer.Option(..., "--smtp-host", envvar="STREETLIGHT_SMTP_HOST"),
    smtp_port: int = typer.Option(587, "--smtp-port", envvar="STREETLIGHT_SMTP_PORT"),
    sender: str = typer.Option(
        "streetlight@localhost", "--from", envvar="STREETLIGHT_SMTP_FROM", help="Sender address."
    ),
    starttls: bool = typer.Option(
        True, "--starttls/--no-starttls", envvar="STREETLIGHT_SMTP_STARTTLS"
    ),
    username: str | None = typer.Option(None, "--smtp-user", envvar="STREETLIGHT_SMTP_USER"),
    password: str | None = typer.Option(
        None,
        "--smtp-password",
        envvar="STREETLIGHT_SMTP_PASSWORD",
        help="Best from the environment.",
    ),
    base_url: str = typer.Option("", "--base-url", help="The app's address, for links."),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Send the notifications due now (new reports, escalations, deadline reminders)."""
    from streetlight.conduct import mail, notify

    smtp = mail.Smtp(smtp_host, smtp_port, sender, starttls, username, password)
    with cli_errors(), _transaction(store, database) as session:
        sent = notify.run(session, smtp, now=datetime.now(UTC), base_url=base_url)
    out.print(f"sent {sent} e-mail(s)")


@conduct_app.command("stats")
def stats_command(
    csv_out: Path = typer.Option(..., "--csv", help="Where to write the monthly counts."),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Monthly counts for oversight bodies: received, handled in time, escalated, open."""
    from streetlight.conduct import stats

    with cli_errors():
        with _transaction(store, database, write=False) as session:
            rows = stats.counts(session, now=datetime.now(UTC))
        csv_out.write_text(stats.to_csv(rows), encoding="utf-8")
    out.print(f"wrote {len(rows)} month-context row(s) to {csv_out}")


@conduct_app.command("purge")
def purge_command(store: DataOption = None, database: DatabaseOption = None) -> None:
    """Delete closed reports past their retention date (with everything sealed for them)."""
    from streetlight.conduct import retention

    with cli_errors(), _transaction(store, database) as session:
        purged = retention.purge(session, now=datetime.now(UTC), actor="cli")
    out.print(f"erased {len(purged.erased)} closed report(s) past their date")
    if purged.open_past_date:
        out.print(f"{purged.open_past_date} open report(s) are past their date: decide on them")
