"""Patrol plans proved on held-out months: the share of next month's crime within the posts' reach.

Weisburd & Eck (2004, "What can police do to reduce crime, disorder, and fear?", Annals of the
American Academy of Political and Social Science 593) found the strongest evidence for focused,
place-based strategies such as hot-spot policing, and the meta-analysis of Braga, Turchan,
Papachristos & Hureau (2019, Journal of Experimental Criminology 15(3)) finds crime falls in
treated hot spots, with displacement rare and a diffusion of benefits more likely. Patrols act
where they are, so the first question to ask of a planner is the hit rate of its plans on months
it has not seen: the share of next month's crimes whose cell is within the patrol radius of a
post with at least one unit.

The backtest rolls the origin month by month, exactly as the hotspot backtest does
(`evaluate.backtest`): for every month m,

1. `plan_month` builds three plans for each shift from the events strictly before m only (it cuts
   the events itself, then the models fit with `until=m` on top of that):
   - `milp` and `greedy`: `deploy.plan.make_plan` on the `model` forecast, as `streetlight plan`
     would have planned month m;
   - `top-cells`: what an analyst does by hand - one unit on each of the top-ranked cells of the
     `baseline` forecast (study-area order breaks ties), the same number of units as the
     other plans, at most one unit per cell, the top women's-safety cells first until the
     women's-safety minimum is met (the same rule and rounding as the MILP's; if fewer such
     cells exist, all of them). With the default `baseline == model` it shares the MILP's
     forecast, so the difference measures placement alone: top cells cluster, and discs round
     neighbouring top cells overlap.
2. `score_month_plans` scores each plan against month m's crimes of the target categories: the
   share of the crimes covered, the share of the study area covered (km² covered / study-area
   km²) and their ratio, the plans' PAI (Chainey, Tompson & Uhlig 2008, Security Journal 21:
   hit rate / area share). A crime counts its harm weight when the events carry one
   (`EventSet.weight`; `deploy.plan_backtest` weighs them by the plan's harm table, `deploy.harm`),
   so the shares are of harm, as the forecasts are. Where a crime has a date-time it counts for the shift whose local
   hours hold it (`streetlight.shifts`); without one (data.police.uk gives only months) it counts
   for every shift. The objective is the MILP's objective (`optimize.objective`) of each plan on
   the forecast demand (busy-place demand included, as `make_plan` adds it), so the three are
   compared on one yardstick. The covered share counts a crime once however many units are
   in reach; the objective also values a second unit in reach, so the two can disagree.

Means per method and shift come with 95% percentile bootstrap intervals over months, and the
paired differences milp - greedy and milp - top-cells too (months resampled with replacement,
fixed seed): a difference whose interval excludes zero is more than month-to-month noise.

The study area is fixed for the whole run (the boundary's cells, else the cells with any incident,
as the hotspot backtest uses): it is geography, not crime counts, and a fixed area keeps the area
shares of different months comparable. The shift harm shares (`profiles`) are inputs: the caller
computes them from data before each month.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.deploy.coverage import Coverage, coverage
from streetlight.deploy.optimize import Instance, objective
from streetlight.deploy.places import busy_cells, place_demand
from streetlight.deploy.plan import PlanSettings, ShiftPlan, make_plan, womens_safety_cells
from streetlight.evaluate.intervals import bootstrap_interval
from streetlight.evaluate.metrics import ranking
from streetlight.hotspots.base import EventSet, StudyArea, month_of_index
from streetlight.hotspots.forecast import Forecast, most_common_places
from streetlight.hotspots.registry import RECOMMENDED, make_model
from streetlight.progress import Progress, no_progress
from streetlight.shifts import SHIFT_HOURS, SHIFT_STARTS
from streetlight.store.months import month_key

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

METHODS = ("milp", "greedy", "top-cells")
COMPARISONS = (("milp", "greedy"), ("milp", "top-cells"))
COMPARED = ("covered_share", "efficiency")


@dataclass(frozen=True)
class Evaluation:
    """What is evaluated: the plan settings, the forecast model behind the MILP and greedy plans,
    the baseline model that ranks cells for the top-cells plan, and the force's time zone (for
    the local hours of each shift)."""

    plan: PlanSettings
    model: str = RECOMMENDED
    baseline: str = RECOMMENDED
    timezone: str = "UTC"


@dataclass(frozen=True)
class MonthPlans:
    """The three plans of every shift for one month, built from earlier months only.

    Attributes:
        month: month index (see `hotspots.base.month_index`).
        forecast: the `model` forecast the MILP and greedy plans were solved on.
        shifts: `make_plan`'s result, one per shift in the settings' order.
        top_cells: units per post (0 or 1) of the top-cells plan, per shift.
        instances: each shift's deployment problem (the objective's yardstick).
        coverage: which cells each post covers (radius of the settings).
    """

    month: int
    forecast: Forecast
    shifts: list[ShiftPlan]
    top_cells: dict[str, IntArray]
    instances: dict[str, Instance]
    coverage: Coverage

    def units(self, shift: str, method: str) -> IntArray:
        """Units per post (study-area cell) of one method's plan for one shift."""
        if method == "top-cells":
            return self.top_cells[shift]
        plan = next(p for p in self.shifts if p.shift == shift)
        if method == "milp":
            return plan.milp.units
        if method == "greedy":
            return plan.greedy.units
        raise ValueError(f"unknown method {method!r} (methods: {', '.join(METHODS)})")


