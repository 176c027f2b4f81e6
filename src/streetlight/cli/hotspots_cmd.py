"""`streetlight hotspots`: one forecast, written as CSV, GeoJSON, Parquet, PNG or HTML."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from streetlight.cli.options import (
    BoundaryOption,
    CategoryOption,
    CellOption,
    DatabaseOption,
    ForceOption,
    HarmOption,
    StoreOption,
    database_url,
)
from streetlight.cli.printing import layer_line
from streetlight.cli.terminal import cli_errors, out
from streetlight.errors import StreetlightError
from streetlight.store.months import parse_month
from streetlight.store.store import Store, default_store_path


def hotspots_command(
    category: CategoryOption,
    month: str = typer.Option(..., "--month", help="Month to forecast, YYYY-MM."),
    out_files: list[Path] = typer.Option(
        ..., "--out", help="Output file(s): .csv, .geojson, .parquet, .png or .html."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Model name (e.g. ew-6, rolling-12, kde, gbm) [default: recommended]."
    ),
    backtest: Path | None = typer.Option(
        None, "--backtest", help="A `backtest --json` file whose recommended model to use."
    ),
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
    harm: HarmOption = None,
    reports: bool = typer.Option(
        False,
        "--reports",
        help="Also draw accepted public reports of feeling unsafe on the .png and .html maps, "
        "as their own layer (read from --database).",
    ),
    database: DatabaseOption = None,
) -> None:
    """Forecast where the given crime types will concentrate in a month."""
    from streetlight.geo.boundary import read_rings
    from streetlight.hotspots.export import SUFFIXES, write_forecast
    from streetlight.hotspots.forecast import make_forecast
    from streetlight.hotspots.harm import load_harm
    from streetlight.hotspots.registry import RECOMMENDED
    from streetlight.reports.overlay import report_overlay, report_summary

    with cli_errors():
        for path in out_files:  # before any work, so a typo costs nothing
            if path.suffix.lower() not in SUFFIXES:
                raise StreetlightError(f"{path}: unknown output type (use {', '.join(SUFFIXES)})")
        chosen = model or _recommended(backtest) or RECOMMENDED
        try:
            forecast_month = parse_month(month)
        except ValueError as exc:
            raise StreetlightError(f"--month: {exc}") from exc
        target = Store.open(store or default_store_path())
        forecast = make_forecast(
            target,
            category,
            forecast_month,
            chosen,
            force=force,
            cell_size=cell,
            boundary=boundary,
            harm=load_harm(harm) if harm else None,
        )
        perception = None
        if reports:
            from streetlight.reports.dataset import accepted_layer

            perception, accepted = accepted_layer(forecast.area, database_url(store, database))
        rings = read_rings(boundary, forecast.area.crs) if boundary else []
        overlay = report_overlay(perception) if perception is not None else None
        notes = [report_summary(perception)] if perception is not None else []
        for path in out_files:
            write_forecast(forecast, path, rings, overlay, notes)
        table = forecast.table()
        out.print(
            f"{forecast.force} {month}: {chosen} over {forecast.area.n_cells:,} cells of {cell:g} m"
        )
        if perception is not None:
            out.print(layer_line(perception, accepted), soft_wrap=True)
            if not any(p.suffix.lower() in (".png", ".html") for p in out_files):
                out.print("  (public reports are drawn on .png and .html maps only)")
        for rank, place, cell_id, score in (
            table.head(10).select("rank", "place", "cell_id", "score").iter_rows()
        ):
            out.print(f"  {rank:>3}. {place or cell_id}  ({score:.3g})")
        for path in out_files:
            out.print(f"wrote {path}")


def _recommended(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["recommended"]
    except (OSError, ValueError, KeyError) as exc:
        raise StreetlightError(
            f"{path}: not a backtest JSON with a 'recommended' model ({exc})"
        ) from exc
    return str(name)
