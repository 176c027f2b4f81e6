"""When and where the synthetic force's offences happen and when they are reported.

Synthetic: plausible shapes, not fitted to any force.
- Time of day and day of week per kind of offence: domestic abuse in the evening and at
  weekends, peaking 20:00-23:00 on Saturday and Sunday; stranger sexual offences and assaults
  between men late at night at weekends (the night-time economy); sexual offences within the
  family and against children in the afternoon and evening; stalking and harassment in waking
  hours, a little more on weekdays. Each offence's day moves by at most three days to the weekday
  its profile draws, so the career's timing is kept. A third of recorded times are on the hour
  and some on the half hour, as people report them.
- Courses of conduct (coercive control, harassment, stalking) carry a window of days to months
  (`occurred_to`); some other offences a window of hours (it happened overnight).
- Reporting delays: most domestic abuse is reported within the hour, some days or weeks later,
  a few years later; sexual offences are reported later (a third within days, a sixth years
  later: ONS, "Sexual offences in England and Wales overview"). A non-recent offence is dated
  only to within a year; its report, not its occurrence, falls where the career puts it.
- Places (EPSG:27700 metres): domestic abuse at the victim's home (an address geocoded within
  metres) or nearby; stranger sexual offences and assaults in the nearest town centre at night
  or within a couple of kilometres of the perpetrator's home; a few offences have no location
  (online grooming mostly none).
Local date-times are naive (Europe/London wall clock); none falls in the hour the clocks skip in
March.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from streetlight.unit import synthetic_offending as off
from streetlight.unit import synthetic_people as people

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Rhythm(enum.IntEnum):
    """The time-of-day and day-of-week profile an offence follows."""

    DOMESTIC = 0
    SEXUAL_NIGHT = 1
    SEXUAL_DAY = 2
    HARASSMENT = 3
    NIGHT_ECONOMY = 4


# Relative weights per hour, 00:00 first.
HOURS: dict[Rhythm, tuple[float, ...]] = {
    Rhythm.DOMESTIC: (6, 4, 3, 2, 1.5, 1, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4, 4.5, 5, 5.5, 6, 7, 8, 8.5, 8.5, 8, 7),
    Rhythm.SEXUAL_NIGHT: (9, 9, 8, 6, 4, 2, 1, 1, 1, 1.5, 2, 2.5, 2.5, 2.5, 2.5, 3, 3, 3.5, 4, 4.5, 5, 6, 7, 8),
    Rhythm.SEXUAL_DAY: (2, 1.5, 1, 0.5, 0.5, 0.5, 0.5, 1, 1.5, 2, 2.5, 3, 3, 3, 3.5, 4.5, 5, 5, 5, 5, 4.5, 4, 3.5, 3),
    Rhythm.HARASSMENT: (2, 1, .7, .5, .5, .7, 1.5, 3, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 5, 5, 5, 5, 4.5, 4, 3),
    Rhythm.NIGHT_ECONOMY: (8, 8, 6, 4, 2, 1, 1, 1, 1, 1.5, 2, 2.5, 3, 3, 3, 3.5, 4, 4.5, 5, 5.5, 6, 7, 8, 8),
}  # fmt: skip
# Relative weights per weekday, Monday first.
WEEKDAYS: dict[Rhythm, tuple[float, ...]] = {
    Rhythm.DOMESTIC: (0.95, 0.9, 0.9, 0.93, 1.05, 1.3, 1.25),
    Rhythm.SEXUAL_NIGHT: (0.8, 0.75, 0.8, 0.9, 1.2, 1.55, 1.3),
    Rhythm.SEXUAL_DAY: (1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.05),
    Rhythm.HARASSMENT: (1.05, 1.05, 1.05, 1.05, 1.0, 0.9, 0.9),
    Rhythm.NIGHT_ECONOMY: (0.8, 0.75, 0.8, 0.9, 1.25, 1.6, 1.3),
}
COURSE_OF_CONDUCT = ("8U", "8L", "8Q")
DAY = 1440  # minutes
NONE = np.iinfo(np.int64).min  # no time


def rhythms(table: IntArray, code: npt.NDArray[np.object_], relationship: IntArray) -> IntArray:
    """Each offence's time profile from its table, code and relationship."""
    harassing = np.isin(code, COURSE_OF_CONDUCT) | (table == off.Table.STALKING)
    stranger = np.isin(relationship, [off.STRANGER, off.UNKNOWN])
    return np.select(
        [
            harassing,
            table == off.Table.CONTEXT,
            (table == off.Table.SEXUAL_ADULT) & stranger,
            (table == off.Table.SEXUAL_ADULT) | (table == off.Table.SEXUAL_CHILD),
        ],
        [Rhythm.HARASSMENT, Rhythm.NIGHT_ECONOMY, Rhythm.SEXUAL_NIGHT, Rhythm.SEXUAL_DAY],
        Rhythm.DOMESTIC,
    ).astype(np.int64)


def _draw(
    rng: np.random.Generator, rhythm: IntArray, profiles: dict[Rhythm, tuple[float, ...]]
) -> IntArray:
    out = np.zeros(len(rhythm), dtype=np.int64)
    for r, weights in profiles.items():
        rows = np.flatnonzero(rhythm == r)
        w = np.array(weights, dtype=np.float64)
        out[rows] = rng.choice(len(w), size=len(rows), p=w / w.sum())
    return out


@dataclass(frozen=True)
class Times:
    """Minutes from the extract's start (local wall clock; negative before it); `occurred_to`
    is `NONE` where there is no window."""

    occurred_from: IntArray
    occurred_to: IntArray
    reported: IntArray


