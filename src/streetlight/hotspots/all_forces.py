"""`streetlight hotspots --force all`: every force's forecast as one task on a Dask cluster.

`forecast_force` is the task: it opens the store at a path, makes the force's forecast exactly
as the one-force command does, writes each `--out` file into the force's subfolder
(`<folder>/<force>/<name>`) whole or not at all, and returns plain data: its row of the
combined summary. `forecast_all_forces` runs it for every force (`cluster.run`) and writes the
summary beside the per-force folders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from streetlight.cluster.run import ClusterSpec, Outcomes, run_per_force
from streetlight.cluster.staging import staged, sweep
from streetlight.cluster.summary import Row, write_summary
from streetlight.hotspots.export import check_suffixes, write_forecast
from streetlight.hotspots.forecast import make_forecast
from streetlight.hotspots.harm import load_harm
from streetlight.progress import Progress, no_progress
from streetlight.store.location import Location, absolute
from streetlight.store.months import month_key
from streetlight.store.store import Store


@dataclass(frozen=True, kw_only=True)
class ForecastRequest:
    """One forecast per force, by keyword only.

    Attributes:
        categories: crime types forecast.
        month: the month forecast (first day).
        models: the model of each force (`{force: name}`), from its own backtest;
            `default_model` for forces not in it.
        default_model: the model of the others.
        cell_size: study-area cell size, metres.
        harm: harm-weight table (TOML, or `cchi`); None counts each crime as one.
    """

    categories: tuple[str, ...]
    month: date
    models: Mapping[str, str]
    default_model: str
    cell_size: float = 150.0
    harm: Path | None = None


@dataclass(frozen=True)
class ForceForecast:
    """What one force's task returns: its summary row and the files it wrote."""

    force: str
    row: Row
    files: tuple[str, ...]


def forecast_force(
    store_path: Location, request: ForecastRequest, outs: Sequence[Path], force: str
) -> ForceForecast:
    """`streetlight hotspots --force FORCE` into the force's subfolders of `outs`."""
    model = request.models.get(force, request.default_model)
    forecast = make_forecast(
        Store.open(store_path),
        request.categories,
        request.month,
        model,
        force=force,
        cell_size=request.cell_size,
        harm=load_harm(request.harm) if request.harm else None,
    )
    finals = [out.parent / force / out.name for out in outs]
    with staged([f.parent for f in finals]) as stage:
        for final in finals:
            write_forecast(forecast, stage(final.parent) / final.name)
    table = forecast.table()
    top = table.row(0, named=True) if table.height else {}
    row: Row = {
        "force": force,
        "month": month_key(request.month),
        "model": model,
        "cells": forecast.area.n_cells,
        "top_cell": top.get("cell_id"),
        "top_place": top.get("place"),
        "top_score": top.get("score"),
    }
    return ForceForecast(force, row, tuple(str(f) for f in finals))


def forecast_all_forces(
    store_path: Location,
    request: ForecastRequest,
    outs: Sequence[Path],
    spec: ClusterSpec,
    progress: Progress = no_progress,
) -> tuple[Outcomes[ForceForecast], tuple[Path, ...]]:
    """Every force's forecast, one task each on the cluster `spec` names, and the combined
    summary (`<stem>-all-forces.csv/.json/.md` beside the first `--out`'s force folders)."""
    check_suffixes(list(outs))
    root = absolute(store_path)
    store = Store.open(root)
    forces = sorted(store.forces)
    outs = [out.absolute() for out in outs]
    outcomes = run_per_force(
        partial(forecast_force, root, request, outs),
        forces,
        spec,
        progress,
        store.manifest.rows_by_force(),
    )
    sweep([out.parent / force for out in outs for force in forces])
    rows = [result.row for result in outcomes.results.values()]
    title = f"Forecasts of every force: {', '.join(request.categories)}, {month_key(request.month)}"
    summary = write_summary(outs[0].parent, outs[0].stem, title, rows, outcomes.failed)
    return outcomes, tuple(summary)
