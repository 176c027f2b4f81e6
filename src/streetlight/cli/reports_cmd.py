"""`streetlight reports ...`: accepted public reports of feeling unsafe, as the analysts'
perception layer and as exports at the public precision."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import (
    BoundaryOption,
    CellOption,
    DatabaseOption,
    DataOption,
    ForceOption,
    database_url,
)
from streetlight.cli.printing import layer_line
from streetlight.cli.terminal import cli_errors, out
from streetlight.errors import UnknownOutputError
from streetlight.store.store import default_store_path

if TYPE_CHECKING:
    import polars as pl

reports_app = typer.Typer(
    help="Public reports of places where people feel unsafe: the perception layer on the "
    "study area's cells, and exports at the public precision (250 m cells, 5+ reports).",
    no_args_is_help=True,
)

EXPORT_SUFFIXES = (".geojson", ".csv")
LAYER_SUFFIXES = (".csv", ".parquet")

FactorOption = typer.Option(
    [],
    "--factor",
    help="Only cells showing at least 5 reports naming this factor (repeat for any of several), "
    "e.g. poor_lighting, followed; the numbers stay the cells' own [default: all cells].",
    show_default=False,
)
BandOption = typer.Option(
    [],
    "--band",
    min=0,
    max=7,
    help="Only cells showing at least 5 reports in this three-hour band, 0 (00:00-03:00) to 7 "
    "(21:00-24:00); repeat for any of several [default: all cells].",
    show_default=False,
)


def _check_suffix(path: Path, suffixes: tuple[str, ...]) -> None:
    if path.suffix.lower() not in suffixes:
        raise UnknownOutputError(f"{path}: unknown output type (use {' or '.join(suffixes)})")


def _export_crs(crs: str | None, store: Path | None, frame: pl.DataFrame) -> str:
    """--crs; else the report area's (the store's `report-area.geojson`, as the web app uses);
    else the CRS `choose_crs` gives the reports' points (the British National Grid in GB)."""
    import numpy as np

    from streetlight.geo.crs import choose_crs
    from streetlight.reports.area import AREA_FILE_NAME, ReportArea

    if crs:
        return crs
    area_file = (store or default_store_path()) / AREA_FILE_NAME
    if area_file.is_file():
        return ReportArea.from_geojson(area_file).crs
    located = frame.drop_nulls(["lon", "lat"])
    if located.height == 0:
        return "EPSG:27700"  # nothing to snap: any projected CRS writes the same empty export
    return choose_crs(
        located["lon"].to_numpy().astype(np.float64), located["lat"].to_numpy().astype(np.float64)
    )


@reports_app.command("export")
def export_command(
    out_file: Path = typer.Option(
        ..., "--out", help="Output file: .geojson (cell outlines, WGS84) or .csv (cell centres)."
    ),
    factor: list[str] = FactorOption,
    band: list[int] = BandOption,
    crs: str | None = typer.Option(
        None,
        "--crs",
        help="Projected CRS whose 250 m cells to count in [default: the store's report area's, "
        "else British National Grid in Great Britain, else the reports' UTM zone].",
        show_default=False,
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Export accepted reports at the public precision: counts per 250 m cell by factor and
    time band, only cells with at least 5 reports, and any count that could single out fewer
    than 5 left blank; --factor and --band keep the cells showing 5 or more of those, with the
    same numbers. No ids, points, dates or text."""
    from streetlight.reports.dataset import load_accepted
    from streetlight.reports.export import public_cells, write_public
    from streetlight.reports.perception import factor_mask_of

    with cli_errors():
        _check_suffix(out_file, EXPORT_SUFFIXES)
        factor_mask_of(factor)  # an unknown name fails before the database is read
        frame = load_accepted(database_url(store, database))
        chosen = _export_crs(crs, store, frame)
        cells = public_cells(frame, chosen, factors=factor or None, bands=band or None)
        write_public(cells, out_file, crs=chosen)
        located = frame["lon"].is_not_null().sum()
        out.print(
            f"{frame.height:,} accepted reports ({located:,} with a point): "
            f"{cells.height:,} public cells of 250 m in {chosen} hold "
            f"{int(cells['reports'].sum()):,} of them; cells with fewer than 5 are not shown, "
            "nor counts that could single out fewer than 5",
            soft_wrap=True,
        )
        out.print(f"wrote {out_file}")


@reports_app.command("layer")
def layer_command(
    out_file: Path = typer.Option(
        ...,
        "--out",
        help="Output file: .csv or .parquet, one row per cell, factor and time band with reports.",
    ),
    store: DataOption = None,
    database: DatabaseOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
) -> None:
    """Count accepted reports on the store's study area (the hotspot cells) by factor and time
    band: the analysts' perception layer, exact to the cell (not for publication)."""
    import polars as pl

    from streetlight.geo.crs import WGS84, transform
    from streetlight.hotspots.forecast import resolve_force, study_area
    from streetlight.reports.dataset import accepted_layer
    from streetlight.store.store import Store

    with cli_errors():
        _check_suffix(out_file, LAYER_SUFFIXES)
        target = Store.open(store or default_store_path())
        slug = resolve_force(target, force)
        area = study_area(target, slug, cell, boundary)
        layer, accepted = accepted_layer(area, database_url(store, database))
        x, y = area.centres()
        lon, lat = transform(area.crs, WGS84, x, y)
        where = pl.DataFrame({"cell_id": area.cell_ids(), "x": x, "y": y, "lon": lon, "lat": lat})
        table = layer.table().join(where, on="cell_id", how="left", maintain_order="left")
        table = table.select("cell_id", "x", "y", "lon", "lat", "factor", "time_band", "reports")
        out_file.parent.mkdir(parents=True, exist_ok=True)
        if out_file.suffix.lower() == ".csv":
            table.write_csv(out_file)
        else:
            table.write_parquet(out_file)
        out.print(f"{slug}: {area.n_cells:,} cells of {cell:g} m")
        out.print(layer_line(layer, accepted), soft_wrap=True)
        out.print(f"wrote {out_file}")
