"""The analyst's desk (issue 6): the moderation queue of public reports, the analyst map, and
exports at the public precision.

Analysts, supervisors and admins only (403 for anyone else signed in). Every page view, layer and
export is written to the audit log here, and every moderation action by `reports.service` in the
same transaction as the change it records; no audit row holds a report's text, place or point.

- `/analyst/reports`: the queue (pending by default), filtered by status, factor and time band,
  in pages. Free text and places are shown *scrubbed* (phone numbers, e-mail addresses, vehicle
  registrations hidden); the raw text is on the detail page only, whose every opening is audited.
- `POST /analyst/reports/{id}/{accept|reject|merge|respond|locate}`: one service call each, in a
  savepoint, so a refused move changes nothing; then post/redirect/get back to the same view.
  A refusal re-renders the page with the reason (400; 404 for an unknown report).
- `/analyst/map`: Leaflet with three layers fetched as GeoJSON: exact points of accepted reports,
  the perception layer (reports per 250 m cell, not suppressed: analysts only) and the crime
  hotspots (top 5 % of 150 m cells in next month's forecast of violence and sexual offences).
- `/analyst/export.{geojson,csv}`: the same reports at the public precision
  (`reports.export.public_cells`: 250 m cells, at least 5 reports, bands not times).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

import numpy as np
import polars as pl
from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from streetlight.db import audit
from streetlight.db.models import Role, StaffUser
from streetlight.errors import StoreError, StreetlightError
from streetlight.geo.crs import BRITISH_NATIONAL_GRID, WGS84, choose_crs, transform
from streetlight.hotspots.base import FloatArray, StudyArea
from streetlight.hotspots.forecast import make_forecast, resolve_force
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.reports import export, service
from streetlight.reports.categories import (
    FACTOR_CODE,
    FACTORS,
    TIME_BANDS,
    AuditFactor,
    Factor,
    ReportStatus,
    band_label,
)
from streetlight.reports.perception import perception_from_frame
from streetlight.reports.privacy import PUBLIC_CELL_M
from streetlight.store.months import parse_month
from streetlight.store.store import Store
from streetlight.web.context import AppContext, app_context
from streetlight.web.deps import DbSession, require_roles
from streetlight.web.i18n import N_, Translate, translator
from streetlight.web.routers.reports import FACTOR_LABELS  # the public's words, shared
from streetlight.web.templating import language

router = APIRouter(tags=["analyst"], include_in_schema=False)

Analyst = Annotated[StaffUser, Depends(require_roles(Role.ANALYST, Role.SUPERVISOR, Role.ADMIN))]
ReportId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Action = Literal["accept", "reject", "merge", "respond", "locate"]

PAGE_SIZE = 25
# The crime layer beside the reports: what the force's hotspot maps default to.
HOTSPOT_CATEGORY = "Violence and sexual offences"
HOTSPOT_CELL_M = 150.0
HOTSPOT_COVERAGE = 0.05  # the top 5 % of study-area cells
GEOJSON = "application/geo+json"

ROLE_NAME = N_("analyst")  # base.html shows `_(user.role.value)`
# Short words for the scores (the public form asks them as questions).
AUDIT_LABELS: dict[str, str] = {
    AuditFactor.LIGHTING: N_("Lighting"),
    AuditFactor.OPENNESS: N_("Openness"),
    AuditFactor.VISIBILITY: N_("Visibility"),
    AuditFactor.PEOPLE: N_("People around"),
    AuditFactor.SECURITY: N_("Security"),
    AuditFactor.WALKWAY: N_("Walkway"),
    AuditFactor.TRANSPORT: N_("Transport"),
}
STATUS_LABELS: dict[str, str] = {
    ReportStatus.PENDING: N_("pending"),
    ReportStatus.ACCEPTED: N_("accepted"),
    ReportStatus.MERGED: N_("merged"),
    ReportStatus.REJECTED: N_("rejected as spam"),
}
ALL_STATUSES = "all"
STATUS_OPTIONS: tuple[tuple[str, str], ...] = (
    *((s.value, STATUS_LABELS[s]) for s in ReportStatus),
    (ALL_STATUSES, N_("all")),
)
DONE_MESSAGES: dict[str, str] = {
    "accept": N_("Report #{id} accepted."),
    "reject": N_("Report #{id} rejected as spam."),
    "merge": N_("Report #{id} merged into report #{into}."),
    "respond": N_("Response saved for report #{id}: the reporter sees it with their receipt."),
    "locate": N_("Report #{id} located."),
}
NOT_FOUND = N_("There is no report #{id}.")
REFUSED = N_("Report #{id}: {reason}")
BAD_INTO = N_("Give the number of the report to merge into.")
BAD_POSITION = N_("Give the position as two numbers: latitude and longitude.")
NO_STORE = N_("No crime data in the incident store yet: the hotspot layer is empty.")
NO_FORECAST = N_("No hotspot forecast from the incident store: {reason}")
HOTSPOTS_FOR = N_("Crime hotspots: forecast for {month}, from crimes recorded up to {last}.")
PERCEPTION_NOTE = N_(
    "Perception layer, not suppressed (analysts only): cells with reports: {cells}; "
    "accepted reports without a position: {unplaced}."
)
POINTS_NOTE = N_("Accepted reports with a position: {count}.")


# --- Filters: status, factor, time band and page, from the query string ----------------------

_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Filters:
    """What the analyst asked to see. Unknown values are ignored rather than refused: a stale
    bookmark still opens the queue."""

    status: ReportStatus | None = ReportStatus.PENDING
    factor: Factor | None = None
    band: int | None = None
    page: int = 1

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Filters:
        raw_status = params.get("status", "")
        status: ReportStatus | None = ReportStatus.PENDING
        if raw_status == ALL_STATUSES:
            status = None
        elif raw_status in {s.value for s in ReportStatus}:
            status = ReportStatus(raw_status)
        raw_factor = params.get("factor", "")
        factor = Factor(raw_factor) if raw_factor in {f.value for f in FACTORS} else None
        band = _whole(params.get("band", ""))
        page = _whole(params.get("page", ""))
        return cls(
            status,
            factor,
            band if band in TIME_BANDS else None,
            page if page is not None and 0 < page < 100_000 else 1,
        )

    @property
    def status_value(self) -> str:
        return self.status.value if self.status is not None else ALL_STATUSES

    @property
    def factor_value(self) -> str:
        return self.factor.value if self.factor is not None else ""

    @property
    def factors(self) -> list[Factor] | None:
        return [self.factor] if self.factor is not None else None

    @property
    def bands(self) -> list[int] | None:
        return [self.band] if self.band is not None else None

    def params(self, *, page: int | None = None) -> dict[str, str]:
        params = {"status": self.status_value}
        if self.factor is not None:
            params["factor"] = self.factor.value
        if self.band is not None:
            params["band"] = str(self.band)
        params["page"] = str(page if page is not None else self.page)
        return params

    def layer_params(self) -> dict[str, str]:
        """What the map's layers and exports take: factor and band only."""
        params = self.params()
        return {k: v for k, v in params.items() if k in ("factor", "band")}

    def audit_details(self) -> dict[str, audit.JSONValue]:
        return {
            "status": self.status_value,
            "factor": self.factor_value or None,
            "band": self.band,
            "page": self.page,
        }