@dataclass(frozen=True)
class PlanScore:
    """One plan scored against one held-out month.

    Attributes:
        month: the held-out month (first day).
        shift, method: which plan (`METHODS`).
        units: units placed; posts: posts with at least one unit.
        crimes: the month's target crimes in the shift (harm-weighted when the events are).
        covered_crimes: those whose cell is within the radius of a post with a unit.
        covered_share: covered_crimes / crimes (NaN for a month without crimes).
        area_km2: area of the covered cells, km²; area_share: over the study area's.
        efficiency: covered_share / area_share, the plan's PAI (NaN when nothing is covered).
        objective: the plan's MILP objective on the forecast demand.
        seconds: solver time (0 for top-cells, which only sorts).
    """

    month: date
    shift: str
    method: str
    units: int
    posts: int
    crimes: float
    covered_crimes: float
    covered_share: float
    area_km2: float
    area_share: float
    efficiency: float
    objective: float
    seconds: float


def forecast_before(events: EventSet, area: StudyArea, month: int, model: str) -> Forecast:
    """`model`'s forecast of month index `month`, fitted on the events before it only.

    The same scores and place names `make_forecast` gives, without reading the store again."""
    past = events.before(month)
    scores = make_model(model).fit(past, area, month).predict()
    categories = tuple(sorted(set(past.targets().category.tolist())))
    places = most_common_places(past, area.n_cells)
    return Forecast(area, scores, model, month_of_index(month), "", categories, places)


def shift_instances(
    forecast: Forecast, plans: Sequence[ShiftPlan], settings: PlanSettings, cov: Coverage
) -> dict[str, Instance]:
    """The deployment problem `make_plan` solved for each shift, rebuilt as it builds them: the
    forecast's harm plus busy-place demand, times the shift's share; `officers // unit_size`
    units. (Mirrors `make_plan`; the tests check that the MILP's objective is reproduced.)"""
    demand = np.clip(forecast.scores, 0, None) + place_demand(
        forecast.scores, busy_cells(forecast.places), settings.busy_weight, settings.places
    )
    women = womens_safety_cells(forecast, settings.places)
    return {
        p.shift: Instance(
            demand * p.demand_share,
            cov,
            women,
            settings.officers[p.shift] // settings.unit_size,
            settings.max_per_post,
            settings.decay,
            settings.women_share,
        )
        for p in plans
    }


def top_cells_units(instance: Instance, scores: FloatArray) -> IntArray:
    """One unit on each of the top `instance.units` cells by `scores`, top women's-safety cells
    first until the instance's minimum of women's-safety units is met (or they run out)."""
    order = ranking(scores)
    units = min(instance.units, len(order))
    needed = min(instance.women_units_needed(), int(instance.women.sum()), units)
    chosen = np.zeros(len(order), dtype=bool)
    chosen[order[instance.women[order]][:needed]] = True
    rest = order[~chosen[order]]
    chosen[rest[: units - needed]] = True
    return chosen.astype(np.int64)


def plan_month(
    events: EventSet,
    area: StudyArea,
    month: int,
    profile: Mapping[str, float],
    spec: Evaluation,
) -> MonthPlans:
    """The MILP, greedy and top-cells plans of each shift for month index `month`.

    Only the events before `month` are used, whatever `events` holds: the plans cannot see the
    month they are scored on."""
    past = events.before(month)
    forecast = forecast_before(past, area, month, spec.model)
    ranked = (
        forecast
        if spec.baseline == spec.model
        else forecast_before(past, area, month, spec.baseline)
    )
    shifts = make_plan(forecast, profile, spec.plan)
    cov = coverage(area.i, area.j, area.i, area.j, spec.plan.radius, area.cell_size)
    instances = shift_instances(forecast, shifts, spec.plan, cov)
    top = {shift: top_cells_units(inst, ranked.scores) for shift, inst in instances.items()}
    return MonthPlans(month, forecast, shifts, top, instances, cov)


