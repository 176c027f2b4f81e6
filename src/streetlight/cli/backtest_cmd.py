"""`streetlight backtest`: rolling-origin backtests of hotspot models with hit rate, PAI and PEI."""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from streetlight.cli.options import (
    BoundaryOption,
    CategoryOption,
    CellOption,
    ForceOption,
    HarmOption,
    StoreOption,
)
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.errors import StreetlightError
from streetlight.store.months import month_key, parse_month
from streetlight.store.store import Store, default_store_path

if TYPE_CHECKING:
    from streetlight.hotspots.base import EventSet, StudyArea


def backtest_command(
    category: CategoryOption,
    start: str = typer.Option(..., "--start", help="First forecast month, YYYY-MM."),
    end: str = typer.Option(..., "--end", help="Last forecast month, YYYY-MM."),
    models: str | None = typer.Option(
        None, "--models", help="Comma-separated model names [default: the standard set]."
    ),
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    coverage: str = typer.Option("1,2,5,10", "--coverage", help="Coverages, per cent of the area."),
    boundary: BoundaryOption = None,
    harm: HarmOption = None,
    json_out: Path | None = typer.Option(None, "--json", help="Write the results as JSON here."),
    report: Path | None = typer.Option(
        None, "--report", help="Write a Markdown report and plots here."
    ),
    by: str = typer.Option(
        "month", "--by", help="month, or shift / day for sources with date-times."
    ),
    timezone: str | None = typer.Option(
        None, "--timezone", help="Local time zone for shifts and days [default: the force's]."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Forecast each month from the months before it and score every model side by side."""
    from streetlight.evaluate.backtest import backtest
    from streetlight.evaluate.report import write_report
    from streetlight.hotspots.base import EventSet, month_index
    from streetlight.hotspots.forecast import resolve_force, study_area
    from streetlight.hotspots.harm import load_harm
    from streetlight.hotspots.registry import (
        DEFAULT_MODELS,
        PERIOD_MODELS,
        make_model,
        make_period_model,
    )
    from streetlight.shifts import SHIFT_HOURS

    with cli_errors():
        try:
            first, last = parse_month(start), parse_month(end)
            covers = [float(c) for c in coverage.split(",") if c.strip()]
        except ValueError as exc:
            raise StreetlightError(f"--start/--end/--coverage: {exc}") from exc
        if last < first:
            raise StreetlightError(f"--end {end} is before --start {start}")
        if by not in ("month", "shift", "day"):
            raise StreetlightError(f"--by must be month, shift or day, not {by!r}")
        defaults = DEFAULT_MODELS if by == "month" else PERIOD_MODELS
        names = [m.strip() for m in models.split(",")] if models else list(defaults)
        horizon = 24.0 if by == "day" else float(SHIFT_HOURS)
        for name in names:  # unknown names fail before any work
            make_model(name) if by == "month" else make_period_model(name, horizon)
        target = Store.open(store or default_store_path())
        slug = resolve_force(target, force)
        area = study_area(target, slug, cell, boundary)
        incidents = target.incidents(force=slug, end=last)
        table = load_harm(harm) if harm else None
        weights = table.as_dict(incidents["category"].unique().sort().to_list()) if table else None
        events = EventSet.from_incidents(incidents, area, weights, targets=list(category))
        months = list(range(month_index(first), month_index(last) + 1))
        if by != "month":
            zone = timezone or target.forces[slug].timezone or "UTC"
            _period_backtest(
                events, area, by, horizon, zone, first, last, names, covers, json_out, quiet
            )
            return
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
        _write_json(json_out, data)
        if report:
            title = f"Backtest: {', '.join(category)}, {slug}"
            write_report(result, report, title)
        out.print(
            f"{slug}: {len(months)} months {month_key(first)} .. {month_key(last)}, "
            f"{area.n_cells:,} cells of {cell:g} m"
        )
        _print_table(data, covers)
        for path in (json_out, report):
            if path:
                out.print(f"wrote {path}")


def _period_backtest(
    events: EventSet,
    area: StudyArea,
    by: str,
    horizon: float,
    zone: str,
    first: date,
    last: date,
    names: list[str],
    covers: list[float],
    json_out: Path | None,
    quiet: bool,
) -> None:
    """Shift or day backtest over every local shift/day of the months `first` .. `last`."""
    from streetlight.evaluate.backtest import backtest_periods
    from streetlight.hotspots.periods import day_starts, shift_starts
    from streetlight.hotspots.registry import make_period_model

    end_day = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    try:
        starts = list((shift_starts if by == "shift" else day_starts)(first, end_day, zone))
    except (KeyError, ValueError) as exc:
        raise StreetlightError(f"--timezone: unknown time zone {zone!r}") from exc
    bar = progress_bar("backtest", quiet)
    with bar if bar is not None else contextlib.nullcontext():
        result = backtest_periods(
            events,
            area,
            starts,
            horizon,
            {n: partial(make_period_model, n, horizon) for n in names},
            covers,
            by=by,
            progress=tracked(bar, f"forecasting {by}s"),
        )
    data = result.to_json()
    _write_json(json_out, data)
    out.print(f"{len(starts)} {by}s ({zone}), {area.n_cells:,} cells of {area.cell_size:g} m")
    _print_table(data, covers)
    if json_out:
        out.print(f"wrote {json_out}")


def _print_table(data: dict[str, Any], covers: list[float]) -> None:
    """Mean hit rate, PAI and PEI per model at the middle coverage, and the recommendation."""
    middle = "5" if 5.0 in covers else f"{covers[len(covers) // 2]:g}"
    out.print(f"{'model':<14}{'hit rate':>10}{'PAI':>8}{'PEI':>8}   (mean at {middle}% coverage)")
    for name, entry in data["models"].items():
        out.print(
            f"{name:<14}{entry['hit_rate'][middle]:>10.3f}{entry['pai'][middle]:>8.2f}"
            f"{entry['pei'][middle]:>8.3f}"
        )
    out.print(f"recommended: {data['recommended']}")


def _write_json(path: Path | None, data: dict[str, Any]) -> None:
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
