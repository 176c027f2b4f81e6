"""Counting baselines: what an analyst does by hand, and what every model must beat.

- `LastMonth`: last month's count per cell.
- `RollingSum`: the count over the last `months` months.
- `ExponentialCount`: counts weighted by 0.5^(age / half_life), age in months (1 = last month).

Ratcliffe (2004, "Crime mapping and the training needs of law enforcement", European Journal on
Criminal Policy and Research 10) and Chainey et al. (2008) use such counts as the benchmarks
forecasts must beat; the exponential weighting follows the "recency" rationale of Johnson et al.
(2009, Journal of Quantitative Criminology 25).
"""

from __future__ import annotations

from datetime import date
from typing import Self

import numpy as np

from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    HotspotModel,
    StudyArea,
    as_month_index,
)


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, not {value!r}")


class RollingSum(HotspotModel):
    """Events per cell over the last `months` months (months: whole calendar months)."""

    def __init__(self, *, months: int = 12) -> None:
        self.months = months

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        _positive("months", self.months)
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
    `age` months before the forecast month (last month weighs 1).

    Parameters:
        half_life: months after which an event's weight halves.
        lookback: months of history used (older events weigh less than 0.5^(lookback/half_life)).
    """

    def __init__(self, *, half_life: float = 6.0, lookback: int = 36) -> None:
        self.half_life = half_life
        self.lookback = lookback

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        _positive("half_life", self.half_life)
        _positive("lookback", self.lookback)
        end = as_month_index(until)
        months = range(end - int(self.lookback), end)
        counts = events.targets().before(end).counts(area.n_cells, months)
        age = end - np.arange(months.start, months.stop)  # 1 = last month
        weights = 0.5 ** ((age - 1) / float(self.half_life))
        self.scores_ = weights @ counts
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return np.asarray(self.scores_, dtype=np.float64).copy()
