"""The `streetlight` command. Each command lives in its own module; this file only assembles them."""

from __future__ import annotations

import typer

from streetlight import __version__
from streetlight.cli.backtest_cmd import backtest_command
from streetlight.cli.conduct_cmd import conduct_app
from streetlight.cli.db_cmd import db_app
from streetlight.cli.demo_cmd import demo_command
from streetlight.cli.dosage_cmd import dosage_command
from streetlight.cli.hotspots_cmd import hotspots_command
from streetlight.cli.info_cmd import info_command
from streetlight.cli.ingest_cmd import ingest_command
from streetlight.cli.linkage_cmd import linkage_app
from streetlight.cli.linkage_evaluate_cmd import evaluate_command as linkage_evaluate_command
from streetlight.cli.linkage_score_cmd import score_command as linkage_score_command
from streetlight.cli.linkage_series_cmd import series_command as linkage_series_command
from streetlight.cli.officers_cmd import officers_app
from streetlight.cli.plan_backtest_cmd import plan_backtest_command
from streetlight.cli.plan_cmd import plan_command
from streetlight.cli.reports_cmd import reports_app
from streetlight.cli.serve_cmd import serve_command
from streetlight.cli.staff_cmd import staff_app
from streetlight.cli.unit_backtest_cmd import backtest_command as unit_backtest_command
from streetlight.cli.unit_cmd import unit_app
from streetlight.cli.unit_fairness_cmd import disparity_command, dpia_export_command
from streetlight.cli.unit_linkage_cmd import linked_command
from streetlight.cli.unit_rank_cmd import rank_command
from streetlight.cli.unit_synthetic_cmd import synthetic_command

app = typer.Typer(
    name="streetlight",
    help="Crime analysis for keeping women and girls safe in public spaces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts say "[default: ...]": not markup
)
app.command("ingest")(ingest_command)
app.command("info")(info_command)
app.command("hotspots")(hotspots_command)
app.command("backtest")(backtest_command)
app.command("plan")(plan_command)
app.command("plan-backtest")(plan_backtest_command)
app.command("dosage")(dosage_command)
app.command("demo")(demo_command)
app.command("serve")(serve_command)
app.add_typer(db_app, name="db")
app.add_typer(officers_app, name="officers")
app.add_typer(staff_app, name="staff")
app.add_typer(reports_app, name="reports")
unit_app.command("synthetic")(synthetic_command)
unit_app.command("rank")(rank_command)
unit_app.command("disparity")(disparity_command)
unit_app.command("dpia-export")(dpia_export_command)
unit_app.command("backtest")(unit_backtest_command)
unit_app.command("linked")(linked_command)
app.add_typer(unit_app, name="unit")
linkage_app.command("evaluate")(linkage_evaluate_command)
linkage_app.command("score")(linkage_score_command)
linkage_app.command("series")(linkage_series_command)
app.add_typer(linkage_app, name="linkage")
app.add_typer(conduct_app, name="conduct")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"streetlight {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Crime analysis for keeping women and girls safe in public spaces."""


def main() -> None:
    app()
