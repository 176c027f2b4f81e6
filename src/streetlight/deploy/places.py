"""Busy public places as patrol demand: from the data's snap points and from a planner's GeoJSON.

The force promised officers "in busy public places, including those where women and girls often
lack confidence in their safety". Recorded crime under-counts such places (harassment is rarely
reported), so a plan adds demand there explicitly, with weights the planner sets and the plan
shows. A weight is in *hot-cell equivalents*: weight 1 adds as much demand as the mean of the
force's hottest 1% of cells, so weights mean the same whatever the forecast's scale.

Three sources:
- the data: cells whose most common snap point is a busy kind of place (`BUSY_PLACES`), each
  with the same `busy_weight`;
- a GeoJSON of places (stations, night-time economy areas) with `name`, `kind`, `weight` and
  `womens_safety` properties; points mark their cell, polygons every cell whose centre they hold
  (or, for a polygon smaller than a cell, the cell of its representative point);
- accepted public reports of feeling unsafe (`report_places`): the people the promise is about
  saying where they lack confidence, which no crime count shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from streetlight.deploy.errors import PlanSettingsError
from streetlight.errors import SourceError
from streetlight.geo.boundary import read_features
from streetlight.geo.crs import WGS84, transform
from streetlight.hotspots.base import StudyArea
from streetlight.hotspots.places import place_kind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

BUSY_PLACES = frozenset(
    {
        "Nightclub",
        "Bus/Coach Station",
        "Train Station",
        "Shopping Area",
        "Supermarket",
        "Theatre/Concert Hall",
    }
)
HOT_SHARE = 0.01  # "hot cells": the top 1% of cells by forecast demand
REPORTS_KIND = "public reports"
REPORT_WEIGHT_CAP = 2.0  # a cell's report weight is at most this many times the planner's W


@dataclass(frozen=True)
class Place:
    """A planner's busy place: which study-area cells it marks, and how much it weighs."""

    name: str
    kind: str
    weight: float
    womens_safety: bool
    cells: IntArray


def hot_cell_demand(scores: FloatArray) -> float:
    """Mean demand of the hottest 1% of cells: the unit place weights are given in."""
    positive = np.sort(np.clip(scores, 0, None))[::-1]
    top = positive[: max(1, int(np.ceil(HOT_SHARE * len(positive))))]
    return float(top.mean()) if len(top) and top.mean() > 0 else 1.0


def busy_cells(places: Sequence[str | None]) -> BoolArray:
    """Cells whose most common snap point is a busy kind of place."""
    return np.array([place_kind(p) in BUSY_PLACES for p in places], dtype=bool)


def place_demand(
    scores: FloatArray,
    busy: BoolArray,
    busy_weight: float,
    places: Sequence[Place],
) -> FloatArray:
    """Extra demand per cell from busy places (a cell marked twice gets both weights)."""
    unit = hot_cell_demand(scores)
    extra = np.where(busy, busy_weight * unit, 0.0)
    for place in places:
        np.add.at(extra, place.cells, place.weight * unit)
    return extra


def report_weights(reports: IntArray, weight: float) -> FloatArray:
    """Each cell's women's-safety weight from public reports, in hot-cell equivalents.

    `weight` (W) x (the cell's accepted reports / the mean reports of the top 1% of cells by
    reports), capped at 2 W; 0 where a cell has no reports. Why this shape:
    - relative to the top 1% of cells, as hot-cell equivalents are to the forecast: a cell as
      reported as the most reported 1% weighs W whatever the number of reports the force gets
      (a launch campaign doubling every count changes nothing);
    - proportional below that: a place named by one person counts, but less than one named by
      many;
    - capped at 2 W: reports are self-selected and can be campaigned for, so no single place, however
      many reports it draws, outweighs two of the force's hottest crime cells at W = 1.
    """
    counts = np.asarray(reports, dtype=np.float64)
    if weight < 0:
        raise PlanSettingsError(f"report weight must be >= 0 hot-cell equivalents, not {weight!r}")
    unit = hot_cell_demand(counts)
    return np.minimum(weight * counts / unit, REPORT_WEIGHT_CAP * weight)


def report_places(reports: IntArray, weight: float) -> list[Place]:
    """Accepted public reports per study-area cell as women's-safety places.

    Every cell with at least one report becomes women's-safety demand with the weight of
    `report_weights`; cells with the same number of reports share one `Place` (one weight), named
    by that number, most reported first, so a plan's summary stays short on a force with
    thousands of reported cells. With `weight` 0 the cells still count towards the plan's
    women's-safety share but add no demand.
    """
    counts = np.asarray(reports, dtype=np.int64)
    weights = report_weights(counts, weight)
    places = []
    for n in sorted(set(counts[counts > 0].tolist()), reverse=True):
        cells = np.flatnonzero(counts == n).astype(np.int64)
        places.append(
            Place(
                f"public reports: {n} per cell", REPORTS_KIND, float(weights[cells[0]]), True, cells
            )
        )
    return places


def _number(value: Any, where: str, field: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise SourceError(where, f"{field} must be a number >= 0, not {value!r}")
    return float(value)


def read_places(path: Path, area: StudyArea) -> tuple[list[Place], list[str]]:
    """The places of a WGS84 GeoJSON file on `area`'s cells, and the names of any outside it."""
    features = read_features(path)
    if not features:
        raise SourceError(str(path), "no features in the GeoJSON")
    places, outside = [], []
    for n, feature in enumerate(features, start=1):
        where = f"{path}: feature {n}"
        props = feature.get("properties") or {}
        name = str(props.get("name") or f"place {n}")
        try:
            shape = shapely.geometry.shape(feature.get("geometry") or {})
        except (AttributeError, TypeError, ValueError, shapely.errors.GeometryTypeError) as exc:
            raise SourceError(where, f"geometry is not valid GeoJSON ({exc})") from exc
        if shape.is_empty:
            raise SourceError(where, "empty geometry")
        weight = _number(props.get("weight"), where, "weight", 1.0)
        women = props.get("womens_safety", False)
        if not isinstance(women, bool):
            raise SourceError(where, f"womens_safety must be true or false, not {women!r}")
        cells = _cells_of(shape, area)
        if len(cells) == 0:
            outside.append(name)
            continue
        places.append(Place(name, str(props.get("kind") or ""), weight, women, cells))
    return places, outside


def _cells_of(shape: shapely.Geometry, area: StudyArea) -> IntArray:
    """Study-area cells a WGS84 geometry marks (see the module docstring)."""
    projected = shapely.transform(
        shape, lambda xy: np.column_stack(transform(WGS84, area.crs, xy[:, 0], xy[:, 1]))
    )
    if projected.geom_type in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        points = shapely.get_coordinates(projected)
        cells = area.locate(points[:, 0], points[:, 1])
    else:
        x, y = area.centres()
        inside = shapely.contains_xy(projected, x, y)
        cells = np.flatnonzero(inside).astype(np.int64)
        if len(cells) == 0:
            point = projected.representative_point()
            cells = area.locate(np.array([point.x]), np.array([point.y]))
    return np.unique(cells[cells >= 0]).astype(np.int64)
