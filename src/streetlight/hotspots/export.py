"""Writing a forecast in the formats analysts and their tools take: CSV, GeoJSON, Parquet, PNG, HTML.

The CSV is the DESIGN.md contract (`cell_id,x,y,lon,lat,score,rank`, one row per study-area
cell); GeoJSON carries each cell as a WGS84 polygon for GIS tools; the maps are for people.

With a perception layer (accepted public reports of feeling unsafe, `reports.perception`) the two
maps draw it as a layer of its own, outlined cells on a green scale with their own legend: it
counts what people told the force, not crimes, so it is never folded into the forecast scores, and
the CSV, GeoJSON and Parquet outputs stay exactly the forecast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from streetlight.errors import StreetlightError
from streetlight.geo.boundary import Ring
from streetlight.geo.crs import WGS84, transform
from streetlight.hotspots.forecast import Forecast
from streetlight.maps.cells import CellOverlay, cells_html, cells_png
from streetlight.store.months import month_key

if TYPE_CHECKING:
    from streetlight.reports.perception import PerceptionLayer

SUFFIXES = (".csv", ".geojson", ".parquet", ".png", ".html")
CSV_COLUMNS = ("cell_id", "x", "y", "lon", "lat", "score", "rank")
REPORTS_LABEL = "public reports of feeling unsafe"


def report_overlay(layer: PerceptionLayer) -> CellOverlay:
    """The perception layer's reports per cell as a map layer (cells without reports not drawn)."""
    x, y = layer.area.centres()
    return CellOverlay(x, y, layer.reports.astype(np.float64), layer.area.cell_ids(), REPORTS_LABEL)


def report_summary(layer: PerceptionLayer) -> str:
    """One line for a map page or the terminal: how many reports the layer holds and left out."""
    cells = int((layer.reports > 0).sum())
    return (
        f"Public reports of feeling unsafe (accepted): {layer.placed:,} in {cells:,} cells "
        f"(outlined, green scale); {layer.unplaced:,} without a point or over 250 m from the study area."
    )


def _title(f: Forecast) -> str:
    what = ", ".join(f.categories)
    return f"Forecast hotspots: {what}, {f.force}, {month_key(f.month)} ({f.model})"


def write_forecast(
    forecast: Forecast,
    path: Path,
    rings: Sequence[Ring] = (),
    perception: PerceptionLayer | None = None,
) -> Path:
    """Write `forecast` to `path` in the format its suffix names; the PNG and HTML maps also
    draw `perception` (counted on the forecast's study area) when given."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise StreetlightError(f"{path}: unknown output type (use {', '.join(SUFFIXES)})")
    if perception is not None and perception.area.n_cells != forecast.area.n_cells:
        raise StreetlightError(
            f"{path}: the perception layer has {perception.area.n_cells:,} cells, the forecast "
            f"{forecast.area.n_cells:,}: count the reports on the forecast's study area"
        )
    overlay = report_overlay(perception) if perception is not None else None
    path.parent.mkdir(parents=True, exist_ok=True)
    table = forecast.table()
    if suffix == ".csv":
        table.select(CSV_COLUMNS).write_csv(path)
    elif suffix == ".parquet":
        table.write_parquet(path)
    elif suffix == ".geojson":
        path.write_text(json.dumps(_geojson(forecast)), encoding="utf-8")
    elif suffix == ".png":
        cells_png(
            table,
            forecast.area.cell_size,
            path,
            _title(forecast),
            rings,
            value="score",
            value_label="forecast score",
            overlay=overlay,
        )
    else:
        top = table.head(5)
        lines = [
            f"Model {forecast.model}; {forecast.area.n_cells:,} cells of "
            f"{forecast.area.cell_size:g} m.",
            "Top places: "
            + "; ".join(
                f"{r}. {p or c}" for r, p, c in top.select("rank", "place", "cell_id").iter_rows()
            ),
        ]
        if perception is not None:
            lines.append(report_summary(perception))
        cells_html(
            table,
            forecast.area.cell_size,
            path,
            _title(forecast),
            rings,
            summary=lines,
            value="score",
            value_label="forecast score",
            place="place",
            overlay=overlay,
        )
    return path


def _geojson(forecast: Forecast) -> dict[str, object]:
    area = forecast.area
    s = area.cell_size
    x0 = (area.i * s).astype(np.float64)
    y0 = (area.j * s).astype(np.float64)
    corners_x = np.concatenate([x0, x0 + s, x0 + s, x0])
    corners_y = np.concatenate([y0, y0, y0 + s, y0 + s])
    lon, lat = transform(area.crs, WGS84, corners_x, corners_y)
    n = area.n_cells
    lon, lat = lon.reshape(4, n), lat.reshape(4, n)
    table = forecast.table().sort("cell_id")
    by_id = {row["cell_id"]: row for row in table.iter_rows(named=True)}
    features = []
    for k, cell_id in enumerate(area.cell_ids()):
        ring = [[round(float(lon[c, k]), 7), round(float(lat[c, k]), 7)] for c in (0, 1, 2, 3, 0)]
        row = by_id[cell_id]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "cell_id": cell_id,
                    "score": row["score"],
                    "rank": row["rank"],
                    "place": row["place"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
