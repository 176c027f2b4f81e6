"""`streetlight staff add`: create a staff account and print its TOTP enrolment once."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, out
from streetlight.db.enums import Role

staff_app = typer.Typer(help="Staff accounts (password + TOTP sign-in).", no_args_is_help=True)


@staff_app.command("add")
def add_command(
    username: str = typer.Argument(..., help="Sign-in name (unique, case-insensitive)."),
    role: Role = typer.Option(
        ...,
        "--role",
        help="officer, operator, supervisor, admin, analyst; in an offender unit unit_officer, "
        "unit_supervisor; auditor (reads the audit log only).",
    ),
    name: str = typer.Option("", "--name", help="Name shown on pages [default: username]."),
    warrant: str | None = typer.Option(
        None, "--warrant", help="The officer's warrant number (officer accounts)."
    ),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="STREETLIGHT_NEW_PASSWORD",
        help="At least 12 characters; asked for when not given.",
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create an account; prints the TOTP secret and otpauth:// URI to enrol an authenticator
    app. They are shown only this once."""
    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.staff import totp
    from streetlight.staff.accounts import create_staff_user
    from streetlight.staff.passwords import Passwords
    from streetlight.staff.settings import server_secret

    with cli_errors():
        totp_key = totp.sealing_key(server_secret(store))
        engine = open_database(database_url(store, database))
        with session_factory(engine).begin() as session:
            account = create_staff_user(
                session,
                username=username,
                display_name=name,
                password=password,
                role=role,
                passwords=Passwords(),
                totp_key=totp_key,
                now=datetime.now(UTC),
                actor="cli",
                warrant_number=warrant,
            )
        engine.dispose()
    out.print(f"created {role.value} account {username!r}")
    out.print(f"TOTP secret: {account.totp_secret}")
    out.print(f"enrol with: {account.totp_uri}", soft_wrap=True)


@staff_app.command("reset-totp")
def reset_totp_command(
    username: str = typer.Argument(..., help="The account's sign-in name."),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Give an account a new TOTP secret (a lost phone, or a changed server secret key); prints
    it and its otpauth:// URI once. The old secret stops working at once."""
    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.staff import totp
    from streetlight.staff.accounts import reset_totp
    from streetlight.staff.settings import server_secret

    with cli_errors():
        totp_key = totp.sealing_key(server_secret(store))
        engine = open_database(database_url(store, database))
        with session_factory(engine).begin() as session:
            account = reset_totp(
                session, username=username, totp_key=totp_key, now=datetime.now(UTC), actor="cli"
            )
        engine.dispose()
    out.print(f"new TOTP secret for {account.user.username!r}: {account.totp_secret}")
    out.print(f"enrol with: {account.totp_uri}", soft_wrap=True)