def _whole(text: str) -> int | None:
    """A small whole number written in ASCII digits, else None (`str.isdigit` takes "²")."""
    return int(text) if _DIGITS.fullmatch(text) else None


def _query(params: Mapping[str, str], lang: str) -> str:
    return urlencode({**params, "lang": lang})


def _view(
    request: Request, db: DbSession, user: StaffUser, subject: str, **details: audit.JSONValue
) -> None:
    """One audit row per page, layer or export served: who looked at what (filters only)."""
    audit.append(
        db,
        actor=user.username,
        action="analyst.export" if subject.startswith("export") else "analyst.view",
        subject=subject,
        details=details,
        now=app_context(request).clock(),
    )


def _page_context(filters: Filters) -> dict[str, object]:
    return {
        "filters": filters,
        "status_labels": STATUS_LABELS,
        "status_options": STATUS_OPTIONS,
        "factor_labels": FACTOR_LABELS,
        "factor_options": tuple((f.value, FACTOR_LABELS[f]) for f in FACTORS),
        "audit_labels": AUDIT_LABELS,
        "bands": TIME_BANDS,
        "band_label": band_label,
    }


def _notice(request: Request, _: Translate) -> str | None:
    """The message for `?done=<action>&report=<id>[&into=<id>]` after a redirect."""
    params = request.query_params
    message = DONE_MESSAGES.get(params.get("done", ""))
    report, into = _whole(params.get("report", "")), _whole(params.get("into", ""))
    if message is None or report is None:
        return None
    return _(message, id=report, into=into if into is not None else "")


# --- The queue and the detail page -------------------------------------------------------------


