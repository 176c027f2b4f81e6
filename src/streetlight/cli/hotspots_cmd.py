"""`streetlight hotspots`: one forecast, written as CSV, GeoJSON, Parquet, PNG or HTML."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from streetlight.cli.options import (
    ALL_FORCES,
    BacktestFileOption,
    BoundaryOption,
    CategoryOption,
    CellOption,
    DatabaseOption,
    ForcesOption,
    ForecastMonthOption,
    ForecastOutOption,
    HarmOption,
    HotspotModelOption,
    QuietOption,
    ReportsLayerOption,
    SchedulerOption,
    StoreOption,
    WorkersOption,
    cluster_spec,
    database_url,
    month_flag,
    store_at,
)
from streetlight.cli.printing import finish_all_forces, layer_line
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.cluster.run import ClusterSpec
    from streetlight.hotspots.all_forces import ForecastRequest
    from streetlight.store.location import Location


def _all_forces(
    store: Location, request: ForecastRequest, outs: list[Path], spec: ClusterSpec, quiet: bool
) -> None:
    """Every force on the cluster; a line per force with its model and top place."""
    from streetlight.hotspots.all_forces import forecast_all_forces

    bar = progress_bar("hotspots --force all", quiet)
    with bar if bar is not None else contextlib.nullcontext():
        progress = tracked(bar, "forces", then="writing the summary")
        outcomes, summary = forecast_all_forces(store, request, outs, spec, progress)
    lines = [
        f"{force}: {row['model']} over {row['cells']:,} cells; top: "
        f"{row['top_place'] or row['top_cell']} ({row['top_score']:.3g})"
        for force, row in ((f, r.row) for f, r in outcomes.results.items())
    ]
    finish_all_forces(lines, outcomes, summary)


def hotspots_command(
    category: CategoryOption,
    month: ForecastMonthOption,
    out_files: ForecastOutOption,
    model: HotspotModelOption = None,
    backtest: BacktestFileOption = None,
    store: StoreOption = None,
    force: ForcesOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
    harm: HarmOption = None,
    reports: ReportsLayerOption = False,
    database: DatabaseOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Forecast where the given crime types will concentrate in a month; with --force all, for
    every force of the store, one task each on a Dask cluster."""
    from streetlight.evaluate.run import recommended_model
    from streetlight.geo.boundary import read_rings
    from streetlight.hotspots.export import check_suffixes
    from streetlight.hotspots.forecast import make_forecast
    from streetlight.hotspots.harm import load_harm
    from streetlight.hotspots.registry import RECOMMENDED
    from streetlight.reports.dataset import accepted_layer
    from streetlight.reports.overlay import write_forecast_files

    with cli_errors():
        check_suffixes(out_files)
        spec = cluster_spec(force, scheduler, workers)
        if force == ALL_FORCES:
            from streetlight.cluster.run import one_force_only
            from streetlight.evaluate.all_forces import recommended_models
            from streetlight.hotspots.all_forces import ForecastRequest

            one_force_only("--boundary", boundary)
            one_force_only("--reports", reports)
            where = store_at(store)
            request = ForecastRequest(
                categories=tuple(category),
                month=month_flag(month, "--month"),
                models=recommended_models(where, backtest) if backtest and not model else {},
                default_model=model or RECOMMENDED,
                cell_size=cell,
                harm=harm,
            )
            _all_forces(where, request, out_files, spec, quiet)
            return
        chosen = model or (recommended_model(backtest) if backtest else RECOMMENDED)
        when = month_flag(month, "--month")
        table = load_harm(harm) if harm else None
        forecast = make_forecast(
            Store.open(store_at(store)),
            category,
            when,
            chosen,
            force=force,
            cell_size=cell,
            boundary=boundary,
            harm=table,
        )
        layer, accepted = (
            accepted_layer(forecast.area, database_url(store, database)) if reports else (None, 0)
        )
        rings = read_rings(boundary, forecast.area.crs) if boundary else []
        write_forecast_files(forecast, out_files, rings, layer)
        out.print(
            f"{forecast.force} {month}: {chosen} over {forecast.area.n_cells:,} cells of {cell:g} m"
        )
        if table is not None and table.note:
            out.print(table.note, soft_wrap=True)
        if layer is not None:
            out.print(layer_line(layer, accepted), soft_wrap=True)
            if not any(p.suffix.lower() in (".png", ".html") for p in out_files):
                out.print("  (public reports are drawn on .png and .html maps only)")
        top = forecast.table().head(10).select("rank", "place", "cell_id", "score")
        for rank, place, cell_id, score in top.iter_rows():
            out.print(f"  {rank:>3}. {place or cell_id}  ({score:.3g})")
        for path in out_files:
            out.print(f"wrote {path}")
