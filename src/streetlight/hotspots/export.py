"""Writing a forecast in the formats analysts and their tools take: CSV, GeoJSON, Parquet, PNG, HTML.

The CSV is the DESIGN.md contract (`cell_id,x,y,lon,lat,score,rank`, one row per study-area
cell); GeoJSON carries each cell as a WGS84 polygon for GIS tools; the maps are for people.

With an overlay (e.g. accepted public reports of feeling unsafe: `reports.perception.report_overlay`)
the two maps draw it as a layer of its own, outlined cells on their own scale with their own
legend: it counts something other than crimes, so it is never folded into the forecast scores, and
the CSV, GeoJSON and Parquet outputs stay exactly the forecast. The overlay comes in as plain map
data so this module needs nothing from the packages above it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from streetlight.errors import UnknownOutputError
from streetlight.geo.boundary import Ring
from streetlight.geo.crs import WGS84, transform
from streetlight.hotspots.forecast import Forecast, ForecastInputError
from streetlight.maps.cells import CellOverlay, cells_html, cells_png
from streetlight.store.months import month_key

SUFFIXES = (".csv", ".geojson", ".parquet", ".png", ".html")
CSV_COLUMNS = ("cell_id", "x", "y", "lon", "lat", "score", "rank")


def check_suffixes(paths: Sequence[Path]) -> None:
    """Refuse a path of unknown type before any work, so a typo costs nothing."""
    for path in paths:
        if path.suffix.lower() not in SUFFIXES:
            raise UnknownOutputError(f"{path}: unknown output type (use {', '.join(SUFFIXES)})")


def _title(f: Forecast) -> str:
    what = ", ".join(f.categories)
    return f"Forecast hotspots: {what}, {f.force}, {month_key(f.month)} ({f.model})"


def write_forecast(
    forecast: Forecast,
    path: Path,
    rings: Sequence[Ring] = (),
    overlay: CellOverlay | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write `forecast` to `path` in the format its suffix names; the PNG and HTML maps also
    draw `overlay` (one value per cell of the forecast's study area, in its order) when given,
    and the HTML map lists `notes` under its summary."""
    check_suffixes([path])
    suffix = path.suffix.lower()
    if overlay is not None and len(overlay.values) != forecast.area.n_cells:
        raise ForecastInputError(
            f"{path}: the {overlay.label} layer has {len(overlay.values):,} cells, the forecast "
            f"{forecast.area.n_cells:,}: count it on the forecast's study area"
        )
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
            *notes,
        ]
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