def local_hours(day: FloatArray, timezone: str) -> FloatArray:
    """Local wall-clock hour (0-23) of each instant given as days since 1970-01-01 UTC; NaN where
    the instant is unknown."""
    known = np.isfinite(day)
    ms = np.where(known, np.round(np.where(known, day, 0.0) * 86_400_000.0), 0).astype(np.int64)
    stamps = pl.Series(ms).cast(pl.Datetime("ms", "UTC")).dt.convert_time_zone(timezone)
    hours = stamps.dt.hour().to_numpy().astype(np.float64)
    return np.where(known, hours, np.nan)


def in_shift(hours: FloatArray, shift: str) -> BoolArray:
    """Which crimes count for `shift`: those in its local hours, and every crime without a time
    (or every crime, for a shift of unknown hours)."""
    if shift not in SHIFT_STARTS:
        return np.ones(len(hours), dtype=bool)
    known = np.isfinite(hours)
    offset = np.mod(np.where(known, hours, 0.0) - SHIFT_STARTS[shift], 24.0)
    return np.asarray(~known | (offset < SHIFT_HOURS), dtype=bool)


def covered_cells(cov: Coverage, units: IntArray) -> BoolArray:
    """Cells within the radius of a post holding at least one unit."""
    covered = np.zeros(cov.n_cells, dtype=bool)
    for post in np.flatnonzero(units > 0):
        covered[cov.cells_of(int(post))] = True
    return covered


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def score_month_plans(
    plans: MonthPlans, events: EventSet, timezone: str = "UTC"
) -> list[PlanScore]:
    """Every plan of `plans` against the target crimes of its month in `events`."""
    area = plans.forecast.area
    targets = events.targets()
    held_out = targets.subset(targets.month == plans.month)
    hours = local_hours(held_out.day, timezone)
    cell_km2 = area.cell_size**2 / 1e6
    scores = []
    for plan in plans.shifts:
        inside = in_shift(hours, plan.shift)
        actual = np.bincount(
            held_out.cell[inside], weights=held_out.weight[inside], minlength=area.n_cells
        ).astype(np.float64)
        crimes = float(actual.sum())
        for method in METHODS:
            units = plans.units(plan.shift, method)
            covered = covered_cells(plans.coverage, units)
            hit = float(actual[covered].sum())
            share = _ratio(hit, crimes)
            area_share = _ratio(float(covered.sum()), float(area.n_cells))
            solution = {"milp": plan.milp, "greedy": plan.greedy}.get(method)
            scores.append(
                PlanScore(
                    month=month_of_index(plans.month),
                    shift=plan.shift,
                    method=method,
                    units=int(units.sum()),
                    posts=int((units > 0).sum()),
                    crimes=crimes,
                    covered_crimes=hit,
                    covered_share=share,
                    area_km2=float(covered.sum()) * cell_km2,
                    area_share=area_share,
                    efficiency=_ratio(share, area_share),
                    objective=(
                        solution.objective
                        if solution is not None
                        else objective(plans.instances[plan.shift], units)
                    ),
                    seconds=solution.seconds if solution is not None else 0.0,
                )
            )
    return scores


def _mean(values: Sequence[float] | FloatArray) -> float:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else float("nan")


