"""One forecast for a force, categories and month: the study area, scores, ranks and place names.

This is the library call behind `streetlight hotspots`; it reads the store, builds the study area
(DESIGN.md: cells intersecting the boundary when given, else cells with any incident of the
force) and fits one model with `until` = the forecast month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from streetlight.errors import ForecastError
from streetlight.geo.boundary_cells import boundary_geometry, cells_in
from streetlight.geo.crs import WGS84, transform
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import EventSet, FloatArray, StudyArea, month_index
from streetlight.hotspots.harm import HarmTable
from streetlight.hotspots.registry import make_model
from streetlight.store.store import Store


class ForecastInputError(ForecastError):
    """The store does not hold what a forecast asks for (a force, a crime type), or a layer to
    draw with it was counted on another study area."""


def resolve_force(store: Store, force: str | None) -> str:
    """The force asked for, or the only force in the store."""
    if force is not None:
        return store.resolve_force(force)
    if len(store.forces) == 1:
        return next(iter(store.forces))
    known = ", ".join(sorted(store.forces)) or "none"
    raise ForecastInputError(f"{store.location}: say which force with --force (forces: {known})")


def study_area(
    store: Store, force: str, cell_size: float, boundary: str | Path | None = None
) -> StudyArea:
    crs = store.forces[force].crs
    grid = Grid(cell_size)
    if boundary is not None:
        i, j = cells_in(boundary_geometry(boundary, crs), grid)
        return StudyArea(grid, i, j, crs)
    return StudyArea.from_incidents(
        store.incidents(force=force, columns=["x", "y"]), cell_size, crs
    )


@dataclass(frozen=True)
class Forecast:
    """Scores for every study-area cell, and what names the place."""

    area: StudyArea
    scores: FloatArray
    model: str
    month: date
    force: str
    categories: tuple[str, ...]
    places: list[str | None]

    def table(self) -> pl.DataFrame:
        """`cell_id, x, y, lon, lat, score, rank, place`: one row per study-area cell, by rank."""
        x, y = self.area.centres()
        lon, lat = transform(self.area.crs, WGS84, x, y)
        order = np.lexsort((np.arange(len(self.scores)), -self.scores))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(1, len(order) + 1)
        frame = pl.DataFrame(
            {
                "cell_id": self.area.cell_ids(),
                "x": x,
                "y": y,
                "lon": lon,
                "lat": lat,
                "score": self.scores,
                "rank": rank,
                "place": self.places,
            },
            schema_overrides={"place": pl.String},
        )
        return frame.sort("rank")


def most_common_places(events: EventSet, n_cells: int) -> list[str | None]:
    """Each cell's most frequent location name (ties: alphabetical), None where it has none."""
    frame = pl.DataFrame({"cell": events.cell, "location": events.location.astype(str)}).filter(
        pl.col("location") != "None"
    )
    top = (
        frame.group_by("cell", "location")
        .len()
        .sort(["cell", "len", "location"], descending=[False, True, False])
        .unique("cell", keep="first")
    )
    places: list[str | None] = [None] * n_cells
    for cell, location, _ in top.iter_rows():
        places[int(cell)] = str(location)
    return places


def make_forecast(
    store: Store,
    categories: Sequence[str],
    month: date,
    model: str,
    *,
    force: str | None = None,
    cell_size: float = 150.0,
    boundary: str | Path | None = None,
    harm: HarmTable | None = None,
) -> Forecast:
    slug = resolve_force(store, force)
    area = study_area(store, slug, cell_size, boundary)
    history = store.incidents(force=slug, end=month)
    known = set(history["category"].unique().to_list())
    missing = [c for c in categories if c not in known]
    if missing:
        raise ForecastInputError(
            f"no incidents of {', '.join(repr(c) for c in missing)} for {slug} "
            f"(categories: {', '.join(sorted(known))})"
        )
    weights = harm.as_dict(sorted(known)) if harm is not None else None
    events = EventSet.from_incidents(history, area, weights, targets=list(categories))
    until = month_index(month)
    past = events.before(until)
    scores = make_model(model).fit(events, area, until).predict()
    return Forecast(
        area, scores, model, month, slug, tuple(categories), most_common_places(past, area.n_cells)
    )
