"""Public reports at the public precision: what may leave the force (partners, open data, maps).

The issue's privacy rules, each enforced here rather than trusted to callers:
- points are snapped to square cells of at least 250 m (`privacy.snap`, aligned to multiples of
  the cell size in the projected CRS, like the hotspot grid) and only the cell is written: its
  centre and outline, never a report's point. Snapping is deterministic: random jitter would be
  undone by averaging repeated exports;
- a cell is shown only when it holds at least 5 reports *after* the factor and time-band filter,
  so filtering cannot single out a rarer report (suppression, the usual small-count rule of
  official statistics);
- times only as the 3-hour band; no dates at all (the export is per cell), and never a report id,
  free text or typed place description.

`public_cells` refuses a smaller cell or a lower threshold outright, so no option or caller can
weaken these rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from streetlight.errors import ReportError
from streetlight.geo.crs import WGS84, transform
from streetlight.geo.geojson import polygon_feature, square_rings
from streetlight.reports.categories import FACTOR_CODE, FACTORS, TIME_BANDS, Factor, band_label
from streetlight.reports.perception import PerceptionError, factor_mask_of
from streetlight.reports.privacy import MIN_PUBLIC_REPORTS, PUBLIC_CELL_M, cell_centres, snap

SUFFIXES = (".geojson", ".csv")
BAND_COLUMNS: tuple[str, ...] = tuple(band_label(b) for b in TIME_BANDS)


class ExportError(ReportError, ValueError):
    """A public export asked for below the public precision, or written to an unknown format."""


def _bands(bands: Iterable[int] | None) -> list[int] | None:
    if bands is None:
        return None
    wanted = [int(b) for b in bands]
    for band in wanted:
        if band not in TIME_BANDS:
            raise PerceptionError(
                f"unknown time band {band} (bands: {TIME_BANDS[0]}..{TIME_BANDS[-1]})"
            )
    return wanted


def public_cells(
    frame: pl.DataFrame,
    crs: str,
    *,
    cell: float = PUBLIC_CELL_M,
    min_reports: int = MIN_PUBLIC_REPORTS,
    factors: Iterable[Factor | str] | None = None,
    bands: Iterable[int] | None = None,
) -> pl.DataFrame:
    """Accepted reports (an `accepted_frame`) counted per public cell of `cell` metres in `crs`.

    Keeps the reports naming any of `factors` (None: all) in any of `bands` (None: all), snaps
    their points to cells, and returns the cells holding at least `min_reports` of them:
    `cell_id` ("250m:i:j"), `lon, lat` (cell centre, WGS84 degrees), `x, y` (cell centre, metres
    in `crs`), `reports`, one count column per factor (its value, e.g. `poor_lighting`: kept
    reports naming it) and one per band label (`band_label`, e.g. 21:00 to 24:00). Sorted by cell (i, then j),
    so the same reports give the same bytes whatever their order. Reports without a point are
    left out (they have no cell).
    """
    if not cell >= PUBLIC_CELL_M:
        raise ExportError(
            f"public cells must be at least {PUBLIC_CELL_M:g} m across, not {cell:g} m"
        )
    if not min_reports >= MIN_PUBLIC_REPORTS:
        raise ExportError(
            f"a public cell needs at least {MIN_PUBLIC_REPORTS} reports to be shown, "
            f"not {min_reports}"
        )
    wanted_mask = factor_mask_of(factors) if factors is not None else None
    wanted_bands = _bands(bands)

    located = frame.select(
        pl.col("lon").cast(pl.Float64),
        pl.col("lat").cast(pl.Float64),
        pl.col("factor_mask").cast(pl.Int64),
        pl.col("time_band").cast(pl.Int64),
    ).drop_nulls(["lon", "lat"])
    if wanted_mask is not None:
        located = located.filter((pl.col("factor_mask") & wanted_mask) != 0)
    if wanted_bands is not None:
        located = located.filter(pl.col("time_band").is_in(wanted_bands))
    x, y = transform(WGS84, crs, located["lon"].to_numpy(), located["lat"].to_numpy())
    ok = np.isfinite(x) & np.isfinite(y)
    i, j = snap(x[ok], y[ok], cell)
    snapped = pl.DataFrame(
        {
            "i": np.asarray(i, dtype=np.int64),
            "j": np.asarray(j, dtype=np.int64),
            "mask": located["factor_mask"].to_numpy()[ok],
            "band": located["time_band"].to_numpy()[ok],
        }
    )
    counted = (
        snapped.group_by("i", "j")
        .agg(
            pl.len().cast(pl.Int64).alias("reports"),
            *(
                ((pl.col("mask") // (1 << FACTOR_CODE[f])) % 2).sum().cast(pl.Int64).alias(f.value)
                for f in FACTORS
            ),
            *(
                (pl.col("band") == b).sum().cast(pl.Int64).alias(label)
                for b, label in zip(TIME_BANDS, BAND_COLUMNS, strict=True)
            ),
        )
        .filter(pl.col("reports") >= min_reports)
        .sort("i", "j")
    )
    cx, cy = cell_centres(counted["i"].to_numpy(), counted["j"].to_numpy(), cell)
    lon, lat = transform(crs, WGS84, cx, cy) if counted.height else (cx, cy)
    return counted.select(
        pl.format(f"{cell:g}m:{{}}:{{}}", "i", "j").alias("cell_id"),
        pl.Series("lon", lon, dtype=pl.Float64).round(6),
        pl.Series("lat", lat, dtype=pl.Float64).round(6),
        pl.Series("x", cx, dtype=pl.Float64),
        pl.Series("y", cy, dtype=pl.Float64),
        "reports",
        *(f.value for f in FACTORS),
        *BAND_COLUMNS,
    )


def cell_size_of(frame: pl.DataFrame) -> float:
    """The cell size (metres) in the `cell_id`s of a `public_cells` frame."""
    sizes = {cid.split(":", 1)[0] for cid in frame["cell_id"].to_list()}
    if len(sizes) != 1 or not next(iter(sizes)).endswith("m"):
        raise ExportError(f"public cells of one size expected, not {sorted(sizes) or 'none'}")
    return float(next(iter(sizes))[:-1])


def public_geojson(frame: pl.DataFrame, *, crs: str) -> dict[str, Any]:
    """A `public_cells` frame as a GeoJSON FeatureCollection: each cell a WGS84 polygon (its
    outline in `crs`, transformed corner by corner) with its counts as properties."""
    if not frame.height:
        return {"type": "FeatureCollection", "features": []}
    rings = square_rings(frame["x"].to_numpy(), frame["y"].to_numpy(), cell_size_of(frame), crs)
    props = frame.drop("lon", "lat", "x", "y").iter_rows(named=True)
    features = [polygon_feature(ring, **row) for ring, row in zip(rings, props, strict=True)]
    return {"type": "FeatureCollection", "features": features}


def write_public(frame: pl.DataFrame, path: Path, *, crs: str) -> Path:
    """Write a `public_cells` frame to `path`: `.geojson` (cell polygons in WGS84; `crs` is the
    frame's projected CRS) or `.csv` (one row per cell, centres only)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"{path}: unknown output type (use {' or '.join(SUFFIXES)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(path)
    else:
        text = json.dumps(public_geojson(frame, crs=crs), ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
    return path
