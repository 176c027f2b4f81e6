"""`streetlight demo`: the README's main job on the bundled sample."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from streetlight.cli.printing import print_demo_force, print_report
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked


def demo_command(
    store: Path = typer.Option(Path("streetlight-data"), "--store", help="Store folder."),
    out_dir: Path = typer.Option(Path("streetlight-output"), "--out", help="Where maps go."),
    months: int = typer.Option(12, "--months", min=1, help="How many recent months to map."),
    cell: float = typer.Option(150.0, "--cell", min=10.0, help="Cell size in metres."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Ingest the bundled Cleveland sample, find where violence concentrates, write maps and a
    patrol plan, and seed a demo force for the web app (credentials printed)."""
    # Imported here: the map libraries take a second to load, which other commands need not pay.
    from streetlight.demo.pipeline import run_demo

    with cli_errors():
        bar = progress_bar("ingest", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            result = run_demo(
                store,
                out_dir,
                months=months,
                cell_size=cell,
                progress=tracked(bar, "ingesting the sample"),
            )
        print_report(result.ingest, quiet=True)
        out.print()
        for line in result.summary_lines:
            out.print(line, soft_wrap=True)
        out.print("\nWritten:")
        png, html, csv = result.forecast_files
        for label, path in (
            ("map (PNG)", result.png),
            ("map (HTML, works offline)", result.html),
            ("cells (CSV)", result.csv),
            ("forecast map (PNG)", png),
            ("forecast map (HTML)", html),
            ("forecast cells (CSV)", csv),
            ("patrol plan map (PNG)", result.plan_files[0]),
            ("patrol plan map (HTML)", result.plan_files[1]),
            ("patrol posts (CSV)", result.plan_files[2]),
            ("visit schedules (CSV)", result.plan_files[3]),
            ("unit briefings (HTML)", result.plan_files[4]),
            ("summary", result.summary),
        ):
            out.print(f"  {label:<27} {path}", soft_wrap=True)
        if result.force is not None:
            print_demo_force(result.force, store)
