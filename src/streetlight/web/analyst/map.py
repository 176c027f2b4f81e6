"""The analyst map and what it draws, and the exports at the public precision.

Analysts, supervisors and admins only; every page, layer and export served is written to the
audit log (the filters, never a report's point).

- `/analyst/map`: Leaflet with three layers fetched as GeoJSON: exact points of accepted reports,
  the perception layer (reports per 250 m cell, not suppressed: analysts only) and the crime
  hotspots (`hotspot_layer`: top 5 % of 150 m cells in next month's forecast of violence and
  sexual offences).
- `/analyst/export.{geojson,csv}`: the same reports at the public precision
  (`reports.export.public_cells`: 250 m cells, at least 5 reports, bands not times).
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from streetlight.db.models import StaffUser
from streetlight.geo.crs import BRITISH_NATIONAL_GRID, WGS84, choose_crs, transform
from streetlight.geo.geojson import point_feature, polygon_feature, square_rings
from streetlight.hotspots.base import StudyArea
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.reports import export
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import FACTOR_CODE, band_label, factors_of
from streetlight.reports.dataset import accepted_frame
from streetlight.reports.perception import perception_from_frame
from streetlight.reports.privacy import PUBLIC_CELL_M
from streetlight.web.analyst.desk import Analyst, Desk, DeskDep, audit_view, page_context, query
from streetlight.web.analyst.filters import Filters
from streetlight.web.analyst.hotspot_layer import hotspot_cache
from streetlight.web.core.deps import ClockDep, DbSession, SettingsDep
from streetlight.web.core.i18n import N_, Translate, translator
from streetlight.web.core.templating import language
from streetlight.web.reports.words import FACTOR_LABELS

router = APIRouter(tags=["analyst"], include_in_schema=False)

GEOJSON = "application/geo+json"
NO_STORE = N_("No crime data in the incident store yet: the hotspot layer is empty.")
NO_FORECAST = N_("No hotspot forecast from the incident store: {reason}")
HOTSPOTS_FOR = N_("Crime hotspots: forecast for {month}, from crimes recorded up to {last}.")
PERCEPTION_NOTE = N_(
    "Perception layer, not suppressed (analysts only): cells with reports: {cells}; "
    "accepted reports without a position: {unplaced}."
)
POINTS_NOTE = N_("Accepted reports with a position: {count}.")


@router.get("/analyst/map")
def map_page(request: Request, user: Analyst, db: DbSession, desk: DeskDep) -> Response:
    """Reports, the perception layer and the crime hotspots on one map (Leaflet)."""
    filters = Filters.of(request.query_params)
    audit_view(db, user, desk.clock(), "map", **filters.layer_details())
    lang = language(request)
    layer_params = filters.layer_params()
    page = {
        **page_context(filters),
        "layer_query": query(layer_params, lang),
        "export_query": urlencode(layer_params),
        "outline_url": "/report/area.geojson" if desk.streets.area is not None else "",
        "tiles": desk.settings.map_tiles or "",
        "model": RECOMMENDED,
    }
    return desk.templates.TemplateResponse(request, "analyst_map.html", page)


def _geojson(body: dict[str, object], **headers: str) -> Response:
    return JSONResponse(body, media_type=GEOJSON, headers=headers)


def _located(frame: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """Accepted reports with a position that pass the factor and band filters."""
    located = frame.drop_nulls(["lon", "lat"])
    if filters.factor is not None:
        bit = 1 << FACTOR_CODE[filters.factor]
        located = located.filter((pl.col("factor_mask") & bit) != 0)
    if filters.band is not None:
        located = located.filter(pl.col("time_band") == filters.band)
    return located


def _factor_words(mask: int, _: Translate) -> str:
    return ", ".join(_(FACTOR_LABELS[f]) for f in factors_of(mask))


@router.get("/analyst/reports.geojson")
def points_layer(request: Request, user: Analyst, db: DbSession, clock: ClockDep) -> Response:
    """Accepted reports at their exact points (analysts only), as GeoJSON points."""
    filters = Filters.of(request.query_params)
    audit_view(db, user, clock(), "layer:points", **filters.layer_details())
    _ = translator(language(request))
    located = _located(accepted_frame(db), filters)
    features = [
        point_feature(
            lon,
            lat,
            id=report_id,
            occurred_on=occurred.isoformat(),
            band=band_label(band),
            factors=_factor_words(mask, _),
            url=f"/analyst/reports/{report_id}",
        )
        for report_id, lon, lat, occurred, band, mask in located.select(
            "report_id", "lon", "lat", "occurred_on", "time_band", "factor_mask"
        ).iter_rows()
    ]
    note = _(POINTS_NOTE, count=len(features))
    return _geojson({"type": "FeatureCollection", "features": features, "note": note})


def _report_crs(area: ReportArea | None, frame: pl.DataFrame) -> str:
    """The projected CRS reports are counted in: the report area's, else chosen from the
    reports themselves (British National Grid in Great Britain, else a UTM zone)."""
    if area is not None:
        return area.crs
    located = frame.drop_nulls(["lon", "lat"])
    if located.height == 0:
        return BRITISH_NATIONAL_GRID  # nothing to count: any projected CRS gives no cells
    return choose_crs(located["lon"].to_numpy(), located["lat"].to_numpy())


@router.get("/analyst/perception.geojson")
def perception_layer(request: Request, user: Analyst, db: DbSession, desk: DeskDep) -> Response:
    """Accepted reports counted per 250 m cell (the perception layer), with no small-count
    suppression: for analysts only, and labelled so."""
    filters = Filters.of(request.query_params)
    audit_view(db, user, desk.clock(), "layer:perception", **filters.layer_details())
    _ = translator(language(request))
    frame = accepted_frame(db)
    crs = _report_crs(desk.streets.area, frame)
    xy = frame.drop_nulls(["lon", "lat"])
    x, y = transform(WGS84, crs, xy["lon"].to_numpy(), xy["lat"].to_numpy())
    area = StudyArea.from_incidents(pl.DataFrame({"x": x, "y": y}), PUBLIC_CELL_M, crs)
    layer = perception_from_frame(frame, area)
    totals = layer.total(filters.factors, filters.bands)
    keep = np.flatnonzero(totals)
    cx, cy = area.centres()
    rings = square_rings(cx[keep], cy[keep], PUBLIC_CELL_M, crs)
    ids = area.cell_ids()
    features = [
        polygon_feature(ring, cell_id=ids[k], reports=int(totals[k]))
        for k, ring in zip(keep.tolist(), rings, strict=True)
    ]
    note = _(PERCEPTION_NOTE, cells=len(features), unplaced=layer.unplaced)
    return _geojson({"type": "FeatureCollection", "features": features, "note": note})


@router.get("/analyst/hotspots.geojson")
def hotspots_layer(
    request: Request, user: Analyst, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> Response:
    """The top 5 % of 150 m cells in next month's forecast of violence and sexual offences
    (recommended model), from the incident store; empty, with a note, when it has no data."""
    audit_view(db, user, clock(), "layer:hotspots")
    # The audit row is committed now: the forecast below may take seconds the first time, and
    # must not hold the database's write lock (SQLite) while it runs.
    db.commit()
    _ = translator(language(request))
    layer = hotspot_cache(request).layer(settings.store, clock().date())
    if layer.reason:
        note = _(NO_FORECAST, reason=layer.reason)
    elif layer.month is not None and layer.last is not None:
        note = _(HOTSPOTS_FOR, month=f"{layer.month:%Y-%m}", last=f"{layer.last:%Y-%m}")
    else:
        note = _(NO_STORE)
    body: dict[str, object] = {
        "type": "FeatureCollection",
        "features": list(layer.features),
        "note": note,
        "month": f"{layer.month:%Y-%m}" if layer.month else None,
    }
    return _geojson(body)


# --- Exports at the public precision ---------------------------------------------------------


def _public(
    request: Request, db: DbSession, user: StaffUser, kind: str, desk: Desk
) -> tuple[pl.DataFrame, str]:
    filters = Filters.of(request.query_params)
    frame = accepted_frame(db)
    crs = _report_crs(desk.streets.area, frame)
    cells = export.public_cells(frame, crs, factors=filters.factors, bands=filters.bands)
    audit_view(
        db, user, desk.clock(), f"export:{kind}", **filters.layer_details(), cells=cells.height
    )
    return cells, crs


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/analyst/export.geojson")
def export_geojson(request: Request, user: Analyst, db: DbSession, desk: DeskDep) -> Response:
    """Public-precision cells (>= 250 m, >= 5 reports) as GeoJSON polygons, to download."""
    cells, crs = _public(request, db, user, "geojson", desk)
    body = export.public_geojson(cells, crs=crs)
    return _geojson(body, **_attachment("streetlight-reports-public.geojson"))


@router.get("/analyst/export.csv")
def export_csv(request: Request, user: Analyst, db: DbSession, desk: DeskDep) -> Response:
    """Public-precision cells (>= 250 m, >= 5 reports) as CSV (cell centres), to download."""
    cells, _crs = _public(request, db, user, "csv", desk)
    return Response(
        cells.write_csv(),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("streetlight-reports-public.csv"),
    )