def times(
    rng: np.random.Generator,
    day: FloatArray,
    rhythm: IntArray,
    code: npt.NDArray[np.object_],
    start: date,
) -> Times:
    """Occurrence windows and report times for offences whose careers put them on `day`."""
    n = len(day)
    day0 = np.floor(day).astype(np.int64)
    weekday = (start.weekday() + day0) % 7
    target = _draw(rng, rhythm, WEEKDAYS)
    day1 = day0 + (target - weekday + 3) % 7 - 3
    hour = _draw(rng, rhythm, HOURS)
    u = rng.random(n)
    minute = np.where(u < 0.35, 0, np.where(u < 0.5, 30, rng.integers(0, 60, n)))
    occurred = day1 * DAY + hour * 60 + minute

    window = np.full(n, -1, dtype=np.int64)
    course = np.isin(code, COURSE_OF_CONDUCT)
    window = np.where(course, np.round(rng.uniform(3, 120, n) * DAY), window)
    overnight = ~course & (rng.random(n) < 0.25)
    window = np.where(overnight, rng.integers(60, 541, n), window).astype(np.int64)
    has_to = window >= 0
    to = occurred + np.maximum(window, 0)

    sexual = (rhythm == Rhythm.SEXUAL_DAY) | (rhythm == Rhythm.SEXUAL_NIGHT)
    p = np.where(sexual[:, None], [[0.3, 0.3, 0.25, 0.15]], [[0.6, 0.28, 0.10, 0.02]])
    band = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    quick = np.where(sexual, 180.0, 40.0) * np.exp(rng.normal(size=n))
    days_later = np.where(sexual, rng.uniform(1, 30, n), rng.uniform(2 / 24, 3, n)) * DAY
    weeks_later = np.where(sexual, rng.uniform(30, 365, n), rng.uniform(3, 60, n)) * DAY
    delay = np.round(np.select([band == 0, band == 1], [quick, days_later], weeks_later))
    delay = np.maximum(delay, 1).astype(np.int64)
    reported = to + delay

    # Non-recent: the report falls on the career's day, in office hours; the offence years
    # before, dated to within a year.
    historic = band == 3
    years = np.where(sexual, rng.uniform(1, 25, n), rng.uniform(1, 10, n))
    report_h = day1 * DAY + rng.integers(9 * 60, 17 * 60, n)
    lag_days = np.floor(years * 365.25).astype(np.int64)
    old_from = (day1 - lag_days) * DAY
    old_to = old_from + np.minimum(lag_days - 1, 365) * DAY - 1
    occurred = np.where(historic, old_from, occurred)
    to = np.where(historic, old_to, to)
    has_to |= historic
    reported = np.where(historic, report_h, reported)
    return Times(
        occurred_from=_skip_spring_gap(occurred, start),
        occurred_to=np.where(has_to, _skip_spring_gap(to, start), NONE),
        reported=_skip_spring_gap(reported, start),
    )


def _skip_spring_gap(minutes: IntArray, start: date) -> IntArray:
    """Local times in the hour the clocks skip (01:00-02:00 on the last Sunday of March) moved
    to 02:00: the wall clock never shows them. Monotone, so order between times is kept."""
    lo, hi = int(minutes.min(initial=0)) // DAY - 1, int(minutes.max(initial=0)) // DAY + 1
    first = (start + timedelta(days=lo)).year
    last = (start + timedelta(days=hi)).year
    out = minutes.copy()
    for year in range(first, last + 1):
        march_end = date(year, 3, 31)
        sunday = march_end - timedelta(days=(march_end.weekday() + 1) % 7)
        gap = (sunday - start).days * DAY + 60
        inside = (out >= gap) & (out < gap + 60)
        out[inside] = gap + 60
    return out


def places(
    rng: np.random.Generator,
    rhythm: IntArray,
    table: IntArray,
    code: npt.NDArray[np.object_],
    suspect_home: tuple[FloatArray, FloatArray],
    victim_home: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Where each offence happened (metres, NaN for no location)."""
    n = len(rhythm)
    sx, sy = suspect_home
    vx, vy = victim_home
    u = rng.random(n)
    jitter = rng.normal(0.0, 1.0, (2, n))
    cx, cy = people.nearest_nightlife(sx, sy)
    domestic = (table == off.Table.INTIMATE) | (table == off.Table.FAMILY)
    out_and_about = (rhythm == Rhythm.SEXUAL_NIGHT) | (rhythm == Rhythm.NIGHT_ECONOMY)
    # Metres: at an address (10), in the street nearby (800), about town (400 around a centre),
    # or anywhere within a couple of kilometres of home.
    where = [
        domestic & (u < 0.8),
        domestic,
        out_and_about & (u < 0.5),
        out_and_about,
        table == off.Table.STALKING,
        u < 0.6,
    ]
    stalking: FloatArray = np.where(u < 0.6, 10.0, 1000.0)
    spread: list[float | FloatArray] = [10.0, 800.0, 400.0, 2000.0, stalking, 10.0]

    def around(
        victim: FloatArray, centre: FloatArray, home: FloatArray, step: FloatArray
    ) -> FloatArray:
        centres = [victim, victim, centre, home, victim, home]
        near = [c + s * step for c, s in zip(centres, spread, strict=True)]
        return np.select(where, near, victim + 10 * step)

    x, y = around(vx, cx, sx, jitter[0]), around(vy, cy, sy, jitter[1])
    x, y = people.clip_to_box(np.round(x), np.round(y))
    p_missing = np.select([code == "88A", np.isin(code, COURSE_OF_CONDUCT)], [0.7, 0.08], 0.02)
    missing = rng.random(n) < p_missing
    return np.where(missing, np.nan, x), np.where(missing, np.nan, y)
