"""Public reports into the analysis: the perception layer and the public export, timed.

    uv run python benchmarks/bench_perception.py [--reports 1000000] [--cols 120] [--rows 90]
                                                 [--repeat 5] [--seed 0]

A study area the size of Cleveland's at 150 m (a 120 x 90 box of cells in Middlesbrough, British
National Grid, less a few holes: about 10,500 cells) and `--reports` synthetic accepted reports
(seeded): 70% around 40 places people often name, 30% spread over the area, 3% without a point,
1 to 3 factors each, evenings and nights more common. Times, best of `--repeat` after a warm-up:

- `perception_layer` from projected x/y (the counting itself; the issue's target is under 1 s
  for a million reports);
- `perception_from_frame` from an accepted-reports frame (WGS84 lon/lat, so PROJ's projection
  of every point is included, and timed on its own too);
- `public_cells` (snap to 250 m, suppress cells under 5, centres back to WGS84) and the GeoJSON
  of the cells shown.

Figures go in CHANGELOG.md and the issue's closing note; nothing here is a test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from streetlight.geo.crs import WGS84, transform
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import StudyArea
from streetlight.reports.categories import FACTORS, N_BANDS
from streetlight.reports.export import public_cells, public_geojson
from streetlight.reports.perception import perception_from_frame, perception_layer

BNG = "EPSG:27700"
CELL = 150.0
I0, J0 = 2930, 3400  # the south-west corner of the box, in 150 m cells (Middlesbrough)
# Evenings and nights (bands 5-7 and 0) are when most people report feeling unsafe.
BAND_SHARE = np.array([0.12, 0.05, 0.04, 0.08, 0.12, 0.17, 0.22, 0.20])


def study_area(cols: int, rows: int, seed: int) -> StudyArea:
    """All cells of a cols x rows box but a few rectangular holes (river, parks)."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(cols), np.arange(rows), indexing="ij")
    keep = np.ones(ii.shape, dtype=np.bool_)
    for _ in range(8):
        a, b = int(rng.integers(0, cols - 10)), int(rng.integers(0, rows - 10))
        keep[a : a + 10, b : b + 6] = False
    return StudyArea(Grid(CELL), ii[keep] + I0, jj[keep] + J0, BNG)


def reports(n: int, cols: int, rows: int, seed: int) -> dict[str, Any]:
    """Synthetic reports as projected x/y (NaN: no point), masks and bands."""
    rng = np.random.default_rng(seed)
    x0, y0 = I0 * CELL, J0 * CELL
    width, height = cols * CELL, rows * CELL
    centres = np.column_stack([x0 + rng.uniform(0, width, 40), y0 + rng.uniform(0, height, 40)])
    near = rng.random(n) < 0.7
    which = rng.integers(0, len(centres), n)
    x = np.where(near, centres[which, 0] + rng.normal(0, 250, n), x0 + rng.uniform(0, width, n))
    y = np.where(near, centres[which, 1] + rng.normal(0, 250, n), y0 + rng.uniform(0, height, n))
    unlocated = rng.random(n) < 0.03
    x[unlocated] = np.nan
    y[unlocated] = np.nan
    masks = np.zeros(n, dtype=np.int64)
    for k in range(3):
        pick = rng.integers(0, len(FACTORS), n)
        take = rng.random(n) < (1.0 if k == 0 else 0.35)
        masks |= np.where(take, np.int64(1) << pick, 0)
    bands = rng.choice(N_BANDS, n, p=BAND_SHARE / BAND_SHARE.sum()).astype(np.int64)
    return {"x": x, "y": y, "mask": masks, "band": bands}


def accepted_frame(data: dict[str, Any]) -> pl.DataFrame:
    """The reports as `dataset.accepted_frame` gives them: WGS84 lon/lat, null when unlocated."""
    lon, lat = transform(BNG, WGS84, data["x"], data["y"])
    n = len(lon)
    return pl.DataFrame(
        {
            "report_id": np.arange(1, n + 1, dtype=np.int64),
            "lon": pl.Series(lon).fill_nan(None),
            "lat": pl.Series(lat).fill_nan(None),
            "occurred_on": pl.Series([date(2025, 11, 1)]).extend_constant(date(2025, 11, 1), n - 1)
            if n
            else pl.Series([], dtype=pl.Date),
            "time_band": pl.Series(data["band"], dtype=pl.Int8),
            "factor_mask": pl.Series(data["mask"], dtype=pl.Int64),
        }
    )


def best(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    result = run()  # warm-up: imports, PROJ transformers, first allocations
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    area = study_area(args.cols, args.rows, args.seed)
    data = reports(args.reports, args.cols, args.rows, args.seed)
    frame = accepted_frame(data)

    layer_s, layer = best(
        lambda: perception_layer(data["x"], data["y"], data["mask"], data["band"], area),
        args.repeat,
    )
    frame_s, _ = best(lambda: perception_from_frame(frame, area), args.repeat)
    lon = frame["lon"].fill_null(np.nan).to_numpy()
    lat = frame["lat"].fill_null(np.nan).to_numpy()
    proj_s, _ = best(lambda: transform(WGS84, BNG, lon, lat), args.repeat)
    export_s, cells = best(lambda: public_cells(frame, BNG), args.repeat)
    assert isinstance(cells, pl.DataFrame)
    geojson_s, _ = best(lambda: public_geojson(cells, crs=BNG), args.repeat)

    placed = getattr(layer, "placed", 0)
    print(
        f"{args.reports:,} reports, {area.n_cells:,} study-area cells of {CELL:g} m "
        f"({args.cols} x {args.rows} box); {placed:,} placed; best of {args.repeat}"
    )
    rate = args.reports / layer_s / 1e6
    print(f"{'perception_layer (projected x/y)':40}{layer_s:8.3f} s  {rate:5.1f}M reports/s")
    print(f"{'perception_from_frame (lon/lat, PROJ)':40}{frame_s:8.3f} s")
    print(f"{'  of which WGS84 -> BNG with PROJ':40}{proj_s:8.3f} s")
    print(f"{'public_cells (250 m, 5+ reports)':40}{export_s:8.3f} s  {cells.height:,} cells shown")
    print(f"{'public_geojson of those cells':40}{geojson_s:8.3f} s")


if __name__ == "__main__":
    main()