def _finite(value: float) -> float | None:
    """JSON has no NaN: a missing value is null."""
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class PlanBacktest:
    """Every plan of every month scored, and the run's settings.

    Attributes:
        spec: what was evaluated.
        months: month indexes, in order.
        cell_size: metres; cells: study-area cells.
        scores: one per month, shift and method.
        seconds: wall-clock time of the whole run.
    """

    spec: Evaluation
    months: tuple[int, ...]
    cell_size: float
    cells: int
    scores: tuple[PlanScore, ...]
    seconds: float

    @property
    def shifts(self) -> list[str]:
        return list(self.spec.plan.officers)

    @property
    def area_km2(self) -> float:
        return self.cells * self.cell_size**2 / 1e6

    def table(self) -> pl.DataFrame:
        """One row per month, shift and method: the `PlanScore` fields, month as YYYY-MM."""
        rows = [
            {f.name: getattr(s, f.name) for f in fields(PlanScore)} | {"month": month_key(s.month)}
            for s in self.scores
        ]
        schema = {
            "month": pl.String,
            "shift": pl.String,
            "method": pl.String,
            "units": pl.Int64,
            "posts": pl.Int64,
            **{
                name: pl.Float64
                for name in (
                    "crimes",
                    "covered_crimes",
                    "covered_share",
                    "area_km2",
                    "area_share",
                    "efficiency",
                    "objective",
                    "seconds",
                )
            },
        }
        return pl.DataFrame(rows, schema=schema)

    def values(self, method: str, shift: str, metric: str) -> FloatArray:
        """One metric of one plan, month by month (in `months` order)."""
        by_month = {
            s.month: float(getattr(s, metric))
            for s in self.scores
            if s.method == method and s.shift == shift
        }
        return np.array([by_month.get(month_of_index(m), np.nan) for m in self.months])

    def summary(self) -> pl.DataFrame:
        """Per method and shift: mean units, covered share (with its 95% interval), area share,
        efficiency and objective over the months."""
        rows = []
        for method in METHODS:
            for shift in self.shifts:
                share = self.values(method, shift, "covered_share")
                lo, hi = bootstrap_interval(share)
                rows.append(
                    {
                        "method": method,
                        "shift": shift,
                        "months": int(np.isfinite(share).sum()),
                        "units": _mean(self.values(method, shift, "units")),
                        "covered_share": _mean(share),
                        "covered_share_lo": lo,
                        "covered_share_hi": hi,
                        "area_share": _mean(self.values(method, shift, "area_share")),
                        "efficiency": _mean(self.values(method, shift, "efficiency")),
                        "objective": _mean(self.values(method, shift, "objective")),
                    }
                )
        return pl.DataFrame(rows)

    def differences(self) -> pl.DataFrame:
        """Paired differences milp - greedy and milp - top-cells per shift and metric: mean over
        months and the 95% bootstrap interval of that mean."""
        rows = []
        for first, second in COMPARISONS:
            for shift in self.shifts:
                for metric in COMPARED:
                    diff = self.values(first, shift, metric) - self.values(second, shift, metric)
                    lo, hi = bootstrap_interval(diff)
                    rows.append(
                        {
                            "comparison": f"{first}-{second}",
                            "shift": shift,
                            "metric": metric,
                            "months": int(np.isfinite(diff).sum()),
                            "mean": _mean(diff),
                            "lo": lo,
                            "hi": hi,
                        }
                    )
        return pl.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        """The JSON document `streetlight plan-backtest --out` writes (schema: see the CLI)."""
        plan = self.spec.plan
        summary: dict[str, Any] = {}
        for row in self.summary().iter_rows(named=True):
            summary.setdefault(row["method"], {})[row["shift"]] = {
                "months": row["months"],
                "units": _finite(row["units"]),
                "covered_share": _finite(row["covered_share"]),
                "covered_share_ci95": [
                    _finite(row["covered_share_lo"]),
                    _finite(row["covered_share_hi"]),
                ],
                "area_share": _finite(row["area_share"]),
                "efficiency": _finite(row["efficiency"]),
                "objective": _finite(row["objective"]),
            }
        differences: dict[str, Any] = {}
        for row in self.differences().iter_rows(named=True):
            entry = differences.setdefault(row["comparison"], {}).setdefault(row["shift"], {})
            entry[row["metric"]] = {
                "mean": _finite(row["mean"]),
                "ci95": [_finite(row["lo"]), _finite(row["hi"])],
                "months": row["months"],
            }
        per_month = [
            {k: _finite(v) if isinstance(v, float) else v for k, v in row.items()}
            for row in self.table().iter_rows(named=True)
        ]
        return {
            "months": [month_key(month_of_index(m)) for m in self.months],
            "model": self.spec.model,
            "baseline": self.spec.baseline,
            "timezone": self.spec.timezone,
            "cell_size": self.cell_size,
            "study_area": {"cells": self.cells, "km2": self.area_km2},
            "settings": {
                "officers": dict(plan.officers),
                "unit_size": plan.unit_size,
                "radius_m": plan.radius,
                "max_per_post": plan.max_per_post,
                "decay": plan.decay,
                "women_share": plan.women_share,
                "time_limit_s": plan.time_limit,
                "busy_weight": plan.busy_weight,
                "places": [place.name for place in plan.places],
            },
            "methods": list(METHODS),
            "shifts": self.shifts,
            "summary": summary,
            "differences": differences,
            "per_month": per_month,
            "seconds": self.seconds,
        }


