"""`streetlight hotspots`: one forecast, written as CSV, GeoJSON, Parquet, PNG or HTML."""

from __future__ import annotations

from streetlight.cli.options import (
    BacktestFileOption,
    BoundaryOption,
    CategoryOption,
    CellOption,
    DatabaseOption,
    ForceOption,
    ForecastMonthOption,
    ForecastOutOption,
    HarmOption,
    HotspotModelOption,
    ReportsLayerOption,
    StoreOption,
    database_url,
    month_flag,
)
from streetlight.cli.printing import layer_line
from streetlight.cli.terminal import cli_errors, out
from streetlight.store.store import Store, default_store_path


def hotspots_command(
    category: CategoryOption,
    month: ForecastMonthOption,
    out_files: ForecastOutOption,
    model: HotspotModelOption = None,
    backtest: BacktestFileOption = None,
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
    harm: HarmOption = None,
    reports: ReportsLayerOption = False,
    database: DatabaseOption = None,
) -> None:
    """Forecast where the given crime types will concentrate in a month."""
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
        chosen = model or (recommended_model(backtest) if backtest else RECOMMENDED)
        when = month_flag(month, "--month")
        table = load_harm(harm) if harm else None
        forecast = make_forecast(
            Store.open(store or default_store_path()),
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
