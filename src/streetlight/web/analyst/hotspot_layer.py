"""The crime hotspots beside the public reports on the analyst map: the top cells of next month's
forecast of violence and sexual offences, as GeoJSON features, computed once per (store, store
version, month) per app process.

The layer shows what the force's hotspot maps default to (the recommended model, 150 m cells, the
top 5 % of the study area), so the analyst sees the same hotspots as the patrol plans use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import Request

from streetlight.errors import StoreError, StreetlightError
from streetlight.geo.geojson import Feature, polygon_feature, square_rings
from streetlight.hotspots.forecast import make_forecast, resolve_force
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.store.months import parse_month
from streetlight.store.store import Store
from streetlight.web.core.context import app_state

HOTSPOT_CATEGORY = "Violence and sexual offences"
HOTSPOT_CELL_M = 150.0
HOTSPOT_COVERAGE = 0.05  # the top 5 % of study-area cells


@dataclass(frozen=True)
class HotspotLayer:
    """The top cells of one forecast as GeoJSON features, or why there are none."""

    features: tuple[Feature, ...] = ()
    month: date | None = None
    last: date | None = None
    reason: str = ""


def _next_month(value: date) -> date:
    return date(value.year + value.month // 12, value.month % 12 + 1, 1)


class HotspotCache:
    """Forecasting reads the whole store: done on the first request for a (store, store version,
    month) and kept for the app process's life (one entry per store: a new ingest replaces it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._layers: dict[tuple[str, int, date], HotspotLayer] = {}

    def layer(self, root: Path, today: date) -> HotspotLayer:
        try:
            store = Store.open(root)
        except StoreError:
            return HotspotLayer()
        try:
            force = resolve_force(store, None)
        except StreetlightError as exc:
            return HotspotLayer(reason=str(exc))
        months = [p.month for p in store.manifest.partitions if p.force == force]
        if not months:
            return HotspotLayer()
        last = parse_month(max(months))
        # Next month from today, but never past the month after the newest data.
        month = min(_next_month(today.replace(day=1)), _next_month(last))
        key = (str(root.resolve()), store.manifest.version, month)
        with self._lock:  # concurrent first requests compute once
            cached = self._layers.get(key)
            if cached is None:
                cached = _hotspots(store, force, month, last)
                self._layers = {k: v for k, v in self._layers.items() if k[0] != key[0]}
                self._layers[key] = cached
            return cached


def _hotspots(store: Store, force: str, month: date, last: date) -> HotspotLayer:
    try:
        forecast = make_forecast(
            store, [HOTSPOT_CATEGORY], month, RECOMMENDED, force=force, cell_size=HOTSPOT_CELL_M
        )
    except StreetlightError as exc:
        return HotspotLayer(month=month, last=last, reason=str(exc))
    table = forecast.table()
    top = max(1, round(HOTSPOT_COVERAGE * table.height)) if table.height else 0
    best = table.head(top)
    rings = square_rings(
        best["x"].to_numpy(), best["y"].to_numpy(), forecast.area.cell_size, forecast.area.crs
    )
    features = tuple(
        polygon_feature(ring, cell_id=cell_id, rank=rank, score=round(float(score), 4), place=place)
        for ring, (cell_id, rank, score, place) in zip(
            rings, best.select("cell_id", "rank", "score", "place").iter_rows(), strict=True
        )
    )
    return HotspotLayer(features=features, month=month, last=last)


def hotspot_cache(request: Request) -> HotspotCache:
    """This app's cache (made on first use, kept on `app.state`)."""
    return app_state(request, HotspotCache)
