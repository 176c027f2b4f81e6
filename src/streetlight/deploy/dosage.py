"""Patrol dosage: the minutes each unit spent where and when its schedule sent it, from GPS pings.

Hot-spot patrol works through presence, so an evaluation has to know whether the presence was
delivered before it can say whether the plan worked. Sherman & Weisburd (1995, "General deterrent
effects of police patrol in crime 'hot spots': a randomized, controlled trial", Justice Quarterly
12(4)) measured presence in their hot spots by direct observation; Ariel, Weinborn & Sherman (2016,
"'Soft' policing at hot spots: do police community support officers work? A randomized
controlled trial", Journal of Experimental Criminology 12(3)) measured it in minutes from GPS
trackers carried by every officer in the city. This module does the second from the location export
of a force's radios or vehicles.

Time from pings. A ping is where a unit was at one instant. Each ping stands for the time until
the same unit's next ping in the same shift (the unit is taken to be where it was last seen), but
for at most `max_gap` minutes: a radio that goes quiet for an hour (switched off, indoors, flat
battery) is no evidence that the unit stayed put, so the rest of a long gap is no-signal time,
reported on its own and never credited to a stop. A shift's last ping stands for no time: nothing
bounds it. With pings every 30 s this is exact to 30 s per visit; sparser pings give coarser
minutes but never more minutes than the pings support.

Place from pings. Both the plan's and the pings' lon/lat are projected into one metric CRS
(`choose_crs` on the plan's points, so a stray ping cannot move the CRS), so radii are true metres:
a ping counts at a stop when it is within `stop_radius` of the stop cell's centre, and in the
post's patrol area when it is within `radius` of the post cell's centre (the plan's coverage
radius).

Shifts. A unit works one shift per schedule date, from the shift's local start hour on that
date (`SHIFT_STARTS`, as `schedules_table` places it, at the UTC offset the schedule's times carry
on that date) for `SHIFT_HOURS` hours of elapsed time, so a night across a clock change is eight
real hours. The window is widened to hold all of the unit's scheduled stops, should a schedule run
over.

Results, in minutes (`Dosage`):
- `stops`: one row per scheduled stop: `dwell_minutes` (as scheduled), `planned_minutes` (the
  published window `leave - arrive`, what the unit was briefed), `delivered_minutes` (in the window,
  within `stop_radius`), `delivered_share` (delivered / planned), `shift_minutes_at_stop` (within
  `stop_radius` at any time in the unit's shift; the same for every visit to one cell).
- `units`: one row per unit and date: stops, planned and delivered minutes and share,
  `post_area_minutes`, `shift_minutes`, `signal_minutes` (covered by a ping),
  `no_signal_minutes`, `pings`, `first_ping`, `last_ping` (UTC).
- `shifts`: the same summed per date and shift, with `units`, `silent_units` (how many sent no
  ping) and `silent` (their names).
- `tracks`: the pings in shift and time order with projected `x`, `y`, for maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.deploy.errors import DosageInputError, PlanSettingsError
from streetlight.geo.crs import WGS84, choose_crs, transform
from streetlight.shifts import SHIFT_HOURS, SHIFT_STARTS

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

US_PER_MINUTE = 60_000_000
UTC_US = pl.Datetime("us", "UTC")


POST_RADIUS_M = 400.0  # a unit this near its post is in its patrol area (the plan's radius)
STOP_RADIUS_M = 100.0  # a unit this near a stop's cell centre is at the stop
MAX_GAP_MIN = 5.0  # longest time one ping stands for, minutes


@dataclass(frozen=True, kw_only=True)
class DosageSettings:
    """How near counts as there (metres) and how long one ping may speak for (minutes)."""

    radius: float = POST_RADIUS_M
    stop_radius: float = STOP_RADIUS_M
    max_gap: float = MAX_GAP_MIN

    def __post_init__(self) -> None:
        for name in ("radius", "stop_radius", "max_gap"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise PlanSettingsError(f"{name.replace('_', ' ')} must be positive, not {value}")


@dataclass(frozen=True)
class Plan:
    """What the units were sent to do, typed (build it with `build_plan`).

    `shifts`: one row per unit and date: `key` (its row number), `date`, `shift`, `unit`, `post`,
    `post_lon`, `post_lat`, `start`, `end` (UTC). `stops`: one row per scheduled visit: `key` (of
    its shift), `order`, `cell_id`, `place`, `lon`, `lat`, `arrive`, `leave` (the schedule's text),
    `arrive_at`, `leave_at` (UTC), `dwell_minutes`. `offsets`: the UTC offsets (minutes) the
    schedule's times carry, which say what zone naive ping times are most likely in.
    """

    shifts: pl.DataFrame
    stops: pl.DataFrame
    offsets: tuple[int, ...] = ()

    @property
    def units(self) -> list[str]:
        return self.shifts["unit"].unique(maintain_order=True).to_list()


@dataclass(frozen=True)
class Dosage:
    """Planned against delivered patrol minutes (see the module docstring for every column)."""

    stops: pl.DataFrame
    units: pl.DataFrame
    shifts: pl.DataFrame
    tracks: pl.DataFrame
    crs: str
    settings: DosageSettings


def build_plan(units: pl.DataFrame, stops: pl.DataFrame) -> Plan:
    """A `Plan` from typed tables.

    `units`: shift, unit, post, lon, lat (the post cell centre). `stops`: date (Date), unit,
    order, cell_id, place, lon, lat, arrive, leave (text), arrive_at, leave_at (UTC),
    `offset_minutes` (of `arrive`), dwell_minutes. Every unit works on every date of the schedule.
    """
    if stops.height == 0:
        raise DosageInputError("the schedule has no visits, so no dates to measure")
    offsets = stops.group_by("date").agg(
        pl.col("offset_minutes").sort_by("arrive_at").first().alias("offset")
    )
    starts = pl.col("shift").replace_strict(SHIFT_STARTS, default=0, return_dtype=pl.Int64)
    span = stops.group_by("date", "unit").agg(
        pl.col("arrive_at").min().alias("_first"), pl.col("leave_at").max().alias("_last")
    )
    local_start = pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=starts)
    start = (local_start - pl.duration(minutes=pl.col("offset"))).dt.replace_time_zone("UTC")
    shifts = (
        units.select(
            "shift",
            "unit",
            "post",
            pl.col("lon").alias("post_lon"),
            pl.col("lat").alias("post_lat"),
        )
        .join(offsets, how="cross")
        .with_columns(start.alias("start"))
        .with_columns(end=pl.col("start") + timedelta(hours=SHIFT_HOURS))
        .join(span, on=["date", "unit"], how="left")
        .with_columns(
            pl.min_horizontal("start", "_first").alias("start"),
            pl.max_horizontal("end", "_last").alias("end"),
        )
        .sort("date", "shift", "unit")
        .with_row_index("key")
        .select(
            pl.col("key").cast(pl.Int64),
            "date",
            "shift",
            "unit",
            "post",
            "post_lon",
            "post_lat",
            pl.col("start").cast(UTC_US),
            pl.col("end").cast(UTC_US),
        )
    )
    typed_stops = stops.join(shifts.select("key", "date", "unit"), on=["date", "unit"]).select(
        "key",
        pl.col("order").cast(pl.Int64),
        "cell_id",
        "place",
        "lon",
        "lat",
        "arrive",
        "leave",
        pl.col("arrive_at").cast(UTC_US),
        pl.col("leave_at").cast(UTC_US),
        "dwell_minutes",
    )
    found = tuple(sorted(stops["offset_minutes"].unique().to_list()))
    return Plan(shifts, typed_stops.sort("key", "order"), found)


def locate(plan: Plan, unit: pl.Series, time: pl.Series) -> pl.Series:
    """The shift (`key` in `plan.shifts`) of each ping, or null when no shift of its unit holds it.

    A unit's shifts never overlap, so the latest shift started at or before the ping is the only
    candidate.
    """
    pings = pl.DataFrame(
        {"_i": np.arange(len(unit)), "unit": unit.cast(pl.String), "time": time.cast(UTC_US)}
    )
    found = (
        pings.sort("time")
        .join_asof(
            plan.shifts.select("key", "unit", "start", "end").sort("start"),
            left_on="time",
            right_on="start",
            by="unit",
            check_sortedness=False,
        )
        .sort("_i")
    )
    inside = pl.col("time").is_not_null() & (pl.col("time") <= pl.col("end"))
    return found.select(pl.when(inside).then(pl.col("key")).alias("key"))["key"]


@dataclass(frozen=True)
class _Track:
    """Pings sorted by shift and time, on one axis for all shifts.

    `at` is microseconds since the ping's shift started plus `key * span`: shifts are laid end to
    end, so one `searchsorted` finds the pings of any shift in any time window.
    """

    order: IntArray  # sorted position -> row of the pings frame
    key: IntArray
    t: IntArray  # UTC microseconds
    at: IntArray
    held: IntArray  # microseconds each ping stands for
    x: FloatArray
    y: FloatArray
    span: int
    start: IntArray  # per shift: UTC microseconds of its start
    first: IntArray  # per shift: index of its first ping; first[k + 1] ends it


def _micros(series: pl.Series) -> IntArray:
    return series.cast(UTC_US).dt.epoch("us").to_numpy().astype(np.int64)


def _held(key: IntArray, t: IntArray, end: IntArray, max_gap: int) -> IntArray:
    """Microseconds each ping stands for: to the next ping of its shift, at most `max_gap`."""
    gap = np.zeros(len(t), dtype=np.int64)
    gap[:-1] = np.where(key[1:] == key[:-1], t[1:] - t[:-1], 0)
    held: IntArray = np.minimum(np.minimum(gap, max_gap), end[key] - t)
    return held


def _track(plan: Plan, pings: pl.DataFrame, x: FloatArray, y: FloatArray, max_gap: int) -> _Track:
    key = pings["key"].to_numpy().astype(np.int64)
    t = _micros(pings["time"])
    order = np.lexsort((t, key)).astype(np.int64)
    key, t = key[order], t[order]
    start, end = _micros(plan.shifts["start"]), _micros(plan.shifts["end"])
    span = int((end - start).max()) + 1 if len(start) else 1
    first = np.searchsorted(key, np.arange(len(start) + 1)).astype(np.int64)
    at = t - start[key] + key * span
    held = _held(key, t, end, max_gap)
    return _Track(order, key, t, at, held, x[order], y[order], span, start, first)


def _minutes_near(
    track: _Track,
    key: IntArray,
    window: tuple[IntArray, IntArray],
    centre: tuple[FloatArray, FloatArray],
    radius: float,
) -> FloatArray:
    """Minutes each query (shift `key`, UTC window [a, b) in µs) had its unit within `radius` m
    of the query's `centre`: the pings overlapping the window, weighted by the overlap."""
    a = window[0] - track.start[key] + key * track.span
    b = window[1] - track.start[key] + key * track.span
    # The ping before the window may reach into it; earlier ones cannot (they end at the next).
    lo = np.maximum(np.searchsorted(track.at, a, side="right") - 1, track.first[key])
    hi = np.searchsorted(track.at, b, side="left")
    counts = np.maximum(hi - lo, 0)
    query = np.repeat(np.arange(len(key)), counts)
    ping = lo[query] + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    overlap = np.minimum(track.at[ping] + track.held[ping], b[query]) - np.maximum(
        track.at[ping], a[query]
    )
    near = np.hypot(track.x[ping] - centre[0][query], track.y[ping] - centre[1][query]) <= radius
    weight = np.where(near, np.maximum(overlap, 0), 0).astype(np.float64)
    return np.bincount(query, weights=weight, minlength=len(key)) / US_PER_MINUTE


def _project(crs: str, lon: pl.Series, lat: pl.Series) -> tuple[FloatArray, FloatArray]:
    return transform(
        WGS84, crs, lon.to_numpy().astype(np.float64), lat.to_numpy().astype(np.float64)
    )


def dosage(plan: Plan, pings: pl.DataFrame, settings: DosageSettings | None = None) -> Dosage:
    """Planned against delivered minutes for every stop, unit and shift of `plan`.

    `pings`: accepted pings with `unit`, `time` (UTC), `lon`, `lat` (WGS84), every one inside a
    shift of its unit (`pings.check_pings` quarantines the rest).
    """
    settings = settings or DosageSettings()
    pings = pings.select(
        pl.col("unit").cast(pl.String),
        pl.col("time").cast(UTC_US),
        pl.col("lon", "lat").cast(pl.Float64),
    )
    keys = locate(plan, pings["unit"], pings["time"])
    if keys.null_count():
        raise DosageInputError(
            f"{keys.null_count()} ping(s) are not in any shift of their unit: check them first"
        )
    pings = pings.with_columns(keys.alias("key"))
    crs = choose_crs(
        np.concatenate([plan.shifts["post_lon"].to_numpy(), plan.stops["lon"].to_numpy()]),
        np.concatenate([plan.shifts["post_lat"].to_numpy(), plan.stops["lat"].to_numpy()]),
    )
    px, py = _project(crs, pings["lon"], pings["lat"])
    track = _track(plan, pings, px, py, round(settings.max_gap * US_PER_MINUTE))
    stops = _stop_minutes(plan, track, crs, settings.stop_radius)
    units = _unit_minutes(plan, track, stops, crs, settings.radius)
    tracks = (
        pings.select("key", "unit", "time")[track.order]
        .with_columns(pl.Series("x", track.x), pl.Series("y", track.y))
        .join(plan.shifts.select("key", "date", "shift"), on="key", maintain_order="left")
        .select("date", "shift", "unit", "key", "time", "x", "y")
    )
    return Dosage(stops, units, _shift_minutes(units), tracks, crs, settings)


def _stop_minutes(plan: Plan, track: _Track, crs: str, stop_radius: float) -> pl.DataFrame:
    stops = plan.stops
    sx, sy = _project(crs, stops["lon"], stops["lat"])
    key = stops["key"].to_numpy().astype(np.int64)
    arrive, leave = _micros(stops["arrive_at"]), _micros(stops["leave_at"])
    delivered = _minutes_near(track, key, (arrive, leave), (sx, sy), stop_radius)
    # Time at the stop at any hour of the shift: once per distinct (shift, cell), not per visit.
    cells = stops.select("key", "cell_id", "lon", "lat").unique(["key", "cell_id"], keep="first")
    cx, cy = _project(crs, cells["lon"], cells["lat"])
    ckey = cells["key"].to_numpy().astype(np.int64)
    whole = (
        track.start[ckey],
        track.start[ckey] + track.span,  # past the shift's end: no ping is there
    )
    anytime = _minutes_near(track, ckey, whole, (cx, cy), stop_radius)
    at_cell = cells.select("key", "cell_id", pl.Series("shift_minutes_at_stop", anytime))
    planned = (pl.col("leave_at") - pl.col("arrive_at")).dt.total_microseconds() / US_PER_MINUTE
    return (
        stops.with_columns(
            pl.Series("x", sx),
            pl.Series("y", sy),
            planned.alias("planned_minutes"),
            pl.Series("delivered_minutes", delivered),
        )
        .with_columns(_share("delivered_minutes", "planned_minutes"))
        .join(at_cell, on=["key", "cell_id"], how="left")
        .join(plan.shifts.select("key", "date", "shift", "unit", "post"), on="key")
        .select(
            "date",
            "shift",
            "unit",
            "post",
            "order",
            "cell_id",
            "place",
            "lon",
            "lat",
            "x",
            "y",
            "arrive",
            "leave",
            "dwell_minutes",
            "planned_minutes",
            "delivered_minutes",
            "delivered_share",
            "shift_minutes_at_stop",
            "key",
        )
        .sort("key", "order")
    )


def _share(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .alias("delivered_share")
    )


def _unit_minutes(
    plan: Plan, track: _Track, stops: pl.DataFrame, crs: str, radius: float
) -> pl.DataFrame:
    shifts = plan.shifts
    n = shifts.height
    qx, qy = _project(crs, shifts["post_lon"], shifts["post_lat"])
    in_area = np.hypot(track.x - qx[track.key], track.y - qy[track.key]) <= radius
    held = track.held.astype(np.float64)
    signal = np.bincount(track.key, weights=held, minlength=n) / US_PER_MINUTE
    area = np.bincount(track.key, weights=np.where(in_area, held, 0.0), minlength=n)
    count = np.diff(track.first)
    # Empty shifts read any ping's time here; the `pings > 0` test below nulls them.
    first = track.t[np.clip(track.first[:-1], 0, max(len(track.t) - 1, 0))] if len(track.t) else 0
    last = track.t[np.clip(track.first[1:] - 1, 0, None)] if len(track.t) else 0
    shift_minutes = (_micros(shifts["end"]) - _micros(shifts["start"])) / US_PER_MINUTE
    per_stop = stops.group_by("key").agg(
        pl.len().cast(pl.Int64).alias("stops"),
        pl.col("planned_minutes").sum(),
        pl.col("delivered_minutes").sum(),
    )
    return (
        shifts.select("key", "date", "shift", "unit", "post")
        .join(per_stop, on="key", how="left", maintain_order="left")  # rows stay in key order
        .with_columns(
            pl.col("stops", "planned_minutes", "delivered_minutes").fill_null(0),
            pl.Series("post_area_minutes", area / US_PER_MINUTE),
            pl.Series("shift_minutes", shift_minutes),
            pl.Series("signal_minutes", signal),
            pl.Series("no_signal_minutes", shift_minutes - signal),
            pl.Series("pings", count.astype(np.int64)),
            _instant("first_ping", first, n),
            _instant("last_ping", last, n),
        )
        .with_columns(
            pl.when(pl.col("pings") > 0).then(pl.col(c)).alias(c)
            for c in ("first_ping", "last_ping")
        )
        .with_columns(_share("delivered_minutes", "planned_minutes"))
        .select(
            "date",
            "shift",
            "unit",
            "post",
            "stops",
            "planned_minutes",
            "delivered_minutes",
            "delivered_share",
            "post_area_minutes",
            "shift_minutes",
            "signal_minutes",
            "no_signal_minutes",
            "pings",
            "first_ping",
            "last_ping",
        )
    )


def _instant(name: str, micros: IntArray | int, n: int) -> pl.Series:
    values = pl.Series(name, np.broadcast_to(micros, (n,)), dtype=pl.Int64)
    return values.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _shift_minutes(units: pl.DataFrame) -> pl.DataFrame:
    """Units summed per date and shift; units that sent no ping are named."""
    minutes = [
        "planned_minutes",
        "delivered_minutes",
        "post_area_minutes",
        "shift_minutes",
        "signal_minutes",
        "no_signal_minutes",
    ]
    silent = pl.col("pings") == 0
    return (
        units.group_by("date", "shift", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("units"),
            silent.sum().cast(pl.Int64).alias("silent_units"),
            pl.col("stops").sum(),
            *(pl.col(m).sum() for m in minutes),
            pl.col("pings").sum(),
            pl.col("unit").filter(silent).alias("silent"),
        )
        .with_columns(_share("delivered_minutes", "planned_minutes"))
        .select(
            "date",
            "shift",
            "units",
            "silent_units",
            "stops",
            "planned_minutes",
            "delivered_minutes",
            "delivered_share",
            *minutes[2:],
            "pings",
            "silent",
        )
        .sort("date", "shift")
    )
