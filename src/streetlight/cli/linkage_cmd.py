"""`streetlight linkage ...`: crime linkage from files (a crime table and its offenders), for
analysts and for anyone checking the method from outside. Each command lives in its own module
(`linkage_*_cmd.py`) and is registered on `linkage_app` in `streetlight.cli.main`, which adds
the group once it has a command."""

from __future__ import annotations

import typer

linkage_app = typer.Typer(
    help="Crime linkage: evidence that one offender committed two crimes, from files.",
    no_args_is_help=True,
)