def plan_backtest(
    events: EventSet,
    area: StudyArea,
    months: Sequence[int],
    profiles: Mapping[int, Mapping[str, float]],
    spec: Evaluation,
    progress: Progress = no_progress,
) -> PlanBacktest:
    """Plan each of `months` (month indexes) from the months before it and score the plans on it.

    `profiles[m]` is the share of harm per shift for month m, learned from data before m."""
    missing = [month_key(month_of_index(m)) for m in months if m not in profiles]
    if missing:
        raise ValueError(f"no shift profile for {', '.join(missing)}")
    started = time.perf_counter()
    scores: list[PlanScore] = []
    for month in progress(list(months), len(months)):
        plans = plan_month(events, area, month, profiles[month], spec)
        scores += score_month_plans(plans, events, spec.timezone)
    return PlanBacktest(
        spec,
        tuple(months),
        area.cell_size,
        area.n_cells,
        tuple(scores),
        time.perf_counter() - started,
    )


def _fmt(value: float, spec: str = ".3f") -> str:
    return format(value, spec) if math.isfinite(value) else "n/a"


def report_markdown(
    result: PlanBacktest, title: str, plot: str | None = None, *, harm: str = ""
) -> str:
    """The backtest as Markdown: settings, means with intervals, paired differences, and the
    plot's file name when there is one. `harm` says what the crimes were weighed by (the harm
    table's source and caveats, `deploy.harm.PlanHarm.describe`): the report uses the weights,
    so it says so."""
    plan = result.spec.plan
    labels = [month_key(month_of_index(m)) for m in result.months]
    officers = ", ".join(f"{k} {v}" for k, v in plan.officers.items())
    lines = [
        f"# {title}",
        "",
        f"Held-out months {labels[0]} .. {labels[-1]} ({len(labels)}), each planned from the "
        f"months before it. Officers per shift: {officers}; units of {plan.unit_size}, "
        f"{plan.radius:g} m radius, at most {plan.max_per_post} units per post, at least "
        f"{plan.women_share:.0%} of units at women's-safety places, {plan.time_limit:g} s per "
        f"MILP. Forecast: {result.spec.model}; top cells ranked by {result.spec.baseline}. "
        f"Study area {result.cells:,} cells of {result.cell_size:g} m "
        f"({result.area_km2:,.1f} km²).",
        "",
        "Covered share: the share of the month's crimes within the radius of a post with a unit. "
        "Efficiency: covered share / share of the study area covered (the plan's PAI). "
        "Objective: the MILP's objective on the forecast, which also values a second unit in "
        "reach of a cell (the covered share does not). Intervals are 95% bootstrap intervals over months.",
        "",
        *((harm, "") if harm else ()),
        "## Means over months",
        "",
        "| shift | method | units | covered share (95% CI) | area share | efficiency | objective |",
        "|---|---|---|---|---|---|---|",
    ]
    summary = result.summary().sort(["shift", "method"])
    for shift in result.shifts:
        for method in METHODS:
            row = summary.filter((pl.col("shift") == shift) & (pl.col("method") == method)).row(
                0, named=True
            )
            lines.append(
                f"| {shift} | {method} | {_fmt(row['units'], '.0f')} | "
                f"{_fmt(row['covered_share'])} ({_fmt(row['covered_share_lo'])} to "
                f"{_fmt(row['covered_share_hi'])}) | {_fmt(row['area_share'], '.4f')} | "
                f"{_fmt(row['efficiency'], '.2f')} | {_fmt(row['objective'], '.1f')} |"
            )
    lines += [
        "",
        "## Paired differences",
        "",
        "| comparison | shift | metric | mean | 95% CI |",
        "|---|---|---|---|---|",
    ]
    for row in result.differences().iter_rows(named=True):
        lines.append(
            f"| {row['comparison']} | {row['shift']} | {row['metric']} | "
            f"{_fmt(row['mean'], '+.4f')} | "
            f"{_fmt(row['lo'], '+.4f')} to {_fmt(row['hi'], '+.4f')} |"
        )
    lines += ["", f"Run time: {result.seconds:.1f} s.", ""]
    if plot:
        lines += [f"![covered share by month]({plot})", ""]
    return "\n".join(lines)
