"""Public reports at the public precision: what may leave the force (partners, open data, maps).

The privacy rules, each enforced here rather than trusted to callers:
- points are snapped to square cells of at least 250 m (`privacy.snap`, aligned to multiples of
  the cell size in the projected CRS, like the hotspot grid) and only the cell is written: its
  centre and outline, never a report's point. Snapping is deterministic: random jitter would be
  undone by averaging repeated exports;
- one fixed table, whatever is asked: per cell, its reports, and per factor and per time band
  how many of them name it or fall in it. A filter (`factors`, `bands`) only chooses which rows
  of that table to write, by numbers the table itself shows; it never counts anew. Counting
  anew under each filter let two exports be subtracted: a cell of 6 reports, and 5 with poor
  lighting, singled out the sixth report with its factors and band;
- within the table, every number that counts a group of a cell's reports is 0 or at least
  `MIN_PUBLIC_REPORTS` (5), and so is every difference an outsider can take between them
  (`suppress`): a cell is shown only with 5 reports or more; a factor's count only when it
  and the rest of the cell are each 0 or 5 or more; a band's count only when it is, and the
  bands left blank add up to 0 or 5 or more (complementary suppression: the bands partition the
  cell's reports, so a single blank one could be recovered from the total);
- times only as the 3-hour band; no dates at all (the export is per cell), and never a report id,
  free text or typed place description.

`public_cells` refuses a smaller cell or a lower threshold outright, so no option or caller can
weaken these rules. A larger `min_reports` drops rows and changes no number. Exports with
different cell sizes (a library option only; every command and page uses 250 m) are different
tables and are not protected against each other.
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


def _band_blanks(bands: np.ndarray, k: int) -> np.ndarray:
    """Which band counts (cells x bands) to leave blank: every one between 1 and `k` - 1, then,
    while the blanks of a cell add up to between 1 and `k` - 1, its smallest shown band too
    (ties: the earlier band). The blanks of each cell then add up to 0 or at least `k` (at worst
    all of them: the cell's total, at least `k`), so no sum of the shown bands, nor its
    difference from the total, counts fewer than `k` reports."""
    order = np.argsort(bands, axis=1, kind="stable")
    ranked = np.take_along_axis(bands, order, axis=1)
    blank_sum = np.zeros(len(bands), dtype=np.int64)
    going = np.ones(len(bands), dtype=bool)
    blank_ranked = np.zeros_like(ranked, dtype=bool)
    for position in range(ranked.shape[1]):
        count = ranked[:, position]
        blank = going & ((count < k) | ((blank_sum > 0) & (blank_sum < k)))
        blank_sum += np.where(blank, count, 0)
        going &= blank  # ascending: once a band is shown, every larger one is too
        blank_ranked[:, position] = blank & (count > 0)
    blanks = np.zeros_like(blank_ranked)
    np.put_along_axis(blanks, order, blank_ranked, axis=1)
    return blanks


def suppress(counted: pl.DataFrame, k: int = MIN_PUBLIC_REPORTS) -> pl.DataFrame:
    """`counted` (one row per cell: `reports`, a column per factor and per band label) with each
    factor and band count that could single out fewer than `k` reports made null (see the
    module's docstring). A factor's count `n` of a cell of `t` reports is shown when `n` is 0 or
    `t`, or when `k <= n <= t - k`: both the reports naming it and the rest are 0 or `k` or more.
    """
    factor_columns = [
        pl.when(
            (pl.col(f.value) == 0)
            | (pl.col(f.value) == pl.col("reports"))
            | ((pl.col(f.value) >= k) & (pl.col("reports") - pl.col(f.value) >= k))
        )
        .then(pl.col(f.value))
        .otherwise(None)
        .alias(f.value)
        for f in FACTORS
    ]
    bands = counted.select(BAND_COLUMNS).to_numpy().astype(np.int64).reshape(-1, len(BAND_COLUMNS))
    blanks = _band_blanks(bands, k)
    band_columns = [
        pl.Series(label, np.ma.masked_array(bands[:, b], mask=blanks[:, b]).tolist(), pl.Int64)
        for b, label in enumerate(BAND_COLUMNS)
    ]
    return counted.with_columns(*factor_columns, *band_columns)


def _chosen(factors: Iterable[Factor | str] | None, bands: Iterable[int] | None, k: int) -> pl.Expr:
    """Rows the filter keeps: a cell shown with at least `k` reports naming any of `factors`
    (None: any) and with at least `k` in any of `bands` (None: any)."""
    keep = pl.lit(True)
    if factors is not None:
        mask = factor_mask_of(factors)
        names = [f.value for f in FACTORS if mask & (1 << FACTOR_CODE[f])]
        keep = keep & pl.any_horizontal(pl.col(name) >= k for name in names).fill_null(False)
    wanted_bands = _bands(bands)
    if wanted_bands is not None:
        labels = [band_label(b) for b in wanted_bands]
        keep = keep & pl.any_horizontal(pl.col(label) >= k for label in labels).fill_null(False)
    return keep


def public_cells(
    frame: pl.DataFrame,
    crs: str,
    *,
    cell: float = PUBLIC_CELL_M,
    min_reports: int = MIN_PUBLIC_REPORTS,
    factors: Iterable[Factor | str] | None = None,
    bands: Iterable[int] | None = None,
) -> pl.DataFrame:
    """Accepted reports (an `accepted_frame`) counted per public cell of `cell` metres in `crs`:
    the one published table (see the module's docstring), its rows narrowed by the filters.

    Snaps the reports' points to cells and returns the cells holding at least `min_reports`
    reports: `cell_id` ("250m:i:j"), `lon, lat` (cell centre, WGS84 degrees), `x, y` (cell centre,
    metres in `crs`), `reports`, one count column per factor (its value, e.g. `poor_lighting`:
    reports naming it) and one per band label (`band_label`, e.g. 21:00 to 24:00), null where
    `suppress` leaves it blank. With `factors`, only cells showing at least 5 reports naming one
    of them; with `bands`, only cells showing at least 5 in one of them; the numbers are the
    table's, whatever the filter. Sorted by cell (i, then j), so the same reports give the same
    bytes whatever their order. Reports without a point are left out (they have no cell).
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
    keep = _chosen(factors, bands, MIN_PUBLIC_REPORTS)  # unknown factors or bands: refused

    located = frame.select(
        pl.col("lon").cast(pl.Float64),
        pl.col("lat").cast(pl.Float64),
        pl.col("factor_mask").cast(pl.Int64),
        pl.col("time_band").cast(pl.Int64),
    ).drop_nulls(["lon", "lat"])
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
    counted = suppress(counted).filter(keep)
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
