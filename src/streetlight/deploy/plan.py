"""A patrol plan for a month: units per post for each shift, from a hotspot forecast.

Demand per shift is the forecast's expected harm per cell times the shift's share of harm: learned
from the force's date-times when it has them (the share of past target crimes in each local shift),
else equal thirds, which a planner can override. Women's-safety posts are cells whose most common
snap point is a kind of place where women and girls report feeling unsafe (night-time economy,
transport, shopping, parks and subways; `WOMENS_SAFETY_PLACES`).
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from streetlight.deploy.coverage import coverage
from streetlight.deploy.defaults import (
    BUSY_WEIGHT,
    DECAY,
    GAP,
    MAX_PER_POST,
    RADIUS_M,
    TIME_LIMIT_S,
    UNIT_SIZE,
    WOMEN_SHARE,
)
from streetlight.deploy.errors import PlanSettingsError
from streetlight.deploy.optimize import (
    BoolArray,
    Instance,
    IntArray,
    Solution,
    solve_greedy,
    solve_milp,
)
from streetlight.deploy.places import Place, busy_cells, place_demand
from streetlight.deploy.schedule import unit_schedule
from streetlight.deploy.streets import StreetNetwork
from streetlight.geo.crs import WGS84, transform
from streetlight.hotspots.base import month_index, month_of_index
from streetlight.hotspots.forecast import Forecast
from streetlight.hotspots.harm import HarmTable
from streetlight.hotspots.places import place_kind
from streetlight.shifts import SHIFT_HOURS, SHIFTS
from streetlight.store.store import Store

WOMENS_SAFETY_PLACES = frozenset(
    {
        "Nightclub",
        "Bus/Coach Station",
        "Train Station",
        "Shopping Area",
        "Theatre/Concert Hall",
        "Park/Open Space",
        "Pedestrian Subway",
        "Parking Area",
    }
)
EQUAL_SHIFTS: dict[str, float] = {name: 1 / 3 for name, _ in SHIFTS}


@dataclass(frozen=True, kw_only=True)
class PlanSettings:
    """Parameters of a plan (units: officers, metres, seconds; shares 0 to 1), by keyword only.

    Attributes:
        officers: officers per shift (e.g. `officers_per_shift`'s result).
        unit_size: officers per unit.
        radius: foot-patrol radius around a post, metres.
        max_per_post: most units at one post.
        decay: value of each extra unit in reach of a cell relative to the one before.
        women_share: least share of units at women's-safety places.
        time_limit: solver seconds per shift.
        gap: the solver stops once its plan is proven within this share (0 to 1) of the best
            possible one; the gap reached is reported with the plan.
        busy_weight: extra demand at busy snap-point cells, hot-cell equivalents.
        places: a planner's places and report cells (`deploy.places.Place`).
    """

    officers: Mapping[str, int]
    unit_size: int = UNIT_SIZE
    radius: float = RADIUS_M
    max_per_post: int = MAX_PER_POST
    decay: float = DECAY
    women_share: float = WOMEN_SHARE
    time_limit: float = TIME_LIMIT_S
    busy_weight: float = BUSY_WEIGHT
    places: tuple[Place, ...] = ()
    gap: float = GAP

    def __post_init__(self) -> None:
        """Refuse a value no plan can be solved with, naming the setting and its bounds."""
        if not self.officers or any(n < 0 for n in self.officers.values()):
            raise PlanSettingsError(
                f"officers: give each shift 0 or more officers, not {dict(self.officers)}"
            )
        if self.unit_size < 1:
            raise PlanSettingsError(f"unit size must be at least 1 officer, not {self.unit_size}")
        if self.max_per_post < 1:
            raise PlanSettingsError(
                f"max per post must be at least 1 unit, not {self.max_per_post}"
            )
        for name, value, low, high in (
            ("radius (metres)", self.radius, 0.0, math.inf),
            ("decay", self.decay, 0.0, 1.0),
            ("women share", self.women_share, 0.0, 1.0),
            ("time limit (seconds)", self.time_limit, 0.0, math.inf),
            ("gap", self.gap, 0.0, 1.0),
            ("busy weight", self.busy_weight, 0.0, math.inf),
        ):
            if not low <= value <= high:
                bound = f"between {low:g} and {high:g}" if high < math.inf else f"at least {low:g}"
                raise PlanSettingsError(f"{name} must be {bound}, not {value}")


@dataclass(frozen=True)
class ShiftPlan:
    shift: str
    demand_share: float
    milp: Solution
    greedy: Solution


def officers_per_shift(officers: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Officers of each shift from a day's total and the shifts' shares (any positive scale)."""
    total = sum(shares.values())
    if total <= 0:
        raise PlanSettingsError("the shifts' shares must add up to more than 0")
    return {name: round(officers * share / total) for name, share in shares.items()}


def shift_profile(
    store: Store,
    force: str,
    categories: Sequence[str],
    until: date,
    harm: HarmTable | None = None,
) -> dict[str, float]:
    """Share of past target crimes in each local shift, or equal thirds without date-times.

    Only months before `until` count: a plan (or its backtest) must not learn from the month
    it plans for. With `harm`, each crime counts its category's weight, so the shares are of
    harm, as the forecast the shares divide is (`deploy.harm`); without it each counts 1."""
    zone = store.forces[force].timezone or "UTC"
    last = month_of_index(month_index(until) - 1)
    past = store.incidents(
        force=force, categories=list(categories), end=last, columns=["occurred_at", "category"]
    ).filter(pl.col("occurred_at").is_not_null())
    if past.height < 100:
        return dict(EQUAL_SHIFTS)
    hours = past["occurred_at"].dt.convert_time_zone(zone).dt.hour().to_numpy()
    weight = (
        past["category"]
        .replace_strict(harm.weights, default=harm.default, return_dtype=pl.Float64)
        .to_numpy()
        if harm is not None
        else np.ones(past.height)
    )
    sums = {
        "early": float(weight[(hours >= 7) & (hours < 15)].sum()),
        "late": float(weight[(hours >= 15) & (hours < 23)].sum()),
        "night": float(weight[(hours >= 23) | (hours < 7)].sum()),
    }
    total = sum(sums.values())
    if total <= 0:  # a table weighing every target crime 0: no harm to share out by time
        return dict(EQUAL_SHIFTS)
    return {k: v / total for k, v in sums.items()}


def womens_safety_cells(forecast: Forecast, places: Sequence[Place] = ()) -> BoolArray:
    """Cells that count for the women's-safety share: by their snap point, or marked so by a
    planner's place."""
    women = np.array([place_kind(p) in WOMENS_SAFETY_PLACES for p in forecast.places], dtype=bool)
    for place in places:
        if place.womens_safety:
            women[place.cells] = True
    return women


def make_plan(
    forecast: Forecast, profile: Mapping[str, float], settings: PlanSettings
) -> list[ShiftPlan]:
    """Solve each shift: the MILP, and the greedy baseline beside it.

    Shifts with as many units and the same share of harm are one problem (late and night of a
    day split 35/35) and are solved once; the distinct ones are solved side by side on the
    machine's cores (`PARALLEL_CELLS`)."""
    area = forecast.area
    cov = coverage(area.i, area.j, area.i, area.j, settings.radius, area.cell_size)
    women = womens_safety_cells(forecast, settings.places)
    demand = np.clip(forecast.scores, 0, None) + place_demand(
        forecast.scores, busy_cells(forecast.places), settings.busy_weight, settings.places
    )
    problems: dict[str, tuple[int, float]] = {}
    for shift, officers in settings.officers.items():
        if shift not in profile:
            raise PlanSettingsError(
                f"no demand share for shift {shift!r} (shifts: {', '.join(profile)})"
            )
        problems[shift] = (officers // settings.unit_size, profile[shift])
    instances = {
        problem: Instance(
            demand * problem[1],
            cov,
            women,
            problem[0],
            settings.max_per_post,
            settings.decay,
            settings.women_share,
        )
        for problem in dict.fromkeys(problems.values())
    }
    solved = _solve_all(list(instances.values()), settings, parallel=area.n_cells >= PARALLEL_CELLS)
    milps = dict(zip(instances, solved, strict=True))
    greedy = {problem: solve_greedy(instance) for problem, instance in instances.items()}
    return [
        ShiftPlan(shift, problem[1], milps[problem], greedy[problem])
        for shift, problem in problems.items()
    ]


# From this many candidate cells a shift's MILP takes seconds: worth a process of its own (a
# worker costs about a second to start, and solves bit for bit as the parent would).
PARALLEL_CELLS = 2_000


def _solve_all(
    instances: Sequence[Instance], settings: PlanSettings, *, parallel: bool
) -> list[Solution]:
    solve = functools.partial(solve_milp, time_limit=settings.time_limit, rel_gap=settings.gap)
    workers = min(len(instances), os.cpu_count() or 1)
    if not parallel or workers < 2:
        return [solve(instance) for instance in instances]
    # Spawned, not forked: the parent holds polars' and PROJ's threads, which a fork can copy
    # mid-lock.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(solve, instances))


def covered_share(forecast: Forecast, units: IntArray, radius: float) -> float:
    """Share of the forecast harm within `radius` metres of a post that has a unit."""
    area = forecast.area
    demand = np.clip(forecast.scores, 0, None)
    posts = np.flatnonzero(units > 0)
    cov = coverage(area.i[posts], area.j[posts], area.i, area.j, radius, area.cell_size)
    covered = np.zeros(area.n_cells, dtype=bool)
    covered[cov.indices] = True
    total = float(demand.sum())
    return float(demand[covered].sum()) / total if total > 0 else 0.0


def posts_table(
    forecast: Forecast,
    plans: Sequence[ShiftPlan],
    unit_size: int,
    places: Sequence[Place] = (),
) -> pl.DataFrame:
    """One row per shift and post with units: where, how many officers, what place."""
    area = forecast.area
    x, y = area.centres()
    lon, lat = transform(area.crs, WGS84, x, y)
    ids = area.cell_ids()
    women = womens_safety_cells(forecast, places)
    named: dict[int, list[str]] = {}
    for place in places:
        for cell in place.cells.tolist():
            named.setdefault(cell, []).append(place.name)
    rows = []
    for plan in plans:
        for p in np.flatnonzero(plan.milp.units > 0):
            rows.append(
                {
                    "shift": plan.shift,
                    "cell_id": ids[p],
                    "x": float(x[p]),
                    "y": float(y[p]),
                    "lon": float(lon[p]),
                    "lat": float(lat[p]),
                    "units": int(plan.milp.units[p]),
                    "officers": int(plan.milp.units[p]) * unit_size,
                    "place": forecast.places[p],
                    "womens_safety_place": bool(women[p]),
                    "busy_place": "; ".join(named.get(int(p), [])) or None,
                    "forecast_score": float(forecast.scores[p]),
                }
            )
    schema = {
        "shift": pl.String,
        "cell_id": pl.String,
        "x": pl.Float64,
        "y": pl.Float64,
        "lon": pl.Float64,
        "lat": pl.Float64,
        "units": pl.Int64,
        "officers": pl.Int64,
        "place": pl.String,
        "womens_safety_place": pl.Boolean,
        "busy_place": pl.String,
        "forecast_score": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort(
        ["shift", "forecast_score"], descending=[False, True]
    )


BEAT_CELLS = 8  # hottest covered cells a unit walks: about four rounds of 10-16 minute stops


@dataclass(frozen=True)
class Unit:
    """One patrol unit of a shift and the post (study-area cell index) it works from."""

    shift: str
    name: str
    post: int


def roster(plans: Sequence[ShiftPlan]) -> list[Unit]:
    """Every unit of the plan, named `<shift>-<nnn>` in post order: the names the schedules,
    briefings and dosage reports share."""
    units = []
    for plan in plans:
        n = 0
        for post in np.flatnonzero(plan.milp.units > 0):
            for _ in range(int(plan.milp.units[post])):
                n += 1
                units.append(Unit(plan.shift, f"{plan.shift}-{n:03d}", int(post)))
    return units


def units_table(forecast: Forecast, plans: Sequence[ShiftPlan], unit_size: int) -> pl.DataFrame:
    """One row per unit: its shift, post and where the post is."""
    area = forecast.area
    x, y = area.centres()
    lon, lat = transform(area.crs, WGS84, x, y)
    ids = area.cell_ids()
    rows = [
        {
            "shift": u.shift,
            "unit": u.name,
            "officers": unit_size,
            "post": ids[u.post],
            "x": float(x[u.post]),
            "y": float(y[u.post]),
            "lon": float(lon[u.post]),
            "lat": float(lat[u.post]),
            "place": forecast.places[u.post],
        }
        for u in roster(plans)
    ]
    schema = {
        "shift": pl.String,
        "unit": pl.String,
        "officers": pl.Int64,
        "post": pl.String,
        "x": pl.Float64,
        "y": pl.Float64,
        "lon": pl.Float64,
        "lat": pl.Float64,
        "place": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def schedules_table(
    forecast: Forecast,
    plans: Sequence[ShiftPlan],
    settings: PlanSettings,
    day: date,
    timezone: str,
    seed: int = 0,
    streets: StreetNetwork | None = None,
) -> pl.DataFrame:
    """Every unit's visits for one day of the plan. Shifts start at their local wall-clock hour
    in `timezone` (the night shift runs past midnight into the next day); `arrive` and `leave`
    are ISO 8601 local times with their UTC offset, so a night across a clock change is right."""
    zone = ZoneInfo(timezone)
    area = forecast.area
    x, y = area.centres()
    lon, lat = transform(area.crs, WGS84, x, y)
    cov = coverage(area.i, area.j, area.i, area.j, settings.radius, area.cell_size)
    ids = area.cell_ids()
    starts = dict(SHIFTS)
    rng = np.random.default_rng(seed)
    rows = []
    for unit in roster(plans):
        # Shift start as an aware instant; the schedule runs in UTC (absolute minutes) and is
        # shown in local time.
        start = datetime.combine(day, time(starts.get(unit.shift, 0)), tzinfo=zone)
        start_utc = start.astimezone(UTC).replace(tzinfo=None)
        cells = cov.cells_of(unit.post)
        hot = cells[np.argsort(-forecast.scores[cells], kind="stable")][:BEAT_CELLS]
        hot = hot[forecast.scores[hot] > 0]
        walk = streets.distances(x[hot], y[hot]) if streets is not None and len(hot) else None
        for v in unit_schedule(unit.name, hot, x, y, start_utc, SHIFT_HOURS, rng, walk_metres=walk):
            arrive = v.arrive.replace(tzinfo=UTC).astimezone(zone)
            leave = v.leave.replace(tzinfo=UTC).astimezone(zone)
            rows.append(
                {
                    "date": day.isoformat(),
                    "shift": unit.shift,
                    "unit": unit.name,
                    "post": ids[unit.post],
                    "order": v.order,
                    "cell_id": ids[v.cell],
                    "x": float(x[v.cell]),
                    "y": float(y[v.cell]),
                    "lon": float(lon[v.cell]),
                    "lat": float(lat[v.cell]),
                    "place": forecast.places[v.cell],
                    "arrive": arrive.isoformat(timespec="minutes"),
                    "leave": leave.isoformat(timespec="minutes"),
                    "dwell_minutes": round((v.leave - v.arrive).total_seconds() / 60, 1),
                    "walk_minutes": v.walk_minutes,
                }
            )
    schema = {
        "date": pl.String,
        "shift": pl.String,
        "unit": pl.String,
        "post": pl.String,
        "order": pl.Int64,
        "cell_id": pl.String,
        "x": pl.Float64,
        "y": pl.Float64,
        "lon": pl.Float64,
        "lat": pl.Float64,
        "place": pl.String,
        "arrive": pl.String,
        "leave": pl.String,
        "dwell_minutes": pl.Float64,
        "walk_minutes": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
