"""`streetlight backtest`: rolling-origin backtests of hotspot models with hit rate, PAI and PEI."""

from __future__ import annotations

import contextlib
import json
from functools import partial
from pathlib import Path

import typer

from streetlight.cli.console import cli_errors, out, progress_bar, tracked
from streetlight.errors import StreetlightError
from streetlight.store.months import month_key, parse_month
from streetlight.store.store import Store, default_store_path


def backtest_command(
    category: list[str] = typer.Option(..., "--category", help="Crime type(s) forecast."),
    start: str = typer.Option(..., "--start", help="First forecast month, YYYY-MM."),
    end: str = typer.Option(..., "--end", help="Last forecast month, YYYY-MM."),
    models: str | None = typer.Option(
        None, "--models", help="Comma-separated model names [default: the standard set]."
    ),
    store: Path | None = typer.Option(None, "--store", help="Store folder."),
    force: str | None = typer.Option(
        None, "--force", help="Force (needed when the store has several)."
    ),
    cell: float = typer.Option(150.0, "--cell", min=10.0, help="Cell size, metres."),
    coverage: str = typer.Option("1,2,5,10", "--coverage", help="Coverages, per cent of the area."),
    boundary: Path | None = typer.Option(None, "--boundary", help="GeoJSON study-area polygons."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the results as JSON here."),
    report: Path | None = typer.Option(
        None, "--report", help="Write a Markdown report and plots here."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Forecast each month from the months before it and score every model side by side."""
    from streetlight.evaluate.backtest import backtest
    from streetlight.evaluate.report import write_report
    from streetlight.hotspots.base import EventSet, month_index
    from streetlight.hotspots.forecast import resolve_force, study_area
    from streetlight.hotspots.registry import DEFAULT_MODELS, make_model

    with cli_errors():
        try:
            first, last = parse_month(start), parse_month(end)
            covers = [float(c) for c in coverage.split(",") if c.strip()]
        except ValueError as exc:
            raise StreetlightError(f"--start/--end/--coverage: {exc}") from exc
        if last < first:
            raise StreetlightError(f"--end {end} is before --start {start}")
        names = [m.strip() for m in models.split(",")] if models else list(DEFAULT_MODELS)
        for name in names:
            make_model(name)  # unknown names fail before any work
        target = Store.open(store or default_store_path())
        slug = resolve_force(target, force)
        area = study_area(target, slug, cell, boundary)
        incidents = target.incidents(force=slug, end=last)
        events = EventSet.from_incidents(incidents, area, targets=list(category))
        months = list(range(month_index(first), month_index(last) + 1))
        bar = progress_bar("backtest", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            result = backtest(
                events,
                area,
                months,
                {n: partial(make_model, n) for n in names},
                covers,
                progress=tracked(bar, "forecasting"),
            )
        data = result.to_json()
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(data, indent=1), encoding="utf-8")
        if report:
            title = f"Backtest: {', '.join(category)}, {slug}"
            write_report(result, report, title)
        middle = "5" if 5.0 in covers else f"{covers[len(covers) // 2]:g}"
        out.print(
            f"{slug}: {len(months)} months {month_key(first)} .. {month_key(last)}, "
            f"{area.n_cells:,} cells of {cell:g} m"
        )
        out.print(
            f"{'model':<14}{'hit rate':>10}{'PAI':>8}{'PEI':>8}   (mean at {middle}% coverage)"
        )
        for name, entry in data["models"].items():
            out.print(
                f"{name:<14}{entry['hit_rate'][middle]:>10.3f}{entry['pai'][middle]:>8.2f}"
                f"{entry['pei'][middle]:>8.3f}"
            )
        out.print(f"recommended: {data['recommended']}")
        for path in (json_out, report):
            if path:
                out.print(f"wrote {path}")
