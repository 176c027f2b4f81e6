"""Counting baselines: what an analyst does by hand, and what every model must beat.

- `LastMonth`: last month's count per cell.
- `RollingSum`: the count over the last `months` months.
- `ExponentialCount`: counts weighted by 0.5^(age / half_life), age in months (1 = last month).

Fitted with a month (`until` a month index or a date) they count whole calendar months, as
data.police.uk gives them. Fitted with a datetime (the start of a shift or a day, for sources with
date-times) they count the dated events before that moment over every hour of the day, ages in
days divided by `DAYS_PER_MONTH`: the long-term spatial rate that carries most of the signal at
shift scale, and so the baseline a shift forecast must beat.

Ratcliffe (2004, "Crime mapping and the training needs of law enforcement", European Journal on
Criminal Policy and Research 10) and Chainey et al. (2008) use such counts as the benchmarks
forecasts must beat; the exponential weighting follows the "recency" rationale of Johnson et al.
(2009, Journal of Quantitative Criminology 25).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import numpy as np

from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    HotspotModel,
    StudyArea,
    as_month_index,
    start_day,
)

DAYS_PER_MONTH = 365.25 / 12
"""Mean days in a month: the unit of `months` and `half_life` when counting from a datetime."""


def _ages(events: EventSet, until: datetime) -> tuple[EventSet, FloatArray]:
    """The target events dated strictly before `until`, and their ages in months (> 0)."""
    start = start_day(until)
    targets = events.targets()
    dated = np.isfinite(targets.day) & (targets.day < start)
    used = targets.subset(dated)
    return used, (start - used.day) / DAYS_PER_MONTH


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, not {value!r}")


class RollingSum(HotspotModel):
    """Events per cell over the last `months` months: whole calendar months before a month, or
    the last `months` x `DAYS_PER_MONTH` days before a datetime."""

    def __init__(self, *, months: int = 12) -> None:
        self.months = months

    def fit(self, events: EventSet, area: StudyArea, until: date | datetime | int) -> Self:
        _positive("months", self.months)
        if isinstance(until, datetime):
            used, age = _ages(events, until)
            keep = age <= self.months
            self.scores_ = np.bincount(
                used.cell[keep], weights=used.weight[keep], minlength=area.n_cells
            ).astype(np.float64)
            self._fitted = True
            return self
        end = as_month_index(until)
        window = (
            events.targets().before(end).counts(area.n_cells, range(end - int(self.months), end))
        )
        self.scores_ = window.sum(axis=0)
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return np.asarray(self.scores_, dtype=np.float64).copy()


class LastMonth(RollingSum):
    """Last month's events per cell (a `RollingSum` of one month)."""

    def __init__(self) -> None:
        super().__init__(months=1)


class ExponentialCount(HotspotModel):
    """Events per cell weighted by recency: weight 0.5^((age - 1) / half_life) for an event
    `age` months before the forecast month (last month weighs 1); before a datetime,
    0.5^(age / half_life) with `age` the event's age in months of `DAYS_PER_MONTH` days.

    Parameters:
        half_life: months after which an event's weight halves.
        lookback: months of history used (older events weigh less than 0.5^(lookback/half_life)).
    """

    def __init__(self, *, half_life: float = 6.0, lookback: int = 36) -> None:
        self.half_life = half_life
        self.lookback = lookback

    def fit(self, events: EventSet, area: StudyArea, until: date | datetime | int) -> Self:
        _positive("half_life", self.half_life)
        _positive("lookback", self.lookback)
        if isinstance(until, datetime):
            used, age = _ages(events, until)
            keep = age <= self.lookback
            weights = 0.5 ** (age[keep] / float(self.half_life)) * used.weight[keep]
            self.scores_ = np.bincount(
                used.cell[keep], weights=weights, minlength=area.n_cells
            ).astype(np.float64)
            self._fitted = True
            return self
        end = as_month_index(until)
        months = range(end - int(self.lookback), end)
        counts = events.targets().before(end).counts(area.n_cells, months)
        months_ago = end - np.arange(months.start, months.stop)  # 1 = last month
        decay = 0.5 ** ((months_ago - 1) / float(self.half_life))
        self.scores_ = np.asarray(decay @ counts, dtype=np.float64)
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return np.asarray(self.scores_, dtype=np.float64).copy()
