"""The street finder of the public report map (`GET /report/places`): a `Gazetteer` of the
incident store's snap points inside the report area, with district names from the area's LSOAs,
built on the first search for a (store, store version) and kept for the app process's life.

The build reads the whole store (a fraction of a second for the bundled two years of Cleveland),
so it runs in a worker thread, never on the event loop, and holds no database connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import anyio
import polars as pl
from fastapi import Depends, Request

from streetlight.errors import StoreError, StreetlightError
from streetlight.geo.boundary import read_features
from streetlight.reports.area import ReportArea
from streetlight.reports.gazetteer import (
    COLUMNS,
    Gazetteer,
    GazetteerEntry,
    fill_districts,
    lsoa_districts,
    suggest,
)
from streetlight.store.store import Store
from streetlight.web.core.context import app_state
from streetlight.web.core.deps import ReportAreaDep, SettingsDep

log = logging.getLogger(__name__)

EMPTY = Gazetteer.of(())


def build_gazetteer(store: Store, area: ReportArea, area_file: Path | None) -> Gazetteer:
    """The streets of every incident in `store` whose snap point lies in `area`, their districts
    named by the LSOAs of `area_file` (none when it has no LSOA names or cannot be read)."""
    incidents = store.incidents(columns=list(COLUMNS))
    features = []
    if area_file is not None:
        try:
            features = read_features(area_file)
        except StreetlightError as exc:
            log.warning("street finder: no district names (%s)", exc)
    districts = fill_districts(lsoa_districts(features), features, incidents)
    return Gazetteer.from_incidents(incidents, districts, within=area.contains_points)


class StreetFinder:
    """One gazetteer per store: built for the store's current version on first use, and built
    again after an ingest changes the version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[tuple[str, int], Gazetteer] = {}

    def gazetteer(self, root: Path, area: ReportArea, area_file: Path | None) -> Gazetteer:
        try:
            store = Store.open(root)
        except StoreError:
            return EMPTY  # no store yet: nothing to find
        key = (str(root.resolve()), store.manifest.version)
        with self._lock:  # concurrent first searches build once
            built = self._built.get(key)
            if built is None:
                try:
                    built = build_gazetteer(store, area, area_file)
                except (StreetlightError, pl.exceptions.PolarsError, OSError) as exc:
                    # Kept empty for this version: a damaged store is not read on every key.
                    log.warning("street finder: cannot read the incident store (%s)", exc)
                    built = EMPTY
                self._built = {key: built}
            return built


def has_incidents(root: Path) -> bool:
    """The store at `root` holds incidents: the page shows the finder only then. Only the
    manifest is read (a fraction of a millisecond for two years of a force), so a page drawn
    on the event loop may ask."""
    try:
        return bool(Store.open(root).manifest.partitions)
    except StoreError:
        return False


@dataclass(frozen=True)
class Streets:
    """The streets of the report area, for one request: this app's finder (made on first use,
    kept on `app.state`), and what its gazetteer is built from."""

    finder: StreetFinder
    area: ReportArea | None
    store: Path
    area_file: Path | None

    async def find(self, query: str, limit: int) -> list[GazetteerEntry]:
        """The streets that match `query` (none without a report area)."""
        return await self._ask(lambda streets: streets.search(query, limit))

    async def in_box(
        self, box: tuple[float, float, float, float], limit: int
    ) -> list[GazetteerEntry]:
        """The busiest streets in `box` (west, south, east, north; WGS84 degrees)."""
        return await self._ask(lambda streets: streets.in_box(*box, limit=limit))

    async def nearest(self, lon: float, lat: float) -> list[GazetteerEntry]:
        """The street nearest (lon, lat), WGS84 degrees, if one is near enough."""
        return await self._ask(lambda streets: [e] if (e := streets.nearest(lon, lat)) else [])

    async def _ask(
        self, question: Callable[[Gazetteer], list[GazetteerEntry]]
    ) -> list[GazetteerEntry]:
        """`question` of the area's gazetteer, in a worker thread (the first one builds it)."""
        area = self.area
        if area is None:
            return []

        def ask() -> list[GazetteerEntry]:
            return question(self.finder.gazetteer(self.store, area, self.area_file))

        return await anyio.to_thread.run_sync(ask)

    def suggested(
        self, places: Iterable[tuple[int, str]], limit: int = 3
    ) -> dict[int, list[GazetteerEntry]]:
        """For each (report id, typed place) of `places`, the streets the place may be on
        (`gazetteer.suggest`; reports with none are left out). Empty without a report area, and
        without a store (nothing is built then).

        Builds the gazetteer on first use, so it must run in a worker thread, never on the event
        loop: call it from a plain `def` route (Starlette runs those in its thread pool), or wrap
        it in `anyio.to_thread.run_sync`."""
        area = self.area
        wanted = [(report_id, place) for report_id, place in places if place.strip()]
        if area is None or not wanted:
            return {}
        gazetteer = self.finder.gazetteer(self.store, area, self.area_file)
        if not len(gazetteer):
            return {}
        found = {report_id: suggest(gazetteer, place, limit) for report_id, place in wanted}
        return {report_id: streets for report_id, streets in found.items() if streets}


async def _streets(request: Request, settings: SettingsDep, area: ReportAreaDep) -> Streets:
    finder = app_state(request, StreetFinder)
    return Streets(finder, area, settings.store, settings.resolved_report_area)


StreetsDep = Annotated[Streets, Depends(_streets)]
