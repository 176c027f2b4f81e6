"""A month's patrol plan from the store: the library behind `streetlight plan` and the demo.

`deploy` loads what a plan is made of (the harm table, next month's forecast weighted by it, the
planner's busy places, the accepted public reports) from one `PlanRequest` and hands them to
`plan_forecast`, which solves each shift and lays the posts out as a table. The result
(`MonthPlan`) is plain data: the command prints it and `deploy.export.write_plan` writes it, so
neither repeats the planning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from streetlight.deploy.defaults import CELL_M, HARM, REPORTS_WEIGHT, VIOLENCE
from streetlight.deploy.errors import PlanSettingsError
from streetlight.deploy.harm import PlanHarm
from streetlight.deploy.places import Place, hot_cell_demand, read_places, report_places
from streetlight.deploy.plan import (
    PlanSettings,
    ShiftPlan,
    make_plan,
    posts_table,
    shift_profile,
)
from streetlight.geo.boundary import Ring, read_rings
from streetlight.hotspots.forecast import Forecast, make_forecast
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.reports.perception import PerceptionLayer


@dataclass(frozen=True, kw_only=True)
class PlanRequest:
    """What to plan, by keyword only.

    Attributes:
        month: the month planned (its first day); the forecast learns from months before it.
        settings: the plan's parameters; the places read here are added to its `places`.
        categories: crime types forecast.
        model: forecast model name (`hotspots.registry`); None: the recommended one.
        force: force slug, needed when the store holds several.
        cell_size: study-area cell size, metres.
        boundary: GeoJSON polygons: the study area and the maps' outlines.
        harm: the harm table crimes are weighed by (`deploy.harm`): `cchi`, the packaged
            Cambridge Crime Harm Index (the default: a plan covers the most harm), a TOML
            file of the force's own, or None (or `none`) to count every crime as 1.
        harm_share: share of harm per shift; None learns it (`deploy.plan.shift_profile`,
            weighed by `harm`).
        places_file: GeoJSON of a planner's busy places.
        reports_database: database URL whose accepted public reports become women's-safety
            demand (`reports_weight` hot-cell equivalents, see `deploy.places.report_weights`);
            None leaves them out.
        reports_weight: W, hot-cell equivalents (>= 0).
    """

    month: date
    settings: PlanSettings
    categories: tuple[str, ...] = (VIOLENCE,)
    model: str | None = None
    force: str | None = None
    cell_size: float = CELL_M
    boundary: Path | None = None
    harm: str | Path | None = HARM
    harm_share: Mapping[str, float] | None = None
    places_file: Path | None = None
    reports_database: str | None = None
    reports_weight: float = REPORTS_WEIGHT

    def __post_init__(self) -> None:
        if self.reports_weight < 0:
            raise PlanSettingsError(
                f"reports weight must be at least 0 hot-cell equivalents, not {self.reports_weight}"
            )


@dataclass(frozen=True)
class ReportDemand:
    """Accepted public reports as women's-safety demand.

    Attributes:
        layer: the reports counted on the forecast's study area.
        accepted: reports accepted in the database (the layer leaves out unplaceable ones).
        weight: W, hot-cell equivalents.
        top_mean: mean reports of the top 1% of cells by reports (the scale of W).
        places: one `Place` per number of reports in a cell (`deploy.places.report_places`).
    """

    layer: PerceptionLayer
    accepted: int
    weight: float
    top_mean: float
    places: tuple[Place, ...]

    @classmethod
    def of(cls, layer: PerceptionLayer, accepted: int, weight: float) -> ReportDemand:
        return cls(
            layer,
            accepted,
            weight,
            hot_cell_demand(layer.reports.astype(float)),
            tuple(report_places(layer.reports, weight)),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "weight": self.weight,
            "top_1pct_mean_reports": self.top_mean,
            "accepted": self.accepted,
            "used": self.layer.placed,
            "unplaced": self.layer.unplaced,
            "cells": int((self.layer.reports > 0).sum()),
        }


@dataclass(frozen=True, kw_only=True)
class MonthPlan:
    """A solved month's plan and what it was made from.

    Attributes:
        forecast: the forecast the posts cover.
        harm: the harm weights of the forecast and the shift shares (`deploy.harm`).
        settings: the plan's parameters, with every place it weighed (the planner's, then the
            reports').
        harm_share: share of harm per shift.
        plans: each shift's MILP and greedy solutions, in the settings' shift order.
        posts: `deploy.plan.posts_table`: one row per shift and post with units.
        busy_places: the planner's places inside the study area.
        outside: names of the planner's places outside it (not used).
        reports: the public reports weighed, or None.
        force_name: the force's display name.
        timezone: the force's local time zone (shifts start at local hours).
        rings: boundary outlines for the maps, in the forecast's CRS.
    """

    forecast: Forecast
    harm: PlanHarm
    settings: PlanSettings
    harm_share: Mapping[str, float]
    plans: list[ShiftPlan]
    posts: pl.DataFrame
    busy_places: tuple[Place, ...] = ()
    outside: tuple[str, ...] = ()
    reports: ReportDemand | None = None
    force_name: str
    timezone: str
    rings: tuple[Ring, ...] = ()


def deploy(store: Store, request: PlanRequest) -> MonthPlan:
    """Read the harm table, forecast `request.month` weighted by it, read the busy places and
    public reports, and plan it. The table is read first: a bad one fails before the forecast."""
    from streetlight.reports.dataset import accepted_layer

    harm = PlanHarm.load(request.harm)
    forecast = make_forecast(
        store,
        request.categories,
        request.month,
        request.model or RECOMMENDED,
        force=request.force,
        cell_size=request.cell_size,
        boundary=request.boundary,
        harm=harm.table,
    )
    places, outside = (
        read_places(request.places_file, forecast.area) if request.places_file else ([], [])
    )
    reports = None
    if request.reports_database is not None:
        layer, accepted = accepted_layer(forecast.area, request.reports_database)
        reports = ReportDemand.of(layer, accepted, request.reports_weight)
    rings = read_rings(request.boundary, forecast.area.crs) if request.boundary else []
    return plan_forecast(
        store,
        forecast,
        replace(request.settings, places=(*request.settings.places, *places)),
        harm=harm,
        harm_share=request.harm_share,
        outside=outside,
        reports=reports,
        rings=rings,
    )


def plan_forecast(
    store: Store,
    forecast: Forecast,
    settings: PlanSettings,
    *,
    harm: PlanHarm,
    harm_share: Mapping[str, float] | None = None,
    outside: Sequence[str] = (),
    reports: ReportDemand | None = None,
    rings: Sequence[Ring] = (),
) -> MonthPlan:
    """Solve every shift of `settings` on `forecast`; report cells (when given) join the
    planner's places as women's-safety demand. `harm` is the table `forecast` was weighted by
    (a `Forecast` does not say): the harm share per shift, learned from the months before the
    forecast's when not given, weighs past crimes by it too, and the plan records it."""
    busy = settings.places
    if reports is not None:
        settings = replace(settings, places=(*busy, *reports.places))
    shares = (
        dict(harm_share)
        if harm_share is not None
        else shift_profile(
            store, forecast.force, forecast.categories, forecast.month, harm=harm.table
        )
    )
    plans = make_plan(forecast, shares, settings)
    force = store.forces[forecast.force]
    return MonthPlan(
        forecast=forecast,
        harm=harm,
        settings=settings,
        harm_share=shares,
        plans=plans,
        posts=posts_table(forecast, plans, settings.unit_size, settings.places),
        busy_places=busy,
        outside=tuple(outside),
        reports=reports,
        force_name=force.name,
        timezone=force.timezone or "UTC",
        rings=tuple(rings),
    )
