"""Printing the demo force's accounts (shared by `streetlight demo` and `streetlight db seed-demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from streetlight.cli.terminal import out

if TYPE_CHECKING:
    from streetlight.demo.force import DemoForce


def print_demo_force(force: DemoForce, store: Path) -> None:
    """The accounts with their passwords and TOTP secrets, and how to start the web app."""
    out.print(
        f"\nDemo force in {force.database} (Middlesbrough; demonstration only):", soft_wrap=True
    )
    for account in force.accounts:
        out.print(
            f"  {account.username:<11} {account.role.value:<10} password {account.password}  "
            f"TOTP secret {account.totp_secret}  ({account.note})",
            soft_wrap=True,
            highlight=False,
        )
    out.print(
        "Enrol a TOTP secret in an authenticator app, or print the current code with\n"
        "  python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"",
        highlight=False,
    )
    out.print(
        f"Start the web app:  streetlight serve --store {store}\n"
        "then open http://localhost:8000/verify (the public), /signin as dc2207 (the officer "
        "app), as operator (the console) and as analyst (/analyst/reports: the public's "
        "reports of feeling unsafe, made at /report). Walk-throughs: docs/web.md and "
        "docs/reports.md. Positions are stamped now and trusted for 15 minutes: "
        f"`streetlight db seed-demo --store {store}` refreshes them.",
        soft_wrap=True,
        highlight=False,
    )
