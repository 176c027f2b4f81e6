"""Forecasts for shifts and days, for sources with date-times (a force's own export).

`RecentHoursCount` is the by-hand baseline of the same hours: how often each cell had crime in
the hours of the day the shift covers, on recent days (`same-hours-28d`, `same-hours-365d` count
every day alike; `recent-hours` lets recent days weigh more). The long-window counts of
`counting` (`rolling-K`, `ew-H`), evaluated at the shift's start over every hour of the day, are
the stronger baselines: at shift scale the long-term spatial rate carries most of the signal.
The self-exciting model (`etas.GridETAS`) must beat them; all take `until` as the datetime the
shift starts and forecast `horizon_hours` from then.

Shift boundaries follow the force's local time (early 07-15, late 15-23, night 23-07).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo

import numpy as np

from streetlight.hotspots.base import EventSet, FloatArray, HotspotModel, StudyArea, start_day
from streetlight.shifts import SHIFTS


class RecentHoursCount(HotspotModel):
    """Events per cell in the same hours of the day as the forecast window, on earlier days,
    weighted 0.5^((k - 1) / half_life_days) for the window k days before (yesterday weighs 1).

    Parameters:
        horizon_hours: length of the forecast window, hours (8 for a shift, 24 for a day).
        half_life_days: days after which a day's weight halves (`math.inf`: every day alike).
        window_days: days of history used.
    """

    def __init__(
        self, *, horizon_hours: float = 8.0, half_life_days: float = 28.0, window_days: int = 365
    ) -> None:
        self.horizon_hours = horizon_hours
        self.half_life_days = half_life_days
        self.window_days = window_days

    def fit(self, events: EventSet, area: StudyArea, until: date | datetime | int) -> Self:
        for name in ("horizon_hours", "half_life_days", "window_days"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")
        if self.horizon_hours > 24:
            raise ValueError(f"horizon_hours must be at most 24, not {self.horizon_hours!r}")
        start = start_day(until)
        targets = events.targets()
        known = np.isfinite(targets.day) & (targets.day < start)
        age = start - targets.day[known]  # days before the forecast start, > 0
        k = np.ceil(age)  # the window k days back holds [start - k, start - k + h)
        in_window = (k - age) < self.horizon_hours / 24.0
        keep = in_window & (k <= self.window_days)
        weights = 0.5 ** ((k[keep] - 1) / self.half_life_days) * targets.weight[known][keep]
        self.scores_ = np.bincount(
            targets.cell[known][keep], weights=weights, minlength=area.n_cells
        ).astype(np.float64)
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return self.scores_.copy()


def shift_starts(first: date, last: date, timezone: str) -> Iterator[tuple[str, datetime]]:
    """(label, UTC start) of every shift from `first` to `last` (days, inclusive), local shifts."""
    zone = ZoneInfo(timezone)
    day = first
    while day <= last:
        for name, hour in SHIFTS:
            local = datetime.combine(day, time(hour), tzinfo=zone)
            yield f"{day.isoformat()} {name}", local.astimezone(ZoneInfo("UTC"))
        day += timedelta(days=1)


def day_starts(first: date, last: date, timezone: str) -> Iterator[tuple[str, datetime]]:
    """(label, UTC start) of every local day from `first` to `last` (inclusive)."""
    zone = ZoneInfo(timezone)
    day = first
    while day <= last:
        yield (
            day.isoformat(),
            datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")),
        )
        day += timedelta(days=1)
