"""Choosing a projected CRS for a force and moving coordinates between CRSs, vectorised with pyproj.

Analysis runs in metres (cells of 150 m, radii of 400 m), so every incident carries x/y in one
projected CRS per force: the British National Grid in Great Britain, else the UTM zone of the data's
centroid (DESIGN.md, Incidents).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl
from numpy.typing import NDArray
from pyproj import CRS, Transformer

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"

FloatArray = NDArray[np.float64]

# Below this many points a second thread costs more than it saves.
_PARALLEL_MIN_POINTS = 50_000


@dataclass(frozen=True)
class Bounds:
    """A lon/lat box in degrees."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        return (lon >= self.west) & (lon <= self.east) & (lat >= self.south) & (lat <= self.north)


@cache
def area_of_use(crs: str) -> Bounds:
    """The lon/lat box where `crs` is meant to be used (from the EPSG registry)."""
    area = CRS.from_user_input(crs).area_of_use
    if area is None:
        return Bounds(-180.0, -90.0, 180.0, 90.0)
    return Bounds(area.west, area.south, area.east, area.north)


def utm_crs(lon: float, lat: float) -> str:
    """The WGS84 UTM zone CRS containing a point (north or south hemisphere)."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def choose_crs(lon: FloatArray, lat: FloatArray) -> str:
    """British National Grid for data centred in Great Britain, else the UTM zone of the centroid.

    The median, not the mean, is the centroid: a few mis-geocoded rows must not move a force into
    the next UTM zone.
    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        raise ValueError("no valid coordinates to choose a CRS from")
    return crs_at(float(np.median(lon[ok])), float(np.median(lat[ok])))


def crs_at(clon: float, clat: float) -> str:
    """`choose_crs` for data whose centre (median lon and lat, degrees) is already known: a
    streaming ingest finds it column by column, never holding every point's copies at once."""
    gb = area_of_use(BRITISH_NATIONAL_GRID)
    if gb.contains(np.array([clon]), np.array([clat]))[0]:
        return BRITISH_NATIONAL_GRID
    return utm_crs(clon, clat)


@cache
def _transformer(source: str, target: str, worker: int = 0) -> Transformer:
    # Transformers are not thread-safe: each worker thread has its own (built once: ~0.1 s each).
    return Transformer.from_crs(source, target, always_xy=True)


def transform(
    source: str, target: str, x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Transform coordinate arrays (x = easting/longitude first) from `source` to `target` CRS.

    NaN in gives NaN out (PROJ itself would return infinity). Large inputs are split over two
    threads: PROJ releases the GIL.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        out_x, out_y = np.full(len(x), np.nan), np.full(len(y), np.nan)
        out_x[ok], out_y[ok] = transform(source, target, x[ok], y[ok])
        return out_x, out_y
    transformer = _transformer(source, target)
    if len(x) < _PARALLEL_MIN_POINTS:
        tx, ty = transformer.transform(x, y)
        return np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)
    half = len(x) // 2
    second = _transformer(source, target, 1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(transformer.transform, x[:half], y[:half])
        b = pool.submit(second.transform, x[half:], y[half:])
        (ax, ay), (bx, by) = a.result(), b.result()
    return (
        np.concatenate([np.asarray(ax), np.asarray(bx)]).astype(np.float64, copy=False),
        np.concatenate([np.asarray(ay), np.asarray(by)]).astype(np.float64, copy=False),
    )


def transform_columns(
    frame: pl.DataFrame,
    source_columns: tuple[str, str],
    target_columns: tuple[str, str],
    source: str,
    target: str,
) -> pl.DataFrame:
    """`frame` with `target_columns` added: `source_columns` transformed from `source` to `target`.

    Police data repeats a limited set of points (data.police.uk snaps every crime to one of a few
    thousand map points per force; exports repeat addresses), so each distinct point is
    transformed once and joined back: several times less PROJ work. Nulls stay null.
    """
    a, b = source_columns
    points = frame.select(pl.col(a).alias("_pa"), pl.col(b).alias("_pb")).drop_nulls().unique()
    tx, ty = transform(source, target, points["_pa"].to_numpy(), points["_pb"].to_numpy())
    lookup = points.with_columns(
        pl.Series(target_columns[0], tx).fill_nan(None),
        pl.Series(target_columns[1], ty).fill_nan(None),
    )
    return frame.join(
        lookup, left_on=[a, b], right_on=["_pa", "_pb"], how="left", maintain_order="left"
    )