def _queue_page(
    request: Request,
    db: DbSession,
    filters: Filters,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language(request)
    rows = service.queue(
        db,
        status=filters.status,
        factor=filters.factor,
        band=filters.band,
        limit=PAGE_SIZE + 1,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    more = len(rows) > PAGE_SIZE
    page = {
        **_page_context(filters),
        "rows": rows[:PAGE_SIZE],
        "first": (filters.page - 1) * PAGE_SIZE + 1,
        "back": _query(filters.params(), lang),
        "previous_page": (
            _query(filters.params(page=filters.page - 1), lang) if filters.page > 1 else ""
        ),
        "next_page": _query(filters.params(page=filters.page + 1), lang) if more else "",
        "notice": None if problem else _notice(request, translator(lang)),
        "problem": problem,
    }
    return app_context(request).templates.TemplateResponse(
        request, "analyst_reports.html", page, status_code=status_code
    )


def _detail_page(
    request: Request,
    row: service.ReportRow,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language(request)
    page = {
        **_page_context(Filters()),
        "row": row,
        "back": urlencode({"view": "detail", "lang": lang}),
        "notice": None if problem else _notice(request, translator(lang)),
        "problem": problem,
    }
    return app_context(request).templates.TemplateResponse(
        request, "analyst_report.html", page, status_code=status_code
    )


@router.get("/analyst/reports")
def queue_page(request: Request, user: Analyst, db: DbSession) -> Response:
    """The moderation queue: pending reports first by default, scrubbed."""
    filters = Filters.of(request.query_params)
    _view(request, db, user, "reports", **filters.audit_details())
    return _queue_page(request, db, filters)


@router.get("/analyst/reports/{report_id}")
def report_page(request: Request, user: Analyst, db: DbSession, report_id: ReportId) -> Response:
    """One report with its raw text; the service audits the opening (`report.viewed`)."""
    _ = translator(language(request))
    try:
        row = service.view_detail(
            db, report_id, actor=user.username, now=app_context(request).clock()
        )
    except service.ReportNotFound:
        _view(request, db, user, f"report:{report_id}", found=False)
        return _queue_page(
            request, db, Filters(), problem=_(NOT_FOUND, id=report_id), status_code=404
        )
    return _detail_page(request, row)


class FormError(StreetlightError):
    """A moderation form filled in wrongly (the message is a translatable id)."""


def _number(value: str, problem: str) -> int:
    number = _whole(value.strip())
    if number is None or not 0 < number < 2**31:
        raise FormError(problem)
    return number


def _coordinate(value: str) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise FormError(BAD_POSITION) from None
    if not np.isfinite(number):
        raise FormError(BAD_POSITION)
    return number


@dataclass(frozen=True)
class MoveForm:
    """The moderation forms' fields (each form sends only its own)."""

    into: str = ""
    response: str = ""
    lon: str = ""
    lat: str = ""


def _apply(
    context: AppContext,
    db: DbSession,
    user: StaffUser,
    report_id: int,
    action: Action,
    form: MoveForm,
) -> dict[str, str]:
    """Make the move; returns extra redirect parameters (the merge target)."""
    actor, now = user.username, context.clock()
    if action == "accept":
        service.accept(db, report_id, actor=actor, now=now)
    elif action == "reject":
        service.reject(db, report_id, actor=actor, now=now)
    elif action == "merge":
        into = _number(form.into, BAD_INTO)
        service.merge(db, report_id, into, actor=actor, now=now)
        return {"into": str(into)}
    elif action == "respond":
        service.respond(db, report_id, form.response, actor=actor, now=now)
    else:
        lat, lon = _coordinate(form.lat), _coordinate(form.lon)
        service.locate(db, report_id, lon, lat, area=context.report_area, actor=actor, now=now)
    return {}


@router.post("/analyst/reports/{report_id}/{action}")
def moderate(
    request: Request,
    user: Analyst,
    db: DbSession,
    report_id: ReportId,
    action: Action,
    into: Annotated[str, Form(max_length=16)] = "",
    response: Annotated[str, Form(max_length=4000)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """One moderation move, then back to where the analyst was (post/redirect/get)."""
    context = app_context(request)
    lang = language(request)
    _ = translator(lang)
    filters = Filters.of(request.query_params)
    detail = request.query_params.get("view") == "detail"
    form = MoveForm(into=into, response=response, lon=lon, lat=lat)
    problem, status = "", 400
    try:
        # A savepoint: a refused move leaves nothing behind, and the page can still be drawn.
        with db.begin_nested():
            extra = _apply(context, db, user, report_id, action, form)
    except service.ReportNotFound as exc:  # this report, or the one to merge into
        problem, status = _(NOT_FOUND, id=exc.report_id), 404
        detail = detail and exc.report_id != report_id  # no detail page for a missing report
    except FormError as exc:
        problem = _(REFUSED, id=report_id, reason=_(str(exc)))
    except StreetlightError as exc:  # ModerationError, ReportRejected: the service says why
        problem = _(REFUSED, id=report_id, reason=str(exc))
    if problem:
        return _refused(request, db, user, report_id, action, filters, detail, problem, status)
    done = {"done": action, "report": str(report_id), **extra, "lang": lang}
    if detail:
        return RedirectResponse(f"/analyst/reports/{report_id}?{urlencode(done)}", status_code=303)
    query = urlencode({**filters.params(), **done})
    return RedirectResponse(f"/analyst/reports?{query}#report-{report_id}", status_code=303)


def _refused(
    request: Request,
    db: DbSession,
    user: StaffUser,
    report_id: int,
    action: Action,
    filters: Filters,
    detail: bool,
    problem: str,
    status: int,
) -> Response:
    """The page the analyst came from, with why the move was refused; the attempt is audited
    (the page view with it; the detail page's raw text is audited by `view_detail`)."""
    now = app_context(request).clock()
    details: dict[str, audit.JSONValue] = {"action": action, "status": status}
    audit.append(
        db,
        actor=user.username,
        action="analyst.refused",
        subject=f"report:{report_id}",
        details=details,
        now=now,
    )
    if detail:
        row = service.view_detail(db, report_id, actor=user.username, now=now)
        return _detail_page(request, row, problem=problem, status_code=status)
    return _queue_page(request, db, filters, problem=problem, status_code=status)


# --- The map and its layers ------------------------------------------------------------------


@router.get("/analyst/map")
def map_page(request: Request, user: Analyst, db: DbSession) -> Response:
    """Reports, the perception layer and the crime hotspots on one map (Leaflet)."""
    context = app_context(request)
    filters = Filters.of(request.query_params)
    _view(request, db, user, "map", factor=filters.factor_value or None, band=filters.band)
    lang = language(request)
    layer_params = filters.layer_params()
    page = {
        **_page_context(filters),
        "layer_query": _query(layer_params, lang),
        "export_query": urlencode(layer_params),
        "outline_url": "/report/area.geojson" if context.report_area is not None else "",
        "tiles": context.settings.map_tiles or "",
        "model": RECOMMENDED,
    }
    return context.templates.TemplateResponse(request, "analyst_map.html", page)


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
    return ", ".join(_(FACTOR_LABELS[f]) for f in FACTORS if mask >> FACTOR_CODE[f] & 1)


Feature = dict[str, object]


def _polygon(ring: list[list[float]], **properties: object) -> Feature:
    """A GeoJSON polygon feature from one closed WGS84 ring."""
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lon: float, lat: float, **properties: object) -> Feature:
    """A GeoJSON point feature (degrees, rounded to 6 places: about 0.1 m)."""
    geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@router.get("/analyst/reports.geojson")
def points_layer(request: Request, user: Analyst, db: DbSession) -> Response:
    """Accepted reports at their exact points (analysts only), as GeoJSON points."""
    filters = Filters.of(request.query_params)
    _view(request, db, user, "layer:points", factor=filters.factor_value or None, band=filters.band)
    _ = translator(language(request))
    located = _located(service.accepted_frame(db), filters)
    features = [
        _point(
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


def _report_crs(context: AppContext, frame: pl.DataFrame) -> str:
    """The projected CRS reports are counted in: the report area's, else chosen from the
    reports themselves (British National Grid in Great Britain, else a UTM zone)."""
    if context.report_area is not None:
        return context.report_area.crs
    located = frame.drop_nulls(["lon", "lat"])
    if located.height == 0:
        return BRITISH_NATIONAL_GRID  # nothing to count: any projected CRS gives no cells
    return choose_crs(located["lon"].to_numpy(), located["lat"].to_numpy())


def _squares(x: FloatArray, y: FloatArray, size: float, crs: str) -> list[list[list[float]]]:
    """Each square cell (centre `x, y`, `size` metres, in `crs`) as a closed WGS84 ring."""
    n = len(x)
    if n == 0:
        return []
    half = size / 2
    corners_x = np.concatenate([x - half, x + half, x + half, x - half])
    corners_y = np.concatenate([y - half, y - half, y + half, y + half])
    lon, lat = transform(crs, WGS84, corners_x, corners_y)
    lon, lat = lon.reshape(4, n), lat.reshape(4, n)
    return [
        [[round(float(lon[c, k]), 6), round(float(lat[c, k]), 6)] for c in (0, 1, 2, 3, 0)]
        for k in range(n)
    ]


@router.get("/analyst/perception.geojson")
def perception_layer(request: Request, user: Analyst, db: DbSession) -> Response:
    """Accepted reports counted per 250 m cell (the perception layer), with no small-count
    suppression: for analysts only, and labelled so."""
    filters = Filters.of(request.query_params)
    _view(
        request,
        db,
        user,
        "layer:perception",
        factor=filters.factor_value or None,
        band=filters.band,
    )
    _ = translator(language(request))
    frame = service.accepted_frame(db)
    crs = _report_crs(app_context(request), frame)
    xy = frame.drop_nulls(["lon", "lat"])
    x, y = transform(WGS84, crs, xy["lon"].to_numpy(), xy["lat"].to_numpy())
    area = StudyArea.from_incidents(pl.DataFrame({"x": x, "y": y}), PUBLIC_CELL_M, crs)
    layer = perception_from_frame(frame, area)
    totals = layer.total(filters.factors, filters.bands)
    keep = np.flatnonzero(totals)
    cx, cy = area.centres()
    rings = _squares(cx[keep], cy[keep], PUBLIC_CELL_M, crs)
    ids = area.cell_ids()
    features = [
        _polygon(ring, cell_id=ids[k], reports=int(totals[k]))
        for k, ring in zip(keep.tolist(), rings, strict=True)
    ]
    note = _(PERCEPTION_NOTE, cells=len(features), unplaced=layer.unplaced)
    return _geojson({"type": "FeatureCollection", "features": features, "note": note})


# --- Crime hotspots: next month's forecast, computed once per (store, month) per process --------


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
    rings = _squares(
        best["x"].to_numpy(), best["y"].to_numpy(), forecast.area.cell_size, forecast.area.crs
    )
    features = tuple(
        _polygon(ring, cell_id=cell_id, rank=rank, score=round(float(score), 4), place=place)
        for ring, (cell_id, rank, score, place) in zip(
            rings, best.select("cell_id", "rank", "score", "place").iter_rows(), strict=True
        )
    )
    return HotspotLayer(features=features, month=month, last=last)


_CACHE_LOCK = threading.Lock()


def hotspot_cache(request: Request) -> HotspotCache:
    """This app's cache (made on first use, kept on `app.state`)."""
    state = request.app.state
    with _CACHE_LOCK:
        cache = getattr(state, "analyst_hotspots", None)
        if not isinstance(cache, HotspotCache):
            cache = HotspotCache()
            state.analyst_hotspots = cache
        return cache


@router.get("/analyst/hotspots.geojson")
def hotspots_layer(request: Request, user: Analyst, db: DbSession) -> Response:
    """The top 5 % of 150 m cells in next month's forecast of violence and sexual offences
    (recommended model), from the incident store; empty, with a note, when it has no data."""
    context = app_context(request)
    _view(request, db, user, "layer:hotspots")
    # The audit row is committed now: the forecast below may take seconds the first time, and
    # must not hold the database's write lock (SQLite) while it runs.
    db.commit()
    _ = translator(language(request))
    layer = hotspot_cache(request).layer(context.settings.store, context.clock().date())
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
    request: Request, db: DbSession, user: StaffUser, kind: str
) -> tuple[pl.DataFrame, str]:
    filters = Filters.of(request.query_params)
    frame = service.accepted_frame(db)
    crs = _report_crs(app_context(request), frame)
    cells = export.public_cells(frame, crs, factors=filters.factors, bands=filters.bands)
    _view(
        request,
        db,
        user,
        f"export:{kind}",
        factor=filters.factor_value or None,
        band=filters.band,
        cells=cells.height,
    )
    return cells, crs


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/analyst/export.geojson")
def export_geojson(request: Request, user: Analyst, db: DbSession) -> Response:
    """Public-precision cells (>= 250 m, >= 5 reports) as GeoJSON polygons, to download."""
    cells, crs = _public(request, db, user, "geojson")
    body = export.public_geojson(cells, crs=crs)
    return _geojson(body, **_attachment("streetlight-reports-public.geojson"))


@router.get("/analyst/export.csv")
def export_csv(request: Request, user: Analyst, db: DbSession) -> Response:
    """Public-precision cells (>= 250 m, >= 5 reports) as CSV (cell centres), to download."""
    cells, _crs = _public(request, db, user, "csv")
    return Response(
        cells.write_csv(),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("streetlight-reports-public.csv"),
    )
